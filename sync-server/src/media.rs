//! Media outside the documents (design.md decision 8): files named by their
//! BLAKE3 hash, uploaded in chunks that resume after a cut, deduplicated by
//! hash, verified on arrival, limited in size, and served only to users who
//! may see a record that references them.
//!
//! Protocol: `POST /api/v1/media/{hash}` with `{"size", "mime"}` opens (or
//! finds) an upload and answers `{"offset", "complete"}`; `PATCH` with an
//! `Upload-Offset` header appends a chunk at that offset; `GET` downloads.

use std::path::PathBuf;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use tokio::io::AsyncWriteExt;

use crate::access::may_see;
use crate::app::{AppState, Authenticated, now_ms};
use crate::auth::Principal;
use crate::error::{ApiError, ErrorBody};
use fieldcheck_core::answers::MediaRef;
use fieldcheck_core::vocab::Role;
use utoipa::ToSchema;

/// Where media bytes live; a directory by default, replaceable by an
/// S3-compatible store.
pub trait MediaStore: Send + Sync + std::fmt::Debug {
    /// Bytes received so far of an unfinished upload.
    fn partial_len(
        &self,
        hash: &str,
    ) -> impl std::future::Future<Output = std::io::Result<u64>> + Send;
    fn append(
        &self,
        hash: &str,
        bytes: &[u8],
    ) -> impl std::future::Future<Output = std::io::Result<()>> + Send;
    /// The BLAKE3 hash of the partial upload.
    fn partial_hash(
        &self,
        hash: &str,
    ) -> impl std::future::Future<Output = std::io::Result<String>> + Send;
    /// Moves a verified upload into place.
    fn finish(&self, hash: &str) -> impl std::future::Future<Output = std::io::Result<()>> + Send;
    fn discard(&self, hash: &str) -> impl std::future::Future<Output = std::io::Result<()>> + Send;
    fn read(
        &self,
        hash: &str,
    ) -> impl std::future::Future<Output = std::io::Result<Vec<u8>>> + Send;
}

/// Where this server keeps media: its data folder with the embedded engine,
/// the database with PostgreSQL (so that every replica finds every file).
#[derive(Debug, Clone)]
pub enum Media {
    Dir(DirMediaStore),
    Db(DbMediaStore),
}

impl MediaStore for Media {
    async fn partial_len(&self, hash: &str) -> std::io::Result<u64> {
        match self {
            Media::Dir(m) => m.partial_len(hash).await,
            Media::Db(m) => m.partial_len(hash).await,
        }
    }

    async fn append(&self, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Media::Dir(m) => m.append(hash, bytes).await,
            Media::Db(m) => m.append(hash, bytes).await,
        }
    }

    async fn partial_hash(&self, hash: &str) -> std::io::Result<String> {
        match self {
            Media::Dir(m) => m.partial_hash(hash).await,
            Media::Db(m) => m.partial_hash(hash).await,
        }
    }

    async fn finish(&self, hash: &str) -> std::io::Result<()> {
        match self {
            Media::Dir(m) => m.finish(hash).await,
            Media::Db(m) => m.finish(hash).await,
        }
    }

    async fn discard(&self, hash: &str) -> std::io::Result<()> {
        match self {
            Media::Dir(m) => m.discard(hash).await,
            Media::Db(m) => m.discard(hash).await,
        }
    }

    async fn read(&self, hash: &str) -> std::io::Result<Vec<u8>> {
        match self {
            Media::Dir(m) => m.read(hash).await,
            Media::Db(m) => m.read(hash).await,
        }
    }
}

/// Media in the database: chunks at their offsets while uploading, one row
/// once verified.
#[derive(Debug, Clone)]
pub struct DbMediaStore {
    pool: sqlx::AnyPool,
}

impl DbMediaStore {
    pub fn new(pool: sqlx::AnyPool) -> DbMediaStore {
        DbMediaStore { pool }
    }

    async fn chunks(&self, hash: &str) -> std::io::Result<Vec<u8>> {
        let rows = sqlx::query("SELECT bytes FROM media_chunks WHERE hash = $1 ORDER BY at")
            .bind(hash)
            .fetch_all(&self.pool)
            .await
            .map_err(io)?;
        let mut out = Vec::new();
        for r in rows {
            out.extend(r.try_get::<Vec<u8>, _>("bytes").map_err(io)?);
        }
        Ok(out)
    }
}

fn io(e: sqlx::Error) -> std::io::Error {
    std::io::Error::other(e)
}

