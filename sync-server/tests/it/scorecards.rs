//! Branch scorecards: figures entered and cases registered all or nothing,
//! the evaluation scored per unit from them and from the ratings, and a
//! figure withheld for a small sample left open, never counted as zero.

use serde_json::Value;

use fieldcheck_tests::{at, audit_at, get_json as get, post_file, row_problems, team, upload};

fn indicator<'a>(row: &'a Value, id: &str) -> &'a Value {
    row["indicators"]
        .as_array()
        .and_then(|is| is.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("{id} in {row}"))
}

#[tokio::test]
async fn the_service_evaluation_scores_each_district_and_leaves_open_what_is_unknown() {
    let team = team(&[]).await;
    let (addr, t) = (&team.server.addr, team.t.clone());
    let (root, wang, li) = (team.root.clone(), team.wang.clone(), team.li.clone());

    // A register with problems: nothing kept, each named.
    let bad =
        "case_id,unit,kind,date\nc1,cq/yz,parking,2026-03-01\nc2,cq/jb,company_fault,2026-04-01\n";
    let (status, refused) = post_file(
        addr,
        &wang,
        "/api/v1/scorecards/cases?file=c.csv",
        bad.as_bytes(),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    let problems = row_problems(&refused);
    // wang's scope is cq/yz: cq/jb is not his.
    assert_eq!(
        problems,
        [
            (2, "kind".into(), "scorecard.kind".into()),
            (3, "unit".into(), "scorecard.unknown_unit".into())
        ]
    );

    let cases = "case_id,unit,kind,date,points,deadline,closed,description
c1,cq/yz/001,media_exposure,2026-03-01,5,,,On the evening news
c2,cq/yz,company_fault,2026-04-01,,,,Wrong bill
c3,cq/jb,escalation_overdue,2026-05-01,,2026-05-10,2026-05-08,Closed in time
c4,cq/jb,escalation_overdue,2026-06-01,2,2026-06-10,2026-06-20,Closed late
";
    let (status, done) = post_file(
        addr,
        &root,
        "/api/v1/scorecards/cases?file=c.csv&dry_run=true",
        cases.as_bytes(),
    )
    .await;
    assert_eq!(
        (status, &done["dry_run"]),
        (200, &Value::Bool(true)),
        "{done}"
    );
    assert_eq!(
        post_file(
            addr,
            &root,
            "/api/v1/scorecards/cases?file=c.csv",
            cases.as_bytes()
        )
        .await
        .0,
        200
    );
    let entries = "unit,period,indicator,value\ncq/yz,2026,integration,90\ncq/yz,2026,retention,80\ncq/jb,2026,integration,70\n";
    let (status, done) = post_file(
        addr,
        &root,
        "/api/v1/scorecards/entries?file=e.csv",
        entries.as_bytes(),
    )
    .await;
    assert_eq!(
        (status, &done["imported"]),
        (200, &serde_json::json!(3)),
        "{done}"
    );

    // One audit in 2026 at cq/yz/001: too few for a rating to be shown.
    let audit = audit_at(&t, "sc-1", "cq/yz/001", at("2026-05-06T02:00:00Z"), &[]);
    let _ws = upload(addr, &li, &root, "sc-1", audit).await;

    let path = "/api/v1/scorecards/service_evaluation?period=2026&level=district";
    let (status, reply) = get(addr, &root, path).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["scorecard"]["id"], "service_evaluation");
    let rows = reply["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{reply}");
    let yz = rows.iter().find(|r| r["unit"] == "cq/yz").expect("cq/yz");
    // Compliance is withheld (one audit), satisfaction has no survey, and
    // no standard failed in 2025: open, not zero.
    assert_eq!(
        indicator(yz, "channel_compliance")["standing"],
        "suppressed"
    );
    assert_eq!(indicator(yz, "channel_compliance")["earned"], Value::Null);
    assert_eq!(indicator(yz, "satisfaction")["standing"], "missing");
    assert_eq!(
        indicator(yz, "weak_spots")["missing"]["key"],
        "scorecard.no_weak_spots"
    );
    assert_eq!(indicator(yz, "integration")["earned"].as_f64(), Some(18.0));
    assert_eq!(indicator(yz, "retention")["earned"].as_f64(), Some(16.0));
    // 5 for the media case at one of its stores, 1 for the company fault.
    assert_eq!(yz["deducted"].as_f64(), Some(6.0));
    assert_eq!(yz["score"].as_f64(), Some(28.0));
    assert_eq!(yz["best_case"].as_f64(), Some(28.0 + 30.0 + 10.0 + 20.0));
    assert_eq!(yz["complete"], false);
    assert_eq!(yz["place"], Value::Null);
    let jb = rows.iter().find(|r| r["unit"] == "cq/jb").expect("cq/jb");
    // Only the case closed after its deadline counts, at its own points.
    assert_eq!(jb["deducted"].as_f64(), Some(2.0));
    assert_eq!(
        indicator(jb, "retention")["missing"]["key"],
        "scorecard.not_given"
    );

    // A manager sees the districts of his scope only; an inspector none.
    let (_, mine) = get(addr, &wang, path).await;
    let units: Vec<&str> = mine["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["unit"].as_str())
        .collect();
    assert_eq!(units, ["cq/yz"]);
    assert_eq!(get(addr, &li, path).await.0, 403);
    assert_eq!(
        get(addr, &root, "/api/v1/scorecards/made_up?period=2026")
            .await
            .0,
        404
    );
    assert_eq!(
        get(
            addr,
            &root,
            "/api/v1/scorecards/service_evaluation?period=last-year"
        )
        .await
        .0,
        400
    );
    let (_, list) = get(addr, &wang, "/api/v1/scorecards").await;
    assert_eq!(list["scorecards"].as_array().map(Vec::len), Some(2));
}

const RETENTION: &str = r#"
id = "retention_drive"
version = "2026.1"
title = { zh-CN = "携转挽留考核", en = "Retention drive" }

[[indicators]]
id = "retention_rate"
title = { zh-CN = "携转挽留率", en = "Retention rate" }
points = 10
source = { kind = "entered" }
scoring = { linear = { floor = 50, target = 80 } }

[deductions]
max = 0
"#;

#[tokio::test]
async fn an_administrator_publishes_a_scheme_of_their_own_and_its_versions_never_change() {
    let team = team(&[]).await;
    let addr = &team.server.addr;
    let (root, wang) = (team.root.clone(), team.wang.clone());
    let publish = |token: String, body: String, dry: bool| async move {
        let path = format!("/api/v1/scorecards?dry_run={dry}");
        post_file(addr, &token, &path, body.as_bytes()).await
    };

    // Administrators only; a scheme with problems is refused with each.
    let (status, _) = publish(wang.clone(), RETENTION.into(), false).await;
    assert_eq!(status, 403);
    let broken = RETENTION
        .replace("points = 10", "points = -1")
        .replace("id = \"retention_rate\"", "id = \"Retention Rate\"");
    let (status, refused) = publish(root.clone(), broken, false).await;
    assert_eq!(status, 400, "{refused}");
    let keys: Vec<String> = row_problems(&refused).into_iter().map(|p| p.2).collect();
    assert_eq!(keys, ["scorecard.item_id", "scorecard.points"], "{refused}");
    let (status, refused) = publish(root.clone(), "id = [".into(), false).await;
    assert_eq!(
        (status, row_problems(&refused)[0].2.as_str()),
        (400, "scorecard.toml")
    );

    // Checked, then published: listed, and scored from entered figures.
    let (status, checked) = publish(root.clone(), RETENTION.into(), true).await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!(
        (checked["new"].as_bool(), checked["published"].as_bool()),
        (Some(true), Some(false))
    );
    let (_, listed) = get(addr, &wang, "/api/v1/scorecards").await;
    let ids = |v: &Value| -> Vec<String> {
        v["scorecards"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|c| c["id"].as_str().map(String::from))
            .collect()
    };
    assert!(
        !ids(&listed).contains(&"retention_drive".to_string()),
        "a dry run keeps nothing"
    );
    let (status, done) = publish(root.clone(), RETENTION.into(), false).await;
    assert_eq!(
        (status, done["new"].as_bool(), done["points"].as_f64()),
        (200, Some(true), Some(10.0)),
        "{done}"
    );
    let (_, listed) = get(addr, &wang, "/api/v1/scorecards").await;
    assert!(
        ids(&listed).contains(&"retention_drive".to_string()),
        "{listed}"
    );
    let entries = "unit,period,indicator,value\ncq/yz,2026-Q2,retention_rate,65\n";
    let (status, done) = post_file(
        addr,
        &wang,
        "/api/v1/scorecards/entries?file=e.csv",
        entries.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    let path = "/api/v1/scorecards/retention_drive?period=2026-Q2&level=district";
    let (status, reply) = get(addr, &wang, path).await;
    assert_eq!(status, 200, "{reply}");
    let yz = &reply["rows"][0];
    assert_eq!(
        indicator(yz, "retention_rate")["earned"].as_f64(),
        Some(5.0),
        "{reply}"
    );

    // The same version again changes nothing; changed, it needs a new
    // version, which then is the one scored.
    let (status, again) = publish(root.clone(), RETENTION.into(), false).await;
    assert_eq!((status, again["new"].as_bool()), (200, Some(false)));
    let changed = RETENTION.replace("target = 80", "target = 65");
    let (status, refused) = publish(root.clone(), changed.clone(), false).await;
    assert_eq!(
        (status, refused["key"].as_str()),
        (409, Some("scorecard.version_taken")),
        "{refused}"
    );
    let shipped = include_str!("../../../scorecards/service_evaluation.toml").replace(
        "en = \"Service evaluation\"",
        "en = \"Service evaluation (trial)\"",
    );
    let (status, refused) = publish(root.clone(), shipped, false).await;
    assert_eq!(status, 409, "a shipped version is taken too: {refused}");
    let (status, _) = publish(root.clone(), changed.replace("2026.1", "2026.2"), false).await;
    assert_eq!(status, 200);
    let (_, reply) = get(addr, &wang, path).await;
    assert_eq!(reply["scorecard"]["version"], "2026.2");
    assert_eq!(
        indicator(&reply["rows"][0], "retention_rate")["earned"].as_f64(),
        Some(10.0)
    );
}
