//! `GET /api/v1/bulletins/{month}?unit=&lang=&format=`: the monthly
//! bulletin of a unit as a printable HTML page or a workbook
//! (`services::bulletin`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use fieldcheck_core::i18n::Locale;
use fieldcheck_core::msg;
use fieldcheck_core::ratings::Period;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::http::{XLSX, download_headers};
use crate::services::bulletin;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BulletinQuery {
    /// The unit whose bulletin it is; default the caller's scope.
    unit: Option<String>,
    /// zh-CN (default) or en.
    lang: Option<String>,
    /// html (default), pdf or xlsx.
    format: Option<String>,
    /// Generate it again rather than give the one kept.
    regenerate: Option<bool>,
}

/// The monthly bulletin: scorecard league table, channel compliance
/// ranking with intervals and significant changes, weakest standards,
/// hotline KPIs, satisfaction with bands, corrective actions. Generated
/// when first asked for and kept per month.
#[utoipa::path(get, operation_id = "bulletins_get", path = "/api/v1/bulletins/{month}", tag = "ratings",
    params(("month" = String, Path, pattern = r"^\d{4}-\d{2}$"), BulletinQuery), security(("bearer" = [])),
    responses((status = 200, description = "The bulletin as a printable HTML page, a PDF or an XLSX workbook", content_type = "text/html"),
        (status = 400, description = "Not a month, or not a unit with units below it", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "For managers and administrators, in their scope", body = ErrorBody),
        (status = 404, description = "No such unit", body = ErrorBody),
        (status = 503, description = "PDF asked for, and the server has no font for it", body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    who: Authenticated,
    Path(month): Path<String>,
    query: Result<Query<BulletinQuery>, QueryRejection>,
) -> Result<Response, Error> {
    let Query(q) = query?;
    let period = Period::parse(&month).ok_or_else(|| {
        Error::BadRequest(msg!(
            "bulletin.month",
            "a bulletin is for a month, such as 2026-11, not `{period}`",
            period = month
        ))
    })?;
    let locale = match q.lang.as_deref() {
        Some("en") => Locale::En,
        _ => Locale::ZhCn,
    };
    let unit = q
        .unit
        .unwrap_or_else(|| who.principal.scope.as_str().to_string());
    let b = bulletin::get(
        &app,
        &who.principal,
        &unit,
        period,
        locale,
        q.regenerate.unwrap_or(false),
    )
    .await?;
    match q.format.as_deref() {
        None | Some("html") => Ok(Html(bulletin::html(&b)).into_response()),
        Some("xlsx") => Ok(file(&b, "xlsx", XLSX, bulletin::xlsx(&b)?)),
        Some("pdf") => Ok(file(
            &b,
            "pdf",
            "application/pdf",
            bulletin::pdf(&app, &b).await?,
        )),
        Some(other) => Err(Error::BadRequest(msg!(
            "bulletin.format",
            "`{format}` is not html, pdf or xlsx",
            format = other
        ))),
    }
}

/// The bulletin as a file named by its unit and month.
fn file(b: &bulletin::Bulletin, extension: &str, mime: &str, bytes: Vec<u8>) -> Response {
    let name = format!(
        "bulletin-{}-{}.{extension}",
        b.unit.replace(['/', '*'], "_"),
        b.month
    );
    (download_headers(&name, mime), bytes).into_response()
}