impl MediaStore for DbMediaStore {
    async fn partial_len(&self, hash: &str) -> std::io::Result<u64> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(LENGTH(bytes)), 0) AS BIGINT) AS n FROM media_chunks WHERE hash = $1",
        )
        .bind(hash)
        .fetch_one(&self.pool)
        .await
        .map_err(io)?;
        Ok(row.try_get::<i64, _>("n").map_err(io)? as u64)
    }

    async fn append(&self, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
        let at = self.partial_len(hash).await?;
        sqlx::query("INSERT INTO media_chunks (hash, at, bytes) VALUES ($1, $2, $3)")
            .bind(hash)
            .bind(at as i64)
            .bind(bytes.to_vec())
            .execute(&self.pool)
            .await
            .map_err(io)?;
        Ok(())
    }

    async fn partial_hash(&self, hash: &str) -> std::io::Result<String> {
        Ok(blake3::hash(&self.chunks(hash).await?).to_hex().to_string())
    }

    async fn finish(&self, hash: &str) -> std::io::Result<()> {
        let bytes = self.chunks(hash).await?;
        let mut tx = self.pool.begin().await.map_err(io)?;
        sqlx::query(
            "INSERT INTO media_blobs (hash, bytes) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(bytes)
        .execute(&mut *tx)
        .await
        .map_err(io)?;
        sqlx::query("DELETE FROM media_chunks WHERE hash = $1")
            .bind(hash)
            .execute(&mut *tx)
            .await
            .map_err(io)?;
        tx.commit().await.map_err(io)
    }

    async fn discard(&self, hash: &str) -> std::io::Result<()> {
        sqlx::query("DELETE FROM media_chunks WHERE hash = $1")
            .bind(hash)
            .execute(&self.pool)
            .await
            .map_err(io)?;
        Ok(())
    }

    async fn read(&self, hash: &str) -> std::io::Result<Vec<u8>> {
        let row = sqlx::query("SELECT bytes FROM media_blobs WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(io)?
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        row.try_get::<Vec<u8>, _>("bytes").map_err(io)
    }
}

/// Media in a directory: `partial/<hash>` while uploading, `<aa>/<hash>` after.
#[derive(Debug, Clone)]
pub struct DirMediaStore {
    root: PathBuf,
}

impl DirMediaStore {
    pub fn new(root: PathBuf) -> DirMediaStore {
        DirMediaStore { root }
    }

    fn partial(&self, hash: &str) -> PathBuf {
        self.root.join("partial").join(hash)
    }

    fn done(&self, hash: &str) -> PathBuf {
        self.root.join(&hash[..2]).join(hash)
    }
}

impl MediaStore for DirMediaStore {
    async fn partial_len(&self, hash: &str) -> std::io::Result<u64> {
        match tokio::fs::metadata(self.partial(hash)).await {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e),
        }
    }

    async fn append(&self, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
        tokio::fs::create_dir_all(self.root.join("partial")).await?;
        let mut f = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.partial(hash))
            .await?;
        f.write_all(bytes).await?;
        f.sync_data().await
    }

    async fn partial_hash(&self, hash: &str) -> std::io::Result<String> {
        let bytes = tokio::fs::read(self.partial(hash)).await?;
        Ok(blake3::hash(&bytes).to_hex().to_string())
    }

    async fn finish(&self, hash: &str) -> std::io::Result<()> {
        let done = self.done(hash);
        if let Some(dir) = done.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(self.partial(hash), done).await
    }

    async fn discard(&self, hash: &str) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.partial(hash)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    async fn read(&self, hash: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.done(hash)).await
    }
}

fn valid_hash(h: &str) -> Result<(), ApiError> {
    if h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(ApiError::BadRequest(
            "a media hash is 64 lower-case hex digits (BLAKE3)".into(),
        ))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenBody {
    size: u64,
    mime: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UploadState {
    offset: u64,
    size: u64,
    complete: bool,
}

async fn state_of(app: &AppState, hash: &str) -> Result<Option<(u64, bool)>, ApiError> {
    let row = sqlx::query("SELECT size, complete FROM media WHERE hash = $1")
        .bind(hash)
        .fetch_optional(app.storage.pool())
        .await
        .map_err(crate::storage::StorageError::from)?;
    row.map(|r| -> Result<(u64, bool), ApiError> {
        let size: i64 = r
            .try_get("size")
            .map_err(crate::storage::StorageError::from)?;
        let complete = r
            .try_get::<i64, _>("complete")
            .map_err(crate::storage::StorageError::from)?
            != 0;
        Ok((size as u64, complete))
    })
    .transpose()
}

/// Opens an upload, or finds it: where to continue from.
#[utoipa::path(post, path = "/api/v1/media/{hash}", tag = "media", params(("hash" = String, Path, description = "BLAKE3, 64 hex digits")),
    request_body = OpenBody, security(("bearer" = [])),
    responses((status = 200, body = UploadState), (status = 400, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 413, description = "Over the size limit", body = ErrorBody)))]
