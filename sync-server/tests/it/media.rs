use fieldcheck_core::answers::{AnswerValue, MediaRef};
use fieldcheck_core::records::{Actor, Record};
use fieldcheck_core::vocab::Role;

use super::support::{Device, Server, add_user, http, http_raw, login, template};

fn photo() -> Vec<u8> {
    (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect()
}

fn hash(b: &[u8]) -> String {
    blake3::hash(b).to_hex().to_string()
}

async fn open(addr: &str, token: &str, h: &str, size: usize) -> (u16, serde_json::Value) {
    let (s, b) = http(
        addr,
        "POST",
        &format!("/api/v1/media/{h}"),
        Some(token),
        Some(&format!(r#"{{"size":{size},"mime":"image/jpeg"}}"#)),
    )
    .await;
    (s, serde_json::from_str(&b).unwrap_or_default())
}

async fn patch(
    addr: &str,
    token: &str,
    h: &str,
    offset: usize,
    chunk: &[u8],
) -> (u16, serde_json::Value) {
    let (s, b) = http_raw(
        addr,
        "PATCH",
        &format!("/api/v1/media/{h}"),
        Some(token),
        &[("Upload-Offset", &offset.to_string())],
        chunk,
    )
    .await;
    (s, serde_json::from_slice(&b).unwrap_or_default())
}

#[tokio::test]
async fn uploads_resume_after_a_cut_deduplicate_and_are_verified() {
    let dir = tempfile::tempdir().expect("tmp");
    add_user(dir.path(), "li", "inspector", "cq", "pw-123456");
    let server = Server::start(dir.path(), None);
    let token = login(&server.addr, "li", "pw-123456").await;
    let bytes = photo();
    let h = hash(&bytes);

    assert_eq!(
        open(&server.addr, &token, &h, bytes.len()).await.1["offset"],
        0
    );
    assert_eq!(
        patch(&server.addr, &token, &h, 0, &bytes[..100_000])
            .await
            .1["offset"],
        100_000
    );
    // The connection is cut; the device asks where to continue.
    let (_, state) = open(&server.addr, &token, &h, bytes.len()).await;
    assert_eq!(state["offset"], 100_000);
    assert_eq!(
        patch(&server.addr, &token, &h, 50_000, &bytes[50_000..60_000])
            .await
            .0,
        409,
        "a wrong offset is refused"
    );
    let (status, done) = patch(&server.addr, &token, &h, 100_000, &bytes[100_000..]).await;
    assert_eq!(status, 200);
    assert_eq!(done["complete"], true);
    // Uploading it again costs nothing.
    let (_, again) = open(&server.addr, &token, &h, bytes.len()).await;
    assert_eq!(
        (again["complete"].clone(), again["offset"].clone()),
        (serde_json::json!(true), serde_json::json!(bytes.len()))
    );

    // Bytes that do not match their hash are refused and discarded.
    let fake = hash(b"something else");
    open(&server.addr, &token, &fake, 1000).await;
    let (status, body) = http_raw(
        &server.addr,
        "PATCH",
        &format!("/api/v1/media/{fake}"),
        Some(&token),
        &[("Upload-Offset", "0")],
        &[7u8; 1000],
    )
    .await;
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        open(&server.addr, &token, &fake, 1000).await.1["offset"],
        0,
        "the bad upload was discarded"
    );

    let too_big = open(&server.addr, &token, &hash(b"big"), 200 * 1024 * 1024).await;
    assert_eq!(too_big.0, 413);
    assert_eq!(too_big.1["code"], "too_large");
    assert_eq!(open(&server.addr, &token, "not-a-hash", 10).await.0, 400);
}

#[tokio::test]
async fn media_are_served_only_to_who_may_see_a_record_that_uses_them() {
    let dir = tempfile::tempdir().expect("tmp");
    for (n, r) in [("li", "inspector"), ("zhao", "inspector")] {
        add_user(dir.path(), n, r, "cq", "pw-123456");
    }
    let server = Server::start(dir.path(), None);
    let (li_token, zhao_token) = (
        login(&server.addr, "li", "pw-123456").await,
        login(&server.addr, "zhao", "pw-123456").await,
    );
    let bytes = photo();
    let h = hash(&bytes);
    open(&server.addr, &li_token, &h, bytes.len()).await;
    patch(&server.addr, &li_token, &h, 0, &bytes).await;
    let get = |token: String| {
        let addr = server.addr.clone();
        let path = format!("/api/v1/media/{h}");
        async move { http_raw(&addr, "GET", &path, Some(&token), &[], &[]).await }
    };
    assert_eq!(
        get(li_token.clone()).await.0,
        404,
        "no record references it yet"
    );

    let t = template();
    let li = |ms| Actor {
        user: "li".into(),
        role: Role::Inspector,
        device: "p".into(),
        now_ms: ms,
    };
    let mut r = Record::create(&t, "audit-m1", "cq/yz/001", &li(1)).expect("create");
    r.answer(&t, &li(2), "a1", AnswerValue::Fail, None)
        .expect("answer");
    r.attach(
        &t,
        &li(3),
        "a1",
        MediaRef {
            hash: h.clone(),
            mime: "image/jpeg".into(),
            size: bytes.len() as u64,
        },
    )
    .expect("attach");
    let mut device = Device::default();
    device.docs.0.insert("audit-m1".into(), r.into_doc());
    device.changed(None, "audit-m1").await;
    device.sync(&server.addr, &li_token).await;

    let (status, body) = get(li_token).await;
    assert_eq!(status, 200);
    assert_eq!(body, bytes);
    assert_eq!(
        get(zhao_token).await.0,
        404,
        "someone who may not see the audit gets nothing"
    );
}
