//! Hotline statistics: the call centre's interval statistics imported from
//! its exports, and the hotline KPIs by period against the operator's
//! targets, beside the test calls to the same hotlines (core's `hotline`).

use std::collections::BTreeMap;

use fieldcheck_core::hotline::{
    self, Comparison, HotlinePeriod, ImportSettings, KpiId, KpiRules, ServiceLevelFormula, Target,
    TestCalls, compare, hotline_kpis, parse_call_stats,
};
use fieldcheck_core::msg;
use fieldcheck_core::ratings::{Granularity, Period};
use fieldcheck_core::table::Table;
use fieldcheck_core::templates::Channel;
use fieldcheck_core::vocab::Role;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Principal;
use crate::error::Error;
use crate::services::ratings::managers_only;
use crate::state::{AppState, now_ms};
use crate::store::hotline as calls;
use crate::store::sql::Sql;
use crate::store::{Audit, insert_audit, units};

/// What an import of statistics did (or, on a dry run, would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct CallsImported {
    /// Intervals read.
    pub intervals: usize,
    pub hotlines: usize,
    /// The first and last interval start, local time.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Nothing was written.
    pub dry_run: bool,
}

/// Checks a statistics table and, if every row is good and `dry_run` is
/// off, stores it in one transaction, replacing intervals already stored.
/// For administrators, and managers over the hotlines in their scope.
pub async fn import(
    app: &AppState,
    who: &Principal,
    table: &Table,
    settings: &ImportSettings,
    dry_run: bool,
) -> Result<CallsImported, Error> {
    managers_only(who, || {
        msg!("hotline.what_statistics", "hotline statistics")
    })?;
    let units: BTreeMap<String, Option<Channel>> = units::load(&app.storage)
        .await?
        .into_iter()
        .map(|u| (u.unit.id, u.unit.channel))
        .collect();
    let check = |id: &str| match units.get(id) {
        None => Some(msg!(
            "hotline.unknown_unit",
            "`{id}` is not a unit of the hierarchy",
            id = id
        )),
        Some(c) if *c != Some(Channel::Hotline) => Some(msg!(
            "hotline.not_hotline",
            "`{id}` is not a hotline (a store of the channel hotline)",
            id = id
        )),
        _ if !who.scope.covers(id) => Some(msg!(
            "hotline.outside_scope",
            "`{id}` is outside your scope ({scope})",
            id = id,
            scope = who.scope.as_str()
        )),
        _ => None,
    };
    let rows = parse_call_stats(table, settings, check).map_err(Error::Invalid)?;
    let hotlines: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.hotline.as_str()).collect();
    let stamp = |r: Option<&hotline::CallInterval>| {
        r.map(|r| r.start.strftime("%Y-%m-%d %H:%M").to_string())
    };
    let done = CallsImported {
        intervals: rows.len(),
        hotlines: hotlines.len(),
        first: stamp(rows.iter().min_by_key(|r| r.start)),
        last: stamp(rows.iter().max_by_key(|r| r.start)),
        dry_run,
    };
    if dry_run {
        return Ok(done);
    }
    let now = now_ms();
    let mut tx = app.storage.pool().begin().await?;
    calls::put_intervals(&mut tx, &rows, &who.user_id, now).await?;
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: "hotline.import".into(),
        target: "call_intervals".into(),
        detail: serde_json::json!({
            "intervals": done.intervals,
            "hotlines": hotlines,
            "first": done.first,
            "last": done.last,
            "threshold_s": settings.threshold_s,
            "short_s": settings.short_s,
        })
        .to_string(),
    };
    insert_audit(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(done)
}

/// What the KPI view asks for.
#[derive(Debug, Clone)]
pub struct KpiRequest {
    pub granularity: Granularity,
    pub period: Option<Period>,
    pub unit: Option<String>,
    pub formula: ServiceLevelFormula,
}

