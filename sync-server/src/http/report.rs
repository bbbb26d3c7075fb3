//! `GET /api/v1/records/{id}/report?lang=zh-CN|en`: the printable audit
//! (`services::report`).

use axum::extract::{Path, Query, State};
use axum::response::Html;
use fieldcheck_core::i18n::Locale;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::report;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// zh-CN (default) or en.
    lang: Option<String>,
}

/// `GET /api/v1/records/{id}/report`.
#[utoipa::path(get, operation_id = "report_report", path = "/api/v1/records/{id}/report", tag = "review",
    params(("id" = String, Path), ReportQuery), security(("bearer" = [])),
    responses((status = 200, description = "The audit as a printable HTML page", content_type = "text/html"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Missing or not in scope", body = ErrorBody), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody)))]
pub async fn report(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Html<String>, Error> {
    let locale = match q.lang.as_deref() {
        Some("en") => Locale::En,
        _ => Locale::ZhCn,
    };
    Ok(Html(
        report::page_of(&app, &who.principal, &id, locale).await?,
    ))
}
