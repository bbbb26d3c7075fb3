use fieldcheck_core::records::{Record, Status};
use fieldcheck_core::sync::Frame;
use fieldcheck_core::vocab::Role;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use fieldcheck_tests::{
    Device, Server, actor, caught_up, device_with_audit, http, http_raw, login, logout, open,
    people, pg_database, record_with_media, submitted_audit, template, try_login, upload_media,
};

#[tokio::test]
async fn health_login_and_logout() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let (status, body) = http(&server.addr, "GET", "/health", None, None).await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["status"], "ok");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));

    let wrong = try_login(&server.addr, r#"{"username":"li","password":"nope"}"#).await;
    let nobody = try_login(&server.addr, r#"{"username":"ghost","password":"nope"}"#).await;
    assert_eq!(wrong.0, 401);
    assert_eq!(
        wrong, nobody,
        "an unknown user looks exactly like a wrong password"
    );
    assert!(
        wrong.1.contains(r#""code":"invalid_credentials""#),
        "{}",
        wrong.1
    );
    let bad = try_login(&server.addr, r#"{"username": 3"#).await;
    assert_eq!(bad.0, 400);
    assert!(bad.1.contains(r#""code":"bad_request""#), "{}", bad.1);

    let token = login(&server.addr, "li", "pw-123456").await;
    assert!(open(&server.addr, &token).await.is_ok());
    assert_eq!(logout(&server.addr, &token).await, 204);
    assert!(
        open(&server.addr, &token).await.is_err(),
        "a revoked token is refused"
    );
    assert!(open(&server.addr, "not-a-token").await.is_err());
    let (status, body) = http(&server.addr, "GET", "/sync", None, None).await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let dir = people();
    let config = dir.path().join("server.toml");
    std::fs::write(&config, "token_ttl_hours = 0\n").expect("write");
    let server = Server::start(dir.path(), Some(&config));
    let token = login(&server.addr, "li", "pw-123456").await;
    assert!(open(&server.addr, &token).await.is_err());
}

#[tokio::test]
async fn an_audit_travels_to_the_manager_and_the_return_comes_back_by_push() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let t = template();
    let (li_token, wang_token) = (
        login(&server.addr, "li", "pw-123456").await,
        login(&server.addr, "wang", "pw-123456").await,
    );

    let mut li = device_with_audit(&t, "audit-1").await;
    let mut li_ws = li.sync(&server.addr, &li_token).await;
    assert_eq!(
        li.client.dirty().count(),
        0,
        "the server acknowledged the audit: {:?} {:?}",
        li.rejected,
        li.errors
    );
    assert!(li.client.cursor() >= 1);

    let mut wang = Device::default();
    let mut wang_ws = wang.sync(&server.addr, &wang_token).await;
    let doc = wang
        .docs
        .0
        .remove("audit-1")
        .expect("the manager received the audit");
    let mut record = Record::from_doc(doc).expect("a record");
    assert_eq!(record.status().expect("status"), Status::Submitted);
    record
        .return_for_changes(
            &actor("wang", Role::Manager, 9_000),
            "Photo of the sign, please",
        )
        .expect("return");
    wang.docs.0.insert("audit-1".into(), record.into_doc());
    wang.changed(Some(&mut wang_ws), "audit-1").await;
    assert_eq!(wang.client.dirty().count(), 0);

    // The inspector's open session receives the return without asking.
    li.pump(&mut li_ws).await;
    let back = Record::from_doc(li.docs.0.get("audit-1").expect("doc").clone()).expect("record");
    let state = back.state().expect("state");
    assert_eq!(state.status, Status::Returned);
    assert_eq!(
        state.comments.values().next().map(|c| c.text.as_str()),
        Some("Photo of the sign, please")
    );
}

#[tokio::test]
async fn people_see_only_what_their_role_and_scope_allow() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let t = template();
    let mut li = device_with_audit(&t, "audit-2").await;
    li.sync(&server.addr, &login(&server.addr, "li", "pw-123456").await)
        .await;

    let mut sessions = Vec::new();
    for (user, why) in [
        ("chen", "a manager of another district sees no record"),
        ("zhao", "another inspector does not see li's audit"),
    ] {
        let mut device = Device::default();
        let token = login(&server.addr, user, "pw-123456").await;
        let ws = device.sync(&server.addr, &token).await;
        assert!(device.records().is_empty(), "{why}");
        sessions.push((device, ws));
    }
    let (mut zhao, mut zhao_ws) = sessions.pop().expect("zhao");

    // Asking for it by id is refused with the same words as a store outside the scope.
    zhao.changed(Some(&mut zhao_ws), "audit-2").await;
    assert_eq!(
        zhao.rejected,
        [(
            "audit-2".to_string(),
            "not found or not permitted".to_string()
        )]
    );
    assert!(
        zhao.docs
            .0
            .get("audit-2")
            .is_none_or(|d| d.clone().get_heads().is_empty())
    );
}

#[tokio::test]
async fn forged_changes_are_refused_and_not_stored() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let t = template();
    let li_token = login(&server.addr, "li", "pw-123456").await;
    let mut li = device_with_audit(&t, "audit-3").await;
    let mut ws = li.sync(&server.addr, &li_token).await;

    // The inspector's app is tampered with: it approves its own audit.
    let doc = li.docs.0.get_mut("audit-3").expect("doc");
    autosurgeon::reconcile_prop(doc, automerge::ROOT, "status", Status::Approved).expect("forge");
    doc.set_author(Some(automerge::Author::from(b"li".to_vec())));
    doc.commit();
    li.changed(Some(&mut ws), "audit-3").await;
    assert_eq!(li.rejected.len(), 1);
    assert!(
        li.rejected[0]
            .1
            .contains("cannot move a record from submitted to approved"),
        "{:?}",
        li.rejected
    );

    let mut wang = Device::default();
    wang.sync(
        &server.addr,
        &login(&server.addr, "wang", "pw-123456").await,
    )
    .await;
    let seen = Record::from_doc(wang.docs.0.remove("audit-3").expect("doc")).expect("record");
    assert_eq!(
        seen.status().expect("status"),
        Status::Submitted,
        "the forged approval was not stored"
    );
}

#[tokio::test]
async fn bad_frames_get_an_error_and_the_session_goes_on() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let token = login(&server.addr, "li", "pw-123456").await;
    let mut ws = open(&server.addr, &token).await.expect("opens");
    for junk in [vec![], vec![99, 1, 2], vec![1, 250, 250, 250]] {
        ws.send(Message::Binary(junk.into())).await.expect("send");
        let reply = ws.next().await.expect("a reply").expect("ok");
        let frame = fieldcheck_core::sync::decode(&reply.into_data()).expect("a frame");
        assert!(matches!(frame, Frame::Error { .. }), "{frame:?}");
    }
    ws.send(Device::send_raw(&Frame::Hello {
        cursor: 0,
        dirty: vec![],
    }))
    .await
    .expect("send");
    let reply = ws.next().await.expect("a reply").expect("ok");
    assert!(matches!(
        fieldcheck_core::sync::decode(&reply.into_data()),
        Ok(Frame::Welcome { .. })
    ));
    assert_eq!(
        http(&server.addr, "GET", "/health", None, None).await.0,
        200,
        "still serving"
    );
}

#[tokio::test]
async fn kill_9_in_the_middle_of_a_sync_loses_nothing_acknowledged() {
    let dir = people();
    let t = template();
    let mut server = Server::start(dir.path(), None);
    let token = login(&server.addr, "li", "pw-123456").await;
    let mut li = Device::default();
    for i in 0..40 {
        let id = format!("audit-k{i}");
        li.docs
            .0
            .insert(id.clone(), submitted_audit(&t, &id).into_doc());
        li.changed(None, &id).await;
    }
    // Start the sync and kill the server while frames are in flight.
    let mut ws = open(&server.addr, &token).await.expect("opens");
    let hello = li.client.connect();
    ws.send(Device::send_raw(&hello)).await.expect("send");
    // Kill it as soon as a few audits are acknowledged, with the rest in flight.
    while li.client.dirty().count() > 35 {
        let Some(Ok(Message::Binary(b))) = ws.next().await else {
            break;
        };
        let effects = li.client.receive(
            fieldcheck_core::sync::decode(&b).expect("frame"),
            &mut li.docs,
        );
        li.apply(&mut ws, effects).await;
    }
    server.kill9();
    li.client.disconnect();
    let acknowledged: Vec<String> = (0..40)
        .map(|i| format!("audit-k{i}"))
        .filter(|id| !li.client.dirty().any(|d| d == id))
        .collect();
    assert!(
        !acknowledged.is_empty() && acknowledged.len() < 40,
        "killed mid-sync: {} acknowledged",
        acknowledged.len()
    );

    let server = Server::start(dir.path(), None);
    let token = login(&server.addr, "wang", "pw-123456").await;
    let mut wang = Device::default();
    wang.sync(&server.addr, &token).await;
    for id in &acknowledged {
        assert!(
            wang.docs.0.contains_key(id),
            "{id} was acknowledged before the kill and is gone"
        );
    }
    // The device resends the rest and everything arrives.
    li.sync(&server.addr, &login(&server.addr, "li", "pw-123456").await)
        .await;
    assert_eq!(li.client.dirty().count(), 0);
    let mut wang2 = Device::default();
    wang2.sync(&server.addr, &token).await;
    assert_eq!(wang2.records().len(), 40);
}

/// Two server processes on one PostgreSQL database: a change accepted by one
/// reaches a device connected to the other by push (LISTEN/NOTIFY). With the
/// embedded SQLite engine there is one server per file, so this test has
/// nothing to check there and passes through; the PostgreSQL run of
/// `cargo xtask test` exercises it.
#[tokio::test]
async fn replicas_sharing_postgres_push_each_others_changes() {
    let Some(dir) = people_on_postgres() else {
        return;
    };
    let t = template();
    let (a, b) = (
        Server::start(dir.path(), None),
        Server::start(dir.path(), None),
    );
    let mut wang = Device::default();
    let mut wang_ws = wang
        .sync(&b.addr, &login(&b.addr, "wang", "pw-123456").await)
        .await;
    assert!(wang.records().is_empty());

    let mut li = device_with_audit(&t, "audit-r1").await;
    li.sync(&a.addr, &login(&a.addr, "li", "pw-123456").await)
        .await;
    assert_eq!(li.client.dirty().count(), 0);

    wang.pump(&mut wang_ws).await;
    let got = Record::from_doc(
        wang.docs
            .0
            .remove("audit-r1")
            .expect("pushed across replicas"),
    )
    .expect("record");
    assert_eq!(got.status().expect("status"), Status::Submitted);
}

#[tokio::test]
async fn document_ids_that_are_not_plain_words_are_refused() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let token = login(&server.addr, "li", "pw-123456").await;
    let mut ws = open(&server.addr, &token).await.expect("opens");
    ws.send(Device::send_raw(&Frame::Hello {
        cursor: 0,
        dirty: vec![],
    }))
    .await
    .expect("send");
    ws.next().await.expect("welcome").expect("ok");
    for bad in ["a|b", "", "x y", &"z".repeat(200)] {
        ws.send(Device::send_raw(&Frame::Sync {
            doc: bad.to_string(),
            message: vec![],
        }))
        .await
        .expect("send");
        // The reference data the session offers may come first.
        let frame = loop {
            let reply = ws.next().await.expect("a reply").expect("ok");
            let frame = fieldcheck_core::sync::decode(&reply.into_data()).expect("a frame");
            if !matches!(&frame, Frame::Sync { .. } | Frame::UpToDate { .. }) {
                break frame;
            }
        };
        assert!(
            matches!(&frame, Frame::Error { message, .. } if message.contains("document id")),
            "{bad:?}: {frame:?}"
        );
    }
}

