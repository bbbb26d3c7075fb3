//! Exports as tables: records (one row per record and one column per item,
//! or one row per answer), corrective actions and ratings. Rows are read a
//! page at a time and sent down a channel as they come, so 100,000 records
//! export in bounded memory; the row count comes first. The file formats
//! are `http::exports`.

use std::collections::HashMap;

use fieldcheck_core::msg;
use fieldcheck_core::ratings::NATION;
use tokio::sync::mpsc;

use crate::access::{Principal, Visibility};
use crate::error::Error;
use crate::services::ratings::{self, RatingRequest};
use crate::services::templates;
use crate::state::AppState;
use crate::store::actions::M_ACTIONS;
use crate::store::derived::M_ANSWERS;
use crate::store::exports::{ExportFilter, RecordRow};

/// Rows read per query.
const PAGE: i64 = 500;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        v.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Number)
    }
}

fn time(ms: Option<i64>) -> Cell {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map_or(Cell::Empty, |t| Cell::Text(t.to_string()))
}

/// An answer's JSON as a cell: text as text, numbers as numbers, lists
/// joined with `;`.
fn answer_cell(json: &str) -> Cell {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::String(s)) => Cell::Text(s),
        Ok(serde_json::Value::Number(n)) => n.as_f64().map_or(Cell::Empty, Cell::Number),
        Ok(serde_json::Value::Array(a)) => Cell::Text(
            a.iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join(";"),
        ),
        Ok(serde_json::Value::Null) => Cell::Empty,
        Ok(other) => Cell::Text(other.to_string()),
        Err(_) => Cell::Text(json.to_string()),
    }
}

/// What an export streams: its columns, how many rows, and the rows.
#[derive(Debug)]
pub struct Export {
    pub name: String,
    pub columns: Vec<String>,
    pub total: i64,
    pub rows: mpsc::Receiver<Result<Vec<Cell>, Error>>,
}

/// Column names as an export's header.
fn headings<'a>(columns: impl IntoIterator<Item = &'a &'a str>) -> Vec<String> {
    columns.into_iter().map(|c| c.to_string()).collect()
}

/// Which records (and actions) to export.
#[derive(Debug, Clone, Default)]
pub struct ExportRequest {
    /// One column per item of `template` (wide), or one row per answer.
    pub wide: bool,
    pub template: Option<String>,
    /// Default every status but draft and discarded.
    pub statuses: Vec<String>,
    pub store: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl ExportRequest {
    fn filter(&self) -> ExportFilter<'_> {
        ExportFilter {
            statuses: self.statuses.iter().map(String::as_str).collect(),
            store: self.store.as_deref(),
            template: self.template.as_deref(),
            from: self.from,
            to: self.to,
        }
    }
}

const RECORD_COLUMNS: [&str; 12] = [
    "doc_id",
    "store_id",
    "template_id",
    "template_version",
    "mode",
    "author",
    "status",
    "started_at",
    "submitted_at",
    "score",
    "passed",
    "complete",
];

fn record_cells(r: &RecordRow) -> Vec<Cell> {
    let flag = |v: Option<bool>| {
        v.map_or(Cell::Empty, |v| {
            Cell::Text(if v { "yes" } else { "no" }.into())
        })
    };
    vec![
        Cell::Text(r.doc_id.clone()),
        Cell::Text(r.store_id.clone()),
        Cell::Text(r.template_id.clone()),
        Cell::Text(r.template_version.clone()),
        Cell::Text(r.mode.clone()),
        Cell::Text(r.author.clone()),
        Cell::Text(r.status.clone()),
        time(Some(r.started_at)),
        time(r.submitted_at),
        r.score.into(),
        flag(r.passed),
        flag(r.complete),
    ]
}

