//! Assignments over HTTP: listed, read, given and changed. The rules are in
//! `services::assignments`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fieldcheck_core::refdata::{Assignment, DocKind};
use fieldcheck_core::vocab::VisitMode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::assignments;
use crate::state::{AppState, now_ms};
use crate::store::assignments::AssignmentFilter;

/// An assignment as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    id: String,
    assignee: String,
    template_id: String,
    mode: String,
    unit_id: String,
    starts_on: String,
    ends_on: String,
    visits: u32,
    daily_quota: Option<u32>,
    note: String,
    cancelled: bool,
    created_by: String,
    updated_at: i64,
}

impl From<Assignment> for AssignmentView {
    fn from(a: Assignment) -> Self {
        AssignmentView {
            id: a.assignment_id,
            assignee: a.assignee,
            template_id: a.template_id,
            mode: a.mode.as_str().into(),
            unit_id: a.unit_id,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            visits: a.visits,
            daily_quota: a.daily_quota,
            note: a.note,
            cancelled: a.cancelled,
            created_by: a.created_by,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentsQuery {
    assignee: Option<String>,
    /// Assignments of this unit, of units below it, or of units above it
    /// (which cover it).
    unit: Option<String>,
    /// Only those whose period includes this day (YYYY-MM-DD).
    #[param(schema_with = crate::http::openapi::date)]
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

/// The work an assignment gives: to whom, where, with what, how and when.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Work {
    /// An inspector (checklists) or surveyor (questionnaires) whose scope
    /// covers the unit.
    assignee: String,
    /// A published template.
    template_id: String,
    /// overt, mystery, test_call or echannel for checklists; intercept for
    /// questionnaires.
    #[schema(schema_with = crate::http::openapi::visit_mode)]
    mode: String,
    /// A store, or a unit whose stores are all assigned.
    unit_id: String,
    /// First and last day, YYYY-MM-DD.
    #[schema(schema_with = crate::http::openapi::date)]
    starts_on: String,
    #[schema(schema_with = crate::http::openapi::date)]
    ends_on: String,
    /// Visits to each store in the period; default 1.
    #[schema(minimum = 1, maximum = 100)]
    visits: Option<u32>,
    /// Surveys: responses per store and day.
    #[schema(minimum = 1, maximum = 1000)]
    daily_quota: Option<u32>,
    note: Option<String>,
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
    let who = who.principal;
    let Json(b) = b?;
    let mode = VisitMode::parse(&b.mode)
        .ok_or_else(|| Error::BadRequest(format!("the mode is one of {}", VisitMode::names())))?;
    let mut id = [0u8; 12];
    getrandom::fill(&mut id)?;
    let a = Assignment {
        kind: DocKind::Assignment,
        assignment_id: id.iter().map(|b| format!("{b:02x}")).collect(),
        assignee: b.assignee,
        template_id: b.template_id,
        mode,
        unit_id: b.unit_id,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        visits: b.visits.unwrap_or(1),
        daily_quota: b.daily_quota,
        note: b.note.unwrap_or_default(),
        cancelled: false,
        created_by: who.user_id.clone(),
        updated_at: now_ms(),
    };
    assignments::save(&app, &who, &a, "assignments.create").await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentPatch {
    #[schema(schema_with = crate::http::openapi::date)]
    starts_on: Option<String>,
    #[schema(schema_with = crate::http::openapi::date)]
    ends_on: Option<String>,
    #[schema(minimum = 1, maximum = 100)]
    visits: Option<u32>,
    /// 0 removes the quota.
    #[schema(maximum = 1000)]
    daily_quota: Option<u32>,
    note: Option<String>,
    /// Cancelling withdraws the work from the assignee's device.
    cancelled: Option<bool>,
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
    let who = who.principal;
    let Json(b) = b?;
    let mut a = assignments::find(&app, &who, &id).await?;
    if let Some(v) = b.starts_on {
        a.starts_on = v;
    }
    if let Some(v) = b.ends_on {
        a.ends_on = v;
    }
    if let Some(v) = b.visits {
        a.visits = v;
    }
    if let Some(q) = b.daily_quota {
        a.daily_quota = (q > 0).then_some(q);
    }
    if let Some(v) = b.note {
        a.note = v;
    }
    if let Some(v) = b.cancelled {
        a.cancelled = v;
    }
    a.updated_at = now_ms();
    assignments::save(&app, &who, &a, "assignments.update").await?;
    Ok(Json(a.into()))
}
