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
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::access::Visibility;
use crate::state::AppState;
use crate::store::sql::{Sql, list_param};

/// At most this many actions in one answer.
const LIMIT: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionsQuery {
    /// Comma-separated: open, done, verified; default `open,done` (not yet
    /// closed).
    status: Option<String>,
    /// A unit of the hierarchy: the store or anything above it.
    store: Option<String>,
    assignee: Option<String>,
    /// Only actions past their due date and still open (not yet done).
    overdue: Option<bool>,
    /// The caller's date (YYYY-MM-DD), against which due dates are read;
    /// default today in China Standard Time.
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
#[utoipa::path(get, path = "/api/v1/actions", tag = "review", params(ActionsQuery), security(("bearer" = [])),
    responses((status = 200, body = ActionList), (status = 400, body = ErrorBody),
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
    let statuses = list_param(q.status.as_deref(), "open,done");
    if let Some(bad) = statuses.iter().find(|s| ActionStatus::parse(s).is_none()) {
        return Err(Error::BadRequest(format!(
            "`{bad}` is not an action status (open, done, verified)"
        )));
    }

    let mut sql = Sql::new(
        "SELECT a.doc_id, r.store_id, r.template_id, r.template_version, a.action_id, a.item_id,
                a.description, a.assignee, a.due, a.status, a.created_by, a.created_at, a.done_at,
                a.verified_at
         FROM m_actions a JOIN (SELECT doc_id, store_id, template_id, template_version
                                FROM m_records WHERE 1 = 1",
    );
    Visibility::of(&who.principal).push_sql(&mut sql);
    if let Some(s) = &q.store {
        sql.under("store_id", s);
    }
    sql.push(") r ON r.doc_id = a.doc_id WHERE a.status IN ")
        .in_list(statuses.iter().copied());
    if let Some(a) = &q.assignee {
        sql.push(" AND a.assignee = ").bind(a.as_str());
    }
    if q.overdue == Some(true) {
        // ActionStatus::overdue, in SQL (dates as YYYY-MM-DD sort as text).
        sql.push(" AND a.status = 'open' AND a.due < ")
            .bind(today.to_string());
    }
    sql.push(" ORDER BY a.due, a.doc_id, a.action_id LIMIT ")
        .bind(LIMIT);

    let rows = sql.query().fetch_all(app.storage.pool()).await?;
    let mut actions = Vec::with_capacity(rows.len());
    for r in &rows {
        let template_id: String = r.try_get("template_id")?;
        let version: String = r.try_get("template_version")?;
        let item_id: String = r.try_get("item_id")?;
        // The server's template cache keeps each version parsed.
        let label = app
            .templates
            .get(&app.storage, &template_id, &version)
            .await?
            .and_then(|t| t.item(&item_id).map(|i| i.label.clone()));
        let due: String = r.try_get("due")?;
        let status: String = r.try_get("status")?;
        let overdue = ActionStatus::parse(&status).is_some_and(|s| s.overdue(&due, today));
        actions.push(ActionListRow {
            doc_id: r.try_get("doc_id")?,
            store_id: r.try_get("store_id")?,
            template_id,
            action_id: r.try_get("action_id")?,
            item_id,
            label_zh: label.as_ref().map(|l| l.zh.clone()),
            label_en: label.map(|l| l.en),
            description: r.try_get("description")?,
            assignee: r.try_get("assignee")?,
            due,
            status,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
            done_at: r.try_get("done_at")?,
            verified_at: r.try_get("verified_at")?,
            overdue,
        });
    }
    Ok(Json(ActionList {
        today: today.to_string(),
        actions,
    }))
}
