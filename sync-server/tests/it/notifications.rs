//! Notifications: each role hears of what needs it, worked out from the
//! records, and what was read stays read.

use serde_json::{Value, json};

use fieldcheck_tests::{
    Server, add_user, caught_up, device_with_audit, get_json as get, login, people,
    post_json as post, publish, template,
};

fn kinds(list: &Value) -> Vec<(String, bool)> {
    list["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap_or("").to_string(),
                n["read"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

#[tokio::test]
async fn returns_new_overdue_and_done_actions_reach_whom_they_concern() {
    let dir = people();
    add_user(dir.path(), "s1", "store_staff", "cq/yz/001", "pw-123456");
    let t = template();
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), None);
    let addr = &server.addr;
    let (wang, s1, li_t) = (
        login(addr, "wang", "pw-123456").await,
        login(addr, "s1", "pw-123456").await,
        login(addr, "li", "pw-123456").await,
    );
    let mut li = device_with_audit(&t, "nt-1").await;
    let _ws = li.sync(addr, &li_t).await;
    caught_up(addr, &wang).await;
    let today = "/api/v1/notifications?today=2026-12-01";

    // The manager: an audit waiting for review.
    let (status, mine) = get(addr, &wang, today).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(
        kinds(&mine),
        [("review_waiting".to_string(), false)],
        "{mine}"
    );
    assert_eq!(mine["notifications"][0]["count"], 1);

    // A corrective action for the store: new for its staff, and overdue once
    // its day has passed.
    let action =
        r#"{"item":"a1","description":"Replace the sign","assignee":"s1","due":"2026-12-31"}"#;
    assert_eq!(
        post(addr, &wang, "/api/v1/records/nt-1/actions", action)
            .await
            .0,
        200
    );
    caught_up(addr, &wang).await;
    let (_, staff) = get(addr, &s1, today).await;
    assert_eq!(
        kinds(&staff),
        [("action_new".to_string(), false)],
        "{staff}"
    );
    assert_eq!(staff["unread"], 1);
    assert_eq!(staff["notifications"][0]["text"], "Replace the sign");
    let (_, later) = get(addr, &s1, "/api/v1/notifications?today=2027-01-05").await;
    assert!(
        kinds(&later).contains(&("action_overdue".to_string(), false)),
        "{later}"
    );

    // Read stays read, for this user only.
    let id = staff["notifications"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (status, _) = post(
        addr,
        &s1,
        "/api/v1/notifications/read",
        &json!({ "ids": [id] }).to_string(),
    )
    .await;
    assert_eq!(status, 200);
    let (_, staff) = get(addr, &s1, today).await;
    assert_eq!(
        (staff["unread"].clone(), kinds(&staff)),
        (json!(0), vec![("action_new".to_string(), true)])
    );

    // Done: the manager hears of it, to verify.
    let (_, detail) = get(addr, &wang, "/api/v1/records/nt-1").await;
    let action_id = detail["actions"][0]["action_id"]
        .as_str()
        .expect("action")
        .to_string();
    let step = format!("/api/v1/records/nt-1/actions/{action_id}/complete");
    assert_eq!(post(addr, &s1, &step, r#"{"note":"done"}"#).await.0, 200);
    caught_up(addr, &wang).await;
    let (_, mine) = get(addr, &wang, today).await;
    assert!(
        kinds(&mine).contains(&("action_done".to_string(), false)),
        "{mine}"
    );

    // Returned: the inspector hears of it.
    assert_eq!(
        post(
            addr,
            &wang,
            "/api/v1/records/nt-1/return",
            r#"{"comment":"Photo unclear"}"#
        )
        .await
        .0,
        200
    );
    caught_up(addr, &wang).await;
    let (_, theirs) = get(addr, &li_t, today).await;
    assert_eq!(
        kinds(&theirs),
        [("returned".to_string(), false)],
        "{theirs}"
    );
    assert_eq!(theirs["notifications"][0]["doc_id"], "nt-1");

    // Bad input is refused by code.
    let (status, err) = get(addr, &li_t, "/api/v1/notifications?today=soon").await;
    assert_eq!((status, &err["key"]), (400, &json!("request.today")));
    let too_many: Vec<String> = (0..501).map(|i| i.to_string()).collect();
    let (status, err) = post(
        addr,
        &li_t,
        "/api/v1/notifications/read",
        &json!({ "ids": too_many }).to_string(),
    )
    .await;
    assert_eq!((status, &err["key"]), (400, &json!("notifications.ids")));
}
