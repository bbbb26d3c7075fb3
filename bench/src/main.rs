//! `cargo xtask bench sync`: N devices with K audits of 150 items each
//! (realistic answers and notes) sync to an empty server over loopback
//! WebSockets; then a reconnect with nothing new; then one edit travelling
//! to another device. Prints wall time, bytes on the wire and the server's
//! peak memory. The server is the real `fieldcheck-server` binary; the same
//! workload then runs through samod (see [`samod_sync`]) and through the
//! JavaScript automerge-repo sync server (`bench/js`, in Node, with the same
//! samod devices), and all three are printed side by side with ratios.

mod answers;
mod ratings;
mod samod_sync;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use automerge::AutoCommit;
use fieldcheck_core::answers::AnswerValue;
use fieldcheck_core::i18n::Bilingual;
use fieldcheck_core::records::{Actor, Record};
use fieldcheck_core::templates::Template;
use fieldcheck_core::templates::file::{ItemFile, SectionFile, TemplateFile};
use fieldcheck_core::vocab::Role;
use fieldcheck_device::store::DeviceStore;
use fieldcheck_device::sync_client::{self, SyncConfig, SyncHandle, SyncStatus};

fn audit_template() -> anyhow::Result<Template> {
    let b = |zh: &str, en: &str| Bilingual::new(zh, en);
    let sections = (0..10)
        .map(|s| SectionFile {
            id: format!("s{s}"),
            title: b(&format!("第{s}部分"), &format!("Section {s}")),
            weight: Some(1.0),
            items: (0..15)
                .map(|i| ItemFile {
                    id: format!("s{s}_i{i}"),
                    kind: "pass_fail".into(),
                    label: b(&format!("检查项{s}-{i}"), &format!("Check {s}-{i}")),
                    points: Some(5.0),
                    ..ItemFile::default()
                })
                .collect(),
            ..SectionFile::default()
        })
        .collect();
    let file = TemplateFile {
        schema: 1,
        id: "bench_150".into(),
        kind: "checklist".into(),
        mode: "overt".into(),
        channel: "owned_hall".into(),
        title: b("基准", "Benchmark"),
        description: None,
        pass_threshold: Some(80.0),
        partial_responses: None,
        touchpoint_scores: None,
        sections,
        constructs: vec![],
        gaps: vec![],
        analysis: Default::default(),
    };
    Template::from_file(file).context("the benchmark template is valid")
}

/// A 150-item audit with every item answered and a note on every fourth.
fn audit(t: &Template, user: &str, id: &str, n: usize) -> anyhow::Result<AutoCommit> {
    audit_at(t, user, id, n, &format!("cq/yz/{:03}", n % 200))
}

fn audit_at(
    t: &Template,
    user: &str,
    id: &str,
    n: usize,
    store: &str,
) -> anyhow::Result<AutoCommit> {
    let who = |ms| Actor {
        user: user.into(),
        role: Role::Inspector,
        device: "bench".into(),
        now_ms: ms,
    };
    let mut r = Record::create(t, id, store, &who(1_700_000_000_000))?;
    for (k, (_, item)) in t.items().enumerate() {
        let value = if (k + n).is_multiple_of(9) {
            AnswerValue::Fail
        } else {
            AnswerValue::Pass
        };
        let note = k
            .is_multiple_of(4)
            .then(|| format!("第{k}项：柜台{}号，员工已说明情况并现场整改。", n % 12));
        r.answer(
            t,
            &who(1_700_000_000_000 + k as i64 * 7_000),
            &item.id,
            value,
            note,
        )?;
    }
    r.submit(t, &who(1_700_000_001_000_000))?;
    Ok(r.into_doc())
}

#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    addr: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts `cmd` and reads the address from its first line.
    fn spawn(mut cmd: Command) -> anyhow::Result<ServerProcess> {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .context("address")?
            .to_string();
        Ok(ServerProcess { child, addr })
    }

    /// Peak resident memory so far, from the kernel (KiB).
    fn peak_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
    }
}

/// Runs `fieldcheck-server ARGS STORAGE` (STORAGE: where its data is) to
/// the end, failing with the command if it fails.
pub(crate) fn cli(bin: &str, args: &[&str], storage: &[std::ffi::OsString]) -> anyhow::Result<()> {
    let ok = Command::new(bin)
        .args(args)
        .args(storage)
        .stdout(Stdio::null())
        .status()?
        .success();
    if !ok {
        bail!("fieldcheck-server {} failed", args.join(" "));
    }
    Ok(())
}

