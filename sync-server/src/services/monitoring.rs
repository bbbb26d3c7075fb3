//! Daily monitoring and weekly tracking (日监测、周跟踪, domain.md): what
//! changed on a day in a unit (audits and surveys submitted, knock-out
//! standards failed, hotlines below their service-level target, actions
//! gone overdue), and the indicators week by week against their targets.

use std::collections::BTreeMap;

use fieldcheck_core::hotline::KpiId;
use fieldcheck_core::msg;
use fieldcheck_core::ratings::{ComplianceBand, Granularity, Period};
use fieldcheck_core::records::ActionStatus;
use fieldcheck_core::records::gate::in_scope;
use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Principal, Visibility};
use crate::error::Error;
use crate::services::hotline::{self, KpiRequest};
use crate::services::ratings::{self, RatingRequest, managers_only};
use crate::services::scorecards::midnight;
use crate::state::AppState;
use crate::store::actions::ActionFilter;
use crate::store::monitoring::Submitted;
use crate::store::{monitoring, units};

/// A knock-out (critical) standard failed in a visit submitted on the day.
#[derive(Debug, Serialize, ToSchema)]
pub struct Knockout {
    pub doc_id: String,
    pub store_id: String,
    pub template_id: String,
    pub item_id: String,
    pub label_zh: String,
    pub label_en: String,
}

/// A hotline whose service level missed its target on the day.
#[derive(Debug, Serialize, ToSchema)]
pub struct HotlineBelow {
    pub hotline: String,
    pub name_zh: String,
    pub name_en: String,
    pub service_level: f64,
    pub target: f64,
    pub calls: f64,
}

/// A corrective action that became overdue on the day.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overdue {
    pub doc_id: String,
    pub store_id: String,
    pub action_id: String,
    pub description: String,
    pub assignee: String,
    pub due: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Daily {
    pub date: String,
    pub submitted: Vec<Submitted>,
    pub knockouts: Vec<Knockout>,
    pub hotlines_below: Vec<HotlineBelow>,
    pub overdue: Vec<Overdue>,
}

/// What changed on `date` at or below `unit` (default: the caller's scope).
pub async fn daily(
    app: &AppState,
    who: &Principal,
    date: Date,
    unit: Option<&str>,
) -> Result<Daily, Error> {
    managers_only(who, || msg!("monitoring.what", "monitoring"))?;
    let (Some(from), Some(to)) = (midnight(date), date.tomorrow().ok().and_then(midnight)) else {
        return Err(Error::BadRequest(msg!(
            "monitoring.date",
            "`{date}` is not a day to monitor",
            date = date
        )));
    };
    let visibility = Visibility::of(who);
    let visible = |sql: &mut crate::store::sql::Sql| {
        visibility.push_sql(sql);
        if let Some(u) = unit {
            sql.under("store_id", u);
        }
    };
    let submitted = monitoring::submitted(&app.storage, visible, from, to).await?;
    let mut knockouts = Vec::new();
    for f in monitoring::failed_answers(&app.storage, visible, from, to).await? {
        let Some(t) = app
            .templates
            .get(&app.storage, &f.template_id, &f.template_version)
            .await?
        else {
            continue;
        };
        let Some(item) = t
            .answer_item(&f.item_id)
            .map(|(i, _)| i)
            .filter(|i| i.scoring.as_ref().is_some_and(|s| s.critical.is_some()))
        else {
            continue;
        };
        knockouts.push(Knockout {
            label_zh: item.label.zh.clone(),
            label_en: item.label.en.clone(),
            doc_id: f.doc_id,
            store_id: f.store_id,
            template_id: f.template_id,
            item_id: f.item_id,
        });
    }
    let calls = hotline::kpis(
        app,
        who,
        &KpiRequest {
            granularity: Granularity::Day,
            period: Some(Period::Day(date)),
            unit: unit.map(str::to_string),
            formula: Default::default(),
        },
    )
    .await?;
    let hotlines_below = calls
        .rows
        .iter()
        .filter_map(|r| {
            let k = r.kpis.kpi(KpiId::ServiceLevel)?;
            (k.meets == Some(false)).then(|| HotlineBelow {
                hotline: r.kpis.hotline.clone(),
                name_zh: r.name_zh.clone(),
                name_en: r.name_en.clone(),
                service_level: k.value.unwrap_or(0.0),
                target: k.target.map_or(0.0, |t| t.value()),
                calls: k.denominator.unwrap_or(0.0),
            })
        })
        .collect();
    let yesterday = date.yesterday().map(|d| d.to_string()).unwrap_or_default();
    let overdue = app
        .storage
        .actions(
            |q| visibility.push_sql(q),
            &ActionFilter {
                statuses: vec![ActionStatus::Open],
                store: unit,
                assignee: None,
                today: date,
                overdue_only: true,
                limit: 10_000,
            },
        )
        .await?
        .into_iter()
        // Overdue since today: due yesterday.
        .filter(|a| a.action.due == yesterday)
        .map(|a| Overdue {
            doc_id: a.doc_id,
            store_id: a.store_id,
            action_id: a.action.action_id,
            description: a.action.description,
            assignee: a.action.assignee,
            due: a.action.due,
        })
        .collect();
    Ok(Daily {
        date: date.to_string(),
        submitted,
        knockouts,
        hotlines_below,
        overdue,
    })
}

