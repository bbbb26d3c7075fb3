//! Sessions: signing in with a password (throttled per account and per
//! address), refreshing a token, signing out.

use std::net::IpAddr;
use std::time::Instant;

use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Principal;
use crate::error::Error;
use crate::services::auth;
use crate::state::{AppState, now_ms};
use crate::throttle;

/// A new token and who it is for.
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

/// Signs in with a password: a token, or `InvalidCredentials` alike for a
/// wrong name or password; too many failures for the account or the
/// address wait.
pub async fn sign_in(
    app: &AppState,
    username: &str,
    password: &str,
    client: IpAddr,
) -> Result<LoginReply, Error> {
    let account = throttle::Key::Account(username.to_lowercase());
    let keys = [account.clone(), throttle::Key::Address(client)];
    if let Some(wait) = app.throttle.wait(&keys, Instant::now()) {
        return Err(Error::TooManyAttempts(wait));
    }
    let session = auth::login(
        &app.storage,
        username,
        password,
        app.config.token_ttl,
        now_ms(),
    )
    .await?;
    let Some(session) = session else {
        app.throttle.failed(&keys, Instant::now());
        return Err(Error::InvalidCredentials);
    };
    app.throttle.succeeded(&account);
    Ok(LoginReply {
        token: session.token,
        expires_at: session.expires_at,
        user: session.user.user_id,
        role: session.user.role,
        scope: session.user.scope,
    })
}

/// Revokes a token.
pub async fn sign_out(app: &AppState, token: &str) -> Result<(), Error> {
    app.storage
        .revoke_token(&auth::token_hash(token), now_ms())
        .await?;
    Ok(())
}

/// A new token with a fresh lifetime for the live `token`, which stops
/// working.
pub async fn refresh(app: &AppState, who: &Principal, token: &str) -> Result<LoginReply, Error> {
    let (new, new_hash) = auth::new_token()?;
    let now = now_ms();
    let expires_at = now + app.config.token_ttl.as_millis() as i64;
    app.storage
        .rotate_token(
            &auth::token_hash(token),
            &new_hash,
            &who.user_id,
            now,
            expires_at,
        )
        .await?;
    Ok(LoginReply {
        token: new,
        expires_at,
        user: who.user_id.clone(),
        role: who.role.as_str().to_string(),
        scope: who.scope.to_string(),
    })
}
