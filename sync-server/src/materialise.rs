//! The materialiser: turns record documents into the relational tables
//! managers query (`m_*`, see migrations 0003). It follows the changes feed
//! like a device does, with a cursor of its own, so it is incremental (one
//! new audit touches only its rows), catches up after a crash or a missed
//! notification, and rebuilds everything from the documents alone when the
//! cursor is reset (`fieldcheck-server rebuild`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fieldcheck_core::records::derive::{Derived, derive};
use fieldcheck_core::records::{RecordState, change_history};
use fieldcheck_core::templates::{Format, Template};
use sqlx::{Any, Row, Transaction};

use crate::docs::{DocCache, DocError};
use crate::storage::{Storage, StorageError};

/// Derived tables, children first.
const TABLES: [&str; 8] = [
    "m_answers",
    "m_sections",
    "m_constructs",
    "m_events",
    "m_comments",
    "m_actions",
    "m_history",
    "m_records",
];

#[derive(Debug, thiserror::Error)]
pub enum MaterialiseError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Doc(#[from] DocError),
}

impl From<sqlx::Error> for MaterialiseError {
    fn from(e: sqlx::Error) -> Self {
        MaterialiseError::Storage(e.into())
    }
}

type Result<T, E = MaterialiseError> = std::result::Result<T, E>;

/// Template id and version -> the parsed template, `None` if not published.
type Parsed = HashMap<(String, String), Option<Arc<Template>>>;

/// Published templates by id and version, parsed once.
#[derive(Debug, Default, Clone)]
pub struct Templates {
    parsed: Arc<Mutex<Parsed>>,
}

