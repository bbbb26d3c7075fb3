//! Durable storage on SQLite (one file, the default) or PostgreSQL, through
//! one set of queries: documents as a compacted snapshot plus incremental
//! chunks, the sequence counter behind the changes feed, users and tokens.

pub mod actions;
pub mod assignments;
pub mod audit;
pub mod bulletins;
pub mod derived;
pub mod docs;
pub mod exports;
pub mod hotline;
pub mod lock;
pub mod media;
pub mod monitoring;
pub mod notifications;
pub mod ratings;
pub mod records;
pub mod scorecards;
pub mod sql;
pub mod templates;
pub mod units;
pub mod users;
pub mod weight_sets;

use std::path::Path;

use fieldcheck_core::answers::MediaRef;
use fieldcheck_core::refdata::DocKind;
use fieldcheck_core::vocab::VisitMode;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

/// Chunks after which a document is rewritten as one snapshot.
pub const COMPACT_AFTER: i64 = 32;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (use sqlite:// or postgres://)")]
    Url,
    #[error("user `{0}` already exists")]
    UserExists(String),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// What the changes feed and access checks need to know about a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocMeta {
    pub doc_id: String,
    pub seq: i64,
    pub store_id: String,
    pub author: String,
    /// Records and assignments: overt, mystery, ...
    pub mode: Option<VisitMode>,
    /// A record, or which reference document.
    pub kind: DocKind,
}

impl DocMeta {
    /// The mode as the `documents` table keeps it: empty for none.
    fn mode_text(&self) -> &'static str {
        self.mode.map_or("", VisitMode::as_str)
    }
}

/// A stored word of a closed vocabulary, read back: one this code did not
/// write is a corrupt row.
fn word<T>(column: &str, text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(text).ok_or_else(|| {
        StorageError::Database(sqlx::Error::ColumnDecode {
            index: column.into(),
            source: format!("`{text}` is not a known value").into(),
        })
    })
}

/// An entry of the audit log: who did what to which target. It is written in
/// the transaction of the write it records, so the two commit together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub user_id: String,
    pub action: String,
    pub target: String,
    /// JSON.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub user_id: String,
    pub password_hash: String,
    pub role: String,
    pub scope: String,
    pub name: String,
    /// Where notifications are e-mailed; empty for none.
    pub email: String,
}

#[derive(Debug, Clone)]
pub struct Storage {
    pool: AnyPool,
    engine: Engine,
    /// This process's id in change notifications, so it can skip its own.
    replica: String,
}

/// The PostgreSQL channel on which replicas announce stored changes.
pub const CHANGES_CHANNEL: &str = "fieldcheck_changes";

