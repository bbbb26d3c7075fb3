//! The ratings computed from summed day cells ([`rate_days`], what the
//! server reads) equal the ratings computed visit by visit the way they were
//! before the server kept sums: the earlier code is kept here, verbatim, as
//! the reference, and both run on random hierarchies and visits. Counts,
//! flags, ranks of suppression and coverage are equal exactly; scores,
//! intervals and their inputs within 1e-9 (the sums are added in another
//! order).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::stats::n_eff;

mod reference {
    use super::*;

    /// One store's visits in one period.
    #[derive(Debug, Default)]
    struct StoreCell {
        scores: Vec<f64>,
        passed: u64,
        mystery: usize,
        templates: BTreeSet<TemplateRef>,
    }

    impl StoreCell {
        fn mean(&self) -> f64 {
            self.scores.iter().sum::<f64>() / self.scores.len() as f64
        }

        /// Sample variance, with two or more visits.
        fn variance(&self) -> Option<f64> {
            let n = self.scores.len();
            (n >= 2).then(|| {
                let m = self.mean();
                self.scores.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64
            })
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
        let mut cells: BTreeMap<Period, BTreeMap<&str, StoreCell>> = BTreeMap::new();
        for v in visits {
            let store = h
                .units
                .get(&v.store)
                .filter(|u| u.level == Level::Store)
                .ok_or_else(|| HierarchyError::UnknownStore(v.store.clone()))?;
            let period = Period::containing(v.at, &h.zones[&store.id], granularity);
            let cell = cells
                .entry(period)
                .or_default()
                .entry(store.id.as_str())
                .or_default();
            cell.scores.push(v.score);
            cell.passed += u64::from(v.passed);
            cell.mystery += usize::from(v.mystery);
            cell.templates.insert(v.template.clone());
        }

        let mut out = Vec::new();
        for (period, stores) in &cells {
            // Stores with one visit borrow the pooled within-store variance of the period.
            let (ss, df) = stores
                .values()
                .filter_map(|c| {
                    c.variance()
                        .map(|v| (v * (c.scores.len() - 1) as f64, (c.scores.len() - 1) as f64))
                })
                .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
            let pooled = (df > 0.0).then(|| ss / df);
            for unit in h.units.values() {
                let eligible: Vec<&Unit> = h
                    .stores_under(&unit.id)
                    .iter()
                    .filter_map(|id| h.units.get(id))
                    .filter(|s| rules.channel.is_none_or(|c| s.channel == Some(c)))
                    .collect();
                let audited: Vec<(&Unit, &StoreCell)> = eligible
                    .iter()
                    .filter_map(|s| stores.get(s.id.as_str()).map(|c| (*s, c)))
                    .collect();
                if audited.is_empty() {
                    continue;
                }
                out.push(rate_unit(unit, *period, &eligible, &audited, pooled, rules));
            }
        }
        out.sort_by(|a, b| (a.period, a.level, &a.unit).cmp(&(b.period, b.level, &b.unit)));
        Ok(out)
    }

    fn rate_unit(
        unit: &Unit,
        period: Period,
        eligible: &[&Unit],
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
                        .map(|v| weight(s).powi(2) * v / c.scores.len() as f64)
                })
                .sum::<Option<f64>>()
                .map(|v| v / (sum_w * sum_w));
            (mean, var)
        } else {
            // Every audited store has zero traffic: nothing to weight by.
            (f64::NAN, None)
        };
        // Each visit carries its store's weight shared among the store's visits.
        let visit_weights = audited.iter().flat_map(|(s, c)| {
            std::iter::repeat_n(weight(s) / c.scores.len() as f64, c.scores.len())
        });
        let ne = n_eff(visit_weights);
        let visits: usize = audited.iter().map(|(_, c)| c.scores.len()).sum();
        let passed: u64 = audited.iter().map(|(_, c)| c.passed).sum();
        let mystery_visits: usize = audited.iter().map(|(_, c)| c.mystery).sum();
        let templates: BTreeSet<TemplateRef> = audited
            .iter()
            .flat_map(|(_, c)| c.templates.iter().cloned())
            .collect();
        let total_traffic: f64 = eligible.iter().map(|s| s.traffic).sum();
        let coverage_stores = audited.len() as f64 / eligible.len() as f64;
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
            stores_total: eligible.len(),
            coverage_stores,
            coverage_traffic: (total_traffic > 0.0)
                .then(|| audited.iter().map(|(s, _)| s.traffic).sum::<f64>() / total_traffic),
            below_coverage,
            flags,
            weighting: rules.weighting,
            crosses_template_versions: templates.len() > 1,
            templates: templates.into_iter().collect(),
            rating_rules: rules.id.clone(),
            rule_set: RULE_SET,
        }
    }
}

/// Two JSON values equal, numbers within `tolerance` (relative to 1).
fn close(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Result<(), String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            if (x - y).abs() <= 1e-9 * x.abs().max(1.0) {
                Ok(())
            } else {
                Err(format!("{at}: {x} != {y}"))
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .try_for_each(|(i, (x, y))| close(x, y, &format!("{at}[{i}]"))),
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            x.iter().try_for_each(|(k, v)| {
                close(v, y.get(k).unwrap_or(&Value::Null), &format!("{at}.{k}"))
            })
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{at}: {a} != {b}")),
    }
}

