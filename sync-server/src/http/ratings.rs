//! `GET /api/v1/ratings`: channel compliance ratings (methodology.md S7, S8)
//! computed by core from the materialised visits and the stored hierarchy,
//! for the units in the caller's scope.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use fieldcheck_core::ratings::league::{Standing, standings};
use fieldcheck_core::ratings::{
    Granularity, Hierarchy, Period, Rating, RatingRules, Visit, Weighting, rate, under_nation,
};
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::templates::{Channel, TemplateRef};
use fieldcheck_core::vocab::{Role, VisitMode};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::Authenticated;
use crate::services::access::Visibility;
use crate::services::auth::Principal;
use crate::state::AppState;
use crate::store::StorageError;
use crate::store::sql::Sql;
use fieldcheck_core::answers::{Answers, from_json};
use fieldcheck_core::scoring::Band;
use fieldcheck_core::scoring::survey::{
    GapReport, IpaConfig, IpaResult, Nps, Response, gap_analysis, importance_performance, nps,
};
use fieldcheck_core::stats::{Flags, MeanEstimate, Z95};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

/// Record statuses that count as a visit: submitted and not sent back.
const VALID: &str = "'submitted', 'resubmitted', 'approved'";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingQuery {
    /// day, week, month (default), quarter or year.
    granularity: Option<String>,
    /// Only this period, e.g. `2026-10`, `2026-W43`, `2026-Q4`.
    period: Option<String>,
    /// Only this unit and the units below it.
    unit: Option<String>,
    /// Only units of this level: store, district, city, province or national
    /// (the unit `*`, for users who see everything).
    level: Option<String>,
    template: Option<String>,
    channel: Option<String>,
    /// overt, mystery or test_call.
    mode: Option<String>,
    /// stores (default) or traffic.
    weighting: Option<String>,
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

fn bad(what: &str, value: &str, allowed: &str) -> Error {
    Error::BadRequest(format!("`{value}` is not a {what} ({allowed})"))
}

/// Channel compliance ratings for the units in the caller's scope.
#[utoipa::path(get, path = "/api/v1/ratings", tag = "ratings", params(RatingQuery), security(("bearer" = [])),
    responses((status = 200, body = RatingReply),
        (status = 400, description = "A parameter is not valid", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn ratings(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<RatingQuery>, QueryRejection>,
) -> Result<Json<RatingReply>, Error> {
    let Query(q) = query?;
    Ok(Json(compute(&app, &who.principal, &q).await?))
}

/// Ratings and indices are for managers and administrators.
fn managers_only(who: &Principal, what: &str) -> Result<(), Error> {
    if matches!(who.role, Role::Manager | Role::Admin) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "{what} are for managers and administrators"
        )))
    }
}

/// The stored hierarchy under its national root.
async fn national_hierarchy(app: &AppState) -> Result<Hierarchy, Error> {
    let units = crate::store::units::load(&app.storage)
        .await?
        .into_iter()
        .map(|r| r.unit)
        .collect();
    Hierarchy::new(under_nation(units)).map_err(|e| Error::Internal(e.into()))
}

