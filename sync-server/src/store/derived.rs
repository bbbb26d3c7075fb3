//! The derived tables (`m_*`, migrations 0003, docs/schema.md): what the
//! materialiser writes, a batch of records per transaction, and its cursor.

use std::collections::{BTreeSet, HashMap};

use fieldcheck_core::records::derive::Derived;
use fieldcheck_core::reference::DEFAULT_TIME_ZONE;
use jiff::tz::TimeZone;
use sqlx::{Any, Row, Transaction};

use crate::store::actions::M_ACTIONS;
use crate::store::ratings::counted;
use crate::store::sql::{Arg, Sql};
use crate::store::{Result, Storage};

/// Derived tables, children first.
const TABLES: [&str; 8] = [
    "m_answers",
    "m_sections",
    "m_constructs",
    "m_events",
    "m_comments",
    "m_actions",
    "m_history",
    "m_records",
];

/// The columns of `m_answers`.
pub const M_ANSWERS: &[&str] = &[
    "doc_id",
    "item_id",
    "section_id",
    "value",
    "outcome",
    "failed",
    "note",
    "evidence",
    "by_user",
    "at",
];

impl Storage {
    /// Records kept without a score whose template version is published now.
    pub async fn unscored_records(&self) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT r.doc_id FROM m_records r JOIN templates t
               ON t.template_id = r.template_id AND t.version = r.template_version
             WHERE r.scored = 0",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("doc_id"))
            .collect::<Result<_, _>>()?)
    }

    /// Replaces the rows of a batch of records (`None`: a document that is
    /// no record yet, whose rows go) in one transaction.
    ///
    /// The ratings sums of the stores and days the batch touches, before and
    /// after, are counted again from `m_records` in the same transaction.
    pub async fn replace_derived(&self, batch: &[(&str, Option<(i64, Derived)>)]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let mut touched = Touched::default();
        // Writes from the first statement: a SQLite transaction that read
        // first fails to upgrade (busy snapshot) when another writer commits
        // in between. The records' old days come back from their delete.
        for table in TABLES {
            let mut delete = Sql::new(&format!("DELETE FROM {table} WHERE doc_id IN "));
            delete.in_list(batch.iter().map(|(id, _)| *id));
            if table == "m_records" {
                delete.push(" RETURNING store_id, local_day");
                for r in delete.query().persistent(false).fetch_all(&mut *tx).await? {
                    touched.add(r.try_get("store_id")?, r.try_get("local_day")?);
                }
            } else {
                delete.query().persistent(false).execute(&mut *tx).await?;
            }
        }
        let stores = batch
            .iter()
            .filter_map(|(_, d)| Some(d.as_ref()?.1.record.store_id.as_str()));
        let zones = zones_of(&mut tx, stores).await?;
        write(&mut tx, batch, &zones, &mut touched).await?;
        touched.count_again(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every change up to `seq` is in the tables now.
    pub async fn advance_materialised(&self, seq: i64) -> Result<()> {
        sqlx::query("UPDATE m_cursor SET seq = $1 WHERE id = 1 AND seq < $1")
            .bind(seq)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Empties the derived tables and resets their cursor, in one
    /// transaction, for a rebuild.
    pub async fn clear_derived(&self) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for table in TABLES.iter().chain(["m_store_days"].iter()) {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE m_cursor SET seq = 0 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Dates records again after stores changed time zone (or were placed
/// in the hierarchy, until then counted in the default zone), with
/// their ratings sums; in the transaction that changes the units.
pub async fn redate_stores(tx: &mut Transaction<'_, Any>, stores: &BTreeSet<String>) -> Result<()> {
    if stores.is_empty() {
        return Ok(());
    }
    let zones = zones_of(tx, stores.iter().map(String::as_str)).await?;
    let mut touched = Touched::default();
    let mut q = Sql::new(
        "SELECT doc_id, store_id, started_at, local_day FROM m_records WHERE store_id IN ",
    );
    q.in_list(stores.iter().map(String::as_str));
    for r in q.query().persistent(false).fetch_all(&mut **tx).await? {
        let (doc, store): (String, String) = (r.try_get("doc_id")?, r.try_get("store_id")?);
        let old: Option<String> = r.try_get("local_day")?;
        let day = local_day(r.try_get("started_at")?, zones.get(&store));
        if old.as_ref() != Some(&day) {
            sqlx::query("UPDATE m_records SET local_day = $1 WHERE doc_id = $2")
                .bind(&day)
                .bind(&doc)
                .execute(&mut **tx)
                .await?;
            touched.add(store.clone(), old);
            touched.add(store, Some(day));
        }
    }
    touched.count_again(tx).await
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Inserts the rows of a batch of records, a table at a time, many rows
/// per statement. The statements are not kept as prepared statements:
/// through sqlx's `Any` driver a NULL binds as an integer on PostgreSQL, and
/// a statement first prepared with a NULL would keep that type.
async fn write(
    tx: &mut Transaction<'_, Any>,
    batch: &[(&str, Option<(i64, Derived)>)],
    zones: &HashMap<String, TimeZone>,
    touched: &mut Touched,
) -> Result<()> {
    let mut records = Rows::new(
        "m_records",
        &[
            "doc_id",
            "seq",
            "store_id",
            "template_id",
            "template_version",
            "kind",
            "mode",
            "author",
            "status",
            "started_at",
            "ended_at",
            "submitted_at",
            "reviewed_at",
            "updated_at",
            "scored",
            "score",
            "passed",
            "complete",
            "rule_set",
            "lat",
            "lon",
            "local_day",
        ],
    );
    let mut answers = Rows::new("m_answers", M_ANSWERS);
    let mut sections = Rows::new(
        "m_sections",
        &[
            "doc_id",
            "section_id",
            "weight",
            "earned",
            "possible",
            "score",
            "zeroed",
        ],
    );
    let mut constructs = Rows::new("m_constructs", &["doc_id", "construct_id", "role", "score"]);
    let mut events = Rows::new("m_events", &["doc_id", "n", "status", "by_user", "at"]);
    let mut comments = Rows::new(
        "m_comments",
        &["doc_id", "comment_id", "item_id", "body", "by_user", "at"],
    );
    let mut actions = Rows::new("m_actions", M_ACTIONS);
    let mut history = Rows::new(
        "m_history",
        &["doc_id", "n", "change_hash", "author", "at", "message"],
    );
    for (id, derived) in batch {
        let Some((seq, d)) = derived else { continue };
        let id = *id;
        let r = &d.record;
        let day = local_day(r.started_at, zones.get(&r.store_id));
        touched.add(r.store_id.clone(), Some(day.clone()));
        records.push(vec![
            id.into(),
            (*seq).into(),
            r.store_id.as_str().into(),
            r.template_id.as_str().into(),
            r.template_version.as_str().into(),
            r.kind.as_str().into(),
            r.mode.as_str().into(),
            r.author.as_str().into(),
            r.status.as_str().into(),
            r.started_at.into(),
            r.ended_at.into(),
            r.submitted_at.into(),
            r.reviewed_at.into(),
            r.updated_at.into(),
            flag(r.scored).into(),
            r.score.into(),
            r.passed.map(flag).into(),
            r.complete.map(flag).into(),
            r.rule_set.clone().into(),
            r.lat.into(),
            r.lon.into(),
            day.into(),
        ]);
        for a in &d.answers {
            answers.push(vec![
                id.into(),
                a.item_id.as_str().into(),
                a.section_id.clone().into(),
                a.value.as_str().into(),
                a.outcome.into(),
                flag(a.failed).into(),
                a.note.clone().into(),
                a.evidence.into(),
                a.by.as_str().into(),
                a.at.into(),
            ]);
        }
        for x in &d.sections {
            sections.push(vec![
                id.into(),
                x.section_id.as_str().into(),
                x.weight.into(),
                x.earned.into(),
                x.possible.into(),
                x.score.into(),
                flag(x.zeroed).into(),
            ]);
        }
        for c in &d.constructs {
            constructs.push(vec![
                id.into(),
                c.construct_id.as_str().into(),
                c.role.as_str().into(),
                c.score.into(),
            ]);
        }
        for e in &d.events {
            events.push(vec![
                id.into(),
                e.n.into(),
                e.status.as_str().into(),
                e.by.as_str().into(),
                e.at.into(),
            ]);
        }
        for c in &d.comments {
            comments.push(vec![
                id.into(),
                c.comment_id.as_str().into(),
                c.item_id.clone().into(),
                c.text.as_str().into(),
                c.by.as_str().into(),
                c.at.into(),
            ]);
        }
        for a in &d.actions {
            actions.push(vec![
                id.into(),
                a.action_id.as_str().into(),
                a.item_id.as_str().into(),
                a.description.as_str().into(),
                a.assignee.as_str().into(),
                a.due.as_str().into(),
                a.status.as_str().into(),
                a.created_by.as_str().into(),
                a.created_at.into(),
                a.done_at.into(),
                a.verified_by.clone().into(),
                a.verified_at.into(),
                a.verified_record.clone().into(),
            ]);
        }
        for h in &d.history {
            history.push(vec![
                id.into(),
                h.n.into(),
                h.hash.as_str().into(),
                h.author.clone().into(),
                h.at.into(),
                h.message.clone().into(),
            ]);
        }
    }
    for rows in [
        records, answers, sections, constructs, events, comments, actions, history,
    ] {
        rows.insert(tx).await?;
    }
    Ok(())
}

/// The time zones of `stores` that are in the hierarchy.
async fn zones_of(
    tx: &mut Transaction<'_, Any>,
    stores: impl IntoIterator<Item = &str>,
) -> Result<HashMap<String, TimeZone>> {
    let stores: BTreeSet<&str> = stores.into_iter().collect();
    let mut zones = HashMap::new();
    if stores.is_empty() {
        return Ok(zones);
    }
    let mut q = Sql::new("SELECT unit_id, time_zone FROM units WHERE unit_id IN ");
    q.in_list(stores);
    for r in q.query().persistent(false).fetch_all(&mut **tx).await? {
        let zone: String = r.try_get("time_zone")?;
        // Units are imported with zones that resolve.
        if let Ok(tz) = TimeZone::get(&zone) {
            zones.insert(r.try_get("unit_id")?, tz);
        }
    }
    Ok(zones)
}

/// `YYYY-MM-DD` of `started_at` (ms) in `zone`, or in the default zone for a
/// store not in the hierarchy (yet).
fn local_day(started_at: i64, zone: Option<&TimeZone>) -> String {
    let zone = zone
        .cloned()
        .unwrap_or_else(|| TimeZone::get(DEFAULT_TIME_ZONE).unwrap_or(TimeZone::UTC));
    jiff::Timestamp::from_millisecond(started_at)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(zone)
        .date()
        .to_string()
}

/// The stores and days whose ratings sums a write changes.
#[derive(Debug, Default)]
struct Touched {
    stores: BTreeSet<String>,
    days: BTreeSet<String>,
}

impl Touched {
    fn add(&mut self, store: String, day: Option<String>) {
        if let Some(day) = day {
            self.stores.insert(store);
            self.days.insert(day);
        }
    }

    /// Counts the sums of every touched store on every touched day again
    /// from `m_records`: a few more cells than changed, all exact.
    async fn count_again(self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        if self.stores.is_empty() {
            return Ok(());
        }
        let keys = |q: &mut Sql, store: &str, day: &str| {
            q.push(&format!(" AND {store} IN "))
                .in_list(self.stores.iter().map(String::as_str));
            q.push(&format!(" AND {day} IN "))
                .in_list(self.days.iter().map(String::as_str));
        };
        let mut delete = Sql::new("DELETE FROM m_store_days WHERE 1 = 1");
        keys(&mut delete, "store_id", "day");
        delete.query().persistent(false).execute(&mut **tx).await?;
        let mut insert = Sql::new(
            "INSERT INTO m_store_days (store_id, day, template_id, template_version, mode,
                 visits, score_sum, score_sq, passed)
             SELECT store_id, local_day, template_id, template_version, mode, COUNT(*),
                 SUM(score), SUM(score * score), CAST(COALESCE(SUM(passed), 0) AS BIGINT)
             FROM m_records r WHERE kind = 'checklist' AND scored = 1 AND score IS NOT NULL",
        );
        counted(&mut insert, false);
        keys(&mut insert, "store_id", "local_day");
        insert.push(" GROUP BY store_id, local_day, template_id, template_version, mode");
        insert.query().persistent(false).execute(&mut **tx).await?;
        Ok(())
    }
}

/// Rows for one table, inserted many to a statement.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Arg>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Arg>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    async fn insert(self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        // About 128 parameters a statement. sqlx looks each one up by name
        // on SQLite, which costs the square of a statement's parameters: at
        // 400 that lookup was the materialiser's largest cost, and a thousand
        // synced audits took 15.8 s to reach the queue and the ratings
        // instead of 9.9 s (`cargo xtask bench sync`, which prints it). Much
        // shorter statements cost more round trips than they save.
        let per_statement = (128 / self.columns.len()).max(1);
        for chunk in self.rows.chunks(per_statement) {
            let mut sql = Sql::new(&format!(
                "INSERT INTO {} ({}) VALUES ",
                self.table,
                self.columns.join(", ")
            ));
            for (i, row) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.in_list(row.iter().cloned());
            }
            sql.query().persistent(false).execute(&mut **tx).await?;
        }
        Ok(())
    }
}
