//! Exports: records (one row per record and one column per item, or one row
//! per answer), corrective actions and ratings, as CSV or XLSX. Rows are read
//! a page at a time and streamed (CSV) or written to a constant-memory sheet
//! in a temporary file (XLSX), so 100,000 records export in bounded memory.
//! The row count comes first, in `X-Total-Rows`, so a client can show
//! progress while the body arrives.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use fieldcheck_core::ratings::NATION;
use fieldcheck_core::templates::Template;
use futures_util::StreamExt;
use serde::Deserialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tokio::sync::mpsc;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::http::ratings::{self, RatingQuery};
use crate::services::access::Visibility;
use crate::services::auth::Principal;
use crate::state::AppState;
use crate::store::StorageError;
use crate::store::sql::{Sql, list_param};
use utoipa::IntoParams;

/// Records read per query.
const PAGE: i64 = 500;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        v.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Number)
    }
}

fn time(ms: Option<i64>) -> Cell {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or(Cell::Empty, |t| Cell::Text(t.to_string()))
}

/// An answer's JSON as a cell: text as text, numbers as numbers, lists
/// joined with `;`.
fn answer_cell(json: &str) -> Cell {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::String(s)) => Cell::Text(s),
        Ok(serde_json::Value::Number(n)) => n.as_f64().map_or(Cell::Empty, Cell::Number),
        Ok(serde_json::Value::Array(a)) => Cell::Text(
            a.iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join(";"),
        ),
        Ok(serde_json::Value::Null) => Cell::Empty,
        Ok(other) => Cell::Text(other.to_string()),
        Err(_) => Cell::Text(json.to_string()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
}

