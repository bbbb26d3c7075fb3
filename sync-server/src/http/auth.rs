//! Signing in and out: passwords and token refresh.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Error;
use crate::http::client_ip::ClientIp;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::{auth, throttle};
use crate::state::{AppState, now_ms};

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

#[derive(Serialize, ToSchema)]
pub struct LoginReply {
    pub token: String,
    pub expires_at: i64,
    pub user: String,
    pub role: String,
    pub scope: String,
}

impl std::fmt::Debug for LoginReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("LoginReply")
            .field("user", &self.user)
            .field("expires_at", &self.expires_at)
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
    let account = throttle::Key::Account(body.username.to_lowercase());
    let keys = [account.clone(), throttle::Key::Address(client)];
    if let Some(wait) = app.throttle.wait(&keys, Instant::now()) {
        return Err(Error::TooManyAttempts(wait));
    }
    let session = auth::login(
        &app.storage,
        &body.username,
        &body.password,
        app.config.token_ttl,
        now_ms(),
    )
    .await?;
    let Some(session) = session else {
        app.throttle.failed(&keys, Instant::now());
        return Err(Error::InvalidCredentials);
    };
    app.throttle.succeeded(&account);
    Ok(Json(LoginReply {
        token: session.token,
        expires_at: session.expires_at,
        user: session.user.user_id,
        role: session.user.role,
        scope: session.user.scope,
    }))
}

/// Revokes the token of the request.
#[utoipa::path(post, operation_id = "auth_logout", path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn logout(
    State(app): State<AppState>,
    who: Authenticated,
) -> Result<axum::http::StatusCode, Error> {
    app.storage
        .revoke_token(&auth::token_hash(&who.token), now_ms())
        .await?;
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
    let (token, new_hash) = auth::new_token().map_err(|e| Error::Internal(e.into()))?;
    let now = now_ms();
    let expires_at = now + app.config.token_ttl.as_millis() as i64;
    let p = who.principal;
    app.storage
        .rotate_token(
            &auth::token_hash(&who.token),
            &new_hash,
            &p.user_id,
            now,
            expires_at,
        )
        .await?;
    Ok(Json(LoginReply {
        token,
        expires_at,
        user: p.user_id,
        role: p.role.as_str().to_string(),
        scope: p.scope.to_string(),
    }))
}
