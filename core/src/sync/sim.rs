//! Deterministic simulation: several devices and a server over links that
//! drop, duplicate and reorder frames, with devices going offline, editing
//! and restarting from storage. After the network heals, every replica of
//! every document must be identical and every device up to date.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ReadDoc};
use proptest::prelude::*;

use super::*;
use crate::sync::frame::ErrorCode;

type Store = MemoryDocs;

/// What a device has on disk.
#[derive(Default, Clone)]
struct Disk {
    docs: BTreeMap<DocId, Vec<u8>>,
    cursor: u64,
    dirty: BTreeSet<DocId>,
    states: BTreeMap<DocId, Vec<u8>>,
}

#[derive(Default)]
struct Device {
    client: Client,
    docs: Store,
    disk: Disk,
    up: VecDeque<Vec<u8>>,
    down: VecDeque<Vec<u8>>,
    session: Option<ServerSession>,
    online: bool,
}

#[derive(Default)]
struct World {
    docs: BTreeMap<DocId, AutoCommit>,
    seq: u64,
    doc_seq: BTreeMap<DocId, u64>,
    devices: Vec<Device>,
    /// Bytes that crossed the links, for the cost checks.
    bytes: usize,
}

#[derive(Debug, Clone)]
enum Action {
    Edit {
        device: usize,
        doc: usize,
        value: u8,
    },
    Deliver {
        device: usize,
        up: bool,
        pick: usize,
    },
    Drop {
        device: usize,
        up: bool,
        pick: usize,
    },
    Duplicate {
        device: usize,
        up: bool,
        pick: usize,
    },
    Disconnect(usize),
    Connect(usize),
    Restart(usize),
}

const DEVICES: usize = 3;
const DOCS: usize = 3;

fn doc_id(n: usize) -> DocId {
    format!("doc-{n}")
}

impl World {
    fn new() -> World {
        let mut w = World::default();
        w.devices.resize_with(DEVICES, Device::default);
        w
    }

    fn edit(&mut self, d: usize, doc: usize, value: u8) {
        let id = doc_id(doc);
        let dev = &mut self.devices[d];
        let am = dev.docs.doc_mut(&id);
        // Each device writes its own key and a shared one, so merges meet conflicts.
        am.put(ROOT, format!("by-{d}"), i64::from(value))
            .expect("put");
        am.put(ROOT, "shared", i64::from(value)).expect("put");
        am.commit();
        dev.disk.docs.insert(id.clone(), am.save());
        dev.disk.dirty.insert(id.clone());
        let effects = dev.client.local_change(&id, &mut dev.docs);
        self.client_effects(d, effects);
    }

    fn client_effects(&mut self, d: usize, effects: Vec<ClientEffect>) {
        let dev = &mut self.devices[d];
        for e in effects {
            match e {
                ClientEffect::Send(f) => {
                    if dev.online {
                        dev.up.push_back(encode(&f));
                    }
                }
                ClientEffect::Store(id) => {
                    let bytes = dev.docs.doc_mut(&id).save();
                    dev.disk.docs.insert(id, bytes);
                }
                ClientEffect::Acknowledged(id) => {
                    dev.disk.dirty.remove(&id);
                }
                ClientEffect::Cursor(seq) => dev.disk.cursor = seq,
                ClientEffect::Rejected { .. }
                | ClientEffect::ServerError(_)
                | ClientEffect::Progress(_) => {}
            }
        }
        for (id, _) in dev.docs.0.iter() {
            if let Some(s) = dev.client.sync_state(id) {
                dev.disk.states.insert(id.clone(), s);
            }
        }
    }

    fn take(queue: &mut VecDeque<Vec<u8>>, pick: usize) -> Option<Vec<u8>> {
        if queue.is_empty() {
            None
        } else {
            queue.remove(pick % queue.len())
        }
    }

