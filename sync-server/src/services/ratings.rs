//! Channel compliance ratings (methodology.md S7, S8), the weakest
//! standards and sections, and satisfaction indices (S3-S6): computed by
//! core from the materialised records and the stored hierarchy, for the
//! units in the caller's scope. For managers and administrators.

use std::collections::{BTreeMap, HashMap};

use fieldcheck_core::answers::{Answers, from_json};
use fieldcheck_core::msg;
use fieldcheck_core::msg::Msg;
use fieldcheck_core::ratings::league::{Standing, standings};
use fieldcheck_core::ratings::{
    DayCell, Granularity, Hierarchy, Level, Period, Rating, RatingRules, Weighting, rate_days,
};
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::scoring::Band;
use fieldcheck_core::scoring::survey::{
    GapReport, IpaConfig, IpaResult, Nps, Response, gap_analysis, importance_performance, nps,
};
use fieldcheck_core::stats::{Flags, MeanEstimate, Z95};
use fieldcheck_core::templates::{Channel, Template};
use fieldcheck_core::vocab::{Role, VisitMode};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Principal, Visibility};
use crate::error::Error;
use crate::services::templates;
use crate::state::AppState;
use crate::store::ratings::{DayFilter, RecordFilter};

/// Which ratings to compute.
#[derive(Debug, Clone)]
pub struct RatingRequest {
    pub granularity: Granularity,
    /// Only this period (and the previous one, for the change).
    pub period: Option<Period>,
    /// Only this unit and the units below it.
    pub unit: Option<String>,
    pub level: Option<Level>,
    pub template: Option<String>,
    pub channel: Option<Channel>,
    pub mode: Option<VisitMode>,
    pub weighting: Weighting,
}

