//! An XLSForm with calculations, published through the API: a device fills
//! it in and syncs it, and the server works the calculated values out
//! again from the answers for the review and the exports.

use fieldcheck_core::answers::AnswerValue;
use fieldcheck_core::records::Record;
use fieldcheck_core::templates::Template;
use fieldcheck_core::vocab::Role;

use fieldcheck_tests::{actor, get_json as get, http_raw, login, post_file, team, upload};

fn form() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/queue_calculations.xlsx");
    std::fs::read(path).expect("fixture")
}

/// What the server gives wang at `path` (a report, an export), as text.
async fn text_of(team: &fieldcheck_tests::Team, path: &str) -> String {
    let (status, body) = http_raw(&team.server.addr, "GET", path, Some(&team.wang), &[], &[]).await;
    let body = String::from_utf8_lossy(&body).into_owned();
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The stored value of item `id` in a record's detail, as JSON text.
fn answer_in(detail: &serde_json::Value, id: &str) -> Option<serde_json::Value> {
    detail["answers"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["item_id"] == id))
        .map(|a| a["value"].clone())
}

#[tokio::test]
async fn calculated_values_are_worked_out_by_the_server_and_exported() {
    let team = team(&[]).await;
    let addr = &team.server.addr;
    let (status, published) =
        post_file(addr, &team.root, "/api/v1/templates?format=xlsx", &form()).await;
    assert_eq!(status, 200, "{published}");
    let t = Template::load_file(&form(), "queue_calculations.xlsx")
        .expect("imports")
        .template;
    assert_eq!(
        published["version"],
        t.version.as_str(),
        "the device's form is the server's"
    );

    let li = |ms| actor("li", Role::Inspector, ms);
    let mut r = Record::create(&t, "qc-1", "cq/yz/001", &li(1_000)).expect("create");
    for (k, (item, v)) in [("waiting", 9.0), ("counters_open", 3.0)]
        .into_iter()
        .enumerate()
    {
        r.answer(
            &t,
            &li(2_000 + k as i64),
            item,
            AnswerValue::Number(v),
            None,
        )
        .expect("answer");
    }
    r.answer(&t, &li(3_000), "greeting", AnswerValue::Pass, None)
        .expect("answer");
    // Three a counter: not crowded, so the extra counter is not asked.
    r.submit(&t, &li(4_000)).expect("submit");
    let _ws = upload(addr, &team.li, &team.wang, "qc-1", r).await;

    let (status, detail) = get(addr, &team.wang, "/api/v1/records/qc-1").await;
    assert_eq!(status, 200, "{detail}");
    let answer = |id: &str| answer_in(&detail, id);
    let per_counter = answer("per_counter").and_then(|v| v.as_str()?.parse::<f64>().ok());
    assert_eq!(per_counter, Some(3.0), "{detail:#}");
    assert_eq!(answer("crowded"), Some(serde_json::json!("\"no\"")));
    assert_eq!(
        detail["record"]["score"].as_f64(),
        Some(100.0),
        "{detail:#}"
    );

    // The printable report shows the calculated value too.
    let report = text_of(&team, "/api/v1/records/qc-1/report?lang=en").await;
    assert!(report.contains("9 waiting at 3 counters"), "{report}");

    let csv = text_of(
        &team,
        "/api/v1/exports/records.csv?template=queue_calculations",
    )
    .await;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let row: Vec<&str> = lines.next().expect("row").split(',').collect();
    let cell = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .map(|i| row[i])
    };
    assert_eq!(
        cell("per_counter").and_then(|v| v.parse::<f64>().ok()),
        Some(3.0),
        "{csv}"
    );
    assert_eq!(cell("summary"), Some("9 waiting at 3 counters"), "{csv}");
}

