//! The review API: the queue in scope, a record in full, its raw bytes, and
//! review writes that reach the inspector's device through sync.

use std::time::Duration;

use fieldcheck_core::answers::{AnswerValue, MediaRef};
use fieldcheck_core::records::{Record, Status};
use fieldcheck_core::scoring::audit::score_visit;
use fieldcheck_core::templates::Template;
use fieldcheck_core::vocab::Role;
use fieldcheck_device::store::DeviceStore;
use fieldcheck_device::sync_client;
use fieldcheck_server::store::Storage;
use serde_json::json;
use sqlx::Row;

use fieldcheck_tests::{
    Device, Server, actor, caught_up, config, database_url, http, http_raw, login, people, publish,
    submitted_audit, template, up_to_date, upload_media,
};

use fieldcheck_tests::get_json as get;
use fieldcheck_tests::post_json as post;

#[tokio::test]
async fn a_manager_reviews_through_the_api_and_the_device_hears_it() {
    let dir = people();
    let t = template();
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), None);
    let addr = server.addr.clone();

    // The inspector's phone holds two submitted audits and stays connected.
    let phone = DeviceStore::open(&dir.path().join("phone.db"))
        .await
        .expect("open");
    for id in ["rv-1", "rv-2"] {
        let mut r = submitted_audit(&t, id);
        phone.save(id, r.doc_mut(), &[], true).await.expect("save");
    }
    let li = login(&addr, "li", "pw-123456").await;
    let h = sync_client::spawn(phone.clone(), config(&addr, &li));
    up_to_date(&h, "phone").await;

    // The queue, once materialised, filtered and scoped.
    let wang = login(&addr, "wang", "pw-123456").await;
    caught_up(&addr, &wang).await;
    let queue = get(&addr, &wang, "/api/v1/records").await.1;
    assert_eq!(queue["total"], 2, "{queue:#}");
    assert_eq!(queue["records"][0]["author"], "li");
    let filtered = get(&addr, &wang, "/api/v1/records?store=cq/yz/001&min_score=50")
        .await
        .1;
    assert_eq!(filtered["total"], 2);
    assert_eq!(
        get(&addr, &wang, "/api/v1/records?inspector=zhao").await.1["total"],
        0
    );
    // Sorted by a column either way; an unknown sort is refused by its code.
    for sort in ["store:asc", "started:desc", "score:asc"] {
        let page = get(&addr, &wang, &format!("/api/v1/records?sort={sort}"))
            .await
            .1;
        assert_eq!(page["total"], 2, "{sort}: {page}");
        assert_eq!(page["records"].as_array().map(Vec::len), Some(2), "{sort}");
    }
    let (status, err) = get(&addr, &wang, "/api/v1/records?sort=author").await;
    assert_eq!(
        (status, &err["key"]),
        (400, &json!("request.sort")),
        "{err}"
    );
    assert_eq!(err["params"]["sort"], "author");
    let chen = login(&addr, "chen", "pw-123456").await;
    assert_eq!(
        get(&addr, &chen, "/api/v1/records").await.1["total"],
        0,
        "another district"
    );
    assert_eq!(get(&addr, &chen, "/api/v1/records/rv-1").await.0, 404);
    assert_eq!(
        get(&addr, &chen, "/api/v1/records/rv-1").await,
        get(&addr, &chen, "/api/v1/records/no-such").await,
        "out of scope looks exactly like missing"
    );
    let (status, detail) = get(&addr, &wang, "/api/v1/records/rv-1").await;
    assert_eq!(status, 200);
    assert_eq!(detail["record"]["status"], "submitted");
    assert_eq!(detail["answers"].as_array().map(Vec::len), Some(7));
    assert!(detail["history"].as_array().is_some_and(|h| !h.is_empty()));

    // Review writes; bad ones change nothing.
    let action =
        r#"{"item":"a3","description":"Dust the counter","assignee":"li","due":"2026-12-31"}"#;
    assert_eq!(
        post(&addr, &wang, "/api/v1/records/rv-1/actions", action)
            .await
            .0,
        200
    );
    let (status, body) = post(
        &addr,
        &wang,
        "/api/v1/records/rv-1/return",
        r#"{"comment":" "}"#,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));
    assert_eq!(
        post(&addr, &wang, "/api/v1/records/rv-1/return", "{not json")
            .await
            .0,
        400
    );
    let ret = r#"{"comment":"Photo of the sign, please"}"#;
    assert_eq!(
        post(&addr, &wang, "/api/v1/records/rv-1/return", ret)
            .await
            .0,
        200
    );
    assert_eq!(
        post(&addr, &wang, "/api/v1/records/rv-2/approve", "")
            .await
            .0,
        200
    );
    let (status, body) = post(&addr, &wang, "/api/v1/records/rv-2/approve", "").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("invalid_state"))
    );
    assert_eq!(
        post(&addr, &li, "/api/v1/records/rv-1/approve", "").await.0,
        403
    );
    assert_eq!(
        post(&addr, &chen, "/api/v1/records/rv-2/approve", "")
            .await
            .0,
        404
    );

    // The phone, still connected, receives the review by push.
    let mut seen = (String::new(), String::new());
    for _ in 0..100 {
        let index = phone.records().await.expect("index");
        let status = |id: &str| {
            index
                .iter()
                .find(|r| r.doc_id == id)
                .map(|r| r.status.clone())
                .unwrap_or_default()
        };
        seen = (status("rv-1"), status("rv-2"));
        if seen == ("returned".into(), "approved".into()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, ("returned".into(), "approved".into()));
    h.stop().await;
    let back = Record::from_doc(phone.load("rv-1").await.expect("load").expect("doc"))
        .expect("record")
        .state()
        .expect("state");
    assert_eq!(back.status, Status::Returned);
    assert!(
        back.comments
            .values()
            .any(|c| c.text == "Photo of the sign, please")
    );
    assert_eq!(
        back.actions.values().next().map(|a| a.assignee.as_str()),
        Some("li")
    );

    // The raw document loads in Automerge as it is.
    let (status, bytes) = http_raw(
        &addr,
        "GET",
        "/api/v1/records/rv-1/document",
        Some(&wang),
        &[],
        &[],
    )
    .await;
    assert_eq!(status, 200);
    let doc = automerge::AutoCommit::load(&bytes).expect("automerge bytes");
    let state = Record::from_doc(doc)
        .expect("record")
        .state()
        .expect("state");
    assert_eq!(state.status, Status::Returned);

    // Every accepted write is in the audit log, the refused ones are not
    // (beside the command line's, which set the server up).
    let storage = Storage::open(&database_url(dir.path()))
        .await
        .expect("storage");
    let mut actions: Vec<String> =
        sqlx::query("SELECT action FROM audit_log WHERE user_id <> 'cli'")
            .fetch_all(storage.pool())
            .await
            .expect("log")
            .iter()
            .map(|r| r.try_get("action").expect("action"))
            .collect();
    actions.sort();
    assert_eq!(actions, ["approve", "open_action", "return"]);
}

