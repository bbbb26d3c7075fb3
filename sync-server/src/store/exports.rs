//! What exports read: records a page at a time with their answers, and
//! corrective actions, in the caller's view.

use fieldcheck_core::records::derive::AnswerRow;
use sqlx::Row;

use crate::store::actions::{ACTION_COLUMNS, ActionOnRecord, action_of};
use crate::store::sql::Sql;
use crate::store::{Result, Storage};

/// Which records (and their actions) an export covers, besides visibility.
#[derive(Debug, Default)]
pub struct ExportFilter<'a> {
    pub statuses: Vec<&'a str>,
    /// A unit: its stores and those below it.
    pub store: Option<&'a str>,
    pub template: Option<&'a str>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// A record's header row.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub doc_id: String,
    pub store_id: String,
    pub template_id: String,
    pub template_version: String,
    pub mode: String,
    pub author: String,
    pub status: String,
    pub started_at: i64,
    pub submitted_at: Option<i64>,
    pub score: Option<f64>,
    pub passed: Option<bool>,
    pub complete: Option<bool>,
}

fn filtered(base: &str, visible: &dyn Fn(&mut Sql), f: &ExportFilter<'_>) -> Sql {
    let mut sql = Sql::new(base);
    visible(&mut sql);
    sql.push(" AND status IN ")
        .in_list(f.statuses.iter().copied());
    if let Some(s) = f.store {
        sql.under("store_id", s);
    }
    if let Some(t) = f.template {
        sql.push(" AND template_id = ").bind(t);
    }
    if let Some(v) = f.from {
        sql.push(" AND started_at >= ").bind(v);
    }
    if let Some(v) = f.to {
        sql.push(" AND started_at < ").bind(v);
    }
    sql
}

const ACTIONS_JOINED: &str = "FROM m_actions a JOIN (SELECT doc_id, store_id, template_id, template_version, mode, author, status, started_at FROM m_records WHERE 1 = 1";

impl Storage {
    async fn count(&self, sql: &Sql) -> Result<i64> {
        Ok(sql
            .query()
            .fetch_one(self.pool())
            .await?
            .try_get::<i64, _>(0)?)
    }

    /// How many records `visible` admits and `f` covers.
    pub async fn count_records(
        &self,
        visible: impl Fn(&mut Sql),
        f: &ExportFilter<'_>,
    ) -> Result<i64> {
        self.count(&filtered(
            "SELECT COUNT(*) FROM m_records WHERE 1 = 1",
            &visible,
            f,
        ))
        .await
    }

    /// The next page of records after the id `after`, by id.
    pub async fn records_after(
        &self,
        visible: impl Fn(&mut Sql),
        f: &ExportFilter<'_>,
        after: &str,
        limit: i64,
    ) -> Result<Vec<RecordRow>> {
        let mut sql = filtered(
            "SELECT doc_id, store_id, template_id, template_version, mode, author, status, started_at,
                    submitted_at, score, passed, complete FROM m_records WHERE 1 = 1",
            &visible,
            f,
        );
        sql.push(" AND doc_id > ").bind(after);
        sql.push(" ORDER BY doc_id LIMIT ").bind(limit);
        let rows = sql.query().fetch_all(self.pool()).await?;
        let flag = |r: &sqlx::any::AnyRow, c: &str| -> Result<Option<bool>> {
            Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v != 0))
        };
        rows.iter()
            .map(|r| {
                Ok(RecordRow {
                    doc_id: r.try_get("doc_id")?,
                    store_id: r.try_get("store_id")?,
                    template_id: r.try_get("template_id")?,
                    template_version: r.try_get("template_version")?,
                    mode: r.try_get("mode")?,
                    author: r.try_get("author")?,
                    status: r.try_get("status")?,
                    started_at: r.try_get("started_at")?,
                    submitted_at: r.try_get("submitted_at")?,
                    score: r.try_get("score")?,
                    passed: flag(r, "passed")?,
                    complete: flag(r, "complete")?,
                })
            })
            .collect()
    }

    /// The answers of these records (core's derived rows), by record and
    /// item.
    pub async fn answers_of(&self, doc_ids: &[&str]) -> Result<Vec<(String, AnswerRow)>> {
        let mut sql = Sql::new(
            "SELECT doc_id, item_id, section_id, value, outcome, failed, note, evidence, by_user, at
             FROM m_answers WHERE doc_id IN ",
        );
        sql.in_list(doc_ids.iter().copied())
            .push(" ORDER BY doc_id, item_id");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|a| {
                let answer = AnswerRow {
                    item_id: a.try_get("item_id")?,
                    section_id: a.try_get("section_id")?,
                    value: a.try_get("value")?,
                    outcome: a.try_get("outcome")?,
                    failed: a.try_get::<i64, _>("failed")? != 0,
                    note: a.try_get("note")?,
                    evidence: a.try_get("evidence")?,
                    by: a.try_get("by_user")?,
                    at: a.try_get("at")?,
                };
                Ok((a.try_get("doc_id")?, answer))
            })
            .collect()
    }

    /// How many actions are on the records `visible` admits and `f` covers.
    pub async fn count_actions(
        &self,
        visible: impl Fn(&mut Sql),
        f: &ExportFilter<'_>,
    ) -> Result<i64> {
        let mut sql = filtered(&format!("SELECT COUNT(*) {ACTIONS_JOINED}"), &visible, f);
        sql.push(") r ON r.doc_id = a.doc_id");
        self.count(&sql).await
    }

    /// A page of those actions, soonest due first.
    pub async fn actions_page(
        &self,
        visible: impl Fn(&mut Sql),
        f: &ExportFilter<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ActionOnRecord>> {
        let mut sql = filtered(
            &format!("SELECT {ACTION_COLUMNS} {ACTIONS_JOINED}"),
            &visible,
            f,
        );
        sql.push(") r ON r.doc_id = a.doc_id ORDER BY a.due, a.doc_id, a.action_id LIMIT ")
            .bind(limit)
            .push(" OFFSET ")
            .bind(offset);
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(action_of).collect()
    }
}
