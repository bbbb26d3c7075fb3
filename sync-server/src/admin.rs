//! Administration over HTTP: users, the store hierarchy and templates. Users
//! live in the server's tables only (they hold password hashes); the
//! hierarchy and templates are reference documents (`refdocs`) that sync to
//! devices. Every write is for administrators, within their scope, checked
//! in full before anything changes, and recorded in the audit log.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::reference::{
    NewUser, RowProblem, UNIT_COLUMNS, USER_COLUMNS, UnitRecord, parse_users, password_problem,
};
use fieldcheck_core::table::Table;
use fieldcheck_core::templates::Template;
use fieldcheck_core::vocab::Role;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

use crate::app::{AppState, Authenticated, Changed, HubEvent, now_ms};
use crate::auth::{self, Principal};
use crate::error::{ApiError, ErrorBody};
use crate::sql::Sql;
use crate::storage::{Audit, DocMeta, UserRow, insert_audit};
use crate::{refdocs, units};

/// Only administrators, and only within their scope.
pub(crate) fn admin_over(who: &Principal, unit: &str) -> Result<(), ApiError> {
    if who.role != Role::Admin {
        return Err(ApiError::Forbidden("administrators only".into()));
    }
    if !in_scope(&who.scope, unit) {
        return Err(ApiError::Forbidden(format!(
            "`{unit}` is outside your scope `{}`",
            who.scope
        )));
    }
    Ok(())
}

/// Tells connected devices about reference documents that changed.
pub(crate) fn announce(app: &AppState, changed: impl IntoIterator<Item = DocMeta>) {
    for meta in changed {
        // Nobody listening is fine.
        let _ = app.hub.send(HubEvent::Changed(Changed { meta, origin: 0 }));
    }
}

// ---------------------------------------------------------------- users

/// A user as administrators see them; never the password.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    user_id: String,
    name: String,
    role: String,
    scope: String,
    disabled: bool,
    created_at: i64,
}

const USER_VIEW: &str = "user_id, name, role, scope, disabled_at, created_at";

