//! Branch scorecards (core's `scorecard`, docs/scorecards.md): every unit of
//! a level scored for a period from the figures Fieldcheck computes
//! (channel compliance, satisfaction, weak spots, hotline service level),
//! the figures the operator entered and the case register; a league table
//! of the units, those with open indicators marked rather than ranked.

use std::collections::{BTreeMap, HashMap};

use fieldcheck_core::hotline::{KpiId, ServiceLevelFormula};
use fieldcheck_core::msg;
use fieldcheck_core::ratings::{Level, Period};
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::reference::{DEFAULT_TIME_ZONE, UnitRecord};
use fieldcheck_core::scorecard::{
    Case, Input, Scorecard, ScorecardResult, Source, evaluate, improvement, parse_cases,
    parse_entries,
};
use fieldcheck_core::table::Table;
use fieldcheck_core::templates::Channel;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Principal, Visibility};
use crate::error::Error;
use crate::services::hotline::{self, KpiRequest};
use crate::services::ratings::{self, RatingRequest, managers_only};
use crate::state::{AppState, now_ms};
use crate::store::ratings::RecordFilter;
use crate::store::sql::Sql;
use crate::store::{Audit, insert_audit, scorecards as store, units};

/// What a scorecard request asks for.
#[derive(Debug, Clone)]
pub struct ScorecardRequest {
    pub scorecard: String,
    pub period: Period,
    pub level: Level,
    pub unit: Option<String>,
}

/// One unit's scorecard.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScorecardRow {
    pub unit: String,
    pub name_zh: String,
    pub name_en: String,
    /// Indicators (value, points earned and their interval, standing:
    /// scored, suppressed or missing, and why), deductions, score, best
    /// case, complete.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub result: ScorecardResult,
    /// 1 = best among the complete scorecards; equal scores share a place.
    pub place: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScorecardReply {
    /// The definition: indicators with their points and scoring, deductions.
    #[schema(value_type = Object)]
    pub scorecard: Scorecard,
    pub period: String,
    pub rows: Vec<ScorecardRow>,
}

/// The scorecards there are: for each id, the newest version an
/// administrator published, else the shipped scheme.
pub async fn definitions(app: &AppState) -> Result<Vec<Scorecard>, Error> {
    let mut cards = Scorecard::shipped();
    for row in store::schemes(&app.storage).await? {
        // Checked when published; one that no longer reads (a newer
        // server's rules) is passed over, not fatal.
        let Ok(card) = Scorecard::load(&row.body) else {
            continue;
        };
        match cards.iter_mut().find(|c| c.id == card.id) {
            Some(c) => *c = card,
            None => cards.push(card),
        }
    }
    Ok(cards)
}

async fn find(app: &AppState, id: &str) -> Result<Scorecard, Error> {
    definitions(app)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| {
            Error::NotFound(msg!(
                "scorecard.unknown",
                "there is no scorecard `{id}`",
                id = id
            ))
        })
}

/// What publishing a scheme did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchemePublished {
    pub scorecard_id: String,
    pub version: String,
    /// False when this exact version was already there (shipped or published).
    pub new: bool,
    /// False for a dry run.
    pub published: bool,
    pub indicators: usize,
    /// The points of its indicators.
    pub points: f64,
}

/// Publishes a scorecard scheme (administrators): checked with every
/// problem listed, then kept under its id and version, which from then on
/// is the scheme scored for that id. A version never changes: the same id
/// and version with other content is refused, the same content again
/// changes nothing.
pub async fn publish(
    app: &AppState,
    who: &Principal,
    text: &str,
    dry_run: bool,
) -> Result<SchemePublished, Error> {
    if who.role != fieldcheck_core::vocab::Role::Admin {
        return Err(Error::admins_only());
    }
    let card = Scorecard::load(text).map_err(Error::problems)?;
    let published = store::schemes(&app.storage).await?;
    let same_version = Scorecard::shipped()
        .into_iter()
        .chain(
            published
                .iter()
                .filter_map(|row| Scorecard::load(&row.body).ok()),
        )
        .find(|c| c.id == card.id && c.version == card.version);
    let new = match same_version {
        Some(existing) if existing != card => {
            return Err(Error::Exists(msg!(
                "scorecard.version_taken",
                "scorecard `{id}` version `{version}` exists with other content; give the changed scheme a new version",
                id = &card.id,
                version = &card.version
            )));
        }
        Some(_) => false,
        None => true,
    };
    if new && !dry_run {
        let now = now_ms();
        let mut tx = app.storage.pool().begin().await?;
        let row = store::SchemeRow {
            scorecard_id: card.id.clone(),
            version: card.version.clone(),
            body: text.to_string(),
            published_at: now,
        };
        store::put_scheme(&mut tx, &row, &who.user_id).await?;
        let mut entry = audit(who, "scorecard.publish", card.indicators.len());
        entry.target = format!("scorecard:{}@{}", card.id, card.version);
        insert_audit(&mut tx, &entry, now).await?;
        tx.commit().await?;
    }
    Ok(SchemePublished {
        new,
        published: !dry_run,
        indicators: card.indicators.len(),
        points: card.points(),
        scorecard_id: card.id,
        version: card.version,
    })
}

