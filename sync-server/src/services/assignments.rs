//! Assignments: which inspector audits which stores with which template in
//! which period, openly or as a mystery shopper, and which surveyor surveys
//! where with what daily quota. Managers and administrators give them within
//! their scope; each is a reference document that syncs to the assignee's
//! device. Who sees one follows `access::may_see`: the assignee, managers
//! over it, and store staff only if it is not covert. Assignments are
//! cancelled, never deleted, so devices learn of it.

use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::refdata::{Assignment, DocKind, assignment_doc_id};
use fieldcheck_core::templates::TemplateKind;
use fieldcheck_core::vocab::Role;

use crate::access::{Principal, may_see};
use crate::error::Error;
use crate::services::templates;
use crate::state::AppState;
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
        return Err(Error::BadRequest(format!(
            "`{day}` is not a date (YYYY-MM-DD)"
        )));
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
        .ok_or_else(|| Error::NotFound("no such assignment".into()))
}

/// Checks an assignment against the caller, the hierarchy, the template
/// and the assignee, then stores it and tells devices.
pub async fn save(
    app: &AppState,
    who: &Principal,
    a: &Assignment,
    action: &str,
) -> Result<(), Error> {
    if !matches!(who.role, Role::Admin | Role::Manager) {
        return Err(Error::Forbidden(
            "managers and administrators give assignments".into(),
        ));
    }
    if !who.scope.covers(&a.unit_id)
        || crate::store::units::find(&app.storage, &a.unit_id)
            .await?
            .is_none()
    {
        return Err(Error::NotFound(format!(
            "no unit `{}` in your scope",
            a.unit_id
        )));
    }
    let kind = templates::newest(app, &a.template_id)
        .await?
        .ok_or_else(|| Error::BadRequest(format!("template `{}` is not published", a.template_id)))?
        .kind;
    let assignee = app
        .storage
        .user(&a.assignee)
        .await?
        .ok_or_else(|| Error::BadRequest(format!("no active user `{}`", a.assignee)))?;
    let wanted = match kind {
        TemplateKind::Checklist => Role::Inspector,
        TemplateKind::Questionnaire => Role::Surveyor,
    };
    if Role::parse(&assignee.role) != Some(wanted) {
        return Err(Error::BadRequest(format!(
            "`{}` has the role {}, but {} templates go to the role {}",
            a.assignee,
            assignee.role,
            kind.as_str(),
            wanted.as_str()
        )));
    }
    if !in_scope(&assignee.scope, &a.unit_id) {
        return Err(Error::BadRequest(format!(
            "`{}` lies outside {}'s scope `{}`",
            a.unit_id, a.assignee, assignee.scope
        )));
    }
    a.check(kind)
        .map_err(|e| Error::BadRequest(e.to_string()))?;
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
