//! What handlers take from a request besides its body: who is calling.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::Error;
use crate::http::client_ip::TrustedProxies;
use crate::services::access::Principal;
use crate::services::auth;
use crate::state::{AppState, now_ms};

impl axum::extract::FromRef<AppState> for TrustedProxies {
    fn from_ref(app: &AppState) -> TrustedProxies {
        TrustedProxies(app.config.trusted_proxies.as_slice().into())
    }
}

/// A request with a live token, from `Authorization: Bearer` or `?token=`.
pub struct Authenticated {
    pub principal: Principal,
    pub token: String,
}

impl std::fmt::Debug for Authenticated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Authenticated")
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Error> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let query = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("token="))
                .map(str::to_string)
        });
        let token = header.or(query).ok_or(Error::Unauthorized)?;
        let row = app
            .storage
            .token_user(&auth::token_hash(&token), now_ms())
            .await?
            .ok_or(Error::Unauthorized)?;
        let principal = Principal::from_row(&row).ok_or(Error::Unauthorized)?;
        Ok(Authenticated { principal, token })
    }
}
