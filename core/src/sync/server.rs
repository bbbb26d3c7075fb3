//! The server's side of the protocol, one [`ServerSession`] per connection.
//! The runtime owns storage, the sequence counter and the changes feed; the
//! session decides what to send and tells the runtime what to store.

use std::collections::{BTreeMap, BTreeSet};

use automerge::sync::{ChunkList, Message, State, SyncDoc};
use automerge::{AutoCommit, Change, ChangeHash};

use super::screen::{self, Piece, Screened};
use super::{DocId, Frame, next_message, peer_has_all};
use crate::sync::frame::ErrorCode;

/// Decides whether a client's changes to a document may be stored, from the
/// document before and after they are applied.
pub trait Gate {
    fn check(
        &self,
        doc: &str,
        before: &mut AutoCommit,
        after: &mut AutoCommit,
    ) -> Result<(), Refusal>;
}

/// Why a gate refused changes: the rule (a stable code), the document path
/// it concerns if one, and the reason for people, whose English text goes
/// to the device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal {
    pub rule: &'static str,
    pub path: Option<String>,
    pub reason: crate::msg::Msg,
}

/// Accepts every change (tests and trusted tools).
#[derive(Debug, Clone, Copy, Default)]
pub struct AllowAll;

impl Gate for AllowAll {
    fn check(&self, _: &str, _: &mut AutoCommit, _: &mut AutoCommit) -> Result<(), Refusal> {
        Ok(())
    }
}

/// What the runtime must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEffect {
    /// The document took new changes: store it durably, give it the next
    /// sequence and tell the other sessions, before the sends that follow.
    Store(DocId),
    /// The gate refused the client's changes to a document (for the log; a
    /// `Rejected` frame follows).
    Refused {
        doc: DocId,
        refusal: Refusal,
    },
    Send(Frame),
}

/// One connection's state.
#[derive(Debug, Default)]
pub struct ServerSession {
    states: BTreeMap<DocId, State>,
    /// Documents to bring in line before `target` is reached.
    pending: BTreeSet<DocId>,
    target: Option<u64>,
    welcomed: bool,
    /// Changes this client sent before the changes they depend on, by
    /// document: kept here, not in the shared document, until those arrive.
    held: BTreeMap<DocId, Vec<Change>>,
}

/// The most bytes of changes one session may have waiting for changes it
/// has not sent yet.
pub const MAX_HELD_BYTES: usize = crate::sync::frame::MAX_FRAME_BYTES;

impl ServerSession {
    pub fn new() -> ServerSession {
        ServerSession::default()
    }

    /// Answers a Hello. `changed` are the documents the user may see that
    /// changed after the client's cursor, `seq` the current sequence. The
    /// runtime then calls [`open`](Self::open) for each of them, one at a
    /// time, so no more than one needs to be in hand at once.
    pub fn welcome(&mut self, changed: Vec<DocId>, seq: u64) -> Vec<Frame> {
        self.welcomed = true;
        self.pending.extend(changed.iter().cloned());
        let mut out = vec![Frame::Welcome { changed, seq }];
        self.target = Some(seq);
        self.check_up_to_date(&mut out);
        out
    }

    /// The first sync message for a document announced in the welcome.
    pub fn open(&mut self, id: &str, doc: &mut AutoCommit) -> Vec<Frame> {
        let mut effects = Vec::new();
        self.send_next(id, doc, &mut effects);
        effects
            .into_iter()
            .filter_map(|e| match e {
                ServerEffect::Send(f) => Some(f),
                ServerEffect::Store(_) | ServerEffect::Refused { .. } => None,
            })
            .collect()
    }

    pub fn is_welcomed(&self) -> bool {
        self.welcomed
    }

