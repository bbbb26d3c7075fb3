//! The corrective-action follow-up list over HTTP (`services::actions`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use fieldcheck_core::msg;
use fieldcheck_core::records::ActionStatus;
use fieldcheck_core::reference::DEFAULT_TIME_ZONE;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::actions::{self, ActionList};
use crate::state::AppState;
use crate::store::sql::list_param;

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
    #[param(schema_with = crate::schema::date)]
    today: Option<String>,
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
            Error::BadRequest(msg!(
                "request.today",
                "`today` is a date like 2026-11-23, not `{value}`",
                value = d
            ))
        })?,
        None => jiff::Timestamp::now()
            .to_zoned(TimeZone::get(DEFAULT_TIME_ZONE).unwrap_or(TimeZone::UTC))
            .date(),
    };
    let statuses = list_param(q.status.as_deref(), "open,done")
        .into_iter()
        .map(|s| {
            ActionStatus::parse(s).ok_or_else(|| {
                Error::BadRequest(msg!(
                    "request.action_status",
                    "`{value}` is not an action status (open, done, verified)",
                    value = s
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let list = actions::follow_up(
        &app,
        &who.principal,
        statuses,
        q.store.as_deref(),
        q.assignee.as_deref(),
        q.overdue == Some(true),
        today,
    )
    .await?;
    Ok(Json(list))
}
