//! What ratings and indices read of the materialised records: scored
//! visits, answers and section scores by item, construct scores, and
//! survey answers.

use fieldcheck_core::ratings::DayCell;
use fieldcheck_core::records::Status;
use fieldcheck_core::templates::TemplateRef;
use fieldcheck_core::vocab::VisitMode;
use futures_util::TryStreamExt;
use jiff::civil::Date;
use sqlx::Row;

use crate::store::sql::Sql;
use crate::store::{Result, Storage};

/// Which ratings sums to read.
#[derive(Debug, Default)]
pub struct DayFilter<'a> {
    pub template: Option<&'a str>,
    pub mode: Option<VisitMode>,
    /// Local days from `from` and before `until`.
    pub from: Option<Date>,
    pub until: Option<Date>,
}

/// Which records an analysis reads, besides what the caller may see.
#[derive(Debug, Default)]
pub struct RecordFilter<'a> {
    /// checklist or questionnaire.
    pub kind: &'a str,
    /// Interviews quit part-way (`partial`) count too.
    pub with_partial: bool,
    pub template: Option<&'a str>,
    /// A unit: its stores and those below it.
    pub unit: Option<&'a str>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// How often an item was answered and failed.
#[derive(Debug)]
pub struct ItemFailures {
    pub template_id: String,
    pub item_id: String,
    pub section_id: Option<String>,
    pub answered: i64,
    pub failed: i64,
}

/// A section's mean score over the visits that scored it.
#[derive(Debug)]
pub struct SectionMean {
    pub template_id: String,
    pub section_id: String,
    pub mean_score: f64,
    pub visits: i64,
}

/// A construct's score in one response.
#[derive(Debug)]
pub struct ConstructScore {
    pub store_id: String,
    pub construct_id: String,
    pub role: String,
    pub score: f64,
}

/// One stored answer (JSON) of a response.
#[derive(Debug)]
pub struct AnswerRow {
    pub doc_id: String,
    pub store_id: String,
    pub item_id: String,
    pub value: String,
}

pub(crate) fn counted(q: &mut Sql, with_partial: bool) {
    let partial = with_partial.then_some(Status::Partial);
    q.push(" AND r.status IN ").in_list(
        Status::COUNTED
            .into_iter()
            .chain(partial)
            .map(Status::as_str),
    );
}

/// `base` (over `m_records r`) narrowed to what `visible` admits and `f` asks.
fn records(base: &str, visible: &dyn Fn(&mut Sql), f: &RecordFilter<'_>) -> Sql {
    let mut sql = Sql::new(base);
    visible(&mut sql);
    sql.push(" AND r.kind = ").bind(f.kind);
    counted(&mut sql, f.with_partial);
    if let Some(t) = f.template {
        sql.push(" AND r.template_id = ").bind(t);
    }
    if let Some(u) = f.unit {
        sql.under("r.store_id", u);
    }
    if let Some(v) = f.from {
        sql.push(" AND r.started_at >= ").bind(v);
    }
    if let Some(v) = f.to {
        sql.push(" AND r.started_at < ").bind(v);
    }
    sql
}

