//! Stores imported from a table, and ratings over them computed from what
//! devices synced, checked against hand-computed means and scope.

use std::process::Command;

use fieldcheck_core::answers::AnswerValue;
use fieldcheck_core::records::Record;
use fieldcheck_core::scoring::audit::score_visit;
use fieldcheck_core::templates::Template;
use fieldcheck_core::vocab::Role;

use fieldcheck_tests::{
    Device, STORES, Server, actor, audit_at, bin, caught_up, cli, get_json, http, login, people,
    publish, storage_args, template,
};

/// A submitted audit at `store` with the given items failed.
fn audit(t: &Template, id: &str, store: &str, failed: &[&str]) -> (Record, f64) {
    let r = audit_at(t, id, store, 0, failed);
    let score = score_visit(t, &r.state().expect("state").answer_values(), None)
        .score
        .expect("scored");
    (r, score)
}

async fn ratings(addr: &str, token: &str, query: &str) -> (u16, serde_json::Value) {
    get_json(addr, token, &format!("/api/v1/ratings{query}")).await
}

fn mean_of(v: &serde_json::Value, unit: &str) -> Option<f64> {
    v["ratings"]
        .as_array()?
        .iter()
        .find(|r| r["unit"] == unit)?["estimate"]["mean"]
        .as_f64()
}

#[tokio::test]
async fn a_bad_store_table_imports_nothing_and_says_where() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("stores.csv");
    std::fs::write(
        &bad,
        "id,parent,level,name_zh,channel\ncq,,province,重庆,\ncq/yz/001,cq/yz,store,店,kiosk\n",
    )
    .expect("write");
    let out = Command::new(bin())
        .args(["stores", "import"])
        .arg(&bad)
        .args(storage_args(dir.path()))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 3, channel: `kiosk` is not a channel"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");

    let good = dir.path().join("good.csv");
    std::fs::write(&good, STORES).expect("write");
    let done = cli(dir.path(), &["stores", "import", &good.to_string_lossy()]);
    assert!(done.starts_with("imported 6 units"), "{done}");
}

