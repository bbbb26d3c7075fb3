//! Signing in and out over HTTP: passwords and token refresh. The rules are
//! in `services::sessions`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::Error;
use crate::http::client_ip::ClientIp;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::sessions::{self, LoginReply};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    username: String,
    password: String,
}

impl std::fmt::Debug for LoginBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("LoginBody")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Signs in with a password and returns a token for `Authorization: Bearer`.
#[utoipa::path(post, operation_id = "auth_login", path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody, security(()),
    responses((status = 200, description = "OK", body = LoginReply),
        (status = 400, description = "Not a login body", body = ErrorBody),
        (status = 401, description = "Wrong user name or password", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this account or address; `Retry-After` says when to try again", body = ErrorBody)))]
pub async fn login(
    State(app): State<AppState>,
    ClientIp(client): ClientIp,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Result<Json<LoginReply>, Error> {
    let Json(body) = body?;
    let reply = sessions::sign_in(&app, &body.username, &body.password, client).await?;
    Ok(Json(reply))
}

/// Revokes the token of the request.
#[utoipa::path(post, operation_id = "auth_logout", path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn logout(
    State(app): State<AppState>,
    who: Authenticated,
) -> Result<axum::http::StatusCode, Error> {
    sessions::sign_out(&app, &who.token).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Exchanges a live token for a new one with a fresh lifetime
/// (`token_ttl_hours`, 30 days by default); the old one stops working.
#[utoipa::path(post, operation_id = "auth_refresh", path = "/api/v1/auth/refresh", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = LoginReply), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn refresh(
    State(app): State<AppState>,
    who: Authenticated,
) -> Result<Json<LoginReply>, Error> {
    Ok(Json(
        sessions::refresh(&app, &who.principal, &who.token).await?,
    ))
}
