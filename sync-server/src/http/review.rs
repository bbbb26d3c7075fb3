//! A record over HTTP, for its reviewers: the review queue, a record in
//! full, its raw Automerge bytes, and the review writes. The rules are in
//! `services::records`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use fieldcheck_core::msg;
use fieldcheck_core::records::{Completion, NewAction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::{Authenticated, within};
use crate::services::records::{self, Detail, Queue, Step};
use crate::state::AppState;
use crate::store::records::{QueueFilter, QueueSort};
use crate::store::sql::list_param;

const PAGE_MAX: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Comma-separated statuses; default `submitted,resubmitted`.
    status: Option<String>,
    /// checklist (default: audits, visits, test calls) or questionnaire.
    kind: Option<String>,
    /// A unit of the hierarchy: the store or anything above it.
    store: Option<String>,
    inspector: Option<String>,
    template: Option<String>,
    mode: Option<String>,
    /// Visit started at or after / before, ms since the epoch.
    from: Option<i64>,
    to: Option<i64>,
    min_score: Option<f64>,
    max_score: Option<f64>,
    /// `submitted` (default), `started`, `score` or `store`, then `:desc`
    /// (default) or `:asc`, e.g. `score:asc`; records without a score last.
    sort: Option<String>,
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The review queue: records in the caller's scope, newest first.
#[utoipa::path(get, operation_id = "review_queue", path = "/api/v1/records", tag = "review", params(QueueQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Queue), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn queue(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Json<Queue>, Error> {
    let Query(f) = query?;
    let filter = QueueFilter {
        statuses: list_param(f.status.as_deref(), "submitted,resubmitted"),
        store: f.store.as_deref(),
        kind: f.kind.as_deref().unwrap_or("checklist"),
        author: f.inspector.as_deref(),
        template: f.template.as_deref(),
        mode: f.mode.as_deref(),
        from: f.from,
        to: f.to,
        min_score: f.min_score,
        max_score: f.max_score,
        sort: match f.sort.as_deref() {
            None => QueueSort::default(),
            Some(s) => QueueSort::parse(s).ok_or_else(|| {
                Error::BadRequest(msg!(
                    "request.sort",
                    "`{sort}` is not a sort: started, submitted, score or store, then :asc or :desc",
                    sort = s
                ))
            })?,
        },
        limit: within("limit", f.limit, 50, 1..=PAGE_MAX)?,
        offset: within("offset", f.offset, 0, 0..=i64::MAX)?,
    };
    Ok(Json(records::queue(&app, &who.principal, &filter).await?))
}