#[tokio::test]
async fn ratings_roll_up_the_stores_in_scope() {
    let dir = people();
    let t = template();
    let stores = dir.path().join("stores.csv");
    std::fs::write(&stores, STORES).expect("write");
    cli(dir.path(), &["stores", "import", &stores.to_string_lossy()]);
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), None);

    let visits = [
        audit(&t, "r-1", "cq/yz/001", &[]),
        audit(&t, "r-2", "cq/yz/001", &["a3", "b3"]),
        audit(&t, "r-3", "cq/yz/002", &["a1"]),
        audit(&t, "r-4", "cq/jb/001", &["b1", "b2"]),
    ];
    let s: Vec<f64> = visits.iter().map(|(_, s)| *s).collect();
    let mut li = Device::default();
    for (i, (r, _)) in visits.into_iter().enumerate() {
        let id = format!("r-{}", i + 1);
        li.docs.0.insert(id.clone(), r.into_doc());
        li.changed(None, &id).await;
    }
    li.sync(&server.addr, &login(&server.addr, "li", "pw-123456").await)
        .await;

    // W = 1: a parent is the mean of its audited stores' means.
    let store_001 = (s[0] + s[1]) / 2.0;
    let district_yz = (store_001 + s[2]) / 2.0;
    let province = (store_001 + s[2] + s[3]) / 3.0;
    let admin = {
        cli(
            dir.path(),
            &[
                "user",
                "add",
                "root",
                "--role",
                "admin",
                "--scope",
                "*",
                "--password",
                "pw-123456",
            ],
        );
        login(&server.addr, "root", "pw-123456").await
    };
    caught_up(&server.addr, &admin).await;
    let all = ratings(&server.addr, &admin, "?granularity=month").await.1;
    let close = |unit: &str, want: f64| {
        let got = mean_of(&all, unit).unwrap_or(f64::NAN);
        assert!(
            (got - want).abs() < 1e-9,
            "{unit}: {got} != {want}\n{all:#}"
        );
    };
    close("cq/yz/001", store_001);
    close("cq/yz/002", s[2]);
    close("cq/jb/001", s[3]);
    close("cq/yz", district_yz);
    close("cq", province);
    close("*", province);
    // One period asked for: the same figures, and nothing for another month.
    let (_, one) = ratings(&server.addr, &admin, "?granularity=month&period=1970-01").await;
    let got = mean_of(&one, "cq/yz").unwrap_or(f64::NAN);
    assert!((got - district_yz).abs() < 1e-9, "{one:#}");
    let (_, none) = ratings(&server.addr, &admin, "?granularity=month&period=1970-03").await;
    assert_eq!(none["ratings"], serde_json::json!([]));
    let yz = all["ratings"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["unit"] == "cq/yz"))
        .expect("cq/yz");
    assert_eq!(yz["visits"], 3);
    assert_eq!(yz["stores_audited"], 2);
    let stores: Vec<&serde_json::Value> = all["ratings"]
        .as_array()
        .expect("ratings")
        .iter()
        .filter(|r| r["level"] == "store")
        .collect();
    assert!(!stores.is_empty());
    assert!(
        stores
            .iter()
            .all(|r| r["rank"].is_null() == r["score"].is_null()),
        "a rating is ranked exactly when it is shown"
    );

    let (_, districts) = ratings(&server.addr, &admin, "?level=district").await;
    let levels: Vec<&str> = districts["ratings"]
        .as_array()
        .expect("ratings")
        .iter()
        .filter_map(|r| r["level"].as_str())
        .collect();
    assert_eq!(levels, ["district", "district"]);
    let (_, nation) = ratings(&server.addr, &admin, "?level=national").await;
    assert_eq!(nation["ratings"][0]["unit"], "*");
    assert_eq!(nation["ratings"][0]["stores_total"], 3);

    // The export carries the same figures, in a workbook a reader opens.
    let (status, bytes) = fieldcheck_tests::http_raw(
        &server.addr,
        "GET",
        "/api/v1/exports/ratings.xlsx?granularity=month&level=district",
        Some(&admin),
        &[],
        &[],
    )
    .await;
    assert_eq!(status, 200);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    let sheet = calamine::Reader::worksheet_range(&mut book, "ratings").expect("the ratings sheet");
    let mut rows = sheet.rows();
    let head: Vec<String> = rows
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |name: &str| head.iter().position(|h| h == name).expect(name);
    let yz_row = rows
        .find(|r| r[col("unit")] == "cq/yz")
        .expect("the district's row");
    assert_eq!(yz_row[col("name_zh")].to_string(), "渝中区");
    let exported: f64 = yz_row[col("mean")].to_string().parse().expect("a number");
    assert!(
        (exported - district_yz).abs() < 1e-9,
        "{exported} != {district_yz}"
    );
    assert_eq!(yz_row[col("visits")].to_string(), "3");
    let (status, csv) = http(
        &server.addr,
        "GET",
        "/api/v1/exports/ratings.csv?level=store",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        csv.lines().count(),
        1 + 3,
        "a header and the three stores:\n{csv}"
    );

    // A district manager sees the district and its stores, nothing else.
    let wang = login(&server.addr, "wang", "pw-123456").await;
    let (status, mine) = ratings(&server.addr, &wang, "").await;
    assert_eq!(status, 200);
    let units: Vec<&str> = mine["ratings"]
        .as_array()
        .expect("ratings")
        .iter()
        .filter_map(|r| r["unit"].as_str())
        .collect();
    assert!(!units.is_empty());
    assert!(units.iter().all(|u| u.starts_with("cq/yz")), "{units:?}");
    assert!(
        !units.contains(&"*"),
        "the national figure is for those who see everything"
    );

    // Weak spots: each of five items failed once in four visits, two never.
    let (status, weak) = get_json(&server.addr, &admin, "/api/v1/weakest?limit=20").await;
    assert_eq!(status, 200);
    // A limit outside the documented range is refused, not quietly clamped.
    let (status, err) = get_json(&server.addr, &admin, "/api/v1/weakest?limit=0").await;
    assert_eq!((status, err["code"].as_str()), (400, Some("bad_request")));
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("`limit` is 1 to 200")),
        "{err}"
    );
    let items = weak["items"].as_array().expect("items");
    assert_eq!(items.len(), 7);
    let rates: Vec<f64> = items
        .iter()
        .filter_map(|i| i["fail_rate"].as_f64())
        .collect();
    assert_eq!(rates, [0.25, 0.25, 0.25, 0.25, 0.25, 0.0, 0.0]);
    assert_eq!(items[0]["answered"], 4);
    assert!(items[0]["label_en"].is_string());
    let (_, mine) = get_json(&server.addr, &wang, "/api/v1/weakest").await;
    assert!(
        mine["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["answered"] == 3),
        "only the three visits in cq/yz: {mine}"
    );

    let li_token = login(&server.addr, "li", "pw-123456").await;
    assert_eq!(ratings(&server.addr, &li_token, "").await.0, 403);
    assert_eq!(
        get_json(&server.addr, &li_token, "/api/v1/weakest").await.0,
        403
    );
    let (status, body) = ratings(&server.addr, &admin, "?granularity=fortnight").await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "bad_request");
}

