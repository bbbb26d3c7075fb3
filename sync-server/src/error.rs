//! The server's errors: what went wrong in a service, each kind with a
//! stable code that the HTTP layer (`http::error`) maps to a status. Storage
//! and subsystem errors that mean something to the caller are mapped here
//! to their kind; the rest are internal and go to the log.

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
            crate::store::StorageError::UserExists(id) => {
                Error::Exists(format!("user `{id}` already exists"))
            }
            e => Error::Internal(e.into()),
        }
    }
}

/// A file that is not a table is the client's mistake, named as found.
impl From<fieldcheck_core::table::TableError> for Error {
    fn from(e: fieldcheck_core::table::TableError) -> Self {
        Error::BadRequest(e.to_string())
    }
}
