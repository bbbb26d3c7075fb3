//! Media on the device (design.md decision 8): photos, audio and signatures
//! are files named by their BLAKE3 hash beside the store, never inside the
//! documents, which reference them by hash. [`Uploader`] sends the ones the
//! server lacks in chunks and resumes a cut upload from where the server got
//! to instead of starting over.

use std::path::PathBuf;

use serde::Deserialize;
use sqlx::Row;

use crate::store::{DeviceStore, Result, StoreError};

/// Bytes per upload request: small enough to lose little to a cut on a poor
/// network, large enough that a photo takes a handful of requests.
pub const CHUNK_BYTES: usize = 512 * 1024;

/// One media file the device holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRow {
    pub hash: String,
    pub size: u64,
    pub mime: String,
    pub uploaded: bool,
}

fn is_hash(h: &str) -> bool {
    h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl DeviceStore {
    fn media_path(&self, hash: &str) -> PathBuf {
        self.media_dir.join(&hash[..2]).join(hash)
    }

    /// Keeps `bytes` by content hash and returns the hash. The file is
    /// written whole and synced before it gets its name, so a crash leaves
    /// either the complete file or none; the same bytes twice are kept once.
    pub async fn put_media(&self, bytes: &[u8], mime: &str) -> Result<String> {
        let hash = blake3::hash(bytes).to_hex().to_string();
        let path = self.media_path(&hash);
        if tokio::fs::metadata(&path).await.is_err() {
            let tmp_dir = self.media_dir.join("tmp");
            tokio::fs::create_dir_all(&tmp_dir).await?;
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            let tmp = tmp_dir.join(&hash);
            let file = tokio::fs::File::create(&tmp).await?;
            let mut file = tokio::io::BufWriter::new(file);
            tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
            tokio::io::AsyncWriteExt::flush(&mut file).await?;
            file.into_inner().sync_all().await?;
            tokio::fs::rename(&tmp, &path).await?;
        }
        sqlx::query(
            "INSERT INTO media (hash, size, mime, uploaded, created_at) VALUES (?, ?, ?, 0, ?)
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&hash)
        .bind(bytes.len() as i64)
        .bind(mime)
        .bind(jiff::Timestamp::now().as_millisecond())
        .execute(&self.pool)
        .await?;
        Ok(hash)
    }

    /// The bytes of a media file, checked against their hash; `None` if the
    /// device does not have it.
    pub async fn media_bytes(&self, hash: &str) -> Result<Option<Vec<u8>>> {
        if !is_hash(hash) {
            return Ok(None);
        }
        let bytes = match tokio::fs::read(self.media_path(hash)).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if blake3::hash(&bytes).to_hex().as_str() != hash {
            return Err(StoreError::MediaCorrupt(hash.to_string()));
        }
        Ok(Some(bytes))
    }

    /// Media the server does not have yet, oldest first.
    pub async fn pending_media(&self) -> Result<Vec<MediaRow>> {
        self.media_where("uploaded = 0").await
    }

    /// Every media file the device holds.
    pub async fn media(&self) -> Result<Vec<MediaRow>> {
        self.media_where("1 = 1").await
    }

    async fn media_where(&self, filter: &str) -> Result<Vec<MediaRow>> {
        let rows = sqlx::query(&format!(
            "SELECT hash, size, mime, uploaded FROM media WHERE {filter} ORDER BY created_at, hash"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MediaRow {
                    hash: r.try_get("hash")?,
                    size: r.try_get::<i64, _>("size")? as u64,
                    mime: r.try_get("mime")?,
                    uploaded: r.try_get::<i64, _>("uploaded")? != 0,
                })
            })
            .collect()
    }

    async fn media_uploaded(&self, hash: &str) -> Result<()> {
        sqlx::query("UPDATE media SET uploaded = 1 WHERE hash = ?")
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Keeps a file fetched from the server, already verified, as uploaded.
    async fn put_fetched(&self, bytes: &[u8], mime: &str) -> Result<String> {
        let hash = self.put_media(bytes, mime).await?;
        self.media_uploaded(&hash).await?;
        Ok(hash)
    }
}

/// Why an upload or download did not finish.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The network failed; try again later, the upload resumes.
    #[error("network: {0}")]
    Network(String),
    /// The server refused with a reason the user should see (too large,
    /// not signed in, not found).
    #[error("{code}: {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<reqwest::Error> for MediaError {
    fn from(e: reqwest::Error) -> Self {
        MediaError::Network(e.to_string())
    }
}

#[derive(Debug, Deserialize)]
struct UploadState {
    offset: u64,
    complete: bool,
}

#[derive(Debug, Deserialize)]
struct ApiErrorBody {
    code: String,
    message: String,
}

/// Progress of one file: bytes the server holds of `size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileProgress {
    pub sent: u64,
    pub size: u64,
}

/// What one round of uploads did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadReport {
    pub uploaded: usize,
    /// Files the server refused, with its reason; they stay pending.
    pub refused: Vec<(String, String)>,
}

/// Talks to the server's media endpoints as one signed-in user.
#[derive(Debug, Clone)]
pub struct Uploader {
    http: reqwest::Client,
    /// `http://host:port`, without a trailing slash.
    base: String,
    token: String,
    chunk: usize,
}

impl Uploader {
    pub fn new(
        http: reqwest::Client,
        base: impl Into<String>,
        token: impl Into<String>,
    ) -> Uploader {
        Uploader {
            http,
            base: base.into().trim_end_matches('/').to_string(),
            token: token.into(),
            chunk: CHUNK_BYTES,
        }
    }

    /// Smaller chunks, for tests that cut an upload in the middle.
    pub fn with_chunk(mut self, bytes: usize) -> Uploader {
        self.chunk = bytes.max(1);
        self
    }

