//! Daily monitoring and weekly tracking: a day's submissions, failed
//! knock-out standards, hotlines below target and actions gone overdue;
//! and a unit's weeks against their targets.

use serde_json::Value;

use fieldcheck_tests::{
    at, audit_at, caught_up, get_json as get, post_file, post_json, team, upload,
};

#[tokio::test]
async fn a_day_says_what_changed_and_the_weeks_track_the_targets() {
    let team = team(&[("s1", "store_staff", "cq/yz/001")]).await;
    let (addr, t) = (&team.server.addr, team.t.clone());
    let (root, wang, li) = (team.root.clone(), team.wang.clone(), team.li.clone());
    let hotline = "id,parent,level,name_zh,name_en,channel\ncq/yz/900,cq/yz,store,渝中客服热线,Yuzhong hotline,hotline\n";
    let (status, _) = post_file(
        addr,
        &root,
        "/api/v1/units/import?file=h.csv",
        hotline.as_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    // 6 May: the hotline answers 70 of 100 calls within 20 s.
    let calls = "hotline,interval_start,interval_minutes,offered,answered,answered_within,abandoned_within\n\
                 cq/yz/900,2026-05-06 10:00,60,100,100,70,0\n";
    let (status, _) = post_file(
        addr,
        &wang,
        "/api/v1/hotline/statistics?file=c.csv",
        calls.as_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    // An audit submitted on 6 May with the critical a2 failed.
    let audit = audit_at(&t, "mo-1", "cq/yz/001", at("2026-05-06T02:00:00Z"), &["a2"]);
    let _ws = upload(addr, &li, &wang, "mo-1", audit).await;

    let (status, day) = get(addr, &wang, "/api/v1/monitoring/daily?date=2026-05-06").await;
    assert_eq!(status, 200, "{day}");
    assert_eq!(day["submitted"][0]["template_id"], "worked");
    assert_eq!(day["submitted"][0]["records"], 1);
    let knockouts = day["knockouts"].as_array().expect("knockouts");
    assert_eq!(knockouts.len(), 1, "{day}");
    assert_eq!(knockouts[0]["item_id"], "a2");
    assert_eq!(day["hotlines_below"][0]["hotline"], "cq/yz/900");
    assert_eq!(
        day["hotlines_below"][0]["service_level"].as_f64(),
        Some(0.7)
    );
    assert_eq!(day["overdue"], serde_json::json!([]));
    // The day before: nothing.
    let (_, quiet) = get(addr, &wang, "/api/v1/monitoring/daily?date=2026-05-05").await;
    assert_eq!(quiet["submitted"], serde_json::json!([]));
    assert_eq!(quiet["hotlines_below"], serde_json::json!([]));

    // An action due on 31 December is overdue from 1 January, and only then.
    let action = r#"{"item":"a2","description":"Fix the critical standard","assignee":"s1","due":"2026-12-31"}"#;
    let (status, body) = post_json(addr, &wang, "/api/v1/records/mo-1/actions", action).await;
    assert_eq!(status, 200, "{body}");
    caught_up(addr, &wang).await;
    let (_, new_year) = get(addr, &wang, "/api/v1/monitoring/daily?date=2027-01-01").await;
    assert_eq!(
        new_year["overdue"][0]["description"], "Fix the critical standard",
        "{new_year}"
    );
    let (_, later) = get(addr, &wang, "/api/v1/monitoring/daily?date=2027-01-02").await;
    assert_eq!(later["overdue"], serde_json::json!([]));

    // Weeks: the action is overdue at the end of 2026-W53, not of W52.
    let (status, weeks) = get(
        addr,
        &wang,
        "/api/v1/monitoring/weekly?unit=cq/yz&today=2027-01-01&weeks=2",
    )
    .await;
    assert_eq!(status, 200, "{weeks}");
    let rows = weeks["weeks"].as_array().expect("weeks");
    let names: Vec<&str> = rows.iter().filter_map(|w| w["week"].as_str()).collect();
    assert_eq!(names, ["2026-W52", "2026-W53"]);
    assert_eq!(rows[0]["actions_overdue"], 0);
    assert_eq!(rows[1]["actions_overdue"], 1);
    assert_eq!(rows[1]["compliance"], Value::Null);

    // Scope and roles.
    assert_eq!(
        get(
            addr,
            &wang,
            "/api/v1/monitoring/weekly?unit=cq/jb&today=2027-01-01"
        )
        .await
        .0,
        403
    );
    assert_eq!(
        get(addr, &li, "/api/v1/monitoring/daily?date=2026-05-06")
            .await
            .0,
        403
    );
    assert_eq!(
        get(addr, &wang, "/api/v1/monitoring/daily?date=yesterday")
            .await
            .0,
        400
    );
}
