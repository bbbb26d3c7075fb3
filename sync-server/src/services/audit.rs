//! Reading the audit log, for administrators of everything.

use crate::access::Principal;
use crate::access::Scope;
use crate::error::Error;
use crate::state::AppState;
use crate::store::audit::AuditEntry;
use fieldcheck_core::msg;
use fieldcheck_core::vocab::Role;

/// Entries newest first: at most `limit` (default 100, at most 1000).
pub async fn entries(
    app: &AppState,
    who: &Principal,
    user: Option<&str>,
    target: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<AuditEntry>, Error> {
    if who.role != Role::Admin || who.scope != Scope::Everything {
        return Err(Error::Forbidden(msg!(
            "auth.audit_log_admins",
            "the audit log is for administrators of everything"
        )));
    }
    let limit = limit.unwrap_or(100).clamp(1, 1000);
    Ok(app.storage.audit_entries(user, target, limit).await?)
}
