//! The audit log: every accepted write, in the transaction of the write.

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use crate::store::sql::Sql;
use crate::store::{Result, Storage};

/// One accepted write.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub at: i64,
    pub user_id: String,
    /// e.g. `approve`, `users.update`, `assignments.create`.
    pub action: String,
    /// The record, user or assignment written.
    pub target: String,
    pub detail: serde_json::Value,
}

impl Storage {
    /// Entries newest first, of one user or target if given.
    pub async fn audit_entries(
        &self,
        user: Option<&str>,
        target: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let mut sql =
            Sql::new("SELECT at, user_id, action, target, detail FROM audit_log WHERE 1 = 1");
        if let Some(u) = user {
            sql.push(" AND user_id = ").bind(u);
        }
        if let Some(t) = target {
            sql.push(" AND target = ").bind(t);
        }
        sql.push(" ORDER BY at DESC, entry_id LIMIT ").bind(limit);
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let detail: String = r.try_get("detail")?;
                Ok(AuditEntry {
                    at: r.try_get("at")?,
                    user_id: r.try_get("user_id")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect()
    }
}
