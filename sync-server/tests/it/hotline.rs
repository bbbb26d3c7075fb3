//! Hotline statistics: a call-centre export imported all or nothing by a
//! manager over their hotlines, the KPIs by period against the targets an
//! administrator sets, and the test calls of the same hotline beside them.

use fieldcheck_core::answers::AnswerValue;
use fieldcheck_core::records::Record;
use fieldcheck_core::templates::{AnswerType, Format, Template};
use fieldcheck_core::vocab::Role;
use serde_json::Value;

use fieldcheck_tests::{
    Device, Server, actor, add_user, caught_up, get_json as get, http, login, people, post_file,
    publish, row_problems,
};

/// Two hotlines, one in each district of the tests' hierarchy.
const HOTLINES: &str = "id,parent,level,name_zh,name_en,channel
cq/yz/900,cq/yz,store,渝中客服热线,Yuzhong hotline,hotline
cq/jb/900,cq/jb,store,江北客服热线,Jiangbei hotline,hotline
";

/// Four hours of one hotline over two days, as a Chinese report heads them
/// (the answered-in-time column named by a mapping): 320 calls offered, 288
/// answered, 261 within 20 s, 32 abandoned, 16 of them within 20 s.
const EXPORT: &str =
    "热线,开始时间,人工请求量,人工接通量,In 20s,放弃量,及时内放弃量,通话时长,话后处理时长,签入时长
cq/yz/900,2026-11-02 09:00,100,90,80,10,5,16200,1800,28800
cq/yz/900,2026-11-02 10:00,120,100,85,20,10,18000,2000,28800
cq/yz/900,2026-11-03 09:00,60,58,56,2,1,10440,1160,28800
cq/yz/900,2026-11-03 10:00,40,40,40,0,0,7200,800,28800
";

async fn send(addr: &str, token: &str, query: &str, csv: &str) -> (u16, Value) {
    let path = format!("/api/v1/hotline/statistics?{query}");
    post_file(addr, token, &path, csv.as_bytes()).await
}

fn hotline_template() -> Template {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../templates/hotline_test_call.toml");
    Template::load(
        &std::fs::read_to_string(path).expect("template"),
        Format::Toml,
    )
    .expect("valid")
}

/// A submitted test call to cq/yz/900 on 2 November (Chongqing time), with
/// a person answering after `wait_s` seconds.
fn test_call(t: &Template, id: &str, wait_s: f64) -> Record {
    let at = "2026-11-02T02:00:00Z"
        .parse::<jiff::Timestamp>()
        .expect("time")
        .as_millisecond();
    let li = |ms| actor("li", Role::Inspector, at + ms);
    let mut r = Record::create(t, id, "cq/yz/900", &li(0)).expect("create");
    let first_choice = |item: &str| match t.item(item).map(|i| &i.answer) {
        Some(AnswerType::SingleChoice(c)) => AnswerValue::Choice(c[0].value.clone()),
        _ => panic!("{item} is a single choice"),
    };
    let answers = [
        (
            "call_time",
            AnswerValue::Text("2026-11-02T02:00:00Z".into()),
        ),
        ("hotline", first_choice("hotline")),
        ("scenario", first_choice("scenario")),
        ("connected", AnswerValue::Pass),
        ("ivr_standard", AnswerValue::Pass),
        ("answer_s", AnswerValue::Number(wait_s)),
        ("agent_id_given", AnswerValue::Pass),
        ("courtesy", AnswerValue::Fraction(1.0)),
        ("resolution", first_choice("resolution")),
        ("experience", AnswerValue::Number(4.0)),
    ];
    for (n, (item, value)) in answers.into_iter().enumerate() {
        r.answer(t, &li(1_000 * (n as i64 + 1)), item, value, None)
            .unwrap_or_else(|e| panic!("{item}: {e:?}"));
    }
    r.submit(t, &li(60_000)).expect("submit");
    r
}

