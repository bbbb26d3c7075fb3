//! Channel compliance ratings (S8): visit scores rolled up store -> district ->
//! city -> province -> national by period, with intervals, effective n,
//! coverage and flags. Stores without a valid visit are left out, never
//! scored 0.
//!
//! Every store carries a weight W: 1 ("average store performance", the
//! default) or its customer traffic ("customer-experienced performance"). A
//! parent's score is sum(W x store mean) / sum(W) over its audited stores,
//! which equals weighting each child by the W of its audited stores, so the
//! figure is the same whether computed from stores or from children. Its
//! variance is sum(W^2 x Var(store mean)) / (sum W)^2.

#[cfg(test)]
mod equivalence;
pub mod league;
pub mod period;

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::scoring::RULE_SET;
use crate::stats::{FlagRules, Flags, Interval, MeanEstimate, Z95, n_eff, wilson};
use crate::templates::{Channel, TemplateRef};
pub use period::{Granularity, Period};

crate::vocab::string_enum!(
    /// Level of a unit in the store hierarchy, lowest first.
    Level { Store = "store", District = "district", City = "city", Province = "province", National = "national" }
);

/// A node of the store hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: String,
    pub parent: Option<String>,
    pub level: Level,
    /// Stores only: channel type.
    pub channel: Option<Channel>,
    /// Stores only: customer traffic, the weight of traffic-weighted ratings.
    #[serde(default)]
    pub traffic: f64,
    /// IANA time zone in which the store's periods are counted.
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HierarchyError {
    Duplicate(String),
    MissingParent {
        unit: String,
        parent: String,
    },
    LevelOrder {
        unit: String,
        level: Level,
        parent: String,
        parent_level: Level,
    },
    TimeZone {
        unit: String,
        zone: String,
    },
    Traffic(String),
    UnknownStore(String),
}

impl HierarchyError {
    /// What is wrong, for people.
    pub fn msg(&self) -> crate::msg::Msg {
        use crate::msg;
        match self {
            HierarchyError::Duplicate(unit) => {
                msg!(
                    "units.duplicate",
                    "unit `{unit}` appears twice",
                    unit = unit
                )
            }
            HierarchyError::MissingParent { unit, parent } => msg!(
                "units.missing_parent",
                "unit `{unit}` has parent `{parent}`, which is not in the hierarchy",
                unit = unit,
                parent = parent
            ),
            HierarchyError::LevelOrder {
                unit,
                level,
                parent,
                parent_level,
            } => msg!(
                "units.level_order",
                "unit `{unit}` ({level}) cannot sit under `{parent}` ({parent_level})",
                unit = unit,
                level = level,
                parent = parent,
                parent_level = parent_level
            ),
            HierarchyError::TimeZone { unit, zone } => msg!(
                "units.unit_time_zone",
                "unit `{unit}`: `{zone}` is not a known time zone",
                unit = unit,
                zone = zone
            ),
            HierarchyError::Traffic(store) => msg!(
                "units.traffic",
                "store `{store}` has a negative or non-finite traffic",
                store = store
            ),
            HierarchyError::UnknownStore(store) => msg!(
                "units.unknown_store",
                "visit for `{store}`, which is not a store in the hierarchy",
                store = store
            ),
        }
    }
}

impl std::fmt::Display for HierarchyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg().text)
    }
}

impl std::error::Error for HierarchyError {}

/// The id of the nation, the root above every province. It is also the
/// scope of everything, so only users who see everything see its ratings.
pub const NATION: &str = "*";

/// `units` under one national root, so that ratings roll up nationally too.
pub fn under_nation(mut units: Vec<Unit>) -> Vec<Unit> {
    if units.is_empty() || units.iter().any(|u| u.id == NATION) {
        return units;
    }
    for u in units.iter_mut().filter(|u| u.parent.is_none()) {
        u.parent = Some(NATION.into());
    }
    units.push(Unit {
        id: NATION.into(),
        parent: None,
        level: Level::National,
        channel: None,
        traffic: 0.0,
        time_zone: "Asia/Shanghai".into(),
    });
    units
}

