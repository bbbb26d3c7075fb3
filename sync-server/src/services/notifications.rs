//! Notifications: what needs the caller's attention, worked out from the
//! records, actions and assignments they may see when they ask, with what
//! they have read kept per user. Inspectors and surveyors hear of audits
//! returned to them and work due today; store staff of new and overdue
//! corrective actions; managers of actions done and waiting to be verified,
//! overdue ones and audits waiting for review.

use std::collections::HashSet;

use fieldcheck_core::records::ActionStatus;
use fieldcheck_core::vocab::Role;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Principal, Visibility};
use crate::error::Error;
use crate::services::assignments;
use crate::state::AppState;
use crate::store::actions::ActionFilter;
use crate::store::assignments::AssignmentFilter;
use crate::store::records::QueueFilter;

/// The most of each kind listed.
const LIMIT: i64 = 50;

/// One notification.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    /// Stable: the same event keeps its id, so that it stays read.
    pub id: String,
    /// `returned`, `action_new`, `action_overdue`, `action_done`,
    /// `assignment_due` or `review_waiting`.
    pub kind: String,
    /// When it happened, ms since the epoch (0 when not known).
    pub at: i64,
    pub doc_id: Option<String>,
    pub store_id: Option<String>,
    /// The action's description, or the assignment's template.
    pub text: Option<String>,
    /// `review_waiting`: how many.
    pub count: Option<i64>,
    pub read: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Notifications {
    pub unread: usize,
    pub notifications: Vec<Notification>,
}

fn note(kind: &str, id: String, at: i64) -> Notification {
    Notification {
        id,
        kind: kind.into(),
        at,
        doc_id: None,
        store_id: None,
        text: None,
        count: None,
        read: false,
    }
}

/// What needs `who`'s attention on `today`, newest first, unread ones
/// marked.
pub async fn list(app: &AppState, who: &Principal, today: Date) -> Result<Notifications, Error> {
    let visibility = Visibility::of(who);
    let visible = |q: &mut crate::store::sql::Sql| visibility.push_sql(q);
    let mut out = Vec::new();
    let actions = |statuses: Vec<ActionStatus>, overdue_only: bool| ActionFilter {
        statuses,
        store: None,
        assignee: None,
        today,
        overdue_only,
        limit: LIMIT,
    };
    let reviewer = matches!(who.role, Role::Admin | Role::Manager);
    match who.role {
        Role::Inspector | Role::Surveyor => {
            let returned = QueueFilter {
                statuses: vec!["returned"],
                author: Some(&who.user_id),
                limit: LIMIT,
                ..QueueFilter::default()
            };
            for kind in ["checklist", "questionnaire"] {
                let f = QueueFilter {
                    kind,
                    ..returned.clone()
                };
                for r in app.storage.queue(visible, &f).await?.1 {
                    let mut n = note(
                        "returned",
                        format!("returned:{}:{}", r.doc_id, r.updated_at),
                        r.updated_at,
                    );
                    n.doc_id = Some(r.doc_id);
                    n.store_id = Some(r.store_id);
                    out.push(n);
                }
            }
            let day = today.to_string();
            let f = AssignmentFilter {
                assignee: Some(&who.user_id),
                on: Some(&day),
                with_cancelled: false,
            };
            for a in assignments::list(app, who, f, None).await? {
                if a.ends_on == day {
                    let mut n = note(
                        "assignment_due",
                        format!("assignment:{}:{day}", a.assignment_id),
                        0,
                    );
                    n.store_id = Some(a.unit_id);
                    n.text = Some(a.template_id);
                    out.push(n);
                }
            }
        }
        Role::StoreStaff | Role::Manager | Role::Admin => {
            // Staff: the actions open on their store's records (theirs
            // first of all); managers: those overdue and those done,
            // waiting to be verified.
            let open = if reviewer {
                vec![]
            } else {
                app.storage
                    .actions(visible, &actions(vec![ActionStatus::Open], false))
                    .await?
            };
            for r in open {
                let a = &r.action;
                let mut n = note(
                    "action_new",
                    format!("action:{}:{}:new", r.doc_id, a.action_id),
                    a.created_at,
                );
                n.doc_id = Some(r.doc_id.clone());
                n.store_id = Some(r.store_id.clone());
                n.text = Some(a.description.clone());
                out.push(n);
            }
            for r in app
                .storage
                .actions(visible, &actions(vec![ActionStatus::Open], true))
                .await?
            {
                let a = &r.action;
                let mut n = note(
                    "action_overdue",
                    format!("action:{}:{}:overdue:{}", r.doc_id, a.action_id, a.due),
                    0,
                );
                n.doc_id = Some(r.doc_id.clone());
                n.store_id = Some(r.store_id.clone());
                n.text = Some(a.description.clone());
                out.push(n);
            }
            if reviewer {
                for r in app
                    .storage
                    .actions(visible, &actions(vec![ActionStatus::Done], false))
                    .await?
                {
                    let a = &r.action;
                    let at = a.done_at.unwrap_or_default();
                    let mut n = note(
                        "action_done",
                        format!("action:{}:{}:done:{at}", r.doc_id, a.action_id),
                        at,
                    );
                    n.doc_id = Some(r.doc_id.clone());
                    n.store_id = Some(r.store_id.clone());
                    n.text = Some(a.description.clone());
                    out.push(n);
                }
                let waiting = QueueFilter {
                    statuses: vec!["submitted", "resubmitted"],
                    kind: "checklist",
                    limit: 1,
                    ..QueueFilter::default()
                };
                let (count, _) = app.storage.queue(visible, &waiting).await?;
                if count > 0 {
                    let mut n = note("review_waiting", format!("review:{today}:{count}"), 0);
                    n.count = Some(count);
                    out.push(n);
                }
            }
        }
    }
    let read: HashSet<String> = app
        .storage
        .notifications_read(&who.user_id)
        .await?
        .into_iter()
        .collect();
    for n in &mut out {
        n.read = read.contains(&n.id);
    }
    out.sort_by(|a, b| a.read.cmp(&b.read).then(b.at.cmp(&a.at)));
    Ok(Notifications {
        unread: out.iter().filter(|n| !n.read).count(),
        notifications: out,
    })
}

/// Marks notifications read for `who` (ids they were shown; at most 500).
pub async fn mark_read(app: &AppState, who: &Principal, ids: &[String]) -> Result<(), Error> {
    if ids.len() > 500 || ids.iter().any(|i| i.is_empty() || i.len() > 300) {
        return Err(Error::BadRequest(fieldcheck_core::msg!(
            "notifications.ids",
            "give at most 500 notification ids, each 1 to 300 characters"
        )));
    }
    app.storage
        .mark_notifications_read(&who.user_id, ids, crate::state::now_ms())
        .await?;
    Ok(())
}
