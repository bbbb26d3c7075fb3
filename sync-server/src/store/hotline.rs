//! Call-centre interval statistics, summed by the hour for the KPIs; the
//! test calls to the same hotlines, summed by the day; and the operator's
//! KPI targets.

use fieldcheck_core::hotline::{CallInterval, CallStats, HourStats, KpiId, Target};
use fieldcheck_core::vocab::VisitMode;
use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::store::ratings::counted;
use crate::store::sql::Sql;
use crate::store::{Storage, StorageError};

/// Inserts intervals, replacing those already stored for the same hotline
/// and start.
pub async fn put_intervals(
    tx: &mut Transaction<'_, Any>,
    rows: &[CallInterval],
    by: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let int = |x: Option<u64>| x.map(|v| v as i64);
    for r in rows {
        let s = &r.stats;
        sqlx::query(
            "INSERT INTO call_intervals (hotline_id, local_start, local_day, minutes, threshold_s, short_s,
                 calls_in, system_connected, offered, answered, answered_within, abandoned,
                 abandoned_within, abandoned_short, talk_s, wrap_s, signed_in_s, agents_scheduled,
                 agents_signed_in, survey_responses, survey_satisfied, fcr_total, fcr_resolved,
                 imported_at, imported_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $20, $21, $22, $23, $24, $25)
             ON CONFLICT (hotline_id, local_start) DO UPDATE SET local_day = excluded.local_day,
                 minutes = excluded.minutes, threshold_s = excluded.threshold_s,
                 short_s = excluded.short_s, calls_in = excluded.calls_in,
                 system_connected = excluded.system_connected, offered = excluded.offered,
                 answered = excluded.answered, answered_within = excluded.answered_within,
                 abandoned = excluded.abandoned, abandoned_within = excluded.abandoned_within,
                 abandoned_short = excluded.abandoned_short, talk_s = excluded.talk_s,
                 wrap_s = excluded.wrap_s, signed_in_s = excluded.signed_in_s,
                 agents_scheduled = excluded.agents_scheduled,
                 agents_signed_in = excluded.agents_signed_in,
                 survey_responses = excluded.survey_responses,
                 survey_satisfied = excluded.survey_satisfied, fcr_total = excluded.fcr_total,
                 fcr_resolved = excluded.fcr_resolved, imported_at = excluded.imported_at,
                 imported_by = excluded.imported_by",
        )
        // Not prepared once: see `materialise::write` on NULLs and PostgreSQL.
        .persistent(false)
        .bind(&r.hotline)
        .bind(r.start.strftime("%Y-%m-%dT%H:%M:%S").to_string())
        .bind(r.start.date().to_string())
        .bind(i64::from(r.minutes))
        .bind(i64::from(r.threshold_s))
        .bind(i64::from(r.short_s))
        .bind(int(s.calls_in))
        .bind(int(s.system_connected))
        .bind(s.offered as i64)
        .bind(s.answered as i64)
        .bind(s.answered_within as i64)
        .bind(s.abandoned as i64)
        .bind(int(s.abandoned_within))
        .bind(int(s.abandoned_short))
        .bind(s.talk_s)
        .bind(s.wrap_s)
        .bind(s.signed_in_s)
        .bind(int(s.agents_scheduled))
        .bind(int(s.agents_signed_in))
        .bind(int(s.survey_responses))
        .bind(int(s.survey_satisfied))
        .bind(int(s.fcr_total))
        .bind(int(s.fcr_resolved))
        .bind(now_ms)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Counts that may be missing: summed only when every interval has them.
const OPTIONAL_COUNTS: &[&str] = &[
    "calls_in",
    "system_connected",
    "abandoned_within",
    "abandoned_short",
    "agents_scheduled",
    "agents_signed_in",
    "survey_responses",
    "survey_satisfied",
    "fcr_total",
    "fcr_resolved",
];
const OPTIONAL_SECONDS: &[&str] = &["talk_s", "wrap_s", "signed_in_s"];
const COUNTS: &[&str] = &["offered", "answered", "answered_within", "abandoned"];

/// The days `[from, until)` of the hotlines `visible` admits, summed by
/// hotline, day, hour and thresholds.
pub async fn hours(
    storage: &Storage,
    visible: impl FnOnce(&mut Sql),
    from: Option<Date>,
    until: Option<Date>,
) -> Result<Vec<HourStats>, StorageError> {
    let mut columns = vec!["CAST(COUNT(*) AS BIGINT) AS intervals".to_string()];
    columns.extend(
        COUNTS
            .iter()
            .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}")),
    );
    columns.extend(OPTIONAL_COUNTS.iter().map(|c| {
        format!("CASE WHEN COUNT({c}) = COUNT(*) THEN CAST(SUM({c}) AS BIGINT) END AS {c}")
    }));
    columns.extend(OPTIONAL_SECONDS.iter().map(|c| {
        format!(
            "CASE WHEN COUNT({c}) = COUNT(*) THEN CAST(SUM({c}) AS DOUBLE PRECISION) END AS {c}"
        )
    }));
    let mut sql = Sql::new(&format!(
        "SELECT hotline_id, local_day, CAST(substr(local_start, 12, 2) AS INTEGER) AS hour,
             threshold_s, short_s, {}
         FROM call_intervals WHERE 1 = 1",
        columns.join(", ")
    ));
    visible(&mut sql);
    if let Some(from) = from {
        sql.push(" AND local_day >= ").bind(from.to_string());
    }
    if let Some(until) = until {
        sql.push(" AND local_day < ").bind(until.to_string());
    }
    sql.push(
        " GROUP BY hotline_id, local_day, CAST(substr(local_start, 12, 2) AS INTEGER), threshold_s, short_s
         ORDER BY hotline_id, local_day, hour",
    );
    sql.rows(storage, hour_of).await
}