#[tokio::test]
async fn the_printable_report_shows_scores_failures_and_photos_in_either_language() {
    let dir = people();
    let t = template();
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), None);
    let addr = server.addr.clone();
    let li = login(&addr, "li", "pw-123456").await;

    // The audit, with a photo of the failed item; the photo is uploaded
    // once the audit is on the server (the server takes a file only for a
    // record that references it).
    let photo: Vec<u8> = (0..5_000u32).map(|i| (i % 251) as u8).collect();
    let hash = blake3::hash(&photo).to_hex().to_string();
    let who = |ms| actor("li", Role::Inspector, ms);
    let mut r = Record::create(&t, "rp-1", "cq/yz/001", &who(1_000)).expect("create");
    for (i, item) in ["a1", "a2", "a3", "a4", "b1", "b2", "b3"]
        .iter()
        .enumerate()
    {
        let v = if *item == "a3" {
            AnswerValue::Fail
        } else {
            AnswerValue::Pass
        };
        let note = (*item == "a3").then(|| "柜台积灰 <dusty>".to_string());
        r.answer(&t, &who(2_000 + i as i64), item, v, note)
            .expect("answer");
    }
    let media = MediaRef {
        hash: hash.clone(),
        mime: "image/png".into(),
        size: photo.len() as u64,
    };
    r.attach(&t, &who(2_100), "a3", media).expect("attach");
    r.submit(&t, &who(3_000)).expect("submit");
    let mut device = Device::default();
    device.docs.0.insert("rp-1".into(), r.into_doc());
    device.changed(None, "rp-1").await;
    device.sync(&addr, &li).await;
    upload_media(&addr, &li, &photo, "image/png").await;

    let wang = login(&addr, "wang", "pw-123456").await;
    let (status, zh) = http(
        &addr,
        "GET",
        "/api/v1/records/rp-1/report",
        Some(&wang),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, en) = http(
        &addr,
        "GET",
        "/api/v1/records/rp-1/report?lang=en",
        Some(&wang),
        None,
    )
    .await;
    for (page, title, failed) in [
        (&zh, "<h1>例</h1>", "不符合项"),
        (&en, "<h1>Example</h1>", "Failed items"),
    ] {
        assert!(page.contains(title), "{page}");
        assert!(page.contains(failed));
        assert!(page.contains("cq/yz/001"));
        assert!(page.contains("柜台积灰 &lt;dusty&gt;"), "notes are escaped");
        assert!(
            page.contains("data:image/png;base64,"),
            "the photo is in the page"
        );
        assert!(page.contains(&format!("{:.1}", score_of(&t))));
    }
    // Statuses in words of the page's language.
    assert!(zh.contains("已提交"), "{zh}");
    assert!(en.contains("submitted"));
    let chen = login(&addr, "chen", "pw-123456").await;
    assert_eq!(
        http(
            &addr,
            "GET",
            "/api/v1/records/rp-1/report",
            Some(&chen),
            None
        )
        .await
        .0,
        404
    );
}

