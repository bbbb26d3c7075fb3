//! Exports over HTTP, as CSV or XLSX: CSV streams as rows arrive; XLSX is
//! written to a constant-memory sheet in a temporary file. The row count
//! comes first, in `X-Total-Rows`, so a client can show progress while the
//! body arrives. The tables are `services::exports`.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use fieldcheck_core::msg;
use fieldcheck_core::records::Status;
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::http::ratings::RatingQuery;
use crate::http::streamed;
use crate::http::{XLSX, download_headers};
use crate::services::exports::{self, Cell, Export, ExportRequest};
use crate::state::AppState;
use crate::store::sql::list_param;

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
            Err(Error::NotFound(msg!(
                "exports.format",
                "exports are .csv or .xlsx files"
            )))
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// For records: `wide` (default, needs `template`) or `long`.
    #[param(schema_with = crate::schema::layout)]
    layout: Option<String>,
    /// Documented with the ratings' parameters, which share it.
    #[param(ignore)]
    template: Option<String>,
    /// A unit of the hierarchy.
    store: Option<String>,
    /// Comma-separated statuses; default every status but draft and discarded.
    status: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
}

impl ExportQuery {
    fn request(self) -> Result<ExportRequest, Error> {
        let wide = match self.layout.as_deref() {
            None | Some("wide") => true,
            Some("long") => false,
            Some(other) => {
                return Err(Error::BadRequest(msg!(
                    "exports.layout",
                    "`{value}` is not a layout (wide, long)",
                    value = other
                )));
            }
        };
        // By default every record but drafts and discarded ones.
        let statuses: Vec<String> = match self.status.as_deref() {
            Some(list) => list_param(Some(list), "")
                .into_iter()
                .map(String::from)
                .collect(),
            None => Status::ALL
                .iter()
                .filter(|s| !matches!(s, Status::Draft | Status::Discarded))
                .map(|s| s.as_str().to_string())
                .collect(),
        };
        Ok(ExportRequest {
            wide,
            statuses,
            template: self.template,
            store: self.store,
            from: self.from,
            to: self.to,
        })
    }
}

/// `GET /api/v1/exports/{file}`: `records`, `actions` or `ratings`, as
/// `.csv` or `.xlsx`. Ratings take the parameters of `/api/v1/ratings`.
#[utoipa::path(get, operation_id = "exports_export", path = "/api/v1/exports/{file}", tag = "exports",
    params(("file" = String, Path, description = "records, actions or ratings, .csv or .xlsx",
        pattern = r"^(records|actions|ratings)\.(csv|xlsx)$"), ExportQuery, RatingQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The file; `X-Total-Rows` gives the row count first",
            content((crate::schema::FileBytes = "text/csv"), (crate::schema::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
            headers(("X-Total-Rows" = i64, description = "How many rows the file has"))),
        (status = 403, description = "Ratings are for managers and administrators", body = ErrorBody),
        (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody)))]
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
        "records" => exports::records(&app, &who.principal, q.request()?).await?,
        "actions" => exports::actions(&app, &who.principal, q.request()?).await?,
        "ratings" => {
            let Query(rq) = rating_query?;
            exports::ratings(&app, &who.principal, &rq.into()).await?
        }
        _ => {
            return Err(Error::NotFound(msg!(
                "exports.kinds",
                "the exports are records, actions and ratings"
            )));
        }
    };
    match format {
        Format::Csv => Ok(csv_response(export)),
        Format::Xlsx => xlsx_response(export).await,
    }
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
    let [content_type, disposition] = download_headers(&format!("{name}.{ext}"), mime);
    [
        content_type,
        disposition,
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
    let body = streamed::receiver_stream(rows).map(|r| r.map(|cells| csv_line(&cells)));
    let stream = head.chain(body);
    (
        headers(&name, "csv", "text/csv; charset=utf-8", total),
        Body::from_stream(stream),
    )
        .into_response()
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
    Ok((headers(&name, "xlsx", XLSX, total), body).into_response())
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