impl Storage {
    /// The ratings sums (`m_store_days`) of submitted, scored checklist
    /// visits in `scope` (its condition on `store_id`) that match `f`,
    /// read as a stream. With `by_month`, each store's days are summed by
    /// month, template version and mode in the query (a month lies inside
    /// every longer period); the cell's day is then one of that month.
    pub async fn store_days(
        &self,
        scope: impl Fn(&mut Sql),
        f: &DayFilter<'_>,
        by_month: bool,
    ) -> Result<Vec<DayCell>> {
        let span = if by_month { "substr(day, 1, 7)" } else { "day" };
        let mut sql = Sql::new(
            "SELECT store_id, MIN(day) AS day, template_id, template_version, mode,
                 CAST(SUM(visits) AS BIGINT) AS visits, SUM(score_sum) AS score_sum,
                 SUM(score_sq) AS score_sq, CAST(SUM(passed) AS BIGINT) AS passed
             FROM m_store_days WHERE 1 = 1",
        );
        scope(&mut sql);
        if let Some(t) = f.template {
            sql.push(" AND template_id = ").bind(t);
        }
        if let Some(m) = f.mode {
            sql.push(" AND mode = ").bind(m.as_str());
        }
        if let Some(d) = f.from {
            sql.push(" AND day >= ").bind(d.to_string());
        }
        if let Some(d) = f.until {
            sql.push(" AND day < ").bind(d.to_string());
        }
        sql.push(&format!(
            " GROUP BY store_id, {span}, template_id, template_version, mode"
        ));
        let mut rows = sql.query().fetch(self.pool());
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await? {
            let day: String = r.try_get("day")?;
            let mode: String = r.try_get("mode")?;
            out.push(DayCell {
                store: r.try_get("store_id")?,
                // Written by the materialiser from a date.
                day: day
                    .parse()
                    .map_err(|e: jiff::Error| sqlx::Error::Decode(Box::new(e)))?,
                template: TemplateRef {
                    id: r.try_get("template_id")?,
                    version: r.try_get("template_version")?,
                },
                mystery: mode == VisitMode::Mystery.as_str(),
                visits: u64::try_from(r.try_get::<i64, _>("visits")?).unwrap_or(0),
                score_sum: r.try_get("score_sum")?,
                score_sq: r.try_get("score_sq")?,
                passed: u64::try_from(r.try_get::<i64, _>("passed")?).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// Scored answers and failures by item.
    pub async fn item_failures(
        &self,
        visible: impl Fn(&mut Sql),
        f: &RecordFilter<'_>,
    ) -> Result<Vec<ItemFailures>> {
        let mut sql = records(
            "SELECT r.template_id, a.item_id, a.section_id, COUNT(*) AS answered, CAST(SUM(a.failed) AS BIGINT) AS failed
             FROM m_answers a JOIN m_records r ON r.doc_id = a.doc_id WHERE a.outcome IS NOT NULL",
            &visible,
            f,
        );
        sql.push(" GROUP BY r.template_id, a.item_id, a.section_id");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(ItemFailures {
                    template_id: r.try_get("template_id")?,
                    item_id: r.try_get("item_id")?,
                    section_id: r.try_get("section_id")?,
                    answered: r.try_get("answered")?,
                    failed: r.try_get::<Option<i64>, _>("failed")?.unwrap_or(0),
                })
            })
            .collect()
    }

    /// Mean section scores, lowest first.
    pub async fn section_means(
        &self,
        visible: impl Fn(&mut Sql),
        f: &RecordFilter<'_>,
        limit: usize,
    ) -> Result<Vec<SectionMean>> {
        let mut sql = records(
            "SELECT r.template_id, s.section_id, AVG(s.score) AS mean_score, COUNT(s.score) AS visits
             FROM m_sections s JOIN m_records r ON r.doc_id = s.doc_id WHERE s.score IS NOT NULL",
            &visible,
            f,
        );
        sql.push(" GROUP BY r.template_id, s.section_id ORDER BY mean_score, s.section_id LIMIT ")
            .bind(limit as i64);
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(SectionMean {
                    template_id: r.try_get("template_id")?,
                    section_id: r.try_get("section_id")?,
                    mean_score: r.try_get("mean_score")?,
                    visits: r.try_get("visits")?,
                })
            })
            .collect()
    }

    /// Every construct score of the responses.
    pub async fn construct_scores(
        &self,
        visible: impl Fn(&mut Sql),
        f: &RecordFilter<'_>,
    ) -> Result<Vec<ConstructScore>> {
        let sql = records(
            "SELECT r.store_id, c.construct_id, c.role, c.score FROM m_constructs c
             JOIN m_records r ON r.doc_id = c.doc_id WHERE c.score IS NOT NULL",
            &visible,
            f,
        );
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(ConstructScore {
                    store_id: r.try_get("store_id")?,
                    construct_id: r.try_get("construct_id")?,
                    role: r.try_get("role")?,
                    score: r.try_get("score")?,
                })
            })
            .collect()
    }

    /// How many responses each store has.
    pub async fn responses_by_store(
        &self,
        visible: impl Fn(&mut Sql),
        f: &RecordFilter<'_>,
    ) -> Result<Vec<(String, usize)>> {
        let mut sql = records(
            "SELECT r.store_id, COUNT(*) AS n FROM m_records r WHERE 1 = 1",
            &visible,
            f,
        );
        sql.push(" GROUP BY r.store_id");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("store_id")?, r.try_get::<i64, _>("n")? as usize)))
            .collect()
    }

    /// The stored answers of the responses, of one item if given.
    pub async fn answer_rows(
        &self,
        visible: impl Fn(&mut Sql),
        f: &RecordFilter<'_>,
        item: Option<&str>,
    ) -> Result<Vec<AnswerRow>> {
        let mut sql = records(
            "SELECT r.doc_id, r.store_id, a.item_id, a.value FROM m_answers a
             JOIN m_records r ON r.doc_id = a.doc_id WHERE 1 = 1",
            &visible,
            f,
        );
        if let Some(i) = item {
            sql.push(" AND a.item_id = ").bind(i);
        }
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(AnswerRow {
                    doc_id: r.try_get("doc_id")?,
                    store_id: r.try_get("store_id")?,
                    item_id: r.try_get("item_id")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }
}