/// When a replica loses its notification connection, changes may have been
/// missed: its sessions close, and a device that reconnects catches up.
#[tokio::test]
async fn a_replica_that_loses_its_notifications_makes_devices_resync() {
    let Some(base) = std::env::var_os("FIELDCHECK_TEST_POSTGRES") else {
        return;
    };
    let dir = people();
    let t = template();
    let (a, b) = (
        Server::start(dir.path(), None),
        Server::start(dir.path(), None),
    );
    let wang_token = login(&b.addr, "wang", "pw-123456").await;
    let mut wang = Device::default();
    let mut wang_ws = wang.sync(&b.addr, &wang_token).await;

    // Cut every listener's connection from the database side.
    let out = std::process::Command::new("psql")
        .arg(format!("{}/postgres", base.to_string_lossy()))
        .arg("-Atc")
        .arg(format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = '{}'",
            pg_database(dir.path())
        ))
        .output()
        .expect("psql runs");
    let killed: u32 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a count");
    assert!(killed >= 2, "both replicas listen");

    // Meanwhile li stores an audit through replica A.
    let mut li = device_with_audit(&t, "audit-r2").await;
    li.sync(&a.addr, &login(&a.addr, "li", "pw-123456").await)
        .await;

    // The manager's session on B is closed so that nothing stays missed...
    let closed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match wang_ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert_eq!(
        closed,
        Ok(true),
        "the session on the replica that lost its notifications closes"
    );
    // ...and reconnecting with the cursor brings the audit.
    wang.client.disconnect();
    wang.sync(&b.addr, &wang_token).await;
    assert!(wang.docs.0.contains_key("audit-r2"));
}

