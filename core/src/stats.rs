//! Uncertainty and small samples (methodology.md S7): Wilson intervals for
//! proportions, t intervals with effective n for means, reporting flags, and
//! the tests that decide whether a change is significant.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

/// Wilson score interval for `successes` out of `n` at normal quantile `z`.
/// `None` when `n` is 0.
pub fn wilson(successes: u64, n: u64, z: f64) -> Option<Interval> {
    if n == 0 || successes > n {
        return None;
    }
    let (n, p) = (n as f64, successes as f64 / n as f64);
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Interval {
        lo: (centre - half).max(0.0),
        hi: (centre + half).min(1.0),
    })
}

/// Effective sample size of weighted data, (sum w)^2 / sum w^2.
pub fn n_eff(weights: impl IntoIterator<Item = f64>) -> f64 {
    let (s, s2) = weights
        .into_iter()
        .fold((0.0, 0.0), |(s, s2), w| (s + w, s2 + w * w));
    n_eff_of_sums(s, s2)
}

/// [`n_eff`] from the sum of the weights and the sum of their squares.
pub fn n_eff_of_sums(sum: f64, sum_sq: f64) -> f64 {
    if sum_sq > 0.0 {
        sum * sum / sum_sq
    } else {
        0.0
    }
}

/// Two-sided t quantile for `confidence` (e.g. 0.95) with `df` degrees of freedom.
pub fn t_quantile(confidence: f64, df: f64) -> Option<f64> {
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(dist.inverse_cdf(0.5 + confidence / 2.0))
}

/// A weighted mean with its standard error and 95% t interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanEstimate {
    pub mean: f64,
    /// Standard error of the mean; `None` with fewer than two observations.
    pub se: Option<f64>,
    pub interval: Option<Interval>,
    pub n: usize,
    pub n_eff: f64,
}

impl MeanEstimate {
    /// Builds the estimate from a mean and the variance of that mean.
    pub fn from_variance(mean: f64, var_of_mean: Option<f64>, n: usize, n_eff: f64) -> Self {
        let se = var_of_mean
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(f64::sqrt);
        let interval = se.and_then(|se| {
            let t = t_quantile(0.95, (n_eff - 1.0).max(1.0))?;
            Some(Interval {
                lo: mean - t * se,
                hi: mean + t * se,
            })
        });
        MeanEstimate {
            mean,
            se,
            interval,
            n,
            n_eff,
        }
    }
}

/// Weighted mean of `(value, weight)` pairs, with s computed from the weighted
/// variance and the interval mean +/- t * s / sqrt(n_eff) (S7).
pub fn weighted_mean(data: &[(f64, f64)]) -> Option<MeanEstimate> {
    let sw: f64 = data.iter().map(|(_, w)| w).sum();
    if data.is_empty() || sw <= 0.0 {
        return None;
    }
    let mean = data.iter().map(|(x, w)| x * w).sum::<f64>() / sw;
    let ne = n_eff(data.iter().map(|(_, w)| *w));
    let var_of_mean = (data.len() >= 2 && ne > 1.0).then(|| {
        // Weighted sample variance with the reliability-weights correction,
        // which reduces to the usual s^2 when all weights are equal.
        let s2 = data
            .iter()
            .map(|(x, w)| w * (x - mean).powi(2))
            .sum::<f64>()
            / sw
            * ne
            / (ne - 1.0);
        s2 / ne
    });
    Some(MeanEstimate::from_variance(
        mean,
        var_of_mean,
        data.len(),
        ne,
    ))
}

/// Plain (unweighted) mean with a t interval.
pub fn mean(values: &[f64]) -> Option<MeanEstimate> {
    let data: Vec<_> = values.iter().map(|x| (*x, 1.0)).collect();
    weighted_mean(&data)
}

/// Thresholds that decide how a figure may be shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagRules {
    /// Below this effective n a figure is suppressed.
    pub suppress_below: f64,
    /// Below this effective n a figure is marked "small base".
    pub small_base_below: f64,
    /// Fewer mystery visits than this in a period are "low visits".
    pub low_visits_below: usize,
}

impl Default for FlagRules {
    fn default() -> Self {
        FlagRules {
            suppress_below: 30.0,
            small_base_below: 100.0,
            low_visits_below: 3,
        }
    }
}

/// How a figure may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Flags {
    /// Shown as "insufficient sample", never as a number.
    pub suppressed: bool,
    pub small_base: bool,
    pub low_visits: bool,
}

impl FlagRules {
    /// Flags for a figure with effective sample `n_eff` and `mystery_visits`
    /// mystery visits behind it (`None` when it is not a mystery-visit figure).
    pub fn flags(&self, n_eff: f64, mystery_visits: Option<usize>) -> Flags {
        Flags {
            suppressed: n_eff < self.suppress_below,
            small_base: n_eff < self.small_base_below,
            low_visits: mystery_visits.is_some_and(|v| v < self.low_visits_below),
        }
    }
}

/// Result of a two-sided significance test at 95%.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    pub statistic: f64,
    pub p_value: f64,
    pub significant: bool,
}

fn normal_p(z: f64) -> f64 {
    let n = Normal::standard();
    2.0 * (1.0 - n.cdf(z.abs()))
}

