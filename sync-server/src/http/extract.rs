//! What handlers take from a request besides its JSON body: who is
//! calling, and an uploaded table.

use std::ops::RangeInclusive;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use fieldcheck_core::msg;
use fieldcheck_core::table::Table;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::access::Principal;
use crate::error::Error;
use crate::http::client_ip::TrustedProxies;
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

/// The query of an upload of a table.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The file's name; its extension says CSV (`.csv`) or XLSX (`.xlsx`).
    pub file: String,
}

/// A CSV or XLSX file in the body, named by `?file=` (its extension says
/// which), read as a table; a file that is not one is a `bad_request`.
#[derive(Debug)]
pub struct UploadedTable(pub Table);

impl FromRequest<AppState> for UploadedTable {
    type Rejection = Error;

    async fn from_request(req: Request, app: &AppState) -> Result<Self, Error> {
        let Query(q) = Query::<ImportQuery>::try_from_uri(req.uri())?;
        let bytes = Bytes::from_request(req, app)
            .await
            .map_err(|e| Error::bad_request(e.body_text()))?;
        Ok(UploadedTable(Table::from_file(&bytes, &q.file)?))
    }
}

/// A numeric query parameter within its documented range, or its default
/// when absent; out of range it is a `bad_request` that says the range.
pub fn within<T>(
    name: &str,
    value: Option<T>,
    default: T,
    range: RangeInclusive<T>,
) -> Result<T, Error>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    let v = value.unwrap_or(default);
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(Error::BadRequest(msg!(
            "request.out_of_range",
            "`{name}` is {min} to {max}, not {value}",
            name = name,
            min = range.start(),
            max = range.end(),
            value = v
        )))
    }
}