/// Local midnight (the operator's zone) of `day`, in ms.
pub(crate) fn midnight(day: jiff::civil::Date) -> Option<i64> {
    let tz = jiff::tz::TimeZone::get(DEFAULT_TIME_ZONE).ok()?;
    Some(day.to_zoned(tz).ok()?.timestamp().as_millisecond())
}

/// The ms range of a period, for filters on when records were started.
pub(crate) fn range(p: Period) -> (Option<i64>, Option<i64>) {
    (
        p.first_day().and_then(midnight),
        p.end_day().and_then(midnight),
    )
}

/// The scorecards of the units of `q.level` in `who`'s scope for a period.
pub async fn results(
    app: &AppState,
    who: &Principal,
    q: &ScorecardRequest,
) -> Result<ScorecardReply, Error> {
    managers_only(who, || msg!("scorecard.what", "scorecards"))?;
    let card = find(app, &q.scorecard).await?;
    let units: Vec<UnitRecord> = units::load(&app.storage)
        .await?
        .into_iter()
        .filter(|u| u.unit.level == q.level && who.scope.covers(&u.unit.id))
        .filter(|u| q.unit.as_deref().is_none_or(|p| in_scope(p, &u.unit.id)))
        .collect();
    let entered = store::entries(&app.storage, q.period).await?;
    let mut inputs: Vec<Vec<Input>> = vec![Vec::new(); units.len()];
    for indicator in &card.indicators {
        let mut found: HashMap<String, Input> = match &indicator.source {
            Source::ChannelCompliance { channel } => compliance(app, who, q, *channel).await?,
            Source::SatisfactionIndex {
                template,
                construct,
            } => satisfaction(app, who, q, template, construct).await?,
            Source::WeakSpotImprovement { top } => {
                let mut out = HashMap::new();
                for u in &units {
                    out.insert(
                        u.unit.id.clone(),
                        weak_spots(app, who, &u.unit.id, q.period, *top).await?,
                    );
                }
                out
            }
            Source::HotlineServiceLevel => hotline_levels(app, who, q, &units).await?,
            Source::Entered => entered
                .iter()
                .filter(|(_, i, _)| *i == indicator.id)
                .map(|(u, _, v)| {
                    (
                        u.clone(),
                        Input::Value {
                            value: *v,
                            interval: None,
                        },
                    )
                })
                .collect(),
        };
        for (k, u) in units.iter().enumerate() {
            let input = found.remove(&u.unit.id).unwrap_or_else(|| {
                Input::Missing(match indicator.source {
                    Source::Entered => msg!(
                        "scorecard.not_given",
                        "not entered for this unit and period"
                    ),
                    _ => msg!("scorecard.no_data", "no figure for this unit and period"),
                })
            });
            inputs[k].push(input);
        }
    }
    let (Some(from), Some(until)) = (q.period.first_day(), q.period.end_day()) else {
        return Err(Error::BadRequest(msg!(
            "scorecard.bad_period",
            "`{period}` is not a period",
            period = q.period
        )));
    };
    let cases = store::cases(
        &app.storage,
        |sql: &mut Sql| who.scope.push_sql(sql, "unit_id"),
        from,
        until,
    )
    .await?;
    let mut rows: Vec<ScorecardRow> = units
        .into_iter()
        .zip(inputs)
        .map(|(u, inputs)| {
            let mine: Vec<Case> = cases
                .iter()
                .filter(|c| in_scope(&u.unit.id, &c.unit) && c.counts(until))
                .map(|c| Case {
                    kind: c.kind.clone(),
                    points: c.points,
                })
                .collect();
            ScorecardRow {
                result: evaluate(&card, &inputs, &mine),
                unit: u.unit.id,
                name_zh: u.name_zh,
                name_en: u.name_en,
                place: None,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.result
            .complete
            .cmp(&a.result.complete)
            .then(b.result.score.total_cmp(&a.result.score))
            .then(a.unit.cmp(&b.unit))
    });
    let complete: Vec<f64> = rows
        .iter()
        .filter(|r| r.result.complete)
        .map(|r| r.result.score)
        .collect();
    for r in rows.iter_mut().filter(|r| r.result.complete) {
        r.place = Some(1 + complete.iter().filter(|s| **s > r.result.score).count());
    }
    Ok(ScorecardReply {
        scorecard: card,
        period: q.period.to_string(),
        rows,
    })
}

/// Each unit's channel compliance (of one channel if named): its rating for
/// the period, or suppressed.
async fn compliance(
    app: &AppState,
    who: &Principal,
    q: &ScorecardRequest,
    channel: Option<Channel>,
) -> Result<HashMap<String, Input>, Error> {
    let request = RatingRequest {
        channel,
        ..RatingRequest::of_level(
            q.period.granularity(),
            Some(q.period),
            q.unit.clone(),
            q.level,
        )
    };
    let reply = ratings::compute(app, who, &request).await?;
    Ok(reply
        .ratings
        .into_iter()
        .filter(|s| s.rating.period == q.period && s.rating.level == q.level)
        .map(|s| {
            let input = match s.rating.score {
                Some(value) => Input::Value {
                    value,
                    interval: s.rating.estimate.interval,
                },
                None => Input::Suppressed,
            };
            (s.rating.unit, input)
        })
        .collect())
}

/// Each unit's satisfaction index of `construct`, or suppressed.
async fn satisfaction(
    app: &AppState,
    who: &Principal,
    q: &ScorecardRequest,
    template: &str,
    construct: &str,
) -> Result<HashMap<String, Input>, Error> {
    let found =
        match ratings::satisfaction(app, who, template, q.unit.as_deref(), range(q.period)).await {
            Ok(s) => s,
            // A questionnaire not published (yet) gives no figures.
            Err(Error::NotFound(_)) => return Ok(HashMap::new()),
            Err(e) => return Err(e),
        };
    Ok(found
        .units
        .into_iter()
        .filter_map(|u| {
            let c = u
                .constructs
                .into_iter()
                .find(|c| c.construct_id == construct)?;
            let input = match c.value {
                Some(value) => Input::Value {
                    value,
                    interval: c.estimate.interval,
                },
                None => Input::Suppressed,
            };
            Some((u.unit, input))
        })
        .collect())
}

/// How much the fail rate of the previous period's `top` weakest standards
/// of `unit` fell in `period`.
async fn weak_spots(
    app: &AppState,
    who: &Principal,
    unit: &str,
    period: Period,
    top: usize,
) -> Result<Input, Error> {
    let visibility = Visibility::of(who);
    let failures = |span: (Option<i64>, Option<i64>)| {
        let filter = RecordFilter {
            kind: "checklist",
            with_partial: false,
            template: None,
            unit: Some(unit),
            from: span.0,
            to: span.1,
        };
        let visibility = &visibility;
        async move {
            app.storage
                .item_failures(|sql| visibility.push_sql(sql), &filter)
                .await
        }
    };
    let Some(previous) = period.previous() else {
        return Ok(Input::Missing(no_weak_spots()));
    };
    let mut before = failures(range(previous)).await?;
    before.retain(|f| f.failed > 0);
    before.sort_by(|a, b| {
        let rate =
            |f: &crate::store::ratings::ItemFailures| f.failed as f64 / f.answered.max(1) as f64;
        rate(b)
            .total_cmp(&rate(a))
            .then(b.answered.cmp(&a.answered))
    });
    before.truncate(top);
    if before.is_empty() {
        return Ok(Input::Missing(no_weak_spots()));
    }
    let now = failures(range(period)).await?;
    let key = |f: &crate::store::ratings::ItemFailures| (f.template_id.clone(), f.item_id.clone());
    let now: BTreeMap<_, _> = now
        .iter()
        .map(|f| (key(f), (f.failed, f.answered)))
        .collect();
    let sum = |xs: &mut dyn Iterator<Item = (i64, i64)>| {
        xs.fold((0u64, 0u64), |(f, a), (fi, ai)| {
            (f + fi.max(0) as u64, a + ai.max(0) as u64)
        })
    };
    let was = sum(&mut before.iter().map(|f| (f.failed, f.answered)));
    let is = sum(&mut before.iter().filter_map(|f| now.get(&key(f)).copied()));
    Ok(match improvement(was, is) {
        Some(value) => Input::Value {
            value,
            interval: None,
        },
        None => Input::Missing(msg!(
            "scorecard.weak_spots_unchecked",
            "last period's weakest standards were not checked in this period"
        )),
    })
}

fn no_weak_spots() -> fieldcheck_core::msg::Msg {
    msg!(
        "scorecard.no_weak_spots",
        "no standard failed in the previous period"
    )
}

/// Each unit's hotline service level over all its hotlines' calls.
async fn hotline_levels(
    app: &AppState,
    who: &Principal,
    q: &ScorecardRequest,
    units: &[UnitRecord],
) -> Result<HashMap<String, Input>, Error> {
    let request = KpiRequest {
        granularity: q.period.granularity(),
        period: Some(q.period),
        unit: q.unit.clone(),
        formula: ServiceLevelFormula::default(),
    };
    let reply = hotline::kpis(app, who, &request).await?;
    let mut out = HashMap::new();
    for u in units {
        let (mut numerator, mut denominator) = (0.0, 0.0);
        for row in reply
            .rows
            .iter()
            .filter(|r| in_scope(&u.unit.id, &r.kpis.hotline))
        {
            if let Some(k) = row.kpis.kpi(KpiId::ServiceLevel) {
                numerator += k.numerator.unwrap_or(0.0);
                denominator += k.denominator.unwrap_or(0.0);
            }
        }
        if denominator > 0.0 {
            let (n, d) = (numerator as u64, denominator as u64);
            out.insert(
                u.unit.id.clone(),
                Input::Value {
                    value: numerator / denominator,
                    interval: fieldcheck_core::stats::wilson(n, d, fieldcheck_core::stats::Z95),
                },
            );
        }
    }
    Ok(out)
}

/// What an import of entered figures or cases did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterImported {
    pub imported: usize,
    pub dry_run: bool,
}