impl Templates {
    pub async fn get(
        &self,
        storage: &Storage,
        id: &str,
        version: &str,
    ) -> Result<Option<Arc<Template>>> {
        let key = (id.to_string(), version.to_string());
        if let Some(Some(t)) = self.lock().get(&key) {
            return Ok(Some(t.clone()));
        }
        let row = sqlx::query("SELECT body FROM templates WHERE template_id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .fetch_optional(storage.pool())
            .await?;
        let parsed = match row {
            Some(r) => {
                let body: String = r.try_get("body")?;
                match Template::load(&body, Format::Json) {
                    Ok(t) => Some(Arc::new(t)),
                    Err(e) => {
                        tracing::error!(template = id, version, error = ?e, "a published template no longer loads");
                        None
                    }
                }
            }
            None => None,
        };
        self.lock().insert(key, parsed.clone());
        Ok(parsed)
    }

    /// Forgets what was looked up, after a template is published.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Parsed> {
        self.parsed.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Stores a validated template version so records pinned to it are scored.
/// Publishing the same version twice changes nothing.
pub async fn publish(storage: &Storage, t: &Template, now_ms: i64) -> Result<bool> {
    let body = String::from_utf8_lossy(&t.canonical_json()).into_owned();
    let done = sqlx::query(
        "INSERT INTO templates (template_id, version, kind, body, published_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (template_id, version) DO NOTHING",
    )
    .persistent(false)
    .bind(&t.id)
    .bind(&t.version)
    .bind(t.kind.as_str())
    .bind(body)
    .bind(now_ms)
    .execute(storage.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Brings the derived tables up to the changes feed; returns how many
/// documents it (re)materialised. `progress(done, total)` is called as it goes.
pub async fn catch_up(
    storage: &Storage,
    docs: &DocCache,
    templates: &Templates,
    mut progress: impl FnMut(usize, usize),
) -> Result<usize> {
    let mut done = 0;
    let mut first = true;
    loop {
        let cursor: i64 = sqlx::query("SELECT seq FROM m_cursor WHERE id = 1")
            .fetch_one(storage.pool())
            .await?
            .try_get("seq")?;
        let (changed, seq) = storage.changed_since(cursor).await?;
        // Records kept without a score whose template has since been
        // published; once per call, so a template that fails to load
        // cannot keep the loop going.
        let unscored: Vec<String> = if !std::mem::take(&mut first) {
            Vec::new()
        } else {
            sqlx::query(
                "SELECT r.doc_id FROM m_records r JOIN templates t
               ON t.template_id = r.template_id AND t.version = r.template_version
             WHERE r.scored = 0",
            )
            .fetch_all(storage.pool())
            .await?
            .iter()
            .map(|r| r.try_get("doc_id"))
            .collect::<Result<_, _>>()?
        };
        if changed.is_empty() && unscored.is_empty() {
            return Ok(done);
        }
        let ids: Vec<String> = changed
            .into_iter()
            .map(|m| m.doc_id)
            .chain(unscored)
            .collect();
        let total = done + ids.len();
        for id in ids {
            one(storage, docs, templates, &id).await?;
            done += 1;
            progress(done, total);
        }
        sqlx::query("UPDATE m_cursor SET seq = $1 WHERE id = 1 AND seq < $1")
            .bind(seq)
            .execute(storage.pool())
            .await?;
    }
}

/// Empties the derived tables and derives them again from every document.
pub async fn rebuild(
    storage: &Storage,
    docs: &DocCache,
    templates: &Templates,
    progress: impl FnMut(usize, usize),
) -> Result<usize> {
    let mut tx = storage.pool().begin().await?;
    for table in TABLES {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE m_cursor SET seq = 0 WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    catch_up(storage, docs, templates, progress).await
}

/// Replaces one document's rows with those derived from it now.
async fn one(storage: &Storage, docs: &DocCache, templates: &Templates, id: &str) -> Result<()> {
    let (state, history, seq) = {
        let mut doc = docs.lock(id).await?;
        let state: Option<RecordState> = autosurgeon::hydrate(&*doc).ok();
        let history = change_history(&mut doc);
        (
            state,
            history,
            storage.doc_meta(id).await?.map_or(0, |m| m.seq),
        )
    };
    let Some(state) = state else {
        // Not a record (or not yet one): nothing to derive.
        return Ok(());
    };
    let template = templates
        .get(
            storage,
            &state.header.template_id,
            &state.header.template_version,
        )
        .await?;
    let rows = derive(id, &state, template.as_deref(), &history);
    let mut tx = storage.pool().begin().await?;
    for table in TABLES {
        sqlx::query(&format!("DELETE FROM {table} WHERE doc_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    write(&mut tx, id, seq, &rows).await?;
    tx.commit().await?;
    Ok(())
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// The inserts are not kept as prepared statements: through sqlx's `Any`
/// driver a NULL binds as an integer on PostgreSQL, and a statement first
/// prepared with a NULL would keep that type for the values that follow.
async fn write(tx: &mut Transaction<'_, Any>, id: &str, seq: i64, d: &Derived) -> Result<()> {
    let r = &d.record;
    sqlx::query(
        "INSERT INTO m_records (doc_id, seq, store_id, template_id, template_version, kind, mode, author, status,
             started_at, ended_at, submitted_at, reviewed_at, updated_at, scored, score, passed, complete, rule_set, lat, lon)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
    )
    .persistent(false)
    .bind(id)
    .bind(seq)
    .bind(&r.store_id)
    .bind(&r.template_id)
    .bind(&r.template_version)
    .bind(&r.kind)
    .bind(&r.mode)
    .bind(&r.author)
    .bind(&r.status)
    .bind(r.started_at)
    .bind(r.ended_at)
    .bind(r.submitted_at)
    .bind(r.reviewed_at)
    .bind(r.updated_at)
    .bind(flag(r.scored))
    .bind(r.score)
    .bind(r.passed.map(flag))
    .bind(r.complete.map(flag))
    .bind(&r.rule_set)
    .bind(r.lat)
    .bind(r.lon)
    .execute(&mut **tx)
    .await?;
    for a in &d.answers {
        sqlx::query(
            "INSERT INTO m_answers (doc_id, item_id, section_id, value, outcome, failed, note, evidence, by_user, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .persistent(false)
        .bind(id)
        .bind(&a.item_id)
        .bind(&a.section_id)
        .bind(&a.value)
        .bind(a.outcome)
        .bind(flag(a.failed))
        .bind(&a.note)
        .bind(a.evidence)
        .bind(&a.by)
        .bind(a.at)
        .execute(&mut **tx)
        .await?;
    }
    for s in &d.sections {
        sqlx::query(
            "INSERT INTO m_sections (doc_id, section_id, weight, earned, possible, score, zeroed)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .persistent(false)
        .bind(id)
        .bind(&s.section_id)
        .bind(s.weight)
        .bind(s.earned)
        .bind(s.possible)
        .bind(s.score)
        .bind(flag(s.zeroed))
        .execute(&mut **tx)
        .await?;
    }
    for c in &d.constructs {
        sqlx::query(
            "INSERT INTO m_constructs (doc_id, construct_id, role, score) VALUES ($1, $2, $3, $4)",
        )
        .persistent(false)
        .bind(id)
        .bind(&c.construct_id)
        .bind(&c.role)
        .bind(c.score)
        .execute(&mut **tx)
        .await?;
    }
    for e in &d.events {
        sqlx::query(
            "INSERT INTO m_events (doc_id, n, status, by_user, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .persistent(false)
        .bind(id)
        .bind(e.n)
        .bind(&e.status)
        .bind(&e.by)
        .bind(e.at)
        .execute(&mut **tx)
        .await?;
    }
    for c in &d.comments {
        sqlx::query(
            "INSERT INTO m_comments (doc_id, comment_id, item_id, body, by_user, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .persistent(false)
        .bind(id)
        .bind(&c.comment_id)
        .bind(&c.item_id)
        .bind(&c.text)
        .bind(&c.by)
        .bind(c.at)
        .execute(&mut **tx)
        .await?;
    }
    for a in &d.actions {
        sqlx::query(
            "INSERT INTO m_actions (doc_id, action_id, item_id, description, assignee, due, status, created_by,
                 created_at, done_at, verified_by, verified_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .persistent(false)
        .bind(id)
        .bind(&a.action_id)
        .bind(&a.item_id)
        .bind(&a.description)
        .bind(&a.assignee)
        .bind(&a.due)
        .bind(&a.status)
        .bind(&a.created_by)
        .bind(a.created_at)
        .bind(a.done_at)
        .bind(&a.verified_by)
        .bind(a.verified_at)
        .execute(&mut **tx)
        .await?;
    }
    for h in &d.history {
        sqlx::query(
            "INSERT INTO m_history (doc_id, n, change_hash, author, at, message) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .persistent(false)
        .bind(id)
        .bind(h.n)
        .bind(&h.hash)
        .bind(&h.author)
        .bind(h.at)
        .bind(&h.message)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
