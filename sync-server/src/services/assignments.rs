//! Assignments: which inspector audits which stores with which template in
//! which period, openly or as a mystery shopper, and which surveyor surveys
//! where with what daily quota. Managers and administrators give them within
//! their scope; each is a reference document that syncs to the assignee's
//! device. Who sees one follows `access::may_see`: the assignee, managers
//! over it, and store staff only if it is not covert. Assignments are
//! cancelled, never deleted, so devices learn of it.

use fieldcheck_core::msg;
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::refdata::{Assignment, DocKind, assignment_doc_id};
use fieldcheck_core::templates::TemplateKind;
use fieldcheck_core::vocab::{Role, VisitMode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::{Principal, may_see};
use crate::error::Error;
use crate::services::templates;
use crate::state::{AppState, now_ms};
use crate::store::assignments::AssignmentFilter;
use crate::store::{Audit, DocMeta};
use crate::sync::refdocs;

fn meta_of(a: &Assignment) -> DocMeta {
    DocMeta {
        doc_id: assignment_doc_id(&a.assignment_id),
        seq: 0,
        store_id: a.unit_id.clone(),
        author: a.assignee.clone(),
        mode: Some(a.mode),
        kind: DocKind::Assignment,
    }
}

/// The assignments `who` may see that match `f`, and whose unit lies
/// under, at or above `unit` if given.
pub async fn list(
    app: &AppState,
    who: &Principal,
    mut f: AssignmentFilter<'_>,
    unit: Option<&str>,
) -> Result<Vec<Assignment>, Error> {
    if let Some(day) = f.on
        && day.parse::<jiff::civil::Date>().is_err()
    {
        return Err(Error::BadRequest(
            fieldcheck_core::refdata::AssignmentError::BadDate(day.to_string()).msg(),
        ));
    }
    if matches!(who.role, Role::Inspector | Role::Surveyor) && f.assignee.is_none() {
        f.assignee = Some(&who.user_id);
    }
    Ok(app
        .storage
        .assignments(&f)
        .await?
        .into_iter()
        .filter(|a| unit.is_none_or(|u| in_scope(u, &a.unit_id) || in_scope(&a.unit_id, u)))
        .filter(|a| may_see(who, &meta_of(a)))
        .collect())
}

/// One assignment, if `who` may see it.
pub async fn find(app: &AppState, who: &Principal, id: &str) -> Result<Assignment, Error> {
    app.storage
        .assignment(id)
        .await?
        .filter(|a| may_see(who, &meta_of(a)))
        .ok_or_else(|| Error::NotFound(msg!("assignments.not_found", "no such assignment")))
}

/// An assignment as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    id: String,
    assignee: String,
    template_id: String,
    mode: String,
    unit_id: String,
    starts_on: String,
    ends_on: String,
    visits: u32,
    daily_quota: Option<u32>,
    note: String,
    cancelled: bool,
    created_by: String,
    updated_at: i64,
}

impl From<Assignment> for AssignmentView {
    fn from(a: Assignment) -> Self {
        AssignmentView {
            id: a.assignment_id,
            assignee: a.assignee,
            template_id: a.template_id,
            mode: a.mode.as_str().into(),
            unit_id: a.unit_id,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            visits: a.visits,
            daily_quota: a.daily_quota,
            note: a.note,
            cancelled: a.cancelled,
            created_by: a.created_by,
            updated_at: a.updated_at,
        }
    }
}

/// The work an assignment gives: to whom, where, with what, how and when.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Work {
    /// An inspector (checklists) or surveyor (questionnaires) whose scope
    /// covers the unit.
    assignee: String,
    /// A published template.
    template_id: String,
    /// overt, mystery, test_call or echannel for checklists; intercept for
    /// questionnaires.
    #[schema(schema_with = crate::schema::visit_mode)]
    mode: String,
    /// A store, or a unit whose stores are all assigned.
    unit_id: String,
    /// First and last day, YYYY-MM-DD.
    #[schema(schema_with = crate::schema::date)]
    starts_on: String,
    #[schema(schema_with = crate::schema::date)]
    ends_on: String,
    /// Visits to each store in the period; default 1.
    #[schema(minimum = 1, maximum = 100)]
    visits: Option<u32>,
    /// Surveys: responses per store and day.
    #[schema(minimum = 1, maximum = 1000)]
    daily_quota: Option<u32>,
    note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentPatch {
    #[schema(schema_with = crate::schema::date)]
    starts_on: Option<String>,
    #[schema(schema_with = crate::schema::date)]
    ends_on: Option<String>,
    #[schema(minimum = 1, maximum = 100)]
    visits: Option<u32>,
    /// 0 removes the quota.
    #[schema(maximum = 1000)]
    daily_quota: Option<u32>,
    note: Option<String>,
    /// Cancelling withdraws the work from the assignee's device.
    cancelled: Option<bool>,
}