#[tokio::test]
async fn the_server_serves_the_web_console_beside_the_api() {
    let dir = tempfile::tempdir().expect("tmp");
    let console = dir.path().join("console");
    std::fs::create_dir_all(console.join("assets")).expect("mkdir");
    std::fs::write(
        console.join("index.html"),
        "<!doctype html><title>console-index</title>",
    )
    .expect("write");
    std::fs::write(console.join("assets/app.js"), "console.log('app')").expect("write");
    let config = dir.path().join("fc.toml");
    std::fs::write(
        &config,
        format!("console = {:?}\n", console.to_string_lossy()),
    )
    .expect("write");
    let server = Server::start(dir.path(), Some(&config));
    let get = |path: &'static str| {
        let addr = server.addr.clone();
        async move { fieldcheck_tests::http(&addr, "GET", path, None, None).await }
    };
    let (status, page) = get("/").await;
    assert_eq!(
        (status, page.contains("console-index")),
        (200, true),
        "{page}"
    );
    let (status, js) = get("/assets/app.js").await;
    assert_eq!((status, js.as_str()), (200, "console.log('app')"));
    let (status, page) = get("/review/some-record").await;
    assert_eq!(
        (status, page.contains("console-index")),
        (200, true),
        "the console's own routes"
    );
    let (status, body) = get("/api/v1/nothing-here").await;
    assert_eq!(status, 404);
    assert!(body.contains("\"code\":\"not_found\""), "{body}");
    assert_eq!(get("/health").await.0, 200);
}

