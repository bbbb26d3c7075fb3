//! The corrective-action follow-up list: every action on the records a
//! caller may see, with the item it fixes and whether it is overdue. The
//! actions themselves are written on their record (review.rs).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use fieldcheck_core::records::ActionStatus;
use fieldcheck_core::reference::DEFAULT_TIME_ZONE;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::Visibility;
use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::state::AppState;
use crate::store::actions::ActionFilter;
use crate::store::sql::list_param;

/// At most this many actions in one answer.
const LIMIT: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionsQuery {
    /// Comma-separated: open, done, verified; default `open,done` (not yet
    /// closed).
    #[param(pattern = "^(open|done|verified)(,(open|done|verified))*$")]
    status: Option<String>,
    /// A unit of the hierarchy: the store or anything above it.
    store: Option<String>,
    assignee: Option<String>,
    /// Only actions past their due date and still open (not yet done).
    overdue: Option<bool>,
    /// The caller's date (YYYY-MM-DD), against which due dates are read;
    /// default today in China Standard Time.
    #[param(schema_with = crate::http::openapi::date)]
    today: Option<String>,
}

/// One corrective action as the follow-up list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionListRow {
    doc_id: String,
    store_id: String,
    template_id: String,
    action_id: String,
    item_id: String,
    /// The item the action fixes, from the record's template version.
    label_zh: Option<String>,
    label_en: Option<String>,
    description: String,
    assignee: String,
    /// YYYY-MM-DD.
    due: String,
    /// open, done or verified.
    status: String,
    created_by: String,
    created_at: i64,
    done_at: Option<i64>,
    verified_at: Option<i64>,
    /// Past its due date and still open: done ones wait on the manager.
    overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    /// The date overdue was judged against.
    today: String,
    actions: Vec<ActionListRow>,
}

/// The follow-up list: corrective actions on the records in the caller's
/// scope, soonest due first.
#[utoipa::path(get, operation_id = "actions_list", path = "/api/v1/actions", tag = "review", params(ActionsQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = ActionList), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<ActionsQuery>, QueryRejection>,
) -> Result<Json<ActionList>, Error> {
    let Query(q) = query?;
    let today = match &q.today {
        Some(d) => d.parse::<Date>().map_err(|_| {
            Error::BadRequest(format!("`today` is a date like 2026-11-23, not `{d}`"))
        })?,
        None => jiff::Timestamp::now()
            .to_zoned(TimeZone::get(DEFAULT_TIME_ZONE).unwrap_or(TimeZone::UTC))
            .date(),
    };
    let statuses = list_param(q.status.as_deref(), "open,done")
        .into_iter()
        .map(|s| {
            ActionStatus::parse(s).ok_or_else(|| {
                Error::BadRequest(format!(
                    "`{s}` is not an action status (open, done, verified)"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let filter = ActionFilter {
        statuses,
        store: q.store.as_deref(),
        assignee: q.assignee.as_deref(),
        overdue_on: (q.overdue == Some(true)).then_some(today),
        limit: LIMIT,
    };
    let visibility = Visibility::of(&who.principal);
    let rows = app
        .storage
        .actions(|q| visibility.push_sql(q), &filter)
        .await?;
    let mut actions = Vec::with_capacity(rows.len());
    for r in rows {
        // The server's template cache keeps each version parsed.
        let label = app
            .templates
            .get(&app.storage, &r.template_id, &r.template_version)
            .await?
            .and_then(|t| t.item(&r.action.item_id).map(|i| i.label.clone()));
        let a = r.action;
        let overdue = ActionStatus::parse(&a.status).is_some_and(|s| s.overdue(&a.due, today));
        actions.push(ActionListRow {
            doc_id: r.doc_id,
            store_id: r.store_id,
            template_id: r.template_id,
            action_id: a.action_id,
            item_id: a.item_id,
            label_zh: label.as_ref().map(|l| l.zh.clone()),
            label_en: label.map(|l| l.en),
            description: a.description,
            assignee: a.assignee,
            due: a.due,
            status: a.status,
            created_by: a.created_by,
            created_at: a.created_at,
            done_at: a.done_at,
            verified_at: a.verified_at,
            overdue,
        });
    }
    Ok(Json(ActionList {
        today: today.to_string(),
        actions,
    }))
}
