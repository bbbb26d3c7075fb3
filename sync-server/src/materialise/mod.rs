//! The materialiser: turns record documents into the relational tables
//! managers query (`m_*`, see migrations 0003). It follows the changes feed
//! like a device does, with a cursor of its own, so it is incremental (one
//! new audit touches only its rows), catches up after a crash or a missed
//! notification, and rebuilds everything from the documents alone when the
//! cursor is reset (`fieldcheck-server rebuild`).

pub mod leader;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fieldcheck_core::records::derive::{Derived, derive};
use fieldcheck_core::records::gate::Published;
use fieldcheck_core::records::{RecordState, change_history};
use fieldcheck_core::refdata::DocKind;
use fieldcheck_core::templates::{Format, Template};
use sqlx::{Any, Row, Transaction};

use crate::store::actions::M_ACTIONS;
use crate::store::sql::{Arg, Sql};
use crate::store::{Storage, StorageError};
use crate::sync::docs::{DocCache, DocError};

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

crate::internal_from!(MaterialiseError);

impl From<sqlx::Error> for MaterialiseError {
    fn from(e: sqlx::Error) -> Self {
        MaterialiseError::Storage(e.into())
    }
}

type Result<T, E = MaterialiseError> = std::result::Result<T, E>;

/// Records derived and written per transaction.
const BATCH: usize = 50;

/// Template id and version -> the parsed template, `None` if not published.
type Parsed = HashMap<(String, String), Option<Arc<Template>>>;

/// How long the record gate trusts what it read of the published templates.
pub const PUBLISHED_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// What was read of the published templates, and when.
type ReadAt = (std::time::Instant, Arc<Published>);

