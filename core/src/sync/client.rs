//! The device's side of the protocol.

use std::collections::{BTreeMap, BTreeSet};

use automerge::sync::{Message, State, SyncDoc};
use serde::Serialize;

use super::{DocId, Docs, Frame, fresh_session, next_message, peer_has_all};

/// What the runtime must do after feeding the client an event. Persist
/// effects come before the sends that depend on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEffect {
    Send(Frame),
    /// A document received changes: store it.
    Store(DocId),
    /// The server holds every local change to this document: it is no
    /// longer dirty.
    Acknowledged(DocId),
    /// Everything up to this server sequence has arrived: store the cursor.
    Cursor(u64),
    /// The server refused the device's changes to a document.
    Rejected {
        doc: DocId,
        reason: String,
    },
    /// The server reported a problem with a frame.
    ServerError(String),
    Progress(Progress),
}

/// Sync progress for the UI: "syncing done of total".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// The client state machine. Its durable parts (cursor, dirty set, sync
/// states) are read back with [`Client::cursor`], [`Client::dirty`] and
/// [`Client::sync_state`] so the runtime can persist them.
#[derive(Debug, Default)]
pub struct Client {
    cursor: u64,
    dirty: BTreeSet<DocId>,
    states: BTreeMap<DocId, State>,
    session: Option<Session>,
}

#[derive(Debug, Default)]
struct Session {
    welcomed: bool,
    /// Documents this session still has to bring in line, and how many it started with.
    pending: BTreeSet<DocId>,
    total: usize,
}

impl Client {
    /// A client restored from storage.
    pub fn new(
        cursor: u64,
        dirty: impl IntoIterator<Item = DocId>,
        states: impl IntoIterator<Item = (DocId, Vec<u8>)>,
    ) -> Client {
        Client {
            cursor,
            dirty: dirty.into_iter().collect(),
            states: states
                .into_iter()
                .map(|(id, bytes)| (id, State::decode(&bytes).unwrap_or_default()))
                .collect(),
            session: None,
        }
    }

    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    pub fn dirty(&self) -> impl Iterator<Item = &DocId> {
        self.dirty.iter()
    }

    /// The persistable sync state of a document.
    pub fn sync_state(&self, doc: &str) -> Option<Vec<u8>> {
        self.states.get(doc).map(State::encode)
    }

    pub fn is_connected(&self) -> bool {
        self.session.is_some()
    }

    /// Starts a session on a new connection: the frame to send first.
    pub fn connect(&mut self) -> Frame {
        for state in self.states.values_mut() {
            *state = fresh_session(state);
        }
        self.session = Some(Session::default());
        Frame::Hello {
            cursor: self.cursor,
            dirty: self.dirty.iter().cloned().collect(),
        }
    }

    /// The connection is gone; frames in flight are lost.
    pub fn disconnect(&mut self) {
        self.session = None;
    }

    /// Records a local change; when online, starts sending it.
    pub fn local_change(&mut self, doc: &str, docs: &mut dyn Docs) -> Vec<ClientEffect> {
        self.dirty.insert(doc.to_string());
        let mut out = Vec::new();
        if self.session.as_ref().is_some_and(|s| s.welcomed) {
            if let Some(s) = self.session.as_mut()
                && s.pending.insert(doc.to_string())
            {
                s.total += 1;
            }
            self.send_next(doc, docs, &mut out);
        }
        out
    }

    /// Handles a frame from the server.
    pub fn receive(&mut self, frame: Frame, docs: &mut dyn Docs) -> Vec<ClientEffect> {
        let mut out = Vec::new();
        if self.session.is_none() {
            return out;
        }
        match frame {
            Frame::Welcome { changed, seq } => {
                let mut pending: BTreeSet<DocId> = changed.into_iter().collect();
                pending.extend(self.dirty.iter().cloned());
                if let Some(s) = self.session.as_mut() {
                    s.welcomed = true;
                    s.total = pending.len();
                    s.pending = pending.clone();
                }
                out.push(self.progress());
                // The server opens the documents it announced; the client opens the ones it changed.
                for doc in &self.dirty.clone() {
                    self.send_next(doc, docs, &mut out);
                }
                if pending.is_empty() && seq > self.cursor {
                    self.cursor = seq;
                    out.push(ClientEffect::Cursor(seq));
                }
            }
            Frame::Sync { doc, message } => self.receive_sync(&doc, &message, docs, &mut out),
            Frame::UpToDate { seq } => {
                if seq > self.cursor {
                    self.cursor = seq;
                    out.push(ClientEffect::Cursor(seq));
                }
            }
            Frame::Rejected { doc, reason } => {
                self.finish(&doc, &mut out);
                out.push(ClientEffect::Rejected { doc, reason });
            }
            Frame::Error { message, .. } => out.push(ClientEffect::ServerError(message)),
            Frame::Hello { .. } => {}
        }
        out
    }

    fn receive_sync(
        &mut self,
        id: &str,
        message: &[u8],
        docs: &mut dyn Docs,
        out: &mut Vec<ClientEffect>,
    ) {
        let Ok(message) = Message::decode(message) else {
            out.push(ClientEffect::ServerError(format!(
                "unreadable sync message for {id}"
            )));
            return;
        };
        let doc = docs.doc_mut(id);
        let state = self.states.entry(id.to_string()).or_default();
        let before = doc.get_heads();
        if doc.sync().receive_sync_message(state, message).is_err() {
            out.push(ClientEffect::ServerError(format!(
                "sync message for {id} could not be applied"
            )));
            return;
        }
        if doc.get_heads() != before {
            out.push(ClientEffect::Store(id.to_string()));
        }
        if let Some(s) = self.session.as_mut()
            && s.pending.insert(id.to_string())
        {
            s.total += 1;
        }
        self.send_next(id, docs, out);
    }

    /// Sends the next sync message for `id`, or notes the document as done.
    fn send_next(&mut self, id: &str, docs: &mut dyn Docs, out: &mut Vec<ClientEffect>) {
        let doc = docs.doc_mut(id);
        let state = self.states.entry(id.to_string()).or_default();
        if let Some(message) = next_message(doc, state) {
            out.push(ClientEffect::Send(Frame::Sync {
                doc: id.to_string(),
                message,
            }));
        }
        // The peer reported holding every head we have: done, even if one
        // last message still tells it our heads.
        if peer_has_all(doc, state) {
            if self.dirty.remove(id) {
                out.push(ClientEffect::Acknowledged(id.to_string()));
            }
            self.finish(id, out);
        }
    }

    fn finish(&mut self, id: &str, out: &mut Vec<ClientEffect>) {
        if self.session.as_mut().is_some_and(|s| s.pending.remove(id)) {
            out.push(self.progress());
        }
    }

    fn progress(&self) -> ClientEffect {
        let (done, total) = self
            .session
            .as_ref()
            .map_or((0, 0), |s| (s.total - s.pending.len(), s.total));
        ClientEffect::Progress(Progress { done, total })
    }
}
