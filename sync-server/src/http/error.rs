//! Errors as HTTP responses: the right status, a stable machine-readable
//! code and a message; internals go to the log, never to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;

/// The status and the stable code of each kind of error.
pub fn status_and_code(e: &Error) -> (StatusCode, &'static str) {
    match e {
        Error::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
        Error::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
        Error::InvalidEnrolment => (StatusCode::UNAUTHORIZED, "invalid_enrolment"),
        Error::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
        Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        Error::NotReferenced(_) => (StatusCode::FORBIDDEN, "not_referenced"),
        Error::Refused(_) => (StatusCode::FORBIDDEN, "refused"),
        Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        Error::OffsetMismatch(_) => (StatusCode::CONFLICT, "offset_mismatch"),
        Error::Exists(_) => (StatusCode::CONFLICT, "exists"),
        Error::InvalidState(_) => (StatusCode::CONFLICT, "invalid_state"),
        Error::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        Error::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch"),
        Error::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_rows"),
        Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

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
impl From<axum::extract::rejection::JsonRejection> for Error {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        Error::BadRequest(e.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for Error {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        Error::BadRequest(e.body_text())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
            tracing::error!(error = %format!("{e:#}"), "request failed");
        }
        let (status, code) = status_and_code(&self);
        let mut body = json!({ "code": code, "message": self.to_string() });
        match &self {
            Error::Invalid(problems) => body["problems"] = json!(problems),
            Error::Refused(r) => {
                body["rule"] = json!(r.rule);
                if let Some(p) = &r.path {
                    body["path"] = json!(p);
                }
            }
            _ => {}
        }
        let mut response = (status, Json(body)).into_response();
        if let Error::TooManyAttempts(wait) = &self {
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
        let e = Error::from(crate::store::StorageError::UserExists("li".into()));
        assert_eq!(status_and_code(&e), (StatusCode::CONFLICT, "exists"));
        assert!(e.to_string().contains("`li` already exists"));
        let e = Error::from(crate::store::StorageError::Url);
        assert_eq!(status_and_code(&e).0, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
