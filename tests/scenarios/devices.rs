//! Device stores (each its own SQLite file and sync client) against the
//! real server process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use fieldcheck_core::answers::{AnswerValue, MediaRef};
use fieldcheck_core::records::{Actor, Record, Status};
use fieldcheck_core::vocab::Role;
use fieldcheck_device::media::{MediaError, Uploader};
use fieldcheck_device::net::Tls;
use fieldcheck_device::store::DeviceStore;
use fieldcheck_device::sync_client::{self, SyncStatus};

use fieldcheck_tests::{
    Device, STORES, Server, add_user, cli, config, http, login, logout, publish, template,
    up_to_date,
};

fn li(ms: i64) -> Actor {
    Actor {
        user: "li".into(),
        role: Role::Inspector,
        device: "phone".into(),
        now_ms: ms,
    }
}

/// Loads a record from a device store, edits it and saves it back as the app does.
async fn edit(store: &DeviceStore, id: &str, f: impl FnOnce(&mut Record)) {
    let doc = store
        .load(id)
        .await
        .expect("load")
        .expect("the device has the record");
    let mut r = Record::from_doc(doc).expect("record");
    let before = r.doc_mut().get_heads();
    f(&mut r);
    store
        .save(id, r.doc_mut(), &before, true)
        .await
        .expect("save");
}

#[tokio::test]
async fn two_devices_edit_offline_and_converge() {
    let dir = tempfile::tempdir().expect("tmp");
    add_user(dir.path(), "li", "inspector", "cq", "pw-123456");
    let server = Server::start(dir.path(), None);
    let token = login(&server.addr, "li", "pw-123456").await;
    let t = template();
    let (phone, tablet) = (
        DeviceStore::open(&dir.path().join("phone.db"))
            .await
            .expect("open"),
        DeviceStore::open(&dir.path().join("tablet.db"))
            .await
            .expect("open"),
    );

    // The phone starts an audit and syncs it; the tablet picks it up.
    let mut r = Record::create(&t, "audit-d1", "cq/yz/001", &li(1_000)).expect("create");
    phone
        .save("audit-d1", r.doc_mut(), &[], true)
        .await
        .expect("save");
    let h = sync_client::spawn(phone.clone(), config(&server.addr, &token));
    up_to_date(&h, "step 1").await;
    h.stop().await;
    let h = sync_client::spawn(tablet.clone(), config(&server.addr, &token));
    up_to_date(&h, "step 2").await;
    h.stop().await;
    assert_eq!(tablet.records().await.expect("index").len(), 1);

    // Offline, each answers different items, and both answer b1.
    edit(&phone, "audit-d1", |r| {
        r.answer(&t, &li(2_000), "a1", AnswerValue::Pass, None)
            .expect("a1");
        r.answer(
            &t,
            &li(2_001),
            "b1",
            AnswerValue::Pass,
            Some("phone".into()),
        )
        .expect("b1");
    })
    .await;
    edit(&tablet, "audit-d1", |r| {
        r.answer(&t, &li(2_000), "a2", AnswerValue::Fail, None)
            .expect("a2");
        r.answer(
            &t,
            &li(2_002),
            "b1",
            AnswerValue::Fail,
            Some("tablet".into()),
        )
        .expect("b1");
    })
    .await;

    let (hp, ht) = (
        sync_client::spawn(phone.clone(), config(&server.addr, &token)),
        sync_client::spawn(tablet.clone(), config(&server.addr, &token)),
    );
    up_to_date(&hp, "step 3").await;
    up_to_date(&ht, "step 4").await;
    hp.stop().await;
    ht.stop().await;
    // The second to finish pushed to the first, which may have stopped
    // before taking it in: a new session reaches "up to date" only once it
    // holds everything the server has.
    for (store, what) in [(&phone, "phone again"), (&tablet, "tablet again")] {
        let h = sync_client::spawn(store.clone(), config(&server.addr, &token));
        up_to_date(&h, what).await;
        h.stop().await;
    }

    let a = Record::from_doc(phone.load("audit-d1").await.expect("load").expect("doc"))
        .expect("record");
    let b = Record::from_doc(tablet.load("audit-d1").await.expect("load").expect("doc"))
        .expect("record");
    assert_eq!(
        a.state().expect("a"),
        b.state().expect("b"),
        "both devices show the same record"
    );
    let s = a.state().expect("state");
    assert_eq!(
        (s.answers["a1"].value.clone(), s.answers["a2"].value.clone()),
        (AnswerValue::Pass, AnswerValue::Fail)
    );
    let conflicts = a.conflicts().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "b1 was answered on both devices");
    assert!(
        phone.dirty().await.expect("dirty").is_empty()
            && tablet.dirty().await.expect("dirty").is_empty()
    );
}

