//! `cargo xtask bench ratings`: a province of 10,000 stores with a year of
//! monthly audits (120,000 visits) in the derived tables, then, against the
//! real server process, a full ratings computation by month and an export
//! of every record as CSV, with the server's peak memory.
//!
//! The visits are written straight into `m_records` and their sums into
//! `m_store_days`, as the materialiser
//! would have, to measure the ratings and exports rather than the (separately
//! benchmarked) sync and materialisation. Then one new audit arrives through
//! sync, and the time until the ratings show it is measured: ratings are
//! computed on read from the stores' daily sums, so the update is the
//! materialiser deriving that one record's rows and counting its store's day
//! again.
//!
//! `--database postgres://...` runs it on PostgreSQL (an empty database)
//! instead of the embedded SQLite file.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{ServerProcess, cli, login};

const OWNED_HALL: &str = include_str!("../../templates/owned_hall_audit.toml");

/// Where the server keeps its data: a folder, and a PostgreSQL URL or none.
struct Storage {
    data: std::path::PathBuf,
    database: Option<String>,
}

impl Storage {
    fn args(&self) -> Vec<std::ffi::OsString> {
        let mut out = vec!["--data-dir".into(), self.data.clone().into_os_string()];
        if let Some(db) = &self.database {
            out.extend(["--database".into(), db.into()]);
        }
        out
    }

    fn url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data.join("fieldcheck.db").display()))
    }
}

/// GET with a token; returns status, body bytes and elapsed milliseconds.
pub(crate) async fn get(addr: &str, token: &str, path: &str) -> anyhow::Result<(u16, usize, f64)> {
    let started = Instant::now();
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("response")?;
    let status = String::from_utf8_lossy(&raw[..head_end])
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((
        status,
        raw.len() - head_end - 4,
        started.elapsed().as_secs_f64() * 1e3,
    ))
}