pub async fn open(
    State(app): State<AppState>,
    who: Authenticated,
    Path(hash): Path<String>,
    body: Result<Json<OpenBody>, JsonRejection>,
) -> Result<Json<UploadState>, ApiError> {
    valid_hash(&hash)?;
    let Json(body) = body?;
    if body.size > app.config.max_media_bytes {
        return Err(ApiError::TooLarge(format!(
            "{} bytes is over the {}-byte limit for a media file",
            body.size, app.config.max_media_bytes
        )));
    }
    if !may_upload(&app, &who.principal, &hash, &body).await? {
        return Err(ApiError::NotReferenced(
            "no record of yours on the server references this file with this size and type \
             (yet: sync the record first)"
                .into(),
        ));
    }
    let existing = state_of(&app, &hash).await?;
    // An upload someone opened with another size is not this file's: start
    // it again with the size the record gives.
    if let Some((size, false)) = existing
        && size != body.size
    {
        app.media.discard(&hash).await?;
        sqlx::query("DELETE FROM media WHERE hash = $1 AND complete = 0")
            .bind(&hash)
            .execute(app.storage.pool())
            .await
            .map_err(crate::storage::StorageError::from)?;
    } else if let Some((size, complete)) = existing {
        let offset = if complete {
            size
        } else {
            app.media.partial_len(&hash).await?
        };
        return Ok(Json(UploadState {
            offset,
            size,
            complete,
        }));
    }
    sqlx::query("INSERT INTO media (hash, size, mime, complete, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING")
        .bind(&hash)
        .bind(body.size as i64)
        .bind(&body.mime)
        .bind(0i64)
        .bind(now_ms())
        .execute(app.storage.pool())
        .await
        .map_err(crate::storage::StorageError::from)?;
    Ok(Json(UploadState {
        offset: 0,
        size: body.size,
        complete: false,
    }))
}

/// Appends a chunk at `Upload-Offset`.
#[utoipa::path(patch, path = "/api/v1/media/{hash}", tag = "media",
    params(("hash" = String, Path), ("Upload-Offset" = u64, Header)), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, body = UploadState), (status = 400, body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Wrong offset", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, description = "The bytes do not match the hash", body = ErrorBody)))]
pub async fn append(
    State(app): State<AppState>,
    _who: Authenticated,
    Path(hash): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<UploadState>, ApiError> {
    valid_hash(&hash)?;
    let Some((size, complete)) = state_of(&app, &hash).await? else {
        return Err(ApiError::NotFound(
            "no upload open for this hash: POST it first".into(),
        ));
    };
    if complete {
        return Ok(Json(UploadState {
            offset: size,
            size,
            complete,
        }));
    }
    let claimed: u64 = headers
        .get("upload-offset")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .ok_or_else(|| {
            ApiError::BadRequest("an Upload-Offset header with a number is required".into())
        })?;
    let have = app.media.partial_len(&hash).await?;
    if claimed != have {
        return Err(ApiError::OffsetMismatch(format!(
            "the server has {have} bytes; continue from there"
        )));
    }
    if have + bytes.len() as u64 > size {
        return Err(ApiError::TooLarge(format!(
            "the upload was opened for {size} bytes"
        )));
    }
    app.media.append(&hash, &bytes).await?;
    let offset = have + bytes.len() as u64;
    if offset < size {
        return Ok(Json(UploadState {
            offset,
            size,
            complete: false,
        }));
    }
    if app.media.partial_hash(&hash).await? != hash {
        app.media.discard(&hash).await?;
        return Err(ApiError::Unprocessable(
            "the bytes do not match the hash; the upload was discarded, start again".into(),
        ));
    }
    app.media.finish(&hash).await?;
    sqlx::query("UPDATE media SET complete = $2 WHERE hash = $1")
        .bind(&hash)
        .bind(1i64)
        .execute(app.storage.pool())
        .await
        .map_err(crate::storage::StorageError::from)?;
    Ok(Json(UploadState {
        offset,
        size,
        complete: true,
    }))
}

/// `GET /api/v1/media/{hash}`: the file, to users who may see a record that
/// references it. Anyone else gets the same 404 as for a missing file.
#[utoipa::path(get, path = "/api/v1/media/{hash}", tag = "media", params(("hash" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "The file"), (status = 401, description = "Not signed in", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(app): State<AppState>,
    who: Authenticated,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    valid_hash(&hash)?;
    let not_found = || ApiError::NotFound("no such media file".into());
    let row = sqlx::query("SELECT mime, complete FROM media WHERE hash = $1")
        .bind(&hash)
        .fetch_optional(app.storage.pool())
        .await
        .map_err(crate::storage::StorageError::from)?;
    let Some(row) = row else {
        return Err(not_found());
    };
    let mime: String = row
        .try_get("mime")
        .map_err(crate::storage::StorageError::from)?;
    let complete = row
        .try_get::<i64, _>("complete")
        .map_err(crate::storage::StorageError::from)?
        != 0;
    let docs = sqlx::query("SELECT doc_id FROM media_refs WHERE hash = $1")
        .bind(&hash)
        .fetch_all(app.storage.pool())
        .await
        .map_err(crate::storage::StorageError::from)?;
    let mut visible = false;
    for d in docs {
        let id: String = d
            .try_get("doc_id")
            .map_err(crate::storage::StorageError::from)?;
        if app
            .storage
            .doc_meta(&id)
            .await?
            .is_some_and(|m| may_see(&who.principal, &m))
        {
            visible = true;
            break;
        }
    }
    if !visible || !complete {
        return Err(not_found());
    }
    let bytes = app.media.read(&hash).await?;
    match served_type(&mime) {
        Some(t) => Ok(([(header::CONTENT_TYPE, t)], bytes).into_response()),
        // Whatever else an uploader claimed is downloaded, never rendered.
        None => Ok((
            [
                (header::CONTENT_TYPE, "application/octet-stream"),
                (header::CONTENT_DISPOSITION, "attachment"),
            ],
            bytes,
        )
            .into_response()),
    }
}

/// The types media are served as (photos, audio, signatures); the type an
/// upload declared is served only if it is one of them, so a file that
/// claims `text/html` or `image/svg+xml` is never rendered by the browser.
const SERVED_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/heic",
    "image/heif",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/ogg",
    "audio/webm",
    "audio/wav",
];

