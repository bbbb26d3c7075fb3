//! Exports of the demo data: XLSX that opens in a real reader (calamine)
//! and matches the derived tables, CSV in both layouts, in scope.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use fieldcheck_server::store::Storage;
use sqlx::Row;

use fieldcheck_tests::{Server, cli, database_url, http_raw, login};

async fn scalar(storage: &Storage, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(storage.pool())
        .await
        .expect("query")
        .try_get(0)
        .expect("number")
}

#[tokio::test]
async fn exports_open_in_a_spreadsheet_reader_and_match_the_data() {
    let dir = tempfile::tempdir().expect("tmp");
    cli(
        dir.path(),
        &[
            "demo",
            "--password",
            "pw",
            "--stores-per-district",
            "3",
            "--months",
            "2",
        ],
    );
    let server = Server::start(dir.path(), None);
    let storage = Storage::open(&database_url(dir.path()))
        .await
        .expect("storage");
    let manager = login(&server.addr, "manager", "pw").await;
    let get = |path: String| {
        let (addr, token) = (server.addr.clone(), manager.clone());
        async move { http_raw(&addr, "GET", &path, Some(&token), &[], &[]).await }
    };

    // Wide XLSX of the owned-hall audits the Chengdu manager may see.
    let (status, bytes) =
        get("/api/v1/exports/records.xlsx?template=owned_hall_audit".into()).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a readable workbook");
    let sheet = book.worksheet_range("records").expect("the records sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    assert_eq!(header[0], "doc_id");
    assert!(header.contains(&"score".to_string()));
    assert!(header.contains(&"opening_hours".to_string()), "{header:?}");
    let expected = scalar(
        &storage,
        "SELECT COUNT(*) FROM m_records WHERE template_id = 'owned_hall_audit' AND status <> 'draft'
           AND substr(store_id, 1, 6) = 'sc/cd/'",
    )
    .await;
    assert!(expected > 0);
    assert_eq!(
        rows.len() as i64 - 1,
        expected,
        "one row per record in scope"
    );
    let score_col = header.iter().position(|h| h == "score").expect("score");
    let (first_id, first_score) = (rows[1][0].to_string(), rows[1][score_col].clone());
    assert!(first_id.starts_with("demo-sc.cd."), "{first_id}");
    let stored: Option<f64> = sqlx::query("SELECT score FROM m_records WHERE doc_id = $1")
        .bind(&first_id)
        .fetch_one(storage.pool())
        .await
        .expect("row")
        .try_get("score")
        .expect("score");
    assert_eq!(first_score.get_float(), stored);

    // Long CSV: one row per answer, with the row count announced first.
    let (status, csv) =
        get("/api/v1/exports/records.csv?layout=long&template=partner_store_audit".into()).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(csv).expect("utf-8");
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("csv row")).collect();
    let n = rows.len() as i64;
    let answers = scalar(
        &storage,
        "SELECT COUNT(*) FROM m_answers a JOIN m_records r ON r.doc_id = a.doc_id
          WHERE r.template_id = 'partner_store_audit' AND r.status <> 'draft'
            AND substr(r.store_id, 1, 6) = 'sc/cd/'",
    )
    .await;
    assert_eq!(n, answers);

    // Corrective actions, and the errors.
    assert_eq!(get("/api/v1/exports/actions.csv".into()).await.0, 200);
    assert_eq!(
        get("/api/v1/exports/records.xlsx".into()).await.0,
        400,
        "wide needs a template"
    );
    assert_eq!(get("/api/v1/exports/records.pdf".into()).await.0, 404);
}
