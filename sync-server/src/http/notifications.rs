//! Notifications over HTTP: what needs the caller's attention, and marking
//! it read. The rules are in `services::notifications`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use fieldcheck_core::msg;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::notifications::{self, Notifications};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// The user's date, YYYY-MM-DD: overdue and due today are judged on it.
    #[param(schema_with = crate::schema::date)]
    today: String,
}

/// What needs the caller's attention, unread first.
#[utoipa::path(get, operation_id = "notifications_list", path = "/api/v1/notifications", tag = "review", params(NotificationsQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Notifications), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<NotificationsQuery>, QueryRejection>,
) -> Result<Json<Notifications>, Error> {
    let Query(q) = q?;
    let today = q.today.parse::<jiff::civil::Date>().map_err(|_| {
        Error::BadRequest(msg!(
            "request.today",
            "`today` is a date like 2026-11-23, not `{value}`",
            value = q.today
        ))
    })?;
    Ok(Json(
        notifications::list(&app, &who.principal, today).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    /// The notifications read, by id.
    ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    marked: usize,
}

/// Marks notifications read.
#[utoipa::path(post, operation_id = "notifications_read", path = "/api/v1/notifications/read", tag = "review", request_body = ReadBody, security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Marked), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody)))]
pub async fn read(
    State(app): State<AppState>,
    who: Authenticated,
    b: Result<Json<ReadBody>, JsonRejection>,
) -> Result<Json<Marked>, Error> {
    let Json(b) = b?;
    notifications::mark_read(&app, &who.principal, &b.ids).await?;
    Ok(Json(Marked {
        marked: b.ids.len(),
    }))
}