/// Two-proportion z test (pooled) of x1/n1 against x2/n2; `None` for an
/// empty sample or more successes than trials (as [`wilson`] refuses them).
pub fn two_proportion_z(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<TestResult> {
    if n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2 {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let (p1, p2) = (x1 as f64 / n1f, x2 as f64 / n2f);
    let p = (x1 + x2) as f64 / (n1f + n2f);
    let se = (p * (1.0 - p) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    if se == 0.0 {
        return None;
    }
    let z = (p1 - p2) / se;
    let p_value = normal_p(z);
    Some(TestResult {
        statistic: z,
        p_value,
        significant: p_value < 0.05,
    })
}

/// Welch's t test of two means from their standard errors and effective sizes.
pub fn welch_t(a: &MeanEstimate, b: &MeanEstimate) -> Option<TestResult> {
    let (sa, sb) = (a.se?, b.se?);
    let (va, vb) = (sa * sa, sb * sb);
    let se = (va + vb).sqrt();
    if se == 0.0 || a.n_eff <= 1.0 || b.n_eff <= 1.0 {
        return None;
    }
    let t = (a.mean - b.mean) / se;
    // Welch-Satterthwaite degrees of freedom.
    let df = (va + vb).powi(2) / (va * va / (a.n_eff - 1.0) + vb * vb / (b.n_eff - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let p_value = 2.0 * (1.0 - dist.cdf(t.abs()));
    Some(TestResult {
        statistic: t,
        p_value,
        significant: p_value < 0.05,
    })
}

/// Sample size for estimating a proportion `p` within `margin` at 95%, with a
/// finite-population correction when the population is known.
pub fn sample_size_proportion(margin: f64, p: f64, population: Option<u64>) -> Option<u64> {
    if !(margin > 0.0 && (0.0..=1.0).contains(&p)) {
        return None;
    }
    let n0 = Z95 * Z95 * p * (1.0 - p) / (margin * margin);
    let n = match population {
        Some(pop) if pop > 0 => n0 / (1.0 + (n0 - 1.0) / pop as f64),
        _ => n0,
    };
    Some(n.ceil() as u64)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_17_of_20_matches_the_methodology() {
        let i = wilson(17, 20, Z95).expect("interval");
        assert!(
            close(i.lo, 0.640, 0.0005) && close(i.hi, 0.948, 0.0005),
            "{i:?}"
        );
    }

    #[test]
    fn wilson_stays_inside_zero_and_one_where_wald_would_not() {
        let i = wilson(0, 5, Z95).expect("interval");
        assert_eq!(i.lo, 0.0);
        assert!(i.hi > 0.0 && i.hi < 1.0);
        assert_eq!(wilson(1, 0, Z95), None);
    }

    #[test]
    fn sample_sizes_match_the_methodology() {
        assert_eq!(sample_size_proportion(0.05, 0.5, None), Some(385));
        assert_eq!(sample_size_proportion(0.05, 0.5, Some(2_000)), Some(323));
    }

    #[test]
    fn effective_n_of_equal_weights_is_n_and_shrinks_when_unequal() {
        assert!(close(n_eff([2.0; 10]), 10.0, 1e-12));
        assert!(n_eff([1.0, 1.0, 1.0, 10.0]) < 4.0);
    }

    #[test]
    fn the_t_interval_uses_s_over_root_n() {
        // 2, 4, 6, 8: mean 5, s = 2.582, se = 1.291, t(3) = 3.182.
        let m = mean(&[2.0, 4.0, 6.0, 8.0]).expect("mean");
        assert!(close(m.mean, 5.0, 1e-12));
        assert!(close(m.se.expect("se"), 1.2910, 1e-4));
        let i = m.interval.expect("interval");
        assert!(close(i.hi - 5.0, 3.1824 * 1.2910, 1e-3), "{i:?}");
        assert_eq!(mean(&[3.0]).expect("mean").interval, None);
    }

    #[test]
    fn flags_follow_the_thresholds() {
        let r = FlagRules::default();
        assert_eq!(
            r.flags(29.9, None),
            Flags {
                suppressed: true,
                small_base: true,
                low_visits: false
            }
        );
        assert_eq!(
            r.flags(30.0, Some(2)),
            Flags {
                suppressed: false,
                small_base: true,
                low_visits: true
            }
        );
        assert_eq!(r.flags(100.0, Some(3)), Flags::default());
    }

    #[test]
    fn tests_call_big_differences_significant_and_small_ones_not() {
        let big = two_proportion_z(90, 100, 60, 100).expect("test");
        assert!(big.significant && big.statistic > 0.0);
        let small = two_proportion_z(51, 100, 49, 100).expect("test");
        // More successes than trials is no sample, as for Wilson.
        assert_eq!(two_proportion_z(11, 10, 5, 10), None);
        assert_eq!(two_proportion_z(5, 10, 11, 10), None);
        assert!(!small.significant);
        let a = mean(&[80.0, 82.0, 84.0, 86.0, 88.0]).expect("a");
        let b = mean(&[60.0, 62.0, 64.0, 66.0, 68.0]).expect("b");
        assert!(welch_t(&a, &b).expect("welch").significant);
        let c = mean(&[79.0, 83.0, 85.0, 87.0, 86.0]).expect("c");
        assert!(!welch_t(&a, &c).expect("welch").significant);
    }

    proptest! {
        #[test]
        fn wilson_contains_the_observed_proportion(n in 1u64..500, frac in 0.0f64..=1.0) {
            let x = (n as f64 * frac).floor() as u64;
            let i = wilson(x, n, Z95).expect("interval");
            let p = x as f64 / n as f64;
            prop_assert!(i.lo <= p + 1e-12 && p <= i.hi + 1e-12);
            prop_assert!(0.0 <= i.lo && i.hi <= 1.0);
        }
    }
}