/// The store hierarchy, checked: parents exist, levels go up, zones resolve.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    units: BTreeMap<String, Unit>,
    zones: HashMap<String, TimeZone>,
    /// Store ids under each unit (a store is under itself).
    stores_under: BTreeMap<String, Vec<String>>,
}

impl Hierarchy {
    pub fn new(units: Vec<Unit>) -> Result<Hierarchy, HierarchyError> {
        let mut map = BTreeMap::new();
        for u in units {
            if map.contains_key(&u.id) {
                return Err(HierarchyError::Duplicate(u.id));
            }
            map.insert(u.id.clone(), u);
        }
        let mut zones = HashMap::new();
        for u in map.values() {
            if let Some(p) = &u.parent {
                let parent = map.get(p).ok_or_else(|| HierarchyError::MissingParent {
                    unit: u.id.clone(),
                    parent: p.clone(),
                })?;
                // Strictly rising levels also rule out cycles.
                if parent.level <= u.level {
                    return Err(HierarchyError::LevelOrder {
                        unit: u.id.clone(),
                        level: u.level,
                        parent: p.clone(),
                        parent_level: parent.level,
                    });
                }
            }
            if !(u.traffic.is_finite() && u.traffic >= 0.0) {
                return Err(HierarchyError::Traffic(u.id.clone()));
            }
            let tz = TimeZone::get(&u.time_zone).map_err(|_| HierarchyError::TimeZone {
                unit: u.id.clone(),
                zone: u.time_zone.clone(),
            })?;
            zones.insert(u.id.clone(), tz);
        }
        let mut stores_under: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for u in map.values().filter(|u| u.level == Level::Store) {
            let mut at = Some(u);
            while let Some(node) = at {
                stores_under
                    .entry(node.id.clone())
                    .or_default()
                    .push(u.id.clone());
                at = node.parent.as_ref().and_then(|p| map.get(p));
            }
        }
        Ok(Hierarchy {
            units: map,
            zones,
            stores_under,
        })
    }

    /// The day `at` falls on in `store`'s time zone.
    pub fn local_day(&self, store: &str, at: Timestamp) -> Option<Date> {
        Some(at.to_zoned(self.zones.get(store)?.clone()).date())
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.get(id)
    }

    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.units.values()
    }

    /// Ids of the stores at or below `unit`.
    pub fn stores_under(&self, unit: &str) -> &[String] {
        self.stores_under.get(unit).map_or(&[], Vec::as_slice)
    }
}

/// One valid visit (submitted and not rejected) with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub store: String,
    pub at: Timestamp,
    pub score: f64,
    pub passed: bool,
    pub mystery: bool,
    pub template: TemplateRef,
}

/// How stores are weighted when rolled up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// W = 1: average store performance.
    #[default]
    Stores,
    /// W = customer traffic: customer-experienced performance.
    Traffic,
}

/// The configuration a rating is computed under; its id is stamped on results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingRules {
    pub id: String,
    pub weighting: Weighting,
    pub flags: FlagRules,
    /// Share of stores that must be audited for a parent to be shown.
    pub min_coverage: f64,
    /// Only stores of this channel count towards coverage.
    pub channel: Option<Channel>,
}

impl Default for RatingRules {
    fn default() -> Self {
        RatingRules {
            id: "default".into(),
            weighting: Weighting::Stores,
            flags: FlagRules::default(),
            min_coverage: 0.5,
            channel: None,
        }
    }
}

/// A compliance score in words (docs/ratings.md), on half-open intervals
/// whose lower bounds are 95, 90, 80 (the shipped checklists' pass mark)
/// and 60: how well a channel keeps its standards, not the satisfaction
/// index's bands, which say how customers feel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceBand {
    Excellent,
    Good,
    Compliant,
    NeedsImprovement,
    NonCompliant,
}

