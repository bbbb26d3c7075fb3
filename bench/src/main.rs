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
use fieldcheck_core::sync::{Client, ClientEffect, MemoryDocs, decode, encode};
use fieldcheck_core::templates::Template;
use fieldcheck_core::templates::file::{ItemFile, SectionFile, TemplateFile};
use fieldcheck_core::vocab::Role;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{self, Message};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A device: the core client over a real WebSocket, counting bytes.
#[derive(Default)]
struct Device {
    client: Client,
    docs: MemoryDocs,
    sent: usize,
    received: usize,
}

impl Device {
    async fn connect(&mut self, addr: &str, token: &str) -> anyhow::Result<Ws> {
        let mut req = tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://{addr}/sync"
        ))?;
        req.headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse()?);
        // Nagle's algorithm off, as the app's sync client has it.
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(req, None, true).await?;
        let hello = encode(&self.client.connect());
        self.sent += hello.len();
        ws.send(Message::Binary(hello.into())).await?;
        Ok(ws)
    }

    /// Handles frames until `done` holds, or nothing arrives for `idle`.
    async fn run(
        &mut self,
        ws: &mut Ws,
        idle: Duration,
        done: impl Fn(&Device) -> bool,
    ) -> anyhow::Result<()> {
        while !done(self) {
            let Ok(Some(msg)) = tokio::time::timeout(idle, ws.next()).await else {
                break;
            };
            let Message::Binary(bytes) = msg? else {
                continue;
            };
            self.received += bytes.len();
            let effects = self.client.receive(decode(&bytes)?, &mut self.docs);
            self.apply(ws, effects).await?;
        }
        Ok(())
    }

    async fn apply(&mut self, ws: &mut Ws, effects: Vec<ClientEffect>) -> anyhow::Result<()> {
        for e in effects {
            if let ClientEffect::Send(f) = e {
                let b = encode(&f);
                self.sent += b.len();
                ws.send(Message::Binary(b.into())).await?;
            }
        }
        Ok(())
    }
}

fn audit_template() -> anyhow::Result<Template> {
    let b = |zh: &str, en: &str| Bilingual::new(zh, en);
    let sections = (0..10)
        .map(|s| SectionFile {
            id: format!("s{s}"),
            title: b(&format!("第{s}部分"), &format!("Section {s}")),
            weight: Some(1.0),
            relevant: None,
            items: (0..15)
                .map(|i| ItemFile {
                    id: format!("s{s}_i{i}"),
                    kind: "pass_fail".into(),
                    label: b(&format!("检查项{s}-{i}"), &format!("Check {s}-{i}")),
                    points: Some(5.0),
                    ..ItemFile::default()
                })
                .collect(),
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

/// Runs the workload against the Fieldcheck server.
async fn fieldcheck(
    srv: &ServerProcess,
    fleet_docs: Vec<Vec<(String, AutoCommit)>>,
) -> anyhow::Result<Measured> {
    let devices = fleet_docs.len();
    let everything: usize = fleet_docs.iter().map(Vec::len).sum();
    let mut fleet = Vec::new();
    for docs in fleet_docs {
        let mut dev = Device::default();
        for (id, doc) in docs {
            dev.docs.0.insert(id.clone(), doc);
            dev.client.local_change(&id, &mut dev.docs);
        }
        fleet.push(dev);
    }
    let mut tokens = Vec::new();
    for d in 0..devices {
        tokens.push(login(&srv.addr, &format!("inspector{d}")).await?);
    }
    let token = tokens[0].clone();

    // 1. Initial sync, all devices at once.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (d, mut dev) in fleet.into_iter().enumerate() {
        let (addr, token) = (srv.addr.clone(), tokens[d].clone());
        tasks.push(tokio::spawn(async move {
            let mut ws = dev.connect(&addr, &token).await?;
            dev.run(&mut ws, Duration::from_secs(30), |d| {
                d.client.dirty().next().is_none()
            })
            .await?;
            let acknowledged = Instant::now();
            // Untimed: take the closing frames (the cursor) until the line is quiet.
            dev.run(&mut ws, Duration::from_millis(300), |_| false)
                .await?;
            anyhow::Ok((dev, ws, acknowledged))
        }));
    }
    let mut fleet = Vec::new();
    let mut last_ack = started;
    for t in tasks {
        let (dev, ws, acked) = t.await??;
        last_ack = last_ack.max(acked);
        fleet.push((dev, ws));
    }
    let initial = last_ack - started;
    let (sent, received): (usize, usize) = fleet
        .iter()
        .fold((0, 0), |(s, r), (d, _)| (s + d.sent, r + d.received));
    let left: usize = fleet.iter().map(|(d, _)| d.client.dirty().count()).sum();
    if left > 0 {
        bail!("{left} documents were not acknowledged");
    }

    // 2. Reconnect with nothing new.
    let (mut dev, ws) = fleet.remove(0);
    drop(ws);
    drop(fleet);
    dev.client.disconnect();
    let (s0, r0) = (dev.sent, dev.received);
    let t0 = Instant::now();
    let mut ws = dev.connect(&srv.addr, &token).await?;
    dev.run(&mut ws, Duration::from_secs(5), |d| d.received > r0)
        .await?;
    let reconnect = t0.elapsed();
    let reconnect_bytes = (dev.sent - s0, dev.received - r0);

    // 3. One edit on this device reaches a manager's device that is online.
    let mtoken = login(&srv.addr, "manager").await?;
    let mut manager = Device::default();
    let mut mws = manager.connect(&srv.addr, &mtoken).await?;
    manager
        .run(&mut mws, Duration::from_secs(60), |d| {
            d.docs.0.len() >= everything && d.client.cursor() > 0
        })
        .await?;
    let id = "audit-0-0";
    let doc = dev.docs.0.get_mut(id).context("doc")?;
    // The inspector comments on the submitted audit: a change the record
    // gate accepts (samod's side writes the same comment by hand).
    let mut record = Record::from_doc(std::mem::take(doc))?;
    let inspector = Actor {
        user: "inspector0".into(),
        role: Role::Inspector,
        device: "bench".into(),
        now_ms: 1_700_000_002_000_000,
    };
    let t = audit_template()?;
    let item = t.items().next().map(|(_, i)| i.id.clone());
    record.comment(&t, &inspector, item.as_deref(), EDIT_COMMENT)?;
    *doc = record.into_doc();
    let before = manager.docs.0.get_mut(id).map(|d| d.get_heads());
    let t1 = Instant::now();
    let effects = dev.client.local_change(id, &mut dev.docs);
    dev.apply(&mut ws, effects).await?;
    let dev_task = tokio::spawn(async move {
        let _ = dev
            .run(&mut ws, Duration::from_millis(500), |_| false)
            .await;
    });
    manager
        .run(&mut mws, Duration::from_secs(10), |d| {
            d.docs.0.get(id).map(|x| x.clone().get_heads()) != before
        })
        .await?;
    let edit = t1.elapsed();
    dev_task.abort();
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
    let ours = fieldcheck(&srv, fleet.clone()).await?;
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
        let m = samod_sync::run(&srv, fleet.clone())
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
