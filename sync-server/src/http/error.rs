//! Errors as HTTP responses: the right status, a stable machine-readable
//! code and a message; internals go to the log, never to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use fieldcheck_core::reference::RowProblem;

use crate::error::{Error, params};

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
        Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

/// How every error looks on the wire.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable and machine-readable, e.g. `invalid_state`.
    pub code: String,
    /// For people, in English.
    pub message: String,
    /// The message's stable code, e.g. `records.not_found`, by which the
    /// console shows it in its language (ui/src/i18n/server-codes.json lists
    /// them).
    pub key: String,
    /// The message's named parameters: each a string, or a message of its
    /// own (`{ "key", "params", "text" }`).
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
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
    /// The message's stable code.
    pub key: String,
    /// The message's named parameters: each a string, or a message of its
    /// own (`{ "key", "params", "text" }`).
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// For people, in English.
    pub message: String,
}

impl From<&RowProblem> for ProblemBody {
    fn from(p: &RowProblem) -> Self {
        ProblemBody {
            row: p.row,
            column: p.column.clone(),
            key: p.message.key.to_string(),
            params: params(&p.message),
            message: p.message.text.clone(),
        }
    }
}

impl ErrorBody {
    /// The body of `e`.
    pub fn of(e: &Error) -> ErrorBody {
        let m = e.msg();
        let mut body = ErrorBody {
            code: status_and_code(e).1.to_string(),
            message: e.to_string(),
            key: m.key.to_string(),
            params: params(&m),
            problems: Vec::new(),
            rule: None,
            path: None,
        };
        match e {
            Error::Invalid(problems) => body.problems = problems.iter().map(Into::into).collect(),
            Error::Refused(r) => {
                body.rule = Some(r.rule.to_string());
                body.path = r.path.clone();
            }
            _ => {}
        }
        body
    }
}

/// A body or query string that does not parse is the client's mistake,
/// reported with what axum found wrong, so handlers can use `?` on their
/// `Result<Json<T>, _>` and `Result<Query<T>, _>` extractors.
impl From<axum::extract::rejection::JsonRejection> for Error {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        Error::bad_request(e.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for Error {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        Error::bad_request(e.body_text())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
            tracing::error!(error = %format!("{e:#}"), "request failed");
        }
        let (status, _) = status_and_code(&self);
        let mut response = (status, Json(ErrorBody::of(&self))).into_response();
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
    use serde_json::json;

    #[test]
    fn a_user_that_exists_is_a_conflict_not_an_internal_error() {
        let e = Error::from(crate::store::StorageError::UserExists("li".into()));
        assert_eq!(status_and_code(&e), (StatusCode::CONFLICT, "exists"));
        assert!(e.to_string().contains("`li` already exists"));
        let e = Error::from(crate::store::StorageError::Url);
        assert_eq!(status_and_code(&e).0, StatusCode::INTERNAL_SERVER_ERROR);
    }

    fn body_of(e: Error) -> serde_json::Value {
        serde_json::to_value(ErrorBody::of(&e)).expect("json")
    }

    #[test]
    fn every_body_has_the_message_code_and_parameters_beside_the_english() {
        let body = body_of(Error::TooManyAttempts(std::time::Duration::from_secs(30)));
        assert_eq!(body["code"], "too_many_attempts");
        assert_eq!(body["key"], "error.too_many_attempts");
        assert_eq!(body["params"]["seconds"], "30");
        assert_eq!(
            body["message"],
            "too many failed sign-ins; try again in 30 seconds"
        );
        let body = body_of(Error::Internal(anyhow::anyhow!("secret detail")));
        assert_eq!(body["key"], "error.internal");
        assert_eq!(body["message"], "internal error");
        assert_eq!(body["params"], json!({}));
    }

    #[test]
    fn a_refusal_has_its_rule_path_and_a_message_with_parameters() {
        let refusal = fieldcheck_core::sync::Refusal {
            rule: "append_only",
            path: Some("/comments/c1".into()),
            reason: fieldcheck_core::msg!(
                "records.append_only",
                "{path} cannot be changed or removed once added",
                path = "/comments/c1"
            ),
        };
        let body = body_of(Error::Refused(refusal));
        assert_eq!(body["code"], "refused");
        assert_eq!(body["rule"], "append_only");
        assert_eq!(body["path"], "/comments/c1");
        assert_eq!(body["key"], "records.append_only");
        assert_eq!(body["params"]["path"], "/comments/c1");
        assert_eq!(
            body["message"],
            "/comments/c1 cannot be changed or removed once added"
        );
    }

    #[test]
    fn invalid_rows_list_each_problem_with_its_code_and_parameters() {
        let problem = RowProblem {
            row: 3,
            column: Some("id".into()),
            message: fieldcheck_core::msg!(
                "rows.duplicate",
                "`{id}` is also on row {first}",
                id = "cq",
                first = 2
            ),
        };
        let body = body_of(Error::Invalid(vec![problem]));
        assert_eq!(body["code"], "invalid_rows");
        assert_eq!(body["key"], "rows.invalid");
        assert_eq!(body["params"]["n"], "1");
        assert_eq!(body["message"], "1 problems; nothing was changed");
        let p = &body["problems"][0];
        assert_eq!(
            (p["row"].clone(), p["column"].clone()),
            (json!(3), json!("id"))
        );
        assert_eq!(p["key"], "rows.duplicate");
        assert_eq!(p["params"], json!({ "id": "cq", "first": "2" }));
        assert_eq!(p["message"], "`cq` is also on row 2");
    }
}
