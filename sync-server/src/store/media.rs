//! Where media bytes live (design.md decision 8): a directory by default,
//! the database when several replicas share one; and the tables that say
//! which uploads exist and which records reference them.

use std::path::PathBuf;

use fieldcheck_core::answers::MediaRef;
use sqlx::Row;
use tokio::io::AsyncWriteExt;

use crate::store::{Result, Storage};

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

/// An upload the server knows: its size, declared type and whether all of
/// it arrived and matched its hash.
#[derive(Debug, Clone)]
pub struct Upload {
    pub size: u64,
    pub mime: String,
    pub complete: bool,
}

/// A record's reference to a media file, with the size and type it gives.
#[derive(Debug, Clone)]
pub struct Reference {
    pub doc_id: String,
    pub mime: Option<String>,
    pub size: Option<u64>,
}

impl Storage {
    pub async fn upload(&self, hash: &str) -> Result<Option<Upload>> {
        let row = sqlx::query("SELECT size, mime, complete FROM media WHERE hash = $1")
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        Ok(Some(Upload {
            size: r.try_get::<i64, _>("size")? as u64,
            mime: r.try_get("mime")?,
            complete: r.try_get::<i64, _>("complete")? != 0,
        }))
    }

    /// Opens an upload; one that exists already stays as it is.
    pub async fn open_upload(&self, hash: &str, size: u64, mime: &str, now_ms: i64) -> Result<()> {
        sqlx::query("INSERT INTO media (hash, size, mime, complete, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING")
            .bind(hash)
            .bind(size as i64)
            .bind(mime)
            .bind(0i64)
            .bind(now_ms)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forgets an unfinished upload (finished ones stay).
    pub async fn drop_upload(&self, hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM media WHERE hash = $1 AND complete = 0")
            .bind(hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn complete_upload(&self, hash: &str) -> Result<()> {
        sqlx::query("UPDATE media SET complete = $2 WHERE hash = $1")
            .bind(hash)
            .bind(1i64)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The records that reference a media file.
    pub async fn media_references(&self, hash: &str) -> Result<Vec<Reference>> {
        let rows = sqlx::query("SELECT doc_id, mime, size FROM media_refs WHERE hash = $1")
            .bind(hash)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Reference {
                    doc_id: r.try_get("doc_id")?,
                    mime: r.try_get("mime")?,
                    size: r.try_get::<Option<i64>, _>("size")?.map(|s| s as u64),
                })
            })
            .collect()
    }
}

/// Records which media a stored record references, with their size and
/// type, in the transaction that stores the record's change.
pub(crate) async fn index_refs(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    doc_id: &str,
    refs: &[MediaRef],
) -> Result<()> {
    for r in refs {
        sqlx::query(
            "INSERT INTO media_refs (hash, doc_id, mime, size) VALUES ($1, $2, $3, $4)
             ON CONFLICT (hash, doc_id) DO UPDATE SET mime = excluded.mime, size = excluded.size",
        )
        .bind(&r.hash)
        .bind(doc_id)
        .bind(&r.mime)
        .bind(r.size as i64)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
