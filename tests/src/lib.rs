//! What the tests of Fieldcheck share: the real server binary on a loopback
//! port, the command line against a data folder, a minimal HTTP client, and
//! a device that syncs over a real WebSocket with the core client engine.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fieldcheck_device::sync_client::{SyncConfig, SyncHandle, SyncStatus};

use fieldcheck_core::answers::{AnswerValue, MediaRef};
use fieldcheck_core::records::{Actor, Record};
use fieldcheck_core::sync::{Client, ClientEffect, Frame, decode, encode};
use fieldcheck_core::templates::Template;
use fieldcheck_core::vocab::Role;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{self, Message};

/// The PostgreSQL database a test data folder uses.
pub fn pg_database(data_dir: &Path) -> String {
    format!(
        "fc_{}",
        &blake3::hash(data_dir.as_os_str().as_encoded_bytes()).to_hex()[..16]
    )
}

/// Where a test server keeps its data: the embedded SQLite file in
/// `data_dir`, or, when `FIELDCHECK_TEST_POSTGRES` names a PostgreSQL server
/// (`postgres://user@host:port`), a fresh database of its own there.
pub fn storage_args(data_dir: &Path) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec!["--data-dir".into(), data_dir.into()];
    if let Ok(base) = std::env::var("FIELDCHECK_TEST_POSTGRES") {
        let name = pg_database(data_dir);
        let out = Command::new("psql")
            .arg(format!("{base}/postgres"))
            .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
            .output()
            .expect("psql runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || err.contains("already exists"),
            "{err}"
        );
        args.push("--database".into());
        args.push(format!("{base}/{name}").into());
    }
    args
}

/// The database URL the server of a test data folder uses.
pub fn database_url(data_dir: &Path) -> String {
    storage_args(data_dir)
        .windows(2)
        .find(|w| w[0] == "--database")
        .map(|w| w[1].to_string_lossy().into_owned())
        .unwrap_or_else(|| fieldcheck_server::store::Storage::sqlite_url(data_dir))
}

/// The store hierarchy of the tests: two districts of Chongqing.
pub const STORES: &str = "id,parent,level,name_zh,name_en,channel,traffic
cq,,province,重庆,Chongqing,,
cq/yz,cq,district,渝中区,Yuzhong,,
cq/jb,cq,district,江北区,Jiangbei,,
cq/yz/001,cq/yz,store,解放碑营业厅,Jiefangbei,owned_hall,1000
cq/yz/002,cq/yz,store,较场口营业厅,Jiaochangkou,owned_hall,500
cq/jb/001,cq/jb,store,观音桥营业厅,Guanyinqiao,owned_hall,800
";

/// The S2 worked example, shared with core's tests.
pub fn template() -> fieldcheck_core::templates::Template {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/worked_example.toml");
    let src = std::fs::read_to_string(path).expect("fixture");
    fieldcheck_core::templates::Template::load(&src, fieldcheck_core::templates::Format::Toml)
        .expect("valid")
}

/// The server binary: `FIELDCHECK_SERVER_BIN`, or the one cargo built
/// beside the running test (`target/<profile>/fieldcheck-server`), which
/// `cargo test` builds for the server's own tests and `cargo xtask test`
/// before every suite.
pub fn bin() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("FIELDCHECK_SERVER_BIN") {
        return path.into();
    }
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test> -> target/<profile>/fieldcheck-server
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("a test under target/<profile>/deps");
    let bin = profile_dir.join(format!("fieldcheck-server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo build -p fieldcheck-server) or set FIELDCHECK_SERVER_BIN",
        bin.display()
    );
    bin
}