#[tokio::test]
async fn the_client_connects_when_the_server_appears_and_reports_a_revoked_token() {
    let dir = tempfile::tempdir().expect("tmp");
    add_user(dir.path(), "li", "inspector", "cq", "pw-123456");
    let store = DeviceStore::open(&dir.path().join("d.db"))
        .await
        .expect("open");
    // A free port, for a server that is not there yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut r = Record::create(&template(), "audit-d2", "cq/yz/001", &li(1_000)).expect("create");
    store
        .save("audit-d2", r.doc_mut(), &[], true)
        .await
        .expect("save");

    // Log in against a first server to get a token, then take it away.
    let mut first = Server::start(dir.path(), None);
    let token = login(&first.addr, "li", "pw-123456").await;
    first.kill9();
    let h = sync_client::spawn(store.clone(), config(&addr, &token));
    let offline = h
        .wait_for(Duration::from_secs(5), |s| {
            matches!(s, SyncStatus::Offline(Some(_)))
        })
        .await;
    assert!(
        offline.is_some(),
        "offline with a reason while nothing listens"
    );

    let server = Server::start_on(dir.path(), &addr);
    up_to_date(&h, "step 5").await;
    assert!(store.dirty().await.expect("dirty").is_empty());
    h.stop().await;

    assert_eq!(logout(&server.addr, &token).await, 204);
    let h = sync_client::spawn(store.clone(), config(&server.addr, &token));
    let err = h
        .wait_for(Duration::from_secs(5), |s| {
            matches!(s, SyncStatus::Error(_))
        })
        .await;
    assert!(matches!(err, Some(SyncStatus::Error(m)) if m.contains("sign in again")));
    h.stop().await;
}

/// Not a test of its own: the writer process of the next test.
#[tokio::test]
async fn device_writer_child() {
    let Some(db) = std::env::var_os("FIELDCHECK_WRITER_DB") else {
        return;
    };
    let store = DeviceStore::open(Path::new(&db)).await.expect("open");
    let t = template();
    for i in 0.. {
        let id = format!("audit-w{i}");
        let mut r = Record::create(&t, &id, "cq/yz/001", &li(i)).expect("create");
        for item in ["a1", "a2", "a3", "a4", "b1", "b2", "b3"] {
            r.answer(&t, &li(i), item, AnswerValue::Pass, Some("x".repeat(200)))
                .expect("answer");
        }
        store.save(&id, r.doc_mut(), &[], true).await.expect("save");
        println!("saved {id}");
    }
}

#[tokio::test]
async fn a_device_killed_while_writing_reopens_intact() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("killed.db");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "devices::device_writer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("FIELDCHECK_WRITER_DB", &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("writer starts");
    let mut saved = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let line = line.expect("line");
        if let Some(id) = line.strip_prefix("saved ") {
            saved.push(id.to_string());
        }
        if saved.len() >= 30 {
            break;
        }
    }
    child.kill().expect("kill -9");
    child.wait().expect("reaped");

    let store = DeviceStore::open(&db).await.expect("the store reopens");
    for id in &saved {
        let doc = store
            .load(id)
            .await
            .expect("loads")
            .unwrap_or_else(|| panic!("{id} was saved and is gone"));
        Record::from_doc(doc).expect("intact");
    }
    let indexed = store.rebuild_index().await.expect("rebuild");
    assert!(indexed >= saved.len());
    assert_eq!(store.dirty().await.expect("dirty").len(), indexed);
}

fn bytes_of(n: u32, seed: u32) -> Vec<u8> {
    (0..n).map(|i| (i.wrapping_mul(seed) % 251) as u8).collect()
}

