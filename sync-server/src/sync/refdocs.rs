//! Reference documents on the server (design.md decision 1): the store
//! hierarchy, published templates and assignments, written here by the API
//! and the command line and synced down to devices like any document. The
//! `units`, `templates` and `assignments` tables index them for queries;
//! [`reindex`] rebuilds those tables from the documents alone.

use std::collections::{BTreeMap, BTreeSet};

use autosurgeon::Reconcile;
use fieldcheck_core::refdata::{
    self, Assignment, DocKind, TemplateDoc, UnitsDoc, assignment_doc_id, template_doc_id,
    units_doc_id,
};
use fieldcheck_core::reference::UnitRecord;
use fieldcheck_core::templates::{Format, Template};

use crate::store::docs::{self, DocCache, DocError};
use crate::store::units;
use crate::store::{Audit, DocMeta, StorageError, insert_audit};

#[derive(Debug, thiserror::Error)]
pub enum RefError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Doc(Box<DocError>),
    #[error("cannot write reference document {0}: {1}")]
    Reconcile(String, Box<autosurgeon::ReconcileError>),
}

crate::internal_from!(RefError);

impl From<DocError> for RefError {
    fn from(e: DocError) -> Self {
        RefError::Doc(Box::new(e))
    }
}

impl From<sqlx::Error> for RefError {
    fn from(e: sqlx::Error) -> Self {
        RefError::Storage(e.into())
    }
}

type Result<T, E = RefError> = std::result::Result<T, E>;

/// Makes document `id` hold `value` and stores what changed. `None` when
/// nothing did; otherwise the metadata to announce to connected devices.
pub async fn put<T: Reconcile>(
    docs: &DocCache,
    id: &str,
    value: &T,
    now_ms: i64,
) -> Result<Option<DocMeta>> {
    let mut doc = docs.lock(id).await?;
    let before = doc.get_heads();
    refdata::write(&mut doc, value)
        .map_err(|e| RefError::Reconcile(id.to_string(), Box::new(e)))?;
    if doc.get_heads() == before {
        return Ok(None);
    }
    match docs::store(docs.storage(), id, &mut doc, &before, now_ms, None).await {
        Ok(meta) => Ok(Some(meta)),
        Err(e) => {
            // Memory is ahead of storage: forget it.
            doc.discard();
            Err(e.into())
        }
    }
}

/// Writes the hierarchy documents for `all` (the whole hierarchy), emptying
/// documents of units that no longer have children. Returns what changed.
pub async fn put_units(docs: &DocCache, all: &[UnitRecord], now_ms: i64) -> Result<Vec<DocMeta>> {
    let split = UnitsDoc::split(all);
    let wanted: BTreeSet<String> = split.keys().map(|k| units_doc_id(k)).collect();
    let mut changed = Vec::new();
    for (key, doc) in &split {
        changed.extend(put(docs, &units_doc_id(key), doc, now_ms).await?);
    }
    for (id, key) in docs.storage().docs_of_kind(DocKind::Units.as_str()).await? {
        if !wanted.contains(&id) {
            let empty = UnitsDoc {
                kind: DocKind::Units,
                parent: key,
                units: BTreeMap::new(),
            };
            changed.extend(put(docs, &id, &empty, now_ms).await?);
        }
    }
    Ok(changed)
}

