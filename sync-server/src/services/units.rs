//! The store hierarchy: replaced unit by unit from imported tables, all or
//! nothing, by administrators over the units. The hierarchy documents
//! (`sync::refdocs`) are the truth that devices sync; the `units` table
//! indexes them.

use std::collections::BTreeMap;

use fieldcheck_core::ratings::Unit;
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::reference::{RowProblem, UnitRecord, parse_units};
use fieldcheck_core::table::Table;
use fieldcheck_core::vocab::Role;

use crate::access::Principal;
use crate::access::admin_over;
use crate::error::Error;
use crate::state::{AppState, now_ms};
use crate::store::derived::redate_stores;
use crate::store::docs::DocCache;
use crate::store::units::{load, moved, store_zones, write};
use crate::store::{Audit, DocMeta, insert_audit};
use crate::sync::refdocs;

/// Checks a table against the stored hierarchy and, if every row is good,
/// writes its units: the hierarchy documents first (the truth), then the
/// table in one transaction.
pub async fn import(
    docs: &DocCache,
    table: &Table,
    now_ms: i64,
    audit: Option<&Audit>,
) -> Result<Imported, Error> {
    let storage = docs.storage();
    let existing = load(storage).await?;
    let plain: Vec<Unit> = existing.iter().map(|r| r.unit.clone()).collect();
    let units = parse_units(table, &plain).map_err(Error::Invalid)?;
    let mut all: BTreeMap<String, UnitRecord> = existing
        .into_iter()
        .map(|r| (r.unit.id.clone(), r))
        .collect();
    all.extend(units.iter().map(|u| (u.unit.id.clone(), u.clone())));
    let all: Vec<UnitRecord> = all.into_values().collect();
    let changed = refdocs::put_units(docs, &all, now_ms).await?;
    let mut tx = storage.pool().begin().await?;
    let zones_before = store_zones(&mut tx).await?;
    write(&mut tx, &units, now_ms).await?;
    // Records are dated in their store's time zone (the ratings sums).
    let moved = moved(&zones_before, &store_zones(&mut tx).await?);
    redate_stores(&mut tx, &moved).await?;
    if let Some(entry) = audit {
        insert_audit(&mut tx, entry, now_ms).await?;
    }
    tx.commit().await?;
    Ok(Imported {
        units: units.len(),
        changed,
    })
}

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    pub units: usize,
    /// Reference documents that changed, to announce to devices.
    pub changed: Vec<DocMeta>,
}

/// The units in `who`'s scope, under `under` and of `level` if given,
/// parents before children.
pub async fn list(
    app: &AppState,
    who: &Principal,
    under: Option<&str>,
    level: Option<&str>,
) -> Result<Vec<UnitRecord>, Error> {
    Ok(load(&app.storage)
        .await?
        .into_iter()
        .filter(|u| who.scope.covers(&u.unit.id))
        .filter(|u| under.is_none_or(|p| in_scope(p, &u.unit.id)))
        .filter(|u| level.is_none_or(|l| u.unit.level.as_str() == l))
        .collect())
}

/// What a unit import did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UnitsImported {
    pub imported: usize,
    /// Hierarchy documents that changed and were sent to devices.
    pub documents_changed: usize,
}

/// Adds or updates units from a table (columns `UNIT_COLUMNS`), as an
/// administrator over every one of them, with an audit entry; the changed
/// hierarchy documents go to connected devices.
pub async fn put(app: &AppState, who: &Principal, table: &Table) -> Result<UnitsImported, Error> {
    if who.role != Role::Admin {
        return Err(Error::admins_only());
    }
    let outside: Vec<RowProblem> = table
        .rows
        .iter()
        .filter_map(|(row, cells)| {
            let id = cells.get("id")?;
            admin_over(who, id).err().map(|e| RowProblem {
                row: *row,
                column: Some("id".into()),
                message: e.msg(),
            })
        })
        .collect();
    if !outside.is_empty() {
        return Err(Error::Invalid(outside));
    }
    let ids: Vec<&String> = table.rows.iter().filter_map(|(_, c)| c.get("id")).collect();
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: "units.put".into(),
        target: "units".into(),
        detail: serde_json::json!({ "units": ids }).to_string(),
    };
    let done = import(&app.docs, table, now_ms(), Some(&entry)).await?;
    let changed = done.changed.len();
    app.announce(done.changed);
    Ok(UnitsImported {
        imported: done.units,
        documents_changed: changed,
    })
}
