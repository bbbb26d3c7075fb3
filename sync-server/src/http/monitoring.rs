//! Daily monitoring and weekly tracking over HTTP (`services::monitoring`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use fieldcheck_core::msg;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::{Authenticated, within};
use crate::services::monitoring::{self, Daily, Weekly};
use crate::state::AppState;

fn day(text: &str) -> Result<Date, Error> {
    text.parse().map_err(|_| {
        Error::BadRequest(msg!(
            "monitoring.date",
            "`{date}` is not a day to monitor",
            date = text
        ))
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DailyQuery {
    /// The day, YYYY-MM-DD (the operator's calendar).
    date: String,
    /// Only at or below this unit; default the caller's scope.
    unit: Option<String>,
}

/// What changed on a day: records submitted by template and mode,
/// knock-out standards failed, hotlines below their service-level target,
/// corrective actions gone overdue.
#[utoipa::path(get, operation_id = "monitoring_daily", path = "/api/v1/monitoring/daily", tag = "ratings", params(DailyQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Daily), (status = 400, description = "A parameter is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn daily(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<DailyQuery>, QueryRejection>,
) -> Result<Json<Daily>, Error> {
    let Query(q) = query?;
    let date = day(&q.date)?;
    Ok(Json(
        monitoring::daily(&app, &who.principal, date, q.unit.as_deref()).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeeklyQuery {
    /// The unit tracked.
    unit: String,
    /// Today (YYYY-MM-DD): the last week is the one holding it.
    today: String,
    /// How many weeks (default 8).
    #[param(minimum = 1, maximum = 53)]
    weeks: Option<usize>,
}

/// A unit's indicators week by week against their targets: channel
/// compliance, hotline service level, corrective actions opened, closed and
/// overdue.
#[utoipa::path(get, operation_id = "monitoring_weekly", path = "/api/v1/monitoring/weekly", tag = "ratings", params(WeeklyQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Weekly), (status = 400, description = "A parameter is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "For managers and administrators, in their scope", body = ErrorBody),
        (status = 404, description = "No such unit", body = ErrorBody)))]
pub async fn weekly(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<WeeklyQuery>, QueryRejection>,
) -> Result<Json<Weekly>, Error> {
    let Query(q) = query?;
    let today = day(&q.today)?;
    let weeks = within("weeks", q.weeks, 8, 1..=53)?;
    Ok(Json(
        monitoring::weekly(&app, &who.principal, &q.unit, today, weeks).await?,
    ))
}