/// Publishes a validated template version: its row (with the audit entry
/// of `by`, who publishes it), then its document.
/// Publishing a version twice changes nothing. Returns whether it is new,
/// and the document's metadata.
///
/// The row first: the document's change notice is what tells other
/// replicas to read the published templates again (the record gate holds
/// new records to them), so the row must be there when it arrives.
pub async fn publish(
    docs: &DocCache,
    t: &Template,
    now_ms: i64,
    by: &str,
) -> Result<(bool, Option<DocMeta>)> {
    let mut tx = docs.storage().pool().begin().await?;
    let new = crate::store::templates::insert(&mut tx, t, now_ms).await?;
    let entry = Audit {
        user_id: by.to_string(),
        action: "templates.publish".into(),
        target: t.id.clone(),
        detail: serde_json::json!({ "version": t.version, "new": new }).to_string(),
    };
    insert_audit(&mut tx, &entry, now_ms).await?;
    tx.commit().await?;
    // A version published again keeps its first time: nothing changes.
    let published_at = docs
        .storage()
        .template_published_at(&t.id, &t.version)
        .await?
        .unwrap_or(now_ms);
    let meta = put(
        docs,
        &template_doc_id(&t.id, &t.version),
        &TemplateDoc::new(t, published_at),
        now_ms,
    )
    .await?;
    Ok((new, meta))
}

/// Stores an assignment's document and its row, with the audit entry of the
/// API write (if it is one) in the row's transaction.
pub async fn put_assignment(
    docs: &DocCache,
    a: &Assignment,
    audit: Option<&Audit>,
) -> Result<Option<DocMeta>> {
    let meta = put(docs, &assignment_doc_id(&a.assignment_id), a, a.updated_at).await?;
    let mut tx = docs.storage().pool().begin().await?;
    crate::store::assignments::insert(&mut tx, a).await?;
    if let Some(entry) = audit {
        insert_audit(&mut tx, entry, a.updated_at).await?;
    }
    tx.commit().await?;
    Ok(meta)
}

/// What [`reindex`] found in the documents.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reindexed {
    pub units: usize,
    pub templates: usize,
    pub assignments: usize,
}

/// Rebuilds the `units`, `templates` and `assignments` tables from the
/// reference documents, in one transaction.
pub async fn reindex(docs: &DocCache, now_ms: i64) -> Result<Reindexed> {
    let mut found = Reindexed::default();
    let mut unit_rows: BTreeMap<String, UnitRecord> = BTreeMap::new();
    let mut templates = Vec::new();
    let mut assignments = Vec::new();
    for kind in [DocKind::Units, DocKind::Template, DocKind::Assignment] {
        for (id, _) in docs.storage().docs_of_kind(kind.as_str()).await? {
            let doc = docs.lock(&id).await?;
            match kind {
                DocKind::Units => {
                    if let Some(u) = refdata::read::<UnitsDoc>(&doc, kind) {
                        unit_rows.extend(u.records().map(|r| (r.unit.id.clone(), r)));
                    }
                }
                DocKind::Template => {
                    let t = refdata::read::<TemplateDoc>(&doc, kind).and_then(|d| {
                        let at = if d.published_at > 0 {
                            d.published_at
                        } else {
                            now_ms
                        };
                        Some((Template::load(&d.body, Format::Json).ok()?, at))
                    });
                    templates.extend(t);
                }
                DocKind::Assignment => {
                    assignments.extend(refdata::read::<Assignment>(&doc, kind));
                }
                DocKind::Record => {}
            }
        }
    }
    let mut tx = docs.storage().pool().begin().await?;
    let zones_before = units::store_zones(&mut tx).await?;
    units::clear(&mut tx).await?;
    crate::store::assignments::clear(&mut tx).await?;
    let units: Vec<UnitRecord> = unit_rows.into_values().collect();
    units::write(&mut tx, &units, now_ms).await?;
    found.units = units.len();
    // Records are dated in their store's time zone: a store that changed
    // zone, or came into (or left) the hierarchy, has its records dated again.
    let zones_after = units::store_zones(&mut tx).await?;
    let moved = units::moved(&zones_before, &zones_after);
    crate::store::derived::redate_stores(&mut tx, &moved).await?;
    for (t, published_at) in &templates {
        crate::store::templates::insert(&mut tx, t, *published_at).await?;
    }
    found.templates = templates.len();
    for a in &assignments {
        crate::store::assignments::insert(&mut tx, a).await?;
    }
    found.assignments = assignments.len();
    tx.commit().await?;
    Ok(found)
}
