//! Templates over HTTP: listed, read, published. The rules are in
//! `services::templates`, shared with the command line.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::templates::{self, Published, TemplateView};
use crate::state::AppState;

/// Every published template version, newest first within each template.
#[utoipa::path(get, operation_id = "templates_list", path = "/api/v1/templates", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = [TemplateView]), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    _who: Authenticated,
) -> Result<Json<Vec<TemplateView>>, Error> {
    Ok(Json(templates::list(&app).await?))
}

/// One published version in full, as canonical JSON.
#[utoipa::path(get, operation_id = "templates_get_one", path = "/api/v1/templates/{id}/{version}", tag = "admin", params(("id" = String, Path), ("version" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, description = "The template file, canonical JSON", content_type = "application/json"),
        (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody)))]
pub async fn get_one(
    State(app): State<AppState>,
    _who: Authenticated,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, Error> {
    Ok(Json(templates::body(&app, &id, &version).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishQuery {
    /// toml, json or xlsx (an XLSForm).
    #[param(required = true, schema_with = crate::schema::template_format)]
    format: String,
    /// Only check the file and say what publishing would do.
    dry_run: Option<bool>,
    /// An XLSForm whose settings sheet has none: owned_hall, partner_store,
    /// hotline, club or echannel.
    channel: Option<String>,
    /// An XLSForm whose settings sheet has none: checklist or questionnaire.
    kind: Option<String>,
    /// An XLSForm whose settings sheet has none: overt, mystery, test_call,
    /// echannel or intercept.
    mode: Option<String>,
}

/// Publishes a template file. Published versions are immutable: the
/// version is the hash of the content, and republishing changes nothing.
#[utoipa::path(post, operation_id = "templates_publish", path = "/api/v1/templates", tag = "admin", params(PublishQuery), request_body(content = crate::schema::FileBytes, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Published), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody)))]
pub async fn publish(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<PublishQuery>, QueryRejection>,
    bytes: Bytes,
) -> Result<Json<Published>, Error> {
    let Query(q) = q?;
    let given = fieldcheck_core::templates::xlsform::Settings {
        channel: q.channel,
        kind: q.kind,
        mode: q.mode,
    };
    let (t, warnings) = templates::load(&q.format, &bytes, &given)?;
    let dry_run = q.dry_run == Some(true);
    Ok(Json(
        templates::publish(&app, &who.principal, &t, warnings, dry_run).await?,
    ))
}