/// Every unit in `who`'s scope; a problem for any other id.
async fn unit_check(
    app: &AppState,
    who: &Principal,
) -> Result<impl Fn(&str) -> Option<fieldcheck_core::msg::Msg>, Error> {
    let known: std::collections::BTreeSet<String> = units::load(&app.storage)
        .await?
        .into_iter()
        .map(|u| u.unit.id)
        .filter(|id| who.scope.covers(id))
        .collect();
    Ok(move |id: &str| {
        (!known.contains(id)).then(|| {
            msg!(
                "scorecard.unknown_unit",
                "`{id}` is not a unit in your scope",
                id = id
            )
        })
    })
}

/// The ids of the indicators the scorecards take entered figures for.
fn entered_indicators(cards: &[Scorecard]) -> Vec<String> {
    let mut ids: Vec<String> = cards
        .iter()
        .flat_map(|c| &c.indicators)
        .filter(|i| matches!(i.source, Source::Entered))
        .map(|i| i.id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Imports entered figures (unit, period, indicator, value), all or nothing.
pub async fn import_entries(
    app: &AppState,
    who: &Principal,
    table: &Table,
    dry_run: bool,
) -> Result<RegisterImported, Error> {
    managers_only(who, || msg!("scorecard.what", "scorecards"))?;
    let indicators = entered_indicators(&definitions(app).await?);
    let names: Vec<&str> = indicators.iter().map(String::as_str).collect();
    let entries =
        parse_entries(table, &names, unit_check(app, who).await?).map_err(Error::Invalid)?;
    if !dry_run {
        let now = now_ms();
        let mut tx = app.storage.pool().begin().await?;
        store::put_entries(&mut tx, &entries, &who.user_id, now).await?;
        insert_audit(
            &mut tx,
            &audit(who, "scorecard.entries", entries.len()),
            now,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(RegisterImported {
        imported: entries.len(),
        dry_run,
    })
}

/// Imports cases into the register, all or nothing; a case id already
/// there is replaced (its closing, say).
pub async fn import_cases(
    app: &AppState,
    who: &Principal,
    table: &Table,
    dry_run: bool,
) -> Result<RegisterImported, Error> {
    managers_only(who, || msg!("scorecard.what", "scorecards"))?;
    let cards = definitions(app).await?;
    let mut kinds: Vec<&str> = cards
        .iter()
        .flat_map(|c| &c.deductions.kinds)
        .map(|k| k.id.as_str())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let cases = parse_cases(table, &kinds, unit_check(app, who).await?).map_err(Error::Invalid)?;
    if !dry_run {
        let now = now_ms();
        let mut tx = app.storage.pool().begin().await?;
        store::put_cases(&mut tx, &cases, &who.user_id, now).await?;
        insert_audit(&mut tx, &audit(who, "scorecard.cases", cases.len()), now).await?;
        tx.commit().await?;
    }
    Ok(RegisterImported {
        imported: cases.len(),
        dry_run,
    })
}

fn audit(who: &Principal, action: &str, rows: usize) -> Audit {
    Audit {
        user_id: who.user_id.clone(),
        action: action.into(),
        target: "scorecards".into(),
        detail: serde_json::json!({ "rows": rows }).to_string(),
    }
}
