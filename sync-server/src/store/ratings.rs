//! What ratings and indices read of the materialised records: scored
//! visits, answers and section scores by item, construct scores, and
//! survey answers.

use std::collections::BTreeMap;

use fieldcheck_core::ratings::DayCell;
use fieldcheck_core::records::Status;
use fieldcheck_core::templates::{TemplateRef, split_key};
use fieldcheck_core::vocab::VisitMode;
use jiff::civil::Date;
use sqlx::Row;

use crate::store::sql::Sql;
use crate::store::{Engine, Result, Storage};

/// Cells read at a time by [`Storage::store_days`].
const PAGE: usize = 50_000;

/// A cell as the engines spell it in JSON: store, day, template, version,
/// mode, visits, score sum and sum of squares (as text) and passes.
type CellRow = (
    String,
    String,
    String,
    String,
    String,
    u64,
    String,
    String,
    u64,
);

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
    /// When the record was started (what `today()` reads).
    pub started_at: i64,
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
    /// visits in `scope` (its condition on `store_id`) that match `f`, a row
    /// per store, day, template version and mode. Summing them by period is
    /// left to core: a query that groups by month costs more (a sort) than
    /// it saves.
    ///
    /// Read as one JSON array per [`PAGE`] cells, not row by row: through
    /// sqlx's `Any` driver a row costs about 9 us (the column list is built
    /// again for every row, and SQLite's rows cross between threads one at a
    /// time), a national year of cells over a second; the engine builds the
    /// array in a tenth of that. Sums travel as text, exactly (SQLite's
    /// `quote`, PostgreSQL's shortest exact form), as JSON numbers from
    /// SQLite would keep 15 digits only.
    pub async fn store_days(
        &self,
        scope: impl Fn(&mut Sql),
        f: &DayFilter<'_>,
    ) -> Result<Vec<DayCell>> {
        let (aggregate, exact) = match self.engine() {
            Engine::Sqlite => ("json_group_array(json_array", "quote"),
            Engine::Postgres => ("json_agg(json_build_array", "text"),
        };
        let mut out = Vec::new();
        let mut after: Option<[String; 5]> = None;
        loop {
            let mut sql = Sql::new(&format!(
                "SELECT CAST({aggregate}(store_id, day, template_id, template_version, mode,
                     visits, {exact}(score_sum), {exact}(score_sq), passed)) AS TEXT) AS page
                 FROM (SELECT * FROM m_store_days WHERE 1 = 1"
            ));
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
            if let Some(key) = &after {
                sql.push(" AND (store_id, day, template_id, template_version, mode) > ")
                    .in_list(key.iter().map(String::as_str));
            }
            sql.push(&format!(
                " ORDER BY store_id, day, template_id, template_version, mode LIMIT {PAGE}) p"
            ));
            let page: Option<String> = sql.query().fetch_one(self.pool()).await?.try_get("page")?;
            let decode = |e: String| sqlx::Error::Decode(e.into());
            let rows: Vec<CellRow> = match page {
                Some(json) => serde_json::from_str(&json).map_err(|e| decode(e.to_string()))?,
                None => Vec::new(),
            };
            let full = rows.len() == PAGE;
            // The next page starts after this one's greatest key (the
            // aggregate need not keep the subquery's order).
            after = rows
                .iter()
                .map(|r| [&r.0, &r.1, &r.2, &r.3, &r.4])
                .max()
                .map(|key| key.map(String::clone));
            let number = |s: &str| {
                // SQLite quotes a real as itself; PostgreSQL spells it out.
                s.parse::<f64>().map_err(|e| decode(format!("{s}: {e}")))
            };
            for r in rows {
                out.push(DayCell {
                    day: r
                        .1
                        .parse()
                        .map_err(|e: jiff::Error| decode(e.to_string()))?,
                    store: r.0,
                    template: TemplateRef {
                        id: r.2,
                        version: r.3,
                    },
                    mystery: r.4 == VisitMode::Mystery.as_str(),
                    visits: r.5,
                    score_sum: number(&r.6)?,
                    score_sq: number(&r.7)?,
                    passed: r.8,
                });
            }
            if !full {
                return Ok(out);
            }
        }
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
        // An item of a repeated section is answered once per entry
        // (`item@entry`): its entries count together, as the item's.
        let mut by_item: BTreeMap<(String, String, Option<String>), (i64, i64)> = BTreeMap::new();
        for r in &rows {
            let item: String = r.try_get("item_id")?;
            let key = (
                r.try_get("template_id")?,
                split_key(&item).0.to_string(),
                r.try_get("section_id")?,
            );
            let counts = by_item.entry(key).or_default();
            counts.0 += r.try_get::<i64, _>("answered")?;
            counts.1 += r.try_get::<Option<i64>, _>("failed")?.unwrap_or(0);
        }
        Ok(by_item
            .into_iter()
            .map(
                |((template_id, item_id, section_id), (answered, failed))| ItemFailures {
                    template_id,
                    item_id,
                    section_id,
                    answered,
                    failed,
                },
            )
            .collect())
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
            "SELECT r.doc_id, r.store_id, r.started_at, a.item_id, a.value FROM m_answers a
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
                    started_at: r.try_get("started_at")?,
                    item_id: r.try_get("item_id")?,
                    value: r.try_get("value")?,
                })
            })
            .collect()
    }
}