/// A record in full: its derived rows (record, answers, sections,
/// constructs, events, comments, actions, history) and conflicting answers.
#[utoipa::path(get, operation_id = "review_detail", path = "/api/v1/records/{id}", tag = "review", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = serde_json::Value), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Missing or not in scope", body = ErrorBody), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody)))]
pub async fn detail(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Detail>, Error> {
    Ok(Json(records::detail(&app, &who.principal, &id).await?))
}

/// `GET /api/v1/records/{id}/document`: the Automerge bytes, loadable by
/// any Automerge implementation.
#[utoipa::path(get, operation_id = "review_document", path = "/api/v1/records/{id}/document", tag = "review", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "The Automerge document", content_type = "application/octet-stream"), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Missing or not in scope", body = ErrorBody), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody)))]
pub async fn document(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let bytes = records::document(&app, &who.principal, &id).await?;
    Ok((
        crate::http::download_headers(&format!("{id}.automerge"), "application/octet-stream"),
        Bytes::from(bytes),
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReturnBody {
    #[schema(pattern = r"\S")]
    comment: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    status: &'static str,
}

/// Returns a submitted record to its author with a comment.
#[utoipa::path(post, operation_id = "review_return_record", path = "/api/v1/records/{id}/return", tag = "review", params(("id" = String, Path)), request_body = ReturnBody, security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Done), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody),
        (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody), (status = 409, description = "Not in a state to return", body = ErrorBody)))]
pub async fn return_record(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<ReturnBody>, JsonRejection>,
) -> Result<Json<Done>, Error> {
    let Json(b) = b?;
    records::return_record(&app, &who.principal, &id, &b.comment).await?;
    Ok(Json(Done { status: "returned" }))
}

/// Approves a submitted record, which locks it.
#[utoipa::path(post, operation_id = "review_approve", path = "/api/v1/records/{id}/approve", tag = "review", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Done), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Not in a state to approve", body = ErrorBody), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody)))]
pub async fn approve(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Done>, Error> {
    records::approve(&app, &who.principal, &id).await?;
    Ok(Json(Done { status: "approved" }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentBody {
    /// An item of the record's template, or none for the record as a whole.
    item: Option<String>,
    #[schema(pattern = r"\S")]
    text: String,
}

/// The id of what was made (a comment, an action).
#[derive(Debug, Serialize, ToSchema)]
pub struct NewId {
    id: String,
}

/// Comments on a record or one of its items.
#[utoipa::path(post, operation_id = "review_comment", path = "/api/v1/records/{id}/comments", tag = "review", params(("id" = String, Path)), request_body = CommentBody, security(("bearer" = [])),
    responses((status = 200, description = "OK", body = NewId), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody),
        (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody), (status = 409, description = "Not in a state that allows this", body = ErrorBody)))]
pub async fn comment(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<CommentBody>, JsonRejection>,
) -> Result<Json<NewId>, Error> {
    let Json(b) = b?;
    let id = records::comment(&app, &who.principal, &id, b.item.as_deref(), &b.text).await?;
    Ok(Json(NewId { id }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionBody {
    item: String,
    #[schema(pattern = r"\S")]
    description: String,
    assignee: String,
    #[schema(schema_with = crate::schema::date)]
    due: String,
}

/// Opens a corrective action on an item of a reviewed record.
#[utoipa::path(post, operation_id = "review_open_action", path = "/api/v1/records/{id}/actions", tag = "review", params(("id" = String, Path)), request_body = ActionBody, security(("bearer" = [])),
    responses((status = 200, description = "OK", body = NewId), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody),
        (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody), (status = 409, description = "Not in a state that allows this", body = ErrorBody)))]
pub async fn open_action(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<ActionBody>, JsonRejection>,
) -> Result<Json<NewId>, Error> {
    let Json(b) = b?;
    let action = NewAction {
        item: b.item,
        description: b.description,
        assignee: b.assignee,
        due: b.due,
    };
    let id = records::open_action(&app, &who.principal, &id, action).await?;
    Ok(Json(NewId { id }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// `verify` only: the re-audit of the same store, made after the fix,
    /// whose answer to the action's item passes.
    reaudit: Option<String>,
    /// `complete` only: what was done.
    note: Option<String>,
    /// `complete` only: photos of the fix (at most 10), named by hash; their
    /// bytes are uploaded after (`/api/v1/media/{hash}`).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    evidence: Vec<fieldcheck_core::answers::MediaRef>,
}

/// `POST /api/v1/records/{id}/actions/{action}/{step}` with step `complete`,
/// `verify` or `reopen`. A verification may rest on a re-audit.
#[utoipa::path(post, operation_id = "review_action_step", path = "/api/v1/records/{id}/actions/{action}/{step}", tag = "review",
    params(("id" = String, Path), ("action" = String, Path), ("step" = String, Path, description = "complete, verify or reopen")),
    request_body(content = Option<StepBody>, description = "Optional; `verify` may name the re-audit"),
    security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Done), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "Not in a state for this step, or the re-audit does not show the fix", body = ErrorBody)))]
pub async fn action_step(
    State(app): State<AppState>,
    who: Authenticated,
    Path((id, action, step)): Path<(String, String, String)>,
    bytes: Bytes,
) -> Result<Json<Done>, Error> {
    let step = Step::parse(&step).ok_or_else(|| {
        Error::NotFound(msg!(
            "records.action_steps",
            "the steps are complete, verify and reopen"
        ))
    })?;
    // No body, or `null`, is no re-audit.
    let b: Option<StepBody> = if bytes.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice(&bytes).map_err(Error::bad_request)?
    };
    let (reaudit, completion) = match b {
        Some(b) => (
            b.reaudit,
            Completion {
                note: b.note,
                evidence: b.evidence,
            },
        ),
        None => (None, Completion::default()),
    };
    records::action_step(
        &app,
        &who.principal,
        &id,
        &action,
        step,
        reaudit.as_deref(),
        completion,
    )
    .await?;
    Ok(Json(Done {
        status: step.status(),
    }))
}
