//! Scores from answers (methodology.md S1-S6): visit scores for checklists,
//! satisfaction indices, SERVQUAL gaps,
//! importance-performance quadrants, NPS and CSAT, and construct weights
//! estimated by PLS path modelling.
//!
//! Every result names the template version and [`RULE_SET`] that produced it.

pub mod audit;
pub mod survey;
pub mod weights;

use serde::Serialize;

use crate::answers::{AnswerValue, Answers, Started, passes_rule};
use crate::templates::{AnswerType, Item, Template};

/// Identifies the scoring rules in this file set; bumped whenever a rule changes
/// a number, and stamped on every result.
pub const RULE_SET: &str = "fieldcheck-s1-s8/2026.2";

/// S1: rescales `x` on [min, max] to 0..100, reversing first if asked.
pub fn rescale(x: f64, min: f64, max: f64, reverse: bool) -> f64 {
    let x = if reverse { min + max - x } else { x };
    100.0 * (x - min) / (max - min)
}

/// The 0..1 outcome of an answer to a scored or rated item; `None` when it does
/// not count (not applicable, a choice without a score, or not a scored type).
pub fn outcome(
    template: &Template,
    item: &Item,
    value: &AnswerValue,
    answers: &Answers,
    started: Started,
) -> Option<f64> {
    use AnswerValue as V;
    match (&item.answer, value) {
        (_, V::NotApplicable) => None,
        (AnswerType::PassFail, V::Pass) => Some(1.0),
        (AnswerType::PassFail, V::Fail) => Some(0.0),
        (AnswerType::Partial, V::Fraction(f)) => Some(f.clamp(0.0, 1.0)),
        (AnswerType::Touchpoint, V::Number(x)) => {
            let level = x.round().clamp(1.0, 5.0) as usize;
            let level = if item.reverse { 6 - level } else { level };
            Some(template.touchpoint_scores[level - 1] / 100.0)
        }
        (t, V::Number(x)) if t.scale_range().is_some() => {
            // An answer outside its scale (an old device, a hand-edited
            // record) counts as the scale's end, never beyond 0..100.
            let (lo, hi) = t.scale_range()?;
            Some(rescale(x.clamp(lo, hi), lo, hi, item.reverse) / 100.0)
        }
        (AnswerType::SingleChoice(choices), V::Choice(v)) => {
            choices.iter().find(|c| &c.value == v)?.score
        }
        (AnswerType::Number { .. } | AnswerType::Duration { .. }, V::Number(_)) => {
            passes_rule(item, value, answers, started).map(|p| if p { 1.0 } else { 0.0 })
        }
        _ => None,
    }
}

/// Satisfaction index band (domain.md), on half-open intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    VerySatisfied,
    Satisfied,
    FairlySatisfied,
    Average,
    NotVerySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

impl Band {
    /// The band of an index on 0..100.
    pub fn of(index: f64) -> Band {
        match index {
            x if x >= 90.0 => Band::VerySatisfied,
            x if x >= 80.0 => Band::Satisfied,
            x if x >= 70.0 => Band::FairlySatisfied,
            x if x >= 60.0 => Band::Average,
            x if x >= 50.0 => Band::NotVerySatisfied,
            x if x >= 30.0 => Band::Dissatisfied,
            _ => Band::VeryDissatisfied,
        }
    }

    pub fn label(self) -> crate::i18n::Bilingual {
        use crate::i18n::Bilingual as B;
        match self {
            Band::VerySatisfied => B::new("很满意", "very satisfied"),
            Band::Satisfied => B::new("满意", "satisfied"),
            Band::FairlySatisfied => B::new("较满意", "fairly satisfied"),
            Band::Average => B::new("一般", "average"),
            Band::NotVerySatisfied => B::new("不太满意", "not very satisfied"),
            Band::Dissatisfied => B::new("不满意", "dissatisfied"),
            Band::VeryDissatisfied => B::new("很不满意", "very dissatisfied"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_chongqing_2011_figures_fall_in_their_bands() {
        for (x, band) in [
            (82.77, Band::Satisfied),
            (83.48, Band::Satisfied),
            (84.20, Band::Satisfied),
            (80.09, Band::Satisfied),
            (78.48, Band::FairlySatisfied),
            (74.88, Band::FairlySatisfied),
        ] {
            assert_eq!(Band::of(x), band, "{x}");
        }
    }

    #[test]
    fn band_edges_are_half_open() {
        assert_eq!(Band::of(90.0), Band::VerySatisfied);
        assert_eq!(Band::of(89.999), Band::Satisfied);
        assert_eq!(Band::of(80.0), Band::Satisfied);
        assert_eq!(Band::of(79.99), Band::FairlySatisfied);
        assert_eq!(Band::of(50.0), Band::NotVerySatisfied);
        assert_eq!(Band::of(49.99), Band::Dissatisfied);
        assert_eq!(Band::of(30.0), Band::Dissatisfied);
        assert_eq!(Band::of(29.99), Band::VeryDissatisfied);
        assert_eq!(Band::of(100.0), Band::VerySatisfied);
        assert_eq!(Band::of(0.0).label().zh, "很不满意");
    }

    #[test]
    fn rescaling_and_reverse_coding() {
        assert_eq!(rescale(7.0, 1.0, 10.0, false), 100.0 * 6.0 / 9.0);
        assert_eq!(rescale(1.0, 1.0, 5.0, true), 100.0);
        assert_eq!(rescale(3.0, 1.0, 5.0, false), 50.0);
    }
}
