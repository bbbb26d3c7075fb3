//! Hostile clients against the real server over a real WebSocket: a client
//! that speaks the sync protocol from docs/protocol.md with frames it
//! encodes itself, and builds Automerge changes by hand rather than through
//! the record operations. Every probe must be refused with its reason, the
//! stored documents and the ratings must not move, and honest clients must
//! go on as before.

use std::collections::HashMap;
use std::time::Duration;

use automerge::sync::{ChunkList, Message as SyncMessage, MessageVersion, State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Author, AutoCommit, Change, ExpandedChange, ObjType, ROOT, ReadDoc};
use fieldcheck_core::records::{Actor, Record, Status};
use fieldcheck_core::templates::{Format, Template, VisitMode};
use fieldcheck_core::vocab::Role;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use fieldcheck_tests::{
    Device, STORES, Server, actor, add_user, caught_up, cli, http, http_raw, login, open, people,
    publish, submitted_audit, template,
};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

// ---- Frames, encoded by hand from docs/protocol.md (postcard, version 1) ----

fn varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn hello(cursor: u64, dirty: &[&str]) -> Vec<u8> {
    let mut out = vec![1, 0];
    varint(&mut out, cursor);
    varint(&mut out, dirty.len() as u64);
    for d in dirty {
        bytes(&mut out, d.as_bytes());
    }
    out
}

fn sync_frame(doc: &str, message: &[u8]) -> Vec<u8> {
    let mut out = vec![1, 2];
    bytes(&mut out, doc.as_bytes());
    bytes(&mut out, message);
    out
}

/// What the server says, decoded by hand.
#[derive(Debug)]
enum In {
    Welcome,
    Sync { doc: String, message: Vec<u8> },
    UpToDate,
    Rejected { doc: String, reason: String },
    Error { code: u64, message: String },
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn varint(&mut self) -> u64 {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (b, rest) = self.0.split_first().expect("a varint");
            self.0 = rest;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
        }
        n
    }

    fn bytes(&mut self) -> Vec<u8> {
        let len = self.varint() as usize;
        let (b, rest) = self.0.split_at(len);
        self.0 = rest;
        b.to_vec()
    }

    fn string(&mut self) -> String {
        String::from_utf8(self.bytes()).expect("utf-8")
    }
}

fn decode(frame: &[u8]) -> In {
    assert_eq!(frame[0], 1, "protocol version");
    let mut r = Reader(&frame[1..]);
    match r.varint() {
        1 => In::Welcome,
        2 => In::Sync {
            doc: r.string(),
            message: r.bytes(),
        },
        3 => In::UpToDate,
        4 => In::Rejected {
            doc: r.string(),
            reason: r.string(),
        },
        5 => In::Error {
            code: r.varint(),
            message: r.string(),
        },
        other => panic!("unknown frame {other}"),
    }
}

/// A client built from the protocol document and the Automerge library.
struct Hostile {
    ws: Ws,
    docs: HashMap<String, (AutoCommit, State)>,
    rejected: Vec<(String, String)>,
    errors: Vec<(u64, String)>,
    closed: bool,
}

impl Hostile {
    /// Connects as the owner of `token` and takes every document in sight.
    async fn connect(addr: &str, token: &str) -> Hostile {
        let ws = open(addr, token).await.expect("the sync socket opens");
        let mut h = Hostile {
            ws,
            docs: HashMap::new(),
            rejected: vec![],
            errors: vec![],
            closed: false,
        };
        h.send(hello(0, &[])).await;
        h.pump().await;
        h
    }

    async fn send(&mut self, frame: Vec<u8>) {
        if self.ws.send(Message::Binary(frame.into())).await.is_err() {
            self.closed = true;
        }
    }

    /// Answers the server until it has nothing more to say for a moment.
    async fn pump(&mut self) {
        loop {
            let next = tokio::time::timeout(Duration::from_millis(400), self.ws.next()).await;
            let msg = match next {
                Err(_) => return,
                Ok(Some(Ok(m))) => m,
                Ok(_) => {
                    self.closed = true;
                    return;
                }
            };
            let Message::Binary(frame) = msg else {
                if let Message::Close(_) = msg {
                    self.closed = true;
                    return;
                }
                continue;
            };
            match decode(&frame) {
                In::Sync { doc, message } => {
                    let (d, state) = self.docs.entry(doc.clone()).or_default();
                    let message = SyncMessage::decode(&message).expect("a sync message");
                    d.sync()
                        .receive_sync_message(state, message)
                        .expect("applies");
                    self.reply(&doc).await;
                }
                In::Rejected { doc, reason } => self.rejected.push((doc, reason)),
                In::Error { code, message } => self.errors.push((code, message)),
                In::Welcome | In::UpToDate => {}
            }
        }
    }

