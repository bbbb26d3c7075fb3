//! TLS end to end, across processes: a throwaway CA and a certificate for
//! `localhost`, the server on HTTPS and WSS, and the app's own code on the
//! device side.

use std::path::Path;
use std::time::Duration;

use fieldcheck_device::app::App;
use fieldcheck_device::media::Uploader;
use fieldcheck_device::net::Tls;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

use fieldcheck_tests::{Server, add_user, people, publish, template};

/// Writes a CA, and a certificate for `localhost` it signed, into `dir`;
/// returns the CA's PEM.
fn pki(dir: &Path) -> String {
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Fieldcheck test operator CA");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("key")).expect("CA");
    let key = KeyPair::generate().expect("key");
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .expect("params")
        .signed_by(&key, &ca)
        .expect("certificate");
    std::fs::write(dir.join("server.pem"), cert.pem()).expect("write");
    std::fs::write(dir.join("server-key.pem"), key.serialize_pem()).expect("write");
    ca.pem()
}

/// Signs `user` in over `http` (which trusts the test CA); their token.
async fn token_over(http: &reqwest::Client, base: &str, user: &str) -> String {
    let reply: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": user, "password": "pw-123456"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    reply["token"].as_str().expect("token").to_string()
}

/// Waits until the app's sync is up to date with nothing left to send.
async fn settled(app: &App, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let v = app.sync_status().await.expect("status");
        if v.state == "up_to_date" && v.pending == 0 && v.media_pending == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: sync status {v:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn over_tls_a_device_signs_in_syncs_uploads_and_keeps_its_session() {
    let dir = people();
    let ca = pki(dir.path());
    let config = dir.path().join("fieldcheck.toml");
    let (cert, key) = (
        dir.path().join("server.pem"),
        dir.path().join("server-key.pem"),
    );
    std::fs::write(
        &config,
        // Tokens of a day: a restarted app exchanges its token at start.
        format!(
            "tls_cert = {:?}\ntls_key = {:?}\ntoken_ttl_hours = 24\n",
            cert, key
        ),
    )
    .expect("write");
    let t = template();
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), Some(&config));
    let port = server.addr.rsplit(':').next().expect("port");
    let base = format!("https://localhost:{port}");

    // A device that does not trust the operator's CA is refused, and says why.
    let stranger = App::open(&dir.path().join("stranger")).await.expect("open");
    let refused = stranger
        .login(&base, "li", "pw-123456", None)
        .await
        .expect_err("an untrusted certificate");
    assert_eq!(refused.code, "network");
    assert!(
        refused.message.contains("not trusted on this device"),
        "{}",
        refused.message
    );
    // Plain HTTP to the TLS port gets nowhere.
    let plain = App::open(&dir.path().join("plain")).await.expect("open");
    let http = format!("http://localhost:{port}");
    assert!(plain.login(&http, "li", "pw-123456", None).await.is_err());

    // With the CA: sign in, sync, answer with a photo, all over TLS.
    let phone_dir = dir.path().join("phone");
    let phone = App::open(&phone_dir).await.expect("open");
    let session = phone
        .login(&base, "li", "pw-123456", Some(&ca))
        .await
        .expect("signed in over https");
    let ui = serde_json::to_value(&session).expect("json");
    assert!(
        ui.get("token").is_none(),
        "the UI never gets the token: {ui}"
    );
    settled(&phone, "first sync").await;
    let form = phone.start_record(&t.id, "cq/yz/001").await.expect("start");
    let photo: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    phone
        .answer(&form.doc_id, "a1", serde_json::json!("fail"), None)
        .await
        .expect("answer");
    phone
        .attach(&form.doc_id, "a1", &photo, "image/jpeg")
        .await
        .expect("attach");
    settled(&phone, "the audit and its photo").await;

    // The app restarts and goes on syncing with the session it kept.
    phone.close().await;
    drop(phone);
    let phone = App::open(&phone_dir).await.expect("reopen");
    let kept = phone.session().await.expect("still signed in");
    assert!(!kept.token.is_empty());
    assert_ne!(
        kept.token, session.token,
        "a token near its end was refreshed"
    );
    phone
        .answer(&form.doc_id, "a2", serde_json::json!("pass"), None)
        .await
        .expect("answer");
    settled(&phone, "after the restart").await;

    // A manager fetches the photo over HTTPS.
    let http = Tls::new(Some(&ca))
        .expect("tls")
        .http(None)
        .expect("client");
    let wang = token_over(&http, &base, "wang").await;
    let hash = blake3::hash(&photo).to_hex().to_string();
    let store = fieldcheck_device::store::DeviceStore::open(&dir.path().join("tablet.db"))
        .await
        .expect("open");
    let fetched = Uploader::new(http.clone(), &base, &wang)
        .fetch(&store, &hash)
        .await
        .expect("fetched");
    assert_eq!(fetched, photo);
    let hsts = http
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(hsts.status().as_u16(), 200);
    assert!(
        hsts.headers().contains_key("strict-transport-security"),
        "HSTS on TLS"
    );

    // Signing out revokes the token on the server.
    phone.logout().await.expect("logout");
    let after = http
        .get(format!("{base}/api/v1/records"))
        .bearer_auth(&kept.token)
        .send()
        .await
        .expect("request");
    assert_eq!(after.status().as_u16(), 401, "the token was revoked");
    assert_eq!(
        phone.last_server().await.as_deref(),
        Some(base.as_str()),
        "the sign-in page starts from the server it knows"
    );
    drop(server);
}

