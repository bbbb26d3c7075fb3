//! A sync session: one WebSocket per device (opened by `http::sync`), frames
//! in and out, driving a [`ServerSession`]. Changes are stored before the replies that acknowledge
//! them are sent, and pushed to the other sessions that may see them.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::ws::{CloseFrame, Message, WebSocket, close_code};
use fieldcheck_core::records::gate::{not_permitted, rule};
use fieldcheck_core::sync::frame::{ErrorCode, MAX_FRAME_BYTES};
use fieldcheck_core::sync::{Frame, Refusal, ServerEffect, ServerSession, decode, encode};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::access::Principal;
use crate::access::may_see;
use crate::state::{AppState, Changed, HubEvent, now_ms};
use crate::store::docs;
use crate::sync::gate::{self, log_refusal};

static CONNECTIONS: AtomicU64 = AtomicU64::new(1);

/// The largest WebSocket message read at all. Frames between
/// [`MAX_FRAME_BYTES`] and this are read, refused with a `TooLarge` error
/// frame, and the session goes on; a message past this closes the
/// connection with 1009 (message too big), as it cannot be skipped unread.
pub const MAX_MESSAGE_BYTES: usize = 4 * MAX_FRAME_BYTES;

/// Document ids are plain words, so they cannot smuggle anything into logs,
/// notifications or paths.
fn valid_doc_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

/// A sync session on an upgraded WebSocket, for `who`, until either side
/// closes it.
pub async fn session(app: AppState, who: Principal, socket: WebSocket) {
    let conn = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
    // Subscribe before the first query of the changes feed, so nothing falls between.
    let mut changes = app.hub.subscribe();
    let (mut tx, mut rx) = socket.split();
    let mut s = ServerSession::new();
    tracing::info!(conn, user = %who.user_id, "sync session opened");
    loop {
        let frames = tokio::select! {
            msg = rx.next() => match msg {
                Some(Ok(Message::Binary(bytes))) => handle(&app, &who, &mut s, conn, &bytes).await,
                Some(Ok(Message::Text(_))) => vec![Frame::Error { code: ErrorCode::Malformed, message: "frames are binary".into() }],
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(_))) | None => break,
                Some(Err(e)) => {
                    // A peer gone without a close, or a message past
                    // MAX_MESSAGE_BYTES: say which limit, in case it listens.
                    tracing::info!(conn, user = %who.user_id, error = %e, "sync connection ended");
                    let close = CloseFrame {
                        code: close_code::SIZE,
                        reason: format!("messages are limited to {MAX_MESSAGE_BYTES} bytes").into(),
                    };
                    let _ = tx.send(Message::Close(Some(close))).await;
                    break;
                }
            },
            change = changes.recv() => match change {
                Ok(HubEvent::Changed(c)) if c.origin != conn && s.is_welcomed() && may_see(&who, &c.meta) => push(&app, &mut s, &c).await,
                Ok(HubEvent::Changed(_)) => continue,
                Ok(HubEvent::Resync) => break,
                // Missed changes cannot be told apart: the device reconnects with its cursor.
                Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => break,
            },
        };
        for f in frames {
            if let Frame::Error { code, message } = &f {
                tracing::warn!(conn, user = %who.user_id, code = ?code, message, "frame refused");
            }
            if tx.send(Message::Binary(encode(&f).into())).await.is_err() {
                tracing::info!(conn, "sync session lost");
                return;
            }
        }
    }
    tracing::info!(conn, user = %who.user_id, "sync session closed");
}

async fn push(app: &AppState, s: &mut ServerSession, c: &Changed) -> Vec<Frame> {
    match app.docs.lock(&c.meta.doc_id).await {
        Ok(mut doc) => s.doc_changed(&c.meta.doc_id, &mut doc, c.meta.seq as u64),
        Err(e) => {
            tracing::error!(error = %e, doc = %c.meta.doc_id, "cannot load a changed document");
            vec![]
        }
    }
}

