//! Weight sets as estimated, kept per questionnaire.

use sqlx::Row;

use crate::store::{Storage, StorageError};

/// A kept weight set; `body` is core's `EstimatedWeights` as JSON.
#[derive(Debug, Clone)]
pub struct WeightSetRow {
    pub template_id: String,
    pub set_id: String,
    pub template_version: String,
    pub unit_id: String,
    pub started_from: Option<i64>,
    pub started_to: Option<i64>,
    pub body: String,
    pub estimated_at: i64,
    pub estimated_by: String,
}

const COLUMNS: &str = "template_id, set_id, template_version, unit_id, started_from, started_to, body, estimated_at, estimated_by";

fn row(r: &sqlx::any::AnyRow) -> Result<WeightSetRow, StorageError> {
    Ok(WeightSetRow {
        template_id: r.try_get("template_id")?,
        set_id: r.try_get("set_id")?,
        template_version: r.try_get("template_version")?,
        unit_id: r.try_get("unit_id")?,
        started_from: r.try_get("started_from")?,
        started_to: r.try_get("started_to")?,
        body: r.try_get("body")?,
        estimated_at: r.try_get("estimated_at")?,
        estimated_by: r.try_get("estimated_by")?,
    })
}

/// Keeps a weight set under the first free id of `stem-1`, `stem-2`, ...;
/// the id it took.
pub async fn insert(
    storage: &Storage,
    stem: &str,
    set: &WeightSetRow,
) -> Result<String, StorageError> {
    for n in 1.. {
        let set_id = format!("{stem}-{n}");
        let done = sqlx::query(&format!(
            "INSERT INTO weight_sets ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (template_id, set_id) DO NOTHING"
        ))
        // Not prepared once: see `materialise::write` on NULLs and PostgreSQL.
        .persistent(false)
        .bind(&set.template_id)
        .bind(&set_id)
        .bind(&set.template_version)
        .bind(&set.unit_id)
        .bind(set.started_from)
        .bind(set.started_to)
        .bind(&set.body)
        .bind(set.estimated_at)
        .bind(&set.estimated_by)
        .execute(storage.pool())
        .await?;
        if done.rows_affected() == 1 {
            return Ok(set_id);
        }
    }
    unreachable!("the ids run out only after u64::MAX sets")
}

/// The sets kept for a questionnaire, newest first.
pub async fn list(storage: &Storage, template_id: &str) -> Result<Vec<WeightSetRow>, StorageError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM weight_sets WHERE template_id = $1 ORDER BY estimated_at DESC, set_id DESC"
    ))
    .bind(template_id)
    .fetch_all(storage.pool())
    .await?;
    rows.iter().map(row).collect()
}

/// One kept set.
pub async fn get(
    storage: &Storage,
    template_id: &str,
    set_id: &str,
) -> Result<Option<WeightSetRow>, StorageError> {
    let r = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM weight_sets WHERE template_id = $1 AND set_id = $2"
    ))
    .bind(template_id)
    .bind(set_id)
    .fetch_optional(storage.pool())
    .await?;
    r.as_ref().map(row).transpose()
}
