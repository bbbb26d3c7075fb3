//! The manager's side of a record over HTTP: the review queue, a record in
//! full, its raw Automerge bytes, and the review writes (return, approve,
//! comment, corrective actions). Writes are changes to the record document,
//! checked by the same gate as sync and stored the same way, so they reach
//! the inspector's device through sync like edits made in the app. Every
//! write is recorded in the audit log.

use std::sync::Arc;

use automerge::AutoCommit;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use fieldcheck_core::form::{FormView, form_view};
use fieldcheck_core::records::derive::{Derived, derive};
use fieldcheck_core::records::{
    Actor, NewAction, Record, RecordError, RecordState, change_history,
};
use fieldcheck_core::sync::Gate;
use fieldcheck_core::templates::Template;
use fieldcheck_core::vocab::Role;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::access::may_see;
use crate::app::{AppState, Authenticated, Changed, HubEvent, now_ms};
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use crate::sql::{Sql, list_param};
use crate::storage::{Audit, DocMeta, StorageError};
use crate::{docs, gate};
use utoipa::{IntoParams, ToSchema};

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
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueRow {
    doc_id: String,
    store_id: String,
    template_id: String,
    template_version: String,
    kind: String,
    mode: String,
    author: String,
    status: String,
    started_at: i64,
    submitted_at: Option<i64>,
    updated_at: i64,
    score: Option<f64>,
    passed: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Queue {
    total: i64,
    records: Vec<QueueRow>,
}

/// Restricts a query to what `who` may see (access.rs, in SQL).
pub(crate) fn push_visibility(q: &mut Sql, who: &Principal) {
    if who.scope != "*" {
        q.under("store_id", &who.scope);
    }
    match who.role {
        Role::Admin | Role::Manager => {}
        Role::Inspector | Role::Surveyor => {
            q.push(" AND author = ").bind(who.user_id.as_str());
        }
        Role::StoreStaff => {
            q.push(" AND mode <> 'mystery'");
        }
    }
}

fn push_filters(q: &mut Sql, f: &QueueQuery, statuses: &[&str]) {
    q.push(" AND status IN ").in_list(statuses.iter().copied());
    if let Some(s) = &f.store {
        q.under("store_id", s);
    }
    q.push(" AND kind = ")
        .bind(f.kind.as_deref().unwrap_or("checklist"));
    for (column, value) in [
        ("author", &f.inspector),
        ("template_id", &f.template),
        ("mode", &f.mode),
    ] {
        if let Some(v) = value {
            q.push(&format!(" AND {column} = ")).bind(v.as_str());
        }
    }
    for (cond, value) in [
        (" AND started_at >= ", f.from),
        (" AND started_at < ", f.to),
    ] {
        if let Some(v) = value {
            q.push(cond).bind(v);
        }
    }
    for (cond, value) in [
        (" AND score >= ", f.min_score),
        (" AND score <= ", f.max_score),
    ] {
        if let Some(v) = value {
            q.push(cond).bind(v);
        }
    }
}

/// The review queue: records in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/records", tag = "review", params(QueueQuery), security(("bearer" = [])),
    responses((status = 200, body = Queue), (status = 400, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn queue(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Json<Queue>, ApiError> {
    let Query(f) = query?;
    let statuses = list_param(f.status.as_deref(), "submitted,resubmitted");
    let limit = f.limit.unwrap_or(50).clamp(1, PAGE_MAX);
    let offset = f.offset.unwrap_or(0).max(0);

    let mut count = Sql::new("SELECT COUNT(*) AS n FROM m_records WHERE 1 = 1");
    push_visibility(&mut count, &who.principal);
    push_filters(&mut count, &f, &statuses);
    let total: i64 = count
        .query()
        .fetch_one(app.storage.pool())
        .await
        .map_err(StorageError::from)?
        .try_get("n")
        .map_err(StorageError::from)?;

    let mut q = Sql::new(
        "SELECT doc_id, store_id, template_id, template_version, kind, mode, author, status,
                started_at, submitted_at, updated_at, score, passed FROM m_records WHERE 1 = 1",
    );
    push_visibility(&mut q, &who.principal);
    push_filters(&mut q, &f, &statuses);
    q.push(" ORDER BY submitted_at DESC, doc_id LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let rows = q
        .query()
        .fetch_all(app.storage.pool())
        .await
        .map_err(StorageError::from)?;
    let records = rows
        .iter()
        .map(|r| -> Result<QueueRow, sqlx::Error> {
            Ok(QueueRow {
                doc_id: r.try_get("doc_id")?,
                store_id: r.try_get("store_id")?,
                template_id: r.try_get("template_id")?,
                template_version: r.try_get("template_version")?,
                kind: r.try_get("kind")?,
                mode: r.try_get("mode")?,
                author: r.try_get("author")?,
                status: r.try_get("status")?,
                started_at: r.try_get("started_at")?,
                submitted_at: r.try_get("submitted_at")?,
                updated_at: r.try_get("updated_at")?,
                score: r.try_get("score")?,
                passed: r.try_get::<Option<i64>, _>("passed")?.map(|p| p != 0),
            })
        })
        .collect::<Result<_, _>>()
        .map_err(StorageError::from)?;
    Ok(Json(Queue { total, records }))
}

/// The document's metadata if `who` may see it; the same 404 otherwise.
pub(crate) async fn visible(
    app: &AppState,
    who: &Principal,
    id: &str,
) -> Result<DocMeta, ApiError> {
    app.storage
        .doc_meta(id)
        .await?
        .filter(|m| may_see(who, m))
        .ok_or_else(|| ApiError::NotFound("no such record".into()))
}

/// A record as it stands, read once: the record, its state, and its
/// template version if the server has it.
pub(crate) struct Opened {
    pub record: Record,
    pub state: RecordState,
    pub template: Option<Arc<Template>>,
}

pub(crate) async fn open_record(app: &AppState, doc: AutoCommit) -> Result<Opened, ApiError> {
    let (record, state) =
        Record::with_state(doc).map_err(|_| ApiError::NotFound("no such record".into()))?;
    let template = app
        .templates
        .get(
            &app.storage,
            &state.header.template_id,
            &state.header.template_version,
        )
        .await?;
    Ok(Opened {
        record,
        state,
        template,
    })
}

/// A record in full: the derived rows, plus answers two people gave at once.
#[derive(Debug, Serialize)]
pub struct Detail {
    #[serde(flatten)]
    rows: Derived,
    conflicts: Vec<ConflictView>,
    /// The record as the app's form (labels, answers, photos, problems),
    /// when the server has its template version.
    form: Option<FormView>,
}

#[derive(Debug, Serialize)]
struct ConflictView {
    item: String,
    winner_by: String,
    others_by: Vec<String>,
}

/// A record in full: its derived rows (record, answers, sections,
/// constructs, events, comments, actions, history) and conflicting answers.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "review", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = serde_json::Value), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Missing or not in scope", body = ErrorBody)))]
pub async fn detail(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Detail>, ApiError> {
    visible(&app, &who.principal, &id).await?;
    let mut doc = app.docs.lock(&id).await?.clone();
    let history = change_history(&mut doc);
    let Opened {
        record,
        state,
        template,
    } = open_record(&app, doc).await?;
    let conflicts = record
        .conflicts()
        .map_err(internal)?
        .into_iter()
        .map(|c| ConflictView {
            item: c.item,
            winner_by: c.winner.by,
            others_by: c.others.into_iter().map(|a| a.by).collect(),
        })
        .collect();
    Ok(Json(Detail {
        rows: derive(&id, &state, template.as_deref(), &history),
        conflicts,
        form: template.as_deref().map(|t| form_view(&id, &state, t)),
    }))
}

/// `GET /api/v1/records/{id}/document`: the Automerge bytes, loadable by
/// any Automerge implementation.
#[utoipa::path(get, path = "/api/v1/records/{id}/document", tag = "review", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "The Automerge document", content_type = "application/octet-stream"), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Missing or not in scope", body = ErrorBody)))]
pub async fn document(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    visible(&app, &who.principal, &id).await?;
    let bytes = app.docs.lock(&id).await?.save();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}.automerge\""),
            ),
        ],
        Bytes::from(bytes),
    )
        .into_response())
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::Internal(e.into())
}

