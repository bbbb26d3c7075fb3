//! Documents in memory: loaded from storage on demand, one lock per document
//! so that concurrent sessions apply changes one after another, and evicted
//! when idle or when the cache is over capacity, so memory stays bounded
//! however many documents the server holds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::{AutoCommit, ChangeHash};
use fieldcheck_core::records::{self, Header};
use fieldcheck_core::refdata::{self, Assignment, DocKind, UnitsDoc};

use crate::store::{Audit, COMPACT_AFTER, DocMeta, Storage, StorageError};

struct Entry {
    doc: Arc<tokio::sync::Mutex<Option<AutoCommit>>>,
    last_used_ms: AtomicU64,
}

/// A locked, loaded document.
pub struct DocGuard {
    guard: tokio::sync::OwnedMutexGuard<Option<AutoCommit>>,
}

impl std::fmt::Debug for DocGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocGuard")
            .field("loaded", &self.guard.is_some())
            .finish()
    }
}

impl std::fmt::Debug for DocCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocCache")
            .field("loaded", &self.loaded())
            .field("capacity", &self.inner.capacity)
            .finish()
    }
}

impl DocGuard {
    /// Forgets the in-memory copy; the next lock reloads it from storage.
    pub fn discard(&mut self) {
        *self.guard = None;
    }
}

impl std::ops::Deref for DocGuard {
    type Target = AutoCommit;
    fn deref(&self) -> &AutoCommit {
        // Filled before the guard is handed out.
        self.guard
            .as_ref()
            .unwrap_or_else(|| unreachable!("loaded"))
    }
}

impl std::ops::DerefMut for DocGuard {
    fn deref_mut(&mut self) -> &mut AutoCommit {
        self.guard
            .as_mut()
            .unwrap_or_else(|| unreachable!("loaded"))
    }
}

/// The cache. Cheap to clone.
#[derive(Clone)]
pub struct DocCache {
    inner: Arc<Inner>,
}

struct Inner {
    storage: Storage,
    entries: Mutex<HashMap<String, Arc<Entry>>>,
    capacity: usize,
    started: Instant,
}

#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("stored document {0} does not load: {1}")]
    Corrupt(String, automerge::AutomergeError),
}

impl DocCache {
    pub fn new(storage: Storage, capacity: usize) -> DocCache {
        DocCache {
            inner: Arc::new(Inner {
                storage,
                entries: Mutex::new(HashMap::new()),
                capacity: capacity.max(1),
                started: Instant::now(),
            }),
        }
    }

    pub fn storage(&self) -> &Storage {
        &self.inner.storage
    }

    fn now_ms(&self) -> u64 {
        self.inner.started.elapsed().as_millis() as u64
    }

    fn entry(&self, id: &str) -> Arc<Entry> {
        let mut map = self.inner.entries.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map
            .entry(id.to_string())
            .or_insert_with(|| {
                Arc::new(Entry {
                    doc: Arc::new(tokio::sync::Mutex::new(None)),
                    last_used_ms: AtomicU64::new(0),
                })
            })
            .clone();
        entry.last_used_ms.store(self.now_ms(), Ordering::Relaxed);
        let over = map.len().saturating_sub(self.inner.capacity);
        if over > 0 {
            evict(&mut map, over, u64::MAX);
        }
        entry
    }

    /// Locks the document, loading it if needed (empty if it does not exist).
    pub async fn lock(&self, id: &str) -> Result<DocGuard, DocError> {
        let entry = self.entry(id);
        let mut guard = entry.doc.clone().lock_owned().await;
        if guard.is_none() {
            let chunks = self.inner.storage.load_chunks(id).await?;
            let mut doc = AutoCommit::new();
            for c in &chunks {
                doc.load_incremental(c)
                    .map_err(|e| DocError::Corrupt(id.to_string(), e))?;
            }
            *guard = Some(doc);
        }
        Ok(DocGuard { guard })
    }

    /// Another replica stored changes: bring the cached copy (if any) up to
    /// date from storage. Loading chunks it already has is harmless.
    pub async fn refresh(&self, id: &str) -> Result<(), DocError> {
        let entry = {
            let map = self.inner.entries.lock().unwrap_or_else(|p| p.into_inner());
            map.get(id).cloned()
        };
        let Some(entry) = entry else { return Ok(()) };
        let mut guard = entry.doc.clone().lock_owned().await;
        if let Some(doc) = guard.as_mut() {
            for c in self.inner.storage.load_chunks(id).await? {
                doc.load_incremental(&c)
                    .map_err(|e| DocError::Corrupt(id.to_string(), e))?;
            }
        }
        Ok(())
    }

