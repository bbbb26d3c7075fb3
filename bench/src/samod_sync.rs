//! The same workload through samod 0.16 (the Rust automerge-repo), for
//! comparison: a samod server in its own process (axum WebSocket acceptor,
//! filesystem storage), devices as samod repos dialling it over the same
//! loopback WebSocket client the Fieldcheck devices use.
//!
//! What samod does not do and Fieldcheck does, so the comparison favours
//! samod: sign-in, access control, checking each change against the record
//! rules, and committing to a database before acknowledging.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use automerge::AutoCommit;
use automerge::ReadDoc;
use automerge::transaction::Transactable;
use futures_util::future::BoxFuture;
use futures_util::{SinkExt, StreamExt};
use samod::{BackoffConfig, DialError, Dialer, DocHandle, Repo, Transport, Url};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::{Measured, ServerProcess};

/// Bytes of samod messages each way on one device's connections, and when
/// the last one arrived.
#[derive(Debug)]
struct Counters {
    sent: AtomicUsize,
    received: AtomicUsize,
    /// Microseconds from `since` to the last message received.
    last_received_us: AtomicU64,
    since: Instant,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            sent: AtomicUsize::new(0),
            received: AtomicUsize::new(0),
            last_received_us: AtomicU64::new(0),
            since: Instant::now(),
        }
    }
}

impl Counters {
    fn get(&self) -> (usize, usize) {
        (
            self.sent.load(Ordering::Relaxed),
            self.received.load(Ordering::Relaxed),
        )
    }

    fn note_received(&self, bytes: usize) {
        self.received.fetch_add(bytes, Ordering::Relaxed);
        let us = u64::try_from(self.since.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.last_received_us.store(us, Ordering::Relaxed);
    }

    /// When the last message arrived (`since` if none has).
    fn last_received(&self) -> Instant {
        self.since + Duration::from_micros(self.last_received_us.load(Ordering::Relaxed))
    }
}

/// Dials the server with tokio-tungstenite, counting message bytes.
#[derive(Debug)]
struct WsDialer {
    url: Url,
    counters: Arc<Counters>,
}

impl Dialer for WsDialer {
    type Error = tungstenite::Error;

    fn url(&self) -> Url {
        self.url.clone()
    }

    fn connect(&self) -> BoxFuture<'static, Result<Transport, DialError<Self::Error>>> {
        let (url, counters) = (self.url.clone(), self.counters.clone());
        Box::pin(async move {
            // Nagle's algorithm off, as on the Fieldcheck devices.
            let (ws, _) = tokio_tungstenite::connect_async_with_config(url.as_str(), None, true)
                .await
                .map_err(DialError::transient)?;
            let (sink, stream) = ws.split();
            let received = counters.clone();
            let stream = stream.filter_map(move |m| {
                let received = received.clone();
                async move {
                    match m {
                        Ok(Message::Binary(b)) => {
                            received.note_received(b.len());
                            Some(Ok(b.to_vec()))
                        }
                        Ok(_) => None,
                        Err(e) => Some(Err(e)),
                    }
                }
            });
            let sink = sink.with(move |b: Vec<u8>| {
                counters.sent.fetch_add(b.len(), Ordering::Relaxed);
                futures_util::future::ready(Ok::<_, tungstenite::Error>(Message::Binary(b.into())))
            });
            Ok(Transport::new(Box::pin(stream), Box::pin(sink)))
        })
    }
}