/// A server process with its own data folder; killed when dropped.
#[derive(Debug)]
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    /// Starts `fieldcheck-server serve` on port 0 in `data_dir`, with an
    /// optional configuration file.
    pub fn start(data_dir: &Path, config: Option<&Path>) -> Server {
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .args(storage_args(data_dir));
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        Server::launch(cmd)
    }

    /// Another replica of the deployment in `shared`: its own data folder
    /// `own`, the same PostgreSQL database.
    pub fn replica(own: &Path, shared: &Path) -> Server {
        let db = storage_args(shared)
            .windows(2)
            .find(|w| w[0] == "--database")
            .map(|w| w[1].clone())
            .expect("replicas need PostgreSQL");
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(own)
            .arg("--database")
            .arg(db);
        Server::launch(cmd)
    }

    /// Starts the server on a given address.
    pub fn start_on(data_dir: &Path, addr: &str) -> Server {
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--listen", addr])
            .args(storage_args(data_dir));
        Server::launch(cmd)
    }

    /// Runs `cmd` and waits for the address it prints first.
    fn launch(mut cmd: Command) -> Server {
        let stderr = if std::env::var_os("FIELDCHECK_TEST_SERVER_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        };
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("server prints its address");
        let addr = line
            .trim()
            .rsplit("://")
            .next()
            .expect("address")
            .to_string();
        assert!(addr.contains(':'), "unexpected first line: {line}");
        Server { child, addr }
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Runs a `fieldcheck-server` command against a data folder's storage;
/// asserts it succeeds and returns what it printed.
pub fn cli(data_dir: &Path, args: &[&str]) -> String {
    let out = Command::new(bin())
        .args(args)
        .args(storage_args(data_dir))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Publishes a template version to a data folder's server.
pub fn publish(data_dir: &Path, t: &Template) {
    let file = data_dir.join(format!("{}.json", t.id));
    std::fs::write(&file, t.canonical_json()).expect("write");
    cli(data_dir, &["template", "publish", &file.to_string_lossy()]);
}

/// `fieldcheck-server user add` against a data folder. A scope must be a
/// unit of the hierarchy, as for the API: the first user with one imports
/// the tests' hierarchy ([`STORES`]) first, as an operator would.
pub fn add_user(data_dir: &Path, name: &str, role: &str, scope: &str, password: &str) {
    let marker = data_dir.join("stores-imported");
    if scope != "*" && !marker.exists() {
        let file = data_dir.join("stores.csv");
        std::fs::write(&file, STORES).expect("write");
        cli(data_dir, &["stores", "import", &file.to_string_lossy()]);
        std::fs::write(&marker, "").expect("marker");
    }
    cli(data_dir, &user_add(name, role, scope, password));
}

/// The arguments of `fieldcheck-server user add`.
pub fn user_add<'a>(
    name: &'a str,
    role: &'a str,
    scope: &'a str,
    password: &'a str,
) -> [&'a str; 9] {
    [
        "user",
        "add",
        name,
        "--role",
        role,
        "--scope",
        scope,
        "--password",
        password,
    ]
}

/// The problems of an `invalid_rows` answer as (row, column, message code).
pub fn row_problems(body: &serde_json::Value) -> Vec<(u64, String, String)> {
    body["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let text = |k: &str| p[k].as_str().unwrap_or("").to_string();
                    (p["row"].as_u64().unwrap_or(0), text("column"), text("key"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `GET` with a token: the status and the body as JSON (`null` if it is not).
pub async fn get_json(addr: &str, token: &str, path: &str) -> (u16, serde_json::Value) {
    let (status, body) = http(addr, "GET", path, Some(token), None).await;
    (status, serde_json::from_str(&body).unwrap_or_default())
}

/// `POST` of a JSON body with a token: the status and the body as JSON
/// (`null` if it is not).
pub async fn post_json(
    addr: &str,
    token: &str,
    path: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let (status, body) = http(addr, "POST", path, Some(token), Some(body)).await;
    (status, serde_json::from_str(&body).unwrap_or_default())
}

/// Waits until the derived tables (queue, ratings, exports) hold every
/// change stored so far, as the server says (`/api/v1/status`): no polling.
pub async fn caught_up(addr: &str, token: &str) {
    let (status, now) = get_json(addr, token, "/api/v1/status").await;
    assert_eq!(status, 200, "{now}");
    let seq = now["sequence"].as_i64().expect("sequence");
    let path = format!("/api/v1/status?seq={seq}&timeout_ms=30000");
    let (status, then) = get_json(addr, token, &path).await;
    assert_eq!(status, 200, "{then}");
    assert!(
        then["materialised"].as_i64() >= Some(seq),
        "the tables did not catch up with change {seq}: {then}"
    );
}

/// One HTTP/1.1 request with a text body; returns (status, body).
pub async fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let (status, body) = http_raw(
        addr,
        method,
        path,
        token,
        &[("Content-Type", "application/json")],
        body.unwrap_or("").as_bytes(),
    )
    .await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Posts a file's bytes to an import as `token`; returns the status and the
/// JSON reply (null when the reply is not JSON).
pub async fn post_file(
    addr: &str,
    token: &str,
    path: &str,
    file: &[u8],
) -> (u16, serde_json::Value) {
    let (status, body) = http_raw(addr, "POST", path, Some(token), &[], file).await;
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

/// One HTTP/1.1 request with any headers and body; returns (status, body bytes).
pub async fn http_raw(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("writes");
    stream.write_all(body).await.expect("writes");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("reads");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let len = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if len == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + len]);
        b = &b[eol + 4 + len..];
    }
    out
}

/// Revokes a token; returns the HTTP status.
pub async fn logout(addr: &str, token: &str) -> u16 {
    http(addr, "POST", "/api/v1/auth/logout", Some(token), None)
        .await
        .0
}

/// Posts a login body as it is; returns (status, body).
pub async fn try_login(addr: &str, body: &str) -> (u16, String) {
    http(addr, "POST", "/api/v1/auth/login", None, Some(body)).await
}

/// Logs in and returns the token.
pub async fn login(addr: &str, user: &str, password: &str) -> String {
    let (status, body) = try_login(
        addr,
        &format!(r#"{{"username":"{user}","password":"{password}"}}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    v["token"].as_str().expect("token").to_string()
}

pub use fieldcheck_core::sync::MemoryDocs as MemDocs;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A device: the core client engine over a real WebSocket.
#[derive(Default, Debug)]
pub struct Device {
    pub client: Client,
    pub docs: MemDocs,
    pub rejected: Vec<(String, String)>,
    pub errors: Vec<String>,
}

impl Device {
    /// The records it holds (not the reference data it syncs too).
    pub fn records(&self) -> Vec<&str> {
        self.docs
            .0
            .keys()
            .map(String::as_str)
            .filter(|id| !id.starts_with("ref:"))
            .collect()
    }
}

/// Opens the sync WebSocket with a bearer token.
pub async fn open(addr: &str, token: &str) -> Result<Ws, tungstenite::Error> {
    let mut req =
        tungstenite::client::IntoClientRequest::into_client_request(format!("ws://{addr}/sync"))
            .expect("request");
    req.headers_mut().insert(
        "Authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

impl Device {
    /// Connects, syncs until the server has nothing more to say for a
    /// while, and returns the open socket for more.
    pub async fn sync(&mut self, addr: &str, token: &str) -> Ws {
        let mut ws = open(addr, token).await.expect("the sync socket opens");
        let hello = self.client.connect();
        ws.send(Message::Binary(encode(&hello).into()))
            .await
            .expect("send");
        self.pump(&mut ws).await;
        ws
    }

    /// Handles frames until none arrive for a moment.
    pub async fn pump(&mut self, ws: &mut Ws) {
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(300), ws.next()).await
        {
            if std::env::var_os("FIELDCHECK_TEST_SERVER_LOG").is_some() {
                eprintln!("device got {msg:?}");
            }
            let Ok(Message::Binary(bytes)) = msg else {
                continue;
            };
            let frame = decode(&bytes).expect("the server sends valid frames");
            if std::env::var_os("FIELDCHECK_TEST_SERVER_LOG").is_some() {
                eprintln!("device <- {frame:?}");
            }
            let effects = self.client.receive(frame, &mut self.docs);
            self.apply(ws, effects).await;
        }
    }

    pub async fn apply(&mut self, ws: &mut Ws, effects: Vec<ClientEffect>) {
        for e in effects {
            match e {
                ClientEffect::Send(f) => ws
                    .send(Message::Binary(encode(&f).into()))
                    .await
                    .expect("send"),
                ClientEffect::Rejected { doc, reason } => self.rejected.push((doc, reason)),
                ClientEffect::ServerError(m) => self.errors.push(m),
                _ => {}
            }
        }
    }

    /// Tells the engine about a local change and sends it if connected.
    pub async fn changed(&mut self, ws: Option<&mut Ws>, doc: &str) {
        let effects = self.client.local_change(doc, &mut self.docs);
        if let Some(ws) = ws {
            self.apply(ws, effects).await;
            self.pump(ws).await;
        }
    }

    pub fn send_raw(frame: &Frame) -> Message {
        Message::Binary(encode(frame).into())
    }
}

pub fn actor(user: &str, role: Role, now_ms: i64) -> Actor {
    Actor {
        user: user.into(),
        role,
        device: format!("{user}-device"),
        now_ms,
    }
}

/// A data folder with the people of the tests: two inspectors and a manager
/// in district cq/yz, a manager in district cq/jb.
pub fn people() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for (name, role, scope) in [
        ("li", "inspector", "cq"),
        ("zhao", "inspector", "cq"),
        ("wang", "manager", "cq/yz"),
        ("chen", "manager", "cq/jb"),
    ] {
        add_user(dir.path(), name, role, scope, "pw-123456");
    }
    dir
}

/// A running server on the test people, an administrator `root` and any
/// `more` (name, role, scope), with the test template published, and the
/// sessions of root, wang (manager of cq/yz) and li (inspector). Keep
/// `dir` bound (`dir: _dir`) while the server runs: it is the data folder.
#[derive(Debug)]
pub struct Team {
    pub server: Server,
    pub t: Template,
    pub root: String,
    pub wang: String,
    pub li: String,
    pub dir: tempfile::TempDir,
}

pub async fn team(more: &[(&str, &str, &str)]) -> Team {
    team_configured(more, None).await
}

/// A [`team`] whose server reads `config` (TOML) as its configuration file.
pub async fn team_configured(more: &[(&str, &str, &str)], config: Option<&str>) -> Team {
    let dir = people();
    add_user(dir.path(), "root", "admin", "*", "pw-123456");
    for (name, role, scope) in more {
        add_user(dir.path(), name, role, scope, "pw-123456");
    }
    let t = template();
    publish(dir.path(), &t);
    let file = dir.path().join("fieldcheck.toml");
    if let Some(text) = config {
        std::fs::write(&file, text).expect("write the configuration");
    }
    let server = Server::start(dir.path(), config.map(|_| file.as_path()));
    let addr = &server.addr;
    let (root, wang, li) = (
        login(addr, "root", "pw-123456").await,
        login(addr, "wang", "pw-123456").await,
        login(addr, "li", "pw-123456").await,
    );
    Team {
        server,
        t,
        root,
        wang,
        li,
        dir,
    }
}

/// A submitted audit by `li` at store cq/yz/001.
pub fn submitted_audit(t: &Template, id: &str) -> Record {
    audit_at(t, id, "cq/yz/001", 0, &[])
}

/// An audit by `li` at `store`, started `at_ms` and submitted within
/// seconds, with the given items failed and every other one passed.
pub fn audit_at(t: &Template, id: &str, store: &str, at_ms: i64, failed: &[&str]) -> Record {
    let li = |ms| actor("li", Role::Inspector, at_ms + ms);
    let mut r = Record::create(t, id, store, &li(1_000)).expect("create");
    for (i, item) in ["a1", "a2", "a3", "a4", "b1", "b2", "b3"]
        .iter()
        .enumerate()
    {
        let v = if failed.contains(item) {
            AnswerValue::Fail
        } else {
            AnswerValue::Pass
        };
        r.answer(t, &li(2_000 + i as i64), item, v, None)
            .expect("answer");
    }
    r.submit(t, &li(3_000)).expect("submit");
    r
}

/// Milliseconds since the epoch of an RFC 3339 time.
pub fn at(time: &str) -> i64 {
    time.parse::<jiff::Timestamp>()
        .expect("an RFC 3339 time")
        .as_millisecond()
}

/// Sends `record` to the server from a new device of the inspector signed
/// in as `token`, and waits until a manager (`reader`) sees the derived
/// tables hold it. The socket is returned to keep the session open.
pub async fn upload(addr: &str, token: &str, reader: &str, id: &str, record: Record) -> Ws {
    let mut device = Device::default();
    device.docs.0.insert(id.into(), record.into_doc());
    device.changed(None, id).await;
    let ws = device.sync(addr, token).await;
    caught_up(addr, reader).await;
    ws
}

/// Stores on the server, through a device of `user` (an inspector), a draft
/// audit at cq/yz/001 whose item a1 carries `files` (bytes, type) as
/// evidence: what the server needs before it takes their uploads.
pub async fn record_with_media(
    addr: &str,
    token: &str,
    user: &str,
    id: &str,
    files: &[(&[u8], &str)],
) -> Record {
    let t = template();
    let by = |ms| actor(user, Role::Inspector, ms);
    let mut r = Record::create(&t, id, "cq/yz/001", &by(1)).expect("create");
    r.answer(&t, &by(2), "a1", AnswerValue::Fail, None)
        .expect("answer");
    for (bytes, mime) in files {
        let media = MediaRef {
            hash: blake3::hash(bytes).to_hex().to_string(),
            mime: (*mime).into(),
            size: bytes.len() as u64,
        };
        r.attach(&t, &by(3), "a1", media).expect("attach");
    }
    let mut device = Device::default();
    device.docs.0.insert(id.into(), r.doc().clone());
    device.changed(None, id).await;
    device.sync(addr, token).await;
    assert!(device.rejected.is_empty(), "{:?}", device.rejected);
    r
}

/// Uploads `bytes` as `mime` in one chunk, as a device would once their
/// record is on the server; asserts the server takes them whole.
pub async fn upload_media(addr: &str, token: &str, bytes: &[u8], mime: &str) {
    let hash = blake3::hash(bytes).to_hex().to_string();
    let path = format!("/api/v1/media/{hash}");
    let open = format!(r#"{{"size":{},"mime":"{mime}"}}"#, bytes.len());
    let (status, body) = http(addr, "POST", &path, Some(token), Some(&open)).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = http_raw(
        addr,
        "PATCH",
        &path,
        Some(token),
        &[("Upload-Offset", "0")],
        bytes,
    )
    .await;
    assert_eq!(status, 200);
}

/// li's device holding a submitted audit not yet sent.
pub async fn device_with_audit(t: &Template, id: &str) -> Device {
    let mut li = Device::default();
    li.docs
        .0
        .insert(id.into(), submitted_audit(t, id).into_doc());
    li.changed(None, id).await;
    li
}

/// A device sync client that retries quickly.
pub fn config(addr: &str, token: &str) -> SyncConfig {
    SyncConfig {
        min_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        ..SyncConfig::new(format!("ws://{addr}/sync"), token)
    }
}

pub async fn up_to_date(h: &SyncHandle, what: &str) {
    let s = h
        .wait_for(Duration::from_secs(20), |s| *s == SyncStatus::UpToDate)
        .await;
    assert_eq!(
        s,
        Some(SyncStatus::UpToDate),
        "{what}: status now {:?}",
        *h.status().borrow()
    );
}

/// A message an [`SmtpCatcher`] took: its envelope and its text as sent.
#[derive(Debug, Clone)]
pub struct Caught {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Caught {
    /// The body of a single-part message sent in base64, decoded.
    pub fn text(&self) -> String {
        use base64::Engine as _;
        let (_, body) = self
            .data
            .split_once("\r\n\r\n")
            .expect("a message has headers and a body");
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .expect("a base64 body");
        String::from_utf8(bytes).expect("UTF-8")
    }
}

/// A local SMTP server that takes every message and keeps it: the mail
/// relay the tests give the server. It speaks enough of RFC 5321 for a
/// client that needs no TLS or authentication.
#[derive(Debug)]
pub struct SmtpCatcher {
    pub addr: String,
    caught: std::sync::Arc<std::sync::Mutex<Vec<Caught>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpCatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpCatcher {
    pub async fn start() -> SmtpCatcher {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let addr = listener.local_addr().expect("addr").to_string();
        let caught = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = caught.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let _ = smtp_session(socket, &kept).await;
                });
            }
        });
        SmtpCatcher { addr, caught, task }
    }

    /// The messages taken so far.
    pub fn messages(&self) -> Vec<Caught> {
        self.caught.lock().expect("lock").clone()
    }

    /// Waits (at most a minute) until `n` messages have come.
    pub async fn wait_for(&self, n: usize) -> Vec<Caught> {
        for _ in 0..600 {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{n} message(s) expected, {} came", self.messages().len());
    }
}

async fn smtp_session(
    socket: tokio::net::TcpStream,
    kept: &std::sync::Mutex<Vec<Caught>>,
) -> std::io::Result<()> {
    use tokio::io::AsyncBufReadExt as _;
    let (read, mut write) = socket.into_split();
    let mut lines = tokio::io::BufReader::new(read);
    let mut line = String::new();
    let mut from = String::new();
    let mut to = Vec::new();
    write.write_all(b"220 catcher ESMTP\r\n").await?;
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-catcher\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" | "RSET" | "NOOP" => b"250 ok\r\n",
            "MAIL" => {
                from = address(&line);
                to.clear();
                b"250 ok\r\n"
            }
            "RCPT" => {
                to.push(address(&line));
                b"250 ok\r\n"
            }
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                kept.lock().expect("lock").push(Caught {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                b"250 kept\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not here\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The address between `<` and `>` of a MAIL or RCPT command.
fn address(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_string())
        .unwrap_or_default()
}