    /// Drops documents unused for `idle`; returns how many.
    pub fn evict_idle(&self, idle: Duration) -> usize {
        let cutoff = self.now_ms().saturating_sub(idle.as_millis() as u64);
        let mut map = self.inner.entries.lock().unwrap_or_else(|p| p.into_inner());
        evict(&mut map, usize::MAX, cutoff)
    }

    pub fn loaded(&self) -> usize {
        self.inner
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}

/// Removes up to `n` entries last used before `cutoff_ms`, oldest first,
/// skipping documents someone is working on.
fn evict(map: &mut HashMap<String, Arc<Entry>>, n: usize, cutoff_ms: u64) -> usize {
    let mut idle: Vec<(u64, String)> = map
        .iter()
        // Only the map holds it: nobody is between `entry()` and `lock()`, nobody holds a guard.
        .filter(|(_, e)| Arc::strong_count(e) == 1 && Arc::strong_count(&e.doc) == 1)
        .map(|(k, e)| (e.last_used_ms.load(Ordering::Relaxed), k.clone()))
        .filter(|(t, _)| *t < cutoff_ms)
        .collect();
    idle.sort();
    idle.truncate(n);
    for (_, k) in &idle {
        map.remove(k);
    }
    idle.len()
}

/// Stores the changes `doc` gained since `before`: appends them as a chunk
/// under the next sequence number, with `audit` (the entry recording the
/// write, if it came through the API) in the same transaction, compacting
/// when the chunks pile up, and returns the document's metadata with that
/// sequence.
pub async fn store(
    storage: &Storage,
    id: &str,
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    now_ms: i64,
    audit: Option<&Audit>,
) -> Result<DocMeta, StorageError> {
    if refdata::is_reference(id) {
        let mut meta = reference_meta(id, doc);
        let chunk = fieldcheck_core::sync::chunk_since(doc, before);
        let (seq, chunks) = storage.append(&meta, &chunk, &[], now_ms, audit).await?;
        if chunks > COMPACT_AFTER {
            storage.compact(id, &doc.save()).await?;
        }
        meta.seq = seq;
        return Ok(meta);
    }
    // The header for the index; the gate has checked the record's shape.
    let header: Option<Header> = autosurgeon::hydrate_prop(&*doc, automerge::ROOT, "header").ok();
    let mut meta = DocMeta {
        doc_id: id.to_string(),
        seq: 0,
        store_id: header
            .as_ref()
            .map(|h| h.store_id.clone())
            .unwrap_or_default(),
        author: header
            .as_ref()
            .map(|h| h.author.clone())
            .unwrap_or_default(),
        mode: header.as_ref().map(|h| h.mode),
        kind: DocKind::Record,
    };
    let chunk = fieldcheck_core::sync::chunk_since(doc, before);
    let media = records::media_refs(doc);
    let (seq, chunks) = storage.append(&meta, &chunk, &media, now_ms, audit).await?;
    if chunks > COMPACT_AFTER {
        storage.compact(id, &doc.save()).await?;
    }
    meta.seq = seq;
    Ok(meta)
}

/// What access checks need of a reference document: the unit it covers
/// (`store_id`), and for an assignment its assignee (`author`) and mode.
fn reference_meta(id: &str, doc: &AutoCommit) -> DocMeta {
    let kind: Option<DocKind> = autosurgeon::hydrate_prop(doc, automerge::ROOT, "kind").ok();
    let (store_id, author, mode) = match kind {
        Some(DocKind::Units) => {
            refdata::read::<UnitsDoc>(doc, DocKind::Units).map(|u| (u.parent, String::new(), None))
        }
        Some(DocKind::Assignment) => refdata::read::<Assignment>(doc, DocKind::Assignment)
            .map(|a| (a.unit_id, a.assignee, Some(a.mode))),
        _ => None,
    }
    .unwrap_or_default();
    DocMeta {
        doc_id: id.to_string(),
        seq: 0,
        store_id,
        author,
        mode,
        kind: kind.unwrap_or(DocKind::Template),
    }
}