/// The records `who` may see that `q` covers.
pub async fn records(app: &AppState, who: &Principal, q: ExportRequest) -> Result<Export, Error> {
    let wide = q.wide;
    let items: Vec<String> = if wide {
        let Some(id) = &q.template else {
            return Err(Error::BadRequest(msg!(
                "exports.wide_needs_template",
                "the wide layout has a column per item: choose a template"
            )));
        };
        let t = templates::newest(app, id)
            .await?
            .ok_or_else(|| Error::NotFound(crate::services::templates::not_published(id)))?;
        // A repeated section's answers are one row per entry and item in
        // the long layout; a column each would not hold them.
        t.items()
            .filter(|(s, _)| s.repeat.is_none())
            .map(|(_, i)| i.id.clone())
            .collect()
    } else {
        Vec::new()
    };
    let visibility = Visibility::of(who);
    let total = app
        .storage
        .count_records(|s| visibility.push_sql(s), &q.filter())
        .await?;
    let columns = if wide {
        let mut columns = headings(&RECORD_COLUMNS);
        columns.extend(items.iter().cloned());
        columns
    } else {
        // The record's header, the answer's own columns as stored, who and when.
        let head = ["doc_id", "store_id", "template_id", "status"];
        headings(head.iter().chain(&M_ANSWERS[1..7]).chain(&["by", "at"]))
    };
    let (tx, rx) = mpsc::channel(256);
    let app = app.clone();
    tokio::spawn(async move {
        let result = page_records(&app, &visibility, &q, &items, &tx).await;
        if let Err(e) = result {
            let _ = tx.send(Err(e)).await;
        }
    });
    Ok(Export {
        name: "records".into(),
        columns,
        total,
        rows: rx,
    })
}

