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

use crate::store::{Storage, StorageError};
use crate::sync::docs::{DocCache, DocError};

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
        let cursor = storage.materialised().await?;
        let (changed, seq) = storage.changed_since(cursor).await?;
        // Records kept without a score whose template has since been
        // published; once per call, so a template that fails to load
        // cannot keep the loop going.
        let unscored: Vec<String> = if !std::mem::take(&mut first) {
            Vec::new()
        } else {
            storage.unscored_records().await?
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
            storage.replace_derived(&rows).await?;
            done += batch.len();
            progress(done, total);
        }
        storage.advance_materialised(seq).await?;
    }
}

/// Empties the derived tables and derives them again from every document.
pub async fn rebuild(
    storage: &Storage,
    docs: &DocCache,
    templates: &Templates,
    progress: impl FnMut(usize, usize),
) -> Result<usize> {
    storage.clear_derived().await?;
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
