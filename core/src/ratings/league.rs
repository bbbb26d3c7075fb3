//! League tables and trends (S7): ranks come with a range, because two
//! units whose intervals overlap cannot be told apart, and a change from
//! the previous period is called significant only by Welch's t test.

use std::collections::HashMap;

use serde::Serialize;

use super::{Level, Period, Rating};
use crate::stats::{TestResult, welch_t};

/// A rating with its place among the units of its level and period, and
/// its change from the unit's previous period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    #[serde(flatten)]
    pub rating: Rating,
    /// 1 = best, among the shown (not suppressed) units of the same level
    /// and period; `None` when suppressed.
    pub rank: Option<usize>,
    /// The ranks the unit could hold given the intervals: best and worst.
    pub rank_range: Option<(usize, usize)>,
    pub change: Option<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub previous_period: Period,
    pub previous_mean: f64,
    /// This period's mean minus the previous one's.
    pub delta: f64,
    /// Welch's t test at 95%; `None` when either side lacks a variance.
    pub test: Option<TestResult>,
}

/// A rating's rank, rank range and change, before it moves into its standing.
type Place = (Option<usize>, Option<(usize, usize)>, Option<Change>);

/// The shown units of one league table, as sorted lists for counting.
#[derive(Default)]
struct Table {
    means: Vec<f64>,
    los: Vec<f64>,
    his: Vec<f64>,
}

/// Ranks and changes for a set of ratings (for example those in a user's
/// scope). Units are compared only within the same level and period.
/// O(n log n) in the number of ratings.
pub fn standings(ratings: Vec<Rating>) -> Vec<Standing> {
    let shown = |r: &Rating| r.score.is_some() && r.estimate.interval.is_some();
    let by_key: HashMap<(&str, Period), &Rating> = ratings
        .iter()
        .map(|r| ((r.unit.as_str(), r.period), r))
        .collect();
    let mut tables: HashMap<(Level, Period), Table> = HashMap::new();
    for r in ratings.iter().filter(|r| shown(r)) {
        let t = tables.entry((r.level, r.period)).or_default();
        t.means.push(r.estimate.mean);
        if let Some(i) = r.estimate.interval {
            t.los.push(i.lo);
            t.his.push(i.hi);
        }
    }
    for t in tables.values_mut() {
        for v in [&mut t.means, &mut t.los, &mut t.his] {
            v.sort_by(f64::total_cmp);
        }
    }
    // Places first, while the ratings can still be looked up; then the
    // ratings move into the standings (a national table by month is
    // hundreds of thousands of them: no copies).
    let places: Vec<Place> = ratings
        .iter()
        .map(|r| {
            let change = r.period.previous().and_then(|p| {
                let prev = by_key.get(&(r.unit.as_str(), p))?;
                Some(Change {
                    previous_period: p,
                    previous_mean: prev.estimate.mean,
                    delta: r.estimate.mean - prev.estimate.mean,
                    test: welch_t(&r.estimate, &prev.estimate),
                })
            });
            let table = tables.get(&(r.level, r.period));
            let (rank, rank_range) = match (shown(r), table, r.estimate.interval) {
                (true, Some(t), Some(mine)) => {
                    let n = t.means.len();
                    let better = n - t.means.partition_point(|m| *m <= r.estimate.mean);
                    // Surely better: their whole interval above ours; surely worse: below.
                    let surely_better = n - t.los.partition_point(|lo| *lo <= mine.hi);
                    let surely_worse = t.his.partition_point(|hi| *hi < mine.lo);
                    (
                        Some(better + 1),
                        Some((surely_better + 1, n - surely_worse)),
                    )
                }
                _ => (None, None),
            };
            (rank, rank_range, change)
        })
        .collect();
    drop(by_key);
    ratings
        .into_iter()
        .zip(places)
        .map(|(rating, (rank, rank_range, change))| Standing {
            rating,
            rank,
            rank_range,
            change,
        })
        .collect()
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::ratings::Weighting;
    use crate::stats::{Flags, Interval, MeanEstimate};

    fn rating(unit: &str, period: &str, mean: f64, half: f64) -> Rating {
        Rating {
            unit: unit.into(),
            level: Level::Store,
            period: Period::parse(period).expect("period"),
            score: Some(mean),
            band: None,
            estimate: MeanEstimate {
                mean,
                se: Some(half / 1.96),
                interval: Some(Interval {
                    lo: mean - half,
                    hi: mean + half,
                }),
                n: 40,
                n_eff: 40.0,
            },
            visits: 40,
            mystery_visits: 0,
            pass_rate: 0.9,
            pass_interval: None,
            stores_audited: 1,
            stores_total: 1,
            coverage_stores: 1.0,
            coverage_traffic: None,
            below_coverage: false,
            flags: Flags::default(),
            weighting: Weighting::Stores,
            templates: Vec::new(),
            crosses_template_versions: false,
            rating_rules: "default".into(),
            rule_set: "test",
        }
    }

    #[test]
    fn overlapping_intervals_share_a_range_of_ranks() {
        let s = standings(vec![
            rating("a", "2026-10", 90.0, 2.0),
            rating("b", "2026-10", 88.0, 3.0),
            rating("c", "2026-10", 70.0, 2.0),
        ]);
        let by = |u: &str| s.iter().find(|x| x.rating.unit == u).expect("unit");
        assert_eq!((by("a").rank, by("a").rank_range), (Some(1), Some((1, 2))));
        assert_eq!((by("b").rank, by("b").rank_range), (Some(2), Some((1, 2))));
        assert_eq!((by("c").rank, by("c").rank_range), (Some(3), Some((3, 3))));
    }

    #[test]
    fn a_change_is_significant_only_by_the_test() {
        let s = standings(vec![
            rating("a", "2026-09", 80.0, 2.0),
            rating("a", "2026-10", 90.0, 2.0),
            rating("b", "2026-09", 80.0, 9.0),
            rating("b", "2026-10", 81.0, 9.0),
        ]);
        let change = |u: &str| {
            s.iter()
                .find(|x| {
                    x.rating.unit == u && x.rating.period == Period::parse("2026-10").expect("p")
                })
                .and_then(|x| x.change.clone())
                .expect("change")
        };
        let a = change("a");
        assert_eq!(a.delta, 10.0);
        assert!(a.test.is_some_and(|t| t.significant));
        let b = change("b");
        assert!(b.test.is_some_and(|t| !t.significant));
        let first = s
            .iter()
            .find(|x| x.rating.period == Period::parse("2026-09").expect("p"));
        assert!(
            first.is_some_and(|x| x.change.is_none()),
            "no earlier period"
        );
    }
}