    /// Handles a client's sync message for `id`. Changes are applied to a fork
    /// and checked by `gate` first; refused changes leave `doc` untouched.
    pub fn receive_sync(
        &mut self,
        id: &str,
        message: &[u8],
        doc: &mut AutoCommit,
        gate: &dyn Gate,
    ) -> Vec<ServerEffect> {
        let mut out = Vec::new();
        let Ok(mut message) = Message::decode(message) else {
            out.push(ServerEffect::Send(Frame::Error {
                code: ErrorCode::Malformed,
                message: format!("unreadable sync message for {id}"),
            }));
            return out;
        };
        let incoming = match screen::changes(&message.changes) {
            Ok(c) => c,
            Err(e) => {
                let code = match e {
                    Screened::TooManyOps => ErrorCode::TooLarge,
                    Screened::Malformed(_) => ErrorCode::Malformed,
                };
                out.push(ServerEffect::Send(Frame::Error {
                    code,
                    message: format!("sync message for {id}: {e}"),
                }));
                return out;
            }
        };
        let ready = match self.ready(id, doc, incoming) {
            Ok(r) => r,
            Err(e) => {
                out.push(ServerEffect::Send(e));
                return out;
            }
        };
        message.changes =
            ChunkList::from(ready.iter().map(|p| p.bytes().to_vec()).collect::<Vec<_>>());
        let state = self.states.entry(id.to_string()).or_default();
        if message.changes.is_empty() {
            // Heads, needs and bloom filters only: nothing for the gate to check.
            if doc.sync().receive_sync_message(state, message).is_err() {
                out.push(ServerEffect::Send(Frame::Error {
                    code: ErrorCode::Malformed,
                    message: format!("sync message for {id} could not be applied"),
                }));
                return out;
            }
            self.send_next(id, doc, &mut out);
            return out;
        }
        // Changes go into a copy first, which becomes the document once
        // checked. Automerge checks what it can and asserts the rest (an
        // author named past an actor's first change, a gap in an actor's
        // sequence): a hostile change that trips an assertion costs the
        // copy, never the document or the session.
        let mut trial_state = state.clone();
        let mut trial = doc.clone();
        let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            trial
                .sync()
                .receive_sync_message(&mut trial_state, message)
                .is_ok()
        }));
        if !matches!(applied, Ok(true)) {
            out.push(ServerEffect::Send(Frame::Error {
                code: ErrorCode::Malformed,
                message: format!("sync message for {id} could not be applied"),
            }));
            return out;
        }
        let changed = trial.get_heads() != doc.get_heads();
        if changed {
            if let Err(refusal) = gate.check(id, doc, &mut trial) {
                self.pending.remove(id);
                out.push(ServerEffect::Refused {
                    doc: id.to_string(),
                    refusal: refusal.clone(),
                });
                out.push(ServerEffect::Send(Frame::Rejected {
                    doc: id.to_string(),
                    reason: refusal.reason.text,
                }));
                return out;
            }
            out.push(ServerEffect::Store(id.to_string()));
        }
        *doc = trial;
        *state = trial_state;
        self.send_next(id, doc, &mut out);
        out
    }

    /// The runtime stored this session's changes under sequence `seq`: the
    /// client's cursor may move past them once everything else has arrived.
    pub fn stored(&mut self, seq: u64) -> Vec<Frame> {
        self.target = Some(self.target.map_or(seq, |t| t.max(seq)));
        let mut out = Vec::new();
        self.check_up_to_date(&mut out);
        out
    }

    /// Another session (or the API) changed a document this client may see.
    pub fn doc_changed(&mut self, id: &str, doc: &mut AutoCommit, seq: u64) -> Vec<Frame> {
        if !self.welcomed {
            return Vec::new();
        }
        self.pending.insert(id.to_string());
        self.target = Some(self.target.map_or(seq, |t| t.max(seq)));
        self.open(id, doc)
    }

    /// The changes that can be applied now, in an order Automerge can apply
    /// them: those whose dependencies the document has or that come before
    /// them here. The rest wait in the session, within [`MAX_HELD_BYTES`].
    fn ready(
        &mut self,
        id: &str,
        doc: &mut AutoCommit,
        incoming: Vec<Piece>,
    ) -> Result<Vec<Piece>, Frame> {
        let mut waiting = self.held.remove(id).unwrap_or_default();
        let mut ready = Vec::new();
        let mut here: BTreeSet<ChangeHash> = BTreeSet::new();
        for piece in incoming {
            match piece {
                Piece::Change(c) => {
                    if !waiting.iter().any(|w| w.hash() == c.hash()) {
                        waiting.push(*c);
                    }
                }
                Piece::Document { ref heads, .. } => {
                    here.extend(heads.iter().copied());
                    ready.push(piece);
                }
            }
        }
        let deps: Vec<ChangeHash> = waiting.iter().flat_map(|c| c.deps()).copied().collect();
        let missing: BTreeSet<ChangeHash> = doc.get_missing_deps(&deps).into_iter().collect();
        // A device sends changes in the order they were made, so one pass
        // takes a chain of them; more passes only for changes out of order.
        loop {
            let mut later = Vec::new();
            let before = waiting.len();
            for c in waiting {
                let deps_here = c
                    .deps()
                    .iter()
                    .all(|d| here.contains(d) || !missing.contains(d));
                if deps_here {
                    here.insert(c.hash());
                    ready.push(Piece::Change(Box::new(c)));
                } else {
                    later.push(c);
                }
            }
            waiting = later;
            if waiting.is_empty() || waiting.len() == before {
                break;
            }
        }
        if !waiting.is_empty() {
            let size = held_size(&waiting);
            if self.held_bytes() + size > MAX_HELD_BYTES {
                return Err(Frame::Error {
                    code: ErrorCode::TooLarge,
                    message: format!(
                        "{} changes to {id} wait for changes not sent, over {MAX_HELD_BYTES} bytes: \
                         they were dropped; send the changes they depend on first",
                        waiting.len()
                    ),
                });
            }
            self.held.insert(id.to_string(), waiting);
        }
        Ok(ready)
    }

    /// Bytes of changes this session holds for all its documents.
    fn held_bytes(&self) -> usize {
        self.held.values().map(|c| held_size(c)).sum()
    }

    fn send_next(&mut self, id: &str, doc: &mut AutoCommit, out: &mut Vec<ServerEffect>) {
        let state = self.states.entry(id.to_string()).or_default();
        if let Some(message) = next_message(doc, state) {
            out.push(ServerEffect::Send(Frame::Sync {
                doc: id.to_string(),
                message,
            }));
        }
        // The client reported holding every head we have: done, even if one
        // last message still tells it ours.
        if peer_has_all(doc, state) {
            self.pending.remove(id);
            let mut frames = Vec::new();
            self.check_up_to_date(&mut frames);
            out.extend(frames.into_iter().map(ServerEffect::Send));
        }
    }

    fn check_up_to_date(&mut self, out: &mut Vec<Frame>) {
        if self.pending.is_empty()
            && let Some(seq) = self.target.take()
        {
            out.push(Frame::UpToDate { seq });
        }
    }
}