/// The worked example with only a3 failed.
fn score_of(t: &Template) -> f64 {
    use AnswerValue::{Fail, Pass};
    let answers = ["a1", "a2", "a3", "a4", "b1", "b2", "b3"]
        .iter()
        .map(|i| (i.to_string(), if *i == "a3" { Fail } else { Pass }))
        .collect();
    score_visit(t, &answers, None).score.expect("score")
}

/// An audit by li with item a3 answered `a3`, started at `at`.
fn audit_with(t: &Template, id: &str, store: &str, at: i64, a3: AnswerValue) -> Record {
    let li = |ms| actor("li", Role::Inspector, ms);
    let mut r = Record::create(t, id, store, &li(at)).expect("create");
    for item in ["a1", "a2", "a4", "b1", "b2", "b3"] {
        r.answer(t, &li(at + 1), item, AnswerValue::Pass, None)
            .expect("answer");
    }
    r.answer(t, &li(at + 2), "a3", a3, None).expect("answer");
    r.submit(t, &li(at + 3)).expect("submit");
    r
}

#[tokio::test]
async fn a_corrective_action_is_verified_by_a_re_audit_that_passes_its_item() {
    let dir = people();
    fieldcheck_tests::add_user(dir.path(), "s1", "store_staff", "cq/yz/001", "pw-123456");
    let t = template();
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), None);
    let addr = server.addr.clone();
    let (wang, s1, li_t) = (
        login(&addr, "wang", "pw-123456").await,
        login(&addr, "s1", "pw-123456").await,
        login(&addr, "li", "pw-123456").await,
    );
    let mut li = Device::default();
    li.docs.0.insert(
        "ra-1".into(),
        audit_with(&t, "ra-1", "cq/yz/001", 1_000, AnswerValue::Fail).into_doc(),
    );
    li.changed(None, "ra-1").await;
    let mut ws = li.sync(&addr, &li_t).await;
    caught_up(&addr, &wang).await;
    assert_eq!(get(&addr, &wang, "/api/v1/records").await.1["total"], 1);
    let action =
        r#"{"item":"a3","description":"Fix the queue sign","assignee":"s1","due":"2026-12-31"}"#;
    let (status, opened) = post(&addr, &wang, "/api/v1/records/ra-1/actions", action).await;
    assert_eq!(status, 200, "{opened}");
    let (_, detail) = get(&addr, &wang, "/api/v1/records/ra-1").await;
    let action_id = detail["actions"][0]["action_id"]
        .as_str()
        .expect("id")
        .to_string();
    let step = |s: &str| format!("/api/v1/records/ra-1/actions/{action_id}/{s}");

    // The follow-up list: due dates read against the caller's date.
    caught_up(&addr, &wang).await;
    let (status, list) = get(&addr, &wang, "/api/v1/actions?today=2026-12-31").await;
    assert_eq!(status, 200, "{list}");
    let row = &list["actions"][0];
    assert_eq!(
        (
            &row["doc_id"],
            &row["item_id"],
            &row["status"],
            &row["overdue"]
        ),
        (&json!("ra-1"), &json!("a3"), &json!("open"), &json!(false)),
        "{list}"
    );
    assert!(row["label_en"].is_string(), "the item's label: {row}");
    let (_, late) = get(
        &addr,
        &wang,
        "/api/v1/actions?today=2027-01-05&overdue=true",
    )
    .await;
    assert_eq!(late["actions"][0]["overdue"], true, "{late}");
    let (_, not_late) = get(
        &addr,
        &wang,
        "/api/v1/actions?today=2026-11-23&overdue=true",
    )
    .await;
    assert_eq!(not_late["actions"], json!([]));
    let (_, theirs) = get(&addr, &s1, "/api/v1/actions?assignee=s1").await;
    assert_eq!(
        theirs["actions"].as_array().map(Vec::len),
        Some(1),
        "the assignee sees it"
    );
    for bad in ["today=tomorrow", "status=closed"] {
        let (status, err) = get(&addr, &wang, &format!("/api/v1/actions?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {err}");
    }
    // The store's staff mark it done with what they did and a photo of the
    // fix; the photo goes up once the action names it, and the manager
    // sees both. An inspector who is not the assignee may not; ten photos
    // at most; the note goes with `complete` only.
    let photo: Vec<u8> = (0..3_000u32).map(|i| (i % 241) as u8).collect();
    let hash = blake3::hash(&photo).to_hex().to_string();
    let done = json!({
        "note": "灯箱已更换",
        "evidence": [{"hash": hash, "mime": "image/jpeg", "size": photo.len()}],
    })
    .to_string();
    let zhao = login(&addr, "zhao", "pw-123456").await;
    assert_eq!(
        post(&addr, &zhao, &step("complete"), &done).await.0,
        404,
        "not theirs to see"
    );
    let eleven: Vec<_> = (0..11)
        .map(|i| json!({"hash": format!("{i:064x}"), "mime": "image/jpeg", "size": 1}))
        .collect();
    let (status, err) = post(
        &addr,
        &s1,
        &step("complete"),
        &json!({ "evidence": eleven }).to_string(),
    )
    .await;
    assert_eq!(
        (status, &err["key"]),
        (400, &json!("records.too_many")),
        "{err}"
    );
    let (status, err) = post(&addr, &wang, &step("reopen"), r#"{"note":"x"}"#).await;
    assert_eq!(status, 400, "{err}");
    let (status, body) = post(&addr, &s1, &step("complete"), &done).await;
    assert_eq!(status, 200, "{body}");
    upload_media(&addr, &s1, &photo, "image/jpeg").await;
    let completed = get(&addr, &wang, "/api/v1/records/ra-1").await.1["actions"][0].clone();
    assert_eq!(completed["status"], "done", "{completed}");
    assert_eq!(completed["done_note"], "灯箱已更换");
    assert_eq!(completed["done_evidence"][0]["hash"], hash.as_str());
    let (status, _) = get(&addr, &wang, &format!("/api/v1/media/{hash}")).await;
    assert_eq!(status, 200, "the manager sees the photo when verifying");

    // Re-audits: before the fix, at another store, still failing, passing.
    let later = jiff::Timestamp::now().as_millisecond() + 60_000;
    for (id, store, at, a3) in [
        ("ra-0", "cq/yz/001", 2_000, AnswerValue::Pass),
        ("ra-2", "cq/yz/001", later, AnswerValue::Fail),
        ("ra-3", "cq/yz/002", later, AnswerValue::Pass),
        ("ra-4", "cq/yz/001", later + 1_000, AnswerValue::Pass),
    ] {
        li.docs
            .0
            .insert(id.into(), audit_with(&t, id, store, at, a3).into_doc());
        li.changed(Some(&mut ws), id).await;
    }
    // Otherwise each refusal below could be "not processed yet".
    caught_up(&addr, &wang).await;
    assert_eq!(get(&addr, &wang, "/api/v1/records").await.1["total"], 5);
    for (reaudit, why, says) in [
        ("ra-0", "made before the fix", "started after the fix"),
        ("ra-2", "the item still fails", "does not pass item a3"),
        ("ra-3", "another store", "of store cq/yz/001"),
    ] {
        let body = format!(r#"{{"reaudit":"{reaudit}"}}"#);
        let (status, err) = post(&addr, &wang, &step("verify"), &body).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (409, Some("invalid_state")),
            "{why}: {err}"
        );
        let message = err["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{why}: {err}");
    }
    let (status, _) = post(&addr, &wang, &step("verify"), r#"{"reaudit":"nope"}"#).await;
    assert_eq!(status, 404);
    let (status, _) = post(&addr, &wang, &step("complete"), r#"{"reaudit":"ra-4"}"#).await;
    assert_eq!(status, 400, "only a verification rests on a re-audit");
    let (status, done) = post(&addr, &wang, &step("verify"), r#"{"reaudit":"ra-4"}"#).await;
    assert_eq!(status, 200, "{done}");
    let verified = get(&addr, &wang, "/api/v1/records/ra-1").await.1["actions"][0].clone();
    assert_eq!(verified["status"], "verified", "{verified}");
    assert_eq!(verified["verified_record"], "ra-4");
    assert_eq!(verified["verified_by"], "wang");
    // Closed actions leave the follow-up list unless asked for.
    caught_up(&addr, &wang).await;
    let open = get(&addr, &wang, "/api/v1/actions?today=2027-01-05")
        .await
        .1;
    assert_eq!(open["actions"], json!([]), "{open}");
    let (_, closed) = get(
        &addr,
        &wang,
        "/api/v1/actions?status=verified&today=2027-01-05",
    )
    .await;
    assert_eq!(
        (
            &closed["actions"][0]["status"],
            &closed["actions"][0]["overdue"]
        ),
        (&json!("verified"), &json!(false)),
        "{closed}"
    );
}

#[tokio::test]
async fn a_review_write_and_its_audit_entry_commit_together_or_not_at_all() {
    let dir = people();
    let t = template();
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), None);
    let addr = server.addr.clone();
    let mut li = Device::default();
    li.docs
        .0
        .insert("tx-1".into(), submitted_audit(&t, "tx-1").into_doc());
    li.changed(None, "tx-1").await;
    li.sync(&addr, &login(&addr, "li", "pw-123456").await).await;
    let wang = login(&addr, "wang", "pw-123456").await;
    let document = || async {
        http_raw(
            &addr,
            "GET",
            "/api/v1/records/tx-1/document",
            Some(&wang),
            &[],
            b"",
        )
        .await
        .1
    };
    let before = document().await;

    // The database refuses audit entries: the approval must not happen either.
    let storage = Storage::open(&database_url(dir.path()))
        .await
        .expect("storage");
    let postgres = storage.engine() == fieldcheck_server::store::Engine::Postgres;
    let refuse = if postgres {
        vec![
            "CREATE FUNCTION no_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no audit'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION no_audit()",
        ]
    } else {
        vec![
            "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'no audit'); END",
        ]
    };
    for sql in refuse {
        sqlx::query(sql)
            .execute(storage.pool())
            .await
            .expect("trigger");
    }
    let (status, body) = post(&addr, &wang, "/api/v1/records/tx-1/approve", "").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (500, Some("internal")),
        "{body}"
    );
    let after = document().await;
    let heads = |b: &[u8]| automerge::AutoCommit::load(b).expect("loads").get_heads();
    assert_eq!(
        heads(&after),
        heads(&before),
        "no approval without its audit entry"
    );

    let drop = if postgres {
        "DROP TRIGGER no_audit ON audit_log"
    } else {
        "DROP TRIGGER no_audit"
    };
    sqlx::query(drop)
        .execute(storage.pool())
        .await
        .expect("drop");
    let (status, body) = post(&addr, &wang, "/api/v1/records/tx-1/approve", "").await;
    assert_eq!(status, 200, "{body}");
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE target = 'tx-1'")
        .fetch_one(storage.pool())
        .await
        .expect("count")
        .try_get("n")
        .expect("n");
    assert_eq!(n, 1, "one approval, one entry");
}
