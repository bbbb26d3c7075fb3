//! Interviews quit part-way: kept as partial responses where the template
//! says so, discarded otherwise, and counted by the server accordingly.

use std::path::Path;

use fieldcheck_core::answers::AnswerValue;
use fieldcheck_core::records::{Record, Status};
use fieldcheck_core::templates::{Format, Template};
use fieldcheck_core::vocab::Role;

use fieldcheck_tests::{
    Device, STORES, Server, actor, add_user, caught_up, cli, http, http_raw, login, people, publish,
};

fn intercept_survey() -> Template {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/intercept_survey.toml");
    let src = std::fs::read_to_string(path).expect("template");
    Template::load(&src, Format::Toml).expect("valid")
}

async fn get(addr: &str, token: &str, path: &str) -> serde_json::Value {
    let (status, body) = http(addr, "GET", path, Some(token), None).await;
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).expect("json")
}

#[tokio::test]
async fn a_partial_interview_counts_in_satisfaction_and_a_discarded_one_nowhere() {
    let dir = people();
    let stores = dir.path().join("stores.csv");
    std::fs::write(&stores, STORES).expect("write");
    cli(dir.path(), &["stores", "import", &stores.to_string_lossy()]);
    add_user(dir.path(), "zhou", "surveyor", "cq", "pw-123456");
    let t = intercept_survey();
    assert!(t.keep_partial_responses);
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), None);
    let zhou = |ms| actor("zhou", Role::Surveyor, ms);

    // Two interviews started and ended offline, before any sync: the
    // respondent left after two answers; the other was thrown away.
    let mut device = Device::default();
    for (id, quit) in [("iv-left", true), ("iv-thrown", false)] {
        let mut r = Record::create(&t, id, "cq/yz/001", &zhou(1_000)).expect("create");
        r.answer(
            &t,
            &zhou(2_000),
            "visit_purpose",
            AnswerValue::Choice("pay_bill".into()),
            None,
        )
        .expect("answer");
        r.answer(&t, &zhou(3_000), "nps", AnswerValue::Number(9.0), None)
            .expect("answer");
        if quit {
            assert_eq!(r.quit(&t, &zhou(4_000)).expect("quit"), Status::Partial);
        } else {
            r.discard(&t, &zhou(4_000)).expect("discard");
        }
        device.docs.0.insert(id.into(), r.into_doc());
        device.changed(None, id).await;
    }
    let token = login(&server.addr, "zhou", "pw-123456").await;
    let _ws = device.sync(&server.addr, &token).await;
    assert!(device.rejected.is_empty(), "{:?}", device.rejected);

    // The manager's satisfaction figures count the partial respondent, with
    // the answer they gave.
    let wang = login(&server.addr, "wang", "pw-123456").await;
    caught_up(&server.addr, &wang).await;
    let sat = get(
        &server.addr,
        &wang,
        "/api/v1/satisfaction?template=intercept_survey&unit=cq/yz/001",
    )
    .await;
    let store = sat["units"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["unit"] == "cq/yz/001"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(store["responses"], 1, "{store:#}");
    assert_eq!(store["nps"]["n"], 1, "{store:#}");

    // Exports list the partial interview and not the discarded one, which
    // the server holds with its answers cleared.
    let (s, csv) = http_raw(
        &server.addr,
        "GET",
        "/api/v1/exports/records.csv?template=intercept_survey",
        Some(&wang),
        &[],
        &[],
    )
    .await;
    let csv = String::from_utf8_lossy(&csv);
    assert_eq!(s, 200, "{csv}");
    assert!(csv.contains("iv-left") && csv.contains("partial"), "{csv}");
    assert!(!csv.contains("iv-thrown"), "{csv}");
    let thrown = get(&server.addr, &wang, "/api/v1/records/iv-thrown").await;
    assert_eq!(thrown["record"]["status"], "discarded", "{thrown:#}");
    assert_eq!(
        thrown["answers"].as_array().map(Vec::len),
        Some(0),
        "{thrown:#}"
    );
}