fn held_size(changes: &[Change]) -> usize {
    changes.iter().map(|c| c.raw_bytes().len()).sum()
}

#[cfg(test)]
mod tests {
    use automerge::sync::{ChunkList, MessageVersion};
    use automerge::transaction::Transactable;
    use automerge::{Change, ExpandedChange, ROOT};

    use super::*;

    /// A sync message carrying one change, rewritten by `tamper` and
    /// re-encoded (with a fresh hash), as a hostile client can.
    fn message_with(tamper: impl FnOnce(&mut ExpandedChange)) -> Vec<u8> {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "x", 1).expect("put");
        doc.commit();
        let change = doc.get_changes(&[]).pop().expect("a change");
        let mut expanded = ExpandedChange::from(&change);
        tamper(&mut expanded);
        expanded.hash = None;
        let bad = Change::from(expanded);
        Message {
            heads: vec![bad.hash()],
            need: vec![],
            have: vec![],
            changes: ChunkList::from(vec![bad.raw_bytes().to_vec()]),
            flags: None,
            version: MessageVersion::V1,
        }
        .encode()
    }

    #[test]
    fn a_change_that_trips_an_automerge_assertion_costs_the_copy_not_the_session() {
        // Automerge asserts that an actor's first change it sees is its
        // first: this one claims to be its fifth, with nothing missing.
        let gap = message_with(|c| c.seq = 5);
        let mut session = ServerSession::new();
        let mut doc = AutoCommit::new();
        let out = session.receive_sync("d", &gap, &mut doc, &AllowAll);
        assert!(
            matches!(
                out.as_slice(),
                [ServerEffect::Send(Frame::Error {
                    code: ErrorCode::Malformed,
                    ..
                })]
            ),
            "{out:?}"
        );
        assert!(doc.get_heads().is_empty(), "nothing of it was kept");
        // The session goes on: an honest change on it is stored.
        let honest = message_with(|_| {});
        let out = session.receive_sync("d", &honest, &mut doc, &AllowAll);
        assert!(
            out.iter().any(|e| matches!(e, ServerEffect::Store(_))),
            "{out:?}"
        );
        assert_eq!(doc.get_heads().len(), 1);
    }

    fn carrying(changes: &[&Change]) -> Vec<u8> {
        Message {
            heads: changes.last().map(|c| vec![c.hash()]).unwrap_or_default(),
            need: vec![],
            have: vec![],
            changes: ChunkList::from(
                changes
                    .iter()
                    .map(|c| c.raw_bytes().to_vec())
                    .collect::<Vec<_>>(),
            ),
            flags: None,
            version: MessageVersion::V1,
        }
        .encode()
    }

    #[test]
    fn changes_ahead_of_their_dependencies_wait_in_their_session_not_the_document() {
        let mut device = AutoCommit::new();
        device.put(ROOT, "x", 1).expect("put");
        device.commit();
        device.put(ROOT, "x", 2).expect("put");
        device.commit();
        let all = device.get_changes(&[]);
        let (first, second) = (&all[0], &all[1]);
        let mut doc = AutoCommit::new();
        let mut early = ServerSession::new();
        let out = early.receive_sync("d", &carrying(&[second]), &mut doc, &AllowAll);
        assert!(
            !out.iter().any(|e| matches!(e, ServerEffect::Store(_))),
            "{out:?}"
        );
        // Another session brings the first change: the document takes it and
        // nothing else, the second stays with the session that sent it.
        let mut other = ServerSession::new();
        let out = other.receive_sync("d", &carrying(&[first]), &mut doc, &AllowAll);
        assert!(
            out.iter().any(|e| matches!(e, ServerEffect::Store(_))),
            "{out:?}"
        );
        assert_eq!(doc.get_heads(), vec![first.hash()]);
        // Its own session's next message lets it through.
        let out = early.receive_sync("d", &carrying(&[]), &mut doc, &AllowAll);
        assert!(
            out.iter().any(|e| matches!(e, ServerEffect::Store(_))),
            "{out:?}"
        );
        assert_eq!(doc.get_heads(), vec![second.hash()]);
        assert_eq!(early.held_bytes(), 0);
    }

    #[test]
    fn a_session_holds_waiting_changes_within_a_limit() {
        let mut device = AutoCommit::new();
        device.put(ROOT, "x", "a".repeat(10_000)).expect("put");
        device.commit();
        let mut orphans = Vec::new();
        for i in 0..500 {
            device
                .put(ROOT, "x", format!("{i}{}", "b".repeat(10_000)))
                .expect("put");
            device.commit();
        }
        orphans.extend(device.get_changes(&[]).into_iter().skip(1));
        let mut doc = AutoCommit::new();
        let mut session = ServerSession::new();
        let mut refused = false;
        for chunk in orphans.chunks(100) {
            let refs: Vec<&Change> = chunk.iter().collect();
            let out = session.receive_sync("d", &carrying(&refs), &mut doc, &AllowAll);
            refused |= out.iter().any(|e| {
                matches!(
                    e,
                    ServerEffect::Send(Frame::Error {
                        code: ErrorCode::TooLarge,
                        ..
                    })
                )
            });
            assert!(session.held_bytes() <= MAX_HELD_BYTES);
        }
        assert!(refused, "5 MB waiting is over the limit");
        assert!(doc.get_heads().is_empty());
    }
}