fn user_view(r: &sqlx::any::AnyRow) -> Result<UserView, sqlx::Error> {
    Ok(UserView {
        user_id: r.try_get("user_id")?,
        name: r.try_get("name")?,
        role: r.try_get("role")?,
        scope: r.try_get("scope")?,
        disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
        created_at: r.try_get("created_at")?,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Users whose scope lies under this unit.
    under: Option<String>,
    role: Option<String>,
    /// Include disabled users (default false).
    disabled: Option<bool>,
}

/// The users in the caller's scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(UsersQuery), security(("bearer" = [])),
    responses((status = 200, body = [UserView]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn users(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<UsersQuery>, QueryRejection>,
) -> Result<Json<Vec<UserView>>, ApiError> {
    let who = who.principal;
    admin_over(&who, &who.scope)?;
    let Query(q) = q?;
    let mut sql = Sql::new(&format!("SELECT {USER_VIEW} FROM users WHERE 1 = 1"));
    if who.scope != "*" {
        sql.under("scope", &who.scope);
    }
    if let Some(u) = &q.under {
        sql.under("scope", u);
    }
    if let Some(r) = &q.role {
        sql.push(" AND role = ").bind(r.as_str());
    }
    if !q.disabled.unwrap_or(false) {
        sql.push(" AND disabled_at IS NULL");
    }
    sql.push(" ORDER BY user_id");
    let rows = sql.query().fetch_all(app.storage.pool()).await?;
    let views = rows.iter().map(user_view).collect::<Result<_, _>>()?;
    Ok(Json(views))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserBody {
    user_id: String,
    name: Option<String>,
    /// admin, manager, inspector, surveyor or store_staff.
    role: String,
    /// A unit of the hierarchy, or `*` for everything.
    scope: String,
    /// At least 8 characters; omitted, one is generated and returned once.
    password: Option<String>,
}

/// A created user, with the generated password if the server made one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    user_id: String,
    /// Shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

/// Creates one user.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewUserBody, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 400, description = "Invalid: `invalid_rows` lists the problems", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "`exists`: created meanwhile by another request", body = ErrorBody)))]
pub async fn create_user(
    State(app): State<AppState>,
    who: Authenticated,
    b: Result<Json<NewUserBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let Json(b) = b?;
    let table = Table::one_row(
        USER_COLUMNS,
        [
            ("user_id", Some(b.user_id)),
            ("name", b.name),
            ("role", Some(b.role)),
            ("scope", Some(b.scope)),
            ("password", b.password),
        ],
    );
    let mut created = add_users(&app, &who.principal, &table).await?;
    Ok((StatusCode::CREATED, Json(created.remove(0))))
}

/// The outcome of a bulk import.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsersImported {
    imported: usize,
    /// Every user, with the passwords the server generated (shown once).
    users: Vec<Created>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name; its extension says CSV (`.csv`) or XLSX (`.xlsx`).
    file: String,
}

/// Creates users from a CSV or XLSX table with the columns user_id, name,
/// role, scope and password. All or nothing: any problem is reported with
/// its row and column, and no user is created.
#[utoipa::path(post, path = "/api/v1/users/import", tag = "admin", params(ImportQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, body = UsersImported), (status = 400, description = "`invalid_rows` lists every problem", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn import_users(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<ImportQuery>, QueryRejection>,
    bytes: Bytes,
) -> Result<Json<UsersImported>, ApiError> {
    let who = who.principal;
    admin_over(&who, &who.scope)?;
    let Query(q) = q?;
    let table = Table::from_file(&bytes, &q.file).map_err(ApiError::BadRequest)?;
    let users = add_users(&app, &who, &table).await?;
    Ok(Json(UsersImported {
        imported: users.len(),
        users,
    }))
}

/// Checks every row, then creates the users in one transaction.
async fn add_users(
    app: &AppState,
    who: &Principal,
    table: &Table,
) -> Result<Vec<Created>, ApiError> {
    admin_over(who, &who.scope)?;
    let taken: std::collections::HashSet<String> = sqlx::query("SELECT user_id FROM users")
        .fetch_all(app.storage.pool())
        .await?
        .iter()
        .map(|r| {
            r.try_get::<String, _>("user_id")
                .map(|id| id.to_lowercase())
        })
        .collect::<Result<_, _>>()?;
    let units: std::collections::HashSet<String> = units::load(&app.storage)
        .await?
        .into_iter()
        .map(|u| u.unit.id)
        .collect();
    let users = parse_users(table, |id| taken.contains(id), |u| units.contains(u))
        .map_err(ApiError::Invalid)?;
    let outside: Vec<RowProblem> = users
        .iter()
        .zip(&table.rows)
        .filter(|(u, _)| admin_over(who, &u.scope).is_err())
        .map(|(u, (row, _))| RowProblem {
            row: *row,
            column: Some("scope".into()),
            message: format!("`{}` is outside your scope `{}`", u.scope, who.scope),
        })
        .collect();
    if !outside.is_empty() {
        return Err(ApiError::Invalid(outside));
    }
    // argon2 is deliberately slow: hash off the async workers.
    let hashed = tokio::task::spawn_blocking(move || hash_all(users))
        .await
        .map_err(|e| ApiError::Internal(e.into()))??;
    let rows: Vec<UserRow> = hashed
        .iter()
        .map(|(u, hash, _)| UserRow {
            user_id: u.user_id.clone(),
            password_hash: hash.clone(),
            role: u.role.as_str().into(),
            scope: u.scope.clone(),
            name: u.name.clone(),
        })
        .collect();
    let ids: Vec<&str> = hashed.iter().map(|(u, _, _)| u.user_id.as_str()).collect();
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: "users.create".into(),
        target: "users".into(),
        detail: serde_json::json!({ "users": ids }).to_string(),
    };
    app.storage.add_users(&rows, now_ms(), Some(&entry)).await?;
    Ok(hashed
        .into_iter()
        .map(|(u, _, generated)| Created {
            user_id: u.user_id,
            password: generated,
        })
        .collect())
}

/// Each user with their password hash and the password generated for them.
fn hash_all(users: Vec<NewUser>) -> Result<Vec<(NewUser, String, Option<String>)>, ApiError> {
    users
        .into_iter()
        .map(|u| {
            let (password, generated) = match &u.password {
                Some(p) => (p.clone(), None),
                None => {
                    let p = auth::generate_password()?;
                    (p.clone(), Some(p))
                }
            };
            let hash = auth::hash_password(&password)
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot hash a password: {e}")))?;
            Ok((u, hash, generated))
        })
        .collect()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    name: Option<String>,
    role: Option<String>,
    scope: Option<String>,
    /// At least 8 characters; signs the user out everywhere.
    password: Option<String>,
    /// Disabling signs the user out everywhere and refuses their sign-ins;
    /// their records and history stay.
    disabled: Option<bool>,
}

/// Changes a user's name, role, scope or password, or disables them.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", params(("id" = String, Path)), request_body = UserPatch, security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_user(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<UserPatch>, JsonRejection>,
) -> Result<Json<UserView>, ApiError> {
    let who = who.principal;
    let Json(b) = b?;
    admin_over(&who, &who.scope)?;
    let row = sqlx::query(&format!("SELECT {USER_VIEW} FROM users WHERE user_id = $1"))
        .bind(&id)
        .fetch_optional(app.storage.pool())
        .await?
        .ok_or_else(|| ApiError::NotFound("no such user".into()))?;
    let mut view = user_view(&row)?;
    if admin_over(&who, &view.scope).is_err() {
        return Err(ApiError::NotFound("no such user".into()));
    }
    if let Some(r) = &b.role {
        Role::parse(r)
            .ok_or_else(|| ApiError::BadRequest(format!("the role is one of {}", Role::names())))?;
        view.role = r.clone();
    }
    if let Some(s) = &b.scope {
        if s != "*" && units::find(&app.storage, s).await?.is_none() {
            return Err(ApiError::BadRequest(format!(
                "`{s}` is not a unit of the hierarchy (or `*` for everything)"
            )));
        }
        admin_over(&who, s)?;
        view.scope = s.clone();
    }
    if let Some(n) = &b.name {
        view.name = n.trim().to_string();
    }
    if id == who.user_id && (b.disabled == Some(true) || b.role.is_some() || b.scope.is_some()) {
        return Err(ApiError::BadRequest(
            "administrators cannot disable themselves or change their own role or scope".into(),
        ));
    }
    if let Some(problem) = b.password.as_deref().and_then(password_problem) {
        return Err(ApiError::BadRequest(problem));
    }
    let hash = match &b.password {
        Some(p) => {
            let p = p.clone();
            let h = tokio::task::spawn_blocking(move || auth::hash_password(&p))
                .await
                .map_err(|e| ApiError::Internal(e.into()))?
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot hash a password: {e}")))?;
            Some(h)
        }
        None => None,
    };
    let now = now_ms();
    let disable = b.disabled.unwrap_or(view.disabled);
    let mut tx = app.storage.pool().begin().await?;
    sqlx::query(
        "UPDATE users SET name = $2, role = $3, scope = $4, disabled_at = CASE WHEN $5 = 1 THEN COALESCE(disabled_at, $6) ELSE NULL END
         WHERE user_id = $1",
    )
    .bind(&id)
    .bind(&view.name)
    .bind(&view.role)
    .bind(&view.scope)
    .bind(i64::from(disable))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if let Some(h) = &hash {
        sqlx::query("UPDATE users SET password_hash = $2 WHERE user_id = $1")
            .bind(&id)
            .bind(h)
            .execute(&mut *tx)
            .await?;
    }
    // A new password, a new role or scope, or a disabled account: sign in again.
    if hash.is_some() || disable || b.role.is_some() || b.scope.is_some() {
        sqlx::query("UPDATE tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(&id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    let detail = serde_json::json!({
        "name": b.name, "role": b.role, "scope": b.scope,
        "password_changed": hash.is_some(), "disabled": b.disabled,
    });
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: "users.update".into(),
        target: id.clone(),
        detail: detail.to_string(),
    };
    insert_audit(&mut tx, &entry, now).await?;
    tx.commit().await?;
    view.disabled = disable;
    Ok(Json(view))
}

