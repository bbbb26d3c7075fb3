//! `cargo xtask bench answers`: how long an inspector waits for an answer
//! to be safe. The app (`fieldcheck-device`'s `App`, as the Tauri shell
//! runs it) signs in to a real server once, receives the templates, then
//! works offline with 1,000 documents in its store: 1,000 answers go into
//! one 150-item audit, each timed from the call to its return, which comes
//! after the change is committed to the device's SQLite file. Prints the
//! median, the 99th percentile and the slowest.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fieldcheck_device::app::App;

use crate::{audit, audit_template, login, server};

pub async fn run(bin: &str) -> anyhow::Result<()> {
    let base =
        std::env::temp_dir().join(format!("fieldcheck-bench-answers-{}", std::process::id()));
    let (data, device) = (base.join("server"), base.join("device"));
    std::fs::create_dir_all(&data)?;
    let t = audit_template()?;
    let file = data.join("bench_150.json");
    std::fs::write(&file, t.canonical_json())?;
    crate::cli(
        bin,
        &["template", "publish", &file.to_string_lossy()],
        &["--data-dir".into(), data.clone().into_os_string()],
    )?;
    let srv = server(bin, &data, 1)?;
    // Signing in once checks the server is up.
    login(&srv.addr, "inspector0").await?;

    let app = App::open(&device)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    app.login(
        &format!("http://{}", srv.addr),
        "inspector0",
        "bench-pw",
        None,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The template arrives with the first sync.
    let started = Instant::now();
    let form = loop {
        match app.start_record(&t.id, "cq/yz/000").await {
            Ok(form) => break form,
            Err(_) if started.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => bail!("the template never reached the device: {e}"),
        }
    };
    // Offline from here, with 999 other audits in the store.
    drop(srv);
    for k in 0..999 {
        let id = format!("audit-old-{k}");
        let mut doc = audit(&t, "inspector0", &id, k)?;
        app.store()
            .save(&id, &mut doc, &[], false)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let items: Vec<String> = t.items().map(|(_, i)| i.id.clone()).collect();
    let mut times = Vec::with_capacity(1_000);
    for k in 0..1_000 {
        let value = if k % 7 == 0 { "fail" } else { "pass" };
        let t0 = Instant::now();
        app.answer(
            &form.doc_id,
            &items[k % items.len()],
            serde_json::json!(value),
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(t0.elapsed());
    }
    app.close().await;
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "1,000 answers into a 150-item audit, 1,000 documents in the device store: \
         answer to commit p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*times.last().context("answers")?)
    );
    let _ = std::fs::remove_dir_all(&base);
    Ok(())
}
