//! The materialiser: turns record documents into the relational tables
//! managers query (`m_*`, see migrations 0003). It follows the changes feed
//! like a device does, with a cursor of its own, so it is incremental (one
//! new audit touches only its rows), catches up after a crash or a missed
//! notification, and rebuilds everything from the documents alone when the
//! cursor is reset (`fieldcheck-server rebuild`).

pub mod leader;

use fieldcheck_core::records::derive::{Derived, derive};
use fieldcheck_core::records::{RecordState, change_history};
use fieldcheck_core::refdata::DocKind;

use crate::store::docs::{DocCache, DocError};
use crate::store::templates::Templates;
use crate::store::{Storage, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum MaterialiseError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Doc(#[from] DocError),
}

crate::internal_from!(MaterialiseError);

type Result<T, E = MaterialiseError> = std::result::Result<T, E>;

/// Records derived and written per transaction.
const BATCH: usize = 50;

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
