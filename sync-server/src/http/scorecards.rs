//! Branch scorecards over HTTP: the definitions, a level's scorecards for a
//! period, and the imports of entered figures and of the case register. The
//! rules are in `services::scorecards`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use fieldcheck_core::msg;
use fieldcheck_core::ratings::{Level, Period};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::{Authenticated, ImportQuery, UploadedTable};
use crate::services::ratings::managers_only;
use crate::services::scorecards::{
    self, RegisterImported, SchemePublished, ScorecardReply, ScorecardRequest,
};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Definitions {
    /// Each scheme: id, version, title, indicators (points, source,
    /// scoring), deductions.
    #[schema(value_type = Vec<Object>)]
    scorecards: Vec<fieldcheck_core::scorecard::Scorecard>,
}

/// The scorecard schemes.
#[utoipa::path(get, operation_id = "scorecards_list", path = "/api/v1/scorecards", tag = "ratings", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Definitions), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    who: Authenticated,
) -> Result<Json<Definitions>, Error> {
    managers_only(&who.principal, || msg!("scorecard.what", "scorecards"))?;
    Ok(Json(Definitions {
        scorecards: scorecards::definitions(&app).await?,
    }))
}

/// Publishes a scorecard scheme (a TOML file as `scorecards/*.toml`;
/// docs/scorecards.md): checked with every problem listed, then kept under
/// its id and version, the scheme scored for that id from then on.
#[utoipa::path(post, operation_id = "scorecards_publish", path = "/api/v1/scorecards", tag = "admin", params(DryRun),
    request_body(content = crate::schema::FileBytes, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = SchemePublished), (status = 400, description = "`invalid_rows` lists every problem; or not a text file", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 409, description = "This id and version exist with other content", body = ErrorBody)))]
pub async fn publish(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<DryRun>, QueryRejection>,
    body: Bytes,
) -> Result<Json<SchemePublished>, Error> {
    let Query(q) = query?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        Error::BadRequest(msg!(
            "scorecard.not_text",
            "a scorecard scheme is a TOML text file in UTF-8"
        ))
    })?;
    let done = scorecards::publish(&app, &who.principal, text, q.dry_run.unwrap_or(false)).await?;
    Ok(Json(done))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScorecardQuery {
    /// The period, e.g. `2026`, `2026-Q4`, `2026-11`.
    #[param(value_type = String, pattern = r"^\d{4}(-\d{2}(-\d{2})?|-W\d{2}|-Q[1-4])?$")]
    period: Period,
    /// The units scored: city (default), district, province or store.
    #[param(schema_with = crate::schema::level)]
    level: Option<Level>,
    /// Only the units at or below this one.
    unit: Option<String>,
}

/// The scorecards of the units of a level in the caller's scope for a
/// period, best first; units with open indicators after, unranked.
#[utoipa::path(get, operation_id = "scorecards_results", path = "/api/v1/scorecards/{id}", tag = "ratings", params(("id" = String, Path), ScorecardQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = ScorecardReply), (status = 400, description = "A parameter is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "For managers and administrators", body = ErrorBody),
        (status = 404, description = "No such scorecard", body = ErrorBody)))]
pub async fn results(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    query: Result<Query<ScorecardQuery>, QueryRejection>,
) -> Result<Json<ScorecardReply>, Error> {
    let Query(q) = query?;
    let request = ScorecardRequest {
        scorecard: id,
        period: q.period,
        level: q.level.unwrap_or(Level::City),
        unit: q.unit,
    };
    Ok(Json(
        scorecards::results(&app, &who.principal, &request).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRun {
    /// Check only: report what would be imported, write nothing.
    dry_run: Option<bool>,
}

/// Imports figures the operator measures elsewhere (columns unit, period,
/// indicator, value), all or nothing; a figure given again is replaced.
#[utoipa::path(post, operation_id = "scorecards_entries", path = "/api/v1/scorecards/entries", tag = "ratings", params(ImportQuery, DryRun),
    request_body(content = crate::schema::FileBytes, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = RegisterImported), (status = 400, description = "`invalid_rows` lists every problem", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn entries(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<DryRun>, QueryRejection>,
    UploadedTable(table): UploadedTable,
) -> Result<Json<RegisterImported>, Error> {
    let Query(q) = query?;
    let done = scorecards::import_entries(&app, &who.principal, &table, q.dry_run.unwrap_or(false))
        .await?;
    Ok(Json(done))
}

/// Imports service cases into the register (columns case_id, unit, kind,
/// date, points, deadline, closed, description), all or nothing; a case id
/// given again is replaced.
#[utoipa::path(post, operation_id = "scorecards_cases", path = "/api/v1/scorecards/cases", tag = "ratings", params(ImportQuery, DryRun),
    request_body(content = crate::schema::FileBytes, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = RegisterImported), (status = 400, description = "`invalid_rows` lists every problem", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn cases(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<DryRun>, QueryRejection>,
    UploadedTable(table): UploadedTable,
) -> Result<Json<RegisterImported>, Error> {
    let Query(q) = query?;
    let done =
        scorecards::import_cases(&app, &who.principal, &table, q.dry_run.unwrap_or(false)).await?;
    Ok(Json(done))
}