impl RatingRequest {
    /// The ratings of every template, channel and mode of the units of
    /// `level` under `unit` by `granularity`, each weighted by default: what
    /// scorecards, bulletins and monitoring read.
    pub fn of_level(
        granularity: Granularity,
        period: Option<Period>,
        unit: Option<String>,
        level: Level,
    ) -> Self {
        RatingRequest {
            granularity,
            period,
            unit,
            level: Some(level),
            template: None,
            channel: None,
            mode: None,
            weighting: Weighting::default(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingReply {
    /// One per unit and period: score (absent when suppressed), estimate with
    /// interval and effective n, coverage, flags, templates and rule set;
    /// rank and rank range among the units of its level and period; change
    /// from the previous period with Welch's t test.
    #[schema(value_type = Vec<Object>)]
    pub ratings: Vec<Standing>,
    /// Visits left out because their store is not in the hierarchy.
    pub unplaced_visits: usize,
}

/// Ratings and indices are for managers and administrators.
pub(crate) fn managers_only(who: &Principal, what: fn() -> Msg) -> Result<(), Error> {
    if matches!(who.role, Role::Manager | Role::Admin) {
        Ok(())
    } else {
        Err(Error::Forbidden(msg!(
            "ratings.managers_only",
            "{what} are for managers and administrators",
            what = what()
        )))
    }
}

/// The ratings `q` asks for, over the units `who` may see: from the stores'
/// daily sums (`m_store_days`), rolled up on a blocking thread.
pub async fn compute(
    app: &AppState,
    who: &Principal,
    q: &RatingRequest,
) -> Result<RatingReply, Error> {
    managers_only(who, || msg!("ratings.what_ratings", "ratings"))?;
    let hierarchy = app.hierarchy.get(&app.storage).await?;
    let mut filter = DayFilter {
        template: q.template.as_deref(),
        mode: q.mode,
        ..DayFilter::default()
    };
    // One period asked for: its days and the previous period's (for the
    // change). Days are the stores' own, so the bounds are exact.
    if let Some((from, until)) = q
        .period
        .and_then(|p| Some((p.previous()?.first_day()?, p.end_day()?)))
    {
        filter.from = Some(from);
        filter.until = Some(until);
    }
    // Days outside the caller's scope, or the unit asked for, rate nothing
    // the caller sees.
    let cells = app
        .storage
        .store_days(
            |sql| {
                who.scope.push_sql(sql, "store_id");
                if let Some(unit) = &q.unit {
                    sql.under("store_id", unit);
                }
            },
            &filter,
        )
        .await?;
    let (who, q) = (who.clone(), q.clone());
    tokio::task::spawn_blocking(move || roll_up(&hierarchy, cells, &who, &q))
        .await
        .map_err(|e| Error::Internal(e.into()))?
}

/// Rates the units of `hierarchy` from `cells`, for `who`, as `q` asks.
fn roll_up(
    hierarchy: &Hierarchy,
    cells: Vec<DayCell>,
    who: &Principal,
    q: &RatingRequest,
) -> Result<RatingReply, Error> {
    let mut unplaced = 0;
    let cells: Vec<DayCell> = cells
        .into_iter()
        .filter(|c| {
            let Some(unit) = hierarchy.unit(&c.store) else {
                unplaced += c.visits as usize;
                return false;
            };
            // Units in scope (and under the unit asked for) rest on their
            // own stores only: the others' visits need not be rated at all.
            who.scope.covers(&c.store)
                && q.unit.as_deref().is_none_or(|u| in_scope(u, &c.store))
                && q.channel.is_none_or(|ch| unit.channel == Some(ch))
        })
        .collect();
    let rules = RatingRules {
        weighting: q.weighting,
        channel: q.channel,
        ..RatingRules::default()
    };
    let all = rate_days(hierarchy, &cells, q.granularity, &rules)
        .map_err(|e| Error::Internal(e.into()))?;
    drop(cells);
    // Ranks are among the units the caller may see; changes need the
    // previous period, so the unit and period filters come after.
    let scoped: Vec<Rating> = all
        .into_iter()
        .filter(|r| who.scope.covers(&r.unit))
        .filter(|r| q.level.is_none_or(|l| r.level == l))
        .collect();
    let ratings = standings(scoped)
        .into_iter()
        .filter(|s| {
            q.unit
                .as_deref()
                .is_none_or(|u| in_scope(u, &s.rating.unit))
        })
        .filter(|s| q.period.is_none_or(|p| s.rating.period == p))
        .collect();
    Ok(RatingReply {
        ratings,
        unplaced_visits: unplaced,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeakItem {
    pub(crate) template_id: String,
    pub(crate) item_id: String,
    section_id: Option<String>,
    pub(crate) label_zh: Option<String>,
    pub(crate) label_en: Option<String>,
    /// Scored answers, and how many of them failed the standard.
    pub(crate) answered: i64,
    pub(crate) failed: i64,
    pub(crate) fail_rate: f64,
    /// 95% Wilson interval of the fail rate.
    #[schema(value_type = Option<Object>)]
    pub(crate) interval: Option<fieldcheck_core::stats::Interval>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeakSection {
    template_id: String,
    section_id: String,
    mean_score: f64,
    visits: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Weakest {
    pub(crate) items: Vec<WeakItem>,
    sections: Vec<WeakSection>,
}

/// The standards failed most often across a unit (default the caller's
/// scope), and its lowest sections: where service breaks.
pub async fn weakest(
    app: &AppState,
    who: &Principal,
    unit: Option<&str>,
    template: Option<&str>,
    started: (Option<i64>, Option<i64>),
    limit: usize,
) -> Result<Weakest, Error> {
    managers_only(who, || msg!("ratings.what_weak_spots", "weak spots"))?;
    let visibility = Visibility::of(who);
    let visible = |sql: &mut crate::store::sql::Sql| visibility.push_sql(sql);
    let filter = RecordFilter {
        kind: "checklist",
        with_partial: false,
        template,
        unit,
        from: started.0,
        to: started.1,
    };
    let mut items = Vec::new();
    let mut templates = HashMap::new();
    for row in app.storage.item_failures(visible, &filter).await? {
        // One lookup per template, not per item.
        if !templates.contains_key(&row.template_id) {
            let t = templates::newest(app, &row.template_id).await?;
            templates.insert(row.template_id.clone(), t);
        }
        let label = templates
            .get(&row.template_id)
            .and_then(Option::as_ref)
            .and_then(|t| t.item(&row.item_id).map(|i| i.label.clone()));
        let (answered, failed) = (row.answered, row.failed);
        items.push(WeakItem {
            section_id: row.section_id,
            label_zh: label.as_ref().map(|l| l.zh.clone()),
            label_en: label.as_ref().map(|l| l.en.clone()),
            answered,
            failed,
            fail_rate: failed as f64 / answered.max(1) as f64,
            interval: fieldcheck_core::stats::wilson(failed as u64, answered as u64, Z95),
            template_id: row.template_id,
            item_id: row.item_id,
        });
    }
    items.sort_by(|a, b| {
        b.fail_rate
            .total_cmp(&a.fail_rate)
            .then(b.answered.cmp(&a.answered))
    });
    items.truncate(limit);
    let sections = app
        .storage
        .section_means(visible, &filter, limit)
        .await?
        .into_iter()
        .map(|s| WeakSection {
            template_id: s.template_id,
            section_id: s.section_id,
            mean_score: s.mean_score,
            visits: s.visits,
        })
        .collect();
    Ok(Weakest { items, sections })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConstructIndex {
    pub(crate) construct_id: String,
    role: String,
    /// The index, 0-100; absent when suppressed (small sample).
    pub(crate) value: Option<f64>,
    #[schema(value_type = Option<String>)]
    band: Option<Band>,
    #[schema(value_type = Object)]
    pub(crate) estimate: MeanEstimate,
    #[schema(value_type = Object)]
    flags: Flags,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitSatisfaction {
    pub(crate) unit: String,
    level: String,
    pub(crate) responses: usize,
    pub(crate) constructs: Vec<ConstructIndex>,
    /// Net Promoter Score with its standard error and interval.
    #[schema(value_type = Option<Object>)]
    nps: Option<Nps>,
    /// SERVQUAL gaps (S4): perception minus expectation by attribute and
    /// dimension, plain and importance-weighted, with SERVPERF.
    #[schema(value_type = Option<Object>)]
    gaps: Option<GapReport>,
    /// Importance-performance analysis (S5) with its quadrants: fix first,
    /// keep up, watch, possible overkill, pay attention.
    #[schema(value_type = Option<Object>)]
    ipa: Option<IpaResult>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Satisfaction {
    pub(crate) units: Vec<UnitSatisfaction>,
}

/// The responses to the questionnaire `template_id` started in `started`
/// at the stores under `unit`. Interviews quit part-way under a template
/// that keeps partial responses count too; their unanswered items are
/// missing.
pub(crate) fn responses_to<'a>(
    template_id: &'a str,
    unit: Option<&'a str>,
    started: (Option<i64>, Option<i64>),
) -> RecordFilter<'a> {
    RecordFilter {
        kind: "questionnaire",
        with_partial: true,
        template: Some(template_id),
        unit,
        from: started.0,
        to: started.1,
    }
}

/// Each respondent's store and answers to `template`'s items, of the
/// responses `filter` selects and `visibility` lets the caller see, in
/// the order of their record ids.
pub(crate) async fn answers_by_respondent(
    app: &AppState,
    visibility: &Visibility,
    filter: &RecordFilter<'_>,
    template: &Template,
) -> Result<Vec<(String, Response)>, Error> {
    let mut answers_of: BTreeMap<String, (String, Response)> = BTreeMap::new();
    let visible = |sql: &mut crate::store::sql::Sql| visibility.push_sql(sql);
    for row in app.storage.answer_rows(visible, filter, None).await? {
        let (Some(item), Ok(json)) = (
            template.answer_item(&row.item_id).map(|(i, _)| i),
            serde_json::from_str(&row.value),
        ) else {
            continue;
        };
        let entry = answers_of.entry(row.doc_id).or_insert_with(|| {
            let started = Some(row.started_at);
            (row.store_id, Response::unweighted(Answers::new(), started))
        });
        if let Ok(v) = from_json(item, &json) {
            entry.1.answers.insert(row.item_id, v);
        }
    }
    Ok(answers_of.into_values().collect())
}

/// Satisfaction indices by construct (S3) and NPS (S6) for every unit in
/// the caller's scope (under `unit` if given) that has survey responses to
/// the questionnaire `template_id`.
pub async fn satisfaction(
    app: &AppState,
    who: &Principal,
    template_id: &str,
    unit: Option<&str>,
    started: (Option<i64>, Option<i64>),
) -> Result<Satisfaction, Error> {
    managers_only(who, || {
        msg!("ratings.what_satisfaction", "satisfaction indices")
    })?;
    let template = templates::newest(app, template_id)
        .await?
        .ok_or_else(|| Error::NotFound(crate::services::templates::not_published(template_id)))?;
    let visibility = Visibility::of(who);
    let visible = |sql: &mut crate::store::sql::Sql| visibility.push_sql(sql);
    let filter = responses_to(template_id, unit, started);
    // Construct scores and recommend answers, by store.
    let mut scores: HashMap<String, Vec<(String, String, f64)>> = HashMap::new();
    for c in app.storage.construct_scores(visible, &filter).await? {
        scores
            .entry(c.store_id)
            .or_default()
            .push((c.construct_id, c.role, c.score));
    }
    let respondents: HashMap<String, usize> = app
        .storage
        .responses_by_store(visible, &filter)
        .await?
        .into_iter()
        .collect();
    let mut recommend: HashMap<String, Vec<f64>> = HashMap::new();
    if let Some(item) = &template.analysis.recommend {
        for row in app
            .storage
            .answer_rows(visible, &filter, Some(item))
            .await?
        {
            if let Ok(x) = row.value.parse::<f64>() {
                recommend.entry(row.store_id).or_default().push(x);
            }
        }
    }

    // Each respondent's answers, for the gap and importance-performance analyses.
    let answers_of = answers_by_respondent(app, &visibility, &filter, &template).await?;
    let mut responses_of: HashMap<String, Vec<Response>> = HashMap::new();
    for (store, response) in answers_of {
        responses_of.entry(store).or_default().push(response);
    }

    let unit_asked = unit;
    let hierarchy = app.hierarchy.get(&app.storage).await?;
    let rules = fieldcheck_core::stats::FlagRules::default();
    let mut out = Vec::new();
    for unit in hierarchy.units() {
        if !who.scope.covers(&unit.id) || unit_asked.is_some_and(|u| !in_scope(u, &unit.id)) {
            continue;
        }
        let stores = hierarchy.stores_under(&unit.id);
        let responses: usize = stores.iter().filter_map(|s| respondents.get(s)).sum();
        if responses == 0 {
            continue;
        }
        let mut by_construct: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
        for (construct, role, score) in stores.iter().filter_map(|s| scores.get(s)).flatten() {
            by_construct
                .entry((construct.clone(), role.clone()))
                .or_default()
                .push(*score);
        }
        let constructs = by_construct
            .into_iter()
            .filter_map(|((construct_id, role), values)| {
                let estimate = fieldcheck_core::stats::mean(&values)?;
                let flags = rules.flags(estimate.n_eff, None);
                let value = (!flags.suppressed).then_some(estimate.mean);
                Some(ConstructIndex {
                    construct_id,
                    role,
                    value,
                    band: value.map(Band::of),
                    estimate,
                    flags,
                })
            })
            .collect();
        let nps_values: Vec<f64> = stores
            .iter()
            .filter_map(|s| recommend.get(s))
            .flatten()
            .copied()
            .collect();
        let unit_responses: Vec<Response> = stores
            .iter()
            .filter_map(|s| responses_of.get(s))
            .flatten()
            .cloned()
            .collect();
        let gaps = (!template.gaps.is_empty()).then(|| gap_analysis(&template, &unit_responses));
        let ipa = importance_performance(&template, &unit_responses, &IpaConfig::default());
        out.push(UnitSatisfaction {
            unit: unit.id.clone(),
            level: unit.level.as_str().to_string(),
            responses,
            constructs,
            nps: nps(&nps_values),
            gaps,
            ipa,
        });
    }
    Ok(Satisfaction { units: out })
}
