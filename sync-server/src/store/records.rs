//! The materialised records (`m_records`, `m_answers`) as the review queue
//! and the re-audit check read them.

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use crate::store::sql::Sql;
use crate::store::{Result, Storage};

/// Which records the queue lists.
#[derive(Debug, Default, Clone)]
pub struct QueueFilter<'a> {
    pub statuses: Vec<&'a str>,
    /// A unit: the store or anything above it.
    pub store: Option<&'a str>,
    /// checklist or questionnaire.
    pub kind: &'a str,
    pub author: Option<&'a str>,
    pub template: Option<&'a str>,
    pub mode: Option<&'a str>,
    /// Started at or after / before, ms since the epoch.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub min_score: Option<f64>,
    pub max_score: Option<f64>,
    pub sort: QueueSort,
    pub limit: i64,
    pub offset: i64,
}

/// How the queue is sorted: a column and a direction; records without a
/// score come after those with one, either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSort {
    pub by: SortBy,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Submitted,
    Started,
    Score,
    Store,
}

impl Default for QueueSort {
    /// Newest submitted first.
    fn default() -> Self {
        QueueSort {
            by: SortBy::Submitted,
            descending: true,
        }
    }
}

impl QueueSort {
    /// `started`, `submitted`, `score` or `store`, with `:asc` or `:desc`
    /// (default `:desc`).
    pub fn parse(s: &str) -> Option<QueueSort> {
        let (by, dir) = s.split_once(':').unwrap_or((s, "desc"));
        let by = match by {
            "submitted" => SortBy::Submitted,
            "started" => SortBy::Started,
            "score" => SortBy::Score,
            "store" => SortBy::Store,
            _ => return None,
        };
        let descending = match dir {
            "desc" => true,
            "asc" => false,
            _ => return None,
        };
        Some(QueueSort { by, descending })
    }

    /// The ORDER BY clause, from fixed words only.
    fn order_by(self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        let column = match self.by {
            SortBy::Submitted => "submitted_at",
            SortBy::Started => "started_at",
            SortBy::Score => "score",
            SortBy::Store => "store_id",
        };
        format!(" ORDER BY {column} IS NULL, {column} {dir}, doc_id")
    }
}

/// A record as the queue lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueRow {
    // Public: what notifications read.
    pub doc_id: String,
    pub store_id: String,
    template_id: String,
    template_version: String,
    kind: String,
    mode: String,
    author: String,
    status: String,
    started_at: i64,
    submitted_at: Option<i64>,
    pub updated_at: i64,
    score: Option<f64>,
    passed: Option<bool>,
}

fn push_filters(q: &mut Sql, f: &QueueFilter<'_>) {
    q.push(" AND status IN ")
        .in_list(f.statuses.iter().copied());
    if let Some(s) = f.store {
        q.under("store_id", s);
    }
    q.push(" AND kind = ").bind(f.kind);
    for (column, value) in [
        ("author", f.author),
        ("template_id", f.template),
        ("mode", f.mode),
    ] {
        if let Some(v) = value {
            q.push(&format!(" AND {column} = ")).bind(v);
        }
    }
    for (cond, value) in [
        (" AND started_at >= ", f.from),
        (" AND started_at < ", f.to),
    ] {
        if let Some(v) = value {
            q.push(cond).bind(v);
        }
    }
    for (cond, value) in [
        (" AND score >= ", f.min_score),
        (" AND score <= ", f.max_score),
    ] {
        if let Some(v) = value {
            q.push(cond).bind(v);
        }
    }
}

/// A record as a re-audit: where, in which state, and its answer to one item.
#[derive(Debug)]
pub struct Reaudit {
    pub store_id: String,
    pub status: String,
    pub kind: String,
    pub started_at: i64,
    pub failed: Option<i64>,
    pub outcome: Option<f64>,
}

impl Storage {
    /// The records `visible` admits (it adds its condition on `store_id`,
    /// `author` and `mode`) that match `f`, newest first: how many in all,
    /// and one page.
    pub async fn queue(
        &self,
        visible: impl Fn(&mut Sql),
        f: &QueueFilter<'_>,
    ) -> Result<(i64, Vec<QueueRow>)> {
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM m_records WHERE 1 = 1");
        visible(&mut count);
        push_filters(&mut count, f);
        let total: i64 = count.query().fetch_one(self.pool()).await?.try_get("n")?;

        let mut q = Sql::new(
            "SELECT doc_id, store_id, template_id, template_version, kind, mode, author, status,
                    started_at, submitted_at, updated_at, score, passed FROM m_records WHERE 1 = 1",
        );
        visible(&mut q);
        push_filters(&mut q, f);
        q.push(&f.sort.order_by())
            .push(" LIMIT ")
            .bind(f.limit)
            .push(" OFFSET ")
            .bind(f.offset);
        let rows = q.query().fetch_all(self.pool()).await?;
        let records = rows
            .iter()
            .map(|r| {
                Ok(QueueRow {
                    doc_id: r.try_get("doc_id")?,
                    store_id: r.try_get("store_id")?,
                    template_id: r.try_get("template_id")?,
                    template_version: r.try_get("template_version")?,
                    kind: r.try_get("kind")?,
                    mode: r.try_get("mode")?,
                    author: r.try_get("author")?,
                    status: r.try_get("status")?,
                    started_at: r.try_get("started_at")?,
                    submitted_at: r.try_get("submitted_at")?,
                    updated_at: r.try_get("updated_at")?,
                    score: r.try_get("score")?,
                    passed: r.try_get::<Option<i64>, _>("passed")?.map(|p| p != 0),
                })
            })
            .collect::<Result<_>>()?;
        Ok((total, records))
    }

    /// A materialised record with its answer to `item`, if it is processed.
    pub async fn reaudit(&self, doc_id: &str, item: &str) -> Result<Option<Reaudit>> {
        let row = sqlx::query(
            "SELECT r.store_id, r.status, r.kind, r.started_at, a.failed, a.outcome
             FROM m_records r LEFT JOIN m_answers a ON a.doc_id = r.doc_id AND a.item_id = $2
             WHERE r.doc_id = $1",
        )
        .bind(doc_id)
        .bind(item)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(Reaudit {
            store_id: row.try_get("store_id")?,
            status: row.try_get("status")?,
            kind: row.try_get("kind")?,
            started_at: row.try_get("started_at")?,
            failed: row.try_get("failed")?,
            outcome: row.try_get("outcome")?,
        }))
    }
}