/// Reads records a page at a time, with their answers, into `tx`.
async fn page_records(
    app: &AppState,
    visibility: &Visibility,
    q: &ExportRequest,
    items: &[String],
    tx: &mpsc::Sender<Result<Vec<Cell>, Error>>,
) -> Result<(), Error> {
    let filter = q.filter();
    let mut after = String::new();
    loop {
        let rows = app
            .storage
            .records_after(|s| visibility.push_sql(s), &filter, &after, PAGE)
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.doc_id.clone();
        let ids: Vec<&str> = rows.iter().map(|r| r.doc_id.as_str()).collect();
        let answers = app.storage.answers_of(&ids).await?;
        let mut by_doc: HashMap<&str, Vec<_>> = HashMap::new();
        for (doc, a) in &answers {
            by_doc.entry(doc.as_str()).or_default().push(a);
        }
        for r in &rows {
            let cells = record_cells(r);
            let mine = by_doc
                .get(r.doc_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            if q.wide {
                let mut values: HashMap<&str, Cell> = mine
                    .iter()
                    .map(|a| (a.item_id.as_str(), answer_cell(&a.value)))
                    .collect();
                let mut row = cells;
                row.extend(
                    items
                        .iter()
                        .map(|i| values.remove(i.as_str()).unwrap_or(Cell::Empty)),
                );
                if tx.send(Ok(row)).await.is_err() {
                    return Ok(());
                }
            } else {
                for a in mine {
                    let row = vec![
                        cells[0].clone(),
                        cells[1].clone(),
                        cells[2].clone(),
                        cells[6].clone(),
                        Cell::Text(a.item_id.clone()),
                        Cell::from(a.section_id.clone()),
                        answer_cell(&a.value),
                        Cell::from(a.outcome),
                        Cell::Text(if a.failed { "yes" } else { "no" }.into()),
                        Cell::from(a.note.clone()),
                        Cell::Text(a.by.clone()),
                        time(Some(a.at)),
                    ];
                    if tx.send(Ok(row)).await.is_err() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// The corrective actions on the records `who` may see that `q` covers.
pub async fn actions(app: &AppState, who: &Principal, q: ExportRequest) -> Result<Export, Error> {
    let visibility = Visibility::of(who);
    let total = app
        .storage
        .count_actions(|s| visibility.push_sql(s), &q.filter())
        .await?;
    // The action's columns, after its record's store and template.
    let columns = headings(
        ["doc_id", "store_id", "template_id"]
            .iter()
            .chain(&M_ACTIONS[1..]),
    );
    let (tx, rx) = mpsc::channel(256);
    let app = app.clone();
    tokio::spawn(async move {
        let filter = q.filter();
        let mut offset = 0;
        loop {
            let page = match app
                .storage
                .actions_page(|s| visibility.push_sql(s), &filter, offset, PAGE)
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    let _ = tx.send(Err(e.into())).await;
                    return;
                }
            };
            if page.is_empty() {
                return;
            }
            offset += page.len() as i64;
            for r in page {
                let a = r.action;
                let row = vec![
                    Cell::Text(r.doc_id),
                    Cell::Text(r.store_id),
                    Cell::Text(r.template_id),
                    Cell::Text(a.action_id),
                    Cell::Text(a.item_id),
                    Cell::Text(a.description),
                    Cell::Text(a.assignee),
                    Cell::Text(a.due),
                    Cell::Text(a.status),
                    Cell::Text(a.created_by),
                    time(Some(a.created_at)),
                    time(a.done_at),
                    Cell::from(a.verified_by),
                    time(a.verified_at),
                    Cell::from(a.verified_record),
                ];
                if tx.send(Ok(row)).await.is_err() {
                    return;
                }
            }
        }
    });
    Ok(Export {
        name: "actions".into(),
        columns,
        total,
        rows: rx,
    })
}

/// The columns of a ratings export, one row per unit and period.
const RATING_COLUMNS: &[&str] = &[
    "unit",
    "name_zh",
    "name_en",
    "level",
    "period",
    "score",
    "band",
    "mean",
    "ci_low",
    "ci_high",
    "n",
    "n_eff",
    "visits",
    "mystery_visits",
    "pass_rate",
    "stores_audited",
    "stores_total",
    "coverage_stores",
    "coverage_traffic",
    "suppressed",
    "small_base",
    "low_visits",
    "rank",
    "rank_best",
    "rank_worst",
    "previous_period",
    "change",
    "change_p_value",
    "change_significant",
    "templates",
    "rule_set",
];

/// The ratings `q` asks for, one row per unit and period.
pub async fn ratings(app: &AppState, who: &Principal, q: &RatingRequest) -> Result<Export, Error> {
    let reply = ratings::compute(app, who, q).await?;
    let mut names: HashMap<String, (String, String)> = crate::store::units::load(&app.storage)
        .await?
        .into_iter()
        .map(|u| (u.unit.id, (u.name_zh, u.name_en)))
        .collect();
    names.insert(NATION.into(), ("全国".into(), "National".into()));
    let (tx, rx) = mpsc::channel(256);
    let total = reply.ratings.len() as i64;
    tokio::spawn(async move {
        for s in reply.ratings {
            let r = &s.rating;
            let (zh, en) = names.get(&r.unit).cloned().unwrap_or_default();
            let number = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
            let count = |x: usize| Cell::Number(x as f64);
            let flag = |b: bool| Cell::Text(if b { "yes" } else { "no" }.into());
            let change = s.change.as_ref();
            let test = change.and_then(|c| c.test.as_ref());
            let row = vec![
                Cell::Text(r.unit.clone()),
                Cell::Text(zh),
                Cell::Text(en),
                Cell::Text(r.level.as_str().into()),
                Cell::Text(r.period.to_string()),
                number(r.score),
                // The band's stable code, e.g. `fairly_satisfied`.
                r.band
                    .and_then(|b| serde_json::to_value(b).ok())
                    .and_then(|v| v.as_str().map(|b| Cell::Text(b.into())))
                    .unwrap_or(Cell::Empty),
                Cell::Number(r.estimate.mean),
                number(r.estimate.interval.map(|i| i.lo)),
                number(r.estimate.interval.map(|i| i.hi)),
                count(r.estimate.n),
                Cell::Number(r.estimate.n_eff),
                count(r.visits),
                count(r.mystery_visits),
                Cell::Number(r.pass_rate),
                count(r.stores_audited),
                count(r.stores_total),
                Cell::Number(r.coverage_stores),
                number(r.coverage_traffic),
                flag(r.flags.suppressed),
                flag(r.flags.small_base),
                flag(r.flags.low_visits),
                number(s.rank.map(|x| x as f64)),
                number(s.rank_range.map(|x| x.0 as f64)),
                number(s.rank_range.map(|x| x.1 as f64)),
                change.map_or(Cell::Empty, |c| Cell::Text(c.previous_period.to_string())),
                number(change.map(|c| c.delta)),
                number(test.map(|t| t.p_value)),
                test.map_or(Cell::Empty, |t| flag(t.significant)),
                Cell::Text(
                    r.templates
                        .iter()
                        .map(|t| format!("{}@{}", t.id, t.version.get(..12).unwrap_or(&t.version)))
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                Cell::Text(r.rule_set.into()),
            ];
            if tx.send(Ok(row)).await.is_err() {
                return;
            }
        }
    });
    Ok(Export {
        name: "ratings".into(),
        columns: headings(RATING_COLUMNS),
        total,
        rows: rx,
    })
}