/// `visit_dates.xlsx` (today() and now()): the server works the values out
/// from when the record was started, as the device did, days later.
#[tokio::test]
async fn today_and_now_are_worked_out_from_the_records_start_by_the_server() {
    let form = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/visit_dates.xlsx"),
    )
    .expect("fixture");
    let team = team(&[("zhou", "surveyor", "cq")]).await;
    let addr = &team.server.addr;
    let zhou = login(addr, "zhou", "pw-123456").await;
    let (status, published) =
        post_file(addr, &team.root, "/api/v1/templates?format=xlsx", &form).await;
    assert_eq!(status, 200, "{published}");
    let t = Template::load_file(&form, "visit_dates.xlsx")
        .expect("imports")
        .template;
    // 01:30 on 1 December 2026 in Beijing; answered and submitted 3 days on.
    let started = 1_796_059_800_000;
    let later = started + 3 * 86_400_000;
    let by = |ms| actor("zhou", Role::Surveyor, ms);
    let mut r = Record::create(&t, "vd-1", "cq/yz/001", &by(started)).expect("create");
    for (item, day) in [("opened", "2026-10-01"), ("visit_day", "2026-12-01")] {
        r.answer(&t, &by(later), item, AnswerValue::Text(day.into()), None)
            .expect("answer");
    }
    r.submit(&t, &by(later)).expect("submit");
    let _ws = upload(addr, &zhou, &team.wang, "vd-1", r).await;

    let (status, detail) = get(addr, &team.wang, "/api/v1/records/vd-1").await;
    assert_eq!(status, 200, "{detail}");
    let answer = |id: &str| answer_in(&detail, id);
    assert_eq!(
        answer("days_open").and_then(|v| v.as_str()?.parse::<f64>().ok()),
        Some(61.0),
        "{detail:#}"
    );
    assert_eq!(
        answer("stamp"),
        Some(serde_json::json!("\"2026-12-01 01:30\""))
    );
    assert_eq!(detail["record"]["status"], "submitted", "{detail:#}");
}

/// `counter_repeats.xlsx`: a counter checked per open counter and staff
/// per member on duty. A device fills in the entries and syncs the record;
/// the server scores each entry, shows them in the review and the
/// printable report, and exports a row per entry and question.
#[tokio::test]
async fn repeated_sections_are_synced_scored_per_entry_and_exported() {
    let form = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/counter_repeats.xlsx"),
    )
    .expect("fixture");
    let team = team(&[]).await;
    let addr = &team.server.addr;
    let (status, published) =
        post_file(addr, &team.root, "/api/v1/templates?format=xlsx", &form).await;
    assert_eq!(status, 200, "{published}");
    let t = Template::load_file(&form, "counter_repeats.xlsx")
        .expect("imports")
        .template;
    let li = |ms| actor("li", Role::Inspector, ms);
    let mut r = Record::create(&t, "cr-1", "cq/yz/001", &li(1_000)).expect("create");
    use AnswerValue::{Fail, Number, Pass, Text};
    let mut answers = vec![
        ("counters".to_string(), Number(2.0)),
        ("signage".into(), Pass),
        ("floor_clean".into(), Pass),
        ("extra@2".into(), Pass),
        ("staff_name@0019a000001aaaa".into(), Text("李".into())),
        ("uniform@0019a000001aaaa".into(), Pass),
    ];
    // Counter 1 greeted with 3 waiting; counter 2 not, with 8.
    for (n, greeted, queue) in [(1, Pass, 3.0), (2, Fail, 8.0)] {
        answers.push((format!("greeted@{n}"), greeted));
        answers.push((format!("queue@{n}"), Number(queue)));
    }
    for (key, value) in answers {
        r.answer(&t, &li(2_000), &key, value, None)
            .unwrap_or_else(|e| panic!("{key}: {e}"));
    }
    r.submit(&t, &li(4_000)).expect("submit");
    let _ws = upload(addr, &team.li, &team.wang, "cr-1", r).await;

    let (status, detail) = get(addr, &team.wang, "/api/v1/records/cr-1").await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(
        answer_in(&detail, "total_queue").and_then(|v| v.as_str()?.parse::<f64>().ok()),
        Some(11.0),
        "{detail:#}"
    );
    assert_eq!(
        answer_in(&detail, "counter_no@2"),
        Some(serde_json::json!("\"#2\""))
    );
    // Counters 100 and 33.3, staff 100, the hall's two parts 100 each,
    // sharing the hall's weight.
    let score = detail["record"]["score"].as_f64().expect("scored");
    let counters = (100.0 + 100.0 / 3.0) / 2.0;
    assert!(
        (score - (0.5 * 100.0 + counters + 0.5 * 100.0 + 100.0) / 3.0).abs() < 1e-6,
        "{detail:#}"
    );
    let entries = detail["form"]["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == "counter"))
        .map(|s| s["repeat"]["entries"].as_array().map_or(0, Vec::len));
    assert_eq!(entries, Some(2), "{detail:#}");

    let report = text_of(&team, "/api/v1/records/cr-1/report?lang=en").await;
    assert!(report.contains("Greeted on arrival #2"), "{report}");

    let csv = text_of(
        &team,
        "/api/v1/exports/records.csv?template=counter_repeats&layout=long",
    )
    .await;
    for key in [
        "greeted@1",
        "greeted@2",
        "extra@2",
        "uniform@0019a000001aaaa",
    ] {
        assert!(
            csv.lines().any(|l| l.split(',').any(|c| c == key)),
            "{key} in {csv}"
        );
    }
}
