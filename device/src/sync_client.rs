//! The sync client: a tokio task that connects to the server whenever it
//! can, runs the core [`Client`] over the WebSocket with documents from the
//! [`DeviceStore`], backs off exponentially with jitter when the network is
//! gone, and reports its state for the UI.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use automerge::{AutoCommit, ChangeHash};
use fieldcheck_core::sync::{Client, ClientEffect, Docs, Frame, decode, encode};
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::media::{FileProgress, MediaError, Uploader};
use crate::net::Tls;
use crate::store::{DeviceStore, StoreError};

/// What the sync indicator shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncStatus {
    /// Not connected; the reason when there is one.
    Offline(Option<String>),
    Connecting,
    Syncing {
        done: usize,
        total: usize,
    },
    UpToDate,
    /// The server refused something that needs the user: sign in again,
    /// or a record's changes were rejected.
    Error(String),
}

/// What the media indicator shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaStatus {
    /// Files the server does not have yet.
    pub pending: usize,
    /// The file going up now.
    pub current: Option<FileProgress>,
    /// Why the last round stopped or what the server refused, if anything.
    pub problem: Option<String>,
}

/// Bytes of sync frames each way since the client started: what syncing
/// costs on a metered connection.
#[derive(Debug, Default)]
pub struct Traffic {
    sent: AtomicU64,
    received: AtomicU64,
}

impl Traffic {
    /// `(sent, received)`.
    pub fn get(&self) -> (u64, u64) {
        (
            self.sent.load(Ordering::Relaxed),
            self.received.load(Ordering::Relaxed),
        )
    }

    fn count(counter: &AtomicU64, bytes: usize) {
        counter.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// Where and as whom to sync.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// `ws://host:port/sync`.
    pub url: String,
    pub token: String,
    /// Whom to trust on `wss://` and `https://`.
    pub tls: Tls,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl SyncConfig {
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> SyncConfig {
        SyncConfig {
            url: url.into(),
            token: token.into(),
            tls: Tls::platform(),
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
        }
    }

    /// The server's HTTP address, from the WebSocket URL: `ws://h:p/sync`
    /// becomes `http://h:p`.
    pub fn http_base(&self) -> String {
        let url = self.url.trim_end_matches('/');
        let url = url.strip_suffix("/sync").unwrap_or(url);
        if let Some(rest) = url.strip_prefix("wss://") {
            format!("https://{rest}")
        } else if let Some(rest) = url.strip_prefix("ws://") {
            format!("http://{rest}")
        } else {
            url.to_string()
        }
    }
}

enum Command {
    LocalChange(String),
    Discard(String),
    SyncNow,
    Stop,
}

/// The running client: the document sync and, beside it, the media uploads.
#[derive(Debug)]
pub struct SyncHandle {
    status: watch::Receiver<SyncStatus>,
    commands: mpsc::UnboundedSender<Command>,
    task: JoinHandle<()>,
    media_status: watch::Receiver<MediaStatus>,
    media_commands: mpsc::UnboundedSender<Command>,
    media_task: JoinHandle<()>,
    traffic: Arc<Traffic>,
}

impl SyncHandle {
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// A document was saved locally: send it when connected.
    pub fn local_change(&self, doc_id: &str) {
        let _ = self.commands.send(Command::LocalChange(doc_id.to_string()));
    }

    /// Bytes of sync frames sent and received so far.
    pub fn traffic(&self) -> (u64, u64) {
        self.traffic.get()
    }

    pub fn media_status(&self) -> watch::Receiver<MediaStatus> {
        self.media_status.clone()
    }

    /// A media file was stored locally: upload it when connected.
    pub fn media_added(&self) {
        let _ = self.media_commands.send(Command::SyncNow);
    }

    /// Throws away the device's copy of a document whose changes the server
    /// refused and fetches the server's copy again.
    pub fn discard_local(&self, doc_id: &str) {
        let _ = self.commands.send(Command::Discard(doc_id.to_string()));
    }

    /// Try now instead of waiting out the back-off.
    pub fn sync_now(&self) {
        let _ = self.commands.send(Command::SyncNow);
        let _ = self.media_commands.send(Command::SyncNow);
    }

    pub async fn stop(self) {
        let _ = self.commands.send(Command::Stop);
        let _ = self.media_commands.send(Command::Stop);
        let _ = self.task.await;
        let _ = self.media_task.await;
    }

    /// Waits until the status satisfies `pred` or `timeout` passes.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        pred: impl Fn(&SyncStatus) -> bool,
    ) -> Option<SyncStatus> {
        let mut rx = self.status.clone();
        tokio::time::timeout(timeout, async {
            loop {
                let now = rx.borrow_and_update().clone();
                if pred(&now) {
                    return now;
                }
                if rx.changed().await.is_err() {
                    return now;
                }
            }
        })
        .await
        .ok()
    }
}

/// Starts the client task.
pub fn spawn(store: DeviceStore, config: SyncConfig) -> SyncHandle {
    let (status_tx, status) = watch::channel(SyncStatus::Offline(None));
    let (commands, rx) = mpsc::unbounded_channel();
    let (media_tx, media_status) = watch::channel(MediaStatus::default());
    let (media_commands, media_rx) = mpsc::unbounded_channel();
    let media_task = tokio::spawn(upload_media(
        store.clone(),
        config.clone(),
        media_tx,
        media_rx,
    ));
    let traffic = Arc::new(Traffic::default());
    let task = tokio::spawn(run(store, config, status_tx, rx, traffic.clone()));
    SyncHandle {
        status,
        commands,
        task,
        media_status,
        media_commands,
        media_task,
        traffic,
    }
}

/// Documents the session has in memory, with the heads last written to the
/// store and the number of the last chunk of each read from it.
#[derive(Default)]
struct Loaded {
    docs: HashMap<String, AutoCommit>,
    saved_heads: HashMap<String, Vec<ChangeHash>>,
    read: HashMap<String, i64>,
}

impl Docs for Loaded {
    fn doc_mut(&mut self, id: &str) -> &mut AutoCommit {
        self.docs.entry(id.to_string()).or_default()
    }
}

impl Loaded {
    async fn ensure(&mut self, store: &DeviceStore, id: &str) -> Result<(), StoreError> {
        if !self.docs.contains_key(id) {
            self.reload(store, id).await?;
        }
        Ok(())
    }