/// The stores of [`STORES`] as core's hierarchy, `jb_zone` the time zone
/// of the Jiangbei store.
fn hierarchy(jb_zone: &str) -> fieldcheck_core::ratings::Hierarchy {
    use fieldcheck_core::ratings::{Hierarchy, Level, Unit, under_nation};
    use fieldcheck_core::templates::Channel;
    let unit = |id: &str, parent: Option<&str>, level, traffic: f64, zone: &str| Unit {
        id: id.into(),
        parent: parent.map(str::to_string),
        level,
        channel: (level == Level::Store).then_some(Channel::OwnedHall),
        traffic,
        time_zone: zone.into(),
    };
    let sh = "Asia/Shanghai";
    Hierarchy::new(under_nation(vec![
        unit("cq", None, Level::Province, 0.0, sh),
        unit("cq/yz", Some("cq"), Level::District, 0.0, sh),
        unit("cq/jb", Some("cq"), Level::District, 0.0, sh),
        unit("cq/yz/001", Some("cq/yz"), Level::Store, 1000.0, sh),
        unit("cq/yz/002", Some("cq/yz"), Level::Store, 500.0, sh),
        unit("cq/jb/001", Some("cq/jb"), Level::Store, 800.0, jb_zone),
    ]))
    .expect("valid hierarchy")
}

/// Every figure of `got` (the server's standings) equals `want` (core's,
/// computed visit by visit), numbers within 1e-9.
fn same_standings(got: &serde_json::Value, want: &serde_json::Value) {
    let (got, want) = (
        got["ratings"].as_array().expect("ratings"),
        want.as_array().expect("standings"),
    );
    let key = |r: &serde_json::Value| format!("{} {}", r["unit"], r["period"]);
    let got_keys: Vec<String> = got.iter().map(key).collect();
    let want_keys: Vec<String> = want.iter().map(key).collect();
    assert_eq!(got_keys, want_keys);
    let mut numbers = Vec::new();
    for (g, w) in got.iter().zip(want) {
        for field in [
            "/visits",
            "/mystery_visits",
            "/stores_audited",
            "/stores_total",
            "/rank",
            "/rank_range",
            "/flags",
            "/templates",
            "/band",
            "/below_coverage",
            "/change/previous_period",
        ] {
            assert_eq!(g.pointer(field), w.pointer(field), "{} {field}", key(g));
        }
        for field in [
            "/score",
            "/estimate/mean",
            "/estimate/se",
            "/estimate/n_eff",
            "/estimate/interval/lo",
            "/estimate/interval/hi",
            "/pass_rate",
            "/coverage_traffic",
            "/change/delta",
        ] {
            let (a, b) = (g.pointer(field), w.pointer(field));
            match (a.and_then(|v| v.as_f64()), b.and_then(|v| v.as_f64())) {
                (Some(a), Some(b)) => {
                    assert!(
                        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                        "{} {field}: {a} != {b}",
                        key(g)
                    );
                    numbers.push(a);
                }
                _ => assert_eq!(a, b, "{} {field}", key(g)),
            }
        }
    }
    assert!(numbers.len() > 20, "the comparison compared figures");
}

