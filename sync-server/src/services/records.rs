//! A record as its reviewers handle it: the queue, the record in full, and
//! the review writes (return, approve, comment, corrective actions). Writes
//! are changes to the record document, checked by the same gate as sync and
//! stored the same way, so they reach the inspector's device through sync
//! like edits made in the app; each is recorded in the audit log.

use std::sync::Arc;

use automerge::AutoCommit;
use fieldcheck_core::form::{FormView, form_view};
use fieldcheck_core::msg;
use fieldcheck_core::records::derive::{Derived, derive};
use fieldcheck_core::records::{
    Actor, Completion, NewAction, Record, RecordError, RecordState, Status, change_history,
};
use fieldcheck_core::sync::Gate;
use fieldcheck_core::templates::Template;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Principal;
use crate::access::{Visibility, may_see};
use crate::error::Error;
use crate::state::{AppState, now_ms};
use crate::store::docs;
use crate::store::records::{QueueFilter, QueueRow};
use crate::store::{Audit, DocMeta};
use crate::sync::gate;

/// One page of the review queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Queue {
    total: i64,
    records: Vec<QueueRow>,
}

/// The review queue: records in the caller's scope that match `f`, newest
/// first.
pub async fn queue(app: &AppState, who: &Principal, f: &QueueFilter<'_>) -> Result<Queue, Error> {
    let visibility = Visibility::of(who);
    let (total, records) = app.storage.queue(|q| visibility.push_sql(q), f).await?;
    Ok(Queue { total, records })
}

/// The document's metadata if `who` may see it; the same 404 otherwise.
pub async fn visible(app: &AppState, who: &Principal, id: &str) -> Result<DocMeta, Error> {
    app.storage
        .doc_meta(id)
        .await?
        .filter(|m| may_see(who, m))
        .ok_or_else(no_such_record)
}

/// 404: no such record, or not one the caller may see.
pub fn no_such_record() -> Error {
    Error::NotFound(msg!("records.not_found", "no such record"))
}

/// A record as it stands, read once: the record, its state, and its
/// template version if the server has it.
#[derive(Debug)]
pub struct Opened {
    pub record: Record,
    pub state: RecordState,
    pub template: Option<Arc<Template>>,
}

pub async fn open_record(app: &AppState, doc: AutoCommit) -> Result<Opened, Error> {
    let (record, state) = Record::with_state(doc).map_err(|_| no_such_record())?;
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

/// A record in full: its derived rows, the answers two people gave at once,
/// and its form when the server has its template version.
pub async fn detail(app: &AppState, who: &Principal, id: &str) -> Result<Detail, Error> {
    visible(app, who, id).await?;
    let mut doc = app.docs.lock(id).await?.clone();
    let history = change_history(&mut doc);
    let Opened {
        record,
        state,
        template,
    } = open_record(app, doc).await?;
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
    Ok(Detail {
        rows: derive(id, &state, template.as_deref(), &history),
        conflicts,
        form: template.as_deref().map(|t| form_view(id, &state, t)),
    })
}

/// The record's Automerge bytes, loadable by any Automerge implementation.
pub async fn document(app: &AppState, who: &Principal, id: &str) -> Result<Vec<u8>, Error> {
    visible(app, who, id).await?;
    Ok(app.docs.lock(id).await?.save())
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Internal(e.into())
}

fn record_error(e: RecordError) -> Error {
    match e {
        RecordError::Forbidden { .. } | RecordError::NotAuthor { .. } => Error::Forbidden(e.msg()),
        RecordError::InvalidTransition { .. }
        | RecordError::Locked
        | RecordError::ActionTransition { .. }
        | RecordError::WrongTemplate { .. }
        | RecordError::Incomplete(_) => Error::InvalidState(e.msg()),
        RecordError::UnknownItem(_)
        | RecordError::UnknownAction(_)
        | RecordError::Empty(_)
        | RecordError::TooLong { .. }
        | RecordError::TooMany { .. }
        | RecordError::BadDate(_)
        | RecordError::BadLocation
        | RecordError::Answer(_) => Error::BadRequest(e.msg()),
        RecordError::Hydrate(_) | RecordError::Automerge(_) | RecordError::Reconcile(_) => {
            internal(e)
        }
    }
}

/// Applies a record operation as `who`, checks it with the sync gate,
/// stores it, tells connected devices, and writes the audit log.
pub async fn write<T: Serialize>(
    app: &AppState,
    who: &Principal,
    id: &str,
    action: &str,
    detail: serde_json::Value,
    op: impl FnOnce(&mut Record, Option<&Template>, &Actor) -> Result<T, RecordError>,
) -> Result<T, Error> {
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
        return Err(Error::Refused(refusal));
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
    app.announce([meta]);
    Ok(out)
}

fn needs_template(t: Option<&Template>) -> Result<&Template, RecordError> {
    // Reported as a state problem: publishing the template fixes it.
    t.ok_or(RecordError::WrongTemplate {
        expected: "a published version".into(),
        got: "one this server does not have".into(),
    })
}

/// Returns a submitted record to its author with a comment.
pub async fn return_record(
    app: &AppState,
    who: &Principal,
    id: &str,
    comment: &str,
) -> Result<(), Error> {
    let detail = serde_json::json!({ "comment": comment });
    write(app, who, id, "return", detail, |r, _, a| {
        r.return_for_changes(a, comment)
    })
    .await
}

/// Approves a submitted record, which locks it.
pub async fn approve(app: &AppState, who: &Principal, id: &str) -> Result<(), Error> {
    write(app, who, id, "approve", serde_json::json!({}), |r, _, a| {
        r.approve(a)
    })
    .await
}

/// Comments on a record or one of its items; the comment's id.
pub async fn comment(
    app: &AppState,
    who: &Principal,
    id: &str,
    item: Option<&str>,
    text: &str,
) -> Result<String, Error> {
    let detail = serde_json::json!({ "item": item, "text": text });
    write(app, who, id, "comment", detail, |r, t, a| {
        r.comment(needs_template(t)?, a, item, text)
    })
    .await
}

/// Opens a corrective action on an item of a reviewed record; its id.
pub async fn open_action(
    app: &AppState,
    who: &Principal,
    id: &str,
    action: NewAction,
) -> Result<String, Error> {
    let detail = serde_json::json!({
        "item": action.item, "description": action.description,
        "assignee": action.assignee, "due": action.due,
    });
    write(app, who, id, "open_action", detail, |r, t, a| {
        r.open_action(needs_template(t)?, a, action)
    })
    .await
}

/// A step of a corrective action's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Complete,
    Verify,
    Reopen,
}

