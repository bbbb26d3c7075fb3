//! Waves of visits: planned on random days (the same seed, the same days),
//! spread evenly over the inspectors in scope, made into one-day
//! assignments only when asked, and refused by code when wrong.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use fieldcheck_tests::{
    STORES, Server, add_user, get_json as get, http, http_raw, login, people, publish, template,
};

async fn post(addr: &str, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let (s, b) = http(addr, "POST", path, Some(token), Some(&body.to_string())).await;
    (s, serde_json::from_str(&b).unwrap_or_default())
}

#[tokio::test]
async fn a_wave_spreads_random_days_over_the_inspectors_and_becomes_assignments() {
    let dir = people();
    add_user(dir.path(), "root", "admin", "*", "pw-123456");
    publish(dir.path(), &template());
    let server = Server::start(dir.path(), None);
    let addr = &server.addr;
    let root = login(addr, "root", "pw-123456").await;
    let (status, body) = http_raw(
        addr,
        "POST",
        "/api/v1/units/import?file=stores.csv",
        Some(&root),
        &[],
        STORES.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let wang = login(addr, "wang", "pw-123456").await;

    let wave = json!({
        "template_id": "worked", "unit_id": "cq/yz", "months": ["2026-12"],
        "per_store": 2, "seed": 7,
    });
    let (status, plan) = post(addr, &wang, "/api/v1/schedules?dry_run=true", &wave).await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(
        (plan["stores"].clone(), plan["created"].clone()),
        (json!(2), json!(0))
    );
    let visits = plan["visits"].as_array().expect("visits").clone();
    assert_eq!(visits.len(), 4, "2 stores x 2 visits: {plan}");
    let mut days: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut load: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &visits {
        let (date, store, who) = (
            v["date"].as_str().expect("date"),
            v["store"].as_str().expect("store"),
            v["inspector"].as_str().expect("inspector"),
        );
        assert!(date.starts_with("2026-12-"), "{date}");
        assert!(
            days.entry(store).or_default().insert(date),
            "two visits to {store} on {date}"
        );
        *load.entry(who).or_default() += 1;
    }
    assert_eq!(
        load,
        BTreeMap::from([("li", 2), ("zhao", 2)]),
        "spread evenly"
    );
    let (_, again) = post(addr, &wang, "/api/v1/schedules?dry_run=true", &wave).await;
    assert_eq!(
        again["visits"], plan["visits"],
        "the same seed, the same days"
    );
    assert_eq!(
        get(addr, &wang, "/api/v1/assignments").await.1,
        json!([]),
        "a dry run assigns nothing"
    );

    let (status, made) = post(addr, &wang, "/api/v1/schedules", &wave).await;
    assert_eq!((status, &made["created"]), (200, &json!(4)), "{made}");
    let (_, list) = get(addr, &wang, "/api/v1/assignments").await;
    let list = list.as_array().expect("list");
    assert_eq!(list.len(), 4);
    for a in list {
        assert_eq!(a["starts_on"], a["ends_on"], "one day: {a}");
        assert_eq!(
            (a["visits"].clone(), a["template_id"].clone()),
            (json!(1), json!("worked"))
        );
    }

    // Refused, by code: outside the manager's scope, too many visits, a
    // month that is none, an inspector who is not one, by an inspector.
    for (body, status, key) in [
        (
            json!({"template_id": "worked", "unit_id": "cq/jb", "months": ["2026-12"], "per_store": 1}),
            404,
            "units.not_in_scope",
        ),
        (
            json!({"template_id": "worked", "unit_id": "cq/yz", "months": ["2026-12"], "per_store": 0}),
            400,
            "schedule.per_store",
        ),
        (
            json!({"template_id": "worked", "unit_id": "cq/yz", "months": ["2026-13"], "per_store": 1}),
            400,
            "schedule.month",
        ),
        (
            json!({"template_id": "worked", "unit_id": "cq/yz", "months": ["2026-12"], "per_store": 1, "inspectors": ["wang"]}),
            400,
            "schedule.not_inspector",
        ),
    ] {
        let (got, err) = post(addr, &wang, "/api/v1/schedules?dry_run=true", &body).await;
        assert_eq!(
            (got, err["key"].as_str()),
            (status, Some(key)),
            "{body}: {err}"
        );
    }
    let li = login(addr, "li", "pw-123456").await;
    assert_eq!(
        post(addr, &li, "/api/v1/schedules?dry_run=true", &wave)
            .await
            .0,
        403
    );
    assert_eq!(
        get(addr, &wang, "/api/v1/assignments")
            .await
            .1
            .as_array()
            .map(Vec::len),
        Some(4),
        "nothing more"
    );
}
