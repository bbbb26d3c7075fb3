//! Assignments over HTTP: which inspector audits which stores with which
//! template in which period, openly or as a mystery shopper, and which
//! surveyor surveys where with what daily quota. Managers and administrators
//! give them within their scope; each is a reference document that syncs to
//! the assignee's device. Who sees one follows `access::may_see`: the
//! assignee, managers over it, and store staff only if it is not covert.
//! Assignments are cancelled, never deleted, so devices learn of it.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::refdata::{Assignment, DocKind, assignment_doc_id};
use fieldcheck_core::templates::TemplateKind;
use fieldcheck_core::vocab::{Role, VisitMode};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::access::may_see;
use crate::services::auth::Principal;
use crate::state::{AppState, now_ms};
use crate::store::sql::Sql;
use crate::store::{Audit, DocMeta};
use crate::sync::refdocs;

/// An assignment as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    id: String,
    #[serde(flatten)]
    work: Work,
    cancelled: bool,
    created_by: String,
    updated_at: i64,
}

impl From<Assignment> for AssignmentView {
    fn from(a: Assignment) -> Self {
        AssignmentView {
            id: a.assignment_id,
            work: Work {
                assignee: a.assignee,
                template_id: a.template_id,
                mode: a.mode.as_str().into(),
                unit_id: a.unit_id,
                starts_on: a.starts_on,
                ends_on: a.ends_on,
                visits: Some(a.visits),
                daily_quota: a.daily_quota,
                note: Some(a.note),
            },
            cancelled: a.cancelled,
            created_by: a.created_by,
            updated_at: a.updated_at,
        }
    }
}

fn meta_of(a: &Assignment) -> DocMeta {
    DocMeta {
        doc_id: assignment_doc_id(&a.assignment_id),
        seq: 0,
        store_id: a.unit_id.clone(),
        author: a.assignee.clone(),
        mode: a.mode.as_str().into(),
        kind: DocKind::Assignment.as_str().into(),
    }
}

const COLUMNS: &str = "assignment_id, assignee, template_id, mode, unit_id, starts_on, ends_on, \
                       visits, daily_quota, note, cancelled, created_by, updated_at";

fn assignment_of(r: &AnyRow) -> Result<Assignment, Error> {
    let mode: String = r.try_get("mode")?;
    let count = |c: &str| -> Result<u32, sqlx::Error> {
        Ok(u32::try_from(r.try_get::<i64, _>(c)?).unwrap_or(0))
    };
    Ok(Assignment {
        kind: DocKind::Assignment,
        assignment_id: r.try_get("assignment_id")?,
        assignee: r.try_get("assignee")?,
        template_id: r.try_get("template_id")?,
        // Written from parsed values only.
        mode: VisitMode::parse(&mode).unwrap_or(VisitMode::Overt),
        unit_id: r.try_get("unit_id")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        visits: count("visits")?,
        daily_quota: r
            .try_get::<Option<i64>, _>("daily_quota")?
            .and_then(|q| u32::try_from(q).ok()),
        note: r.try_get("note")?,
        cancelled: r.try_get::<i64, _>("cancelled")? != 0,
        created_by: r.try_get("created_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentsQuery {
    assignee: Option<String>,
    /// Assignments of this unit, of units below it, or of units above it
    /// (which cover it).
    unit: Option<String>,
    /// Only those whose period includes this day (YYYY-MM-DD).
    on: Option<String>,
    /// Include cancelled ones (default false).
    cancelled: Option<bool>,
}

/// The assignments the caller may see.
#[utoipa::path(get, path = "/api/v1/assignments", tag = "assignments", params(AssignmentsQuery), security(("bearer" = [])),
    responses((status = 200, body = [AssignmentView]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<AssignmentsQuery>, QueryRejection>,
) -> Result<Json<Vec<AssignmentView>>, Error> {
    let who = who.principal;
    let Query(q) = q?;
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM assignments WHERE 1 = 1"));
    if matches!(who.role, Role::Inspector | Role::Surveyor) {
        sql.push(" AND assignee = ").bind(who.user_id.as_str());
    }
    if let Some(a) = &q.assignee {
        sql.push(" AND assignee = ").bind(a.as_str());
    }
    if let Some(day) = &q.on {
        if day.parse::<jiff::civil::Date>().is_err() {
            return Err(Error::BadRequest(format!(
                "`{day}` is not a date (YYYY-MM-DD)"
            )));
        }
        // ISO dates compare as text.
        sql.push(" AND starts_on <= ").bind(day.as_str());
        sql.push(" AND ends_on >= ").bind(day.as_str());
    }
    if !q.cancelled.unwrap_or(false) {
        sql.push(" AND cancelled = 0");
    }
    sql.push(" ORDER BY starts_on DESC, assignment_id");
    let rows = sql.query().fetch_all(app.storage.pool()).await?;
    let mut out = Vec::new();
    for r in &rows {
        let a = assignment_of(r)?;
        let unit_matches = q
            .unit
            .as_deref()
            .is_none_or(|u| in_scope(u, &a.unit_id) || in_scope(&a.unit_id, u));
        if unit_matches && may_see(&who, &meta_of(&a)) {
            out.push(a.into());
        }
    }
    Ok(Json(out))
}

/// One assignment, if the caller may see it.
#[utoipa::path(get, path = "/api/v1/assignments/{id}", tag = "assignments", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<AssignmentView>, Error> {
    Ok(Json(find(&app, &who.principal, &id).await?.into()))
}

async fn find(app: &AppState, who: &Principal, id: &str) -> Result<Assignment, Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM assignments WHERE assignment_id = $1"
    ))
    .bind(id)
    .fetch_optional(app.storage.pool())
    .await?;
    row.as_ref()
        .map(assignment_of)
        .transpose()?
        .filter(|a| may_see(who, &meta_of(a)))
        .ok_or_else(|| Error::NotFound("no such assignment".into()))
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
    mode: String,
    /// A store, or a unit whose stores are all assigned.
    unit_id: String,
    /// First and last day, YYYY-MM-DD.
    starts_on: String,
    ends_on: String,
    /// Visits to each store in the period; default 1.
    visits: Option<u32>,
    /// Surveys: responses per store and day.
    daily_quota: Option<u32>,
    note: Option<String>,
}

