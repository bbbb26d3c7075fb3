//! Survey analysis: satisfaction indices (S3), SERVQUAL gaps (S4),
//! importance-performance quadrants (S5), NPS and CSAT (S6).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Band, RULE_SET, outcome};
use crate::answers::{AnswerValue, Answers, Relevant, Started, check_complete, relevant_items};
use crate::stats::{FlagRules, Flags, Interval, MeanEstimate, Z95, weighted_mean, wilson};
use crate::templates::{
    Attribute, Construct, ConstructRole, Dimension, Template, TemplateRef, WeightSource,
};

/// One respondent's answers with a post-stratification weight (1 if none).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub answers: Answers,
    pub weight: f64,
    /// When the respondent's record was started: what `today()` and
    /// `now()` read in its relevance and calculations.
    pub started: Started,
}

impl Response {
    pub fn unweighted(answers: Answers, started: Started) -> Self {
        Response {
            answers,
            weight: 1.0,
            started,
        }
    }
}

/// The rescaled (0..100) answer to a rating item, if it counts.
pub(crate) fn rated(
    template: &Template,
    id: &str,
    answers: &Answers,
    relevant: &Relevant,
    started: Started,
) -> Option<f64> {
    if !relevant.contains(id) {
        return None;
    }
    let item = template.item(id)?;
    outcome(template, item, answers.get(id)?, answers, started).map(|f| 100.0 * f)
}

/// The numeric answer to a rating item on its own scale, if it counts:
/// brought within the scale, and turned round if the item is reverse-coded
/// (S1), so that a higher answer always means better.
fn raw(template: &Template, id: &str, answers: &Answers, relevant: &Relevant) -> Option<f64> {
    let (true, Some(AnswerValue::Number(x))) = (relevant.contains(id), answers.get(id)) else {
        return None;
    };
    let item = template.item(id);
    match item.and_then(|i| i.answer.scale_range()) {
        Some((lo, hi)) => {
            let x = x.clamp(lo, hi);
            Some(if item.is_some_and(|i| i.reverse) {
                lo + hi - x
            } else {
                x
            })
        }
        None => Some(*x),
    }
}

/// S3: one respondent's construct score, weights renormalised over the items answered.
pub fn construct_score(
    template: &Template,
    construct: &Construct,
    answers: &Answers,
    started: Started,
) -> Option<f64> {
    let relevant = relevant_items(template, answers, started);
    construct_score_in(template, construct, answers, &relevant, started)
}

fn construct_score_in(
    template: &Template,
    c: &Construct,
    answers: &Answers,
    relevant: &Relevant,
    started: Started,
) -> Option<f64> {
    let (sum, sw) = c
        .items
        .iter()
        .filter_map(|(id, w)| rated(template, id, answers, relevant, started).map(|r| (w * r, *w)))
        .fold((0.0, 0.0), |(s, sw), (x, w)| (s + x, sw + w));
    (sw > 0.0).then(|| sum / sw)
}

/// A satisfaction (or other construct) index over many respondents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexResult {
    pub construct: String,
    pub role: ConstructRole,
    /// The index, or `None` when the sample is too small to show (see `flags`).
    pub value: Option<f64>,
    pub band: Option<Band>,
    pub estimate: MeanEstimate,
    pub flags: Flags,
    pub weight_source: WeightSource,
    pub weight_set: Option<String>,
    pub template: TemplateRef,
    pub rule_set: &'static str,
}

/// S3: the index of construct `construct_id` over `responses`.
pub fn satisfaction_index(
    template: &Template,
    construct_id: &str,
    responses: &[Response],
    rules: &FlagRules,
) -> Option<IndexResult> {
    let c = template.constructs.iter().find(|c| c.id == construct_id)?;
    let data: Vec<(f64, f64)> = responses
        .iter()
        .filter_map(|r| construct_score(template, c, &r.answers, r.started).map(|s| (s, r.weight)))
        .collect();
    let estimate = weighted_mean(&data)?;
    let flags = rules.flags(estimate.n_eff, None);
    let value = (!flags.suppressed).then_some(estimate.mean);
    Some(IndexResult {
        construct: c.id.clone(),
        role: c.role,
        value,
        band: value.map(Band::of),
        estimate,
        flags,
        weight_source: c.weight_source,
        weight_set: c.weight_set.clone(),
        template: template.reference(),
        rule_set: RULE_SET,
    })
}