impl Work {
    /// One visit to one store on one day.
    pub fn one_day(
        assignee: &str,
        template_id: &str,
        mode: VisitMode,
        store: &str,
        date: &str,
    ) -> Work {
        Work {
            assignee: assignee.into(),
            template_id: template_id.into(),
            mode: mode.as_str().into(),
            unit_id: store.into(),
            starts_on: date.into(),
            ends_on: date.into(),
            visits: Some(1),
            daily_quota: None,
            note: None,
        }
    }
}

/// Gives work to an inspector or surveyor, as `who`.
pub async fn create(app: &AppState, who: &Principal, b: Work) -> Result<Assignment, Error> {
    let mode = VisitMode::parse(&b.mode).ok_or_else(|| {
        Error::BadRequest(msg!(
            "assignments.mode",
            "the mode is one of {names}",
            names = VisitMode::names()
        ))
    })?;
    let mut id = [0u8; 12];
    getrandom::fill(&mut id)?;
    let a = Assignment {
        kind: DocKind::Assignment,
        assignment_id: id.iter().map(|b| format!("{b:02x}")).collect(),
        assignee: b.assignee,
        template_id: b.template_id,
        mode,
        unit_id: b.unit_id,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        visits: b.visits.unwrap_or(1),
        daily_quota: b.daily_quota,
        note: b.note.unwrap_or_default(),
        cancelled: false,
        created_by: who.user_id.clone(),
        updated_at: now_ms(),
    };
    save(app, who, &a, "assignments.create").await?;
    Ok(a)
}

/// Changes an assignment's period, visits, quota or note, or cancels it.
pub async fn update(
    app: &AppState,
    who: &Principal,
    id: &str,
    b: AssignmentPatch,
) -> Result<Assignment, Error> {
    let mut a = find(app, who, id).await?;
    if let Some(v) = b.starts_on {
        a.starts_on = v;
    }
    if let Some(v) = b.ends_on {
        a.ends_on = v;
    }
    if let Some(v) = b.visits {
        a.visits = v;
    }
    if let Some(q) = b.daily_quota {
        a.daily_quota = (q > 0).then_some(q);
    }
    if let Some(v) = b.note {
        a.note = v;
    }
    if let Some(v) = b.cancelled {
        a.cancelled = v;
    }
    a.updated_at = now_ms();
    save(app, who, &a, "assignments.update").await?;
    Ok(a)
}

/// Checks an assignment against the caller, the hierarchy, the template
/// and the assignee, then stores it and tells devices.
async fn save(app: &AppState, who: &Principal, a: &Assignment, action: &str) -> Result<(), Error> {
    if !matches!(who.role, Role::Admin | Role::Manager) {
        return Err(Error::Forbidden(msg!(
            "assignments.managers_only",
            "managers and administrators give assignments"
        )));
    }
    if !who.scope.covers(&a.unit_id)
        || crate::store::units::find(&app.storage, &a.unit_id)
            .await?
            .is_none()
    {
        return Err(Error::NotFound(msg!(
            "units.not_in_scope",
            "no unit `{unit}` in your scope",
            unit = a.unit_id
        )));
    }
    let kind = templates::newest(app, &a.template_id)
        .await?
        .ok_or_else(|| {
            Error::BadRequest(msg!(
                "templates.not_published",
                "template `{template}` is not published",
                template = a.template_id
            ))
        })?
        .kind;
    let assignee =
        app.storage.user(&a.assignee).await?.ok_or_else(|| {
            Error::BadRequest(crate::services::users::no_active_user(&a.assignee))
        })?;
    let wanted = match kind {
        TemplateKind::Checklist => Role::Inspector,
        TemplateKind::Questionnaire => Role::Surveyor,
    };
    if Role::parse(&assignee.role) != Some(wanted) {
        return Err(Error::BadRequest(msg!(
            "assignments.wrong_role",
            "`{user}` has the role {role}, but {kind} templates go to the role {wanted}",
            user = a.assignee,
            role = assignee.role,
            kind = kind.as_str(),
            wanted = wanted.as_str()
        )));
    }
    if !in_scope(&assignee.scope, &a.unit_id) {
        return Err(Error::BadRequest(msg!(
            "assignments.outside_scope",
            "`{unit}` lies outside {user}'s scope `{scope}`",
            unit = a.unit_id,
            user = a.assignee,
            scope = assignee.scope
        )));
    }
    a.check(kind).map_err(|e| Error::BadRequest(e.msg()))?;
    let detail = serde_json::json!({
        "assignee": a.assignee, "unit": a.unit_id, "mode": a.mode.as_str(),
        "starts_on": a.starts_on, "ends_on": a.ends_on, "cancelled": a.cancelled,
    });
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: action.to_string(),
        target: a.assignment_id.clone(),
        detail: detail.to_string(),
    };
    let meta = refdocs::put_assignment(&app.docs, a, Some(&entry)).await?;
    app.announce(meta);
    Ok(())
}