fn hour_of(r: &AnyRow) -> Result<HourStats, sqlx::Error> {
    let count = |c: &str| count(r, c);
    let opt = |c: &str| -> Result<Option<u64>, sqlx::Error> {
        Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v.max(0) as u64))
    };
    let secs = |c: &str| r.try_get::<Option<f64>, _>(c);
    let day: String = r.try_get("local_day")?;
    Ok(HourStats {
        hotline: r.try_get("hotline_id")?,
        day: day
            .parse()
            .map_err(|e: jiff::Error| sqlx::Error::Decode(Box::new(e)))?,
        hour: r.try_get::<i64, _>("hour")?.clamp(0, 23) as u8,
        threshold_s: r.try_get::<i64, _>("threshold_s")?.max(0) as u32,
        short_s: r.try_get::<i64, _>("short_s")?.max(0) as u32,
        stats: CallStats {
            intervals: count("intervals")?,
            calls_in: opt("calls_in")?,
            system_connected: opt("system_connected")?,
            offered: count("offered")?,
            answered: count("answered")?,
            answered_within: count("answered_within")?,
            abandoned: count("abandoned")?,
            abandoned_within: opt("abandoned_within")?,
            abandoned_short: opt("abandoned_short")?,
            talk_s: secs("talk_s")?,
            wrap_s: secs("wrap_s")?,
            signed_in_s: secs("signed_in_s")?,
            agents_scheduled: opt("agents_scheduled")?,
            agents_signed_in: opt("agents_signed_in")?,
            survey_responses: opt("survey_responses")?,
            survey_satisfied: opt("survey_satisfied")?,
            fcr_total: opt("fcr_total")?,
            fcr_resolved: opt("fcr_resolved")?,
        },
    })
}

/// A hotline, a local day and a template version: what test calls are
/// summed by.
#[derive(Debug, Clone)]
pub struct CallDay {
    pub hotline: String,
    pub day: Date,
    pub template_id: String,
    pub template_version: String,
}

/// The test calls of one [`CallDay`]: how many, and the sum of their scores.
#[derive(Debug, Clone)]
pub struct TestCallDay {
    pub key: CallDay,
    pub calls: u64,
    pub scored: u64,
    pub score_sum: f64,
}

/// One item's judged answers in those calls, and the passes among them.
#[derive(Debug, Clone)]
pub struct TestItemDay {
    pub key: CallDay,
    pub item_id: String,
    pub judged: u64,
    pub passed: u64,
}

fn count(r: &AnyRow, column: &str) -> Result<u64, sqlx::Error> {
    Ok(r.try_get::<i64, _>(column)?.max(0) as u64)
}

fn call_day(r: &AnyRow) -> Result<CallDay, sqlx::Error> {
    Ok(CallDay {
        hotline: r.try_get("store_id")?,
        day: day_of(r)?,
        template_id: r.try_get("template_id")?,
        template_version: r.try_get("template_version")?,
    })
}

