//! API errors: a stable machine-readable code, a human message and the
//! right HTTP status; internals go to the log, never to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fieldcheck_core::reference::RowProblem;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("user name or password is wrong")]
    InvalidCredentials,
    #[error("sign in first: the token is missing, expired or revoked")]
    Unauthorized,
    #[error("this enrolment code is wrong, used or expired; ask for a new one")]
    InvalidEnrolment,
    /// Too many failed sign-ins: try again after this long.
    #[error("too many failed sign-ins; try again in {} seconds", .0.as_secs().max(1))]
    TooManyAttempts(std::time::Duration),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    /// A media upload no stored record of the user's references (yet).
    #[error("{0}")]
    NotReferenced(String),
    /// The record gate refused the change: which rule, on which path.
    #[error("{0}")]
    Refused(fieldcheck_core::sync::Refusal),
    #[error("{0}")]
    NotFound(String),
    /// A media chunk at another offset than the server holds.
    #[error("{0}")]
    OffsetMismatch(String),
    /// What was to be created exists already (a user name, say).
    #[error("{0}")]
    Exists(String),
    /// The record is not in a state that allows this.
    #[error("{0}")]
    InvalidState(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unprocessable(String),
    /// An import or a body with problems, each with its row and column.
    #[error("{} problems; nothing was changed", .0.len())]
    Invalid(Vec<RowProblem>),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::InvalidEnrolment => (StatusCode::UNAUTHORIZED, "invalid_enrolment"),
            ApiError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotReferenced(_) => (StatusCode::FORBIDDEN, "not_referenced"),
            ApiError::Refused(_) => (StatusCode::FORBIDDEN, "refused"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::OffsetMismatch(_) => (StatusCode::CONFLICT, "offset_mismatch"),
            ApiError::Exists(_) => (StatusCode::CONFLICT, "exists"),
            ApiError::InvalidState(_) => (StatusCode::CONFLICT, "invalid_state"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch"),
            ApiError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_rows"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

macro_rules! internal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                ApiError::Internal(e.into())
            }
        }
    )*};
}
internal_from!(
    crate::auth::LoginError,
    crate::docs::DocError,
    crate::refdocs::RefError,
    crate::materialise::MaterialiseError,
    anyhow::Error,
    getrandom::Error,
    sqlx::Error
);

/// How every error looks on the wire.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable and machine-readable, e.g. `invalid_state`.
    pub code: String,
    /// For people.
    pub message: String,
    /// `invalid_rows` only: every problem found, by row and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemBody>,
    /// `refused` only: the record rule that refused the change
    /// (docs/records.md), e.g. `append_only`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// `refused` only: the document path the rule concerns, e.g. `/comments/3f2a`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// One problem of an import, as `ErrorBody::problems` lists it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    /// The line as a spreadsheet numbers it; 0 for the file as a whole.
    pub row: usize,
    pub column: Option<String>,
    pub message: String,
}

/// A body or query string that does not parse is the client's mistake,
/// reported with what axum found wrong, so handlers can use `?` on their
/// `Result<Json<T>, _>` and `Result<Query<T>, _>` extractors.
impl From<crate::storage::StorageError> for ApiError {
    fn from(e: crate::storage::StorageError) -> Self {
        match e {
            // Two requests creating one user at once: the second is told.
            crate::storage::StorageError::UserExists(id) => {
                ApiError::Exists(format!("user `{id}` already exists"))
            }
            e => ApiError::Internal(e.into()),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        ApiError::BadRequest(e.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::BadRequest(e.body_text())
    }
}

impl From<crate::units::ImportError> for ApiError {
    fn from(e: crate::units::ImportError) -> Self {
        match e {
            crate::units::ImportError::Invalid(problems) => ApiError::Invalid(problems),
            e => ApiError::Internal(e.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = %format!("{e:#}"), "request failed");
        }
        let (status, code) = self.status_and_code();
        let mut body = json!({ "code": code, "message": self.to_string() });
        match &self {
            ApiError::Invalid(problems) => body["problems"] = json!(problems),
            ApiError::Refused(r) => {
                body["rule"] = json!(r.rule);
                if let Some(p) = &r.path {
                    body["path"] = json!(p);
                }
            }
            _ => {}
        }
        let mut response = (status, Json(body)).into_response();
        if let ApiError::TooManyAttempts(wait) = &self {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.max(1).into());
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_that_exists_is_a_conflict_not_an_internal_error() {
        let e = ApiError::from(crate::storage::StorageError::UserExists("li".into()));
        assert_eq!(e.status_and_code(), (StatusCode::CONFLICT, "exists"));
        assert!(e.to_string().contains("`li` already exists"));
        let e = ApiError::from(crate::storage::StorageError::Url);
        assert_eq!(e.status_and_code().0, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