    fn deliver(&mut self, d: usize, up: bool, pick: usize) {
        let dev = &mut self.devices[d];
        let queue = if up { &mut dev.up } else { &mut dev.down };
        let Some(bytes) = Self::take(queue, pick) else {
            return;
        };
        self.bytes += bytes.len();
        let frame = decode(&bytes).expect("the simulation sends only valid frames");
        if up {
            self.server_receive(d, frame);
        } else {
            let dev = &mut self.devices[d];
            let effects = dev.client.receive(frame, &mut dev.docs);
            self.client_effects(d, effects);
        }
    }

    fn server_receive(&mut self, d: usize, frame: Frame) {
        match frame {
            Frame::Hello { cursor, .. } => {
                let changed: Vec<DocId> = self
                    .doc_seq
                    .iter()
                    .filter(|(_, s)| **s > cursor)
                    .map(|(id, _)| id.clone())
                    .collect();
                let mut session = ServerSession::new();
                let mut frames = session.welcome(changed.clone(), self.seq);
                for id in &changed {
                    if let Some(doc) = self.docs.get_mut(id) {
                        frames.extend(session.open(id, doc));
                    }
                }
                let dev = &mut self.devices[d];
                dev.down.extend(frames.iter().map(encode));
                dev.session = Some(session);
            }
            Frame::Sync { doc, message } => {
                let Some(mut session) = self.devices[d].session.take() else {
                    return;
                };
                let am = self.docs.entry(doc.clone()).or_default();
                let effects = session.receive_sync(&doc, &message, am, &AllowAll);
                for e in effects {
                    match e {
                        ServerEffect::Store(id) => {
                            self.seq += 1;
                            self.doc_seq.insert(id.clone(), self.seq);
                            let seq = self.seq;
                            for frame in session.stored(seq) {
                                self.devices[d].down.push_back(encode(&frame));
                            }
                            self.broadcast(d, &id);
                        }
                        ServerEffect::Send(f) => self.devices[d].down.push_back(encode(&f)),
                        ServerEffect::Refused { .. } => {}
                    }
                }
                self.devices[d].session = Some(session);
            }
            _ => {}
        }
    }

    fn broadcast(&mut self, from: usize, id: &str) {
        let seq = self.seq;
        for (i, dev) in self.devices.iter_mut().enumerate() {
            if i == from || !dev.online {
                continue;
            }
            if let (Some(session), Some(am)) = (dev.session.as_mut(), self.docs.get_mut(id)) {
                for frame in session.doc_changed(id, am, seq) {
                    dev.down.push_back(encode(&frame));
                }
            }
        }
    }

    fn disconnect(&mut self, d: usize) {
        let dev = &mut self.devices[d];
        dev.online = false;
        dev.up.clear();
        dev.down.clear();
        dev.session = None;
        dev.client.disconnect();
    }

    fn connect(&mut self, d: usize) {
        let dev = &mut self.devices[d];
        if dev.online {
            return;
        }
        dev.online = true;
        let hello = dev.client.connect();
        dev.up.push_back(encode(&hello));
    }

    /// Loses everything in memory and starts again from the device's disk.
    fn restart(&mut self, d: usize) {
        self.disconnect(d);
        let dev = &mut self.devices[d];
        let disk = dev.disk.clone();
        dev.docs = MemoryDocs(
            disk.docs
                .iter()
                .map(|(id, b)| (id.clone(), AutoCommit::load(b).expect("saved doc loads")))
                .collect(),
        );
        dev.client = Client::new(disk.cursor, disk.dirty.iter().cloned(), disk.states.clone());
    }

    fn apply(&mut self, a: &Action) {
        match *a {
            Action::Edit { device, doc, value } => self.edit(device, doc, value),
            Action::Deliver { device, up, pick } => self.deliver(device, up, pick),
            Action::Drop { device, up, pick } => {
                let dev = &mut self.devices[device];
                Self::take(if up { &mut dev.up } else { &mut dev.down }, pick);
            }
            Action::Duplicate { device, up, pick } => {
                let dev = &mut self.devices[device];
                let q = if up { &mut dev.up } else { &mut dev.down };
                if !q.is_empty() {
                    let f = q[pick % q.len()].clone();
                    q.push_back(f);
                }
            }
            Action::Disconnect(d) => self.disconnect(d),
            Action::Connect(d) => self.connect(d),
            Action::Restart(d) => self.restart(d),
        }
    }

