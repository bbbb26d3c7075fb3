//! Device enrolment over HTTP: making a code, redeeming it. The rules are
//! in `services::enrol`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::Error;
use crate::http::client_ip::ClientIp;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::enrol::{self, Enrolment};
use crate::services::sessions::LoginReply;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct EnrolBody {
    code: String,
}

/// Where devices reach this server: the configured public address, else the
/// address the request came to.
fn server_address(app: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &app.config.public_url {
        return url.clone();
    }
    let scheme = if app.config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| app.config.listen.to_string(), str::to_string);
    format!("{scheme}://{host}")
}

/// Makes a one-time enrolment code for a field user.
#[utoipa::path(post, operation_id = "enrol_create", path = "/api/v1/users/{id}/enrolments", tag = "admin", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = Enrolment), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody),
        (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Enrolment>), Error> {
    let server = server_address(&app, &headers);
    let made = enrol::create(&app, &who.principal, &id, server).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// Redeems an enrolment code for a token, once. Failed attempts are
/// throttled per client address like failed sign-ins.
#[utoipa::path(post, operation_id = "enrol_redeem", path = "/api/v1/auth/enrol", tag = "auth", request_body = EnrolBody, security(()),
    responses((status = 200, description = "OK", body = LoginReply), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody),
        (status = 401, description = "The code is wrong, used or expired", body = ErrorBody),
        (status = 429, description = "Too many attempts; `Retry-After` says when to try again", body = ErrorBody)))]
pub async fn redeem(
    State(app): State<AppState>,
    ClientIp(client): ClientIp,
    body: Result<Json<EnrolBody>, JsonRejection>,
) -> Result<Json<LoginReply>, Error> {
    let Json(body) = body?;
    Ok(Json(enrol::redeem(&app, &body.code, client).await?))
}