    async fn reply(&mut self, doc: &str) {
        let (d, state) = self.docs.get_mut(doc).expect("known");
        let next = d.sync().generate_sync_message(state).map(|m| m.encode());
        if let Some(m) = next {
            self.send(sync_frame(doc, &m)).await;
        }
    }

    /// Offers a document of its own making as new; returns the server's
    /// reason if it refused it.
    async fn offer(&mut self, id: &str, doc: AutoCommit) -> Option<String> {
        self.docs.insert(id.to_string(), (doc, State::new()));
        self.rejected.clear();
        self.reply(id).await;
        self.pump().await;
        self.rejected
            .iter()
            .find(|(doc, _)| doc == id)
            .map(|(_, reason)| reason.clone())
    }

    /// Makes a change to `doc` by hand, signed `author` (none: unsigned),
    /// sends it and returns the server's reason if it refused it.
    async fn change(
        &mut self,
        doc: &str,
        author: Option<&str>,
        write: impl FnOnce(&mut AutoCommit),
    ) -> Option<String> {
        let (d, _) = self.docs.get_mut(doc).expect("the document reached us");
        d.set_author(author.map(|a| Author::from(a.as_bytes().to_vec())));
        write(d);
        d.commit();
        self.rejected.clear();
        self.reply(doc).await;
        self.pump().await;
        self.rejected
            .iter()
            .find(|(id, _)| id == doc)
            .map(|(_, reason)| reason.clone())
    }
}

fn obj(d: &AutoCommit, path: &[&str]) -> automerge::ObjId {
    path.iter().fold(ROOT, |o, k| {
        d.get(&o, *k).expect("read").expect("present").1
    })
}

fn append_history(d: &mut AutoCommit, status: &str, by: &str) {
    let h = obj(d, &["history"]);
    let at = d.length(&h);
    let e = d.insert_object(&h, at, ObjType::Map).expect("insert");
    d.put(&e, "status", status).expect("put");
    d.put(&e, "by", by).expect("put");
    d.put(&e, "at", 1_i64).expect("put");
}

/// Puts a whole answer under `key`, signed `by`, with `note`.
fn put_answer(d: &mut AutoCommit, key: &str, note: Option<String>, by: &str) {
    let answers = obj(d, &["answers"]);
    let a = d.put_object(&answers, key, ObjType::Map).expect("put");
    d.put(&a, "value", "Pass").expect("put");
    match note {
        Some(n) => d.put(&a, "note", n).expect("put"),
        None => d
            .put(&a, "note", automerge::ScalarValue::Null)
            .expect("put"),
    }
    d.put_object(&a, "evidence", ObjType::List).expect("put");
    d.put(&a, "by", by).expect("put");
    d.put(&a, "at", 1_i64).expect("put");
}

async fn get(addr: &str, token: &str, path: &str) -> serde_json::Value {
    let (status, body) = http(addr, "GET", path, Some(token), None).await;
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).expect("json")
}

/// The server's copy of a document, as its heads.
async fn stored_heads(addr: &str, token: &str, id: &str) -> Vec<automerge::ChangeHash> {
    let (status, body) = http_raw(
        addr,
        "GET",
        &format!("/api/v1/records/{id}/document"),
        Some(token),
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 200);
    AutoCommit::load(&body).expect("loads").get_heads()
}

async fn materialised(addr: &str, token: &str, id: &str, status: &str) {
    caught_up(addr, token).await;
    let v = get(addr, token, &format!("/api/v1/records?status={status}")).await;
    assert!(
        v["records"]
            .as_array()
            .is_some_and(|rs| rs.iter().any(|r| r["doc_id"] == id)),
        "{id} is not {status}: {v}"
    );
}

fn staff(ms: i64) -> Actor {
    actor("staff", Role::StoreStaff, ms)
}