#[tokio::test]
async fn a_device_enrols_from_a_link_that_pins_the_operator_ca() {
    let dir = people();
    add_user(dir.path(), "root", "admin", "*", "pw-123456");
    let ca = pki(dir.path());
    std::fs::write(dir.path().join("ca.pem"), &ca).expect("write");
    let config = dir.path().join("fieldcheck.toml");
    let file = |n: &str| dir.path().join(n);
    std::fs::write(
        &config,
        format!(
            "tls_cert = {:?}\ntls_key = {:?}\ntls_ca = {:?}\n",
            file("server.pem"),
            file("server-key.pem"),
            file("ca.pem")
        ),
    )
    .expect("write");
    publish(dir.path(), &template());
    let server = Server::start(dir.path(), Some(&config));
    let port = server.addr.rsplit(':').next().expect("port");
    let base = format!("https://localhost:{port}");
    let http = Tls::new(Some(&ca))
        .expect("tls")
        .http(None)
        .expect("client");
    let token = |user: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move { token_over(&http, &base, user).await }
    };
    let enrol = |who: String, user: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let res = http
                .post(format!("{base}/api/v1/users/{user}/enrolments"))
                .bearer_auth(who)
                .send()
                .await
                .expect("enrol");
            let status = res.status().as_u16();
            (status, res.json::<serde_json::Value>().await.expect("json"))
        }
    };
    // A manager of one district cannot enrol a province's inspector; nobody
    // enrols a manager into the field app.
    let (status, _) = enrol(token("wang").await, "li").await;
    assert_eq!(status, 403);
    let root = token("root").await;
    assert_eq!(enrol(root.clone(), "wang").await.0, 400);

    let (status, e) = enrol(root.clone(), "LI").await;
    assert_eq!(status, 201, "{e}");
    let link = e["link"].as_str().expect("link").to_string();
    assert!(
        link.starts_with("fieldcheck://enrol?server=https%3A%2F%2Flocalhost"),
        "{link}"
    );
    assert!(
        link.contains("&ca="),
        "a private deployment pins its CA: {link}"
    );
    assert!(e["qr_svg"].as_str().expect("svg").contains("<svg"));

    // A device that trusts nothing but the link enrols, keeps the CA it
    // found in the handshake and syncs.
    let phone = App::open(&dir.path().join("phone")).await.expect("open");
    let session = phone.enrol(&link, None).await.expect("enrolled");
    assert_eq!(
        (session.user.as_str(), session.server.as_str()),
        ("li", base.as_str())
    );
    assert!(
        session
            .ca
            .as_deref()
            .is_some_and(|c| c.contains("BEGIN CERTIFICATE"))
    );
    settled(&phone, "after enrolling").await;

    // The code works once; a link naming another CA is refused.
    let other = App::open(&dir.path().join("other")).await.expect("open");
    let again = other.enrol(&link, None).await.expect_err("used");
    assert_eq!(again.code, "invalid_enrolment", "{}", again.message);
    let (_, fresh) = enrol(root, "li").await;
    let wrong_ca = fresh["link"]
        .as_str()
        .expect("link")
        .split("&ca=")
        .next()
        .expect("prefix")
        .to_string()
        + "&ca="
        + &"0".repeat(64);
    let refused = other.enrol(&wrong_ca, None).await.expect_err("wrong CA");
    assert!(
        refused.message.contains("did not present the operator CA"),
        "{}",
        refused.message
    );
    drop(server);
}
