//! The server's errors: what went wrong in a service, each kind with a
//! stable code that the HTTP layer (`http::error`) maps to a status. Storage
//! and subsystem errors that mean something to the caller are mapped here
//! to their kind; the rest are internal and go to the log. Every error has
//! a message for people ([`Error::msg`]): a code with parameters, which the
//! console renders in its language, and the English text, which `Display`
//! (logs, the command line) shows.

use fieldcheck_core::msg;
use fieldcheck_core::msg::Msg;
use fieldcheck_core::reference::RowProblem;

#[derive(Debug, thiserror::Error)]
pub enum Error {
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
    BadRequest(Msg),
    #[error("{0}")]
    Forbidden(Msg),
    /// A media upload no stored record of the user's references (yet).
    #[error("{0}")]
    NotReferenced(Msg),
    /// The record gate refused the change: which rule, on which path.
    #[error("{0}")]
    Refused(fieldcheck_core::sync::Refusal),
    #[error("{0}")]
    NotFound(Msg),
    /// A media chunk at another offset than the server holds.
    #[error("{0}")]
    OffsetMismatch(Msg),
    /// What was to be created exists already (a user name, say).
    #[error("{0}")]
    Exists(Msg),
    /// The record is not in a state that allows this.
    #[error("{0}")]
    InvalidState(Msg),
    #[error("{0}")]
    TooLarge(Msg),
    #[error("{0}")]
    Unprocessable(Msg),
    /// The server cannot do this as configured (a PDF without a font).
    #[error("{0}")]
    Unavailable(Msg),
    /// An import or a body with problems, each with its row and column.
    #[error("{} problems; nothing was changed", .0.len())]
    Invalid(Vec<RowProblem>),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl Error {
    /// The message for people: its code, parameters and English text (the
    /// same as `Display`).
    pub fn msg(&self) -> Msg {
        match self {
            Error::InvalidCredentials => {
                msg!(
                    "error.invalid_credentials",
                    "user name or password is wrong"
                )
            }
            Error::Unauthorized => msg!(
                "error.unauthorized",
                "sign in first: the token is missing, expired or revoked"
            ),
            Error::InvalidEnrolment => msg!(
                "error.invalid_enrolment",
                "this enrolment code is wrong, used or expired; ask for a new one"
            ),
            Error::TooManyAttempts(wait) => msg!(
                "error.too_many_attempts",
                "too many failed sign-ins; try again in {seconds} seconds",
                seconds = wait.as_secs().max(1)
            ),
            Error::BadRequest(m)
            | Error::Forbidden(m)
            | Error::NotReferenced(m)
            | Error::NotFound(m)
            | Error::OffsetMismatch(m)
            | Error::Exists(m)
            | Error::InvalidState(m)
            | Error::TooLarge(m)
            | Error::Unprocessable(m)
            | Error::Unavailable(m) => m.clone(),
            Error::Refused(r) => r.reason.clone(),
            Error::Invalid(problems) => msg!(
                "rows.invalid",
                "{n} problems; nothing was changed",
                n = problems.len()
            ),
            Error::Internal(_) => msg!("error.internal", "internal error"),
        }
    }

    /// `Forbidden`: the caller is not an administrator.
    pub fn admins_only() -> Error {
        Error::Forbidden(msg!("auth.admins_only", "administrators only"))
    }

    /// `Invalid`: the problems of a file as a whole (no row or column),
    /// each a message.
    pub fn problems(messages: Vec<Msg>) -> Error {
        Error::Invalid(
            messages
                .into_iter()
                .map(|message| RowProblem {
                    row: 0,
                    column: None,
                    message,
                })
                .collect(),
        )
    }

    /// `BadRequest` with what the request parser found wrong, in its words.
    pub fn bad_request(detail: impl std::fmt::Display) -> Error {
        Error::BadRequest(msg!("request.invalid", "{detail}", detail = detail))
    }
}

/// A message for people as the API gives it outside errors (a template's
/// warnings, say): its code, its parameters and its English text, as
/// `fieldcheck_core::msg::Msg` serialises.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MessageBody {
    /// Stable, e.g. `xlsform.warning`.
    pub key: String,
    /// Named parameters: each a string, or a message of its own
    /// (`{ "key", "params", "text" }`).
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// In English.
    pub text: String,
}

impl From<&Msg> for MessageBody {
    fn from(m: &Msg) -> Self {
        MessageBody {
            key: m.key.to_string(),
            params: params(m),
            text: m.text.clone(),
        }
    }
}

/// A message's parameters as a JSON object.
pub(crate) fn params(m: &Msg) -> serde_json::Value {
    serde_json::to_value(&m.params).unwrap_or_else(|_| serde_json::json!({}))
}

/// Errors with no meaning for the caller: internal. A subsystem above this
/// module declares its own so next to its error type
/// (`internal_from!(RefError)`), so this module imports nothing above it.
#[macro_export]
macro_rules! internal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for $crate::error::Error {
            fn from(e: $t) -> Self {
                $crate::error::Error::Internal(e.into())
            }
        }
    )*};
}
internal_from!(
    anyhow::Error,
    getrandom::Error,
    std::io::Error,
    sqlx::Error,
    // Below this module, so declared here rather than beside it.
    crate::store::docs::DocError
);

impl From<crate::store::StorageError> for Error {
    fn from(e: crate::store::StorageError) -> Self {
        match e {
            // Two requests creating one user at once: the second is told.
            crate::store::StorageError::UserExists(id) => Error::Exists(msg!(
                "users.user_exists",
                "user `{id}` already exists",
                id = id
            )),
            e => Error::Internal(e.into()),
        }
    }
}

/// A file that is not a table is the client's mistake, named as found.
impl From<fieldcheck_core::table::TableError> for Error {
    fn from(e: fieldcheck_core::table::TableError) -> Self {
        Error::BadRequest(e.msg())
    }
}
