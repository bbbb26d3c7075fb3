//! Hotline service level (S2): the share of calls answered by a person within
//! T seconds. Operators use several formulas that disagree by several points,
//! so the formula is a parameter and is stored with the result.

use serde::{Deserialize, Serialize};

use crate::stats::{Interval, Z95, wilson};

/// The published standard: answered by a person within 20 s.
pub const DEFAULT_THRESHOLD_S: u32 = 20;
/// The published target: at least 85% of calls.
pub const DEFAULT_TARGET: f64 = 0.85;

/// Switch statistics for one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCounts {
    /// Calls answered by a person.
    pub answered: u64,
    /// Of those, answered within the threshold.
    pub answered_within: u64,
    /// Calls the caller abandoned while waiting for a person.
    pub abandoned: u64,
    /// Of those, abandoned within the threshold.
    pub abandoned_within: u64,
}

/// Which calls form the denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceLevelFormula {
    /// answered_within / (answered + abandoned after T): the default.
    #[default]
    ExcludeShortAbandons,
    /// answered_within / (answered + abandoned): every offered call.
    AllOffered,
    /// answered_within / answered: ignores abandoned calls.
    AnsweredOnly,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceLevel {
    pub formula: ServiceLevelFormula,
    pub threshold_s: u32,
    pub target: f64,
    pub value: Option<f64>,
    pub interval: Option<Interval>,
    pub meets_target: Option<bool>,
    pub denominator: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallCountError {
    #[error("answered within the threshold ({within}) exceeds calls answered ({total})")]
    AnsweredWithin { within: u64, total: u64 },
    #[error("abandoned within the threshold ({within}) exceeds calls abandoned ({total})")]
    AbandonedWithin { within: u64, total: u64 },
}

/// Computes the service level with the given formula.
pub fn service_level(
    c: &CallCounts,
    formula: ServiceLevelFormula,
    threshold_s: u32,
    target: f64,
) -> Result<ServiceLevel, CallCountError> {
    if c.answered_within > c.answered {
        return Err(CallCountError::AnsweredWithin {
            within: c.answered_within,
            total: c.answered,
        });
    }
    if c.abandoned_within > c.abandoned {
        return Err(CallCountError::AbandonedWithin {
            within: c.abandoned_within,
            total: c.abandoned,
        });
    }
    let denominator = match formula {
        ServiceLevelFormula::ExcludeShortAbandons => {
            c.answered + (c.abandoned - c.abandoned_within)
        }
        ServiceLevelFormula::AllOffered => c.answered + c.abandoned,
        ServiceLevelFormula::AnsweredOnly => c.answered,
    };
    let value = (denominator > 0).then(|| c.answered_within as f64 / denominator as f64);
    Ok(ServiceLevel {
        formula,
        threshold_s,
        target,
        value,
        interval: wilson(c.answered_within, denominator, Z95),
        meets_target: value.map(|v| v >= target),
        denominator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTS: CallCounts = CallCounts {
        answered: 900,
        answered_within: 780,
        abandoned: 100,
        abandoned_within: 60,
    };

    fn level(f: ServiceLevelFormula) -> ServiceLevel {
        service_level(&COUNTS, f, DEFAULT_THRESHOLD_S, DEFAULT_TARGET).expect("consistent counts")
    }

    #[test]
    fn the_formulas_disagree_and_the_result_says_which_was_used() {
        let default = level(ServiceLevelFormula::default());
        assert_eq!(default.formula, ServiceLevelFormula::ExcludeShortAbandons);
        assert!((default.value.expect("value") - 780.0 / 940.0).abs() < 1e-12);
        assert_eq!(default.meets_target, Some(false));
        let offered = level(ServiceLevelFormula::AllOffered);
        assert!((offered.value.expect("value") - 0.78).abs() < 1e-12);
        let answered = level(ServiceLevelFormula::AnsweredOnly);
        assert!((answered.value.expect("value") - 780.0 / 900.0).abs() < 1e-12);
        assert_eq!(answered.meets_target, Some(true));
    }

    #[test]
    fn inconsistent_counts_are_refused() {
        let bad = CallCounts {
            answered_within: 901,
            ..COUNTS
        };
        assert!(service_level(&bad, Default::default(), 20, 0.85).is_err());
        let bad = CallCounts {
            abandoned_within: 101,
            ..COUNTS
        };
        assert!(service_level(&bad, Default::default(), 20, 0.85).is_err());
    }
}