pub async fn run(bin: &str, stores: usize, database: Option<String>) -> anyhow::Result<()> {
    let data =
        std::env::temp_dir().join(format!("fieldcheck-bench-ratings-{}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    let engine = if database.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let storage = Storage {
        data: data.clone(),
        database,
    };
    let t0 = Instant::now();

    // The hierarchy: 10 cities, 10 districts each, stores shared out.
    let mut csv = String::from("id,parent,level,name_zh,channel,traffic\np,,province,省,,\n");
    let per_district = stores.div_ceil(100).max(1);
    let mut store_ids = Vec::with_capacity(stores);
    for c in 0..10 {
        csv.push_str(&format!("p/c{c},p,city,市{c},,\n"));
        for d in 0..10 {
            csv.push_str(&format!("p/c{c}/d{d},p/c{c},district,区{d},,\n"));
            for s in 0..per_district {
                if store_ids.len() == stores {
                    break;
                }
                let id = format!("p/c{c}/d{d}/s{s}");
                csv.push_str(&format!(
                    "{id},p/c{c}/d{d},store,店{s},owned_hall,{}\n",
                    100 + s
                ));
                store_ids.push(id);
            }
        }
    }
    let file = data.join("stores.csv");
    std::fs::write(&file, csv)?;
    cli(
        bin,
        &["stores", "import", &file.to_string_lossy()],
        &storage.args(),
    )?;
    let tfile = data.join("owned_hall_audit.toml");
    std::fs::write(&tfile, OWNED_HALL)?;
    cli(
        bin,
        &["template", "publish", &tfile.to_string_lossy()],
        &storage.args(),
    )?;
    for (user, role, scope) in [
        ("admin", "admin", "*"),
        ("inspector", "inspector", "*"),
        ("district", "manager", "p/c0/d0"),
    ] {
        cli(
            bin,
            &[
                "user",
                "add",
                user,
                "--role",
                role,
                "--scope",
                scope,
                "--password",
                "bench-pw",
            ],
            &storage.args(),
        )?;
    }

    // A year of monthly visits, written as the materialiser would.
    let template = fieldcheck_core::templates::Template::load(
        OWNED_HALL,
        fieldcheck_core::templates::Format::Toml,
    )
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&storage.url()).await?;
    let year_start = 1_767_225_600_000i64; // 2026-01-01T00:00:00Z
    let mut tx = pool.begin().await?;
    let mut n = 0u64;
    let visits: Vec<(usize, &String, i64)> = store_ids
        .iter()
        .enumerate()
        .flat_map(|(i, s)| (0..12i64).map(move |m| (i, s, m)))
        .collect();
    let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai")?;
    // 100 rows a statement: 1,000 parameters, within both engines' limits.
    for chunk in visits.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO m_records (doc_id, seq, store_id, template_id, template_version, kind, mode, author,
                 status, started_at, submitted_at, updated_at, scored, score, passed, complete, rule_set,
                 local_day) VALUES ",
        );
        for k in 0..chunk.len() {
            let p = k * 10;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, 0, ${}, ${}, ${}, 'checklist', 'overt', 'inspector', 'approved', ${}, ${}, ${}, 1, ${}, ${}, 1, 'bench', ${})",
                p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8, p + 9, p + 10
            ));
        }
        let mut q = sqlx::query(&sql);
        for (i, store, month) in chunk {
            let at = year_start + month * 30 * 86_400_000 + (*i as i64 % 20) * 86_400_000;
            let score = 60.0 + ((*i as f64 * 7.3 + *month as f64 * 3.1) % 40.0);
            q = q
                .bind(format!("bench-{i}-{month}"))
                .bind(store.as_str())
                .bind(&template.id)
                .bind(&template.version)
                .bind(at)
                .bind(at + 3_600_000)
                .bind(at + 3_600_000)
                .bind(score)
                .bind(i64::from(score >= 80.0))
                .bind(
                    jiff::Timestamp::from_millisecond(at)?
                        .to_zoned(shanghai.clone())
                        .date()
                        .to_string(),
                );
            n += 1;
        }
        q.execute(&mut *tx).await?;
    }
    // The ratings sums of those visits, as the materialiser keeps them.
    sqlx::query(
        "INSERT INTO m_store_days (store_id, day, template_id, template_version, mode,
             visits, score_sum, score_sq, passed)
         SELECT store_id, local_day, template_id, template_version, mode, COUNT(*),
             SUM(score), SUM(score * score), CAST(SUM(passed) AS BIGINT)
         FROM m_records GROUP BY store_id, local_day, template_id, template_version, mode",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if storage.database.is_some() {
        // What autovacuum does a while after a bulk load; without statistics
        // the first queries get plans for an empty table.
        sqlx::query("ANALYZE").execute(&pool).await?;
    }
    pool.close().await;
    println!(
        "workload on {engine}: {stores} stores, {n} visits over a year (set up in {:.1} s)",
        t0.elapsed().as_secs_f64()
    );

    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .args(storage.args());
    let srv = ServerProcess::spawn(cmd)?;
    let token = login(&srv.addr, "admin").await?;
    let rss = |label: &str| {
        if let Some(kib) = srv.peak_kib() {
            println!("{label}: server peak memory {:.1} MB", kib as f64 / 1024.0);
        }
    };
    rss("after start");
    let (status, bytes, ms) = get(
        &srv.addr,
        &token,
        &format!("/api/v1/exports/records.csv?template={}", template.id),
    )
    .await?;
    if status != 200 {
        bail!("export: {status}");
    }
    println!(
        "export of {n} records as CSV: {:.1} s, {:.1} MB",
        ms / 1e3,
        bytes as f64 / 1e6
    );
    let (_, bytes, ms) = get(
        &srv.addr,
        &token,
        &format!("/api/v1/exports/records.xlsx?template={}", template.id),
    )
    .await?;
    println!(
        "export of {n} records as XLSX: {:.1} s, {:.1} MB",
        ms / 1e3,
        bytes as f64 / 1e6
    );
    rss("after exports");
    let district = login(&srv.addr, "district").await?;
    for (what, path, token) in [
        (
            "ratings by month, every unit",
            "/api/v1/ratings?granularity=month",
            &token,
        ),
        (
            "ratings of one month (June), every unit",
            "/api/v1/ratings?granularity=month&period=2026-06",
            &token,
        ),
        (
            "ratings by quarter, every unit",
            "/api/v1/ratings?granularity=quarter",
            &token,
        ),
        (
            "ratings of one district by month",
            "/api/v1/ratings?granularity=month&unit=p/c0/d0",
            &token,
        ),
        (
            "a district manager's ratings by month (their scope)",
            "/api/v1/ratings?granularity=month",
            &district,
        ),
        (
            "district league tables by month",
            "/api/v1/ratings?granularity=month&level=district",
            &token,
        ),
        ("weakest items and sections", "/api/v1/weakest", &token),
    ] {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..3 {
            let (status, bytes, ms) = get(&srv.addr, token, path).await?;
            if status != 200 {
                bail!("{path}: {status}");
            }
            size = bytes;
            times.push(ms);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{what}: {:.0} ms median of 3 ({:.1} MB of JSON)",
            times[1],
            size as f64 / 1e6
        );
    }
    rss("after ratings");

    // One new audit through sync, and the time until the ratings show it.
    let t150 = crate::audit_template()?;
    let tfile = data.join("bench_150.json");
    std::fs::write(&tfile, t150.canonical_json())?;
    cli(
        bin,
        &["template", "publish", &tfile.to_string_lossy()],
        &storage.args(),
    )?;
    let doc = crate::audit_at(&t150, "inspector", "bench-new", 7, &store_ids[0])?;
    // A real device: its store, and the app's sync client.
    let mut dev = crate::Device {
        store: fieldcheck_device::store::DeviceStore::open(&data.join("device.db")).await?,
        sync: None,
    };
    dev.store.save("bench-new", &mut { doc }, &[], true).await?;
    let inspector = login(&srv.addr, "inspector").await?;
    let started = Instant::now();
    dev.connect(&srv.addr, &inspector);
    // The acknowledgement as the device writes it down (the device goes on
    // to receive the reference data, which is not waited for).
    while !dev.store.dirty().await?.is_empty() {
        if started.elapsed().as_secs() > 30 {
            bail!("the new audit was not acknowledged");
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let acknowledged = started.elapsed().as_secs_f64() * 1e3;
    let path = format!(
        "/api/v1/ratings?granularity=month&unit={}&period=2023-11",
        store_ids[0]
    );
    let shown = loop {
        let (status, bytes, _) = get(&srv.addr, &token, &path).await?;
        if status != 200 {
            bail!("{path}: {status}");
        }
        // An empty reply is `{"ratings":[],"unplaced_visits":0}`.
        if bytes > 40 {
            break started.elapsed().as_secs_f64() * 1e3;
        }
        if started.elapsed().as_secs() > 60 {
            bail!("the new audit never reached the ratings");
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    let (_, _, one_store) = get(&srv.addr, &token, &path).await?;
    println!(
        "one new audit: stored and acknowledged in {acknowledged:.0} ms, in the ratings after {shown:.0} ms \
         ({:.0} ms after the acknowledgement); one store's ratings then take {one_store:.0} ms",
        shown - acknowledged
    );
    drop(srv);
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}