/// One week of a unit's indicators against their targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct Week {
    pub week: String,
    /// Channel compliance (0-100), absent when withheld or without audits.
    pub compliance: Option<f64>,
    #[schema(value_type = Option<String>)]
    pub compliance_band: Option<ComplianceBand>,
    /// Compliance is at least "compliant" (80).
    pub compliance_meets: Option<bool>,
    /// Service level over the unit's hotlines, and whether it meets its target.
    pub service_level: Option<f64>,
    pub service_level_meets: Option<bool>,
    pub actions_opened: u64,
    pub actions_closed: u64,
    /// Open past their due date at the week's end.
    pub actions_overdue: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Weekly {
    pub unit: String,
    pub weeks: Vec<Week>,
}

/// The compliance score a unit should reach every week: the floor of the
/// "compliant" band (docs/ratings.md).
const COMPLIANT: f64 = 80.0;

/// The last `weeks` ISO weeks up to the one holding `today`, of `unit`.
pub async fn weekly(
    app: &AppState,
    who: &Principal,
    unit: &str,
    today: Date,
    weeks: usize,
) -> Result<Weekly, Error> {
    managers_only(who, || msg!("monitoring.what", "monitoring"))?;
    if !who.scope.covers(unit) {
        return Err(Error::Forbidden(msg!(
            "bulletin.scope",
            "`{unit}` is outside your scope",
            unit = unit
        )));
    }
    let level = units::find(&app.storage, unit)
        .await?
        .map(|u| u.unit.level)
        .ok_or_else(|| {
            Error::NotFound(msg!(
                "bulletin.unit",
                "`{unit}` is not a unit of the hierarchy",
                unit = unit
            ))
        })?;
    let mut periods = vec![Period::of_date(today, Granularity::Week)];
    while periods.len() < weeks {
        let Some(p) = periods.last().and_then(Period::previous) else {
            break;
        };
        periods.push(p);
    }
    periods.reverse();
    let rated = ratings::compute(
        app,
        who,
        &RatingRequest::of_level(Granularity::Week, None, Some(unit.into()), level),
    )
    .await?;
    let compliance: BTreeMap<Period, Option<f64>> = rated
        .ratings
        .into_iter()
        .filter(|s| s.rating.unit == unit)
        .map(|s| (s.rating.period, s.rating.score))
        .collect();
    let calls = hotline::kpis(
        app,
        who,
        &KpiRequest {
            granularity: Granularity::Week,
            period: None,
            unit: Some(unit.into()),
            formula: Default::default(),
        },
    )
    .await?;
    let mut level_sums: BTreeMap<Period, (f64, f64, f64)> = BTreeMap::new();
    for r in &calls.rows {
        if let Some(k) = r.kpis.kpi(KpiId::ServiceLevel) {
            let e = level_sums.entry(r.kpis.period).or_default();
            e.0 += k.numerator.unwrap_or(0.0);
            e.1 += k.denominator.unwrap_or(0.0);
            e.2 = k.target.map_or(0.0, |t| t.value());
        }
    }
    let visibility = Visibility::of(who);
    let actions = app
        .storage
        .actions(
            |q| visibility.push_sql(q),
            &ActionFilter::every(Some(unit), today),
        )
        .await?;
    let out = periods
        .into_iter()
        .map(|p| {
            let (from, to) = (
                p.first_day().and_then(midnight),
                p.end_day().and_then(midnight),
            );
            let within = |ms: Option<i64>| {
                ms.is_some_and(|m| from.is_some_and(|f| m >= f) && to.is_some_and(|t| m < t))
            };
            let last = p
                .end_day()
                .and_then(|d| d.yesterday().ok())
                .unwrap_or(today);
            let score = compliance.get(&p).copied().flatten();
            let sl = level_sums.get(&p).filter(|s| s.1 > 0.0);
            Week {
                week: p.to_string(),
                compliance: score,
                compliance_band: score.map(ComplianceBand::of),
                compliance_meets: score.map(|s| s >= COMPLIANT),
                service_level: sl.map(|s| s.0 / s.1),
                service_level_meets: sl.map(|s| s.0 / s.1 >= s.2),
                actions_opened: actions
                    .iter()
                    .filter(|a| within(Some(a.action.created_at)))
                    .count() as u64,
                actions_closed: actions.iter().filter(|a| within(a.action.done_at)).count() as u64,
                actions_overdue: actions
                    .iter()
                    .filter(|a| to.is_some_and(|t| a.action.created_at < t))
                    .filter(|a| {
                        // Open at the week's end (not done by then) and past due.
                        let open_then = a.action.done_at.is_none_or(|d| to.is_some_and(|t| d >= t));
                        open_then
                            && a.action.due.parse::<Date>().is_ok_and(|due| due < last)
                            && in_scope(unit, &a.store_id)
                    })
                    .count() as u64,
            }
        })
        .collect();
    Ok(Weekly {
        unit: unit.into(),
        weeks: out,
    })
}
