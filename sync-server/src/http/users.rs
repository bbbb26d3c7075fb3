//! Users over HTTP: listed, created one by one or from a table, changed.
//! The rules are in `services::users`, shared with the command line.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fieldcheck_core::reference::USER_COLUMNS;
use fieldcheck_core::table::Table;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::{Authenticated, ImportQuery, UploadedTable};
use crate::services::users::{self, Created, Patch};
use crate::state::AppState;
use crate::store::users::UserView;

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
#[utoipa::path(get, operation_id = "users_list", path = "/api/v1/users", tag = "admin", params(UsersQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = [UserView]), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<UsersQuery>, QueryRejection>,
) -> Result<Json<Vec<UserView>>, Error> {
    let Query(q) = q?;
    let views = users::list(
        &app,
        &who.principal,
        q.under.as_deref(),
        q.role.as_deref(),
        q.disabled.unwrap_or(false),
    )
    .await?;
    Ok(Json(views))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserBody {
    /// One word, kept in lower case.
    #[schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")]
    user_id: String,
    name: Option<String>,
    #[schema(schema_with = crate::schema::role)]
    role: String,
    /// A unit of the hierarchy, or `*` for everything.
    scope: String,
    /// At least 8 characters, not a common one; omitted, one is generated
    /// and returned once.
    #[schema(min_length = 8)]
    password: Option<String>,
    /// Where notifications are e-mailed, when the server sends e-mail.
    email: Option<String>,
}

/// Creates one user.
#[utoipa::path(post, operation_id = "users_create", path = "/api/v1/users", tag = "admin", request_body = NewUserBody, security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Created), (status = 400, description = "Invalid: `invalid_rows` lists the problems", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody),
        (status = 409, description = "`exists`: created meanwhile by another request", body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    who: Authenticated,
    b: Result<Json<NewUserBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), Error> {
    let Json(b) = b?;
    let table = Table::one_row(
        USER_COLUMNS,
        [
            ("user_id", Some(b.user_id)),
            ("name", b.name),
            ("role", Some(b.role)),
            ("scope", Some(b.scope)),
            ("password", b.password),
            ("email", b.email),
        ],
    );
    let mut created = users::add(&app, &who.principal, &table).await?;
    Ok((StatusCode::CREATED, Json(created.remove(0))))
}

/// The outcome of a bulk import.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsersImported {
    imported: usize,
    /// Every user, with the passwords the server generated (shown once).
    users: Vec<Created>,
}

/// Creates users from a CSV or XLSX table with the columns user_id, name,
/// role, scope, password and email. All or nothing: any problem is reported with
/// its row and column, and no user is created.
#[utoipa::path(post, operation_id = "users_import", path = "/api/v1/users/import", tag = "admin", params(ImportQuery), request_body(content = crate::schema::FileBytes, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, description = "OK", body = UsersImported), (status = 400, description = "`invalid_rows` lists every problem", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody)))]
pub async fn import(
    State(app): State<AppState>,
    who: Authenticated,
    UploadedTable(table): UploadedTable,
) -> Result<Json<UsersImported>, Error> {
    let users = users::add(&app, &who.principal, &table).await?;
    Ok(Json(UsersImported {
        imported: users.len(),
        users,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    name: Option<String>,
    #[schema(schema_with = crate::schema::role)]
    role: Option<String>,
    scope: Option<String>,
    /// At least 8 characters, not a common one; signs the user out
    /// everywhere.
    #[schema(min_length = 8)]
    password: Option<String>,
    /// Disabling signs the user out everywhere and refuses their sign-ins;
    /// their records and history stay.
    disabled: Option<bool>,
    /// Where notifications are e-mailed; empty for none.
    email: Option<String>,
}

/// Changes a user's name, role, scope, password or e-mail address, or
/// disables them.
#[utoipa::path(patch, operation_id = "users_update", path = "/api/v1/users/{id}", tag = "admin", params(("id" = String, Path)), request_body = UserPatch, security(("bearer" = [])),
    responses((status = 200, description = "OK", body = UserView), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody),
        (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody),
        (status = 409, description = "`invalid_state`: the user holds assignments the change would leave them unable to do", body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<UserPatch>, JsonRejection>,
) -> Result<Json<UserView>, Error> {
    let Json(b) = b?;
    let patch = Patch {
        name: b.name,
        role: b.role,
        scope: b.scope,
        password: b.password,
        disabled: b.disabled,
        email: b.email,
    };
    Ok(Json(users::update(&app, &who.principal, &id, patch).await?))
}