#[tokio::test]
async fn hostile_clients_are_refused_with_reasons_and_change_nothing() {
    let dir = people();
    let stores = dir.path().join("stores.csv");
    std::fs::write(&stores, STORES).expect("write");
    cli(dir.path(), &["stores", "import", &stores.to_string_lossy()]);
    add_user(dir.path(), "staff", "store_staff", "cq/yz/001", "pw-123456");
    let t = template();
    publish(dir.path(), &t);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../templates/owned_hall_mystery.toml");
    let mystery = Template::load(
        &std::fs::read_to_string(path).expect("template"),
        Format::Toml,
    )
    .expect("valid");
    publish(dir.path(), &mystery);
    let server = Server::start(dir.path(), None);
    let addr = server.addr.clone();
    let (li, wang, staff_token) = (
        login(&addr, "li", "pw-123456").await,
        login(&addr, "wang", "pw-123456").await,
        login(&addr, "staff", "pw-123456").await,
    );

    // Honest work first: li's audit, approved with an action for staff,
    // and a draft of li's that is still open.
    let mut phone = Device::default();
    let audit = submitted_audit(&t, "h-audit");
    phone.docs.0.insert("h-audit".into(), audit.into_doc());
    phone.changed(None, "h-audit").await;
    let draft = Record::create(
        &t,
        "h-draft",
        "cq/yz/001",
        &actor("li", Role::Inspector, 1_000),
    )
    .expect("create");
    phone.docs.0.insert("h-draft".into(), draft.into_doc());
    phone.changed(None, "h-draft").await;
    phone.sync(&addr, &li).await;
    assert_eq!(phone.client.dirty().count(), 0, "{:?}", phone.rejected);
    materialised(&addr, &wang, "h-audit", "submitted").await;
    let (status, body) = http(
        &addr,
        "POST",
        "/api/v1/records/h-audit/approve",
        Some(&wang),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let action =
        r#"{"item":"a3","description":"Dust the counter","assignee":"staff","due":"2026-12-31"}"#;
    let (status, body) = http(
        &addr,
        "POST",
        "/api/v1/records/h-audit/actions",
        Some(&wang),
        Some(action),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    materialised(&addr, &wang, "h-audit", "approved").await;
    let ratings_before = get(&addr, &wang, "/api/v1/ratings?granularity=month").await;
    assert!(
        ratings_before["ratings"]
            .as_array()
            .is_some_and(|rs| rs.iter().any(|r| r["unit"] == "cq/yz/001")),
        "the approved audit is rated: {ratings_before:#}"
    );
    let audit_heads = stored_heads(&addr, &wang, "h-audit").await;
    let draft_heads = stored_heads(&addr, &wang, "h-draft").await;

    // A manager's device stays connected through it all.
    let mut watcher = Device::default();
    let mut watcher_ws = watcher.sync(&addr, &wang).await;

    // li, signing as the manager, approves li's own draft... as "wang".
    let mut h = Hostile::connect(&addr, &li).await;
    let reason = h
        .change("h-draft", Some("wang"), |d| {
            d.put(ROOT, "status", "submitted").expect("put");
            append_history(d, "submitted", "wang");
        })
        .await
        .expect("a forged author is refused");
    assert!(reason.contains("signed `wang`"), "{reason}");

    // Unsigned changes.
    let mut h = Hostile::connect(&addr, &li).await;
    let reason = h
        .change("h-draft", None, |d| {
            d.put(ROOT, "status", "discarded").expect("put");
        })
        .await
        .expect("an unsigned change is refused");
    assert!(reason.contains("unsigned"), "{reason}");

    // Header rewrites of the approved audit, by everyone who can see it.
    let header_probes: [(&str, &str, &str, automerge::ScalarValue); 4] = [
        (
            "staff",
            "kind",
            "store staff make the audit a questionnaire",
            "questionnaire".into(),
        ),
        (
            "li",
            "mode",
            "the inspector makes the visit covert",
            "mystery".into(),
        ),
        (
            "staff",
            "started_at",
            "store staff move it to 2000",
            automerge::ScalarValue::Int(946_684_800_000),
        ),
        (
            "wang",
            "store_id",
            "a manager moves it to another store",
            "cq/yz/002".into(),
        ),
    ];
    for (user, key, what, value) in header_probes {
        let token = login(&addr, user, "pw-123456").await;
        let mut h = Hostile::connect(&addr, &token).await;
        let reason = h
            .change("h-audit", Some(user), |d| {
                let header = obj(d, &["header"]);
                d.put(&header, key, value).expect("put");
            })
            .await
            .unwrap_or_else(|| panic!("refused: {what}"));
        assert!(
            reason.contains(&format!("/header/{key} is set when the record is created")),
            "{what}: {reason}"
        );
    }

    // Store staff write a comment and a history entry "approved" by themselves.
    let mut h = Hostile::connect(&addr, &staff_token).await;
    let reason = h
        .change("h-audit", Some("staff"), |d| {
            let c = obj(d, &["comments"]);
            let e = d.put_object(&c, "c-staff", ObjType::Map).expect("put");
            for (k, v) in [("text", "all fixed, nothing to see"), ("by", "staff")] {
                d.put(&e, k, v).expect("put");
            }
            d.put(&e, "item", automerge::ScalarValue::Null)
                .expect("put");
            d.put(&e, "at", 1_i64).expect("put");
        })
        .await
        .expect("a comment by store staff is refused");
    assert!(
        reason.contains("only the record's author or a manager"),
        "{reason}"
    );
    let mut h = Hostile::connect(&addr, &staff_token).await;
    let reason = h
        .change("h-audit", Some("staff"), |d| {
            append_history(d, "approved", "staff")
        })
        .await
        .expect("a history entry by store staff is refused");
    assert!(reason.contains("status history"), "{reason}");
    // The API refuses the same comment.
    let (status, body) = http(
        &addr,
        "POST",
        "/api/v1/records/h-audit/comments",
        Some(&staff_token),
        Some(r#"{"text":"all fixed"}"#),
    )
    .await;
    assert_eq!(status, 403, "{body}");

    // A covert visit made to say it is overt, which would show it to the
    // store: the published template says mystery.
    let mut overt = mystery.clone();
    overt.mode = VisitMode::Overt;
    let fake = Record::create(
        &overt,
        "h-covert",
        "cq/yz/001",
        &actor("li", Role::Inspector, 1_000),
    )
    .expect("create");
    let mut h = Hostile::connect(&addr, &li).await;
    let reason = h
        .offer("h-covert", fake.into_doc())
        .await
        .expect("a mystery visit calling itself overt is refused");
    assert!(reason.contains("/header/mode must be mystery"), "{reason}");

    // Unknown keys, oversized fields and documents, from li on li's draft.
    let mut h = Hostile::connect(&addr, &li).await;
    let reason = h
        .change("h-draft", Some("li"), |d| {
            d.put(ROOT, "junk", "x".repeat(1_024)).expect("put");
        })
        .await
        .expect("unknown keys are refused");
    assert!(reason.contains("/junk is not part of a record"), "{reason}");
    let mut h = Hostile::connect(&addr, &li).await;
    let reason = h
        .change("h-draft", Some("li"), |d| {
            put_answer(d, "a1", Some("长".repeat(2_001)), "li")
        })
        .await
        .expect("an oversized note is refused");
    assert!(reason.contains("longer than 2000 characters"), "{reason}");
    let mut h = Hostile::connect(&addr, &li).await;
    let reason = h
        .change("h-draft", Some("li"), |d| {
            // 1,100 answers with a full note each: every field within its
            // limit, the record past its own.
            for i in 0..1_100 {
                let note: String = (0..2_000)
                    .map(|j| char::from(b'a' + ((i * 7 + j * 13) % 26) as u8))
                    .collect();
                put_answer(d, &format!("x{i}"), Some(note), "li");
            }
        })
        .await
        .expect("a record past its size limit is refused");
    assert!(reason.contains("over the limit"), "{reason}");

    // A change of a few hundred bytes that describes 60,000 operations (run
    // lengths): refused before Automerge expands it, the socket goes on.
    let mut h = Hostile::connect(&addr, &li).await;
    let mut d = h.docs["h-draft"].0.clone();
    let heads = d.get_heads();
    d.set_author(Some(Author::from(b"li".to_vec())));
    put_answer(&mut d, "a1", None, "li");
    d.commit();
    let mut expanded = ExpandedChange::from(&d.get_changes(&heads)[0]);
    let op = expanded.operations[0].clone();
    expanded.operations = vec![op; 60_000];
    expanded.hash = None;
    let bomb = Change::from(expanded);
    assert!(
        bomb.raw_bytes().len() < 4_096,
        "{} bytes",
        bomb.raw_bytes().len()
    );
    let message = SyncMessage {
        heads: vec![bomb.hash()],
        need: vec![],
        have: vec![],
        changes: ChunkList::from(vec![bomb.raw_bytes().to_vec()]),
        flags: None,
        version: MessageVersion::V1,
    };
    h.send(sync_frame("h-draft", &message.encode())).await;
    h.pump().await;
    assert!(
        h.errors
            .iter()
            .any(|(code, m)| *code == 1 && m.contains("operations")),
        "a TooLarge error frame: {:?}",
        h.errors
    );
    assert!(!h.closed);
    assert_eq!(stored_heads(&addr, &wang, "h-draft").await, draft_heads);

    // A 5 MiB frame gets the Error frame the protocol promises, and the
    // session goes on: an honest answer on the same socket is stored.
    let mut h = Hostile::connect(&addr, &li).await;
    let mut huge = vec![1u8, 2];
    huge.resize(5 * 1024 * 1024, 0);
    h.send(huge).await;
    h.pump().await;
    assert!(!h.closed, "the session survives an oversized frame");
    assert_eq!(
        h.errors.first().map(|(code, _)| *code),
        Some(1),
        "a TooLarge error frame: {:?}",
        h.errors
    );
    let refused = h
        .change("h-draft", Some("li"), |d| put_answer(d, "a1", None, "li"))
        .await;
    assert_eq!(
        refused, None,
        "an honest change on the same socket is taken"
    );
    assert_ne!(stored_heads(&addr, &wang, "h-draft").await, draft_heads);

    // A message past what the server reads at all closes the connection
    // with 1009, message too big.
    let mut giant = vec![1u8, 2];
    giant.resize(17 * 1024 * 1024, 0);
    h.send(giant).await;
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(10), h.ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.map(|f| u16::from(f.code)), Some(1009));

    // Nothing of the refused changes reached the server or anyone else.
    assert_eq!(stored_heads(&addr, &wang, "h-audit").await, audit_heads);
    let (status, _) = http(&addr, "GET", "/api/v1/records/h-covert", Some(&wang), None).await;
    assert_eq!(status, 404, "the refused record was never stored");
    let detail = get(&addr, &wang, "/api/v1/records/h-audit").await;
    assert_eq!(detail["record"]["status"], "approved");
    assert_eq!(
        get(&addr, &wang, "/api/v1/ratings?granularity=month").await,
        ratings_before,
        "the ratings did not move"
    );
    watcher.pump(&mut watcher_ws).await;
    let mut seen = watcher
        .docs
        .0
        .get("h-audit")
        .expect("the manager has it")
        .clone();
    assert_eq!(
        seen.get_heads(),
        audit_heads,
        "the manager's copy did not move"
    );
    assert!(watcher.errors.is_empty(), "{:?}", watcher.errors);

    // Honest store staff close their action through sync, as before.
    let mut shop = Device::default();
    let mut shop_ws = shop.sync(&addr, &staff_token).await;
    let doc = shop
        .docs
        .0
        .remove("h-audit")
        .expect("staff see their store's audit");
    let mut record = Record::from_doc(doc).expect("a record");
    let id = record
        .state()
        .expect("state")
        .actions
        .into_keys()
        .next()
        .expect("the action");
    record.complete_action(&staff(9_000), &id).expect("done");
    shop.docs.0.insert("h-audit".into(), record.into_doc());
    shop.changed(Some(&mut shop_ws), "h-audit").await;
    assert!(shop.rejected.is_empty(), "{:?}", shop.rejected);
    assert_eq!(shop.client.dirty().count(), 0);
    let doc = AutoCommit::load(
        &http_raw(
            &addr,
            "GET",
            "/api/v1/records/h-audit/document",
            Some(&wang),
            &[],
            b"",
        )
        .await
        .1,
    )
    .expect("loads");
    let state = Record::from_doc(doc)
        .expect("record")
        .state()
        .expect("state");
    assert_eq!(state.status, Status::Approved);
    assert_eq!(
        state.actions.get(&id).map(|a| a.status.as_str()),
        Some("done")
    );
}
