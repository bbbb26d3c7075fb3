//! Reference data on the device: the assignments, stores and templates the
//! server synced down as read-only documents (`fieldcheck_core::refdata`),
//! read from the device store so the app works from them offline.

use std::collections::BTreeMap;

use autosurgeon::Hydrate;
use fieldcheck_core::refdata::{self, Assignment, DocKind, TemplateDoc, UnitsDoc};
use fieldcheck_core::reference::UnitRecord;
use fieldcheck_core::templates::{Format, Template};
use sqlx::Row;

use crate::store::{DeviceStore, Result};

impl DeviceStore {
    /// The reference documents of one kind the device holds.
    async fn reference<T: Hydrate>(&self, kind: DocKind) -> Result<Vec<T>> {
        let prefix = format!("ref:{}:", kind.as_str());
        let ids: Vec<String> = sqlx::query(
            "SELECT DISTINCT doc_id FROM doc_chunks WHERE substr(doc_id, 1, ?) = ? ORDER BY doc_id",
        )
        .bind(prefix.len() as i64)
        .bind(&prefix)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("doc_id"))
        .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(doc) = self.load(&id).await?
                && let Some(value) = refdata::read(&doc, kind)
            {
                out.push(value);
            }
        }
        Ok(out)
    }

    /// The work given to this device's user that is not cancelled, soonest first.
    pub async fn assignments(&self) -> Result<Vec<Assignment>> {
        let mut all: Vec<Assignment> = self.reference(DocKind::Assignment).await?;
        all.retain(|a| !a.cancelled);
        all.sort_by(|a, b| (&a.starts_on, &a.assignment_id).cmp(&(&b.starts_on, &b.assignment_id)));
        Ok(all)
    }

    /// The units of the hierarchy the device knows, parents before children.
    pub async fn units(&self) -> Result<Vec<UnitRecord>> {
        let docs: Vec<UnitsDoc> = self.reference(DocKind::Units).await?;
        let by_id: BTreeMap<String, UnitRecord> = docs
            .iter()
            .flat_map(|d| d.records())
            .map(|u| (u.unit.id.clone(), u))
            .collect();
        Ok(by_id.into_values().collect())
    }

    /// The published template versions the device holds, the earliest
    /// published first.
    pub async fn templates(&self) -> Result<Vec<Template>> {
        let mut docs: Vec<TemplateDoc> = self.reference(DocKind::Template).await?;
        // Oldest published first: the last of an id is its latest version.
        docs.sort_by_key(|d| d.published_at);
        Ok(docs
            .iter()
            .filter_map(|d| match Template::load(&d.body, Format::Json) {
                Ok(t) => Some(t),
                Err(e) => {
                    // Published templates were valid; one that is not came from a newer server.
                    tracing::warn!(template = %d.template_id, error = %e, "a synced template does not load");
                    None
                }
            })
            .collect())
    }
}