fn day_of(r: &AnyRow) -> Result<Date, sqlx::Error> {
    let day: Option<String> = r.try_get("local_day")?;
    day.unwrap_or_default()
        .parse()
        .map_err(|e: jiff::Error| sqlx::Error::Decode(Box::new(e)))
}

/// The counted test calls of `[from, until)` that `visible` admits, by
/// hotline, day and template version; and the outcomes of `items`.
pub async fn test_calls(
    storage: &Storage,
    visible: impl Fn(&mut Sql),
    from: Option<Date>,
    until: Option<Date>,
    items: &[&str],
) -> Result<(Vec<TestCallDay>, Vec<TestItemDay>), StorageError> {
    let narrow = |sql: &mut Sql| {
        sql.push(" AND r.kind = 'checklist' AND r.local_day IS NOT NULL AND r.mode = ")
            .bind(VisitMode::TestCall.as_str());
        counted(sql, false);
        visible(sql);
        if let Some(from) = from {
            sql.push(" AND r.local_day >= ").bind(from.to_string());
        }
        if let Some(until) = until {
            sql.push(" AND r.local_day < ").bind(until.to_string());
        }
    };
    let mut calls = Sql::new(
        "SELECT r.store_id, r.local_day, r.template_id, r.template_version,
             CAST(COUNT(*) AS BIGINT) AS calls, CAST(COUNT(r.score) AS BIGINT) AS scored,
             CAST(COALESCE(SUM(r.score), 0) AS DOUBLE PRECISION) AS score_sum
         FROM m_records r WHERE 1 = 1",
    );
    narrow(&mut calls);
    calls.push(" GROUP BY r.store_id, r.local_day, r.template_id, r.template_version");
    let days = calls
        .rows(storage, |r| {
            Ok(TestCallDay {
                key: call_day(r)?,
                calls: count(r, "calls")?,
                scored: count(r, "scored")?,
                score_sum: r.try_get("score_sum")?,
            })
        })
        .await?;
    if items.is_empty() {
        return Ok((days, Vec::new()));
    }
    let mut answers = Sql::new(
        "SELECT r.store_id, r.local_day, r.template_id, r.template_version, a.item_id,
             CAST(COUNT(a.outcome) AS BIGINT) AS judged,
             CAST(COALESCE(SUM(CASE WHEN a.outcome >= 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS passed
         FROM m_answers a JOIN m_records r ON r.doc_id = a.doc_id WHERE a.item_id IN ",
    );
    answers.in_list(items.iter().copied());
    narrow(&mut answers);
    answers.push(" GROUP BY r.store_id, r.local_day, r.template_id, r.template_version, a.item_id");
    let items = answers
        .rows(storage, |r| {
            Ok(TestItemDay {
                key: call_day(r)?,
                item_id: r.try_get("item_id")?,
                judged: count(r, "judged")?,
                passed: count(r, "passed")?,
            })
        })
        .await?;
    Ok((days, items))
}

/// The stored targets: a KPI and its target, `None` for "no target".
pub async fn targets(storage: &Storage) -> Result<Vec<(KpiId, Option<Target>)>, StorageError> {
    let rows = sqlx::query("SELECT kpi, direction, value FROM hotline_targets ORDER BY kpi")
        .fetch_all(storage.pool())
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let kpi: String = r.try_get("kpi")?;
        let direction: String = r.try_get("direction")?;
        let value: f64 = r.try_get("value")?;
        // Written by `put_targets` from parsed values only.
        let Some(kpi) = KpiId::parse(&kpi) else {
            continue;
        };
        let target = match direction.as_str() {
            "at_least" => Some(Target::AtLeast(value)),
            "at_most" => Some(Target::AtMost(value)),
            _ => None,
        };
        out.push((kpi, target));
    }
    Ok(out)
}

/// Replaces the stored targets of the KPIs named.
pub async fn put_targets(
    tx: &mut Transaction<'_, Any>,
    targets: &[(KpiId, Option<Target>)],
    by: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    for (kpi, target) in targets {
        let (direction, value) = match target {
            Some(Target::AtLeast(v)) => ("at_least", *v),
            Some(Target::AtMost(v)) => ("at_most", *v),
            None => ("none", 0.0),
        };
        sqlx::query(
            "INSERT INTO hotline_targets (kpi, direction, value, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (kpi) DO UPDATE SET direction = excluded.direction, value = excluded.value,
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(kpi.as_str())
        .bind(direction)
        .bind(value)
        .bind(now_ms)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
