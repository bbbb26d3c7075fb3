//! Corrective actions as materialised (`m_actions`), for the follow-up list.

use fieldcheck_core::records::ActionStatus;
use fieldcheck_core::records::derive::ActionRow;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::store::sql::Sql;
use crate::store::{Result, Storage};

/// Which actions to list.
#[derive(Debug)]
pub struct ActionFilter<'a> {
    pub statuses: Vec<ActionStatus>,
    /// A unit: the store or anything above it.
    pub store: Option<&'a str>,
    pub assignee: Option<&'a str>,
    /// The date overdue is judged against, for the order.
    pub today: Date,
    /// Only those overdue on `today`.
    pub overdue_only: bool,
    pub limit: i64,
}

impl<'a> ActionFilter<'a> {
    /// Every action of every status under `store` (or everywhere), judged
    /// overdue against `today`: what the period reports count.
    pub fn every(store: Option<&'a str>, today: Date) -> Self {
        ActionFilter {
            statuses: ActionStatus::ALL.to_vec(),
            store,
            assignee: None,
            today,
            overdue_only: false,
            limit: 1_000_000,
        }
    }
}

/// An action with the record it is on: the record's store and template
/// version, and the action as materialised (core's derived row).
#[derive(Debug, Clone)]
pub struct ActionOnRecord {
    pub doc_id: String,
    pub store_id: String,
    pub template_id: String,
    pub template_version: String,
    pub action: ActionRow,
}

/// The columns of `m_actions`.
pub const M_ACTIONS: &[&str] = &[
    "doc_id",
    "action_id",
    "item_id",
    "description",
    "assignee",
    "due",
    "status",
    "created_by",
    "created_at",
    "done_at",
    "verified_by",
    "verified_at",
    "verified_record",
];

/// The columns [`action_of`] reads, from `m_actions a` joined to `r`, a
/// selection of `m_records`.
pub const ACTION_COLUMNS: &str = "a.doc_id, r.store_id, r.template_id, r.template_version, \
    a.action_id, a.item_id, a.description, a.assignee, a.due, a.status, a.created_by, \
    a.created_at, a.done_at, a.verified_by, a.verified_at, a.verified_record";

/// A row of [`ACTION_COLUMNS`].
pub fn action_of(r: &AnyRow) -> Result<ActionOnRecord> {
    Ok(ActionOnRecord {
        doc_id: r.try_get("doc_id")?,
        store_id: r.try_get("store_id")?,
        template_id: r.try_get("template_id")?,
        template_version: r.try_get("template_version")?,
        action: ActionRow {
            action_id: r.try_get("action_id")?,
            item_id: r.try_get("item_id")?,
            description: r.try_get("description")?,
            assignee: r.try_get("assignee")?,
            due: r.try_get("due")?,
            status: r.try_get("status")?,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
            done_at: r.try_get("done_at")?,
            verified_by: r.try_get("verified_by")?,
            verified_at: r.try_get("verified_at")?,
            verified_record: r.try_get("verified_record")?,
            // Kept in the document only: the record's page shows them.
            done_note: None,
            done_evidence: Vec::new(),
        },
    })
}

impl Storage {
    /// The actions on the records `visible` admits (it adds its condition on
    /// `store_id`, `author` and `mode`): overdue first, then open ones
    /// soonest due, then done, then verified.
    pub async fn actions(
        &self,
        visible: impl Fn(&mut Sql),
        f: &ActionFilter<'_>,
    ) -> Result<Vec<ActionOnRecord>> {
        let mut sql = Sql::new(&format!(
            "SELECT {ACTION_COLUMNS}
             FROM m_actions a JOIN (SELECT doc_id, store_id, template_id, template_version
                                    FROM m_records WHERE 1 = 1"
        ));
        visible(&mut sql);
        if let Some(s) = f.store {
            sql.under("store_id", s);
        }
        sql.push(") r ON r.doc_id = a.doc_id WHERE a.status IN ")
            .in_list(f.statuses.iter().map(|s| s.as_str()));
        if let Some(a) = f.assignee {
            sql.push(" AND a.assignee = ").bind(a);
        }
        let today = f.today.to_string();
        if f.overdue_only {
            // ActionStatus::overdue, in SQL (dates as YYYY-MM-DD sort as text).
            sql.push(" AND a.status = ")
                .bind(ActionStatus::Open.as_str())
                .push(" AND a.due < ")
                .bind(today.clone());
        }
        // Overdue first, then open ones soonest due, then done, then verified.
        sql.push(" ORDER BY CASE WHEN a.status = ")
            .bind(ActionStatus::Open.as_str())
            .push(" AND a.due < ")
            .bind(today)
            .push(" THEN 0 WHEN a.status = ")
            .bind(ActionStatus::Open.as_str())
            .push(" THEN 1 WHEN a.status = ")
            .bind(ActionStatus::Done.as_str())
            .push(" THEN 2 ELSE 3 END, a.due, a.doc_id, a.action_id LIMIT ")
            .bind(f.limit);
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(action_of).collect()
    }
}