fn record_error(e: RecordError) -> ApiError {
    match e {
        RecordError::Forbidden { .. } | RecordError::NotAuthor { .. } => {
            ApiError::Forbidden(e.to_string())
        }
        RecordError::InvalidTransition { .. }
        | RecordError::Locked
        | RecordError::ActionTransition { .. }
        | RecordError::WrongTemplate { .. }
        | RecordError::Incomplete(_) => ApiError::InvalidState(e.to_string()),
        RecordError::UnknownItem(_)
        | RecordError::UnknownAction(_)
        | RecordError::Empty(_)
        | RecordError::TooLong { .. }
        | RecordError::BadDate(_)
        | RecordError::BadLocation
        | RecordError::Answer(_) => ApiError::BadRequest(e.to_string()),
        RecordError::Hydrate(_) | RecordError::Automerge(_) | RecordError::Reconcile(_) => {
            internal(e)
        }
    }
}

/// Applies a record operation as `who`, checks it with the sync gate,
/// stores it, tells connected devices, and writes the audit log.
async fn write<T: Serialize>(
    app: &AppState,
    who: &Principal,
    id: &str,
    action: &str,
    detail: serde_json::Value,
    op: impl FnOnce(&mut Record, Option<&Template>, &Actor) -> Result<T, RecordError>,
) -> Result<T, ApiError> {
    visible(app, who, id).await?;
    let mut doc = app.docs.lock(id).await?;
    let before = doc.get_heads();
    let Opened {
        mut record,
        template,
        ..
    } = open_record(app, doc.clone()).await?;
    let now = now_ms();
    let actor = Actor {
        user: who.user_id.clone(),
        role: who.role,
        device: "web".into(),
        now_ms: now,
    };
    let out = op(&mut record, template.as_deref(), &actor).map_err(record_error)?;
    let mut after = record.into_doc();
    let gate = gate::for_record(&app.storage, &app.templates, who, id).await?;
    if let Err(refusal) = gate.check(id, &mut doc, &mut after) {
        gate::log_refusal(&who.user_id, id, &refusal, "api");
        return Err(ApiError::Refused(refusal));
    }
    *doc = after;
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: action.to_string(),
        target: id.to_string(),
        detail: detail.to_string(),
    };
    let meta = match docs::store(&app.storage, id, &mut doc, &before, now, Some(&entry)).await {
        Ok(m) => m,
        Err(e) => {
            // Memory is ahead of storage: forget it.
            doc.discard();
            return Err(e.into());
        }
    };
    drop(doc);
    let _ = app.hub.send(HubEvent::Changed(Changed { meta, origin: 0 }));
    Ok(out)
}