/// The ratings `q` asks for, over the units `who` may see.
pub(crate) async fn compute(
    app: &AppState,
    who: &Principal,
    q: &RatingQuery,
) -> Result<RatingReply, Error> {
    managers_only(who, "ratings")?;
    let granularity = match q.granularity.as_deref() {
        None => Granularity::Month,
        Some(g) => Granularity::parse(g)
            .ok_or_else(|| bad("granularity", g, "day, week, month, quarter, year"))?,
    };
    let period = q
        .period
        .as_deref()
        .map(|p| {
            Period::parse(p).ok_or_else(|| bad("period", p, "e.g. 2026-10, 2026-W43, 2026-Q4"))
        })
        .transpose()?;
    let channel = q
        .channel
        .as_deref()
        .map(|c| Channel::parse(c).ok_or_else(|| bad("channel", c, &Channel::names())))
        .transpose()?;
    let mode = q
        .mode
        .as_deref()
        .map(|m| VisitMode::parse(m).ok_or_else(|| bad("mode", m, &VisitMode::names())))
        .transpose()?;
    let level = q
        .level
        .as_deref()
        .map(|l| {
            fieldcheck_core::ratings::Level::parse(l)
                .ok_or_else(|| bad("level", l, "store, district, city, province, national"))
        })
        .transpose()?;
    let weighting = match q.weighting.as_deref() {
        None | Some("stores") => Weighting::Stores,
        Some("traffic") => Weighting::Traffic,
        Some(w) => return Err(bad("weighting", w, "stores, traffic")),
    };

    let hierarchy = national_hierarchy(app).await?;
    let mut sql = Sql::new(&format!(
        "SELECT store_id, template_id, template_version, mode, score, passed, started_at FROM m_records
         WHERE kind = 'checklist' AND scored = 1 AND score IS NOT NULL AND status IN ({VALID})"
    ));
    // Visits outside the caller's scope rate nothing the caller sees.
    who.scope.push_sql(&mut sql, "store_id");
    if let Some(t) = &q.template {
        sql.push(" AND template_id = ").bind(t.as_str());
    }
    if let Some(m) = mode {
        sql.push(" AND mode = ").bind(m.as_str());
    }
    // One period asked for: its visits and the previous period's (for the
    // change), with a day either side for the stores' time zones.
    if let Some((from, to)) = period
        .as_ref()
        .and_then(|p| Some((p.previous()?.first_day()?, p.end_day()?)))
    {
        let ms = |d: jiff::civil::Date, days: i64| {
            d.to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp().as_millisecond() + days * 86_400_000)
                .map_err(|e| Error::Internal(e.into()))
        };
        sql.push(" AND started_at >= ").bind(ms(from, -1)?);
        sql.push(" AND started_at < ").bind(ms(to, 1)?);
    }
    let rows = sql
        .query()
        .fetch_all(app.storage.pool())
        .await
        .map_err(StorageError::from)?;
    let mut visits = Vec::with_capacity(rows.len());
    let mut unplaced = 0;
    for r in rows {
        let store: String = r.try_get("store_id").map_err(StorageError::from)?;
        let visit_mode: String = r.try_get("mode").map_err(StorageError::from)?;
        let Some(unit) = hierarchy.unit(&store) else {
            unplaced += 1;
            continue;
        };
        // Units in scope (and under the unit asked for) rest on their own
        // stores only: the others' visits need not be rated at all.
        if !who.scope.covers(&store) || q.unit.as_deref().is_some_and(|u| !in_scope(u, &store)) {
            continue;
        }
        if channel.is_some_and(|c| unit.channel != Some(c))
            || mode.is_some_and(|m| m.as_str() != visit_mode)
        {
            continue;
        }
        let at: i64 = r.try_get("started_at").map_err(StorageError::from)?;
        visits.push(Visit {
            store,
            at: jiff::Timestamp::from_millisecond(at).map_err(|e| Error::Internal(e.into()))?,
            score: r.try_get("score").map_err(StorageError::from)?,
            passed: r
                .try_get::<Option<i64>, _>("passed")
                .map_err(StorageError::from)?
                == Some(1),
            mystery: visit_mode == VisitMode::Mystery.as_str(),
            template: TemplateRef {
                id: r.try_get("template_id").map_err(StorageError::from)?,
                version: r.try_get("template_version").map_err(StorageError::from)?,
            },
        });
    }
    let rules = RatingRules {
        weighting,
        channel,
        ..RatingRules::default()
    };
    let all =
        rate(&hierarchy, &visits, granularity, &rules).map_err(|e| Error::Internal(e.into()))?;
    // Ranks are among the units the caller may see; changes need the
    // previous period, so the unit and period filters come after.
    let scoped: Vec<Rating> = all
        .into_iter()
        .filter(|r| who.scope.covers(&r.unit))
        .filter(|r| level.is_none_or(|l| r.level == l))
        .collect();
    let ratings = standings(scoped)
        .into_iter()
        .filter(|s| {
            q.unit
                .as_deref()
                .is_none_or(|u| in_scope(u, &s.rating.unit))
        })
        .filter(|s| period.as_ref().is_none_or(|p| &s.rating.period == p))
        .collect();
    Ok(RatingReply {
        ratings,
        unplaced_visits: unplaced,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeakestQuery {
    /// A unit of the hierarchy; default the caller's scope.
    unit: Option<String>,
    template: Option<String>,
    /// Visits started at or after / before, ms since the epoch.
    from: Option<i64>,
    to: Option<i64>,
    /// How many items and sections (default 10).
    limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeakItem {
    template_id: String,
    item_id: String,
    section_id: Option<String>,
    label_zh: Option<String>,
    label_en: Option<String>,
    /// Scored answers, and how many of them failed the standard.
    answered: i64,
    failed: i64,
    fail_rate: f64,
    /// 95% Wilson interval of the fail rate.
    #[schema(value_type = Option<Object>)]
    interval: Option<fieldcheck_core::stats::Interval>,
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
    items: Vec<WeakItem>,
    sections: Vec<WeakSection>,
}

/// The standards failed most often across a unit, and its lowest sections:
/// where service breaks.
#[utoipa::path(get, path = "/api/v1/weakest", tag = "ratings", params(WeakestQuery), security(("bearer" = [])),
    responses((status = 200, body = Weakest), (status = 400, body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn weakest(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<WeakestQuery>, QueryRejection>,
) -> Result<Json<Weakest>, Error> {
    let who = who.principal;
    managers_only(&who, "weak spots")?;
    let Query(q) = query?;
    let limit = q.limit.unwrap_or(10).clamp(1, 200);
    let filter = |base: &str| {
        let mut sql = Sql::new(base);
        Visibility::of(&who).push_sql(&mut sql);
        sql.push(&format!(
            " AND r.kind = 'checklist' AND r.status IN ({VALID})"
        ));
        if let Some(u) = &q.unit {
            sql.under("r.store_id", u);
        }
        if let Some(t) = &q.template {
            sql.push(" AND r.template_id = ").bind(t.as_str());
        }
        if let Some(v) = q.from {
            sql.push(" AND r.started_at >= ").bind(v);
        }
        if let Some(v) = q.to {
            sql.push(" AND r.started_at < ").bind(v);
        }
        sql
    };
    let mut items_sql = filter(
        "SELECT r.template_id, a.item_id, a.section_id, COUNT(*) AS answered, CAST(SUM(a.failed) AS BIGINT) AS failed
         FROM m_answers a JOIN m_records r ON r.doc_id = a.doc_id WHERE a.outcome IS NOT NULL",
    );
    items_sql.push(" GROUP BY r.template_id, a.item_id, a.section_id");
    let mut items = Vec::new();
    let mut templates = HashMap::new();
    for row in items_sql.query().fetch_all(app.storage.pool()).await? {
        let template_id: String = row.try_get("template_id")?;
        let item_id: String = row.try_get("item_id")?;
        let answered: i64 = row.try_get("answered")?;
        let failed: i64 = row.try_get::<Option<i64>, _>("failed")?.unwrap_or(0);
        // One lookup per template, not per item.
        if !templates.contains_key(&template_id) {
            let t = crate::services::templates::newest(&app, &template_id).await?;
            templates.insert(template_id.clone(), t);
        }
        let label = templates
            .get(&template_id)
            .and_then(Option::as_ref)
            .and_then(|t| t.item(&item_id).map(|i| i.label.clone()));
        items.push(WeakItem {
            section_id: row.try_get("section_id")?,
            label_zh: label.as_ref().map(|l| l.zh.clone()),
            label_en: label.as_ref().map(|l| l.en.clone()),
            answered,
            failed,
            fail_rate: failed as f64 / answered.max(1) as f64,
            interval: fieldcheck_core::stats::wilson(failed as u64, answered as u64, Z95),
            template_id,
            item_id,
        });
    }
    items.sort_by(|a, b| {
        b.fail_rate
            .total_cmp(&a.fail_rate)
            .then(b.answered.cmp(&a.answered))
    });
    items.truncate(limit);
    let mut sections_sql = filter(
        "SELECT r.template_id, s.section_id, AVG(s.score) AS mean_score, COUNT(s.score) AS visits
         FROM m_sections s JOIN m_records r ON r.doc_id = s.doc_id WHERE s.score IS NOT NULL",
    );
    sections_sql.push(" GROUP BY r.template_id, s.section_id ORDER BY mean_score, s.section_id");
    let mut sections = Vec::new();
    for row in sections_sql.query().fetch_all(app.storage.pool()).await? {
        sections.push(WeakSection {
            template_id: row.try_get("template_id")?,
            section_id: row.try_get("section_id")?,
            mean_score: row.try_get("mean_score")?,
            visits: row.try_get("visits")?,
        });
        if sections.len() == limit {
            break;
        }
    }
    Ok(Json(Weakest { items, sections }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SatisfactionQuery {
    /// The questionnaire.
    template: String,
    /// Only this unit and the units below it.
    unit: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConstructIndex {
    construct_id: String,
    role: String,
    /// The index, 0-100; absent when suppressed (small sample).
    value: Option<f64>,
    #[schema(value_type = Option<String>)]
    band: Option<Band>,
    #[schema(value_type = Object)]
    estimate: MeanEstimate,
    #[schema(value_type = Object)]
    flags: Flags,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitSatisfaction {
    unit: String,
    level: String,
    responses: usize,
    constructs: Vec<ConstructIndex>,
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
    units: Vec<UnitSatisfaction>,
}

/// Satisfaction indices by construct (S3) and NPS (S6) for every unit in the
/// caller's scope that has survey responses.
#[utoipa::path(get, path = "/api/v1/satisfaction", tag = "ratings", params(SatisfactionQuery), security(("bearer" = [])),
    responses((status = 200, body = Satisfaction), (status = 400, body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn satisfaction(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<SatisfactionQuery>, QueryRejection>,
) -> Result<Json<Satisfaction>, Error> {
    let who = who.principal;
    managers_only(&who, "satisfaction indices")?;
    let Query(q) = query?;
    let template = crate::services::templates::newest(&app, &q.template)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no published template `{}`", q.template)))?;
    let filter = |base: &str| {
        let mut sql = Sql::new(base);
        Visibility::of(&who).push_sql(&mut sql);
        // Interviews quit part-way under a template that keeps partial
        // responses count too; their unanswered items are missing.
        sql.push(&format!(
            " AND r.kind = 'questionnaire' AND r.status IN ({VALID}, 'partial')"
        ));
        sql.push(" AND r.template_id = ").bind(q.template.as_str());
        if let Some(u) = &q.unit {
            sql.under("r.store_id", u);
        }
        if let Some(v) = q.from {
            sql.push(" AND r.started_at >= ").bind(v);
        }
        if let Some(v) = q.to {
            sql.push(" AND r.started_at < ").bind(v);
        }
        sql
    };
    // Construct scores and recommend answers, by store.
    let mut scores: HashMap<String, Vec<(String, String, f64)>> = HashMap::new();
    let mut respondents: HashMap<String, usize> = HashMap::new();
    for row in filter(
        "SELECT r.store_id, c.construct_id, c.role, c.score FROM m_constructs c
         JOIN m_records r ON r.doc_id = c.doc_id WHERE c.score IS NOT NULL",
    )
    .query()
    .fetch_all(app.storage.pool())
    .await?
    {
        let store: String = row.try_get("store_id")?;
        scores.entry(store).or_default().push((
            row.try_get("construct_id")?,
            row.try_get("role")?,
            row.try_get("score")?,
        ));
    }
    for row in filter("SELECT r.store_id, COUNT(*) AS n FROM m_records r WHERE 1 = 1")
        .push(" GROUP BY r.store_id")
        .query()
        .fetch_all(app.storage.pool())
        .await?
    {
        respondents.insert(
            row.try_get("store_id")?,
            row.try_get::<i64, _>("n")? as usize,
        );
    }
    let mut recommend: HashMap<String, Vec<f64>> = HashMap::new();
    if let Some(item) = &template.analysis.recommend {
        let mut sql = filter(
            "SELECT r.store_id, a.value FROM m_answers a JOIN m_records r ON r.doc_id = a.doc_id WHERE 1 = 1",
        );
        sql.push(" AND a.item_id = ").bind(item.as_str());
        for row in sql.query().fetch_all(app.storage.pool()).await? {
            let value: String = row.try_get("value")?;
            if let Ok(x) = value.parse::<f64>() {
                recommend
                    .entry(row.try_get("store_id")?)
                    .or_default()
                    .push(x);
            }
        }
    }

    // Each respondent's answers, for the gap and importance-performance analyses.
    let mut answers_of: BTreeMap<String, (String, Answers)> = BTreeMap::new();
    for row in filter(
        "SELECT r.doc_id, r.store_id, a.item_id, a.value FROM m_answers a
         JOIN m_records r ON r.doc_id = a.doc_id WHERE 1 = 1",
    )
    .query()
    .fetch_all(app.storage.pool())
    .await?
    {
        let item_id: String = row.try_get("item_id")?;
        let json: String = row.try_get("value")?;
        let (Some(item), Ok(json)) = (template.item(&item_id), serde_json::from_str(&json)) else {
            continue;
        };
        let entry = answers_of
            .entry(row.try_get("doc_id")?)
            .or_insert((row.try_get("store_id")?, Answers::new()));
        if let Ok(v) = from_json(item, &json) {
            entry.1.insert(item_id, v);
        }
    }
    let mut responses_of: HashMap<String, Vec<Response>> = HashMap::new();
    for (store, answers) in answers_of.into_values() {
        responses_of
            .entry(store)
            .or_default()
            .push(Response::unweighted(answers));
    }

    let hierarchy = national_hierarchy(&app).await?;
    let rules = fieldcheck_core::stats::FlagRules::default();
    let mut out = Vec::new();
    for unit in hierarchy.units() {
        if !who.scope.covers(&unit.id) || q.unit.as_deref().is_some_and(|u| !in_scope(u, &unit.id))
        {
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
    Ok(Json(Satisfaction { units: out }))
}