/// One hotline in one period.
#[derive(Debug, Serialize, ToSchema)]
pub struct HotlineRow {
    /// Hotline id, period, T, summed statistics and KPIs (value, Wilson
    /// interval for proportions, target, meets, clearly_misses, missing).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub kpis: HotlinePeriod,
    pub name_zh: String,
    pub name_en: String,
    /// The test calls of the same hotline and period, and whether they
    /// disagree with the switch.
    #[schema(value_type = Object)]
    pub test_calls: Comparison,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReply {
    #[schema(value_type = String)]
    pub formula: ServiceLevelFormula,
    #[schema(value_type = Vec<String>)]
    pub formulas: Vec<ServiceLevelFormula>,
    /// Each KPI's target: `{ "at_least": 0.85 }` or `{ "at_most": 0.1 }`.
    #[schema(value_type = Object)]
    pub targets: BTreeMap<KpiId, Target>,
    pub rows: Vec<HotlineRow>,
}

/// The KPI rules: the defaults, with the operator's stored targets over them.
pub async fn rules(app: &AppState, formula: ServiceLevelFormula) -> Result<KpiRules, Error> {
    let mut rules = KpiRules {
        formula,
        ..KpiRules::default()
    };
    for (kpi, target) in calls::targets(&app.storage).await? {
        match target {
            Some(t) => rules.targets.insert(kpi, t),
            None => rules.targets.remove(&kpi),
        };
    }
    Ok(rules)
}

/// The KPIs of the hotlines in `who`'s scope (under `q.unit`), by period.
pub async fn kpis(app: &AppState, who: &Principal, q: &KpiRequest) -> Result<KpiReply, Error> {
    managers_only(who, || msg!("hotline.what_kpis", "hotline figures"))?;
    let (from, until) = match q.period {
        Some(p) => (p.first_day(), p.end_day()),
        None => (None, None),
    };
    let visible = |sql: &mut Sql, column: &str| {
        who.scope.push_sql(sql, column);
        if let Some(unit) = &q.unit {
            sql.under(column, unit);
        }
    };
    let hours = calls::hours(&app.storage, |s| visible(s, "hotline_id"), from, until).await?;
    let rules = rules(app, q.formula).await?;
    let periods = hotline_kpis(&hours, q.granularity, &rules);
    let tests = test_calls(
        app,
        |s| visible(s, "r.store_id"),
        from,
        until,
        q.granularity,
    )
    .await?;
    let names: BTreeMap<String, (String, String)> = units::load(&app.storage)
        .await?
        .into_iter()
        .map(|u| (u.unit.id, (u.name_zh, u.name_en)))
        .collect();
    let rows = periods
        .into_iter()
        .map(|p| {
            let t = tests
                .get(&(p.hotline.clone(), p.period))
                .copied()
                .unwrap_or_default();
            let (name_zh, name_en) = names.get(&p.hotline).cloned().unwrap_or_default();
            HotlineRow {
                test_calls: compare(&p, t),
                kpis: p,
                name_zh,
                name_en,
            }
        })
        .collect();
    Ok(KpiReply {
        formula: q.formula,
        formulas: ServiceLevelFormula::ALL.to_vec(),
        targets: rules.targets,
        rows,
    })
}

/// Standards that test calls check: getting through (hotline.1) and a
/// person answering in time (hotline.2), as the templates tag them.
const CONNECTED: &str = "hotline.1";
const IN_TIME: &str = "hotline.2";

/// The test calls of each hotline and period.
async fn test_calls(
    app: &AppState,
    visible: impl Fn(&mut Sql),
    from: Option<jiff::civil::Date>,
    until: Option<jiff::civil::Date>,
    granularity: Granularity,
) -> Result<BTreeMap<(String, Period), TestCalls>, Error> {
    // The items tagged with the two standards, in every hotline template.
    let mut standard_of: BTreeMap<(String, String, String), &'static str> = BTreeMap::new();
    for v in app.storage.template_versions().await? {
        let Some(t) = app
            .templates
            .get(&app.storage, &v.template_id, &v.version)
            .await?
        else {
            continue;
        };
        if t.channel != Channel::Hotline {
            continue;
        }
        for (_, item) in t.items() {
            let standard = match item.tags.standard.as_deref() {
                Some(CONNECTED) => CONNECTED,
                Some(IN_TIME) => IN_TIME,
                _ => continue,
            };
            standard_of.insert(
                (v.template_id.clone(), v.version.clone(), item.id.clone()),
                standard,
            );
        }
    }
    let items: Vec<&str> = {
        let mut ids: Vec<&str> = standard_of.keys().map(|(_, _, i)| i.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let (days, answers) = calls::test_calls(&app.storage, visible, from, until, &items).await?;
    let mut out: BTreeMap<(String, Period), (TestCalls, u64, f64)> = BTreeMap::new();
    for d in days {
        let e = out
            .entry((d.key.hotline, Period::of_date(d.key.day, granularity)))
            .or_default();
        e.0.calls += d.calls;
        e.1 += d.scored;
        e.2 += d.score_sum;
    }
    for a in answers {
        let key = (a.key.template_id, a.key.template_version, a.item_id);
        let Some(standard) = standard_of.get(&key) else {
            continue;
        };
        let e = out
            .entry((a.key.hotline, Period::of_date(a.key.day, granularity)))
            .or_default();
        if *standard == IN_TIME {
            e.0.timed += a.judged;
            e.0.within += a.passed;
        } else {
            e.0.dialled += a.judged;
            e.0.connected += a.passed;
        }
    }
    Ok(out
        .into_iter()
        .map(|(k, (mut t, scored, sum))| {
            t.mean_score = (scored > 0).then(|| sum / scored as f64);
            (k, t)
        })
        .collect())
}

/// Replaces targets, as an administrator; `None` removes a KPI's target.
pub async fn put_targets(
    app: &AppState,
    who: &Principal,
    targets: &[(KpiId, Option<Target>)],
) -> Result<BTreeMap<KpiId, Target>, Error> {
    if who.role != Role::Admin {
        return Err(Error::admins_only());
    }
    for (kpi, target) in targets {
        let Some(t) = target else { continue };
        let v = t.value();
        let seconds = matches!(kpi, KpiId::AvgTalk | KpiId::AvgWrap);
        let fits = v.is_finite() && v >= 0.0 && (seconds || v <= 1.0);
        if !fits {
            return Err(Error::BadRequest(msg!(
                "hotline.target_range",
                "the target of {kpi} must be a share from 0 to 1 (or, for times, seconds from 0)",
                kpi = kpi
            )));
        }
    }
    let now = now_ms();
    let mut tx = app.storage.pool().begin().await?;
    calls::put_targets(&mut tx, targets, &who.user_id, now).await?;
    let entry = Audit {
        user_id: who.user_id.clone(),
        action: "hotline.targets".into(),
        target: "hotline_targets".into(),
        detail: serde_json::to_string(
            &targets
                .iter()
                .map(|(k, t)| (k.as_str(), t))
                .collect::<BTreeMap<_, _>>(),
        )
        .unwrap_or_default(),
    };
    insert_audit(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(rules(app, ServiceLevelFormula::default()).await?.targets)
}