/// One hour of cq/yz/900 on 4 December in an XLSX workbook, its start a
/// date-time cell.
fn workbook() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in [
        "hotline",
        "interval_start",
        "offered",
        "answered",
        "answered_within",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *header).expect("header");
    }
    let start = ExcelDateTime::from_ymd(2026, 12, 4)
        .and_then(|d| d.and_hms(9, 0, 0))
        .expect("date");
    sheet.write_string(1, 0, "cq/yz/900").expect("cell");
    sheet
        .write_datetime_with_format(
            1,
            1,
            &start,
            &Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        )
        .expect("cell");
    for (col, n) in [(2, 100.0), (3, 95.0), (4, 90.0)] {
        sheet.write_number(1, col, n).expect("cell");
    }
    book.save_to_buffer().expect("xlsx")
}

fn kpi<'a>(row: &'a Value, id: &str) -> &'a Value {
    row["kpis"]
        .as_array()
        .and_then(|ks| ks.iter().find(|k| k["id"] == id))
        .unwrap_or_else(|| panic!("{id} in {row}"))
}

#[tokio::test]
async fn call_statistics_import_whole_and_rate_the_hotline_beside_its_test_calls() {
    let dir = people();
    add_user(dir.path(), "root", "admin", "*", "pw-123456");
    let t = hotline_template();
    publish(dir.path(), &t);
    let server = Server::start(dir.path(), None);
    let addr = &server.addr;
    let root = login(addr, "root", "pw-123456").await;
    let (status, body) = post_file(
        addr,
        &root,
        "/api/v1/units/import?file=hotlines.csv",
        HOTLINES.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (wang, chen, li) = (
        login(addr, "wang", "pw-123456").await,
        login(addr, "chen", "pw-123456").await,
        login(addr, "li", "pw-123456").await,
    );
    let month = "/api/v1/hotline/kpis?granularity=month&period=2026-11";

    // A file with problems: every one named by row and column, nothing kept.
    let bad = "hotline,interval_start,offered,answered,answered_within\n\
               cq/yz/900,2026-11-02 09:00,100,90,80\n\
               cq/jb/900,2026-11-02 09:00,100,90,80\n\
               cq/yz/001,2026-11-02 09:00,100,90,80\n\
               cq/yz/900,2026-11-02 10:00,100,101,80\n\
               cq/yz/900,2026-11-02 09:00,10,9,8\n";
    let (status, refused) = send(addr, &wang, "file=bad.csv", bad).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["code"], "invalid_rows");
    let problems = row_problems(&refused);
    assert_eq!(
        problems,
        [
            (3, "hotline".into(), "hotline.outside_scope".into()),
            (4, "hotline".into(), "hotline.not_hotline".into()),
            (5, "answered".into(), "hotline.count_over".into()),
            (6, "interval_start".into(), "hotline.interval_twice".into()),
        ]
    );
    let (_, none) = get(addr, &wang, month).await;
    assert_eq!(none["rows"], serde_json::json!([]), "{none}");

    // The export, read through the Chinese headers and a mapping; checked
    // first, then imported.
    let mapped = "file=calls.csv&map=In%2020s%3Danswered_within";
    let (status, checked) = send(addr, &wang, &format!("{mapped}&dry_run=true"), EXPORT).await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!(checked["dry_run"], true);
    assert_eq!(
        get(addr, &wang, month).await.1["rows"],
        serde_json::json!([])
    );
    let (status, done) = send(addr, &wang, mapped, EXPORT).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        (
            &done["intervals"],
            &done["hotlines"],
            &done["first"],
            &done["last"]
        ),
        (
            &serde_json::json!(4),
            &serde_json::json!(1),
            &serde_json::json!("2026-11-02 09:00"),
            &serde_json::json!("2026-11-03 10:00")
        )
    );
    // Imported again, it replaces rather than adds.
    assert_eq!(send(addr, &wang, mapped, EXPORT).await.0, 200);

    // A workbook whose starts are spreadsheet date-times, not text.
    let (status, body) = post_file(
        addr,
        &wang,
        "/api/v1/hotline/statistics?file=calls.xlsx&minutes=60",
        &workbook(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, days) = get(
        addr,
        &wang,
        "/api/v1/hotline/kpis?granularity=day&period=2026-12-04",
    )
    .await;
    let day = &days["rows"][0];
    assert_eq!(day["period"], "2026-12-04", "{days}");
    assert_eq!(kpi(day, "manual_connection")["value"].as_f64(), Some(0.95));

    // One test call, answered after 40 s: late.
    let mut device = Device::default();
    device
        .docs
        .0
        .insert("tc-1".into(), test_call(&t, "tc-1", 40.0).into_doc());
    device.changed(None, "tc-1").await;
    let _ws = device.sync(addr, &li).await;
    assert!(device.rejected.is_empty(), "{:?}", device.rejected);
    caught_up(addr, &wang).await;

    let (status, reply) = get(addr, &wang, month).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["formula"], "exclude_abandoned_within_t");
    let rows = reply["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{reply}");
    let row = &rows[0];
    assert_eq!(
        (&row["hotline"], &row["period"], &row["name_en"]),
        (
            &serde_json::json!("cq/yz/900"),
            &serde_json::json!("2026-11"),
            &serde_json::json!("Yuzhong hotline")
        )
    );
    let sl = kpi(row, "service_level");
    assert_eq!(
        (sl["numerator"].as_f64(), sl["denominator"].as_f64()),
        (Some(261.0), Some(304.0))
    );
    assert_eq!(sl["meets"], true, "{sl}");
    assert_eq!(sl["target"]["at_least"], 0.85);
    let busy = kpi(row, "busy_hour_connection");
    assert_eq!(busy["at"], "2026-11-02 10:00");
    assert_eq!(kpi(row, "avg_talk_s")["value"].as_f64(), Some(180.0));
    assert_eq!(
        kpi(row, "satisfaction")["missing"]["key"],
        "hotline.kpi_not_in_data"
    );
    let tests = &row["test_calls"];
    assert_eq!(tests["test_calls"]["calls"], 1, "{tests}");
    assert_eq!(tests["test_calls"]["timed"], 1);
    assert_eq!(tests["test_calls"]["within"], 0);
    assert_eq!(tests["test_calls"]["connected"], 1);
    assert_eq!(
        tests["disagreement"]["key"], "hotline.switch_meets_tests_miss",
        "{tests}"
    );
    assert_eq!(
        tests["disagreement"]["params"]["significance"]["key"],
        "hotline.difference_too_few"
    );

    // Another formula, named in the reply.
    let (_, answered_only) = get(addr, &wang, &format!("{month}&formula=answered_only")).await;
    let sl = kpi(&answered_only["rows"][0], "service_level");
    assert_eq!(sl["denominator"].as_f64(), Some(288.0));
    assert_eq!(answered_only["formula"], "answered_only");
    let (status, _) = get(addr, &wang, &format!("{month}&formula=made_up")).await;
    assert_eq!(status, 400);

    // Scope: the other district's manager sees no hotline of Yuzhong; an
    // inspector sees no figures.
    assert_eq!(
        get(addr, &chen, month).await.1["rows"],
        serde_json::json!([])
    );
    assert_eq!(get(addr, &li, month).await.0, 403);

    // The operator's own target: 90% in time. Now both sources miss it.
    let put = |token: &str, body: &str| {
        let (token, body) = (token.to_string(), body.to_string());
        async move {
            http(
                addr,
                "PUT",
                "/api/v1/hotline/targets",
                Some(&token),
                Some(&body),
            )
            .await
        }
    };
    let target = r#"{"targets":{"service_level":{"at_least":0.9},"abandon_rate":null}}"#;
    assert_eq!(put(&wang, target).await.0, 403);
    assert_eq!(
        put(&root, r#"{"targets":{"service_level":{"at_least":1.5}}}"#)
            .await
            .0,
        400
    );
    assert_eq!(
        put(&root, r#"{"targets":{"made_up":{"at_least":0.5}}}"#)
            .await
            .0,
        400
    );
    let (status, set) = put(&root, target).await;
    assert_eq!(status, 200, "{set}");
    let (_, stricter) = get(addr, &wang, month).await;
    let row = &stricter["rows"][0];
    assert_eq!(kpi(row, "service_level")["meets"], false);
    assert_eq!(kpi(row, "service_level")["target"]["at_least"], 0.9);
    assert_eq!(kpi(row, "abandon_rate")["target"], Value::Null);
    assert_eq!(row["test_calls"]["disagreement"], Value::Null);
    let (_, targets) = get(addr, &wang, "/api/v1/hotline/targets").await;
    assert_eq!(targets["defaults"]["service_level"]["at_least"], 0.85);
    assert_eq!(targets["targets"]["service_level"]["at_least"], 0.9);
}