/// `fieldcheck-bench samod-server DIR`: a samod sync server on port 0 that
/// prints its address like `fieldcheck-server serve` does.
pub async fn serve(data: &std::path::Path) -> anyhow::Result<()> {
    let repo = Repo::build_tokio()
        .with_storage(samod::storage::TokioFilesystemStorage::new(data))
        .load()
        .await;
    let acceptor = repo.make_acceptor(Url::parse("ws://127.0.0.1/sync")?)?;
    let app = axum::Router::new().route(
        "/sync",
        axum::routing::get(move |ws: axum::extract::WebSocketUpgrade| {
            let acceptor = acceptor.clone();
            async move {
                ws.on_upgrade(move |socket| async move {
                    if let Err(e) = acceptor.accept_axum(socket, None) {
                        eprintln!("samod refused a connection: {e:?}");
                    }
                })
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on http://{}", listener.local_addr()?);
    // Nagle's algorithm off, as on the Fieldcheck server (and in Node's `ws`).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await?;
    Ok(())
}

struct SamodDevice {
    repo: Repo,
    handles: Vec<DocHandle>,
    counters: Arc<Counters>,
}

type Dial = samod::DialerHandle<tungstenite::Error>;

impl SamodDevice {
    /// Connects, counting this connection's bytes afresh.
    async fn dial(&mut self, url: &Url) -> anyhow::Result<(Dial, samod::ConnectionId)> {
        self.counters = Arc::default();
        let dialer = Arc::new(WsDialer {
            url: url.clone(),
            counters: self.counters.clone(),
        });
        let dial = self.repo.dial(BackoffConfig::default(), dialer)?;
        dial.established()
            .await
            .map_err(|e| anyhow::anyhow!("samod dial: {e}"))?;
        let conn = dial.connection_id().context("connected")?;
        Ok((dial, conn))
    }

    /// Waits until the server has said it has every document of this device.
    async fn confirmed(&self, conn: samod::ConnectionId) {
        futures_util::future::join_all(self.handles.iter().map(|h| h.they_have_our_changes(conn)))
            .await;
    }

    /// Connects and waits until the server has every document of this device.
    async fn sync(&mut self, url: &Url) -> anyhow::Result<Dial> {
        let (dial, conn) = self.dial(url).await?;
        // A server that drops the connection (the Node one cuts peers whose
        // ping replies lag while it is busy) would leave this waiting for
        // ever: ten minutes is a failure.
        tokio::time::timeout(Duration::from_secs(600), self.confirmed(conn))
            .await
            .context("the server did not take every document within ten minutes")?;
        Ok(dial)
    }
}

/// Waits until a device's connection has been quiet for `quiet`.
async fn settle(counters: &Counters, quiet: Duration) {
    let mut last = counters.get();
    loop {
        tokio::time::sleep(quiet).await;
        let now = counters.get();
        if now == last {
            return;
        }
        last = now;
    }
}

/// Runs the workload against an automerge-repo server process: samod's, or
/// the JavaScript one (the protocol is the same).
pub async fn run(
    srv: &ServerProcess,
    dir: &std::path::Path,
    fleet: Vec<Vec<(String, AutoCommit)>>,
) -> anyhow::Result<Measured> {
    let url = Url::parse(&format!("ws://{}/sync", srv.addr))?;
    // Each device keeps its documents in files, as a samod app would.
    let repo_in = async |name: &str| {
        Repo::build_tokio()
            .with_storage(samod::storage::TokioFilesystemStorage::new(dir.join(name)))
            .load()
            .await
    };
    let mut devices = Vec::new();
    for (d, docs) in fleet.into_iter().enumerate() {
        let repo = repo_in(&format!("device{d}")).await;
        let mut handles = Vec::new();
        for (_, mut doc) in docs {
            handles.push(repo.create(doc.document().clone()).await?);
        }
        devices.push(SamodDevice {
            repo,
            handles,
            counters: Arc::default(),
        });
    }

    // 1. Initial sync, all devices at once.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut dev in devices {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let dial = dev.sync(&url).await?;
            let done = Instant::now();
            settle(&dev.counters, Duration::from_millis(300)).await;
            anyhow::Ok((dev, dial, done))
        }));
    }
    let mut devices = Vec::new();
    let mut last = started;
    for t in tasks {
        let (dev, dial, done) = t.await??;
        last = last.max(done);
        devices.push((dev, dial));
    }
    let initial = last - started;
    let (sent, received) = devices.iter().fold((0, 0), |(s, r), (d, _)| {
        let (ds, dr) = d.counters.get();
        (s + ds, r + dr)
    });

    // 2. Reconnect with nothing new: samod has no changes feed, so it
    // compares every document again. samod's server answers every
    // document's sync message with its heads, which is what the device
    // waits for. The JavaScript server still holds its sync state with this
    // peer from the first connection (the peer id is the same), finds they
    // are in sync and answers nothing, so a device cannot tell when it is up
    // to date: there the reconnect is timed to the last frame the server
    // sent, once the line has been quiet for a second.
    let (mut dev, dial) = devices.remove(0);
    dial.close();
    drop(devices);
    let t0 = Instant::now();
    let (dial, conn) = dev.dial(&url).await?;
    let confirmed = tokio::select! {
        () = dev.confirmed(conn) => Some(Instant::now()),
        () = settle(&dev.counters, Duration::from_secs(1)) => None,
    };
    let reconnect = confirmed.unwrap_or_else(|| dev.counters.last_received().max(t0)) - t0;
    settle(&dev.counters, Duration::from_millis(300)).await;
    let reconnect_bytes = dev.counters.get();

    // 3. One edit reaches a manager's repo that has the document open.
    let manager = repo_in("manager").await;
    let mdial = manager.dial(
        BackoffConfig::default(),
        Arc::new(WsDialer {
            url: url.clone(),
            counters: Arc::default(),
        }),
    )?;
    mdial
        .established()
        .await
        .map_err(|e| anyhow::anyhow!("samod dial: {e}"))?;
    let target = dev.handles.first().context("a document")?.clone();
    let seen = manager
        .find(target.document_id().clone())
        .await?
        .context("the manager finds the document")?;
    let mut changes = seen.changes();
    let t1 = Instant::now();
    target
        .with_document(|d| {
            d.transact::<_, _, automerge::AutomergeError>(|tx| {
                // The same comment the Fieldcheck side writes.
                let comments = match tx.get(automerge::ROOT, "comments")? {
                    Some((_, id)) => id,
                    None => tx.put_object(automerge::ROOT, "comments", automerge::ObjType::Map)?,
                };
                let c = tx.put_object(&comments, "bench", automerge::ObjType::Map)?;
                tx.put(&c, "item", automerge::ScalarValue::Null)?;
                tx.put(&c, "text", crate::EDIT_COMMENT)?;
                tx.put(&c, "by", "inspector0")?;
                tx.put(&c, "at", 1_700_000_002_000_000_i64)?;
                Ok(())
            })
            .map(|_| ())
            .map_err(|f| f.error)
        })
        .map_err(|e| anyhow::anyhow!("edit: {e}"))?;
    tokio::time::timeout(Duration::from_secs(10), changes.next())
        .await
        .context("the edit reached the manager")?;
    let edit = t1.elapsed();
    dial.close();
    mdial.close();

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