impl Step {
    pub fn parse(s: &str) -> Option<Step> {
        match s {
            "complete" => Some(Step::Complete),
            "verify" => Some(Step::Verify),
            "reopen" => Some(Step::Reopen),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Complete => "complete",
            Step::Verify => "verify",
            Step::Reopen => "reopen",
        }
    }

    /// The action's status after the step.
    pub fn status(self) -> &'static str {
        match self {
            Step::Complete => "done",
            Step::Verify => "verified",
            Step::Reopen => "open",
        }
    }
}

/// Takes an action a step further; a verification may rest on a re-audit.
pub async fn action_step(
    app: &AppState,
    who: &Principal,
    id: &str,
    action: &str,
    step: Step,
    reaudit: Option<&str>,
    completion: Completion,
) -> Result<(), Error> {
    if reaudit.is_some() && step != Step::Verify {
        return Err(Error::BadRequest(msg!(
            "records.reaudit_for_verify",
            "only a verification rests on a re-audit"
        )));
    }
    if completion != Completion::default() && step != Step::Complete {
        return Err(Error::BadRequest(msg!(
            "records.completion_for_complete",
            "a note and photos go with marking an action done"
        )));
    }
    let photos = completion.evidence.len();
    if let Some(r) = reaudit {
        check_reaudit(app, who, id, action, r).await?;
    }
    let detail = serde_json::json!({
        "action": action, "step": step.as_str(), "reaudit": reaudit, "photos": photos,
    });
    write(
        app,
        who,
        id,
        &format!("{}_action", step.as_str()),
        detail,
        |r, _, a| match step {
            Step::Complete => r.complete_action_with(a, action, completion.clone()),
            Step::Verify => r.verify_action(a, action, reaudit),
            Step::Reopen => r.reopen_action(a, action),
        },
    )
    .await
}

/// A re-audit verifies an action when it is a submitted audit of the same
/// store, started after the fix was reported, that passes the action's item.
async fn check_reaudit(
    app: &AppState,
    who: &Principal,
    id: &str,
    action: &str,
    reaudit: &str,
) -> Result<(), Error> {
    let meta = visible(app, who, id).await?;
    let state = open_record(app, app.docs.lock(id).await?.clone())
        .await?
        .state;
    let Some(a) = state.actions.get(action) else {
        return Err(Error::NotFound(msg!(
            "records.no_such_action",
            "no such corrective action"
        )));
    };
    if visible(app, who, reaudit).await.is_err() {
        return Err(Error::NotFound(msg!(
            "records.no_reaudit",
            "no re-audit `{reaudit}`",
            reaudit = reaudit
        )));
    }
    let since = a.done_at.unwrap_or(a.created_at);
    let Some(row) = app.storage.reaudit(reaudit, &a.item).await? else {
        return Err(Error::InvalidState(msg!(
            "records.reaudit_pending",
            "re-audit `{reaudit}` is not processed yet; try again in a moment",
            reaudit = reaudit
        )));
    };
    let submitted = Status::parse(&row.status).is_some_and(Status::counts);
    if row.store_id != meta.store_id
        || row.kind != "checklist"
        || !submitted
        || row.started_at <= since
    {
        return Err(Error::InvalidState(msg!(
            "records.reaudit_kind",
            "a re-audit is a submitted audit of store {store} started after the fix was reported",
            store = meta.store_id
        )));
    }
    if row.failed != Some(0) || row.outcome.is_none() {
        return Err(Error::InvalidState(msg!(
            "records.reaudit_fails",
            "re-audit `{reaudit}` does not pass item {item}",
            reaudit = reaudit,
            item = a.item
        )));
    }
    Ok(())
}
