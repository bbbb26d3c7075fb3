//! The derived tables: kept up to date as documents arrive, and identical
//! to a rebuild from the documents alone.

use fieldcheck_core::records::Record;
use fieldcheck_core::scoring::audit::score_visit;
use fieldcheck_core::vocab::Role;
use fieldcheck_server::store::Storage;
use sqlx::{Column, Row};

use fieldcheck_tests::{
    Device, Server, actor, caught_up, cli, database_url, device_with_audit, login, people,
    submitted_audit, template,
};

/// Every row of every derived table, as text, in key order.
async fn dump(storage: &Storage) -> Vec<String> {
    let mut out = Vec::new();
    for (table, key) in [
        ("m_records", "doc_id"),
        ("m_answers", "doc_id, item_id"),
        ("m_sections", "doc_id, section_id"),
        ("m_constructs", "doc_id, construct_id"),
        ("m_events", "doc_id, n"),
        ("m_comments", "doc_id, comment_id"),
        ("m_actions", "doc_id, action_id"),
        ("m_history", "doc_id, n"),
    ] {
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {key}"))
            .fetch_all(storage.pool())
            .await
            .expect("select");
        for r in rows {
            let cells: Vec<String> = (0..r.columns().len())
                .map(|i| {
                    let name = r.columns()[i].name().to_string();
                    let value = r
                        .try_get::<Option<String>, _>(i)
                        .map(|v| format!("{v:?}"))
                        .or_else(|_| r.try_get::<Option<i64>, _>(i).map(|v| format!("{v:?}")))
                        .or_else(|_| r.try_get::<Option<f64>, _>(i).map(|v| format!("{v:?}")))
                        .expect("text, integer or real");
                    format!("{name}={value}")
                })
                .collect();
            out.push(format!("{table}: {}", cells.join(" ")));
        }
    }
    out
}

/// `query`'s one text cell.
async fn cell(storage: &Storage, query: &str) -> Option<String> {
    sqlx::query(query)
        .fetch_optional(storage.pool())
        .await
        .expect("query")
        .and_then(|r| r.try_get(0).ok())
}

#[tokio::test]
async fn derived_tables_follow_the_documents_and_equal_a_rebuild() {
    let dir = people();
    let t = template();
    let file = dir.path().join("worked_example.json");
    std::fs::write(&file, t.canonical_json()).expect("write");
    let published = cli(
        dir.path(),
        &["template", "publish", &file.to_string_lossy()],
    );
    assert!(published.starts_with("published"), "{published}");
    assert!(
        cli(
            dir.path(),
            &["template", "publish", &file.to_string_lossy()]
        )
        .starts_with("already"),
        "publishing twice changes nothing"
    );

    let mut server = Server::start(dir.path(), None);
    let storage = Storage::open(&database_url(dir.path()))
        .await
        .expect("storage");
    let li_token = login(&server.addr, "li", "pw-123456").await;
    let mut li = device_with_audit(&t, "audit-m1").await;
    li.docs.0.insert(
        "audit-m2".into(),
        submitted_audit(&t, "audit-m2").into_doc(),
    );
    li.changed(None, "audit-m2").await;
    li.sync(&server.addr, &li_token).await;

    // The manager returns one audit with a comment.
    let mut wang = Device::default();
    let mut ws = wang
        .sync(
            &server.addr,
            &login(&server.addr, "wang", "pw-123456").await,
        )
        .await;
    let mut r = Record::from_doc(wang.docs.0.remove("audit-m1").expect("doc")).expect("record");
    r.return_for_changes(&actor("wang", Role::Manager, 9_000), "Photo of the sign")
        .expect("return");
    wang.docs.0.insert("audit-m1".into(), r.into_doc());
    wang.changed(Some(&mut ws), "audit-m1").await;

    caught_up(&server.addr, &li_token).await;
    let status = |id: &str| format!("SELECT status FROM m_records WHERE doc_id = '{id}'");
    assert_eq!(
        cell(&storage, &status("audit-m1")).await.as_deref(),
        Some("returned")
    );
    assert_eq!(
        cell(&storage, &status("audit-m2")).await.as_deref(),
        Some("submitted")
    );
    let expected = score_visit(
        &t,
        &submitted_audit(&t, "x")
            .state()
            .expect("state")
            .answer_values(),
        None,
    );
    let row = sqlx::query("SELECT score, passed, scored FROM m_records WHERE doc_id = 'audit-m2'")
        .fetch_one(storage.pool())
        .await
        .expect("row");
    assert_eq!(
        row.try_get::<Option<f64>, _>("score").expect("score"),
        expected.score
    );
    assert_eq!(row.try_get::<i64, _>("scored").expect("scored"), 1);
    let comment: String = sqlx::query("SELECT body FROM m_comments WHERE doc_id = 'audit-m1'")
        .fetch_one(storage.pool())
        .await
        .expect("comment")
        .try_get("body")
        .expect("body");
    assert_eq!(comment, "Photo of the sign");
    let authors: Vec<Option<String>> =
        sqlx::query("SELECT author FROM m_history WHERE doc_id = 'audit-m1' ORDER BY n")
            .fetch_all(storage.pool())
            .await
            .expect("history")
            .iter()
            .map(|r| r.try_get("author").expect("author"))
            .collect();
    assert_eq!(authors.first(), Some(&Some("li".to_string())));
    assert_eq!(authors.last(), Some(&Some("wang".to_string())));

    let live = dump(&storage).await;
    assert!(live.len() > 20, "{live:?}");
    server.kill9();

    let rebuilt = cli(dir.path(), &["rebuild"]);
    assert!(
        rebuilt.contains("rebuilding: 2 of 2"),
        "progress is shown: {rebuilt}"
    );
    assert_eq!(dump(&storage).await, live, "a rebuild gives the same rows");
}