fn internal(e: impl std::fmt::Display) -> Vec<Frame> {
    tracing::error!(error = %e, "sync frame failed");
    vec![Frame::Error {
        code: ErrorCode::Internal,
        message: "the server could not process this frame; try again".into(),
    }]
}

async fn handle(
    app: &AppState,
    who: &Principal,
    s: &mut ServerSession,
    conn: u64,
    bytes: &[u8],
) -> Vec<Frame> {
    let frame = match decode(bytes) {
        Ok(f) => f,
        Err(e) => return vec![e.reply()],
    };
    match frame {
        Frame::Hello { cursor, .. } => {
            let (metas, seq) = match app.storage.changed_since(cursor as i64).await {
                Ok(x) => x,
                Err(e) => return internal(e),
            };
            let visible: Vec<String> = metas
                .into_iter()
                .filter(|m| may_see(who, m))
                .map(|m| m.doc_id)
                .collect();
            let mut out = s.welcome(visible.clone(), seq as u64);
            // One document in hand at a time: opening a thousand does not hold a thousand.
            for id in visible {
                match app.docs.lock(&id).await {
                    Ok(mut doc) => out.extend(s.open(&id, &mut doc)),
                    Err(e) => return internal(e),
                }
            }
            out
        }
        Frame::Sync { doc: id, message } => {
            if !valid_doc_id(&id) {
                return vec![Frame::Error {
                    code: ErrorCode::Malformed,
                    message: "a document id is 1-128 letters, digits, `_`, `-`, `.` or `:`".into(),
                }];
            }
            match app.storage.doc_meta(&id).await {
                Ok(Some(m)) if !may_see(who, &m) => {
                    let refusal = Refusal {
                        rule: rule::NOT_PERMITTED,
                        path: None,
                        reason: not_permitted(),
                    };
                    log_refusal(&who.user_id, &id, &refusal, "sync");
                    return vec![Frame::Rejected {
                        doc: id,
                        reason: refusal.reason.text,
                    }];
                }
                Ok(_) => {}
                Err(e) => return internal(e),
            }
            let mut doc = match app.docs.lock(&id).await {
                Ok(d) => d,
                Err(e) => return internal(e),
            };
            let before = doc.get_heads();
            let mut out = Vec::new();
            let gate = match gate::for_record(&app.storage, &app.templates, who, &id).await {
                Ok(g) => g,
                Err(e) => return internal(e),
            };
            // Applying and checking changes is CPU work: off the async workers.
            let (session, held, doc_id) =
                (std::mem::take(s), std::mem::take(&mut *doc), id.clone());
            let work = tokio::task::spawn_blocking(move || {
                let (mut session, mut held) = (session, held);
                let effects = session.receive_sync(&doc_id, &message, &mut held, &gate);
                (session, held, effects)
            })
            .await;
            let effects = match work {
                Ok((session, held, effects)) => {
                    *s = session;
                    *doc = held;
                    effects
                }
                Err(e) => {
                    doc.discard();
                    return internal(e);
                }
            };
            for effect in effects {
                match effect {
                    ServerEffect::Refused { doc, refusal } => {
                        log_refusal(&who.user_id, &doc, &refusal, "sync");
                    }
                    ServerEffect::Store(id) => {
                        match docs::store(&app.storage, &id, &mut doc, &before, now_ms(), None)
                            .await
                        {
                            Ok(meta) => {
                                out.extend(s.stored(meta.seq as u64));
                                // Nobody listening is fine.
                                let _ = app
                                    .hub
                                    .send(HubEvent::Changed(Changed { meta, origin: conn }));
                            }
                            Err(e) => {
                                // Memory is ahead of storage: forget it, and acknowledge nothing.
                                doc.discard();
                                return internal(e);
                            }
                        }
                    }
                    ServerEffect::Send(f) => out.push(f),
                }
            }
            out
        }
        _ => vec![Frame::Error {
            code: ErrorCode::UnexpectedFrame,
            message: "only Hello and Sync frames go to the server".into(),
        }],
    }
}
