//! The store hierarchy's table: read for ratings and scope checks, written
//! from imports. It indexes the hierarchy documents (`sync::refdocs`).

use std::collections::{BTreeMap, BTreeSet};

use std::sync::Arc;

use fieldcheck_core::ratings::{Hierarchy, Level, Unit, under_nation};
use fieldcheck_core::reference::{DEFAULT_TIME_ZONE, UnitRecord};
use fieldcheck_core::templates::Channel;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::store::{Storage, StorageError};

const COLUMNS: &str =
    "unit_id, parent_id, level, name_zh, name_en, channel, address, lat, lon, time_zone, traffic";

/// The hierarchy as ratings read it, kept between requests while the
/// units table stays as it was: its row count and latest update, one cheap
/// query that sees other replicas' imports too.
#[derive(Debug, Default)]
pub struct HierarchyCache(tokio::sync::Mutex<Option<(TableVersion, Arc<Hierarchy>)>>);

/// The units table's row count and latest `updated_at`.
type TableVersion = (i64, i64);

impl HierarchyCache {
    /// The stored hierarchy under its national root.
    pub async fn get(&self, storage: &Storage) -> Result<Arc<Hierarchy>, StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(MAX(updated_at), 0) AS BIGINT) AS at FROM units",
        )
        .fetch_one(storage.pool())
        .await?;
        let version: TableVersion = (row.try_get("n")?, row.try_get("at")?);
        let mut cached = self.0.lock().await;
        if let Some((v, h)) = cached.as_ref()
            && *v == version
        {
            return Ok(h.clone());
        }
        let units = load(storage).await?.into_iter().map(|r| r.unit).collect();
        // Imports check the hierarchy before they write it.
        let h = Arc::new(
            Hierarchy::new(under_nation(units)).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        );
        *cached = Some((version, h.clone()));
        Ok(h)
    }
}

/// Every unit, parents before children.
pub async fn load(storage: &Storage) -> Result<Vec<UnitRecord>, StorageError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM units ORDER BY unit_id"))
        .fetch_all(storage.pool())
        .await?;
    rows.iter().map(unit_of).collect()
}

/// One unit, if it exists.
pub async fn find(storage: &Storage, id: &str) -> Result<Option<UnitRecord>, StorageError> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM units WHERE unit_id = $1"))
        .bind(id)
        .fetch_optional(storage.pool())
        .await?
        .as_ref()
        .map(unit_of)
        .transpose()
}

fn unit_of(r: &AnyRow) -> Result<UnitRecord, StorageError> {
    let level: String = r.try_get("level")?;
    let channel: Option<String> = r.try_get("channel")?;
    Ok(UnitRecord {
        unit: Unit {
            id: r.try_get("unit_id")?,
            parent: r.try_get("parent_id")?,
            // Written by `import` from parsed values only.
            level: Level::parse(&level).unwrap_or(Level::Store),
            channel: channel.as_deref().and_then(Channel::parse),
            traffic: r.try_get("traffic")?,
            time_zone: r.try_get("time_zone")?,
        },
        name_zh: r.try_get("name_zh")?,
        name_en: r.try_get("name_en")?,
        address: r.try_get("address")?,
        lat: r.try_get("lat")?,
        lon: r.try_get("lon")?,
    })
}

/// Inserts or replaces units in the table.
pub async fn write(
    tx: &mut Transaction<'_, Any>,
    units: &[UnitRecord],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    // Not prepared once: see `materialise::write` on NULLs and PostgreSQL.
    for u in units {
        sqlx::query(
            "INSERT INTO units (unit_id, parent_id, level, name_zh, name_en, channel, address, lat, lon, time_zone, traffic, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (unit_id) DO UPDATE SET parent_id = excluded.parent_id, level = excluded.level,
                 name_zh = excluded.name_zh, name_en = excluded.name_en, channel = excluded.channel,
                 address = excluded.address, lat = excluded.lat, lon = excluded.lon,
                 time_zone = excluded.time_zone, traffic = excluded.traffic, updated_at = excluded.updated_at",
        )
        .persistent(false)
        .bind(&u.unit.id)
        .bind(&u.unit.parent)
        .bind(u.unit.level.as_str())
        .bind(&u.name_zh)
        .bind(&u.name_en)
        .bind(u.unit.channel.map(|c| c.as_str()))
        .bind(&u.address)
        .bind(u.lat)
        .bind(u.lon)
        .bind(&u.unit.time_zone)
        .bind(u.unit.traffic)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Every store's time zone, by store id.
pub async fn store_zones(
    tx: &mut Transaction<'_, Any>,
) -> Result<BTreeMap<String, String>, sqlx::Error> {
    let rows = sqlx::query("SELECT unit_id, time_zone FROM units WHERE level = 'store'")
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("unit_id")?, r.try_get("time_zone")?)))
        .collect()
}

/// Stores whose time zone differs between `before` and `after` (a store
/// missing from one counts in the default zone there).
pub fn moved(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let zone = |zones: &BTreeMap<String, String>, id: &str| {
        zones
            .get(id)
            .map_or(DEFAULT_TIME_ZONE, |z| z.as_str())
            .to_string()
    };
    before
        .keys()
        .chain(after.keys())
        .filter(|id| zone(before, id) != zone(after, id))
        .cloned()
        .collect()
}

/// Empties the table, before it is rebuilt from the documents.
pub async fn clear(tx: &mut Transaction<'_, Any>) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM units").execute(&mut **tx).await?;
    Ok(())
}
