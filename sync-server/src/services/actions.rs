//! The corrective-action follow-up list: every action on the records a
//! caller may see, with the item it fixes and whether it is overdue. The
//! actions themselves are written on their record (`records`).

use fieldcheck_core::records::ActionStatus;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Principal, Visibility};
use crate::error::Error;
use crate::state::AppState;
use crate::store::actions::ActionFilter;

/// At most this many actions in one answer.
const LIMIT: i64 = 1000;

/// One corrective action as the follow-up list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionListRow {
    doc_id: String,
    store_id: String,
    template_id: String,
    action_id: String,
    item_id: String,
    /// The item the action fixes, from the record's template version.
    label_zh: Option<String>,
    label_en: Option<String>,
    description: String,
    assignee: String,
    /// YYYY-MM-DD.
    due: String,
    /// open, done or verified.
    status: String,
    created_by: String,
    created_at: i64,
    done_at: Option<i64>,
    verified_at: Option<i64>,
    /// Past its due date and still open: done ones wait on the manager.
    overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    /// The date overdue was judged against.
    today: String,
    actions: Vec<ActionListRow>,
}

/// The actions on the records `who` may see, overdue ones (as of `today`)
/// first, then open ones soonest due, then done, then verified; only
/// overdue ones if `overdue_only`.
pub async fn follow_up(
    app: &AppState,
    who: &Principal,
    statuses: Vec<ActionStatus>,
    store: Option<&str>,
    assignee: Option<&str>,
    overdue_only: bool,
    today: Date,
) -> Result<ActionList, Error> {
    let filter = ActionFilter {
        statuses,
        store,
        assignee,
        today,
        overdue_only,
        limit: LIMIT,
    };
    let visibility = Visibility::of(who);
    let rows = app
        .storage
        .actions(|q| visibility.push_sql(q), &filter)
        .await?;
    let mut actions = Vec::with_capacity(rows.len());
    for r in rows {
        // The server's template cache keeps each version parsed.
        let label = app
            .templates
            .get(&app.storage, &r.template_id, &r.template_version)
            .await?
            .and_then(|t| {
                t.answer_item(&r.action.item_id)
                    .map(|(i, _)| i.label.clone())
            });
        let a = r.action;
        let overdue = ActionStatus::parse(&a.status).is_some_and(|s| s.overdue(&a.due, today));
        actions.push(ActionListRow {
            doc_id: r.doc_id,
            store_id: r.store_id,
            template_id: r.template_id,
            action_id: a.action_id,
            item_id: a.item_id,
            label_zh: label.as_ref().map(|l| l.zh.clone()),
            label_en: label.map(|l| l.en),
            description: a.description,
            assignee: a.assignee,
            due: a.due,
            status: a.status,
            created_by: a.created_by,
            created_at: a.created_at,
            done_at: a.done_at,
            verified_at: a.verified_at,
            overdue,
        });
    }
    Ok(ActionList {
        today: today.to_string(),
        actions,
    })
}
