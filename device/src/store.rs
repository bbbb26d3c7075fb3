//! The device store: SQLite through sqlx, in WAL mode with full sync, so a
//! change is on disk before the operation that made it returns. Documents are
//! kept as a compacted snapshot plus incremental changes; the record index is
//! derived from them and can be rebuilt at any time.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};

use automerge::ROOT;
use automerge::{AutoCommit, ChangeHash};
use autosurgeon::hydrate_prop;
use fieldcheck_core::records::{Header, RecordState, Status, StatusChange};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use tokio::sync::watch;

/// Chunks after which a document is rewritten as one snapshot, at the least.
const COMPACT_AFTER: i64 = 16;

/// Whether a document stored as `chunks` chunks, of which the last is the
/// `saves`th save of it, is due to be rewritten as one snapshot. Rewriting
/// costs as much as the document's whole history (it is loaded and saved
/// again), so a record rewritten every 16 saves costs, over its life, the
/// square of its changes, and an answer made meanwhile shares the CPU with
/// it. Waiting for an eighth of the saves so far (16 at the least) makes the
/// rewrites add up to a few times the history, and loading stays one pass
/// over the chunks.
fn compaction_due(chunks: i64, saves: i64) -> bool {
    chunks > COMPACT_AFTER.max(saves / 8)
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("device database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("device database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("device media: {0}")]
    Io(#[from] std::io::Error),
    #[error("media file {0} no longer matches its hash")]
    MediaCorrupt(String),
    #[error("stored document {0} does not load: {1}")]
    Corrupt(String, Box<automerge::AutomergeError>),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One row of the record index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub doc_id: String,
    pub store_id: String,
    pub template_id: String,
    pub status: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct DeviceStore {
    pub(crate) pool: SqlitePool,
    /// Media files by content hash, beside the database file.
    pub(crate) media_dir: PathBuf,
    /// How many times each document has been written since the store was
    /// opened: whoever keeps a document in memory (the record being filled
    /// in) knows from it whether someone else (sync) wrote it meanwhile.
    generations: Arc<Mutex<HashMap<String, u64>>>,
    /// Documents being compacted.
    compacting: Arc<Mutex<HashSet<String>>>,
    /// Writes of documents so far, for whoever waits for the next one.
    writes: Arc<watch::Sender<u64>>,
}

impl DeviceStore {
    /// Opens (creating if needed) the store file.
    pub async fn open(path: &Path) -> Result<DeviceStore> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(DeviceStore {
            pool,
            media_dir: path.with_extension("media"),
            generations: Arc::default(),
            compacting: Arc::default(),
            writes: Arc::new(watch::Sender::new(0)),
        })
    }

    /// How many times `doc_id` has been written (saved or discarded) since
    /// the store was opened.
    pub fn generation(&self, doc_id: &str) -> u64 {
        let generations = self
            .generations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        generations.get(doc_id).copied().unwrap_or(0)
    }

    /// Marks `doc_id` as being compacted (`true`: false if it already is)
    /// or no longer: one compaction of a document at a time.
    fn compacting(&self, doc_id: &str, start: bool) -> bool {
        let mut set = self
            .compacting
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if start {
            set.insert(doc_id.to_string())
        } else {
            set.remove(doc_id)
        }
    }

    /// Changes with every write of a document (by the app or by sync).
    pub fn writes(&self) -> watch::Receiver<u64> {
        self.writes.subscribe()
    }

    /// Counts a write of `doc_id`, returning its new generation.
    fn written(&self, doc_id: &str) -> u64 {
        let generation = {
            let mut generations = self
                .generations
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let g = generations.entry(doc_id.to_string()).or_default();
            *g += 1;
            *g
        };
        self.writes.send_modify(|n| *n += 1);
        generation
    }

    /// The document, or `None` if the device does not have it.
    pub async fn load(&self, doc_id: &str) -> Result<Option<AutoCommit>> {
        let (bytes, _) = self.chunks_after(doc_id, 0).await?;
        if bytes.is_empty() {
            return Ok(None);
        }
        Ok(Some(load_chunks(doc_id, &bytes)?))
    }

    /// The chunks of a document numbered after `after`, end to end, and the
    /// number of the last (`after` if there are none): what was written
    /// since someone holding the document read up to `after`.
    pub async fn chunks_after(&self, doc_id: &str, after: i64) -> Result<(Vec<u8>, i64)> {
        let rows =
            sqlx::query("SELECT n, bytes FROM doc_chunks WHERE doc_id = ? AND n > ? ORDER BY n")
                .bind(doc_id)
                .bind(after)
                .fetch_all(&self.pool)
                .await?;
        let mut bytes = Vec::new();
        let mut last = after;
        for r in rows {
            bytes.extend_from_slice(r.try_get::<&[u8], _>("bytes")?);
            last = r.try_get("n")?;
        }
        Ok((bytes, last))
    }

    /// Durably stores what `doc` gained since `before` (and refreshes the
    /// index), in one transaction; `local` marks it for sending. Returns the
    /// document's new [generation](DeviceStore::generation).
    pub async fn save(
        &self,
        doc_id: &str,
        doc: &mut AutoCommit,
        before: &[ChangeHash],
        local: bool,
    ) -> Result<u64> {
        let row = IndexRow::read(doc);
        self.write(doc_id, doc, before, local, row.as_ref()).await
    }

    /// [`DeviceStore::save`] for a record whose state the caller has read
    /// already (the record being filled in), so it is not read again for
    /// the index.
    pub async fn save_record(
        &self,
        doc_id: &str,
        doc: &mut AutoCommit,
        before: &[ChangeHash],
        state: &RecordState,
    ) -> Result<u64> {
        self.write(doc_id, doc, before, true, Some(&IndexRow::of(state)))
            .await
    }

    async fn write(
        &self,
        doc_id: &str,
        doc: &mut AutoCommit,
        before: &[ChangeHash],
        local: bool,
        row: Option<&IndexRow>,
    ) -> Result<u64> {
        let chunk = fieldcheck_core::sync::chunk_since(doc, before);
        // IMMEDIATE: wait for the write lock up front (a background
        // compaction may hold it) rather than fail on upgrading a read.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let next = sqlx::query(
            "SELECT COALESCE(MAX(n), 0) + 1 AS n, COUNT(*) AS c FROM doc_chunks WHERE doc_id = ?",
        )
        .bind(doc_id)
        .fetch_one(&mut *tx)
        .await?;
        let (n, chunks): (i64, i64) = (next.try_get("n")?, next.try_get::<i64, _>("c")? + 1);
        sqlx::query("INSERT INTO doc_chunks (doc_id, n, bytes) VALUES (?, ?, ?)")
            .bind(doc_id)
            .bind(n)
            .bind(&chunk)
            .execute(&mut *tx)
            .await?;
        if let Some(row) = row {
            upsert_index(&mut tx, doc_id, row).await?;
        }
        if local {
            sqlx::query("INSERT OR IGNORE INTO dirty (doc_id) VALUES (?)")
                .bind(doc_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let generation = self.written(doc_id);
        if compaction_due(chunks, n) && self.compacting(doc_id, true) {
            let (store, id) = (self.clone(), doc_id.to_string());
            tokio::spawn(async move {
                // Saves that came due meanwhile left it to this task.
                loop {
                    if let Err(e) = store.compact(&id).await {
                        tracing::warn!(doc = id, error = %e, "compaction failed; the chunks stay");
                        break;
                    }
                    match store.chunk_numbers(&id).await {
                        Ok((chunks, last)) if compaction_due(chunks, last) => continue,
                        _ => break,
                    }
                }
                store.compacting(&id, false);
            });
        }
        Ok(generation)
    }

    /// Rewrites a document's chunks as one snapshot. Runs in the background
    /// after a save. The chunks are read and rewritten outside the write
    /// lock, which is taken only to swap them, so a save meanwhile waits
    /// for the swap and not for the rewrite; chunks saved meanwhile come
    /// after the snapshot and are kept. One transaction: a crash leaves the
    /// chunks as they were.
    pub async fn compact(&self, doc_id: &str) -> Result<()> {
        if self.chunk_numbers(doc_id).await?.0 < 2 {
            return Ok(());
        }
        let (bytes, last) = self.chunks_after(doc_id, 0).await?;
        let id = doc_id.to_string();
        let snapshot = tokio::task::spawn_blocking(move || {
            Ok::<_, StoreError>(load_chunks(&id, &bytes)?.save())
        })
        .await
        .map_err(std::io::Error::other)??;
        // IMMEDIATE, as in `save`: no save can come between the two writes.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let swapped = sqlx::query("UPDATE doc_chunks SET bytes = ? WHERE doc_id = ? AND n = ?")
            .bind(snapshot)
            .bind(doc_id)
            .bind(last)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // Gone: a compaction that ran meanwhile has folded it in already.
        if swapped == 0 {
            return Ok(());
        }
        sqlx::query("DELETE FROM doc_chunks WHERE doc_id = ? AND n < ?")
            .bind(doc_id)
            .bind(last)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many chunks a document is stored as, and the number of the last.
    async fn chunk_numbers(&self, doc_id: &str) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS c, COALESCE(MAX(n), 0) AS n FROM doc_chunks WHERE doc_id = ?",
        )
        .bind(doc_id)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("c")?, row.try_get("n")?))
    }

    /// How many chunks a document is stored as.
    pub async fn chunk_count(&self, doc_id: &str) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS c FROM doc_chunks WHERE doc_id = ?")
                .bind(doc_id)
                .fetch_one(&self.pool)
                .await?
                .try_get("c")?,
        )
    }

    pub async fn dirty(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT doc_id FROM dirty ORDER BY doc_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("doc_id")?)).collect()
    }

    /// What a sync session learnt from frames that arrived together, in
    /// one transaction: the documents the server acknowledged (no longer
    /// dirty, no longer refused), the sync states of the documents it
    /// touched, and the server's cursor.
    pub async fn progress(
        &self,
        acknowledged: &[String],
        states: &[(String, Vec<u8>)],
        cursor: Option<u64>,
    ) -> Result<()> {
        if acknowledged.is_empty() && states.is_empty() && cursor.is_none() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for doc_id in acknowledged {
            for table in ["dirty", "rejections"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE doc_id = ?"))
                    .bind(doc_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for (doc_id, state) in states {
            sqlx::query("INSERT INTO sync_states (doc_id, state) VALUES (?, ?) ON CONFLICT (doc_id) DO UPDATE SET state = excluded.state")
                .bind(doc_id)
                .bind(state)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(seq) = cursor {
            sqlx::query("INSERT INTO meta (key, value) VALUES ('cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(seq.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The server refused this document's local changes.
    pub async fn rejected(&self, doc_id: &str, reason: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO rejections (doc_id, reason, at) VALUES (?, ?, ?)
             ON CONFLICT (doc_id) DO UPDATE SET reason = excluded.reason, at = excluded.at",
        )
        .bind(doc_id)
        .bind(reason)
        .bind(jiff::Timestamp::now().as_millisecond())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Documents with refused changes and the server's reasons.
    pub async fn rejections(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT doc_id, reason FROM rejections ORDER BY at, doc_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("doc_id")?, r.try_get("reason")?)))
            .collect()
    }

    /// Throws away the device's copy of a document, refused changes and
    /// all, and marks it to be fetched again from the server on the next
    /// connection. The user's way out of a rejection.
    pub async fn discard_local(&self, doc_id: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for table in ["doc_chunks", "sync_states", "records", "rejections"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE doc_id = ?"))
                .bind(doc_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT OR IGNORE INTO dirty (doc_id) VALUES (?)")
            .bind(doc_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.written(doc_id);
        Ok(())
    }

    pub async fn cursor(&self) -> Result<u64> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'cursor'")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .and_then(|r| r.try_get::<String, _>("value").ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    pub async fn sync_states(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let rows = sqlx::query("SELECT doc_id, state FROM sync_states")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("doc_id")?, r.try_get("state")?)))
            .collect()
    }

    /// The record index, newest first.
    pub async fn records(&self) -> Result<Vec<RecordRow>> {
        let rows = sqlx::query("SELECT doc_id, store_id, template_id, status, updated_at FROM records ORDER BY updated_at DESC, doc_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RecordRow {
                    doc_id: r.try_get("doc_id")?,
                    store_id: r.try_get("store_id")?,
                    template_id: r.try_get("template_id")?,
                    status: r.try_get("status")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Drops and rebuilds the record index from the documents.
    pub async fn rebuild_index(&self) -> Result<usize> {
        let ids: Vec<String> = sqlx::query("SELECT DISTINCT doc_id FROM doc_chunks")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("doc_id"))
            .collect::<Result<_, _>>()?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM records").execute(&mut *tx).await?;
        tx.commit().await?;
        let mut n = 0;
        for id in ids {
            if let Some(doc) = self.load(&id).await?
                && let Some(row) = IndexRow::read(&doc)
            {
                let mut tx = self.pool.begin().await?;
                upsert_index(&mut tx, &id, &row).await?;
                tx.commit().await?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// A document from its chunks stored end to end (the snapshot, then the
/// changes saved after it), in one load rather than one per chunk.
fn load_chunks(doc_id: &str, bytes: &[u8]) -> Result<AutoCommit> {
    AutoCommit::load(bytes).map_err(|e| StoreError::Corrupt(doc_id.to_string(), Box::new(e)))
}

/// What the record index keeps of a record: its header, status and when it
/// last changed status. Read on its own, not with the record's answers.
struct IndexRow {
    header: Header,
    status: Status,
    updated_at: i64,
}

impl IndexRow {
    /// The row of a record document; `None` for other documents.
    fn read(doc: &AutoCommit) -> Option<IndexRow> {
        let header: Header = hydrate_prop(doc, ROOT, "header").ok()?;
        let status = hydrate_prop(doc, ROOT, "status").ok()?;
        let history: Vec<StatusChange> = hydrate_prop(doc, ROOT, "history").ok()?;
        let updated_at = history.last().map_or(header.started_at, |h| h.at);
        Some(IndexRow {
            header,
            status,
            updated_at,
        })
    }

    fn of(s: &RecordState) -> IndexRow {
        IndexRow {
            header: s.header.clone(),
            status: s.status,
            updated_at: s.history.last().map_or(s.header.started_at, |h| h.at),
        }
    }
}

async fn upsert_index(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    doc_id: &str,
    s: &IndexRow,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO records (doc_id, store_id, template_id, kind, mode, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (doc_id) DO UPDATE SET store_id = excluded.store_id, template_id = excluded.template_id,
             kind = excluded.kind, mode = excluded.mode, status = excluded.status, updated_at = excluded.updated_at",
    )
    .bind(doc_id)
    .bind(&s.header.store_id)
    .bind(&s.header.template_id)
    .bind(s.header.kind.as_str())
    .bind(s.header.mode.as_str())
    .bind(s.status.as_str())
    .bind(s.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use automerge::ReadDoc;
    use automerge::transaction::Transactable;

    use super::*;

    #[tokio::test]
    async fn many_saves_are_compacted_in_the_background_without_losing_any() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = DeviceStore::open(&dir.path().join("d.db"))
            .await
            .expect("open");
        let mut doc = AutoCommit::new();
        for i in 0..60i64 {
            let before = doc.get_heads();
            doc.put(automerge::ROOT, format!("k{i}"), i).expect("put");
            store
                .save("doc", &mut doc, &before, true)
                .await
                .expect("save");
        }
        // The compactions run on their own; give them a moment to finish.
        for _ in 0..100 {
            if !compaction_due(store.chunk_count("doc").await.expect("count"), 60) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let chunks = store.chunk_count("doc").await.expect("count");
        assert!(chunks <= COMPACT_AFTER, "{chunks} chunks left");
        let mut loaded = store.load("doc").await.expect("load").expect("doc");
        assert_eq!(loaded.get_heads(), doc.get_heads());
        assert_eq!(loaded.keys(automerge::ROOT).count(), 60);
    }
}