    fn url(&self, hash: &str) -> String {
        format!("{}/api/v1/media/{hash}", self.base)
    }

    /// Sends one file, resuming from what the server already holds; marks
    /// it uploaded once the server has verified it.
    pub async fn upload(
        &self,
        store: &DeviceStore,
        row: &MediaRow,
        mut progress: impl FnMut(FileProgress),
    ) -> Result<(), MediaError> {
        let bytes = store
            .media_bytes(&row.hash)
            .await?
            .ok_or_else(|| StoreError::MediaCorrupt(row.hash.clone()))?;
        // A mismatch the server reports means bytes changed on the way; one
        // fresh start is worth it, a second mismatch is not the network.
        let mut restarts = 0;
        'open: loop {
            let state: UploadState = self
                .call(
                    self.http
                        .post(self.url(&row.hash))
                        .json(&serde_json::json!({ "size": row.size, "mime": row.mime })),
                )
                .await?;
            let mut offset = state.offset;
            let mut complete = state.complete;
            progress(FileProgress {
                sent: offset,
                size: row.size,
            });
            while !complete {
                let start = usize::try_from(offset)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                let end = (start + self.chunk).min(bytes.len());
                let request = self
                    .http
                    .patch(self.url(&row.hash))
                    .header("Upload-Offset", offset.to_string())
                    .body(bytes[start..end].to_vec());
                let state: UploadState = match self.call(request).await {
                    Ok(s) => s,
                    // The server holds a different amount than we thought
                    // (an earlier chunk arrived after all): ask again.
                    Err(MediaError::Refused { status: 409, .. }) => continue 'open,
                    Err(MediaError::Refused { status: 422, .. }) if restarts == 0 => {
                        restarts += 1;
                        continue 'open;
                    }
                    Err(e) => return Err(e),
                };
                offset = state.offset;
                complete = state.complete;
                progress(FileProgress {
                    sent: offset,
                    size: row.size,
                });
            }
            store.media_uploaded(&row.hash).await?;
            return Ok(());
        }
    }

    /// Uploads every pending file in turn. A file the server refuses (too
    /// large, say) is reported and skipped; a network failure stops the
    /// round, and the next call resumes where it stopped.
    pub async fn upload_pending(
        &self,
        store: &DeviceStore,
        mut progress: impl FnMut(&MediaRow, FileProgress),
    ) -> Result<UploadReport, MediaError> {
        let mut report = UploadReport::default();
        for row in store.pending_media().await? {
            match self.upload(store, &row, |p| progress(&row, p)).await {
                Ok(()) => report.uploaded += 1,
                // The record has not reached the server yet: later, like a
                // network failure.
                Err(MediaError::Refused { code, message, .. }) if code == "not_referenced" => {
                    return Err(MediaError::Network(message));
                }
                Err(MediaError::Refused { message, .. }) => {
                    report.refused.push((row.hash, message))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    /// Fetches a file the device lacks (a photo in a record someone else
    /// took), checks it against its hash and keeps it.
    pub async fn fetch(&self, store: &DeviceStore, hash: &str) -> Result<Vec<u8>, MediaError> {
        if let Some(bytes) = store.media_bytes(hash).await? {
            return Ok(bytes);
        }
        let response = self.send(self.http.get(self.url(hash))).await?;
        let mime = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = response.bytes().await?;
        if blake3::hash(&bytes).to_hex().as_str() != hash {
            return Err(MediaError::Network(
                "the file that arrived does not match its hash".into(),
            ));
        }
        store.put_fetched(&bytes, &mime).await?;
        Ok(bytes.to_vec())
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, MediaError> {
        let response = request.bearer_auth(&self.token).send().await?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.bytes().await.unwrap_or_default();
        let (code, message) = match serde_json::from_slice::<ApiErrorBody>(&body) {
            Ok(b) => (b.code, b.message),
            Err(_) => (
                "http".to_string(),
                String::from_utf8_lossy(&body).into_owned(),
            ),
        };
        if status.is_server_error() {
            return Err(MediaError::Network(format!(
                "server error {status}: {message}"
            )));
        }
        Err(MediaError::Refused {
            status: status.as_u16(),
            code,
            message,
        })
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, MediaError> {
        Ok(self.send(request).await?.json().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn media_is_kept_once_by_hash_and_survives_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("d.db");
        let store = DeviceStore::open(&path).await.expect("open");
        let photo = vec![7u8; 100_000];
        let a = store.put_media(&photo, "image/jpeg").await.expect("put");
        let b = store
            .put_media(&photo, "image/jpeg")
            .await
            .expect("put again");
        assert_eq!(a, b);
        assert_eq!(a, blake3::hash(&photo).to_hex().as_str());
        assert_eq!(store.pending_media().await.expect("pending").len(), 1);
        drop(store);
        let store = DeviceStore::open(&path).await.expect("reopen");
        assert_eq!(
            store.media_bytes(&a).await.expect("read").as_deref(),
            Some(&photo[..])
        );
        assert_eq!(
            store.media_bytes(&"0".repeat(64)).await.expect("read"),
            None
        );
        assert_eq!(
            store.media_bytes("../../etc/passwd").await.expect("read"),
            None
        );
    }

    #[tokio::test]
    async fn a_file_changed_on_disk_is_reported_not_served() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = DeviceStore::open(&dir.path().join("d.db"))
            .await
            .expect("open");
        let hash = store
            .put_media(b"signature", "image/png")
            .await
            .expect("put");
        std::fs::write(store.media_path(&hash), b"tampered").expect("tamper");
        assert!(matches!(
            store.media_bytes(&hash).await,
            Err(StoreError::MediaCorrupt(h)) if h == hash
        ));
    }
}