fn server(bin: &str, data: &std::path::Path, inspectors: usize) -> anyhow::Result<ServerProcess> {
    // The stores the audits are made at: people are given a unit as scope.
    let mut stores = String::from(
        "id,parent,level,name_zh,channel\ncq,,province,重庆,\ncq/yz,cq,district,渝中区,\n",
    );
    for n in 0..200 {
        stores.push_str(&format!("cq/yz/{n:03},cq/yz,store,营业厅{n},owned_hall\n"));
    }
    let file = data.join("stores.csv");
    std::fs::write(&file, stores)?;
    let storage = ["--data-dir".into(), data.as_os_str().to_owned()];
    cli(
        bin,
        &["stores", "import", &file.to_string_lossy()],
        &storage,
    )?;
    let people = (0..inspectors)
        .map(|d| (format!("inspector{d}"), "inspector"))
        .chain([("manager".to_string(), "manager")]);
    for (name, role) in people {
        let add = [
            "user",
            "add",
            &name,
            "--role",
            role,
            "--scope",
            "cq",
            "--password",
            "bench-pw",
        ];
        cli(bin, &add, &storage)?;
    }
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data);
    ServerProcess::spawn(cmd)
}

async fn login(addr: &str, user: &str) -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = format!(r#"{{"username":"{user}","password":"bench-pw"}}"#);
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(format!("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes()).await?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).await?;
    let json = raw.split_once("\r\n\r\n").context("response")?.1;
    Ok(serde_json::from_str::<serde_json::Value>(json)?["token"]
        .as_str()
        .context("token")?
        .to_string())
}

/// What one system did with the workload.
#[derive(Debug)]
pub struct Measured {
    initial: Duration,
    sent: usize,
    received: usize,
    reconnect: Duration,
    reconnect_bytes: (usize, usize),
    edit: Duration,
    peak_kib: Option<u64>,
}

/// The comment that is the measured edit, on both peers.
pub(crate) const EDIT_COMMENT: &str = "柜台已整改，请复核。";

/// A device as the app keeps it: its store (an SQLite file) and the app's
/// sync client.
struct Device {
    store: DeviceStore,
    sync: Option<SyncHandle>,
}

impl Device {
    /// Starts syncing, as the app does after sign-in or at start.
    fn connect(&mut self, addr: &str, token: &str) {
        let mut config = SyncConfig::new(format!("ws://{addr}/sync"), token);
        config.min_backoff = Duration::from_millis(100);
        self.sync = Some(sync_client::spawn(self.store.clone(), config));
    }

    fn traffic(&self) -> (usize, usize) {
        let (s, r) = self.sync.as_ref().map_or((0, 0), SyncHandle::traffic);
        (s as usize, r as usize)
    }

    /// Waits until the sync client says it is up to date and `done` holds
    /// of the store (every change acknowledged, every document received).
    async fn wait(
        &self,
        limit: Duration,
        done: impl AsyncFn(&DeviceStore) -> bool,
    ) -> anyhow::Result<()> {
        let sync = self.sync.as_ref().context("connected")?;
        let mut status = sync.status();
        tokio::time::timeout(limit, async {
            loop {
                let now = status.borrow_and_update().clone();
                if let SyncStatus::Error(e) = &now {
                    bail!("the device's sync failed: {e}");
                }
                if now == SyncStatus::UpToDate && done(&self.store).await {
                    return Ok(());
                }
                status.changed().await?;
            }
        })
        .await
        .context("the device did not finish syncing in time")?
    }
}

/// Runs the workload against the Fieldcheck server.
async fn fieldcheck(
    srv: &ServerProcess,
    dir: &std::path::Path,
    fleet_docs: Vec<Vec<(String, AutoCommit)>>,
) -> anyhow::Result<Measured> {
    let devices = fleet_docs.len();
    let everything: usize = fleet_docs.iter().map(Vec::len).sum();
    let mut fleet = Vec::new();
    for (d, docs) in fleet_docs.into_iter().enumerate() {
        let store = DeviceStore::open(&dir.join(format!("device{d}.db"))).await?;
        for (id, mut doc) in docs {
            store.save(&id, &mut doc, &[], true).await?;
        }
        fleet.push(Device { store, sync: None });
    }
    let mut tokens = Vec::new();
    for d in 0..devices {
        tokens.push(login(&srv.addr, &format!("inspector{d}")).await?);
    }
    let acknowledged = async |store: &DeviceStore| store.dirty().await.is_ok_and(|d| d.is_empty());

    // 1. Initial sync, all devices at once: until every change is
    // acknowledged and the device has written that down.
    let started = Instant::now();
    for (dev, token) in fleet.iter_mut().zip(&tokens) {
        dev.connect(&srv.addr, token);
    }
    for dev in &fleet {
        dev.wait(Duration::from_secs(600), acknowledged).await?;
    }
    let initial = started.elapsed();
    // Untimed: let the closing frames (the cursor) arrive, and the server
    // derive its tables (review queue, ratings) from the burst, so that the
    // steps after meet a server at rest, as the peers' do.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let wait = "/api/v1/status?wait=true&timeout_ms=60000";
    ratings::get(&srv.addr, &tokens[0], wait).await?;
    println!(
        "the server's review queue and ratings held every change {:.1} s after the initial sync",
        (started.elapsed() - initial).as_secs_f64()
    );
    let (sent, received) = fleet
        .iter()
        .map(Device::traffic)
        .fold((0, 0), |(s, r), (ds, dr)| (s + ds, r + dr));

    // 2. Reconnect with nothing new: the app starting again.
    let mut dev = fleet.remove(0);
    for other in fleet {
        if let Some(h) = other.sync {
            h.stop().await;
        }
    }
    if let Some(h) = dev.sync.take() {
        h.stop().await;
    }
    let t0 = Instant::now();
    dev.connect(&srv.addr, &tokens[0]);
    dev.wait(Duration::from_secs(5), acknowledged).await?;
    let reconnect = t0.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reconnect_bytes = dev.traffic();

    // 3. One edit on this device reaches a manager's device that is online.
    let mtoken = login(&srv.addr, "manager").await?;
    let mut manager = Device {
        store: DeviceStore::open(&dir.join("manager.db")).await?,
        sync: None,
    };
    manager.connect(&srv.addr, &mtoken);
    manager
        .wait(Duration::from_secs(120), async |store: &DeviceStore| {
            store.records().await.is_ok_and(|r| r.len() >= everything)
        })
        .await?;
    let id = "audit-0-0";
    let doc = dev
        .store
        .load(id)
        .await?
        .context("the audit is on the device")?;
    // The inspector comments on the submitted audit: a change the record
    // gate accepts (samod's side writes the same comment by hand).
    let mut record = Record::from_doc(doc)?;
    let before = record.doc_mut().get_heads();
    let inspector = Actor {
        user: "inspector0".into(),
        role: Role::Inspector,
        device: "bench".into(),
        now_ms: 1_700_000_002_000_000,
    };
    let t = audit_template()?;
    let item = t.items().next().map(|(_, i)| i.id.clone());
    record.comment(&t, &inspector, item.as_deref(), EDIT_COMMENT)?;
    let mut writes = manager.store.writes();
    let seen = manager.store.generation(id);
    // From the device's own commit to the manager's device's.
    let t1 = Instant::now();
    dev.store.save(id, record.doc_mut(), &before, true).await?;
    dev.sync.as_ref().context("connected")?.local_change(id);
    tokio::time::timeout(Duration::from_secs(10), async {
        while manager.store.generation(id) == seen {
            writes.changed().await?;
        }
        anyhow::Ok(())
    })
    .await
    .context("the edit did not reach the manager")??;
    let edit = t1.elapsed();
    for d in [dev, manager] {
        if let Some(h) = d.sync {
            h.stop().await;
        }
    }
    Ok(Measured {
        initial,
        sent,
        received,
        reconnect,
        reconnect_bytes,
        edit,
        peak_kib: srv.peak_kib(),
    })
}

/// The three systems side by side, with each peer's figure over ours.
fn print_table(ours: &Measured, peers: &[(&str, Option<&Measured>)]) {
    let ratio = |a: f64, b: f64| {
        if a > 0.0 {
            format!("{:.2}x", b / a)
        } else {
            "-".into()
        }
    };
    let row = |what: &str, get: &dyn Fn(&Measured) -> Option<f64>, unit: &str| {
        let Some(a) = get(ours) else { return };
        let mut line = format!("| {what:<34} | {a:>12.1} {unit:<2} |");
        for (_, m) in peers {
            match m.and_then(get) {
                Some(b) => line.push_str(&format!(" {b:>12.1} {unit:<2} | {:>8} |", ratio(a, b))),
                None => line.push_str(&format!(" {:>15} | {:>8} |", "-", "-")),
            }
        }
        println!("{line}");
    };
    let mut head = format!("| {:<34} | {:>15} |", "", "fieldcheck");
    let mut rule = format!("|{:-<36}|{:-<17}|", "", "");
    for (name, _) in peers {
        head.push_str(&format!(" {name:>15} | {:>8} |", "/ ours"));
        rule.push_str(&format!("{:-<17}|{:-<10}|", "", ""));
    }
    println!("{head}\n{rule}");
    let s = |d: Duration| Some(d.as_secs_f64());
    let ms = |d: Duration| Some(d.as_secs_f64() * 1e3);
    let kb = |b: usize| Some(b as f64 / 1e3);
    row("initial sync, wall", &|m| s(m.initial), "s");
    row("initial sync, sent", &|m| kb(m.sent), "KB");
    row("initial sync, received", &|m| kb(m.received), "KB");
    row("quiet reconnect, wall", &|m| ms(m.reconnect), "ms");
    row(
        "quiet reconnect, bytes both ways",
        &|m| Some((m.reconnect_bytes.0 + m.reconnect_bytes.1) as f64),
        "B",
    );
    row("one edit to another device", &|m| ms(m.edit), "ms");
    row(
        "server peak memory",
        &|m| m.peak_kib.map(|k| k as f64 / 1024.0),
        "MB",
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("ratings") {
        let bin = args
            .iter()
            .position(|a| a == "--server")
            .and_then(|i| args.get(i + 1))
            .context("--server PATH to fieldcheck-server")?;
        let stores = args
            .iter()
            .position(|a| a == "--stores")
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(10_000);
        let database = args
            .iter()
            .position(|a| a == "--database")
            .and_then(|i| args.get(i + 1))
            .cloned();
        return ratings::run(bin, stores, database).await;
    }
    if args.get(1).map(String::as_str) == Some("answers") {
        let bin = args
            .iter()
            .position(|a| a == "--server")
            .and_then(|i| args.get(i + 1))
            .context("--server PATH to fieldcheck-server")?;
        return answers::run(bin).await;
    }
    if args.get(1).map(String::as_str) == Some("samod-server") {
        let dir = args.get(2).context("samod-server DIR")?;
        return samod_sync::serve(std::path::Path::new(dir)).await;
    }
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(default)
    };
    let (devices, audits) = (arg("--devices", 4), arg("--audits", 250));
    // `--peers samod,automerge-repo` (the default), one of them, or `none`.
    let peers = args
        .iter()
        .position(|a| a == "--peers")
        .and_then(|i| args.get(i + 1))
        .map_or("samod,automerge-repo", String::as_str);
    let bin = args
        .iter()
        .position(|a| a == "--server")
        .and_then(|i| args.get(i + 1))
        .context("--server PATH to fieldcheck-server")?;
    let t = audit_template()?;
    let mut fleet = Vec::new();
    let mut doc_bytes = 0;
    for d in 0..devices {
        let mut docs = Vec::new();
        for k in 0..audits {
            let id = format!("audit-{d}-{k}");
            let mut doc = audit(&t, &format!("inspector{d}"), &id, k)?;
            doc_bytes += doc.save().len();
            docs.push((id, doc));
        }
        fleet.push(docs);
    }
    println!(
        "workload: {devices} devices x {audits} audits of {} items ({:.1} KB of documents), to an empty server",
        t.items().count(),
        doc_bytes as f64 / 1e3
    );

    let base = std::env::temp_dir().join(format!("fieldcheck-bench-{}", std::process::id()));
    let (ours_dir, samod_dir, js_dir) = (
        base.join("fieldcheck"),
        base.join("samod"),
        base.join("automerge-repo"),
    );
    for dir in [&ours_dir, &samod_dir, &js_dir] {
        std::fs::create_dir_all(dir)?;
    }

    let srv = server(bin, &ours_dir, devices)?;
    let ours = fieldcheck(&srv, &ours_dir, fleet.clone()).await?;
    drop(srv);

    // The peers, each with the same samod devices (the two servers speak
    // the same protocol): samod's server, and the JavaScript automerge-repo
    // sync server (bench/js). A peer that fails is reported, and the others'
    // figures still printed.
    let mut measured = Vec::new();
    for (peer, name) in [
        ("samod", "samod 0.16"),
        ("automerge-repo", "automerge-repo"),
    ] {
        if !peers.split(',').any(|p| p == peer) {
            continue;
        }
        let cmd = if peer == "samod" {
            let mut cmd = Command::new(std::env::current_exe()?);
            cmd.arg("samod-server").arg(&samod_dir);
            cmd
        } else {
            let mut cmd = Command::new("node");
            cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/js/server.mjs"))
                .arg(&js_dir);
            cmd
        };
        let srv = ServerProcess::spawn(cmd)?;
        let devices = base.join(format!("{peer}-devices"));
        let m = samod_sync::run(&srv, &devices, fleet.clone())
            .await
            .inspect_err(|e| println!("{name}: {e:#}"))
            .ok();
        drop(srv);
        measured.push((name, m));
    }
    let peers: Vec<(&str, Option<&Measured>)> =
        measured.iter().map(|(n, m)| (*n, m.as_ref())).collect();
    print_table(&ours, &peers);
    let _ = std::fs::remove_dir_all(&base);
    Ok(())
}