    /// Reads what the store has of `id` that the session has not read yet
    /// (all of it, the first time): after the app saved an edit, that is
    /// the edit's chunk, not the whole document.
    async fn reload(&mut self, store: &DeviceStore, id: &str) -> Result<(), StoreError> {
        let after = self.read.get(id).copied().unwrap_or(0);
        let (bytes, last) = store.chunks_after(id, after).await?;
        let corrupt = |e| StoreError::Corrupt(id.to_string(), Box::new(e));
        let doc = match self.docs.get_mut(id) {
            Some(doc) => {
                doc.load_incremental(&bytes).map_err(corrupt)?;
                doc
            }
            None => {
                let doc = AutoCommit::load(&bytes).map_err(corrupt)?;
                self.docs.entry(id.to_string()).or_insert(doc)
            }
        };
        self.saved_heads.insert(id.to_string(), doc.get_heads());
        self.read.insert(id.to_string(), last);
        Ok(())
    }
}

/// Why a sync session ended early; shown to the user as the reason the
/// device is offline.
#[derive(Debug, thiserror::Error)]
enum Lost {
    /// The server refused the token: signing in again is the fix.
    #[error("the server did not accept the token")]
    Unauthorized,
    #[error("the token is not valid text")]
    BadToken,
    /// TLS, in words a user can act on (`net::explain_tls`).
    #[error("{0}")]
    Tls(String),
    #[error("{0}")]
    Network(#[from] tungstenite::Error),
    #[error("the server closed the connection")]
    Closed,
    #[error("the server sent what is not a frame: {0}")]
    Frame(#[from] fieldcheck_core::sync::FrameError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

enum End {
    Stopped,
    Lost(Lost),
    /// Reconnect at once: the store changed under the session.
    Resync,
}

async fn run(
    store: DeviceStore,
    config: SyncConfig,
    status: watch::Sender<SyncStatus>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    traffic: Arc<Traffic>,
) {
    let mut delay = config.min_backoff;
    loop {
        let _ = status.send(SyncStatus::Connecting);
        let session = session(
            &store,
            &config,
            &status,
            &mut commands,
            &mut delay,
            &traffic,
        );
        match session.await {
            End::Stopped => return,
            End::Resync => continue,
            End::Lost(reason) => {
                if !matches!(*status.borrow(), SyncStatus::Error(_)) {
                    let _ = status.send(SyncStatus::Offline(Some(reason.to_string())));
                }
            }
        }
        let wait = jitter(delay);
        delay = (delay * 2).min(config.max_backoff);
        let deadline = tokio::time::sleep(wait);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => break,
                cmd = commands.recv() => match cmd {
                    None | Some(Command::Stop) => return,
                    Some(Command::SyncNow) => {
                        delay = config.min_backoff;
                        break;
                    }
                    Some(Command::Discard(id)) => discard(&store, &status, &id).await,
                    // Saved in the store already; sent on the next connection.
                    Some(Command::LocalChange(_)) => {}
                },
            }
        }
    }
}

/// The media task: uploads what is pending whenever it can, backing off
/// like the sync when the network is gone, then waits for new files.
async fn upload_media(
    store: DeviceStore,
    config: SyncConfig,
    status: watch::Sender<MediaStatus>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let http = match config.tls.http(None) {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client: media will not upload");
            return;
        }
    };
    let uploader = Uploader::new(http, config.http_base(), &config.token);
    let mut delay = config.min_backoff;
    loop {
        let pending = store.pending_media().await.map(|p| p.len());
        status.send_modify(|s| {
            s.pending = pending.as_ref().map_or(s.pending, |n| *n);
            s.current = None;
        });
        let mut wait = None;
        if pending.as_ref().is_ok_and(|n| *n > 0) {
            let round = uploader
                .upload_pending(&store, |_, p| {
                    status.send_modify(|s| s.current = Some(p));
                })
                .await;
            match round {
                Ok(report) => {
                    delay = config.min_backoff;
                    let problem = report.refused.first().map(|(_, why)| why.clone());
                    status.send_modify(|s| s.problem = problem);
                    if report.uploaded > 0 {
                        continue;
                    }
                }
                Err(e) => {
                    let retry = matches!(e, MediaError::Network(_));
                    status.send_modify(|s| {
                        s.current = None;
                        s.problem = Some(e.to_string());
                    });
                    if retry {
                        wait = Some(jitter(delay));
                        delay = (delay * 2).min(config.max_backoff);
                    }
                }
            }
        } else if let Err(e) = pending {
            status.send_modify(|s| s.problem = Some(e.to_string()));
        }
        let retry = async {
            match wait {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = retry => {}
            cmd = commands.recv() => match cmd {
                None | Some(Command::Stop) => return,
                Some(_) => delay = config.min_backoff,
            },
        }
    }
}

/// 75%..125% of `d`, so that devices reconnecting after an outage spread out.
fn jitter(d: Duration) -> Duration {
    let mut b = [0u8; 2];
    let r = if getrandom::fill(&mut b).is_ok() {
        u16::from_le_bytes(b)
    } else {
        u16::MAX / 2
    };
    d.mul_f64(0.75 + 0.5 * f64::from(r) / f64::from(u16::MAX))
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(config: &SyncConfig) -> Result<Ws, Lost> {
    let mut req = tungstenite::client::IntoClientRequest::into_client_request(config.url.as_str())?;
    let auth = format!("Bearer {}", config.token)
        .parse()
        .map_err(|_| Lost::BadToken)?;
    req.headers_mut().insert("Authorization", auth);
    let tls = Some(config.tls.connector());
    match tokio_tungstenite::connect_async_tls_with_config(req, None, true, tls).await {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::Error::Http(r)) if r.status() == 401 => Err(Lost::Unauthorized),
        Err(tungstenite::Error::Tls(e)) => Err(Lost::Tls(crate::net::explain_tls(&e))),
        Err(e) => Err(e.into()),
    }
}

async fn session(
    store: &DeviceStore,
    config: &SyncConfig,
    status: &watch::Sender<SyncStatus>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    delay: &mut Duration,
    traffic: &Traffic,
) -> End {
    let ws = match connect(config).await {
        Ok(ws) => ws,
        Err(reason @ Lost::Unauthorized) => {
            let _ = status.send(SyncStatus::Error(
                "sign in again: the server did not accept the token".into(),
            ));
            return End::Lost(reason);
        }
        Err(reason) => return End::Lost(reason),
    };
    *delay = config.min_backoff;
    let mut ws = Counted { ws, traffic };
    let result = drive(store, status, commands, &mut ws).await;
    let _ = ws.ws.close(None).await;
    match result {
        Ok(end) => end,
        Err(e) => End::Lost(e),
    }
}

async fn drive(
    store: &DeviceStore,
    status: &watch::Sender<SyncStatus>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    ws: &mut Counted<'_>,
) -> Result<End, Lost> {
    let dirty = store.dirty().await?;
    let mut client = Client::new(
        store.cursor().await?,
        dirty.clone(),
        store.sync_states().await?,
    );
    let mut loaded = Loaded::default();
    for id in &dirty {
        loaded.ensure(store, id).await?;
    }
    send(ws, &client.connect()).await?;
    loop {
        let effects = tokio::select! {
            msg = ws.ws.next() => {
                let (effects, end) = take_batch(msg, ws, store, &mut client, &mut loaded).await?;
                if let Some(end) = end {
                    apply(store, status, ws, &mut client, &mut loaded, effects).await?;
                    return end;
                }
                effects
            }
            cmd = commands.recv() => match cmd {
                None | Some(Command::Stop) => return Ok(End::Stopped),
                Some(Command::SyncNow) => continue,
                Some(Command::Discard(id)) => {
                    // The session holds this document's sync state; start afresh.
                    discard(store, status, &id).await;
                    return Ok(End::Resync);
                }
                Some(Command::LocalChange(id)) => {
                    // The app wrote the change to the store; take it from there.
                    loaded.reload(store, &id).await?;
                    client.local_change(&id, &mut loaded)
                }
            },
        };
        apply(store, status, ws, &mut client, &mut loaded, effects).await?;
    }
}

/// Takes `first` and the frames already waiting behind it (up to
/// [`MAX_BATCH`] effects), so that what they change is written down in one
/// transaction; with how the session ends if the connection did.
async fn take_batch(
    first: Option<Result<Message, tungstenite::Error>>,
    ws: &mut Counted<'_>,
    store: &DeviceStore,
    client: &mut Client,
    loaded: &mut Loaded,
) -> Result<(Vec<ClientEffect>, Option<Result<End, Lost>>), Lost> {
    let mut effects = Vec::new();
    let mut next = first;
    loop {
        match next {
            Some(Ok(Message::Binary(bytes))) => {
                Traffic::count(&ws.traffic.received, bytes.len());
                let frame = decode(&bytes)?;
                if let Frame::Sync { doc, .. } = &frame {
                    loaded.ensure(store, doc).await?;
                }
                effects.extend(client.receive(frame, loaded));
            }
            Some(Ok(Message::Close(_))) | None => {
                return Ok((effects, Some(Ok(End::Lost(Lost::Closed)))));
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Ok((effects, Some(Err(Lost::from(e))))),
        }
        if effects.len() >= MAX_BATCH {
            return Ok((effects, None));
        }
        match ws.ws.next().now_or_never() {
            Some(m) => next = m,
            None => return Ok((effects, None)),
        }
    }
}

/// Effects handled together at most, from frames that arrived together.
const MAX_BATCH: usize = 512;

async fn apply(
    store: &DeviceStore,
    status: &watch::Sender<SyncStatus>,
    ws: &mut Counted<'_>,
    client: &mut Client,
    loaded: &mut Loaded,
    effects: Vec<ClientEffect>,
) -> Result<(), Lost> {
    let mut touched = Vec::new();
    let mut acknowledged = Vec::new();
    let mut cursor = None;
    // Shown once what it says is written down.
    let mut shown = None;
    for e in effects {
        match e {
            ClientEffect::Send(f) => {
                if let Frame::Sync { doc, .. } = &f {
                    touched.push(doc.clone());
                }
                send(ws, &f).await?;
            }
            ClientEffect::Store(id) => {
                let before = loaded.saved_heads.get(&id).cloned().unwrap_or_default();
                let doc = loaded.doc_mut(&id);
                store.save(&id, doc, &before, false).await?;
                let heads = doc.get_heads();
                loaded.saved_heads.insert(id.clone(), heads);
                touched.push(id);
            }
            ClientEffect::Acknowledged(id) => acknowledged.push(id),
            ClientEffect::Cursor(seq) => {
                cursor = Some(seq);
                if client.dirty().next().is_none() {
                    shown = Some(SyncStatus::UpToDate);
                }
            }
            ClientEffect::Progress(p) => {
                shown = Some(if p.done == p.total {
                    SyncStatus::UpToDate
                } else {
                    SyncStatus::Syncing {
                        done: p.done,
                        total: p.total,
                    }
                });
            }
            ClientEffect::Rejected { doc, reason } => {
                tracing::warn!(doc, reason, "the server refused changes");
                store.rejected(&doc, &reason).await?;
                shown = Some(SyncStatus::Error(format!("{doc}: {reason}")));
            }
            ClientEffect::ServerError(m) => tracing::warn!(message = m, "server reported an error"),
        }
    }
    // What the server took, the sync states and the cursor, in one
    // transaction: the documents received are stored above already.
    touched.sort();
    touched.dedup();
    let states: Vec<(String, Vec<u8>)> = touched
        .into_iter()
        .filter_map(|id| client.sync_state(&id).map(|s| (id, s)))
        .collect();
    store.progress(&acknowledged, &states, cursor).await?;
    if let Some(s) = shown {
        let _ = status.send(s);
    }
    Ok(())
}

async fn discard(store: &DeviceStore, status: &watch::Sender<SyncStatus>, id: &str) {
    if let Err(e) = store.discard_local(id).await {
        let _ = status.send(SyncStatus::Error(e.to_string()));
    }
}

/// The connection, counting the bytes of frames both ways.
struct Counted<'a> {
    ws: Ws,
    traffic: &'a Traffic,
}

async fn send(ws: &mut Counted<'_>, frame: &Frame) -> Result<(), Lost> {
    let bytes = encode(frame);
    Traffic::count(&ws.traffic.sent, bytes.len());
    Ok(ws.ws.send(Message::Binary(bytes.into())).await?)
}
