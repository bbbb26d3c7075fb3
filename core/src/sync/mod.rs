//! The sync protocol: a thin multi-document layer over Automerge's
//! per-document sync, as pure state machines (events in, effects out) shared
//! by the app and the server. See docs/protocol.md.
//!
//! Like CouchDB's changes feed, the server numbers accepted changes with a
//! sequence; a reconnecting device sends the last sequence it has fully
//! received and the documents it changed, and the server answers with the
//! documents changed since. A reconnect with nothing new is one round trip
//! of a few bytes, however many documents the device holds.

pub mod client;
pub mod frame;
pub mod screen;
pub mod server;
#[cfg(test)]
mod sim;

use automerge::AutoCommit;
use automerge::sync::{Message, State, SyncDoc};

pub use client::{Client, ClientEffect};
pub use frame::{ErrorCode, Frame, FrameError, decode, encode};
pub use server::{AllowAll, Gate, Refusal, ServerEffect, ServerSession};

/// A document's id (a record id, or the id of a reference-data document).
pub type DocId = String;

/// Where the engines find documents. A missing document is created empty:
/// the first sync message fills it.
pub trait Docs {
    fn doc_mut(&mut self, id: &str) -> &mut AutoCommit;
}

/// What to store of `doc`: the changes since `before`, or when that is all
/// of it (a document new to the store) the whole document in Automerge's
/// compressed save format, which loads several times faster than the same
/// changes chunk by chunk. Loading the chunks stored end to end gives the
/// document either way.
pub fn chunk_since(doc: &mut AutoCommit, before: &[automerge::ChangeHash]) -> Vec<u8> {
    if before.is_empty() {
        doc.save()
    } else {
        doc.save_after(before)
    }
}

/// Documents held in memory: for tests, tools and benchmarks.
#[derive(Debug, Default)]
pub struct MemoryDocs(pub std::collections::BTreeMap<DocId, AutoCommit>);

impl Docs for MemoryDocs {
    fn doc_mut(&mut self, id: &str) -> &mut AutoCommit {
        self.0.entry(id.to_string()).or_default()
    }
}

/// The next sync message for `doc`, encoded, if there is one to send.
fn next_message(doc: &mut AutoCommit, state: &mut State) -> Option<Vec<u8>> {
    doc.sync().generate_sync_message(state).map(Message::encode)
}

/// Whether the peer behind `state` has everything `doc` has.
fn peer_has_all(doc: &mut AutoCommit, state: &State) -> bool {
    let mut ours = doc.get_heads();
    ours.sort();
    state.their_heads.as_ref().is_some_and(|theirs| {
        let mut theirs = theirs.clone();
        theirs.sort();
        theirs == ours
    })
}

/// A sync state carried over to a new connection: what both sides are known
/// to share is kept, the in-flight bookkeeping of the old connection is not.
fn fresh_session(state: &State) -> State {
    State::decode(&state.encode()).unwrap_or_default()
}