/// The response head of a GET, lower-cased.
async fn head_of(addr: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .expect("writes");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("reads");
    let raw = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    raw.split("\r\n\r\n").next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    for path in ["/health", "/api/v1/records", "/api/v1/no-such-thing"] {
        let head = head_of(&server.addr, path).await;
        for expected in [
            "x-content-type-options: nosniff",
            "x-frame-options: deny",
            "referrer-policy: no-referrer",
            "content-security-policy: default-src 'self'; script-src 'self';",
        ] {
            assert!(head.contains(expected), "{path}: {expected} in\n{head}");
        }
        assert!(head.contains("frame-ancestors 'none'"), "{path}: {head}");
    }
}

/// Posts a sign-in; returns the status and the Retry-After header, if any.
async fn sign_in(addr: &str, user: &str, password: &str) -> (u16, Option<u64>) {
    sign_in_via(addr, user, password, None).await
}

/// A sign-in, through a proxy that says it came from `forwarded_for`.
async fn sign_in_via(
    addr: &str,
    user: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (u16, Option<u64>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let forwarded = forwarded_for.map_or(String::new(), |f| format!("X-Forwarded-For: {f}\r\n"));
    let body = format!(r#"{{"username":"{user}","password":"{password}"}}"#);
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    s.write_all(
        format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\n{forwarded}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .expect("writes");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("reads");
    let head = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let retry = head
        .lines()
        .find_map(|l| l.strip_prefix("retry-after: "))
        .and_then(|v| v.trim().parse().ok());
    (status, retry)
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account_and_then_per_address() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let addr = &server.addr;
    for _ in 0..6 {
        assert_eq!(sign_in(addr, "li", "wrong-password").await, (401, None));
    }
    let (status, retry) = sign_in(addr, "LI", "wrong-password").await;
    assert_eq!(
        (status, retry),
        (429, Some(1)),
        "the account, whatever its case"
    );
    assert_eq!(
        sign_in(addr, "li", "pw-123456").await.0,
        429,
        "even the right password waits"
    );
    assert_eq!(
        sign_in(addr, "wang", "pw-123456").await,
        (200, None),
        "another account from the same address is not slowed"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(sign_in(addr, "li", "pw-123456").await.0, 200);

    // Guessing many accounts from one address holds the address back.
    let mut held = None;
    for i in 0..40 {
        let (status, retry) = sign_in(addr, &format!("ghost{i}"), "wrong-password").await;
        if status == 429 {
            held = Some((i, retry));
            break;
        }
    }
    let (after, retry) = held.expect("the address is held back");
    assert!(after > 10, "not before its free failures: {after}");
    assert!(retry.is_some_and(|s| s >= 1));
    assert_eq!(sign_in(addr, "wang", "pw-123456").await.0, 429);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_is_throttled_on_its_own() {
    let dir = people();
    let config = dir.path().join("fieldcheck.toml");
    std::fs::write(&config, "trusted_proxies = [\"127.0.0.1\"]\n").expect("write");
    let server = Server::start(dir.path(), Some(&config));
    let addr = &server.addr;
    // One client guesses many accounts through the proxy...
    let mut held = false;
    for i in 0..40 {
        let (status, _) = sign_in_via(
            addr,
            &format!("ghost{i}"),
            "wrong-password",
            Some("198.51.100.7"),
        )
        .await;
        if status == 429 {
            held = true;
            break;
        }
    }
    assert!(held, "the guessing client is held back");
    // ...and another client behind the same proxy is not slowed; nor does
    // a forged left-most entry help the first one.
    assert_eq!(
        sign_in_via(addr, "wang", "pw-123456", Some("198.51.100.8"))
            .await
            .0,
        200
    );
    assert_eq!(
        sign_in_via(addr, "wang", "pw-123456", Some("203.0.113.1, 198.51.100.7"))
            .await
            .0,
        429
    );
    // Without the proxy trusted, the header changes nothing.
    let plain = Server::start(dir.path(), None);
    for i in 0..40 {
        sign_in_via(
            &plain.addr,
            &format!("ghost{i}"),
            "wrong-password",
            Some(&format!("198.51.100.{i}")),
        )
        .await;
    }
    assert_eq!(
        sign_in_via(&plain.addr, "wang", "pw-123456", Some("198.51.100.200"))
            .await
            .0,
        429,
        "a client cannot escape by naming another address"
    );
}

#[tokio::test]
async fn a_token_is_refreshed_for_a_new_one_and_the_old_one_stops() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let addr = &server.addr;
    let old = login(addr, "li", "pw-123456").await;
    let (status, body) = http(addr, "POST", "/api/v1/auth/refresh", Some(&old), None).await;
    assert_eq!(status, 200, "{body}");
    let reply: serde_json::Value = serde_json::from_str(&body).expect("json");
    let new = reply["token"].as_str().expect("token");
    assert_ne!(new, old);
    assert!(reply["expires_at"].as_i64().is_some_and(|t| t > 0));
    assert_eq!(
        http(addr, "GET", "/api/v1/units", Some(new), None).await.0,
        200
    );
    assert_eq!(
        http(addr, "GET", "/api/v1/units", Some(&old), None).await.0,
        401
    );
    assert_eq!(
        http(addr, "POST", "/api/v1/auth/refresh", Some(&old), None)
            .await
            .0,
        401
    );
}

/// Two replicas on one PostgreSQL database, each with its own data folder:
/// a photo uploaded through one is served by the other; one replica
/// materialises at a time, and when it is killed the other takes over.
#[tokio::test]
async fn replicas_share_media_and_one_materialiser_hands_over_when_killed() {
    let Some(dir) = people_on_postgres() else {
        return;
    };
    let t = template();
    let mut a = Server::start(dir.path(), None);
    // A takes the materialiser's lock at start; B, started after, waits.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let own = tempfile::tempdir().expect("tmp");
    let b = Server::replica(own.path(), dir.path());

    let li = login(&b.addr, "li", "pw-123456").await;
    let photo: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let h = blake3::hash(&photo).to_hex().to_string();
    record_with_media(&b.addr, &li, "li", "audit-rm", &[(&photo, "image/jpeg")]).await;
    upload_media(&b.addr, &li, &photo, "image/jpeg").await;
    let wang_a = login(&a.addr, "wang", "pw-123456").await;
    let (status, got) = http_raw(
        &a.addr,
        "GET",
        &format!("/api/v1/media/{h}"),
        Some(&wang_a),
        &[],
        &[],
    )
    .await;
    assert_eq!(
        (status, got.len()),
        (200, photo.len()),
        "served by the other replica"
    );
    assert_eq!(got, photo);

    // The queue counts what the materialiser wrote, read through B.
    let wang_b = login(&b.addr, "wang", "pw-123456").await;
    // B answers once the tables hold every change, whoever materialises.
    let queued = |n: i64| {
        let (addr, token) = (b.addr.clone(), wang_b.clone());
        async move {
            caught_up(&addr, &token).await;
            let (_, body) = http(&addr, "GET", "/api/v1/records", Some(&token), None).await;
            serde_json::from_str::<serde_json::Value>(&body).expect("json")["total"].as_i64()
                == Some(n)
        }
    };
    let mut first = device_with_audit(&t, "audit-rq1").await;
    first.sync(&b.addr, &li).await;
    assert!(queued(1).await, "materialised while A leads");
    assert_eq!(
        advisory_locks(dir.path()),
        1,
        "one materialiser of two replicas"
    );

    // A dies without a word; B takes the lock and catches up.
    a.kill9();
    let mut second = device_with_audit(&t, "audit-rq2").await;
    second.sync(&b.addr, &li).await;
    assert!(queued(2).await, "B took over the materialiser");
    assert_eq!(advisory_locks(dir.path()), 1);
}

/// Advisory locks held in the database of a test data folder.
fn advisory_locks(data_dir: &std::path::Path) -> usize {
    let base = std::env::var("FIELDCHECK_TEST_POSTGRES").expect("postgres");
    let out = std::process::Command::new("psql")
        .arg(format!("{base}/{}", pg_database(data_dir)))
        .args([
            "-tAc",
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        ])
        .output()
        .expect("psql runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a count")
}

/// `/api/v1/status` says how far the tables are and waits for a change to
/// reach them: at once when it has, at the timeout when it cannot.
#[tokio::test]
async fn the_status_says_how_far_the_tables_are_and_waits_for_them() {
    let dir = people();
    let server = Server::start(dir.path(), None);
    let (status, _) = http(&server.addr, "GET", "/api/v1/status", None, None).await;
    assert_eq!(status, 401);
    let li = login(&server.addr, "li", "pw-123456").await;
    let mut device = device_with_audit(&template(), "audit-st1").await;
    device.sync(&server.addr, &li).await;
    caught_up(&server.addr, &li).await;
    let (_, now) = fieldcheck_tests::get_json(&server.addr, &li, "/api/v1/status").await;
    let seq = now["sequence"].as_i64().expect("sequence");
    assert!(seq > 0, "{now}");
    assert_eq!(now["materialised"].as_i64(), Some(seq), "{now}");
    // A change that does not exist yet: the answer comes at the timeout,
    // short of it.
    let path = format!("/api/v1/status?seq={}&timeout_ms=300", seq + 1);
    let (status, later) = fieldcheck_tests::get_json(&server.addr, &li, &path).await;
    assert_eq!(status, 200);
    assert_eq!(later["materialised"].as_i64(), Some(seq), "{later}");
    let (status, bad) =
        fieldcheck_tests::get_json(&server.addr, &li, "/api/v1/status?seq=soon").await;
    assert_eq!((status, bad["code"].as_str()), (400, Some("bad_request")));
}

/// The tests' people on the test PostgreSQL; `None` without one, where a
/// test of replicas has nothing to check.
fn people_on_postgres() -> Option<tempfile::TempDir> {
    std::env::var_os("FIELDCHECK_TEST_POSTGRES").map(|_| people())
}
