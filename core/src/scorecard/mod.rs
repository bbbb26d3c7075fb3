//! The branch scorecard (domain.md, "How scores are used"): a points-based
//! evaluation of a unit for a period, defined as data. Each indicator has
//! its points, where its figure comes from (computed by Fieldcheck, or
//! entered by the operator) and how the figure earns points; deductions come
//! from a register of cases. A figure that is missing or suppressed (S7) is
//! never counted as zero: the result says what is missing and how many
//! points it could still be worth. The shipped schemes are in `scorecards/`.

mod register;

pub use register::{CASE_COLUMNS, CaseRecord, ENTRY_COLUMNS, Entry, parse_cases, parse_entries};

use serde::{Deserialize, Serialize};

use crate::i18n::Bilingual;
use crate::msg;
use crate::msg::Msg;
use crate::stats::Interval;
use crate::templates::Channel;

/// A scorecard definition, versioned like a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    pub id: String,
    pub version: String,
    pub title: Bilingual,
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub deductions: Deductions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    /// A heading several indicators share (customer perception...).
    #[serde(default)]
    pub group: Option<Bilingual>,
    pub title: Bilingual,
    pub points: f64,
    pub source: Source,
    pub scoring: Scoring,
}

/// Where an indicator's figure comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// The unit's channel compliance rating (S8, 0-100), of one channel if named.
    ChannelCompliance {
        #[serde(default)]
        channel: Option<Channel>,
    },
    /// A satisfaction index (S3, 0-100) of a questionnaire's construct.
    SatisfactionIndex { template: String, construct: String },
    /// How much the fail rate of the previous period's `top` weakest
    /// standards fell: (before - now) / before.
    WeakSpotImprovement { top: usize },
    /// The service level of the unit's hotlines (0-1).
    HotlineServiceLevel,
    /// Entered or imported by the operator.
    Entered,
}

