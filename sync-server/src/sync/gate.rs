//! The record gate as the server uses it, for sync and for the API alike:
//! who sends, what the document holds already, what is published; and every
//! refusal logged the same way.

use fieldcheck_core::records::gate::RecordGate;
use fieldcheck_core::sync::Refusal;

use crate::access::Principal;
use crate::store::Storage;
use crate::store::templates::Templates;

/// The gate for `who`'s changes to document `doc_id`.
pub async fn for_record(
    storage: &Storage,
    templates: &Templates,
    who: &Principal,
    doc_id: &str,
) -> Result<RecordGate, crate::store::StorageError> {
    Ok(
        RecordGate::new(who.user_id.clone(), who.role, who.scope.to_string())
            .holding(storage.change_bytes(doc_id).await?)
            .pinning(templates.published(storage).await?),
    )
}

/// Logs a refused change as a structured warning: who, which document,
/// which rule and why, and whether it came by sync or the API. Never
/// document contents or tokens.
pub fn log_refusal(user: &str, doc: &str, refusal: &Refusal, via: &str) {
    tracing::warn!(
        user,
        doc,
        rule = refusal.rule,
        path = refusal.path.as_deref().unwrap_or(""),
        reason = %refusal.reason,
        via,
        "change refused"
    );
}