/// A province of `cities` x 2 districts x `stores` stores, in two zones.
fn hierarchy(cities: usize, stores: usize, traffic: &[f64]) -> Hierarchy {
    let unit = |id: String, parent: Option<String>, level, traffic: f64, zone: &str| Unit {
        id,
        parent,
        level,
        channel: (level == Level::Store).then_some(if traffic > 500.0 {
            Channel::PartnerStore
        } else {
            Channel::OwnedHall
        }),
        traffic,
        time_zone: zone.into(),
    };
    let mut units = vec![unit(
        "p".into(),
        None,
        Level::Province,
        0.0,
        "Asia/Shanghai",
    )];
    let mut k = 0;
    for c in 0..cities {
        let zone = if c % 2 == 0 {
            "Asia/Shanghai"
        } else {
            "Asia/Kolkata"
        };
        units.push(unit(
            format!("p/{c}"),
            Some("p".into()),
            Level::City,
            0.0,
            zone,
        ));
        for d in 0..2 {
            units.push(unit(
                format!("p/{c}/{d}"),
                Some(format!("p/{c}")),
                Level::District,
                0.0,
                zone,
            ));
            for s in 0..stores {
                let t = traffic[k % traffic.len()];
                k += 1;
                units.push(unit(
                    format!("p/{c}/{d}/{s}"),
                    Some(format!("p/{c}/{d}")),
                    Level::Store,
                    t,
                    zone,
                ));
            }
        }
    }
    Hierarchy::new(under_nation(units)).expect("valid hierarchy")
}

fn stores_of(h: &Hierarchy) -> Vec<String> {
    h.units()
        .filter(|u| u.level == Level::Store)
        .map(|u| u.id.clone())
        .collect()
}

prop_compose! {
    fn workload()(
        cities in 1usize..4,
        stores in 1usize..6,
        traffic in prop::collection::vec(0.0f64..1000.0, 1..5),
        raw in prop::collection::vec(
            (0usize..100, 0i64..400 * 86_400, 0.0f64..100.0, any::<bool>(), 0usize..3),
            0..150,
        ),
    ) -> (Hierarchy, Vec<Visit>) {
        let h = hierarchy(cities, stores, &traffic);
        let ids = stores_of(&h);
        let visits = raw
            .into_iter()
            .map(|(s, secs, score, mystery, t)| Visit {
                store: ids[s % ids.len()].clone(),
                at: Timestamp::from_second(1_767_225_600 + secs).expect("in range"),
                // Scores as audits give them: whole or to one decimal.
                score: (score * 10.0).round() / 10.0,
                passed: score >= 80.0,
                mystery,
                template: TemplateRef { id: format!("t{}", t % 2), version: format!("v{t}") },
            })
            .collect();
        (h, visits)
    }
}

/// The visits summed by store, day, template and mode, as the server keeps them.
fn by_day(h: &Hierarchy, visits: &[Visit]) -> Vec<DayCell> {
    let mut cells: BTreeMap<(String, Date, TemplateRef, bool), DayCell> = BTreeMap::new();
    for v in visits {
        let one = DayCell::of_visit(h, v).expect("known store");
        let key = (
            one.store.clone(),
            one.day,
            one.template.clone(),
            one.mystery,
        );
        match cells.get_mut(&key) {
            Some(c) => {
                c.visits += 1;
                c.score_sum += one.score_sum;
                c.score_sq += one.score_sq;
                c.passed += one.passed;
            }
            None => {
                cells.insert(key, one);
            }
        }
    }
    cells.into_values().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn day_cells_rate_as_the_visits_did(
        (h, visits) in workload(),
        granularity in prop::sample::select(vec![
            Granularity::Day, Granularity::Week, Granularity::Month,
            Granularity::Quarter, Granularity::Year,
        ]),
        traffic in any::<bool>(),
        channel in prop::option::of(Just(Channel::OwnedHall)),
    ) {
        let rules = RatingRules {
            weighting: if traffic { Weighting::Traffic } else { Weighting::Stores },
            channel,
            ..RatingRules::default()
        };
        let before = reference::rate(&h, &visits, granularity, &rules).expect("rates");
        let mut now = rate_days(&h, &by_day(&h, &visits), granularity, &rules).expect("rates");
        prop_assert_eq!(before.len(), now.len());
        // A mean on the edge of a band may fall either side of it, the sums
        // being added in another order: then the band may differ, nothing else.
        for (b, n) in before.iter().zip(now.iter_mut()) {
            if let (Some(x), Some(y)) = (b.score, n.score)
                && (x - y).abs() <= 1e-9 * x.abs().max(1.0)
                && ComplianceBand::of(x - 1e-9) != ComplianceBand::of(x + 1e-9)
            {
                n.band = b.band;
            }
        }
        let (before, now) = (
            serde_json::to_value(&before).expect("json"),
            serde_json::to_value(&now).expect("json"),
        );
        if let Err(e) = close(&before, &now, "ratings") {
            prop_assert!(false, "{}", e);
        }
    }
}