/// How a figure earns an indicator's points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Scoring {
    /// None at `floor`, all at `target`, in proportion between; a floor
    /// above the target means lower is better.
    Linear { floor: f64, target: f64 },
    /// All the points at this value or above, none below.
    AtLeast(f64),
    /// All the points at this value or below, none above.
    AtMost(f64),
    /// The share of the points of the highest band reached.
    Bands(Vec<BandRule>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandRule {
    pub from: f64,
    pub share: f64,
}

impl Scoring {
    /// The share (0..1) of the points `x` earns.
    pub fn share(&self, x: f64) -> f64 {
        match self {
            Scoring::Linear { floor, target } => ((x - floor) / (target - floor)).clamp(0.0, 1.0),
            Scoring::AtLeast(t) => f64::from(u8::from(x >= *t)),
            Scoring::AtMost(t) => f64::from(u8::from(x <= *t)),
            Scoring::Bands(bands) => bands
                .iter()
                .filter(|b| x >= b.from)
                .max_by(|a, b| a.from.total_cmp(&b.from))
                .map_or(0.0, |b| b.share),
        }
    }
}

/// Points taken off for cases in the register, at most `max` in all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deductions {
    #[serde(default)]
    pub max: f64,
    #[serde(default)]
    pub kinds: Vec<DeductionKind>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeductionKind {
    pub id: String,
    pub title: Bilingual,
    /// Points per case: from `min` to `max`, `default` when the case names none.
    pub each: Each,
    /// At most this many points for all cases of the kind.
    #[serde(default)]
    pub cap: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Each {
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

/// The shipped schemes: the yearly service evaluation and the simpler
/// channel-compliance point.
pub const SHIPPED: [&str; 2] = [
    include_str!("../../../scorecards/service_evaluation.toml"),
    include_str!("../../../scorecards/channel_compliance.toml"),
];

impl Scorecard {
    /// Reads and checks a definition; every problem is listed.
    pub fn load(toml_text: &str) -> Result<Scorecard, Vec<Msg>> {
        let card: Scorecard = toml::from_str(toml_text).map_err(|e| {
            vec![msg!(
                "scorecard.toml",
                "not a scorecard definition: {detail}",
                detail = e.message()
            )]
        })?;
        let problems = card.problems();
        if problems.is_empty() {
            Ok(card)
        } else {
            Err(problems)
        }
    }

    /// The shipped schemes.
    pub fn shipped() -> Vec<Scorecard> {
        SHIPPED
            .iter()
            .filter_map(|src| Scorecard::load(src).ok())
            .collect()
    }

    fn problems(&self) -> Vec<Msg> {
        let mut out = Vec::new();
        let valid_id = |id: &str| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        for id in [&self.id, &self.version] {
            if id.trim().is_empty() || id.len() > 64 {
                out.push(msg!(
                    "scorecard.id",
                    "`{id}`: an id and a version of 1 to 64 characters are needed",
                    id = id
                ));
            }
        }
        if self.indicators.is_empty() {
            out.push(msg!(
                "scorecard.no_indicators",
                "a scorecard needs indicators"
            ));
        }
        let ids = self
            .indicators
            .iter()
            .map(|i| i.id.as_str())
            .chain(self.deductions.kinds.iter().map(|k| k.id.as_str()));
        let mut seen = std::collections::BTreeSet::new();
        for id in ids {
            if !valid_id(id) {
                out.push(msg!(
                    "scorecard.item_id",
                    "`{id}` is not an id: lower-case letters, digits and `_`",
                    id = id
                ));
            } else if !seen.insert(id) {
                out.push(msg!("scorecard.id_twice", "`{id}` is used twice", id = id));
            }
        }
        for i in &self.indicators {
            if !(i.points.is_finite() && i.points > 0.0) {
                out.push(msg!(
                    "scorecard.points",
                    "`{id}`: points must be a number above 0",
                    id = i.id
                ));
            }
            let scoring_ok = match &i.scoring {
                Scoring::Linear { floor, target } => {
                    floor.is_finite() && target.is_finite() && floor != target
                }
                Scoring::AtLeast(t) | Scoring::AtMost(t) => t.is_finite(),
                Scoring::Bands(bands) => {
                    !bands.is_empty()
                        && bands
                            .iter()
                            .all(|b| b.from.is_finite() && (0.0..=1.0).contains(&b.share))
                }
            };
            if !scoring_ok {
                out.push(msg!(
                    "scorecard.scoring",
                    "`{id}`: a linear scoring needs a floor and a target that differ; bands need a share from 0 to 1 each",
                    id = i.id
                ));
            }
            if let Source::WeakSpotImprovement { top } = i.source
                && !(1..=50).contains(&top)
            {
                out.push(msg!(
                    "scorecard.top",
                    "`{id}`: the weakest 1 to 50 standards",
                    id = i.id
                ));
            }
        }
        if !(self.deductions.max.is_finite() && self.deductions.max >= 0.0) {
            out.push(msg!(
                "scorecard.deduction_max",
                "deductions: `max` must be a number from 0"
            ));
        }
        for k in &self.deductions.kinds {
            let e = k.each;
            if !(e.min >= 0.0 && e.min <= e.default && e.default <= e.max) {
                out.push(msg!(
                    "scorecard.each",
                    "`{id}`: points per case need 0 <= min <= default <= max",
                    id = k.id
                ));
            }
        }
        out
    }

    /// The points the indicators are worth together.
    pub fn points(&self) -> f64 {
        self.indicators.iter().map(|i| i.points).sum()
    }
}

/// What was found for an indicator in one unit and period.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Value {
        value: f64,
        interval: Option<Interval>,
    },
    /// A figure too uncertain to show (S7): insufficient sample.
    Suppressed,
    /// No figure, and why.
    Missing(Msg),
}

/// A case of the register, for deductions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub kind: String,
    /// Points the case costs, if the register says; else the kind's default.
    pub points: Option<f64>,
}

