//! The `assignments` table, which indexes the assignment documents.

use fieldcheck_core::refdata::{Assignment, DocKind};
use fieldcheck_core::vocab::VisitMode;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::store::sql::Sql;
use crate::store::{Result, Storage};

const COLUMNS: &str = "assignment_id, assignee, template_id, mode, unit_id, starts_on, ends_on, \
                       visits, daily_quota, note, cancelled, created_by, updated_at";

fn assignment_of(r: &AnyRow) -> Result<Assignment> {
    let mode: String = r.try_get("mode")?;
    let count = |c: &str| -> Result<u32, sqlx::Error> {
        Ok(u32::try_from(r.try_get::<i64, _>(c)?).unwrap_or(0))
    };
    Ok(Assignment {
        kind: DocKind::Assignment,
        assignment_id: r.try_get("assignment_id")?,
        assignee: r.try_get("assignee")?,
        template_id: r.try_get("template_id")?,
        // Written from parsed values only.
        mode: VisitMode::parse(&mode).unwrap_or(VisitMode::Overt),
        unit_id: r.try_get("unit_id")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        visits: count("visits")?,
        daily_quota: r
            .try_get::<Option<i64>, _>("daily_quota")?
            .and_then(|q| u32::try_from(q).ok()),
        note: r.try_get("note")?,
        cancelled: r.try_get::<i64, _>("cancelled")? != 0,
        created_by: r.try_get("created_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Which assignments to list.
#[derive(Debug, Default)]
pub struct AssignmentFilter<'a> {
    pub assignee: Option<&'a str>,
    /// Only those whose period includes this day (YYYY-MM-DD).
    pub on: Option<&'a str>,
    pub with_cancelled: bool,
}

impl Storage {
    /// Assignments, the latest starting first.
    pub async fn assignments(&self, f: &AssignmentFilter<'_>) -> Result<Vec<Assignment>> {
        let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM assignments WHERE 1 = 1"));
        if let Some(a) = f.assignee {
            sql.push(" AND assignee = ").bind(a);
        }
        if let Some(day) = f.on {
            // ISO dates compare as text.
            sql.push(" AND starts_on <= ").bind(day);
            sql.push(" AND ends_on >= ").bind(day);
        }
        if !f.with_cancelled {
            sql.push(" AND cancelled = 0");
        }
        sql.push(" ORDER BY starts_on DESC, assignment_id");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(assignment_of).collect()
    }

    pub async fn assignment(&self, id: &str) -> Result<Option<Assignment>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM assignments WHERE assignment_id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(assignment_of).transpose()
    }
}

/// Adds or replaces an assignment's row.
pub async fn insert(tx: &mut Transaction<'_, Any>, a: &Assignment) -> Result<()> {
    sqlx::query(
        "INSERT INTO assignments (assignment_id, assignee, template_id, mode, unit_id, starts_on, ends_on,
             visits, daily_quota, note, cancelled, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (assignment_id) DO UPDATE SET assignee = excluded.assignee, template_id = excluded.template_id,
             mode = excluded.mode, unit_id = excluded.unit_id, starts_on = excluded.starts_on,
             ends_on = excluded.ends_on, visits = excluded.visits, daily_quota = excluded.daily_quota,
             note = excluded.note, cancelled = excluded.cancelled, updated_at = excluded.updated_at",
    )
    // Not prepared once: see `materialise::write` on NULLs and PostgreSQL.
    .persistent(false)
    .bind(&a.assignment_id)
    .bind(&a.assignee)
    .bind(&a.template_id)
    .bind(a.mode.as_str())
    .bind(&a.unit_id)
    .bind(&a.starts_on)
    .bind(&a.ends_on)
    .bind(i64::from(a.visits))
    .bind(a.daily_quota.map(i64::from))
    .bind(&a.note)
    .bind(i64::from(a.cancelled))
    .bind(&a.created_by)
    .bind(a.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Empties the table, before it is rebuilt from the documents.
pub async fn clear(tx: &mut Transaction<'_, Any>) -> Result<()> {
    sqlx::query("DELETE FROM assignments")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