    /// Delivers everything in order until nothing is left to send.
    fn pump(&mut self) {
        for _ in 0..100_000 {
            let Some((d, up)) =
                (0..DEVICES)
                    .flat_map(|d| [(d, true), (d, false)])
                    .find(|(d, up)| {
                        !if *up {
                            &self.devices[*d].up
                        } else {
                            &self.devices[*d].down
                        }
                        .is_empty()
                    })
            else {
                return;
            };
            self.deliver(d, up, 0);
        }
        panic!("the protocol did not settle");
    }

    /// Every device reconnects over a reliable network.
    fn heal(&mut self) {
        for d in 0..DEVICES {
            self.disconnect(d);
        }
        for d in 0..DEVICES {
            self.connect(d);
        }
        self.pump();
    }

    fn assert_converged(&mut self) {
        for (id, server_doc) in self.docs.iter_mut() {
            let mut want = server_doc.get_heads();
            want.sort();
            for (d, dev) in self.devices.iter_mut().enumerate() {
                let mut got = dev.docs.doc_mut(id).get_heads();
                got.sort();
                assert_eq!(got, want, "device {d} differs on {id}");
                let (mine, theirs) = (
                    dev.docs.doc_mut(id).document().hydrate(None),
                    server_doc.document().hydrate(None),
                );
                assert!(mine == theirs, "device {d}: {id} content differs");
            }
        }
        for (d, dev) in self.devices.iter().enumerate() {
            for id in dev.docs.0.keys() {
                assert!(
                    self.docs.contains_key(id),
                    "device {d} has {id}, the server does not"
                );
            }
            assert_eq!(
                dev.client.dirty().count(),
                0,
                "device {d} still has unacknowledged changes"
            );
            assert_eq!(dev.client.cursor(), self.seq, "device {d} cursor");
        }
    }
}