#[tokio::test]
async fn photos_taken_offline_go_up_resume_after_a_cut_and_reach_the_manager() {
    let dir = tempfile::tempdir().expect("tmp");
    add_user(dir.path(), "li", "inspector", "cq", "pw-123456");
    add_user(dir.path(), "wang", "manager", "cq", "pw-123456");
    let mut server = Server::start(dir.path(), None);
    let addr = server.addr.clone();
    let token = login(&addr, "li", "pw-123456").await;
    let t = template();
    let phone = DeviceStore::open(&dir.path().join("phone.db"))
        .await
        .expect("open");

    // Offline: a photo and a signature, kept by hash and attached.
    let (photo, signature) = (bytes_of(1_200_000, 7), bytes_of(40_000, 13));
    let photo_hash = phone.put_media(&photo, "image/jpeg").await.expect("put");
    let sig_hash = phone.put_media(&signature, "image/png").await.expect("put");
    let mut r = Record::create(&t, "audit-d3", "cq/yz/001", &li(1_000)).expect("create");
    r.answer(&t, &li(1_001), "a1", AnswerValue::Fail, None)
        .expect("answer");
    for (h, mime, size) in [
        (&photo_hash, "image/jpeg", photo.len()),
        (&sig_hash, "image/png", signature.len()),
    ] {
        let media = MediaRef {
            hash: h.clone(),
            mime: mime.into(),
            size: size as u64,
        };
        r.attach(&t, &li(1_002), "a1", media).expect("attach");
    }
    phone
        .save("audit-d3", r.doc_mut(), &[], true)
        .await
        .expect("save");

    // The audit reaches the server first (the server takes a file only
    // from a record that references it).
    let mut sender = Device::default();
    sender.docs.0.insert("audit-d3".into(), r.doc().clone());
    sender.changed(None, "audit-d3").await;
    sender.sync(&addr, &token).await;

    // The photo starts going up in 200 KB chunks; the server dies after two.
    let uploader = Uploader::new(
        Tls::platform().http(None).expect("an HTTP client"),
        format!("http://{addr}"),
        &token,
    )
    .with_chunk(200_000);
    let row = phone.pending_media().await.expect("pending")[0].clone();
    assert_eq!(row.hash, photo_hash);
    let cut = uploader
        .upload(&phone, &row, |p| {
            if p.sent >= 400_000 {
                server.kill9();
            }
        })
        .await;
    assert!(matches!(cut, Err(MediaError::Network(_))), "{cut:?}");
    assert_eq!(phone.pending_media().await.expect("pending").len(), 2);

    // Back up: the upload continues from what the server kept.
    let _server = Server::start_on(dir.path(), &addr);
    let mut seen = Vec::new();
    uploader
        .upload(&phone, &row, |p| seen.push(p.sent))
        .await
        .expect("resumed");
    assert_eq!(
        seen.first(),
        Some(&400_000),
        "resumed, not restarted: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&(photo.len() as u64)));

    // The sync client sends the audit and, beside it, the signature.
    let h = sync_client::spawn(phone.clone(), config(&addr, &token));
    up_to_date(&h, "phone").await;
    let mut media = h.media_status();
    let idle = tokio::time::timeout(
        Duration::from_secs(20),
        media.wait_for(|s| s.pending == 0 && s.current.is_none()),
    )
    .await
    .is_ok();
    assert!(idle, "media status now {:?}", *media.borrow());
    h.stop().await;
    assert!(phone.pending_media().await.expect("pending").is_empty());

    // The manager's device gets the audit and fetches its media, verified.
    let wang = login(&addr, "wang", "pw-123456").await;
    let tablet = DeviceStore::open(&dir.path().join("tablet.db"))
        .await
        .expect("open");
    let h = sync_client::spawn(tablet.clone(), config(&addr, &wang));
    up_to_date(&h, "tablet").await;
    h.stop().await;
    let fetcher = Uploader::new(
        Tls::platform().http(None).expect("an HTTP client"),
        format!("http://{addr}"),
        &wang,
    );
    for (hash, bytes) in [(&photo_hash, &photo), (&sig_hash, &signature)] {
        assert_eq!(&fetcher.fetch(&tablet, hash).await.expect("fetch"), bytes);
        assert_eq!(
            tablet.media_bytes(hash).await.expect("kept").as_ref(),
            Some(bytes)
        );
    }
    assert!(
        tablet.pending_media().await.expect("pending").is_empty(),
        "fetched files are not uploaded again"
    );
}

#[tokio::test]
async fn refused_changes_are_kept_as_a_rejection_until_the_user_discards_them() {
    let dir = tempfile::tempdir().expect("tmp");
    add_user(dir.path(), "li", "inspector", "cq", "pw-123456");
    let server = Server::start(dir.path(), None);
    let token = login(&server.addr, "li", "pw-123456").await;
    let t = template();
    let store = DeviceStore::open(&dir.path().join("d.db"))
        .await
        .expect("open");
    let mut r = Record::create(&t, "audit-d4", "cq/yz/001", &li(1_000)).expect("create");
    for item in ["a1", "a2", "b1"] {
        r.answer(&t, &li(1_001), item, AnswerValue::Pass, None)
            .expect("answer");
    }
    r.submit(&t, &li(1_002)).expect("submit");
    store
        .save("audit-d4", r.doc_mut(), &[], true)
        .await
        .expect("save");
    let h = sync_client::spawn(store.clone(), config(&server.addr, &token));
    up_to_date(&h, "submitted").await;

    // A tampered app approves its own audit; the server refuses.
    edit(&store, "audit-d4", |r| {
        let doc = r.doc_mut();
        doc.set_author(Some(automerge::Author::from(b"li".to_vec())));
        autosurgeon::reconcile_prop(doc, automerge::ROOT, "status", Status::Approved)
            .expect("forge");
        doc.commit();
    })
    .await;
    h.local_change("audit-d4");
    let refused = h
        .wait_for(Duration::from_secs(10), |s| {
            matches!(s, SyncStatus::Error(_))
        })
        .await;
    assert!(matches!(refused, Some(SyncStatus::Error(m)) if m.contains("audit-d4")));
    let rejections = store.rejections().await.expect("rejections");
    assert_eq!(rejections.len(), 1);
    assert!(rejections[0].1.contains("approved"), "{rejections:?}");
    assert_eq!(store.dirty().await.expect("dirty"), ["audit-d4"]);

    // The user discards the refused changes and gets the server's copy back.
    h.discard_local("audit-d4");
    up_to_date(&h, "after discarding").await;
    h.stop().await;
    assert!(store.rejections().await.expect("rejections").is_empty());
    assert!(store.dirty().await.expect("dirty").is_empty());
    let back = Record::from_doc(store.load("audit-d4").await.expect("load").expect("doc"))
        .expect("record");
    assert_eq!(back.status().expect("status"), Status::Submitted);
    assert_eq!(
        store.records().await.expect("index")[0].status,
        "submitted",
        "the index follows the server's copy"
    );
}

#[tokio::test]
async fn the_device_works_from_the_assignments_stores_and_templates_it_synced() {
    let dir = tempfile::tempdir().expect("tmp");
    let stores = dir.path().join("stores.csv");
    std::fs::write(&stores, STORES).expect("write");
    cli(dir.path(), &["stores", "import", &stores.to_string_lossy()]);
    let t = template();
    publish(dir.path(), &t);
    add_user(dir.path(), "li", "inspector", "cq/yz", "pw-123456");
    add_user(dir.path(), "wang", "manager", "cq/yz", "pw-123456");
    let server = Server::start(dir.path(), None);
    let wang = login(&server.addr, "wang", "pw-123456").await;
    let body = serde_json::json!({ "assignee": "li", "template_id": t.id, "mode": "mystery",
        "unit_id": "cq/yz/001", "starts_on": "2026-12-01", "ends_on": "2026-12-31" });
    let (status, created) = http(
        &server.addr,
        "POST",
        "/api/v1/assignments",
        Some(&wang),
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = serde_json::from_str::<serde_json::Value>(&created).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();

    let store = DeviceStore::open(&dir.path().join("li.db"))
        .await
        .expect("open");
    let token = login(&server.addr, "li", "pw-123456").await;
    let h = sync_client::spawn(store.clone(), config(&server.addr, &token));
    up_to_date(&h, "first sync").await;
    let work = store.assignments().await.expect("assignments");
    assert_eq!(work.len(), 1);
    assert_eq!(work[0].assignment_id, id);
    assert_eq!(work[0].unit_id, "cq/yz/001");
    let units: Vec<String> = store
        .units()
        .await
        .expect("units")
        .into_iter()
        .map(|u| u.unit.id)
        .collect();
    assert_eq!(
        units,
        ["cq", "cq/jb", "cq/yz", "cq/yz/001", "cq/yz/002"],
        "the district's stores and the units above"
    );
    let templates = store.templates().await.expect("templates");
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].version, t.version);
    assert!(
        store.records().await.expect("index").is_empty(),
        "reference data is not a record"
    );

    // Cancelled on the server: gone from the device while it stays connected.
    let (status, _) = http(
        &server.addr,
        "PATCH",
        &format!("/api/v1/assignments/{id}"),
        Some(&wang),
        Some(r#"{"cancelled": true}"#),
    )
    .await;
    assert_eq!(status, 200);
    let mut left = 1;
    for _ in 0..100 {
        left = store.assignments().await.expect("assignments").len();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    h.stop().await;
    assert_eq!(left, 0, "the cancellation reached the device");
}