fn needs_template(t: Option<&Template>) -> Result<&Template, RecordError> {
    // Reported as a state problem: publishing the template fixes it.
    t.ok_or(RecordError::WrongTemplate {
        expected: "a published version".into(),
        got: "one this server does not have".into(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReturnBody {
    comment: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    status: &'static str,
}

/// Returns a submitted record to its author with a comment.
#[utoipa::path(post, path = "/api/v1/records/{id}/return", tag = "review", params(("id" = String, Path)), request_body = ReturnBody, security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not in a state to return", body = ErrorBody)))]
pub async fn return_record(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<ReturnBody>, JsonRejection>,
) -> Result<Json<Done>, ApiError> {
    let Json(b) = b?;
    let detail = serde_json::json!({ "comment": b.comment });
    write(&app, &who.principal, &id, "return", detail, |r, _, a| {
        r.return_for_changes(a, &b.comment)
    })
    .await?;
    Ok(Json(Done { status: "returned" }))
}

/// Approves a submitted record, which locks it.
#[utoipa::path(post, path = "/api/v1/records/{id}/approve", tag = "review", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not in a state to approve", body = ErrorBody)))]
pub async fn approve(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Done>, ApiError> {
    write(
        &app,
        &who.principal,
        &id,
        "approve",
        serde_json::json!({}),
        |r, _, a| r.approve(a),
    )
    .await?;
    Ok(Json(Done { status: "approved" }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentBody {
    item: Option<String>,
    text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    id: String,
}

/// Comments on a record or one of its items.
#[utoipa::path(post, path = "/api/v1/records/{id}/comments", tag = "review", params(("id" = String, Path)), request_body = CommentBody, security(("bearer" = [])),
    responses((status = 200, body = Created), (status = 400, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn comment(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<CommentBody>, JsonRejection>,
) -> Result<Json<Created>, ApiError> {
    let Json(b) = b?;
    let detail = serde_json::json!({ "item": b.item, "text": b.text });
    let id = write(&app, &who.principal, &id, "comment", detail, |r, t, a| {
        r.comment(needs_template(t)?, a, b.item.as_deref(), &b.text)
    })
    .await?;
    Ok(Json(Created { id }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionBody {
    item: String,
    description: String,
    assignee: String,
    /// `YYYY-MM-DD`.
    due: String,
}

/// Opens a corrective action on an item of a reviewed record.
#[utoipa::path(post, path = "/api/v1/records/{id}/actions", tag = "review", params(("id" = String, Path)), request_body = ActionBody, security(("bearer" = [])),
    responses((status = 200, body = Created), (status = 400, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn open_action(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<ActionBody>, JsonRejection>,
) -> Result<Json<Created>, ApiError> {
    let Json(b) = b?;
    let detail = serde_json::json!({
        "item": b.item, "description": b.description, "assignee": b.assignee, "due": b.due,
    });
    let id = write(
        &app,
        &who.principal,
        &id,
        "open_action",
        detail,
        |r, t, a| {
            let action = NewAction {
                item: b.item,
                description: b.description,
                assignee: b.assignee,
                due: b.due,
            };
            r.open_action(needs_template(t)?, a, action)
        },
    )
    .await?;
    Ok(Json(Created { id }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// `verify` only: the re-audit of the same store, made after the fix,
    /// whose answer to the action's item passes.
    reaudit: Option<String>,
}

/// `POST /api/v1/records/{id}/actions/{action}/{step}` with step `complete`,
/// `verify` or `reopen`. A verification may rest on a re-audit.
#[utoipa::path(post, path = "/api/v1/records/{id}/actions/{action}/{step}", tag = "review",
    params(("id" = String, Path), ("action" = String, Path), ("step" = String, Path, description = "complete, verify or reopen")),
    request_body(content = Option<StepBody>, description = "Optional; `verify` may name the re-audit"),
    security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 400, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not in a state for this step, or the re-audit does not show the fix", body = ErrorBody)))]
pub async fn action_step(
    State(app): State<AppState>,
    who: Authenticated,
    Path((id, action, step)): Path<(String, String, String)>,
    bytes: Bytes,
) -> Result<Json<Done>, ApiError> {
    let status = match step.as_str() {
        "complete" => "done",
        "verify" => "verified",
        "reopen" => "open",
        _ => {
            return Err(ApiError::NotFound(
                "the steps are complete, verify and reopen".into(),
            ));
        }
    };
    let b: StepBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        StepBody { reaudit: None }
    } else {
        serde_json::from_slice(&bytes).map_err(|e| ApiError::BadRequest(e.to_string()))?
    };
    let reaudit = match (&b.reaudit, step.as_str()) {
        (Some(r), "verify") => Some(r.clone()),
        (Some(_), _) => {
            return Err(ApiError::BadRequest(
                "only a verification rests on a re-audit".into(),
            ));
        }
        (None, _) => None,
    };
    if let Some(r) = &reaudit {
        check_reaudit(&app, &who.principal, &id, &action, r).await?;
    }
    let detail = serde_json::json!({ "action": action, "step": step, "reaudit": reaudit });
    write(
        &app,
        &who.principal,
        &id,
        &format!("{step}_action"),
        detail,
        |r, _, a| match step.as_str() {
            "complete" => r.complete_action(a, &action),
            "verify" => r.verify_action(a, &action, reaudit.as_deref()),
            _ => r.reopen_action(a, &action),
        },
    )
    .await?;
    Ok(Json(Done { status }))
}

/// A re-audit verifies an action when it is a submitted audit of the same
/// store, started after the fix was reported, that passes the action's item.
async fn check_reaudit(
    app: &AppState,
    who: &Principal,
    id: &str,
    action: &str,
    reaudit: &str,
) -> Result<(), ApiError> {
    let meta = visible(app, who, id).await?;
    let state = open_record(app, app.docs.lock(id).await?.clone())
        .await?
        .state;
    let Some(a) = state.actions.get(action) else {
        return Err(ApiError::NotFound("no such corrective action".into()));
    };
    if visible(app, who, reaudit).await.is_err() {
        return Err(ApiError::NotFound(format!("no re-audit `{reaudit}`")));
    }
    let since = a.done_at.unwrap_or(a.created_at);
    let row = sqlx::query(
        "SELECT r.store_id, r.status, r.kind, r.started_at, a.failed, a.outcome
         FROM m_records r LEFT JOIN m_answers a ON a.doc_id = r.doc_id AND a.item_id = $2
         WHERE r.doc_id = $1",
    )
    .bind(reaudit)
    .bind(&a.item)
    .fetch_optional(app.storage.pool())
    .await?;
    let Some(row) = row else {
        return Err(ApiError::InvalidState(format!(
            "re-audit `{reaudit}` is not processed yet; try again in a moment"
        )));
    };
    let store: String = row.try_get("store_id")?;
    let status: String = row.try_get("status")?;
    let kind: String = row.try_get("kind")?;
    let started: i64 = row.try_get("started_at")?;
    if store != meta.store_id
        || kind != "checklist"
        || !["submitted", "resubmitted", "approved"].contains(&status.as_str())
        || started <= since
    {
        return Err(ApiError::InvalidState(format!(
            "a re-audit is a submitted audit of store {} started after the fix was reported",
            meta.store_id
        )));
    }
    let failed: Option<i64> = row.try_get("failed")?;
    let outcome: Option<f64> = row.try_get("outcome")?;
    if failed != Some(0) || outcome.is_none() {
        return Err(ApiError::InvalidState(format!(
            "re-audit `{reaudit}` does not pass item {}",
            a.item
        )));
    }
    Ok(())
}