impl ComplianceBand {
    /// The band of a score on 0..100.
    pub fn of(score: f64) -> ComplianceBand {
        match score {
            x if x >= 95.0 => ComplianceBand::Excellent,
            x if x >= 90.0 => ComplianceBand::Good,
            x if x >= 80.0 => ComplianceBand::Compliant,
            x if x >= 60.0 => ComplianceBand::NeedsImprovement,
            _ => ComplianceBand::NonCompliant,
        }
    }

    pub fn label(self) -> crate::i18n::Bilingual {
        use crate::i18n::Bilingual as B;
        match self {
            ComplianceBand::Excellent => B::new("优秀", "excellent"),
            ComplianceBand::Good => B::new("良好", "good"),
            ComplianceBand::Compliant => B::new("达标", "compliant"),
            ComplianceBand::NeedsImprovement => B::new("待改进", "needs improvement"),
            ComplianceBand::NonCompliant => B::new("不达标", "non-compliant"),
        }
    }
}

/// The rating of one unit for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rating {
    pub unit: String,
    pub level: Level,
    pub period: Period,
    /// The score to show; `None` when suppressed (small sample or low coverage).
    pub score: Option<f64>,
    /// The compliance band of the shown score (docs/ratings.md).
    pub band: Option<ComplianceBand>,
    pub estimate: MeanEstimate,
    pub visits: usize,
    pub mystery_visits: usize,
    pub pass_rate: f64,
    pub pass_interval: Option<Interval>,
    pub stores_audited: usize,
    pub stores_total: usize,
    pub coverage_stores: f64,
    /// Share of customer traffic in audited stores; `None` without traffic data.
    pub coverage_traffic: Option<f64>,
    pub below_coverage: bool,
    pub flags: Flags,
    pub weighting: Weighting,
    /// The template versions visited, sorted, each once.
    pub templates: Vec<TemplateRef>,
    /// The period mixes template versions: a trend across it must say so.
    pub crosses_template_versions: bool,
    pub rating_rules: String,
    pub rule_set: &'static str,
}

/// A store's scored visits of one template version and mode on one local
/// day, summed: all the roll-up needs of them (count, sum and sum of
/// squares of the scores, passes). The server keeps these as it
/// materialises visits, so a rating reads a row per store and day, not one
/// per visit. Cells may also be summed over any span inside one period of
/// the granularity asked for (a month, for monthly ratings); `day` is then
/// any day of that span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCell {
    pub store: String,
    /// In the store's time zone.
    pub day: Date,
    pub template: TemplateRef,
    pub mystery: bool,
    pub visits: u64,
    pub score_sum: f64,
    pub score_sq: f64,
    pub passed: u64,
}

impl DayCell {
    /// The cell of one visit, on its day in its store's time zone.
    pub fn of_visit(h: &Hierarchy, v: &Visit) -> Result<DayCell, HierarchyError> {
        Ok(DayCell {
            store: v.store.clone(),
            day: h
                .local_day(&v.store, v.at)
                .ok_or_else(|| HierarchyError::UnknownStore(v.store.clone()))?,
            template: v.template.clone(),
            mystery: v.mystery,
            visits: 1,
            score_sum: v.score,
            score_sq: v.score * v.score,
            passed: u64::from(v.passed),
        })
    }
}

/// One store's visits in one period, summed.
#[derive(Debug, Default)]
struct StoreCell<'a> {
    visits: u64,
    sum: f64,
    sq: f64,
    passed: u64,
    mystery: u64,
    /// Each once; a store sees a version or two in a period.
    templates: Vec<&'a TemplateRef>,
}

impl StoreCell<'_> {
    fn n(&self) -> f64 {
        self.visits as f64
    }

    fn mean(&self) -> f64 {
        self.sum / self.n()
    }

    /// Sample variance, with two or more visits: from the sums, which are
    /// what the server keeps (scores lie in 0-100, so the difference of
    /// squares loses nothing that shows).
    fn variance(&self) -> Option<f64> {
        (self.visits >= 2)
            .then(|| ((self.sq - self.sum * self.sum / self.n()) / (self.n() - 1.0)).max(0.0))
    }
}