fn served_type(declared: &str) -> Option<&'static str> {
    let base = declared.split(';').next().unwrap_or("").trim();
    SERVED_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(base))
        .copied()
}

/// Records which media a stored record references, with their size and type.
pub async fn index_refs(
    app_storage: &crate::storage::Storage,
    doc_id: &str,
    refs: &[MediaRef],
) -> Result<(), crate::storage::StorageError> {
    for r in refs {
        sqlx::query(
            "INSERT INTO media_refs (hash, doc_id, mime, size) VALUES ($1, $2, $3, $4)
             ON CONFLICT (hash, doc_id) DO UPDATE SET mime = excluded.mime, size = excluded.size",
        )
        .bind(&r.hash)
        .bind(doc_id)
        .bind(&r.mime)
        .bind(r.size as i64)
        .execute(app_storage.pool())
        .await?;
    }
    Ok(())
}

/// Whether `who` may upload `hash` as `body` says: a record stored on the
/// server references it with that size and type, and `who` wrote the
/// record or reviews it.
async fn may_upload(
    app: &AppState,
    who: &Principal,
    hash: &str,
    body: &OpenBody,
) -> Result<bool, ApiError> {
    let refs = sqlx::query("SELECT doc_id, mime, size FROM media_refs WHERE hash = $1")
        .bind(hash)
        .fetch_all(app.storage.pool())
        .await
        .map_err(crate::storage::StorageError::from)?;
    for r in refs {
        let get = |c: &str| r.try_get::<Option<String>, _>(c).ok().flatten();
        let size = r.try_get::<Option<i64>, _>("size").ok().flatten();
        let shape = get("mime").is_none_or(|m| m == body.mime)
            && size.is_none_or(|s| s as u64 == body.size);
        let Some(doc_id) = get("doc_id") else {
            continue;
        };
        if !shape {
            continue;
        }
        if let Some(meta) = app.storage.doc_meta(&doc_id).await? {
            let reviews = matches!(who.role, Role::Admin | Role::Manager) && may_see(who, &meta);
            if meta.author == who.user_id || reviews {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::served_type;

    #[test]
    fn only_photo_and_audio_types_are_served_as_themselves() {
        assert_eq!(served_type("image/jpeg"), Some("image/jpeg"));
        assert_eq!(served_type("IMAGE/PNG"), Some("image/png"));
        assert_eq!(served_type("audio/mp4; codecs=mp4a"), Some("audio/mp4"));
        for bad in ["text/html", "image/svg+xml", "application/javascript", ""] {
            assert_eq!(served_type(bad), None, "{bad}");
        }
    }
}