/// Published templates by id and version, parsed once.
#[derive(Debug, Default, Clone)]
pub struct Templates {
    parsed: Arc<Mutex<Parsed>>,
    /// Every published version's kind and mode, for the record gate, and
    /// when it was read.
    published: Arc<Mutex<Option<ReadAt>>>,
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
        let body = storage.template_body(id, version).await?;
        let parsed = match body {
            Some(body) => match Template::load(&body, Format::Json) {
                Ok(t) => Some(Arc::new(t)),
                Err(e) => {
                    tracing::error!(template = id, version, error = ?e, "a published template no longer loads");
                    None
                }
            },
            None => None,
        };
        self.lock().insert(key, parsed.clone());
        Ok(parsed)
    }

    /// Forgets what was looked up, after a template is published.
    pub fn clear(&self) {
        self.lock().clear();
        *self.published.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The kind and mode of every published version, which new records must
    /// carry. Kept until [`Templates::clear`] (a template published here or,
    /// with PostgreSQL, on another replica) and read again after
    /// [`PUBLISHED_TTL`], for versions the command line published meanwhile.
    pub async fn published(&self, storage: &Storage) -> Result<Arc<Published>> {
        if let Some((at, p)) = &*self.published.lock().unwrap_or_else(|p| p.into_inner())
            && at.elapsed() < PUBLISHED_TTL
        {
            return Ok(p.clone());
        }
        let mut out = Published::new();
        for (id, version, body) in storage.template_bodies().await? {
            match Template::load(&body, Format::Json) {
                Ok(t) => {
                    out.insert((id, version), (t.kind, t.mode));
                }
                Err(e) => {
                    tracing::error!(template = id, version, error = ?e, "a published template no longer loads");
                }
            }
        }
        let out = Arc::new(out);
        *self.published.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((std::time::Instant::now(), out.clone()));
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Parsed> {
        self.parsed.lock().unwrap_or_else(|p| p.into_inner())
    }
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
            // Reference documents are indexed as they are written (`refdocs`).
            .filter(|m| m.kind == DocKind::Record)
            .map(|m| m.doc_id)
            .chain(unscored)
            .collect();
        let total = done + ids.len();
        // One transaction per batch: a burst of synced audits costs a few
        // commits, not one per record.
        for batch in ids.chunks(BATCH) {
            let mut rows = Vec::with_capacity(batch.len());
            for id in batch {
                rows.push((id.as_str(), derive_one(storage, docs, templates, id).await?));
            }
            let mut tx = storage.pool().begin().await?;
            for table in TABLES {
                let mut delete = Sql::new(&format!("DELETE FROM {table} WHERE doc_id IN "));
                delete.in_list(rows.iter().map(|(id, _)| *id));
                delete.query().persistent(false).execute(&mut *tx).await?;
            }
            write(&mut tx, &rows).await?;
            tx.commit().await?;
            done += batch.len();
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

/// The rows one document derives to now, with its sequence; `None` for a
/// document that is not (yet) a record.
async fn derive_one(
    storage: &Storage,
    docs: &DocCache,
    templates: &Templates,
    id: &str,
) -> Result<Option<(i64, Derived)>> {
    let (state, history) = {
        let mut doc = docs.lock(id).await?;
        let state: Option<RecordState> = autosurgeon::hydrate(&*doc).ok();
        (state, change_history(&mut doc))
    };
    let Some(state) = state else {
        return Ok(None);
    };
    let seq = storage.doc_meta(id).await?.map_or(0, |m| m.seq);
    let template = templates
        .get(
            storage,
            &state.header.template_id,
            &state.header.template_version,
        )
        .await?;
    Ok(Some((
        seq,
        derive(id, &state, template.as_deref(), &history),
    )))
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Inserts the rows of a batch of records, a table at a time, many rows
/// per statement. The statements are not kept as prepared statements:
/// through sqlx's `Any` driver a NULL binds as an integer on PostgreSQL, and
/// a statement first prepared with a NULL would keep that type.
async fn write(
    tx: &mut Transaction<'_, Any>,
    batch: &[(&str, Option<(i64, Derived)>)],
) -> Result<()> {
    let mut records = Rows::new(
        "m_records",
        &[
            "doc_id",
            "seq",
            "store_id",
            "template_id",
            "template_version",
            "kind",
            "mode",
            "author",
            "status",
            "started_at",
            "ended_at",
            "submitted_at",
            "reviewed_at",
            "updated_at",
            "scored",
            "score",
            "passed",
            "complete",
            "rule_set",
            "lat",
            "lon",
        ],
    );
    let mut answers = Rows::new(
        "m_answers",
        &[
            "doc_id",
            "item_id",
            "section_id",
            "value",
            "outcome",
            "failed",
            "note",
            "evidence",
            "by_user",
            "at",
        ],
    );
    let mut sections = Rows::new(
        "m_sections",
        &[
            "doc_id",
            "section_id",
            "weight",
            "earned",
            "possible",
            "score",
            "zeroed",
        ],
    );
    let mut constructs = Rows::new("m_constructs", &["doc_id", "construct_id", "role", "score"]);
    let mut events = Rows::new("m_events", &["doc_id", "n", "status", "by_user", "at"]);
    let mut comments = Rows::new(
        "m_comments",
        &["doc_id", "comment_id", "item_id", "body", "by_user", "at"],
    );
    let mut actions = Rows::new("m_actions", M_ACTIONS);
    let mut history = Rows::new(
        "m_history",
        &["doc_id", "n", "change_hash", "author", "at", "message"],
    );
    for (id, derived) in batch {
        let Some((seq, d)) = derived else { continue };
        let id = *id;
        let r = &d.record;
        records.push(vec![
            id.into(),
            (*seq).into(),
            r.store_id.as_str().into(),
            r.template_id.as_str().into(),
            r.template_version.as_str().into(),
            r.kind.as_str().into(),
            r.mode.as_str().into(),
            r.author.as_str().into(),
            r.status.as_str().into(),
            r.started_at.into(),
            r.ended_at.into(),
            r.submitted_at.into(),
            r.reviewed_at.into(),
            r.updated_at.into(),
            flag(r.scored).into(),
            r.score.into(),
            r.passed.map(flag).into(),
            r.complete.map(flag).into(),
            r.rule_set.clone().into(),
            r.lat.into(),
            r.lon.into(),
        ]);
        for a in &d.answers {
            answers.push(vec![
                id.into(),
                a.item_id.as_str().into(),
                a.section_id.clone().into(),
                a.value.as_str().into(),
                a.outcome.into(),
                flag(a.failed).into(),
                a.note.clone().into(),
                a.evidence.into(),
                a.by.as_str().into(),
                a.at.into(),
            ]);
        }
        for x in &d.sections {
            sections.push(vec![
                id.into(),
                x.section_id.as_str().into(),
                x.weight.into(),
                x.earned.into(),
                x.possible.into(),
                x.score.into(),
                flag(x.zeroed).into(),
            ]);
        }
        for c in &d.constructs {
            constructs.push(vec![
                id.into(),
                c.construct_id.as_str().into(),
                c.role.as_str().into(),
                c.score.into(),
            ]);
        }
        for e in &d.events {
            events.push(vec![
                id.into(),
                e.n.into(),
                e.status.as_str().into(),
                e.by.as_str().into(),
                e.at.into(),
            ]);
        }
        for c in &d.comments {
            comments.push(vec![
                id.into(),
                c.comment_id.as_str().into(),
                c.item_id.clone().into(),
                c.text.as_str().into(),
                c.by.as_str().into(),
                c.at.into(),
            ]);
        }
        for a in &d.actions {
            actions.push(vec![
                id.into(),
                a.action_id.as_str().into(),
                a.item_id.as_str().into(),
                a.description.as_str().into(),
                a.assignee.as_str().into(),
                a.due.as_str().into(),
                a.status.as_str().into(),
                a.created_by.as_str().into(),
                a.created_at.into(),
                a.done_at.into(),
                a.verified_by.clone().into(),
                a.verified_at.into(),
                a.verified_record.clone().into(),
            ]);
        }
        for h in &d.history {
            history.push(vec![
                id.into(),
                h.n.into(),
                h.hash.as_str().into(),
                h.author.clone().into(),
                h.at.into(),
                h.message.clone().into(),
            ]);
        }
    }
    for rows in [
        records, answers, sections, constructs, events, comments, actions, history,
    ] {
        rows.insert(tx).await?;
    }
    Ok(())
}

/// Rows for one table, inserted many to a statement.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Arg>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Arg>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    async fn insert(self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        // A few hundred parameters a statement: sqlx looks each one up by
        // name on SQLite, so very long statements cost more than they save.
        let per_statement = (400 / self.columns.len()).max(1);
        for chunk in self.rows.chunks(per_statement) {
            let mut sql = Sql::new(&format!(
                "INSERT INTO {} ({}) VALUES ",
                self.table,
                self.columns.join(", ")
            ));
            for (i, row) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.in_list(row.iter().cloned());
            }
            sql.query().persistent(false).execute(&mut **tx).await?;
        }
        Ok(())
    }
}
