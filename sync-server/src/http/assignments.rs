//! Assignments over HTTP: listed, read, given and changed. The rules are in
//! `services::assignments`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::assignments::{self, AssignmentPatch, AssignmentView, Work};
use crate::state::AppState;
use crate::store::assignments::AssignmentFilter;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentsQuery {
    assignee: Option<String>,
    /// Assignments of this unit, of units below it, or of units above it
    /// (which cover it).
    unit: Option<String>,
    /// Only those whose period includes this day (YYYY-MM-DD).
    #[param(schema_with = crate::schema::date)]
    on: Option<String>,
    /// Include cancelled ones (default false).
    cancelled: Option<bool>,
}

/// The assignments the caller may see.
#[utoipa::path(get, operation_id = "assignments_list", path = "/api/v1/assignments", tag = "assignments", params(AssignmentsQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = [AssignmentView]), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<AssignmentsQuery>, QueryRejection>,
) -> Result<Json<Vec<AssignmentView>>, Error> {
    let who = who.principal;
    let Query(q) = q?;
    let filter = AssignmentFilter {
        assignee: q.assignee.as_deref(),
        on: q.on.as_deref(),
        with_cancelled: q.cancelled.unwrap_or(false),
    };
    let found = assignments::list(&app, &who, filter, q.unit.as_deref()).await?;
    Ok(Json(found.into_iter().map(AssignmentView::from).collect()))
}

/// One assignment, if the caller may see it.
#[utoipa::path(get, operation_id = "assignments_get_one", path = "/api/v1/assignments/{id}", tag = "assignments", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = AssignmentView), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<AssignmentView>, Error> {
    Ok(Json(
        assignments::find(&app, &who.principal, &id).await?.into(),
    ))
}

/// Gives work to an inspector or surveyor.
#[utoipa::path(post, operation_id = "assignments_create", path = "/api/v1/assignments", tag = "assignments", request_body = Work, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = AssignmentView), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody),
        (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody), (status = 404, description = "No such unit in your scope", body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    who: Authenticated,
    b: Result<Json<Work>, JsonRejection>,
) -> Result<(StatusCode, Json<AssignmentView>), Error> {
    let Json(b) = b?;
    let a = assignments::create(&app, &who.principal, b).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// Changes an assignment's period, visits, quota or note, or cancels it.
/// To give the work to someone else, cancel it and create another: the
/// first assignee's device must learn that it is withdrawn.
#[utoipa::path(patch, operation_id = "assignments_update", path = "/api/v1/assignments/{id}", tag = "assignments", params(("id" = String, Path)), request_body = AssignmentPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "OK", body = AssignmentView), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody),
        (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<AssignmentPatch>, JsonRejection>,
) -> Result<Json<AssignmentView>, Error> {
    let Json(b) = b?;
    let a = assignments::update(&app, &who.principal, &id, b).await?;
    Ok(Json(a.into()))
}
