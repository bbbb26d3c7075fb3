//! Waves of visits: a schedule the operator runs every month, such as each
//! owned hall twice a month by mystery visit on random dates, spread over
//! the inspectors in scope. A wave is planned first (a dry run shows every
//! visit on its day), then made into one-day assignments, each checked as
//! any assignment is (`services::assignments`).

use std::collections::BTreeMap;

use fieldcheck_core::msg;
use fieldcheck_core::ratings::Level;
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::templates::TemplateKind;
use fieldcheck_core::vocab::{Role, VisitMode};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Principal;
use crate::draw::Rng;
use crate::error::Error;
use crate::services::assignments::{self, Work};
use crate::services::templates;
use crate::state::AppState;
use crate::store::users::UserFilter;

/// The most visits one wave makes.
pub const MAX_VISITS: usize = 2_000;

/// A wave: which stores, how often, with what, when.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Wave {
    /// A published checklist; only stores of its channel are visited.
    pub template_id: String,
    /// overt, mystery, test_call or echannel; default the template's.
    #[schema(schema_with = crate::schema::visit_mode)]
    pub mode: Option<String>,
    /// A unit in the caller's scope: its stores are visited.
    pub unit_id: String,
    /// The months, `YYYY-MM`, e.g. `["2026-12", "2027-01"]`.
    pub months: Vec<String>,
    /// Visits to each store in each month, on different days.
    #[schema(minimum = 1, maximum = 10)]
    pub per_store: u32,
    /// The inspectors to spread the visits over; default every active
    /// inspector whose scope covers the store.
    pub inspectors: Option<Vec<String>>,
    /// The same seed draws the same days (default: a new draw each time).
    pub seed: Option<u64>,
}

/// One planned visit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Visit {
    /// YYYY-MM-DD.
    pub date: String,
    pub store: String,
    pub inspector: String,
}

/// A wave's visits, in date order, and how many assignments were made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Planned {
    pub visits: Vec<Visit>,
    /// Stores of the template's channel under the unit.
    pub stores: usize,
    /// 0 in a dry run.
    pub created: usize,
}

fn bad(m: fieldcheck_core::msg::Msg) -> Error {
    Error::BadRequest(m)
}

/// Plans a wave, and makes its assignments unless `dry_run`.
pub async fn plan(
    app: &AppState,
    who: &Principal,
    w: Wave,
    dry_run: bool,
) -> Result<Planned, Error> {
    if !matches!(who.role, Role::Admin | Role::Manager) {
        return Err(Error::Forbidden(msg!(
            "assignments.managers_only",
            "managers and administrators give assignments"
        )));
    }
    if !(1..=10).contains(&w.per_store) {
        return Err(bad(msg!(
            "schedule.per_store",
            "visits to each store in a month are 1 to 10, not {n}",
            n = w.per_store
        )));
    }
    if w.months.is_empty() || w.months.len() > 12 {
        return Err(bad(msg!("schedule.months", "a wave covers 1 to 12 months")));
    }
    let mut months = Vec::new();
    for m in &w.months {
        let first = format!("{m}-01")
            .parse::<Date>()
            .ok()
            .filter(|_| m.len() == 7)
            .ok_or_else(|| {
                bad(msg!(
                    "schedule.month",
                    "`{month}` is not a month (YYYY-MM)",
                    month = m
                ))
            })?;
        months.push(first);
    }
    months.sort();
    months.dedup();
    if !who.scope.covers(&w.unit_id) {
        return Err(Error::NotFound(msg!(
            "units.not_in_scope",
            "no unit `{unit}` in your scope",
            unit = w.unit_id
        )));
    }
    let template = templates::newest(app, &w.template_id)
        .await?
        .filter(|t| t.kind == TemplateKind::Checklist)
        .ok_or_else(|| {
            bad(msg!(
                "schedule.not_checklist",
                "`{template}` is not a published checklist",
                template = w.template_id
            ))
        })?;
    let mode = match w.mode.as_deref() {
        None => template.mode,
        Some(m) => VisitMode::parse(m).ok_or_else(|| {
            bad(msg!(
                "assignments.mode",
                "the mode is one of {names}",
                names = VisitMode::names()
            ))
        })?,
    };
    let stores: Vec<String> = crate::store::units::load(&app.storage)
        .await?
        .into_iter()
        .map(|u| u.unit)
        .filter(|u| {
            u.level == Level::Store
                && u.channel == Some(template.channel)
                && in_scope(&w.unit_id, &u.id)
        })
        .map(|u| u.id)
        .collect();
    let people = app
        .storage
        .users(&UserFilter {
            role: Some(Role::Inspector.as_str()),
            ..UserFilter::default()
        })
        .await?;
    let chosen: Vec<String> = match &w.inspectors {
        Some(ids) => {
            for id in ids {
                if !people.iter().any(|p| &p.user_id == id) {
                    return Err(bad(msg!(
                        "schedule.not_inspector",
                        "`{user}` is not an active inspector",
                        user = id
                    )));
                }
            }
            ids.clone()
        }
        None => people.iter().map(|p| p.user_id.clone()).collect(),
    };
    let scope_of: BTreeMap<&str, &str> = people
        .iter()
        .map(|p| (p.user_id.as_str(), p.scope.as_str()))
        .collect();

    let mut draw = Rng(match w.seed {
        Some(s) => s,
        None => {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b)?;
            u64::from_le_bytes(b)
        }
    });
    let mut load: BTreeMap<&str, usize> = chosen.iter().map(|c| (c.as_str(), 0)).collect();
    let mut visits = Vec::new();
    for month in &months {
        for store in &stores {
            let days = draw.days(month.days_in_month(), w.per_store as usize);
            for day in days {
                // The inspector in scope with the fewest visits so far.
                let inspector = chosen
                    .iter()
                    .filter(|c| scope_of.get(c.as_str()).is_some_and(|s| in_scope(s, store)))
                    .min_by_key(|c| (load[c.as_str()], c.as_str()))
                    .ok_or_else(|| {
                        bad(msg!(
                            "schedule.nobody",
                            "no inspector's scope covers `{store}`",
                            store = store
                        ))
                    })?;
                *load.entry(inspector.as_str()).or_default() += 1;
                let date = month.with().day(day).build().map_err(anyhow::Error::from)?;
                visits.push(Visit {
                    date: date.to_string(),
                    store: store.clone(),
                    inspector: inspector.clone(),
                });
            }
        }
    }
    if visits.len() > MAX_VISITS {
        return Err(bad(msg!(
            "schedule.too_many",
            "the wave has {n} visits, more than {max}; make it smaller",
            n = visits.len(),
            max = MAX_VISITS
        )));
    }
    visits.sort_by(|a, b| (&a.date, &a.store).cmp(&(&b.date, &b.store)));
    let mut created = 0;
    if !dry_run {
        for v in &visits {
            let work = Work::one_day(&v.inspector, &w.template_id, mode, &v.store, &v.date);
            assignments::create(app, who, work).await?;
            created += 1;
        }
    }
    Ok(Planned {
        stores: stores.len(),
        visits,
        created,
    })
}