impl Storage {
    /// The default embedded database in `data_dir`.
    pub fn sqlite_url(data_dir: &Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("fieldcheck.db").display()
        )
    }

    /// Opens (creating if needed) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Storage> {
        install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            return Err(StorageError::Url);
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if engine == Engine::Sqlite { 4 } else { 10 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        sqlx::query("PRAGMA busy_timeout = 10000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous = FULL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        if engine == Engine::Sqlite {
            // WAL, once: it sticks to the file. A committed change survives a
            // crash, and readers do not block the writer.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        match engine {
            Engine::Sqlite => sqlx::migrate!("migrations/sqlite").run(&pool).await?,
            Engine::Postgres => sqlx::migrate!("migrations/postgres").run(&pool).await?,
        }
        let mut id = [0u8; 8];
        getrandom::fill(&mut id)
            .map_err(|e| StorageError::Database(sqlx::Error::Protocol(e.to_string())))?;
        let replica = id.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Storage {
            pool,
            engine,
            replica,
        })
    }

    pub fn replica(&self) -> &str {
        &self.replica
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Quick liveness check.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The chunks of a document in order; empty if it does not exist.
    pub async fn load_chunks(&self, doc_id: &str) -> Result<Vec<Vec<u8>>> {
        let rows = sqlx::query("SELECT bytes FROM doc_chunks WHERE doc_id = $1 ORDER BY n")
            .bind(doc_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<Vec<u8>, _>("bytes")?))
            .collect()
    }

    pub async fn doc_meta(&self, doc_id: &str) -> Result<Option<DocMeta>> {
        let row = sqlx::query(
            "SELECT doc_id, seq, store_id, author, mode, kind FROM documents WHERE doc_id = $1",
        )
        .bind(doc_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| meta(&r)).transpose()
    }

    /// Bytes of Automerge changes a document holds (0 if it does not exist).
    pub async fn change_bytes(&self, doc_id: &str) -> Result<u64> {
        let row = sqlx::query("SELECT change_bytes FROM documents WHERE doc_id = $1")
            .bind(doc_id)
            .fetch_optional(&self.pool)
            .await?;
        let n: i64 = row
            .map(|r| r.try_get("change_bytes"))
            .transpose()?
            .unwrap_or(0);
        Ok(n.max(0) as u64)
    }

    /// Appends changes to a document and gives them the next sequence number,
    /// with the audit entry that records the write if there is one, in one
    /// transaction. Returns the sequence and the number of chunks.
    pub async fn append(
        &self,
        meta: &DocMeta,
        chunk: &[u8],
        media: &[MediaRef],
        now_ms: i64,
        audit: Option<&Audit>,
    ) -> Result<(i64, i64)> {
        let mut tx = self.pool.begin().await?;
        // The counter row stays locked until commit, so sequence order is commit order.
        let seq: i64 =
            sqlx::query("UPDATE counter SET value = value + 1 WHERE id = 1 RETURNING value")
                .fetch_one(&mut *tx)
                .await?
                .try_get("value")?;
        let n: i64 =
            sqlx::query("SELECT COALESCE(MAX(n), 0) + 1 AS n FROM doc_chunks WHERE doc_id = $1")
                .bind(&meta.doc_id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        sqlx::query("INSERT INTO doc_chunks (doc_id, n, bytes) VALUES ($1, $2, $3)")
            .bind(&meta.doc_id)
            .bind(n)
            .bind(chunk)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO documents (doc_id, seq, store_id, author, mode, kind, chunks, updated_at, change_bytes) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)
             ON CONFLICT (doc_id) DO UPDATE SET seq = $2, store_id = $3, author = $4, mode = $5, kind = $6,
                 chunks = documents.chunks + 1, updated_at = $7, change_bytes = documents.change_bytes + $8",
        )
        .bind(&meta.doc_id)
        .bind(seq)
        .bind(&meta.store_id)
        .bind(&meta.author)
        .bind(meta.mode_text())
        .bind(meta.kind.as_str())
        .bind(now_ms)
        .bind(chunk.len() as i64)
        .execute(&mut *tx)
        .await?;
        if let Some(entry) = audit {
            insert_audit(&mut tx, entry, now_ms).await?;
        }
        media::index_refs(&mut tx, &meta.doc_id, media).await?;
        let chunks: i64 = sqlx::query("SELECT chunks FROM documents WHERE doc_id = $1")
            .bind(&meta.doc_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("chunks")?;
        if self.engine == Engine::Postgres {
            // Delivered to the other replicas only if this transaction commits.
            let note = Notice {
                replica: self.replica.clone(),
                meta: DocMeta {
                    seq,
                    ..meta.clone()
                },
            };
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANGES_CHANNEL)
                .bind(note.encode())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok((seq, chunks))
    }

    /// Replaces a document's chunks with one snapshot.
    pub async fn compact(&self, doc_id: &str, snapshot: &[u8]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM doc_chunks WHERE doc_id = $1")
            .bind(doc_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO doc_chunks (doc_id, n, bytes) VALUES ($1, 1, $2)")
            .bind(doc_id)
            .bind(snapshot)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE documents SET chunks = 1 WHERE doc_id = $1")
            .bind(doc_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Documents changed after `cursor`, and the current sequence.
    pub async fn changed_since(&self, cursor: i64) -> Result<(Vec<DocMeta>, i64)> {
        let mut tx = self.pool.begin().await?;
        let seq: i64 = sqlx::query("SELECT value FROM counter WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?
            .try_get("value")?;
        let rows = sqlx::query("SELECT doc_id, seq, store_id, author, mode, kind FROM documents WHERE seq > $1 AND seq <= $2 ORDER BY seq")
            .bind(cursor)
            .bind(seq)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let docs = rows.iter().map(meta).collect::<Result<Vec<_>>>()?;
        Ok((docs, seq))
    }

    /// The sequence number of the latest stored change.
    pub async fn sequence(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT value FROM counter WHERE id = 1")
            .fetch_one(&self.pool)
            .await?)
    }

    /// How far the derived tables are: every change up to this sequence
    /// number is in them.
    pub async fn materialised(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT seq FROM m_cursor WHERE id = 1")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Whether the database holds no documents and no units yet.
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM units)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 0)
    }

    /// Documents of one kind, with the unit each is of.
    pub async fn docs_of_kind(&self, kind: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT doc_id, store_id FROM documents WHERE kind = $1")
            .bind(kind)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("doc_id")?, r.try_get("store_id")?)))
            .collect()
    }

    pub async fn add_user(&self, user: &UserRow, now_ms: i64) -> Result<()> {
        self.add_users(std::slice::from_ref(user), now_ms, None)
            .await
    }

    /// Adds users in one transaction with the audit entry recording it: all
    /// of them, or none if one exists.
    pub async fn add_users(
        &self,
        users: &[UserRow],
        now_ms: i64,
        audit: Option<&Audit>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for user in users {
            let done = sqlx::query(
                "INSERT INTO users (user_id, password_hash, role, scope, name, email, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT DO NOTHING",
            )
            .bind(&user.user_id)
            .bind(&user.password_hash)
            .bind(&user.role)
            .bind(&user.scope)
            .bind(&user.name)
            .bind(&user.email)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StorageError::UserExists(user.user_id.clone()));
            }
        }
        if let Some(entry) = audit {
            insert_audit(&mut tx, entry, now_ms).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An active (not disabled) user.
    pub async fn user(&self, user_id: &str) -> Result<Option<UserRow>> {
        let row = sqlx::query(
            "SELECT user_id, password_hash, role, scope, name, email FROM users WHERE lower(user_id) = lower($1) AND disabled_at IS NULL",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| user_row(&r)).transpose()
    }

    pub async fn insert_token(
        &self,
        token_hash: &str,
        user_id: &str,
        now_ms: i64,
        expires_at: i64,
    ) -> Result<()> {
        insert_token(&self.pool, token_hash, user_id, now_ms, expires_at).await
    }

    /// Replaces a live token with a new one, in one transaction.
    pub async fn rotate_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        user_id: &str,
        now_ms: i64,
        expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(old_hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        insert_token(&mut *tx, new_hash, user_id, now_ms, expires_at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a new enrolment code (its hash), with the audit entry.
    pub async fn insert_enrolment(
        &self,
        code_hash: &str,
        user_id: &str,
        now_ms: i64,
        expires_at: i64,
        audit: &Audit,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO enrolments (code_hash, user_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code_hash)
        .bind(user_id)
        .bind(&audit.user_id)
        .bind(now_ms)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses an enrolment code once: the user it was made for, if it is
    /// unused and unexpired (and the user active).
    pub async fn redeem_enrolment(&self, code_hash: &str, now_ms: i64) -> Result<Option<UserRow>> {
        let row = sqlx::query(
            "UPDATE enrolments SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
             RETURNING user_id",
        )
        .bind(code_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user_id: String = row.try_get("user_id")?;
        self.user(&user_id).await
    }

    /// The user behind a live (unexpired, unrevoked) token.
    pub async fn token_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<UserRow>> {
        let row = sqlx::query(
            "SELECT u.user_id, u.password_hash, u.role, u.scope, u.name, u.email FROM tokens t JOIN users u ON u.user_id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| user_row(&r)).transpose()
    }

    pub async fn revoke_token(&self, token_hash: &str, now_ms: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// Inserts an audit entry inside the caller's transaction, so the entry and
/// the write it records commit together.
async fn insert_token<'e>(
    e: impl sqlx::Executor<'e, Database = sqlx::Any>,
    token_hash: &str,
    user_id: &str,
    now_ms: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now_ms)
    .bind(expires_at)
    .execute(e)
    .await?;
    Ok(())
}

pub async fn insert_audit(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    entry: &Audit,
    now_ms: i64,
) -> Result<()> {
    let mut id = [0u8; 16];
    getrandom::fill(&mut id)
        .map_err(|e| StorageError::Database(sqlx::Error::Protocol(e.to_string())))?;
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query(
        "INSERT INTO audit_log (entry_id, at, user_id, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(now_ms)
    .bind(&entry.user_id)
    .bind(&entry.action)
    .bind(&entry.target)
    .bind(&entry.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn meta(r: &sqlx::any::AnyRow) -> Result<DocMeta> {
    Ok(DocMeta {
        doc_id: r.try_get("doc_id")?,
        seq: r.try_get("seq")?,
        store_id: r.try_get("store_id")?,
        author: r.try_get("author")?,
        mode: match r.try_get::<String, _>("mode")?.as_str() {
            "" => None,
            m => Some(word("mode", m, VisitMode::parse)?),
        },
        kind: word("kind", &r.try_get::<String, _>("kind")?, DocKind::parse)?,
    })
}

fn user_row(r: &sqlx::any::AnyRow) -> Result<UserRow> {
    Ok(UserRow {
        user_id: r.try_get("user_id")?,
        password_hash: r.try_get("password_hash")?,
        role: r.try_get("role")?,
        scope: r.try_get("scope")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
    })
}

/// A change notification between replicas, sent as a JSON array so that no
/// field can be mistaken for another whatever it contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub replica: String,
    pub meta: DocMeta,
}

type NoticeWire = (String, i64, String, String, String, String, String);

impl Notice {
    fn encode(&self) -> String {
        let m = &self.meta;
        let wire: NoticeWire = (
            self.replica.clone(),
            m.seq,
            m.doc_id.clone(),
            m.store_id.clone(),
            m.author.clone(),
            m.mode_text().to_string(),
            m.kind.as_str().to_string(),
        );
        serde_json::to_string(&wire).unwrap_or_default()
    }

    pub fn decode(s: &str) -> Option<Notice> {
        let (replica, seq, doc_id, store_id, author, mode, kind): NoticeWire =
            serde_json::from_str(s).ok()?;
        Some(Notice {
            replica,
            meta: DocMeta {
                doc_id,
                seq,
                store_id,
                author,
                mode: match mode.as_str() {
                    "" => None,
                    m => Some(VisitMode::parse(m)?),
                },
                kind: DocKind::parse(&kind)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_whatever_the_ids_contain() {
        let n = Notice {
            replica: "r1".into(),
            meta: DocMeta {
                doc_id: "a|b\"c".into(),
                seq: 7,
                store_id: "cq/yz|x".into(),
                author: "li".into(),
                mode: Some(VisitMode::Mystery),
                kind: DocKind::Record,
            },
        };
        assert_eq!(Notice::decode(&n.encode()), Some(n.clone()));
        let units = Notice {
            meta: DocMeta {
                mode: None,
                kind: DocKind::Units,
                ..n.meta
            },
            ..n
        };
        assert_eq!(Notice::decode(&units.encode()), Some(units));
        assert_eq!(Notice::decode("r1|7|doc|store|li|overt"), None);
    }
}
