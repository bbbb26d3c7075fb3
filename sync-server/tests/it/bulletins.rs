//! The monthly bulletin: every section in the reader's language, kept once
//! generated until a manager asks for it again, as HTML or XLSX, and only
//! for managers over the unit.

use fieldcheck_core::answers::AnswerValue;
use fieldcheck_core::records::Record;
use fieldcheck_core::vocab::Role;

use fieldcheck_tests::{
    Device, Server, actor, add_user, caught_up, get_json, http, http_raw, login, people, publish,
    template,
};

async fn page(addr: &str, token: &str, path: &str) -> (u16, String) {
    http(addr, "GET", path, Some(token), None).await
}

#[tokio::test]
async fn a_month_of_one_province_in_both_languages_kept_until_generated_again() {
    let dir = people();
    add_user(dir.path(), "root", "admin", "*", "pw-123456");
    let t = template();
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), None);
    let addr = &server.addr;
    let (root, wang, li) = (
        login(addr, "root", "pw-123456").await,
        login(addr, "wang", "pw-123456").await,
        login(addr, "li", "pw-123456").await,
    );
    // An audit in May at cq/yz/001 with one standard failed.
    let at = "2026-05-06T02:00:00Z"
        .parse::<jiff::Timestamp>()
        .expect("time")
        .as_millisecond();
    let by = |ms| actor("li", Role::Inspector, at + ms);
    let mut audit = Record::create(&t, "bl-1", "cq/yz/001", &by(0)).expect("create");
    for (n, item) in ["a1", "a2", "a3", "a4", "b1", "b2", "b3"]
        .iter()
        .enumerate()
    {
        let value = if *item == "a3" {
            AnswerValue::Fail
        } else {
            AnswerValue::Pass
        };
        audit
            .answer(&t, &by(1_000 + n as i64), item, value, None)
            .expect("answer");
    }
    audit.submit(&t, &by(10_000)).expect("submit");
    let mut device = Device::default();
    device.docs.0.insert("bl-1".into(), audit.into_doc());
    device.changed(None, "bl-1").await;
    let _ws = device.sync(addr, &li).await;
    caught_up(addr, &root).await;

    let (status, en) = page(addr, &root, "/api/v1/bulletins/2026-05?unit=cq&lang=en").await;
    assert_eq!(status, 200, "{en}");
    for section in [
        "Scorecard league table",
        "Channel compliance ranking",
        "Weakest standards",
        "Hotline KPIs",
        "Customer satisfaction",
        "Corrective actions",
    ] {
        assert!(en.contains(section), "{section} in {en}");
    }
    // The districts of the province are its rows.
    assert!(en.contains("Yuzhong") && en.contains("Jiangbei"), "{en}");
    assert!(en.contains("insufficient sample"), "{en}");
    let (_, zh) = page(addr, &root, "/api/v1/bulletins/2026-05?unit=cq").await;
    assert!(zh.contains("服务评价排名") && zh.contains("渝中区"), "{zh}");

    // Kept: a figure entered afterwards shows only once it is generated again.
    let entries = "unit,period,indicator,value\ncq/yz,2026-05,integration,90\n";
    let (status, _) = http_raw(
        addr,
        "POST",
        "/api/v1/scorecards/entries?file=e.csv",
        Some(&root),
        &[],
        entries.as_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    let (_, kept) = page(addr, &root, "/api/v1/bulletins/2026-05?unit=cq&lang=en").await;
    assert_eq!(kept, en);
    let (_, again) = page(
        addr,
        &root,
        "/api/v1/bulletins/2026-05?unit=cq&lang=en&regenerate=true",
    )
    .await;
    assert!(again.contains("<td>18.0</td>"), "{again}");

    // The workbook.
    let (status, xlsx) = http_raw(
        addr,
        "GET",
        "/api/v1/bulletins/2026-05?unit=cq&lang=en&format=xlsx",
        Some(&root),
        &[],
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert!(xlsx.starts_with(b"PK"), "an XLSX (zip) file");

    // A manager's own district: fine; the other district, or a store, or a
    // year, or an inspector: refused.
    assert_eq!(page(addr, &wang, "/api/v1/bulletins/2026-05").await.0, 200);
    assert_eq!(
        get_json(addr, &wang, "/api/v1/bulletins/2026-05?unit=cq/jb")
            .await
            .0,
        403
    );
    assert_eq!(
        get_json(addr, &root, "/api/v1/bulletins/2026-05?unit=cq/yz/001")
            .await
            .0,
        400
    );
    assert_eq!(get_json(addr, &root, "/api/v1/bulletins/2026").await.0, 400);
    assert_eq!(
        get_json(addr, &li, "/api/v1/bulletins/2026-05").await.0,
        403
    );
}
