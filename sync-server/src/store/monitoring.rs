//! What the daily monitoring reads of the derived tables: the records
//! submitted in a span, by template and mode, and the failed answers in them.

use sqlx::Row;

use crate::store::ratings::counted;
use crate::store::sql::Sql;
use crate::store::{Storage, StorageError};

/// Records submitted in a span, of one template and mode.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Submitted {
    pub template_id: String,
    pub kind: String,
    pub mode: String,
    pub records: i64,
    pub mean_score: Option<f64>,
    /// Checklist visits below their pass threshold or knocked out.
    pub not_passed: i64,
}

/// A failed answer in a record submitted in the span.
#[derive(Debug, Clone)]
pub struct FailedAnswer {
    pub doc_id: String,
    pub store_id: String,
    pub template_id: String,
    pub template_version: String,
    pub item_id: String,
}

fn span(sql: &mut Sql, from: i64, to: i64) {
    sql.push(" AND r.submitted_at >= ")
        .bind(from)
        .push(" AND r.submitted_at < ")
        .bind(to);
}

/// The counted records submitted in `[from, to)` that `visible` admits.
pub async fn submitted(
    storage: &Storage,
    visible: impl Fn(&mut Sql),
    from: i64,
    to: i64,
) -> Result<Vec<Submitted>, StorageError> {
    let mut sql = Sql::new(
        "SELECT r.template_id, r.kind, r.mode, CAST(COUNT(*) AS BIGINT) AS records,
             AVG(r.score) AS mean_score,
             CAST(COALESCE(SUM(CASE WHEN r.passed = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS not_passed
         FROM m_records r WHERE 1 = 1",
    );
    span(&mut sql, from, to);
    counted(&mut sql, true);
    visible(&mut sql);
    sql.push(" GROUP BY r.template_id, r.kind, r.mode ORDER BY r.template_id, r.mode");
    sql.rows(storage, |r| {
        Ok(Submitted {
            template_id: r.try_get("template_id")?,
            kind: r.try_get("kind")?,
            mode: r.try_get("mode")?,
            records: r.try_get("records")?,
            mean_score: r.try_get("mean_score")?,
            not_passed: r.try_get("not_passed")?,
        })
    })
    .await
}

/// The failed answers of the counted checklist visits submitted in `[from, to)`.
pub async fn failed_answers(
    storage: &Storage,
    visible: impl Fn(&mut Sql),
    from: i64,
    to: i64,
) -> Result<Vec<FailedAnswer>, StorageError> {
    let mut sql = Sql::new(
        "SELECT r.doc_id, r.store_id, r.template_id, r.template_version, a.item_id
         FROM m_answers a JOIN m_records r ON r.doc_id = a.doc_id
         WHERE a.failed = 1 AND r.kind = 'checklist'",
    );
    span(&mut sql, from, to);
    counted(&mut sql, false);
    visible(&mut sql);
    sql.push(" ORDER BY r.submitted_at, r.doc_id, a.item_id");
    sql.rows(storage, |r| {
        Ok(FailedAnswer {
            doc_id: r.try_get("doc_id")?,
            store_id: r.try_get("store_id")?,
            template_id: r.try_get("template_id")?,
            template_version: r.try_get("template_version")?,
            item_id: r.try_get("item_id")?,
        })
    })
    .await
}