// ---------------------------------------------------------------- units

/// A unit of the store hierarchy.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    id: String,
    parent: Option<String>,
    /// province, city, district or store.
    level: String,
    name_zh: String,
    name_en: String,
    /// Stores: owned_hall, partner_store, hotline, club or echannel.
    channel: Option<String>,
    address: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    time_zone: String,
    /// Customer traffic, the weight of traffic-weighted ratings.
    traffic: f64,
}

impl From<UnitRecord> for UnitView {
    fn from(u: UnitRecord) -> Self {
        UnitView {
            id: u.unit.id,
            parent: u.unit.parent,
            level: u.unit.level.as_str().into(),
            name_zh: u.name_zh,
            name_en: u.name_en,
            channel: u.unit.channel.map(|c| c.as_str().into()),
            address: u.address,
            lat: u.lat,
            lon: u.lon,
            time_zone: u.unit.time_zone,
            traffic: u.unit.traffic,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// Only this unit and those below it.
    under: Option<String>,
    /// Only units of this level.
    level: Option<String>,
}

/// The units in the caller's scope, parents before children.
#[utoipa::path(get, path = "/api/v1/units", tag = "admin", params(UnitsQuery), security(("bearer" = [])),
    responses((status = 200, body = [UnitView]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_units(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<UnitsQuery>, QueryRejection>,
) -> Result<Json<Vec<UnitView>>, ApiError> {
    let who = who.principal;
    let Query(q) = q?;
    let views = units::load(&app.storage)
        .await?
        .into_iter()
        .filter(|u| in_scope(&who.scope, &u.unit.id))
        .filter(|u| q.under.as_deref().is_none_or(|p| in_scope(p, &u.unit.id)))
        .filter(|u| {
            q.level
                .as_deref()
                .is_none_or(|l| u.unit.level.as_str() == l)
        })
        .map(UnitView::from)
        .collect();
    Ok(Json(views))
}

/// What the import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitsImported {
    imported: usize,
    /// Hierarchy documents that changed and were sent to devices.
    documents_changed: usize,
}

/// Adds or updates units from a CSV or XLSX table (columns id, parent,
/// level, name_zh, name_en, channel, address, lat, lon, time_zone, traffic).
/// All or nothing: every problem is reported with its row and column.
#[utoipa::path(post, path = "/api/v1/units/import", tag = "admin", params(ImportQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, body = UnitsImported), (status = 400, description = "`invalid_rows` lists every problem", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn import_units(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<ImportQuery>, QueryRejection>,
    bytes: Bytes,
) -> Result<Json<UnitsImported>, ApiError> {
    let who = who.principal;
    let Query(q) = q?;
    let table = Table::from_file(&bytes, &q.file).map_err(ApiError::BadRequest)?;
    Ok(Json(put_units(&app, &who, &table).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitBody {
    parent: Option<String>,
    level: String,
    name_zh: String,
    name_en: Option<String>,
    channel: Option<String>,
    address: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    time_zone: Option<String>,
    traffic: Option<f64>,
}

/// Creates or replaces one unit; the id is its path (`sc/cd/jj/001`,
/// URL-encoded).
#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "admin", params(("id" = String, Path)), request_body = UnitBody, security(("bearer" = [])),
    responses((status = 200, body = UnitsImported), (status = 400, description = "`invalid_rows` lists the problems", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_unit(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<UnitBody>, JsonRejection>,
) -> Result<Json<UnitsImported>, ApiError> {
    let Json(b) = b?;
    let number = |x: Option<f64>| x.map(|v| v.to_string());
    let table = Table::one_row(
        UNIT_COLUMNS,
        [
            ("id", Some(id)),
            ("parent", b.parent),
            ("level", Some(b.level)),
            ("name_zh", Some(b.name_zh)),
            ("name_en", b.name_en),
            ("channel", b.channel),
            ("address", b.address),
            ("lat", number(b.lat)),
            ("lon", number(b.lon)),
            ("time_zone", b.time_zone),
            ("traffic", number(b.traffic)),
        ],
    );
    Ok(Json(put_units(&app, &who.principal, &table).await?))
}

async fn put_units(
    app: &AppState,
    who: &Principal,
    table: &Table,
) -> Result<UnitsImported, ApiError> {
    if who.role != Role::Admin {
        return Err(ApiError::Forbidden("administrators only".into()));
    }
    let outside: Vec<RowProblem> = table
        .rows
        .iter()
        .filter_map(|(row, cells)| {
            let id = cells.get("id")?;
            admin_over(who, id).err().map(|e| RowProblem {
                row: *row,
                column: Some("id".into()),
                message: e.to_string(),
            })
        })
        .collect();
    if !outside.is_empty() {
        return Err(ApiError::Invalid(outside));
    }
    let ids: Vec<&String> = table.rows.iter().filter_map(|(_, c)| c.get("id")).collect();
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: "units.put".into(),
        target: "units".into(),
        detail: serde_json::json!({ "units": ids }).to_string(),
    };
    let done = units::import(&app.docs, table, now_ms(), Some(&entry)).await?;
    let changed = done.changed.len();
    announce(app, done.changed);
    Ok(UnitsImported {
        imported: done.units,
        documents_changed: changed,
    })
}

// ---------------------------------------------------------------- templates

/// A published template version.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    template_id: String,
    version: String,
    /// checklist or questionnaire.
    kind: String,
    title_zh: String,
    title_en: String,
    published_at: i64,
}

/// Every published template version, newest first within each template.
#[utoipa::path(get, path = "/api/v1/templates", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = [TemplateView]), (status = 401, body = ErrorBody)))]
pub async fn list_templates(
    State(app): State<AppState>,
    _who: Authenticated,
) -> Result<Json<Vec<TemplateView>>, ApiError> {
    let rows = sqlx::query(
        "SELECT template_id, version, published_at FROM templates ORDER BY template_id, published_at DESC, version",
    )
    .fetch_all(app.storage.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let (id, version): (String, String) = (r.try_get("template_id")?, r.try_get("version")?);
        let Some(t) = app.templates.get(&app.storage, &id, &version).await? else {
            continue;
        };
        out.push(TemplateView {
            template_id: id,
            version,
            kind: t.kind.as_str().into(),
            title_zh: t.title.zh.clone(),
            title_en: t.title.en.clone(),
            published_at: r.try_get("published_at")?,
        });
    }
    Ok(Json(out))
}

/// One published version in full, as canonical JSON.
#[utoipa::path(get, path = "/api/v1/templates/{id}/{version}", tag = "admin", params(("id" = String, Path), ("version" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, description = "The template file, canonical JSON", content_type = "application/json"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn template(
    State(app): State<AppState>,
    _who: Authenticated,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body: String =
        sqlx::query("SELECT body FROM templates WHERE template_id = $1 AND version = $2")
            .bind(&id)
            .bind(&version)
            .fetch_optional(app.storage.pool())
            .await?
            .ok_or_else(|| ApiError::NotFound("no such template version".into()))?
            .try_get("body")?;
    Ok(Json(
        serde_json::from_str(&body).map_err(|e| ApiError::Internal(e.into()))?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishQuery {
    /// toml, json or xlsx (an XLSForm).
    format: String,
    /// Only check the file and say what publishing would do.
    dry_run: Option<bool>,
}

/// What publishing did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    template_id: String,
    version: String,
    /// False when this exact version was already published.
    new: bool,
    /// False for a dry run: the file is valid and nothing was written.
    published: bool,
    /// checklist or questionnaire.
    kind: String,
    title_zh: String,
    title_en: String,
    sections: usize,
    items: usize,
    /// Problems an XLSForm import worked around.
    warnings: Vec<String>,
}

/// Publishes a template file. Published versions are immutable: the
/// version is the hash of the content, and republishing changes nothing.
#[utoipa::path(post, path = "/api/v1/templates", tag = "admin", params(PublishQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, body = Published), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn publish_template(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<PublishQuery>, QueryRejection>,
    bytes: Bytes,
) -> Result<Json<Published>, ApiError> {
    let who = who.principal;
    if who.role != Role::Admin {
        return Err(ApiError::Forbidden("administrators only".into()));
    }
    let Query(q) = q?;
    let (t, warnings) = load_template(&q.format, &bytes)?;
    let dry_run = q.dry_run == Some(true);
    let new = if dry_run {
        app.templates
            .get(&app.storage, &t.id, &t.version)
            .await?
            .is_none()
    } else {
        let (new, meta) = refdocs::publish(&app.docs, &t, now_ms(), Some(&who.user_id)).await?;
        app.templates.clear();
        announce(&app, meta);
        new
    };
    Ok(Json(Published {
        new,
        published: !dry_run,
        kind: t.kind.as_str().into(),
        title_zh: t.title.zh.clone(),
        title_en: t.title.en.clone(),
        sections: t.sections.len(),
        items: t.items().count(),
        template_id: t.id,
        version: t.version,
        warnings,
    }))
}

fn load_template(format: &str, bytes: &[u8]) -> Result<(Template, Vec<String>), ApiError> {
    if !matches!(format, "toml" | "json" | "xlsx") {
        return Err(ApiError::BadRequest(format!(
            "`{format}` is not a template format (toml, json, xlsx)"
        )));
    }
    let loaded = Template::load_file(bytes, &format!("template.{format}")).map_err(|problems| {
        let problems = problems
            .into_iter()
            .map(|message| RowProblem {
                row: 0,
                column: None,
                message,
            })
            .collect();
        ApiError::Invalid(problems)
    })?;
    Ok((loaded.template, loaded.warnings))
}

// ---------------------------------------------------------------- audit log

/// One accepted write.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    at: i64,
    user_id: String,
    /// e.g. `approve`, `users.update`, `assignments.create`.
    action: String,
    /// The record, user or assignment written.
    target: String,
    detail: serde_json::Value,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    user: Option<String>,
    target: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    limit: Option<i64>,
}

/// The audit log: every accepted write made through the API, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = [AuditEntry]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit_log(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let who = who.principal;
    if who.role != Role::Admin || who.scope != "*" {
        return Err(ApiError::Forbidden(
            "the audit log is for administrators of everything".into(),
        ));
    }
    let Query(q) = q?;
    let mut sql = Sql::new("SELECT at, user_id, action, target, detail FROM audit_log WHERE 1 = 1");
    if let Some(u) = &q.user {
        sql.push(" AND user_id = ").bind(u.as_str());
    }
    if let Some(t) = &q.target {
        sql.push(" AND target = ").bind(t.as_str());
    }
    sql.push(" ORDER BY at DESC, entry_id LIMIT ")
        .bind(q.limit.unwrap_or(100).clamp(1, 1000));
    let rows = sql.query().fetch_all(app.storage.pool()).await?;
    let entries = rows
        .iter()
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
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Json(entries))
}