/// Rates every unit with at least one audited store, for every period of
/// `granularity` that has visits.
pub fn rate(
    h: &Hierarchy,
    visits: &[Visit],
    granularity: Granularity,
    rules: &RatingRules,
) -> Result<Vec<Rating>, HierarchyError> {
    let cells = visits
        .iter()
        .map(|v| DayCell::of_visit(h, v))
        .collect::<Result<Vec<_>, _>>()?;
    rate_days(h, &cells, granularity, rules)
}

/// [`rate`] from visits already summed by store and day.
pub fn rate_days(
    h: &Hierarchy,
    cells: &[DayCell],
    granularity: Granularity,
    rules: &RatingRules,
) -> Result<Vec<Rating>, HierarchyError> {
    // Stores by position, so a period's cells are a vector, not a map.
    let stores: Vec<&Unit> = h
        .units
        .values()
        .filter(|u| u.level == Level::Store)
        .collect();
    let position: HashMap<&str, usize> = stores
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut periods: BTreeMap<Period, Vec<StoreCell>> = BTreeMap::new();
    for c in cells {
        let &at = position
            .get(c.store.as_str())
            .ok_or_else(|| HierarchyError::UnknownStore(c.store.clone()))?;
        let cell = &mut periods
            .entry(Period::of_date(c.day, granularity))
            .or_insert_with(|| {
                std::iter::repeat_with(StoreCell::default)
                    .take(stores.len())
                    .collect()
            })[at];
        cell.visits += c.visits;
        cell.sum += c.score_sum;
        cell.sq += c.score_sq;
        cell.passed += c.passed;
        cell.mystery += if c.mystery { c.visits } else { 0 };
        if !cell.templates.contains(&&c.template) {
            cell.templates.push(&c.template);
        }
    }
    // The stores each unit rates on, and their count and traffic, once for
    // every period.
    let eligible: Vec<(&Unit, Vec<usize>, Eligible)> = h
        .units
        .values()
        .map(|unit| {
            let under: Vec<usize> = h
                .stores_under(&unit.id)
                .iter()
                .filter_map(|id| position.get(id.as_str()).copied())
                .filter(|&i| rules.channel.is_none_or(|c| stores[i].channel == Some(c)))
                .collect();
            let base = Eligible {
                stores: under.len(),
                traffic: under.iter().map(|&i| stores[i].traffic).sum(),
            };
            (unit, under, base)
        })
        .filter(|(_, under, _)| !under.is_empty())
        .collect();

    let mut out = Vec::new();
    for (period, cells) in &periods {
        // Stores with one visit borrow the pooled within-store variance of the period.
        let (ss, df) = cells
            .iter()
            .filter_map(|c| c.variance().map(|v| (v * (c.n() - 1.0), c.n() - 1.0)))
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
        let pooled = (df > 0.0).then(|| ss / df);
        for (unit, under, base) in &eligible {
            let audited: Vec<(&Unit, &StoreCell)> = under
                .iter()
                .filter(|&&i| cells[i].visits > 0)
                .map(|&i| (stores[i], &cells[i]))
                .collect();
            if audited.is_empty() {
                continue;
            }
            out.push(rate_unit(unit, *period, *base, &audited, pooled, rules));
        }
    }
    out.sort_by(|a, b| (a.period, a.level, &a.unit).cmp(&(b.period, b.level, &b.unit)));
    Ok(out)
}

/// The stores a unit is rated on: how many, and their customer traffic.
#[derive(Debug, Clone, Copy)]
struct Eligible {
    stores: usize,
    traffic: f64,
}

