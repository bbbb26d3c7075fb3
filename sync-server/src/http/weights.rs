//! Construct weights by PLS over HTTP: estimated from a questionnaire's
//! responses and kept, listed, and published as a new version of the
//! questionnaire (`services::weights`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::templates::Published;
use crate::services::weights::{self, WeightSet};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EstimateQuery {
    /// The responses of this unit's stores; default the caller's scope.
    unit: Option<String>,
    /// Responses started at or after this time (ms).
    from: Option<i64>,
    /// Responses started before this time (ms).
    to: Option<i64>,
}

/// Estimates the weights of a questionnaire's constructs by PLS path
/// modelling (the satisfaction model's paths, mode A, path weighting) from
/// its responses in the caller's scope, and keeps them as a weight set.
#[utoipa::path(post, operation_id = "weights_estimate", path = "/api/v1/templates/{id}/weight-sets", tag = "ratings",
    params(("id" = String, Path), EstimateQuery), security(("bearer" = [])),
    responses((status = 201, description = "The weight set, kept", body = WeightSet),
        (status = 400, description = "The responses cannot carry an estimate (too few, an item everyone answered alike, ...), or a parameter is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "For managers and administrators", body = ErrorBody),
        (status = 404, description = "No such questionnaire, or no such unit in the caller's scope", body = ErrorBody)))]
pub async fn estimate(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    query: Result<Query<EstimateQuery>, QueryRejection>,
) -> Result<(StatusCode, Json<WeightSet>), Error> {
    let Query(q) = query?;
    let set =
        weights::estimate(&app, &who.principal, &id, q.unit.as_deref(), (q.from, q.to)).await?;
    Ok((StatusCode::CREATED, Json(set)))
}

/// The weight sets kept for a questionnaire, newest first.
#[utoipa::path(get, operation_id = "weights_list", path = "/api/v1/templates/{id}/weight-sets", tag = "ratings",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = [WeightSet]),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "For managers and administrators", body = ErrorBody),
        (status = 404, description = "No such questionnaire", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<WeightSet>>, Error> {
    Ok(Json(weights::list(&app, &who.principal, &id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishSetQuery {
    /// Only check and say what publishing would do.
    dry_run: Option<bool>,
}

/// Publishes the questionnaire's newest version with the weights of a set:
/// a new version whose constructs name the set (`weight_source = "pls"`).
#[utoipa::path(post, operation_id = "weights_publish", path = "/api/v1/templates/{id}/weight-sets/{set}/publish", tag = "admin",
    params(("id" = String, Path), ("set" = String, Path), PublishSetQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Published),
        (status = 400, description = "The set does not fit the questionnaire as it is now: `invalid_rows` with every problem", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such questionnaire or weight set", body = ErrorBody)))]
pub async fn publish(
    State(app): State<AppState>,
    who: Authenticated,
    Path((id, set)): Path<(String, String)>,
    query: Result<Query<PublishSetQuery>, QueryRejection>,
) -> Result<Json<Published>, Error> {
    let Query(q) = query?;
    let published =
        weights::publish(&app, &who.principal, &id, &set, q.dry_run.unwrap_or(false)).await?;
    Ok(Json(published))
}