#[tokio::test]
async fn ratings_from_the_daily_sums_equal_ratings_visit_by_visit() {
    use fieldcheck_core::ratings::league::standings;
    use fieldcheck_core::ratings::{Granularity, RatingRules, Visit, Weighting, rate};

    let dir = people();
    let t = template();
    let stores = dir.path().join("stores.csv");
    std::fs::write(&stores, STORES).expect("write");
    cli(dir.path(), &["stores", "import", &stores.to_string_lossy()]);
    publish(dir.path(), &t);
    cli(
        dir.path(),
        &[
            "user",
            "add",
            "root",
            "--role",
            "admin",
            "--scope",
            "*",
            "--password",
            "pw-123456",
        ],
    );
    let server = Server::start(dir.path(), None);

    // Seeded random audits: stores, failed items and times over four months,
    // some at 23:xx UTC (the next day in Shanghai), several on one day.
    let mut seed: u64 = 0x5eed_1234;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let items = ["a1", "a2", "a3", "a4", "b1", "b2", "b3"];
    let store_ids = ["cq/yz/001", "cq/yz/002", "cq/jb/001"];
    let mut li = Device::default();
    let mut visits = Vec::new();
    for k in 0..48 {
        let store = store_ids[next(3) as usize];
        let failed: Vec<&str> = items.iter().copied().filter(|_| next(4) == 0).collect();
        // 2026-01-01T00:00Z plus up to 120 days, at 01:00 or 23:30 UTC.
        let at = 1_767_225_600_000
            + next(120) as i64 * 86_400_000
            + if next(2) == 0 { 3_600_000 } else { 84_600_000 };
        let li_at = |ms| actor("li", Role::Inspector, ms);
        let id = format!("rnd-{k}");
        let mut r = Record::create(&t, &id, store, &li_at(at)).expect("create");
        for (i, item) in items.iter().enumerate() {
            let v = if failed.contains(item) {
                AnswerValue::Fail
            } else {
                AnswerValue::Pass
            };
            r.answer(&t, &li_at(at + 1_000 + i as i64), item, v, None)
                .expect("answer");
        }
        r.submit(&t, &li_at(at + 60_000)).expect("submit");
        let scored = score_visit(&t, &r.state().expect("state").answer_values(), None);
        visits.push(Visit {
            store: store.into(),
            at: jiff::Timestamp::from_millisecond(at).expect("time"),
            score: scored.score.expect("scored"),
            passed: scored.passed,
            mystery: false,
            template: t.reference(),
        });
        li.docs.0.insert(id.clone(), r.into_doc());
        li.changed(None, &id).await;
    }
    li.sync(&server.addr, &login(&server.addr, "li", "pw-123456").await)
        .await;
    let admin = login(&server.addr, "root", "pw-123456").await;
    caught_up(&server.addr, &admin).await;

    let compare = |jb_zone: &'static str, visits: Vec<Visit>| {
        let (addr, admin) = (server.addr.clone(), admin.clone());
        async move {
            let h = hierarchy(jb_zone);
            for (granularity, name) in [
                (Granularity::Day, "day"),
                (Granularity::Week, "week"),
                (Granularity::Month, "month"),
            ] {
                for (weighting, w) in [
                    (Weighting::Stores, "stores"),
                    (Weighting::Traffic, "traffic"),
                ] {
                    let rules = RatingRules {
                        weighting,
                        ..RatingRules::default()
                    };
                    let want = standings(rate(&h, &visits, granularity, &rules).expect("rates"));
                    let (status, got) =
                        ratings(&addr, &admin, &format!("?granularity={name}&weighting={w}")).await;
                    assert_eq!(status, 200);
                    same_standings(&got, &serde_json::to_value(&want).expect("json"));
                }
            }
        }
    };
    compare("Asia/Shanghai", visits.clone()).await;

    // A returned audit no longer counts: its store's day is counted again.
    let (status, body) = http(
        &server.addr,
        "POST",
        "/api/v1/records/rnd-0/return",
        Some(&admin),
        Some(r#"{"comment":"照片不清晰"}"#),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    caught_up(&server.addr, &admin).await;
    visits.remove(0);
    compare("Asia/Shanghai", visits.clone()).await;

    // The Jiangbei store moves to UTC: its visits at 23:30 UTC fall on the
    // day before now, and the sums follow.
    let moved = dir.path().join("moved.csv");
    std::fs::write(
        &moved,
        "id,parent,level,name_zh,name_en,channel,traffic,time_zone\ncq/jb/001,cq/jb,store,观音桥营业厅,Guanyinqiao,owned_hall,800,UTC\n",
    )
    .expect("write");
    let (status, body) = fieldcheck_tests::http_raw(
        &server.addr,
        "POST",
        "/api/v1/units/import?file=moved.csv",
        Some(&admin),
        &[],
        &std::fs::read(&moved).expect("read"),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    compare("UTC", visits.clone()).await;
}