fn rate_unit(
    unit: &Unit,
    period: Period,
    eligible: Eligible,
    audited: &[(&Unit, &StoreCell)],
    pooled: Option<f64>,
    rules: &RatingRules,
) -> Rating {
    let weight = |s: &Unit| match rules.weighting {
        Weighting::Stores => 1.0,
        Weighting::Traffic => s.traffic,
    };
    let sum_w: f64 = audited.iter().map(|(s, _)| weight(s)).sum();
    let (mean, var) = if sum_w > 0.0 {
        let mean = audited
            .iter()
            .map(|(s, c)| weight(s) * c.mean())
            .sum::<f64>()
            / sum_w;
        let var = audited
            .iter()
            .map(|(s, c)| {
                c.variance()
                    .or(pooled)
                    .map(|v| weight(s).powi(2) * v / c.n())
            })
            .sum::<Option<f64>>()
            .map(|v| v / (sum_w * sum_w));
        (mean, var)
    } else {
        // Every audited store has zero traffic: nothing to weight by.
        (f64::NAN, None)
    };
    // Each visit carries its store's weight shared among the store's visits:
    // summed visit by visit, in the same order as ever, so that the effective
    // n that decides suppression is the same to the last bit.
    let visit_weights = audited
        .iter()
        .flat_map(|(s, c)| std::iter::repeat_n(weight(s) / c.n(), c.visits as usize));
    let ne = n_eff(visit_weights);
    let visits = audited.iter().map(|(_, c)| c.visits).sum::<u64>() as usize;
    let passed: u64 = audited.iter().map(|(_, c)| c.passed).sum();
    let mystery_visits = audited.iter().map(|(_, c)| c.mystery).sum::<u64>() as usize;
    let mut templates: Vec<&TemplateRef> = audited
        .iter()
        .flat_map(|(_, c)| c.templates.iter().copied())
        .collect();
    templates.sort_unstable();
    templates.dedup();
    let templates: Vec<TemplateRef> = templates.into_iter().cloned().collect();
    let total_traffic = eligible.traffic;
    let coverage_stores = audited.len() as f64 / eligible.stores as f64;
    let below_coverage = coverage_stores < rules.min_coverage;
    let mut flags = rules
        .flags
        .flags(ne, (mystery_visits > 0).then_some(mystery_visits));
    flags.suppressed |= below_coverage || !mean.is_finite();
    Rating {
        unit: unit.id.clone(),
        level: unit.level,
        period,
        score: (!flags.suppressed).then_some(mean),
        band: (!flags.suppressed).then(|| ComplianceBand::of(mean)),
        estimate: MeanEstimate::from_variance(mean, var, visits, ne),
        visits,
        mystery_visits,
        pass_rate: passed as f64 / visits as f64,
        pass_interval: wilson(passed, visits as u64, Z95),
        stores_audited: audited.len(),
        stores_total: eligible.stores,
        coverage_stores,
        coverage_traffic: (total_traffic > 0.0)
            .then(|| audited.iter().map(|(s, _)| s.traffic).sum::<f64>() / total_traffic),
        below_coverage,
        flags,
        weighting: rules.weighting,
        crosses_template_versions: templates.len() > 1,
        templates,
        rating_rules: rules.id.clone(),
        rule_set: RULE_SET,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compliance_bands_are_half_open_and_their_own_words() {
        let at = |x: f64| ComplianceBand::of(x);
        assert_eq!(at(100.0), ComplianceBand::Excellent);
        assert_eq!(at(95.0), ComplianceBand::Excellent);
        assert_eq!(at(94.99), ComplianceBand::Good);
        assert_eq!(at(90.0), ComplianceBand::Good);
        assert_eq!(at(80.0), ComplianceBand::Compliant);
        assert_eq!(at(79.99), ComplianceBand::NeedsImprovement);
        assert_eq!(at(60.0), ComplianceBand::NeedsImprovement);
        assert_eq!(at(59.99), ComplianceBand::NonCompliant);
        assert_eq!(
            serde_json::to_value(ComplianceBand::NeedsImprovement).expect("json"),
            "needs_improvement"
        );
        assert_eq!(ComplianceBand::Compliant.label().zh, "达标");
    }

    fn unit(id: &str, parent: Option<&str>, level: Level, traffic: f64) -> Unit {
        Unit {
            id: id.into(),
            parent: parent.map(str::to_string),
            level,
            channel: (level == Level::Store).then_some(Channel::OwnedHall),
            traffic,
            time_zone: "Asia/Shanghai".into(),
        }
    }

    /// P > C > {D1 > {S1, S2}, D2 > {S3, S4}}; S4 is never audited.
    fn fixture() -> Hierarchy {
        Hierarchy::new(vec![
            unit("P", None, Level::Province, 0.0),
            unit("C", Some("P"), Level::City, 0.0),
            unit("D1", Some("C"), Level::District, 0.0),
            unit("D2", Some("C"), Level::District, 0.0),
            unit("S1", Some("D1"), Level::Store, 100.0),
            unit("S2", Some("D1"), Level::Store, 300.0),
            unit("S3", Some("D2"), Level::Store, 600.0),
            unit("S4", Some("D2"), Level::Store, 1000.0),
        ])
        .expect("valid hierarchy")
    }

    fn visit(store: &str, at: &str, score: f64) -> Visit {
        Visit {
            store: store.into(),
            at: at.parse().expect("timestamp"),
            score,
            passed: score >= 80.0,
            mystery: false,
            template: TemplateRef {
                id: "t".into(),
                version: "v1".into(),
            },
        }
    }

    fn visits() -> Vec<Visit> {
        vec![
            visit("S1", "2026-11-02T02:00:00Z", 80.0),
            visit("S1", "2026-11-09T02:00:00Z", 90.0),
            visit("S2", "2026-11-03T02:00:00Z", 70.0),
            visit("S2", "2026-11-10T02:00:00Z", 60.0),
            visit("S3", "2026-11-04T02:00:00Z", 100.0),
            visit("S3", "2026-11-11T02:00:00Z", 90.0),
            // 00:30 on 1 December in Shanghai: next month, not this one.
            visit("S3", "2026-11-30T16:30:00Z", 10.0),
        ]
    }

    fn rules(weighting: Weighting) -> RatingRules {
        RatingRules {
            weighting,
            flags: FlagRules {
                suppress_below: 0.0,
                small_base_below: 0.0,
                low_visits_below: 3,
            },
            min_coverage: 0.5,
            ..RatingRules::default()
        }
    }

    fn monthly(visits: &[Visit], rules: &RatingRules) -> Vec<Rating> {
        rate(&fixture(), visits, Granularity::Month, rules).expect("rates")
    }

    fn find<'a>(rs: &'a [Rating], unit: &str, period: &str) -> &'a Rating {
        rs.iter()
            .find(|r| r.unit == unit && r.period.to_string() == period)
            .unwrap_or_else(|| panic!("no rating for {unit} {period}"))
    }

    #[test]
    fn roll_up_with_equal_store_weights_matches_hand_computation() {
        let rs = monthly(&visits(), &rules(Weighting::Stores));
        // Store means: S1 85, S2 65, S3 95.
        assert_eq!(find(&rs, "S1", "2026-11").score, Some(85.0));
        assert_eq!(find(&rs, "D1", "2026-11").score, Some(75.0));
        let d2 = find(&rs, "D2", "2026-11");
        assert_eq!(d2.score, Some(95.0));
        assert_eq!(
            (d2.stores_audited, d2.stores_total, d2.coverage_stores),
            (1, 2, 0.5)
        );
        assert_eq!(d2.coverage_traffic, Some(600.0 / 1600.0));
        // The city averages stores, not districts: (85 + 65 + 95) / 3.
        let c = find(&rs, "C", "2026-11");
        assert!((c.score.expect("shown") - 245.0 / 3.0).abs() < 1e-9);
        // Var(store mean) = s^2 / 2 = 25, 25, 25: Var(city) = 75 / 9.
        assert!((c.estimate.se.expect("se").powi(2) - 75.0 / 9.0).abs() < 1e-9);
        assert_eq!(c.visits, 6);
        assert_eq!(find(&rs, "P", "2026-11").score, c.score);
        // S4 has no visit: no rating at all, rather than a zero.
        assert!(rs.iter().all(|r| r.unit != "S4"));
        // The late visit lands in December in the store's time zone.
        assert_eq!(find(&rs, "S3", "2026-12").score, Some(10.0));
    }

    #[test]
    fn traffic_weighting_gives_customer_experienced_performance() {
        let rs = monthly(&visits(), &rules(Weighting::Traffic));
        // (100*85 + 300*65 + 600*95) / 1000.
        let c = find(&rs, "C", "2026-11");
        assert!((c.score.expect("shown") - 85.0).abs() < 1e-9, "{c:?}");
        assert_eq!(c.weighting, Weighting::Traffic);
        // Var = (100^2*25 + 300^2*25 + 600^2*25) / 1000^2.
        assert!((c.estimate.se.expect("se").powi(2) - 11.5).abs() < 1e-9);
    }

    #[test]
    fn parents_below_the_coverage_threshold_are_suppressed() {
        let mut r = rules(Weighting::Stores);
        r.min_coverage = 0.6;
        let rs = monthly(&visits(), &r);
        let d2 = find(&rs, "D2", "2026-11");
        assert!(d2.below_coverage && d2.flags.suppressed && d2.score.is_none());
        assert!(find(&rs, "C", "2026-11").score.is_some());
    }

    #[test]
    fn small_samples_are_flagged_with_the_default_rules() {
        let rs = monthly(&visits(), &RatingRules::default());
        let c = find(&rs, "C", "2026-11");
        assert!(c.flags.suppressed && c.flags.small_base && c.score.is_none());
        assert!(
            (c.estimate.mean - 245.0 / 3.0).abs() < 1e-9,
            "the estimate is kept for drill-down"
        );
    }

    #[test]
    fn single_visit_stores_borrow_the_pooled_variance() {
        let mut v = visits();
        v.push(visit("S4", "2026-11-05T02:00:00Z", 50.0));
        let rs = monthly(&v, &rules(Weighting::Stores));
        let s4 = find(&rs, "S4", "2026-11");
        // Pooled s^2 over S1, S2, S3 is 50; one visit: Var = 50.
        assert!((s4.estimate.se.expect("se").powi(2) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn mixed_template_versions_and_mystery_visits_are_reported() {
        let mut v = visits();
        v[0].template.version = "v2".into();
        for x in &mut v[..2] {
            x.mystery = true;
        }
        let rs = monthly(&v, &rules(Weighting::Stores));
        let s1 = find(&rs, "S1", "2026-11");
        assert!(s1.crosses_template_versions && s1.flags.low_visits);
        assert!(!find(&rs, "S2", "2026-11").crosses_template_versions);
    }

    #[test]
    fn bad_hierarchies_and_unknown_stores_are_refused() {
        let bad = Hierarchy::new(vec![unit("S", Some("X"), Level::Store, 1.0)]);
        assert!(matches!(bad, Err(HierarchyError::MissingParent { .. })));
        let upside_down = Hierarchy::new(vec![
            unit("S", None, Level::Store, 1.0),
            unit("C", Some("S"), Level::City, 0.0),
        ]);
        assert!(matches!(
            upside_down,
            Err(HierarchyError::LevelOrder { .. })
        ));
        let mut tz = unit("S", None, Level::Store, 1.0);
        tz.time_zone = "Mars/Olympus".into();
        assert!(matches!(
            Hierarchy::new(vec![tz]),
            Err(HierarchyError::TimeZone { .. })
        ));
        let err = rate(
            &fixture(),
            &[visit("D1", "2026-11-02T02:00:00Z", 1.0)],
            Granularity::Day,
            &RatingRules::default(),
        );
        assert_eq!(
            err.expect_err("not a store"),
            HierarchyError::UnknownStore("D1".into())
        );
    }
}