/// Gives work to an inspector or surveyor.
#[utoipa::path(post, path = "/api/v1/assignments", tag = "assignments", request_body = Work, security(("bearer" = [])),
    responses((status = 201, body = AssignmentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "No such unit in your scope", body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    who: Authenticated,
    b: Result<Json<Work>, JsonRejection>,
) -> Result<(StatusCode, Json<AssignmentView>), Error> {
    let who = who.principal;
    let Json(b) = b?;
    let mode = VisitMode::parse(&b.mode)
        .ok_or_else(|| Error::BadRequest(format!("the mode is one of {}", VisitMode::names())))?;
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
    save(&app, &who, &a, "assignments.create").await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentPatch {
    starts_on: Option<String>,
    ends_on: Option<String>,
    visits: Option<u32>,
    /// 0 removes the quota.
    daily_quota: Option<u32>,
    note: Option<String>,
    /// Cancelling withdraws the work from the assignee's device.
    cancelled: Option<bool>,
}

/// Changes an assignment's period, visits, quota or note, or cancels it.
/// To give the work to someone else, cancel it and create another: the
/// first assignee's device must learn that it is withdrawn.
#[utoipa::path(patch, path = "/api/v1/assignments/{id}", tag = "assignments", params(("id" = String, Path)), request_body = AssignmentPatch,
    security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<AssignmentPatch>, JsonRejection>,
) -> Result<Json<AssignmentView>, Error> {
    let who = who.principal;
    let Json(b) = b?;
    let mut a = find(&app, &who, &id).await?;
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
    save(&app, &who, &a, "assignments.update").await?;
    Ok(Json(a.into()))
}

/// Checks an assignment against the caller, the hierarchy, the template
/// and the assignee, then stores it and tells devices.
async fn save(app: &AppState, who: &Principal, a: &Assignment, action: &str) -> Result<(), Error> {
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
    let kind: String = sqlx::query("SELECT kind FROM templates WHERE template_id = $1 LIMIT 1")
        .bind(&a.template_id)
        .fetch_optional(app.storage.pool())
        .await?
        .ok_or_else(|| Error::BadRequest(format!("template `{}` is not published", a.template_id)))?
        .try_get("kind")?;
    let kind = TemplateKind::parse(&kind).unwrap_or(TemplateKind::Checklist);
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