crate::vocab::string_enum!(
    /// How an indicator stands.
    Standing {
        /// It has its figure and its points.
        Scored = "scored",
        /// Its figure is withheld for a small sample; its points are open.
        Suppressed = "suppressed",
        /// It has no figure; its points are open.
        Missing = "missing",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub id: String,
    pub title: Bilingual,
    pub group: Option<Bilingual>,
    /// What the indicator is worth.
    pub points: f64,
    pub value: Option<f64>,
    pub earned: Option<f64>,
    /// The points at either end of the figure's interval.
    pub earned_interval: Option<Interval>,
    pub standing: Standing,
    pub missing: Option<Msg>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeductionResult {
    pub kind: String,
    pub title: Bilingual,
    pub cases: usize,
    pub points: f64,
}

/// A unit's scorecard for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardResult {
    pub scorecard: String,
    pub version: String,
    pub indicators: Vec<IndicatorResult>,
    pub deductions: Vec<DeductionResult>,
    /// Points taken off, after the caps.
    pub deducted: f64,
    /// Points earned by the scored indicators, less the deductions.
    pub score: f64,
    /// The score if every open indicator earned all its points.
    pub best_case: f64,
    /// Every indicator is scored.
    pub complete: bool,
    /// The whole the score is out of.
    pub out_of: f64,
}

/// Scores one unit for one period: `inputs` has a figure (or why not) for
/// each indicator, in the definition's order; `cases` the register's
/// cases in the period. Cases of kinds the scorecard does not know are
/// left out (the register may serve several scorecards).
pub fn evaluate(card: &Scorecard, inputs: &[Input], cases: &[Case]) -> ScorecardResult {
    let indicators: Vec<IndicatorResult> = card
        .indicators
        .iter()
        .zip(inputs.iter().chain(std::iter::repeat(&Input::Missing(msg!(
            "scorecard.no_input",
            "no figure was found for this indicator"
        )))))
        .map(|(i, input)| {
            let mut r = IndicatorResult {
                id: i.id.clone(),
                title: i.title.clone(),
                group: i.group.clone(),
                points: i.points,
                value: None,
                earned: None,
                earned_interval: None,
                standing: Standing::Missing,
                missing: None,
            };
            match input {
                Input::Value { value, interval } => {
                    let earn = |x: f64| i.points * i.scoring.share(x);
                    r.value = Some(*value);
                    r.earned = Some(earn(*value));
                    r.earned_interval = interval.map(|iv| {
                        let (a, b) = (earn(iv.lo), earn(iv.hi));
                        Interval {
                            lo: a.min(b),
                            hi: a.max(b),
                        }
                    });
                    r.standing = Standing::Scored;
                }
                Input::Suppressed => {
                    r.standing = Standing::Suppressed;
                    r.missing = Some(msg!(
                        "scorecard.suppressed",
                        "the figure is withheld: the sample is too small"
                    ));
                }
                Input::Missing(why) => r.missing = Some(why.clone()),
            }
            r
        })
        .collect();
    let deductions: Vec<DeductionResult> = card
        .deductions
        .kinds
        .iter()
        .map(|k| {
            let of_kind: Vec<&Case> = cases.iter().filter(|c| c.kind == k.id).collect();
            let sum = of_kind
                .iter()
                .map(|c| {
                    c.points
                        .unwrap_or(k.each.default)
                        .clamp(k.each.min, k.each.max)
                })
                .fold(0.0, |a, b| a + b);
            DeductionResult {
                kind: k.id.clone(),
                title: k.title.clone(),
                cases: of_kind.len(),
                points: k.cap.map_or(sum, |cap| sum.min(cap)),
            }
        })
        .collect();
    // Sums from +0: an empty f64 sum is -0, which would show as "-0".
    let add = |a: f64, b: f64| a + b;
    let deducted = deductions
        .iter()
        .map(|d| d.points)
        .fold(0.0, add)
        .min(card.deductions.max);
    let earned = indicators.iter().filter_map(|i| i.earned).fold(0.0, add);
    let open = indicators
        .iter()
        .filter(|i| i.earned.is_none())
        .map(|i| i.points)
        .fold(0.0, add);
    ScorecardResult {
        scorecard: card.id.clone(),
        version: card.version.clone(),
        complete: open == 0.0,
        score: earned - deducted,
        best_case: earned + open - deducted,
        indicators,
        deductions,
        deducted,
        out_of: card.points(),
    }
}

/// The weak-spot improvement: how much the fail rate of the previous
/// period's weakest standards fell, from their failures and checks before
/// and now. `None` without failures before (nothing to improve) or checks
/// now.
pub fn improvement(before: (u64, u64), now: (u64, u64)) -> Option<f64> {
    let (failed_before, checked_before) = before;
    let (failed_now, checked_now) = now;
    if failed_before == 0 || checked_before == 0 || checked_now == 0 {
        return None;
    }
    let rate_before = failed_before as f64 / checked_before as f64;
    let rate_now = failed_now as f64 / checked_now as f64;
    Some((rate_before - rate_now) / rate_before)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluation() -> Scorecard {
        Scorecard::load(SHIPPED[0]).expect("the shipped evaluation loads")
    }

    fn value(x: f64) -> Input {
        Input::Value {
            value: x,
            interval: None,
        }
    }

    #[test]
    fn the_shipped_schemes_load_and_are_worth_what_domain_md_says() {
        let cards = Scorecard::shipped();
        assert_eq!(cards.len(), SHIPPED.len());
        assert_eq!(cards[0].points(), 100.0);
        assert_eq!(cards[0].deductions.max, 10.0);
        assert_eq!(cards[1].points(), 1.0);
        let perception: f64 = cards[0]
            .indicators
            .iter()
            .filter(|i| {
                i.group
                    .as_ref()
                    .is_some_and(|g| g.en == "Customer perception")
            })
            .map(|i| i.points)
            .sum();
        assert_eq!(perception, 60.0);
    }

    #[test]
    fn a_full_scorecard_adds_its_points_and_takes_off_capped_deductions() {
        let card = evaluation();
        // Satisfaction 80 (of 60..85: 80%), compliance 84 (of 60..90: 80%),
        // weak spots down 22% (of 0..33%: two thirds), integration 90, retention 75.
        let inputs = [
            value(80.0),
            value(84.0),
            value(0.22),
            value(90.0),
            value(75.0),
        ];
        let cases = [
            Case {
                kind: "media_exposure".into(),
                points: Some(5.0),
            },
            Case {
                kind: "media_exposure".into(),
                points: Some(9.0),
            },
            Case {
                kind: "company_fault".into(),
                points: None,
            },
            Case {
                kind: "unknown_kind".into(),
                points: Some(50.0),
            },
        ];
        let r = evaluate(&card, &inputs, &cases);
        let earned: Vec<f64> = r
            .indicators
            .iter()
            .map(|i| i.earned.expect("scored"))
            .collect();
        let want = [24.0, 8.0, 20.0 * 0.22 / 0.33, 18.0, 15.0];
        for (got, want) in earned.iter().zip(want) {
            assert!((got - want).abs() < 1e-9, "{earned:?}");
        }
        // 5 + 5 (a case is at most 5) + 1, capped at 10.
        assert_eq!(r.deductions[0].points, 10.0);
        assert_eq!(r.deductions[1].points, 1.0);
        assert_eq!(r.deducted, 10.0);
        assert!(r.complete);
        let none = evaluate(&card, &inputs, &[]);
        assert!(none.deducted.is_sign_positive() && none.deducted == 0.0);
        assert!((r.score - (want.iter().sum::<f64>() - 10.0)).abs() < 1e-9);
        assert_eq!(r.score, r.best_case);
        assert_eq!(r.out_of, 100.0);
    }

    #[test]
    fn a_suppressed_or_missing_figure_is_open_never_zero() {
        let card = evaluation();
        let why = msg!(
            "scorecard.not_given",
            "not entered for this unit and period"
        );
        let inputs = [
            Input::Suppressed,
            Input::Value {
                value: 75.0,
                interval: Some(Interval { lo: 70.0, hi: 80.0 }),
            },
            value(0.5),
            Input::Missing(why.clone()),
            value(100.0),
        ];
        let r = evaluate(&card, &inputs, &[]);
        assert!(!r.complete);
        assert_eq!(r.indicators[0].standing, Standing::Suppressed);
        assert_eq!(r.indicators[0].earned, None);
        assert_eq!(r.indicators[3].missing, Some(why));
        // 5 for compliance (75 of 60..90), 20 for weak spots, 20 for retention.
        assert_eq!(r.score, 5.0 + 20.0 + 20.0);
        assert_eq!(r.best_case, r.score + 30.0 + 20.0);
        let iv = r.indicators[1].earned_interval.expect("interval");
        assert!((iv.lo - 10.0 / 3.0).abs() < 1e-9 && (iv.hi - 20.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn scorings_earn_their_share() {
        let lower_is_better = Scoring::Linear {
            floor: 10.0,
            target: 2.0,
        };
        assert_eq!(lower_is_better.share(6.0), 0.5);
        assert_eq!(lower_is_better.share(1.0), 1.0);
        assert_eq!(Scoring::AtLeast(0.85).share(0.85), 1.0);
        assert_eq!(Scoring::AtMost(0.1).share(0.11), 0.0);
        let bands = Scoring::Bands(vec![
            BandRule {
                from: 90.0,
                share: 1.0,
            },
            BandRule {
                from: 80.0,
                share: 0.6,
            },
            BandRule {
                from: 0.0,
                share: 0.0,
            },
        ]);
        assert_eq!(bands.share(85.0), 0.6);
        assert_eq!(bands.share(95.0), 1.0);
    }

    #[test]
    fn a_broken_definition_lists_every_problem() {
        let src = r#"
id = "x"
version = "1"
title = { zh-CN = "x", en = "x" }
[[indicators]]
id = "A"
title = { zh-CN = "a", en = "a" }
points = 0
source = { kind = "entered" }
scoring = { linear = { floor = 5, target = 5 } }
[[indicators]]
id = "b"
title = { zh-CN = "b", en = "b" }
points = 1
source = { kind = "weak_spot_improvement", top = 0 }
scoring = { at_least = 1 }
[deductions]
max = 10
[[deductions.kinds]]
id = "b"
title = { zh-CN = "b", en = "b" }
each = { min = 3, max = 1, default = 2 }
"#;
        let keys: Vec<&str> = Scorecard::load(src)
            .expect_err("broken")
            .iter()
            .map(|m| m.key)
            .collect();
        assert_eq!(
            keys,
            [
                "scorecard.item_id",
                "scorecard.id_twice",
                "scorecard.points",
                "scorecard.scoring",
                "scorecard.top",
                "scorecard.each"
            ]
        );
        assert_eq!(
            Scorecard::load("id = 1").expect_err("not toml")[0].key,
            "scorecard.toml"
        );
    }

    #[test]
    fn improvement_is_the_relative_fall_of_the_fail_rate() {
        assert_eq!(improvement((30, 100), (15, 100)), Some(0.5));
        assert_eq!(improvement((30, 100), (36, 100)), Some(-0.2));
        assert_eq!(improvement((0, 100), (5, 100)), None);
        assert_eq!(improvement((5, 100), (0, 0)), None);
    }
}
