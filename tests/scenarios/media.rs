use fieldcheck_tests::{Server, add_user, http, http_raw, login, people, record_with_media};

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
    let fake_bytes = [9u8; 1000];
    let fake = hash(&fake_bytes);
    record_with_media(
        &server.addr,
        &token,
        "li",
        "audit-u1",
        &[(&bytes, "image/jpeg"), (&fake_bytes, "image/jpeg")],
    )
    .await;

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
    assert_eq!(
        open(&server.addr, &li_token, &h, bytes.len()).await.0,
        403,
        "no record references it yet: nobody may upload it"
    );
    record_with_media(
        &server.addr,
        &li_token,
        "li",
        "audit-m1",
        &[(&bytes, "image/jpeg")],
    )
    .await;
    open(&server.addr, &li_token, &h, bytes.len()).await;
    patch(&server.addr, &li_token, &h, 0, &bytes).await;
    let get = |token: String| {
        let addr = server.addr.clone();
        let path = format!("/api/v1/media/{h}");
        async move { http_raw(&addr, "GET", &path, Some(&token), &[], &[]).await }
    };
    let (status, body) = get(li_token).await;
    assert_eq!(status, 200);
    assert_eq!(body, bytes);
    assert_eq!(
        get(zhao_token).await.0,
        404,
        "someone who may not see the audit gets nothing"
    );
}

#[tokio::test]
async fn only_the_records_people_upload_its_media_with_the_size_and_type_it_gives() {
    let dir = people();
    add_user(dir.path(), "shop", "store_staff", "cq/yz/001", "pw-123456");
    let server = Server::start(dir.path(), None);
    let addr = &server.addr;
    let token = |n: &'static str| async move { login(addr, n, "pw-123456").await };
    let li = token("li").await;
    let bytes = photo();
    let h = hash(&bytes);
    record_with_media(addr, &li, "li", "audit-s1", &[(&bytes, "image/jpeg")]).await;

    // Store staff, another inspector and a manager elsewhere cannot open
    // it, whatever size they claim: the squatting of the issue.
    for who in ["shop", "zhao", "chen"] {
        let (status, body) = open(addr, &token(who).await, &h, 1).await;
        assert_eq!(status, 403, "{who}: {body}");
        assert_eq!(body["code"], "not_referenced", "{who}");
    }
    // The author must give the size and type the record gives.
    assert_eq!(open(addr, &li, &h, 1).await.0, 403, "a wrong size");
    let (status, _) = http(
        addr,
        "POST",
        &format!("/api/v1/media/{h}"),
        Some(&li),
        Some(&format!(r#"{{"size":{},"mime":"text/html"}}"#, bytes.len())),
    )
    .await;
    assert_eq!(status, 403, "a wrong type");
    // The reviewer of the store may (a file they attach), and so may the
    // author, who uploads it whole.
    assert_eq!(
        open(addr, &token("wang").await, &h, bytes.len()).await.0,
        200
    );
    let (status, done) = patch(addr, &li, &h, 0, &bytes).await;
    assert_eq!(
        (status, done["complete"].clone()),
        (200, serde_json::json!(true))
    );
}
