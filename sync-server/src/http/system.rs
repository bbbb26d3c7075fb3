//! The server's own state: whether it answers, and how far the derived
//! tables are.

use std::time::Duration;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::{Authenticated, within};
use crate::services::status::{self, Progress};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    version: &'static str,
    documents_loaded: usize,
}

/// The server and its database answer.
#[utoipa::path(get, operation_id = "system_health", path = "/health", tag = "system", security(()),
    responses((status = 200, description = "OK", body = Health),
        (status = 500, description = "The database does not answer", body = ErrorBody)))]
pub async fn health(State(app): State<AppState>) -> Result<Json<Health>, Error> {
    app.storage.ping().await?;
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        documents_loaded: app.docs.loaded(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// Wait until the derived tables hold every change stored so far.
    wait: Option<bool>,
    /// Wait until they hold every change up to this sequence number.
    seq: Option<i64>,
    /// The longest wait in milliseconds (default 10,000).
    #[param(maximum = 60000)]
    timeout_ms: Option<u64>,
}

/// How far the server is: the latest stored change and how far the review
/// queue, ratings and exports have caught up. With `wait` or `seq`, answers
/// once they have (or at the timeout: compare the two numbers).
#[utoipa::path(get, operation_id = "system_status", path = "/api/v1/status", tag = "system", params(StatusQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Progress), (status = 400, description = "Not a status query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn status(
    State(app): State<AppState>,
    _who: Authenticated,
    q: Result<Query<StatusQuery>, QueryRejection>,
) -> Result<Json<Progress>, Error> {
    let Query(q) = q?;
    let timeout = Duration::from_millis(within("timeout_ms", q.timeout_ms, 10_000, 0..=60_000)?);
    if q.wait != Some(true) && q.seq.is_none() {
        return Ok(Json(status::progress(&app).await?));
    }
    Ok(Json(status::wait(&app, q.seq, timeout).await?))
}
