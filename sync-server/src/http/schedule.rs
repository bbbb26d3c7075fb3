//! Waves of visits over HTTP: planned (a dry run) or made into assignments.
//! The rules are in `services::schedule`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::schedule::{self, Planned, Wave};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaveQuery {
    /// Plan only: nothing is assigned (default false).
    dry_run: Option<bool>,
}

/// A wave of visits: each store of the template's channel under the unit
/// gets `per_store` visits in each month, on different random days, spread
/// over the inspectors in scope (the fewest visits so far first), each a
/// one-day assignment. A dry run shows the plan and assigns nothing.
#[utoipa::path(post, operation_id = "schedule_wave", path = "/api/v1/schedules", tag = "assignments", params(WaveQuery), request_body = Wave,
    security(("bearer" = [])),
    responses((status = 200, description = "The visits, and how many assignments were made", body = Planned), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody),
        (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody)))]
pub async fn wave(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<WaveQuery>, QueryRejection>,
    b: Result<Json<Wave>, JsonRejection>,
) -> Result<Json<Planned>, Error> {
    let Query(q) = q?;
    let Json(b) = b?;
    Ok(Json(
        schedule::plan(&app, &who.principal, b, q.dry_run.unwrap_or(false)).await?,
    ))
}