/// S4: gap figures for one quality attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeGap {
    pub attribute: Attribute,
    pub dimension: Dimension,
    /// Mean perception (SERVPERF), raw scale.
    pub perception: f64,
    pub expectation: f64,
    /// Mean of P - E per respondent.
    pub gap: f64,
    pub n: usize,
    /// Expectation above perception: needs improvement.
    pub needs_improvement: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionGap {
    pub dimension: Dimension,
    pub gap: f64,
    pub perception: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapReport {
    pub attributes: Vec<AttributeGap>,
    pub dimensions: Vec<DimensionGap>,
    /// Mean of the dimension gaps.
    pub overall: Option<f64>,
    /// Mean over respondents of sum((points/100) x their dimension gap),
    /// when the template has an importance split.
    pub weighted_overall: Option<f64>,
    /// Mean of the dimension perceptions (SERVPERF).
    pub servperf: Option<f64>,
    pub template: TemplateRef,
    pub rule_set: &'static str,
}

fn mean_of(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// S4: SERVQUAL gap analysis (and SERVPERF) over `responses`.
pub fn gap_analysis(template: &Template, responses: &[Response]) -> GapReport {
    let relevant: Vec<Relevant> = responses
        .iter()
        .map(|r| relevant_items(template, &r.answers, r.started))
        .collect();
    let mut attributes = Vec::new();
    for pair in &template.gaps {
        let (mut ps, mut es, mut gs) = (Vec::new(), Vec::new(), Vec::new());
        for (r, rel) in responses.iter().zip(&relevant) {
            if let (Some(p), Some(e)) = (
                raw(template, &pair.perception, &r.answers, rel),
                raw(template, &pair.expectation, &r.answers, rel),
            ) {
                ps.push(p);
                es.push(e);
                gs.push(p - e);
            }
        }
        if let (Some(p), Some(e), Some(g)) = (mean_of(&ps), mean_of(&es), mean_of(&gs)) {
            attributes.push(AttributeGap {
                attribute: pair.attribute,
                dimension: pair.dimension,
                perception: p,
                expectation: e,
                gap: g,
                n: gs.len(),
                needs_improvement: g < 0.0,
            });
        }
    }
    let mut by_dim: BTreeMap<Dimension, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for a in &attributes {
        let e = by_dim.entry(a.dimension).or_default();
        e.0.push(a.gap);
        e.1.push(a.perception);
    }
    let dimensions: Vec<DimensionGap> = by_dim
        .into_iter()
        .filter_map(|(dimension, (g, p))| {
            Some(DimensionGap {
                dimension,
                gap: mean_of(&g)?,
                perception: mean_of(&p)?,
            })
        })
        .collect();
    let overall = mean_of(&dimensions.iter().map(|d| d.gap).collect::<Vec<_>>());
    let servperf = mean_of(&dimensions.iter().map(|d| d.perception).collect::<Vec<_>>());
    GapReport {
        weighted_overall: weighted_gap(template, responses, &relevant),
        attributes,
        dimensions,
        overall,
        servperf,
        template: template.reference(),
        rule_set: RULE_SET,
    }
}

/// Each respondent's dimension gaps weighted by their own 100-point split.
fn weighted_gap(template: &Template, responses: &[Response], relevant: &[Relevant]) -> Option<f64> {
    let split = &template.analysis.importance_split;
    if split.is_empty() {
        return None;
    }
    let per_respondent: Vec<f64> = responses
        .iter()
        .zip(relevant)
        .filter_map(|(r, rel)| {
            let mut total = 0.0;
            for (dim, item) in split {
                let points = raw(template, item, &r.answers, rel)?;
                let gaps: Vec<f64> = template
                    .gaps
                    .iter()
                    .filter(|g| g.dimension.as_str() == dim)
                    .filter_map(|g| {
                        Some(
                            raw(template, &g.perception, &r.answers, rel)?
                                - raw(template, &g.expectation, &r.answers, rel)?,
                        )
                    })
                    .collect();
                total += points / 100.0 * mean_of(&gaps)?;
            }
            Some(total)
        })
        .collect();
    mean_of(&per_respondent)
}

/// Where attribute importance comes from (S5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportanceSource {
    /// Mean of each attribute's importance question, rescaled to 0..100.
    Stated,
    /// Correlation of the attribute's perception with overall satisfaction.
    #[default]
    Derived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// High importance, low performance: 重点整改.
    FixFirst,
    /// Near a crosshair: 重视.
    PayAttention,
    KeepUp,
    /// Low importance, low performance: 关注.
    Watch,
    PossibleOverkill,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpaConfig {
    pub importance: ImportanceSource,
    /// (importance, performance) crosshairs; grand means when `None`.
    pub crosshair: Option<(f64, f64)>,
    /// Half-width of the "pay attention" band around each crosshair, as a
    /// fraction of the observed range on that axis.
    pub band: f64,
}

impl Default for IpaConfig {
    fn default() -> Self {
        IpaConfig {
            importance: ImportanceSource::Derived,
            crosshair: None,
            band: 0.05,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpaPoint {
    pub attribute: Attribute,
    pub importance: f64,
    /// Mean rescaled perception, 0..100.
    pub performance: f64,
    pub quadrant: Quadrant,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpaResult {
    pub importance_source: ImportanceSource,
    pub crosshair: (f64, f64),
    pub points: Vec<IpaPoint>,
    pub template: TemplateRef,
    pub rule_set: &'static str,
}

fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    if pairs.len() < 3 {
        return None;
    }
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// S5: importance-performance analysis of the template's gap attributes.
pub fn importance_performance(
    template: &Template,
    responses: &[Response],
    config: &IpaConfig,
) -> Option<IpaResult> {
    let relevant: Vec<Relevant> = responses
        .iter()
        .map(|r| relevant_items(template, &r.answers, r.started))
        .collect();
    let overall_item = template.analysis.overall.as_deref();
    let mut raw_points = Vec::new();
    for pair in &template.gaps {
        let perf: Vec<f64> = responses
            .iter()
            .zip(&relevant)
            .filter_map(|(r, rel)| rated(template, &pair.perception, &r.answers, rel, r.started))
            .collect();
        let Some(performance) = mean_of(&perf) else {
            continue;
        };
        let importance = match config.importance {
            ImportanceSource::Stated => {
                let imp_item = pair.importance.as_deref()?;
                let imp: Vec<f64> = responses
                    .iter()
                    .zip(&relevant)
                    .filter_map(|(r, rel)| rated(template, imp_item, &r.answers, rel, r.started))
                    .collect();
                mean_of(&imp)
            }
            ImportanceSource::Derived => {
                let overall = overall_item?;
                let pairs: Vec<(f64, f64)> = responses
                    .iter()
                    .zip(&relevant)
                    .filter_map(|(r, rel)| {
                        Some((
                            rated(template, &pair.perception, &r.answers, rel, r.started)?,
                            rated(template, overall, &r.answers, rel, r.started)?,
                        ))
                    })
                    .collect();
                pearson(&pairs)
            }
        };
        if let Some(importance) = importance {
            raw_points.push((pair.attribute, importance, performance));
        }
    }
    if raw_points.is_empty() {
        return None;
    }
    let n = raw_points.len() as f64;
    let crosshair = config.crosshair.unwrap_or((
        raw_points.iter().map(|p| p.1).sum::<f64>() / n,
        raw_points.iter().map(|p| p.2).sum::<f64>() / n,
    ));
    let span = |f: fn(&(Attribute, f64, f64)) -> f64| {
        let (lo, hi) = raw_points
            .iter()
            .map(f)
            .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
        (hi - lo) * config.band
    };
    let (band_i, band_p) = (span(|p| p.1), span(|p| p.2));
    let points = raw_points
        .into_iter()
        .map(|(attribute, importance, performance)| {
            let near = (importance - crosshair.0).abs() <= band_i
                || (performance - crosshair.1).abs() <= band_p;
            let quadrant = match (importance >= crosshair.0, performance >= crosshair.1) {
                _ if near => Quadrant::PayAttention,
                (true, false) => Quadrant::FixFirst,
                (true, true) => Quadrant::KeepUp,
                (false, false) => Quadrant::Watch,
                (false, true) => Quadrant::PossibleOverkill,
            };
            IpaPoint {
                attribute,
                importance,
                performance,
                quadrant,
            }
        })
        .collect();
    Some(IpaResult {
        importance_source: config.importance,
        crosshair,
        points,
        template: template.reference(),
        rule_set: RULE_SET,
    })
}

/// S6: Net Promoter Score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Nps {
    pub nps: f64,
    pub promoters: f64,
    pub detractors: f64,
    pub n: usize,
    /// Standard error, in NPS points.
    pub se: f64,
    /// 95% interval.
    pub interval: Interval,
}

/// NPS from 0-10 answers: promoters 9-10, detractors 0-6.
pub fn nps(values: &[f64]) -> Option<Nps> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let p = values.iter().filter(|v| **v >= 9.0).count() as f64 / n;
    let d = values.iter().filter(|v| **v <= 6.0).count() as f64 / n;
    let nps = 100.0 * (p - d);
    let se = 100.0 * ((p + d - (p - d).powi(2)) / n).sqrt();
    Some(Nps {
        nps,
        promoters: p,
        detractors: d,
        n: values.len(),
        se,
        // NPS lies in [-100, 100]; so does its interval.
        interval: Interval {
            lo: (nps - Z95 * se).max(-100.0),
            hi: (nps + Z95 * se).min(100.0),
        },
    })
}

/// S6: CSAT, the share answering 4 or 5 on a five-point scale, with its Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Csat {
    pub share: f64,
    pub n: usize,
    pub interval: Interval,
}

pub fn csat(values: &[f64]) -> Option<Csat> {
    let n = values.len() as u64;
    let hits = values.iter().filter(|v| **v >= 4.0).count() as u64;
    Some(Csat {
        share: hits as f64 / n as f64,
        n: values.len(),
        interval: wilson(hits, n, Z95)?,
    })
}

/// One respondent's figures, as printed by `fieldcheck-server score`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseScore {
    pub template: TemplateRef,
    pub rule_set: &'static str,
    pub complete: bool,
    pub missing_required: Vec<String>,
    pub constructs: Vec<ConstructScore>,
    pub gaps: Vec<RespondentGap>,
    pub recommend: Option<f64>,
    /// `promoter`, `passive` or `detractor`.
    pub nps_category: Option<&'static str>,
    pub csat_satisfied: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstructScore {
    pub id: String,
    pub role: ConstructRole,
    pub score: Option<f64>,
    pub band: Option<Band>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RespondentGap {
    pub attribute: Attribute,
    pub expectation: f64,
    pub perception: f64,
    pub gap: f64,
}

/// Scores one questionnaire response.
pub fn score_response(template: &Template, answers: &Answers, started: Started) -> ResponseScore {
    let relevant = relevant_items(template, answers, started);
    let problems = check_complete(template, answers, started);
    let constructs = template
        .constructs
        .iter()
        .map(|c| {
            let score = construct_score_in(template, c, answers, &relevant, started);
            ConstructScore {
                id: c.id.clone(),
                role: c.role,
                score,
                band: score.map(Band::of),
            }
        })
        .collect();
    let gaps = template
        .gaps
        .iter()
        .filter_map(|g| {
            let (p, e) = (
                raw(template, &g.perception, answers, &relevant)?,
                raw(template, &g.expectation, answers, &relevant)?,
            );
            Some(RespondentGap {
                attribute: g.attribute,
                expectation: e,
                perception: p,
                gap: p - e,
            })
        })
        .collect();
    let recommend = template
        .analysis
        .recommend
        .as_deref()
        .and_then(|id| raw(template, id, answers, &relevant));
    ResponseScore {
        template: template.reference(),
        rule_set: RULE_SET,
        complete: problems.is_empty(),
        missing_required: problems
            .iter()
            .filter(|p| matches!(p, crate::answers::AnswerProblem::Missing { .. }))
            .map(|p| p.item().to_string())
            .collect(),
        constructs,
        gaps,
        nps_category: recommend.map(|r| match r {
            r if r >= 9.0 => "promoter",
            r if r >= 7.0 => "passive",
            _ => "detractor",
        }),
        recommend,
        csat_satisfied: template
            .analysis
            .csat
            .as_deref()
            .and_then(|id| raw(template, id, answers, &relevant))
            .map(|v| v >= 4.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::Format;
    use crate::test_support::QUESTIONNAIRE;

    fn survey(weights: &str) -> Template {
        let src = format!(
            r#"{QUESTIONNAIRE}
[[sections]]
id = "main"
title = {{ zh-CN = "主", en = "Main" }}
items = [
  {{ id = "q1", type = "scale", min = 1, max = 10, label = {{ zh-CN = "1", en = "1" }} }},
  {{ id = "q2", type = "scale", min = 1, max = 10, label = {{ zh-CN = "2", en = "2" }} }},
  {{ id = "q3", type = "scale", min = 1, max = 10, label = {{ zh-CN = "3", en = "3" }} }},
  {{ id = "e_app", type = "scale", min = 1, max = 7, label = {{ zh-CN = "期望", en = "E" }} }},
  {{ id = "p_app", type = "scale", min = 1, max = 7, label = {{ zh-CN = "感知", en = "P" }} }},
  {{ id = "e_trust", type = "scale", min = 1, max = 7, label = {{ zh-CN = "期望", en = "E" }} }},
  {{ id = "p_trust", type = "scale", min = 1, max = 7, label = {{ zh-CN = "感知", en = "P" }} }},
  {{ id = "w_tan", type = "number", label = {{ zh-CN = "权", en = "W" }} }},
  {{ id = "w_ass", type = "number", label = {{ zh-CN = "权", en = "W" }} }},
  {{ id = "nps", type = "recommend", label = {{ zh-CN = "推荐", en = "Recommend" }} }},
]

[[constructs]]
id = "csi"
role = "satisfaction"
label = {{ zh-CN = "满意度", en = "Satisfaction" }}
items = ["q1", "q2", "q3"]
{weights}

[[gaps]]
attribute = "appearance"
dimension = "tangibles"
expectation = "e_app"
perception = "p_app"

[[gaps]]
attribute = "trust"
dimension = "assurance"
expectation = "e_trust"
perception = "p_trust"

[analysis]
overall = "q1"
recommend = "nps"
importance_split = {{ tangibles = "w_tan", assurance = "w_ass" }}
"#
        );
        Template::load(&src, Format::Toml).expect("valid")
    }

    fn answers(pairs: &[(&str, f64)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), AnswerValue::Number(*v)))
            .collect()
    }

    /// Respondents whose item means are 8.1, 7.6 and 7.3, as in S3.
    fn s3_respondents() -> Vec<Response> {
        let q1 = [9.0, 8.0, 8.0, 8.0, 7.5, 8.0, 8.0, 8.5, 8.0, 8.0];
        let q2 = [8.0, 7.0, 7.6, 7.6, 8.0, 7.2, 7.6, 7.6, 7.6, 7.8];
        let q3 = [7.0, 7.6, 7.3, 7.3, 7.3, 7.3, 7.3, 7.3, 7.3, 7.3];
        (0..10)
            .map(|i| {
                Response::unweighted(
                    answers(&[("q1", q1[i]), ("q2", q2[i]), ("q3", q3[i])]),
                    None,
                )
            })
            .collect()
    }

    #[test]
    fn the_s3_worked_example_gives_74_52_with_fixed_weights_and_74_07_with_equal() {
        let rules = FlagRules {
            suppress_below: 0.0,
            ..FlagRules::default()
        };
        let fixed = survey(
            "weight_source = \"fixed\"\nweights = [0.3885, 0.3190, 0.2925]\nweight_set = \"calib-2011\"",
        );
        let r = satisfaction_index(&fixed, "csi", &s3_respondents(), &rules).expect("index");
        assert!(
            (r.estimate.mean - 74.52).abs() < 0.005,
            "{}",
            r.estimate.mean
        );
        assert_eq!(r.weight_source, WeightSource::Fixed);
        assert_eq!(r.weight_set.as_deref(), Some("calib-2011"));
        assert_eq!(r.band, Some(Band::FairlySatisfied));
        let equal = survey("");
        let r = satisfaction_index(&equal, "csi", &s3_respondents(), &rules).expect("index");
        assert!(
            (r.estimate.mean - 74.07).abs() < 0.005,
            "{}",
            r.estimate.mean
        );
    }

    #[test]
    fn small_samples_are_suppressed_not_shown() {
        let r = satisfaction_index(&survey(""), "csi", &s3_respondents(), &FlagRules::default())
            .expect("index");
        assert!(r.flags.suppressed && r.value.is_none() && r.band.is_none());
    }

    #[test]
    fn skipped_items_renormalise_the_weights() {
        let t =
            survey("weight_source = \"fixed\"\nweights = [0.5, 0.25, 0.25]\nweight_set = \"w\"");
        let c = &t.constructs[0];
        // Only q1 (10 -> 100) and q2 (1 -> 0): (0.5*100 + 0.25*0) / 0.75.
        let s =
            construct_score(&t, c, &answers(&[("q1", 10.0), ("q2", 1.0)]), None).expect("score");
        assert!((s - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(construct_score(&t, c, &Answers::new(), None), None);
    }

    #[test]
    fn gaps_are_perception_minus_expectation_and_negative_ones_are_flagged() {
        let t = survey("");
        let rs = vec![
            Response::unweighted(
                answers(&[
                    ("e_app", 6.0),
                    ("p_app", 5.0),
                    ("e_trust", 5.0),
                    ("p_trust", 6.0),
                    ("w_tan", 30.0),
                    ("w_ass", 70.0),
                ]),
                None,
            ),
            Response::unweighted(
                answers(&[
                    ("e_app", 7.0),
                    ("p_app", 4.0),
                    ("e_trust", 6.0),
                    ("p_trust", 6.0),
                    ("w_tan", 50.0),
                    ("w_ass", 50.0),
                ]),
                None,
            ),
        ];
        let g = gap_analysis(&t, &rs);
        assert_eq!(g.attributes[0].gap, -2.0);
        assert!(g.attributes[0].needs_improvement);
        assert_eq!(g.attributes[1].gap, 0.5);
        assert!(!g.attributes[1].needs_improvement);
        assert_eq!(g.overall, Some(-0.75));
        // (0.3*-1 + 0.7*1) and (0.5*-3 + 0.5*0), averaged.
        let w = g.weighted_overall.expect("weighted");
        assert!((w - (0.4 + -1.5) / 2.0).abs() < 1e-12, "{w}");
        assert_eq!(g.servperf, Some(5.25));
    }

    #[test]
    fn nps_matches_the_known_answer() {
        let mut v = vec![10.0; 80];
        v.extend([8.0; 80]);
        v.extend([3.0; 40]);
        let n = nps(&v).expect("nps");
        assert!((n.nps - 20.0).abs() < 1e-9);
        assert!(((n.interval.hi - n.nps) - 10.4).abs() < 0.05, "{n:?}");
        assert_eq!(nps(&[]), None);
    }

    #[test]
    fn an_nps_interval_stays_within_plus_and_minus_100() {
        let mut v = vec![10.0; 9];
        v.push(8.0);
        let n = nps(&v).expect("nps");
        assert!((n.nps - 90.0).abs() < 1e-9);
        assert!(
            n.nps + Z95 * n.se > 100.0,
            "the unclamped interval would pass 100"
        );
        assert_eq!(n.interval.hi, 100.0);
        let n = nps(&[0.0; 10].iter().copied().chain([9.0]).collect::<Vec<_>>()).expect("nps");
        assert!(n.interval.lo >= -100.0, "{n:?}");
    }

    #[test]
    fn a_reverse_coded_item_is_turned_round_before_its_gap() {
        let mut t = survey("");
        for s in &mut t.sections {
            for i in &mut s.items {
                if i.id == "p_app" {
                    i.reverse = true;
                }
            }
        }
        // On 1..7, a reverse-coded perception of 2 is a 6: a gap of +1 over
        // an expectation of 5, not -3.
        let rs = vec![Response::unweighted(
            answers(&[("e_app", 5.0), ("p_app", 2.0)]),
            None,
        )];
        let g = gap_analysis(&t, &rs);
        assert_eq!(g.attributes[0].perception, 6.0);
        assert_eq!(g.attributes[0].gap, 1.0);
        assert!(!g.attributes[0].needs_improvement);
        let one = score_response(&t, &answers(&[("e_app", 5.0), ("p_app", 2.0)]), None);
        assert_eq!(one.gaps[0].gap, 1.0);
    }

    #[test]
    fn answers_outside_their_scale_count_as_its_ends() {
        let t = survey("");
        let c = &t.constructs[0];
        // 12 on a 1..10 scale is a 10 (100), and -3 a 1 (0).
        let s =
            construct_score(&t, c, &answers(&[("q1", 12.0), ("q2", -3.0)]), None).expect("score");
        assert!((s - 50.0).abs() < 1e-9, "{s}");
        let rs = vec![Response::unweighted(
            answers(&[("e_app", 5.0), ("p_app", 9.0)]),
            None,
        )];
        assert_eq!(gap_analysis(&t, &rs).attributes[0].perception, 7.0);
        // NPS answers are held to 0..10 too.
        let one = score_response(&t, &answers(&[("nps", 11.0)]), None);
        assert_eq!(one.recommend, Some(10.0));
    }

    #[test]
    fn csat_counts_fours_and_fives() {
        let c = csat(&[5.0, 4.0, 3.0, 2.0]).expect("csat");
        assert_eq!(c.share, 0.5);
        assert!(c.interval.lo < 0.5 && c.interval.hi > 0.5);
    }

    #[test]
    fn ipa_puts_important_weak_attributes_in_fix_first() {
        let t = survey("");
        // Appearance tracks overall satisfaction (important) and performs badly;
        // trust does not track it and performs well.
        let rows = [
            (2.0, 2.0, 7.0),
            (4.0, 3.0, 6.0),
            (6.0, 4.0, 7.0),
            (8.0, 5.0, 6.0),
            (10.0, 6.0, 7.0),
        ];
        let rs: Vec<_> = rows
            .iter()
            .map(|(q1, app, trust)| {
                Response::unweighted(
                    answers(&[("q1", *q1), ("p_app", *app), ("p_trust", *trust)]),
                    None,
                )
            })
            .collect();
        let r = importance_performance(
            &t,
            &rs,
            &IpaConfig {
                band: 0.0,
                ..IpaConfig::default()
            },
        )
        .expect("ipa");
        assert_eq!(r.points[0].quadrant, Quadrant::FixFirst, "{r:?}");
        assert_eq!(r.points[1].quadrant, Quadrant::PossibleOverkill, "{r:?}");
        let wide = importance_performance(
            &t,
            &rs,
            &IpaConfig {
                band: 0.6,
                ..IpaConfig::default()
            },
        )
        .expect("ipa");
        assert!(
            wide.points
                .iter()
                .all(|p| p.quadrant == Quadrant::PayAttention)
        );
    }
}
