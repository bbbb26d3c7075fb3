//! The audit log over HTTP.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::{Authenticated, within};
use crate::services::audit;
use crate::state::AppState;
use crate::store::audit::AuditEntry;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    user: Option<String>,
    target: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// The audit log: every accepted write made through the API, newest first.
#[utoipa::path(get, operation_id = "audit_list", path = "/api/v1/audit", tag = "admin", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = [AuditEntry]), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Vec<AuditEntry>>, Error> {
    let Query(q) = q?;
    let entries = audit::entries(
        &app,
        &who.principal,
        q.user.as_deref(),
        q.target.as_deref(),
        Some(within("limit", q.limit, 100, 1..=1000)?),
    )
    .await?;
    Ok(Json(entries))
}