impl Format {
    fn of(file: &str) -> Result<(Format, &str), Error> {
        if let Some(stem) = file.strip_suffix(".csv") {
            Ok((Format::Csv, stem))
        } else if let Some(stem) = file.strip_suffix(".xlsx") {
            Ok((Format::Xlsx, stem))
        } else {
            Err(Error::NotFound("exports are .csv or .xlsx files".into()))
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// For records: `wide` (default, needs `template`) or `long`.
    layout: Option<String>,
    template: Option<String>,
    /// A unit of the hierarchy.
    store: Option<String>,
    /// Comma-separated statuses; default every status but draft and discarded.
    status: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
}

/// What an export streams: its columns, how many rows, and the rows.
struct Export {
    name: String,
    columns: Vec<String>,
    total: i64,
    rows: mpsc::Receiver<Result<Vec<Cell>, Error>>,
}

/// `GET /api/v1/exports/{file}`: `records`, `actions` or `ratings`, as
/// `.csv` or `.xlsx`. Ratings take the parameters of `/api/v1/ratings`.
#[utoipa::path(get, path = "/api/v1/exports/{file}", tag = "exports",
    params(("file" = String, Path, description = "records, actions or ratings, .csv or .xlsx"), ExportQuery, RatingQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The file; `X-Total-Rows` gives the row count first"),
        (status = 400, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export(
    State(app): State<AppState>,
    who: Authenticated,
    Path(file): Path<String>,
    query: Result<Query<ExportQuery>, QueryRejection>,
    rating_query: Result<Query<RatingQuery>, QueryRejection>,
) -> Result<Response, Error> {
    let Query(q) = query?;
    let (format, what) = Format::of(&file)?;
    let export = match what {
        "records" => records(&app, &who.principal, &q).await?,
        "actions" => actions(&app, &who.principal, &q).await?,
        "ratings" => {
            let Query(rq) = rating_query?;
            rating_rows(&app, &who.principal, &rq).await?
        }
        _ => {
            return Err(Error::NotFound(
                "the exports are records, actions and ratings".into(),
            ));
        }
    };
    match format {
        Format::Csv => Ok(csv_response(export)),
        Format::Xlsx => xlsx_response(export).await,
    }
}

/// The filters every export shares, after visibility.
fn filtered(base: &str, who: &Principal, q: &ExportQuery) -> Sql {
    let mut sql = Sql::new(base);
    Visibility::of(who).push_sql(&mut sql);
    let statuses = list_param(
        q.status.as_deref(),
        "submitted,resubmitted,returned,approved,partial",
    );
    sql.push(" AND status IN ").in_list(statuses);
    if let Some(s) = &q.store {
        sql.under("store_id", s);
    }
    if let Some(t) = &q.template {
        sql.push(" AND template_id = ").bind(t.as_str());
    }
    if let Some(v) = q.from {
        sql.push(" AND started_at >= ").bind(v);
    }
    if let Some(v) = q.to {
        sql.push(" AND started_at < ").bind(v);
    }
    sql
}

async fn count(app: &AppState, sql: &Sql) -> Result<i64, Error> {
    Ok(sql
        .query()
        .fetch_one(app.storage.pool())
        .await
        .map_err(StorageError::from)?
        .try_get::<i64, _>(0)
        .map_err(StorageError::from)?)
}

/// The newest published version of a template, for the columns.
pub(crate) async fn newest_template(
    app: &AppState,
    id: &str,
) -> Result<Option<std::sync::Arc<Template>>, Error> {
    let row = sqlx::query(
        "SELECT version FROM templates WHERE template_id = $1 ORDER BY published_at DESC, version LIMIT 1",
    )
    .bind(id)
    .fetch_optional(app.storage.pool())
    .await
    .map_err(StorageError::from)?;
    let Some(row) = row else { return Ok(None) };
    let version: String = row.try_get("version").map_err(StorageError::from)?;
    app.templates
        .get(&app.storage, id, &version)
        .await
        .map_err(|e| Error::Internal(e.into()))
}

const RECORD_COLUMNS: [&str; 12] = [
    "doc_id",
    "store_id",
    "template_id",
    "template_version",
    "mode",
    "author",
    "status",
    "started_at",
    "submitted_at",
    "score",
    "passed",
    "complete",
];

fn record_cells(r: &AnyRow) -> Result<Vec<Cell>, sqlx::Error> {
    let flag = |c: &str| -> Result<Cell, sqlx::Error> {
        Ok(r.try_get::<Option<i64>, _>(c)?.map_or(Cell::Empty, |v| {
            Cell::Text(if v != 0 { "yes" } else { "no" }.into())
        }))
    };
    Ok(vec![
        Cell::Text(r.try_get("doc_id")?),
        Cell::Text(r.try_get("store_id")?),
        Cell::Text(r.try_get("template_id")?),
        Cell::Text(r.try_get("template_version")?),
        Cell::Text(r.try_get("mode")?),
        Cell::Text(r.try_get("author")?),
        Cell::Text(r.try_get("status")?),
        time(Some(r.try_get("started_at")?)),
        time(r.try_get("submitted_at")?),
        r.try_get::<Option<f64>, _>("score")?.into(),
        flag("passed")?,
        flag("complete")?,
    ])
}

async fn records(app: &AppState, who: &Principal, q: &ExportQuery) -> Result<Export, Error> {
    let wide = match q.layout.as_deref() {
        None | Some("wide") => true,
        Some("long") => false,
        Some(other) => {
            return Err(Error::BadRequest(format!(
                "`{other}` is not a layout (wide, long)"
            )));
        }
    };
    let items: Vec<String> = if wide {
        let Some(id) = &q.template else {
            return Err(Error::BadRequest(
                "the wide layout has a column per item: choose a template".into(),
            ));
        };
        let t = newest_template(app, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no published template `{id}`")))?;
        t.items().map(|(_, i)| i.id.clone()).collect()
    } else {
        Vec::new()
    };
    let total = count(
        app,
        &filtered("SELECT COUNT(*) FROM m_records WHERE 1 = 1", who, q),
    )
    .await?;
    let mut columns: Vec<String> = RECORD_COLUMNS.iter().map(|c| c.to_string()).collect();
    if wide {
        columns.extend(items.iter().cloned());
    } else {
        columns = [
            "doc_id",
            "store_id",
            "template_id",
            "status",
            "item_id",
            "section_id",
            "value",
            "outcome",
            "failed",
            "note",
            "by",
            "at",
        ]
        .iter()
        .map(|c| c.to_string())
        .collect();
    }
    let (tx, rx) = mpsc::channel(256);
    let (app, who) = (app.clone(), who.clone());
    let base = filtered(
        "SELECT doc_id, store_id, template_id, template_version, mode, author, status, started_at,
                submitted_at, score, passed, complete FROM m_records WHERE 1 = 1",
        &who,
        q,
    );
    tokio::spawn(async move {
        let result = page_records(&app, base, wide, &items, &tx).await;
        if let Err(e) = result {
            let _ = tx.send(Err(e)).await;
        }
    });
    Ok(Export {
        name: "records".into(),
        columns,
        total,
        rows: rx,
    })
}

/// Reads records a page at a time, with their answers, into `tx`.
async fn page_records(
    app: &AppState,
    base: Sql,
    wide: bool,
    items: &[String],
    tx: &mpsc::Sender<Result<Vec<Cell>, Error>>,
) -> Result<(), Error> {
    let mut after = String::new();
    loop {
        let mut sql = base.clone();
        sql.push(" AND doc_id > ").bind(after.as_str());
        sql.push(" ORDER BY doc_id LIMIT ").bind(PAGE);
        let rows = sql
            .query()
            .fetch_all(app.storage.pool())
            .await
            .map_err(StorageError::from)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.try_get("doc_id").map_err(StorageError::from)?;
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.try_get("doc_id"))
            .collect::<Result<_, _>>()
            .map_err(StorageError::from)?;
        let mut answers = Sql::new(
            "SELECT doc_id, item_id, section_id, value, outcome, failed, note, by_user, at FROM m_answers WHERE doc_id IN ",
        );
        answers
            .in_list(ids.iter().map(String::as_str))
            .push(" ORDER BY doc_id, item_id");
        let answer_rows = answers
            .query()
            .fetch_all(app.storage.pool())
            .await
            .map_err(StorageError::from)?;
        let mut by_doc: HashMap<String, Vec<&AnyRow>> = HashMap::new();
        for a in &answer_rows {
            let doc: String = a.try_get("doc_id").map_err(StorageError::from)?;
            by_doc.entry(doc).or_default().push(a);
        }
        for r in &rows {
            let cells = record_cells(r).map_err(StorageError::from)?;
            let doc: String = r.try_get("doc_id").map_err(StorageError::from)?;
            let mine = by_doc.get(&doc).map(Vec::as_slice).unwrap_or_default();
            if wide {
                let mut values: HashMap<String, Cell> = HashMap::new();
                for a in mine {
                    let item: String = a.try_get("item_id").map_err(StorageError::from)?;
                    let value: String = a.try_get("value").map_err(StorageError::from)?;
                    values.insert(item, answer_cell(&value));
                }
                let mut row = cells;
                row.extend(
                    items
                        .iter()
                        .map(|i| values.remove(i).unwrap_or(Cell::Empty)),
                );
                if tx.send(Ok(row)).await.is_err() {
                    return Ok(());
                }
            } else {
                for a in mine {
                    let get_s = |c: &str| a.try_get::<Option<String>, _>(c);
                    let value: String = a.try_get("value").map_err(StorageError::from)?;
                    let failed: i64 = a.try_get("failed").map_err(StorageError::from)?;
                    let row = vec![
                        cells[0].clone(),
                        cells[1].clone(),
                        cells[2].clone(),
                        cells[6].clone(),
                        Cell::from(get_s("item_id").map_err(StorageError::from)?),
                        Cell::from(get_s("section_id").map_err(StorageError::from)?),
                        answer_cell(&value),
                        Cell::from(
                            a.try_get::<Option<f64>, _>("outcome")
                                .map_err(StorageError::from)?,
                        ),
                        Cell::Text(if failed != 0 { "yes" } else { "no" }.into()),
                        Cell::from(get_s("note").map_err(StorageError::from)?),
                        Cell::from(get_s("by_user").map_err(StorageError::from)?),
                        time(Some(a.try_get("at").map_err(StorageError::from)?)),
                    ];
                    if tx.send(Ok(row)).await.is_err() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

async fn actions(app: &AppState, who: &Principal, q: &ExportQuery) -> Result<Export, Error> {
    let joined = "FROM m_actions a JOIN (SELECT doc_id, store_id, template_id, mode, author, status, started_at FROM m_records WHERE 1 = 1";
    let mut counted = filtered(&format!("SELECT COUNT(*) {joined}"), who, q);
    counted.push(") r ON r.doc_id = a.doc_id");
    let total = count(app, &counted).await?;
    let mut sql = filtered(
        &format!(
            "SELECT a.doc_id, r.store_id, r.template_id, a.action_id, a.item_id, a.description, a.assignee,
                    a.due, a.status, a.created_by, a.created_at, a.done_at, a.verified_by, a.verified_at,
                    a.verified_record {joined}"
        ),
        who,
        q,
    );
    sql.push(") r ON r.doc_id = a.doc_id ORDER BY a.due, a.doc_id, a.action_id");
    let columns = [
        "doc_id",
        "store_id",
        "template_id",
        "action_id",
        "item_id",
        "description",
        "assignee",
        "due",
        "status",
        "created_by",
        "created_at",
        "done_at",
        "verified_by",
        "verified_at",
        "verified_record",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    let (tx, rx) = mpsc::channel(256);
    let app = app.clone();
    tokio::spawn(async move {
        let mut rows = sql.query().fetch(app.storage.pool());
        while let Some(r) = rows.next().await {
            let row = r
                .map_err(|e| Error::from(StorageError::from(e)))
                .and_then(|r| {
                    let text = |c: &str| r.try_get::<Option<String>, _>(c).map(Cell::from);
                    Ok(vec![
                        text("doc_id")?,
                        text("store_id")?,
                        text("template_id")?,
                        text("action_id")?,
                        text("item_id")?,
                        text("description")?,
                        text("assignee")?,
                        text("due")?,
                        text("status")?,
                        text("created_by")?,
                        time(r.try_get("created_at")?),
                        time(r.try_get("done_at")?),
                        text("verified_by")?,
                        time(r.try_get("verified_at")?),
                        text("verified_record")?,
                    ])
                    .map_err(|e: sqlx::Error| Error::from(StorageError::from(e)))
                });
            if tx.send(row).await.is_err() {
                return;
            }
        }
    });
    Ok(Export {
        name: "actions".into(),
        columns,
        total,
        rows: rx,
    })
}

/// The columns of a ratings export, one row per unit and period.
const RATING_COLUMNS: &[&str] = &[
    "unit",
    "name_zh",
    "name_en",
    "level",
    "period",
    "score",
    "band",
    "mean",
    "ci_low",
    "ci_high",
    "n",
    "n_eff",
    "visits",
    "mystery_visits",
    "pass_rate",
    "stores_audited",
    "stores_total",
    "coverage_stores",
    "coverage_traffic",
    "suppressed",
    "small_base",
    "low_visits",
    "rank",
    "rank_best",
    "rank_worst",
    "previous_period",
    "change",
    "change_p_value",
    "change_significant",
    "templates",
    "rule_set",
];

async fn rating_rows(app: &AppState, who: &Principal, q: &RatingQuery) -> Result<Export, Error> {
    let reply = ratings::compute(app, who, q).await?;
    let mut names: HashMap<String, (String, String)> = crate::store::units::load(&app.storage)
        .await?
        .into_iter()
        .map(|u| (u.unit.id, (u.name_zh, u.name_en)))
        .collect();
    names.insert(NATION.into(), ("全国".into(), "National".into()));
    let (tx, rx) = mpsc::channel(256);
    let total = reply.ratings.len() as i64;
    tokio::spawn(async move {
        for s in reply.ratings {
            let r = &s.rating;
            let (zh, en) = names.get(&r.unit).cloned().unwrap_or_default();
            let number = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
            let count = |x: usize| Cell::Number(x as f64);
            let flag = |b: bool| Cell::Text(if b { "yes" } else { "no" }.into());
            let change = s.change.as_ref();
            let test = change.and_then(|c| c.test.as_ref());
            let row = vec![
                Cell::Text(r.unit.clone()),
                Cell::Text(zh),
                Cell::Text(en),
                Cell::Text(r.level.as_str().into()),
                Cell::Text(r.period.to_string()),
                number(r.score),
                // The band's stable code, e.g. `fairly_satisfied`.
                r.band
                    .and_then(|b| serde_json::to_value(b).ok())
                    .and_then(|v| v.as_str().map(|b| Cell::Text(b.into())))
                    .unwrap_or(Cell::Empty),
                Cell::Number(r.estimate.mean),
                number(r.estimate.interval.map(|i| i.lo)),
                number(r.estimate.interval.map(|i| i.hi)),
                count(r.estimate.n),
                Cell::Number(r.estimate.n_eff),
                count(r.visits),
                count(r.mystery_visits),
                Cell::Number(r.pass_rate),
                count(r.stores_audited),
                count(r.stores_total),
                Cell::Number(r.coverage_stores),
                number(r.coverage_traffic),
                flag(r.flags.suppressed),
                flag(r.flags.small_base),
                flag(r.flags.low_visits),
                number(s.rank.map(|x| x as f64)),
                number(s.rank_range.map(|x| x.0 as f64)),
                number(s.rank_range.map(|x| x.1 as f64)),
                change.map_or(Cell::Empty, |c| Cell::Text(c.previous_period.to_string())),
                number(change.map(|c| c.delta)),
                number(test.map(|t| t.p_value)),
                test.map_or(Cell::Empty, |t| flag(t.significant)),
                Cell::Text(
                    r.templates
                        .iter()
                        .map(|t| format!("{}@{}", t.id, t.version.get(..12).unwrap_or(&t.version)))
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                Cell::Text(r.rule_set.into()),
            ];
            if tx.send(Ok(row)).await.is_err() {
                return;
            }
        }
    });
    Ok(Export {
        name: "ratings".into(),
        columns: RATING_COLUMNS.iter().map(|c| c.to_string()).collect(),
        total,
        rows: rx,
    })
}

/// Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab
/// or carriage return before one) gets a leading `'`, as OWASP recommends
/// against CSV injection: inspectors' notes, store names and action
/// descriptions reach managers' spreadsheets. Numbers are written as
/// numbers; XLSX writes text cells as text and needs none of this.
fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

fn csv_line(cells: &[Cell]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fields: Vec<String> = cells
        .iter()
        .map(|c| match c {
            Cell::Text(s) => neutralise(s).into_owned(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        })
        .collect();
    // Writing to a Vec cannot fail.
    let _ = w.write_record(&fields);
    w.into_inner().unwrap_or_default()
}

fn headers(
    name: &str,
    ext: &str,
    mime: &str,
    total: i64,
) -> [(header::HeaderName, HeaderValue); 3] {
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_str(mime)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        ),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\""))
                .unwrap_or(HeaderValue::from_static("attachment")),
        ),
        (
            header::HeaderName::from_static("x-total-rows"),
            HeaderValue::from(total),
        ),
    ]
}

fn csv_response(export: Export) -> Response {
    let Export {
        name,
        columns,
        total,
        rows,
    } = export;
    let cells: Vec<Cell> = columns.into_iter().map(Cell::Text).collect();
    // A byte-order mark so that Excel opens the Chinese text as UTF-8.
    let mut first = b"\xEF\xBB\xBF".to_vec();
    first.extend(csv_line(&cells));
    let head = futures_util::stream::once(async move { Ok::<_, Error>(first) });
    let body = receiver_stream(rows).map(|r| r.map(|cells| csv_line(&cells)));
    let stream = head.chain(body);
    (
        headers(&name, "csv", "text/csv; charset=utf-8", total),
        Body::from_stream(stream),
    )
        .into_response()
}

fn receiver_stream<T: Send + 'static>(
    mut rx: mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send + 'static {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

async fn xlsx_response(export: Export) -> Result<Response, Error> {
    let Export {
        name,
        columns,
        total,
        mut rows,
    } = export;
    let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.into()))?;
    let path = dir.path().join("export.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.set_tempdir(dir.path())
        .map_err(|e| Error::Internal(e.into()))?;
    let sheet = book
        .add_worksheet_with_constant_memory()
        .map_err(|e| Error::Internal(e.into()))?;
    let xlsx = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.into());
    sheet.set_name(&name).map_err(xlsx)?;
    for (c, h) in columns.iter().enumerate() {
        sheet.write_string(0, c as u16, h).map_err(xlsx)?;
    }
    let mut r: u32 = 1;
    while let Some(row) = rows.recv().await {
        for (c, cell) in row?.iter().enumerate() {
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, c as u16, s).map_err(xlsx)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c as u16, *n).map_err(xlsx)?;
                }
                Cell::Empty => {}
            }
        }
        r += 1;
    }
    tokio::task::block_in_place(|| book.save(&path)).map_err(xlsx)?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    // The open file keeps its bytes after the directory goes.
    drop(dir);
    let body = Body::from_stream(file_stream(file));
    Ok((
        headers(
            &name,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            total,
        ),
        body,
    )
        .into_response())
}

/// A file as a stream of chunks.
fn file_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> + Send + 'static {
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match tokio::io::AsyncReadExt::read(&mut file, &mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(buf), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1+1",
            "\r=1+1",
        ] {
            let line = String::from_utf8(csv_line(&[Cell::Text(bad.into())])).expect("utf-8");
            let file = format!("h\n{line}");
            let mut r = csv::Reader::from_reader(file.as_bytes());
            let back = r.records().next().expect("a row").expect("parses");
            assert_eq!(&back[0], format!("'{bad}"), "{bad:?} -> {line:?}");
        }
        let line = csv_line(&[
            Cell::Text("柜台-已整改".into()),
            Cell::Number(-3.5),
            Cell::Empty,
        ]);
        assert_eq!(
            String::from_utf8(line).expect("utf-8"),
            "柜台-已整改,-3.5,\n",
            "other text and negative numbers are left alone"
        );
    }
}
