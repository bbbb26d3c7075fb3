//! What scorecards read besides the ratings: the figures the operator
//! entered, and the register of service cases.

use fieldcheck_core::ratings::Period;
use fieldcheck_core::scorecard::{CaseRecord, Entry};
use jiff::civil::Date;
use sqlx::{Any, Row, Transaction};

use crate::store::sql::Sql;
use crate::store::{Storage, StorageError};

/// Inserts entered figures, replacing those of the same unit, period and indicator.
pub async fn put_entries(
    tx: &mut Transaction<'_, Any>,
    entries: &[Entry],
    by: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    for e in entries {
        sqlx::query(
            "INSERT INTO scorecard_entries (unit_id, period, indicator, value, entered_at, entered_by)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (unit_id, period, indicator) DO UPDATE SET value = excluded.value,
                 entered_at = excluded.entered_at, entered_by = excluded.entered_by",
        )
        .bind(&e.unit)
        .bind(e.period.to_string())
        .bind(&e.indicator)
        .bind(e.value)
        .bind(now_ms)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The figures entered for `period`: (unit, indicator, value).
pub async fn entries(
    storage: &Storage,
    period: Period,
) -> Result<Vec<(String, String, f64)>, StorageError> {
    let rows =
        sqlx::query("SELECT unit_id, indicator, value FROM scorecard_entries WHERE period = $1")
            .bind(period.to_string())
            .fetch_all(storage.pool())
            .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("unit_id")?,
                r.try_get("indicator")?,
                r.try_get("value")?,
            ))
        })
        .collect()
}

/// Inserts cases, replacing those with the same id.
pub async fn put_cases(
    tx: &mut Transaction<'_, Any>,
    cases: &[CaseRecord],
    by: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let day = |d: Option<Date>| d.map(|d| d.to_string());
    for c in cases {
        sqlx::query(
            "INSERT INTO service_cases (case_id, unit_id, kind, occurred_on, points, deadline, closed_on,
                 description, entered_at, entered_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (case_id) DO UPDATE SET unit_id = excluded.unit_id, kind = excluded.kind,
                 occurred_on = excluded.occurred_on, points = excluded.points,
                 deadline = excluded.deadline, closed_on = excluded.closed_on,
                 description = excluded.description, entered_at = excluded.entered_at,
                 entered_by = excluded.entered_by",
        )
        // Not prepared once: see `materialise::write` on NULLs and PostgreSQL.
        .persistent(false)
        .bind(&c.id)
        .bind(&c.unit)
        .bind(&c.kind)
        .bind(c.date.to_string())
        .bind(c.points)
        .bind(day(c.deadline))
        .bind(day(c.closed))
        .bind(&c.description)
        .bind(now_ms)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The cases of `[from, until)` that `visible` admits.
pub async fn cases(
    storage: &Storage,
    visible: impl FnOnce(&mut Sql),
    from: Date,
    until: Date,
) -> Result<Vec<CaseRecord>, StorageError> {
    let mut sql = Sql::new(
        "SELECT case_id, unit_id, kind, occurred_on, points, deadline, closed_on, description
         FROM service_cases WHERE occurred_on >= ",
    );
    sql.bind(from.to_string())
        .push(" AND occurred_on < ")
        .bind(until.to_string());
    visible(&mut sql);
    sql.push(" ORDER BY occurred_on, case_id");
    let rows = sql
        .query()
        .persistent(false)
        .fetch_all(storage.pool())
        .await?;
    let day = |t: Option<String>| -> Result<Option<Date>, sqlx::Error> {
        t.map(|t| {
            t.parse()
                .map_err(|e: jiff::Error| sqlx::Error::Decode(Box::new(e)))
        })
        .transpose()
    };
    rows.iter()
        .map(|r| {
            Ok(CaseRecord {
                id: r.try_get("case_id")?,
                unit: r.try_get("unit_id")?,
                kind: r.try_get("kind")?,
                date: day(Some(r.try_get("occurred_on")?))?.unwrap_or(from),
                points: r.try_get("points")?,
                deadline: day(r.try_get("deadline")?)?,
                closed: day(r.try_get("closed_on")?)?,
                description: r.try_get("description")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// A published scheme as sent, with when it was published.
#[derive(Debug, Clone)]
pub struct SchemeRow {
    pub scorecard_id: String,
    pub version: String,
    pub body: String,
    pub published_at: i64,
}

/// Every published scheme version, oldest first.
pub async fn schemes(storage: &Storage) -> Result<Vec<SchemeRow>, StorageError> {
    let rows = sqlx::query(
        "SELECT scorecard_id, version, body, published_at FROM scorecard_schemes
         ORDER BY published_at, scorecard_id, version",
    )
    .fetch_all(storage.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SchemeRow {
                scorecard_id: r.try_get("scorecard_id")?,
                version: r.try_get("version")?,
                body: r.try_get("body")?,
                published_at: r.try_get("published_at")?,
            })
        })
        .collect()
}

/// Keeps a published scheme version; false when that id and version is
/// already there (and it is left as it was).
pub async fn put_scheme(
    tx: &mut Transaction<'_, Any>,
    row: &SchemeRow,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO scorecard_schemes (scorecard_id, version, body, published_at, published_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scorecard_id, version) DO NOTHING",
    )
    .bind(&row.scorecard_id)
    .bind(&row.version)
    .bind(&row.body)
    .bind(row.published_at)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