fn action() -> impl Strategy<Value = Action> {
    let d = 0..DEVICES;
    prop_oneof![
        4 => (d.clone(), 0..DOCS, any::<u8>()).prop_map(|(device, doc, value)| Action::Edit { device, doc, value }),
        8 => (d.clone(), any::<bool>(), 0..8usize).prop_map(|(device, up, pick)| Action::Deliver { device, up, pick }),
        1 => (d.clone(), any::<bool>(), 0..8usize).prop_map(|(device, up, pick)| Action::Drop { device, up, pick }),
        1 => (d.clone(), any::<bool>(), 0..8usize).prop_map(|(device, up, pick)| Action::Duplicate { device, up, pick }),
        1 => d.clone().prop_map(Action::Disconnect),
        2 => d.clone().prop_map(Action::Connect),
        1 => d.prop_map(Action::Restart),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_whatever_the_network_does(actions in proptest::collection::vec(action(), 0..80)) {
        let mut w = World::new();
        for a in &actions {
            w.apply(a);
        }
        w.heal();
        w.assert_converged();
    }
}

#[test]
fn offline_edits_on_two_devices_meet_on_the_server() {
    let mut w = World::new();
    w.edit(0, 0, 1);
    w.edit(1, 0, 2);
    w.edit(1, 1, 3);
    w.heal();
    w.assert_converged();
    assert_eq!(w.seq, 3);
}

#[test]
fn a_reconnect_with_nothing_new_is_one_round_trip_of_a_few_bytes() {
    let mut w = World::new();
    for doc in 0..DOCS {
        w.edit(0, doc, 7);
    }
    w.heal();
    w.assert_converged();
    let before = w.bytes;
    w.disconnect(0);
    w.connect(0);
    w.pump();
    let cost = w.bytes - before;
    assert!(cost < 40, "a quiet reconnect cost {cost} bytes");
}

#[test]
fn an_edit_reaches_another_online_device_by_push() {
    let mut w = World::new();
    w.edit(0, 0, 1);
    w.heal();
    w.edit(1, 0, 9);
    w.pump();
    w.assert_converged();
    let shared = w.devices[2]
        .docs
        .doc_mut("doc-0")
        .get(ROOT, "shared")
        .expect("read");
    assert_eq!(shared.map(|(v, _)| v.to_string()), Some("9".into()));
}

/// Refuses every change to documents whose id starts with "locked".
struct RefuseLocked;

impl Gate for RefuseLocked {
    fn check(&self, doc: &str, _: &mut AutoCommit, _: &mut AutoCommit) -> Result<(), Refusal> {
        if doc.starts_with("locked") {
            Err(Refusal {
                rule: "locked",
                path: None,
                reason: crate::msg!("records.locked", "this record is approved and locked"),
            })
        } else {
            Ok(())
        }
    }
}

#[test]
fn refused_changes_are_not_stored_and_the_client_is_told_why() {
    let mut docs = Store::default();
    let mut client = Client::default();
    let mut server_docs: BTreeMap<DocId, AutoCommit> = BTreeMap::new();
    let mut session = ServerSession::new();
    let hello = client.connect();
    assert!(matches!(hello, Frame::Hello { cursor: 0, .. }));
    let mut to_client = session.welcome(vec![], 0);
    for f in to_client.drain(..) {
        client.receive(f, &mut docs);
    }
    for id in ["locked-1", "open-1"] {
        docs.doc_mut(id).put(ROOT, "answer", "pass").expect("put");
        docs.doc_mut(id).commit();
    }
    let mut to_server: Vec<Frame> = ["locked-1", "open-1"]
        .iter()
        .flat_map(|id| client.local_change(id, &mut docs))
        .filter_map(|e| {
            if let ClientEffect::Send(f) = e {
                Some(f)
            } else {
                None
            }
        })
        .collect();
    let mut rejected = Vec::new();
    for _ in 0..10 {
        let mut replies = Vec::new();
        for f in to_server.drain(..) {
            let Frame::Sync { doc, message } = f else {
                continue;
            };
            let am = server_docs.entry(doc.clone()).or_default();
            for e in session.receive_sync(&doc, &message, am, &RefuseLocked) {
                match e {
                    ServerEffect::Send(f) => replies.push(f),
                    ServerEffect::Store(_) => replies.extend(session.stored(1)),
                    ServerEffect::Refused { .. } => {}
                }
            }
        }
        for f in replies {
            for e in client.receive(f, &mut docs) {
                match e {
                    ClientEffect::Send(f) => to_server.push(f),
                    ClientEffect::Rejected { doc, reason } => rejected.push((doc, reason)),
                    _ => {}
                }
            }
        }
    }
    assert_eq!(
        rejected,
        [(
            "locked-1".to_string(),
            "this record is approved and locked".to_string()
        )]
    );
    assert!(
        server_docs
            .get_mut("locked-1")
            .is_none_or(|d| d.get_heads().is_empty()),
        "nothing refused is stored"
    );
    assert_eq!(
        server_docs.get_mut("open-1").map(|d| d.get_heads().len()),
        Some(1)
    );
    assert_eq!(
        client.dirty().collect::<Vec<_>>(),
        ["locked-1"],
        "the refused change stays on the device"
    );
}

#[test]
fn a_garbage_sync_message_gets_an_error_frame_and_changes_nothing() {
    let mut session = ServerSession::new();
    let mut doc = AutoCommit::new();
    let effects = session.receive_sync("doc-0", b"\x42garbage", &mut doc, &AllowAll);
    assert!(matches!(
        effects.as_slice(),
        [ServerEffect::Send(Frame::Error {
            code: ErrorCode::Malformed,
            ..
        })]
    ));
    assert!(doc.get_heads().is_empty());
}
