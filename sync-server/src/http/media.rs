//! Media over HTTP. Protocol: `POST /api/v1/media/{hash}` with
//! `{"size", "mime"}` opens (or finds) an upload and answers `{"offset",
//! "complete"}`; `PATCH` with an `Upload-Offset` header appends a chunk at
//! that offset; `GET` downloads. The rules are in `services::media`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::media::{self, UploadState};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenBody {
    size: u64,
    mime: String,
}

/// Opens an upload, or finds it: where to continue from.
#[utoipa::path(post, operation_id = "media_open", path = "/api/v1/media/{hash}", tag = "media", params(("hash" = String, Path, description = "BLAKE3, 64 lower-case hex digits", pattern = "^[0-9a-f]{64}$")),
    request_body = OpenBody, security(("bearer" = [])),
    responses((status = 200, description = "OK", body = UploadState), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 413, description = "Over the size limit", body = ErrorBody), (status = 403, description = "`not_referenced`: no record of yours references this file with this size and type (yet: sync the record first)", body = ErrorBody)))]
pub async fn open(
    State(app): State<AppState>,
    who: Authenticated,
    Path(hash): Path<String>,
    body: Result<Json<OpenBody>, JsonRejection>,
) -> Result<Json<UploadState>, Error> {
    let Json(body) = body?;
    let state = media::open(&app, &who.principal, &hash, body.size, &body.mime).await?;
    Ok(Json(state))
}

/// Appends a chunk at `Upload-Offset`.
#[utoipa::path(patch, operation_id = "media_append", path = "/api/v1/media/{hash}", tag = "media",
    params(("hash" = String, Path, pattern = "^[0-9a-f]{64}$"), ("Upload-Offset" = u64, Header)), request_body(content = crate::schema::FileBytes, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, description = "OK", body = UploadState), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody), (status = 409, description = "Wrong offset", body = ErrorBody),
        (status = 413, description = "Over the size limit", body = ErrorBody), (status = 422, description = "The bytes do not match the hash", body = ErrorBody)))]
pub async fn append(
    State(app): State<AppState>,
    _who: Authenticated,
    Path(hash): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<UploadState>, Error> {
    let offset: Option<u64> = headers
        .get("upload-offset")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    Ok(Json(media::append(&app, &hash, offset, &bytes).await?))
}

/// `GET /api/v1/media/{hash}`: the file, to users who may see a record that
/// references it. Anyone else gets the same 404 as for a missing file.
#[utoipa::path(get, operation_id = "media_download", path = "/api/v1/media/{hash}", tag = "media", params(("hash" = String, Path, pattern = "^[0-9a-f]{64}$")), security(("bearer" = [])),
    responses((status = 200, description = "The file, as the type it was uploaded as if that is a photo or audio type, else as an attachment",
            content((crate::schema::FileBytes = "image/*"), (crate::schema::FileBytes = "audio/*"), (crate::schema::FileBytes = "application/octet-stream"))), (status = 401, description = "Not signed in", body = ErrorBody), (status = 404, description = "No such thing, or not one the caller may see", body = ErrorBody), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody)))]
pub async fn download(
    State(app): State<AppState>,
    who: Authenticated,
    Path(hash): Path<String>,
) -> Result<Response, Error> {
    let file = media::download(&app, &who.principal, &hash).await?;
    Ok(match file.served_as {
        Some(t) => ([(header::CONTENT_TYPE, t)], file.bytes).into_response(),
        // Whatever else an uploader claimed is downloaded, never rendered.
        None => (
            [
                (header::CONTENT_TYPE, "application/octet-stream"),
                (header::CONTENT_DISPOSITION, "attachment"),
            ],
            file.bytes,
        )
            .into_response(),
    })
}
