//! Construct weights estimated from a questionnaire's own responses by PLS
//! path modelling (methodology S3), and the template that uses them.
//!
//! The model is the satisfaction index's (domain.md, TCSI / ACSI):
//! expectation, perceived quality and perceived value drive satisfaction,
//! which drives complaints and loyalty; nine paths when all six constructs
//! are present, the paths between those present otherwise. Each
//! respondent's answers are read as the index reads them (rescaled, turned
//! round where reverse-coded, counted only where relevant); a respondent
//! counts when they answered at least half of the model's items, and an
//! answer they did not give is replaced by its item's mean, as SmartPLS
//! does by default.
//!
//! The index averages answers on their own scale, so the weights a template
//! takes are the unstandardised ones, as ACSI computes its index: each
//! indicator's PLS weight divided by its standard deviation, then scaled to
//! sum to 1 within the construct.

use serde::Serialize;

use super::survey::{Response, rated};
use crate::answers::relevant_items;
use crate::msg;
use crate::msg::Msg;
use crate::pls::{self, PathModel, PlsError};
use crate::templates::{ConstructRole, Template, WeightSource};

/// The satisfaction model's paths, by role.
pub const PATHS: [(ConstructRole, ConstructRole); 9] = {
    use ConstructRole::*;
    [
        (Expectation, PerceivedQuality),
        (Expectation, PerceivedValue),
        (Expectation, Satisfaction),
        (PerceivedQuality, PerceivedValue),
        (PerceivedQuality, Satisfaction),
        (PerceivedValue, Satisfaction),
        (Satisfaction, Complaints),
        (Satisfaction, Loyalty),
        (Complaints, Loyalty),
    ]
};

/// Fewest answers an item needs to be estimated.
pub const MIN_ANSWERED: usize = 10;

/// Weights estimated for a questionnaire's constructs.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct EstimatedWeights {
    pub constructs: Vec<ConstructWeights>,
    pub paths: Vec<PathCoefficient>,
    /// Respondents used: those who answered at least half the model's items.
    pub respondents: usize,
    /// Rounds the weights took to settle.
    pub iterations: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ConstructWeights {
    pub construct: String,
    pub role: ConstructRole,
    pub items: Vec<ItemWeight>,
    /// Share of its variance its predecessors explain; absent for
    /// expectation, which has none.
    pub r_squared: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ItemWeight {
    pub item: String,
    /// The weight the index uses: unstandardised, summing to 1 in the construct.
    pub weight: f64,
    /// The PLS outer weight of the standardised answer.
    pub outer_weight: f64,
    /// The answer's correlation with its construct's score.
    pub loading: f64,
    /// Respondents who answered it (the others took its mean).
    pub answered: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PathCoefficient {
    pub from: String,
    pub to: String,
    pub coefficient: f64,
}

/// The path model of `template`'s constructs: its blocks (over the items
/// in construct order) and its paths.
fn model(template: &Template) -> Result<(Vec<&str>, PathModel), Msg> {
    let constructs = &template.constructs;
    let of_role = |role: ConstructRole| constructs.iter().position(|c| c.role == role);
    for (i, c) in constructs.iter().enumerate() {
        if of_role(c.role) != Some(i) {
            return Err(msg!(
                "pls.role_twice",
                "two constructs have the role `{role}`; the satisfaction model has one of each",
                role = c.role.as_str()
            ));
        }
    }
    let paths: Vec<(usize, usize)> = PATHS
        .iter()
        .filter_map(|(from, to)| Some((of_role(*from)?, of_role(*to)?)))
        .collect();
    if constructs.len() < 2 {
        return Err(msg!(
            "pls.too_few_constructs",
            "PLS estimates weights for two or more constructs joined by the satisfaction model; `{template}` has {n}",
            template = &template.id,
            n = constructs.len()
        ));
    }
    if let Some(c) = constructs
        .iter()
        .enumerate()
        .find(|(i, _)| !paths.iter().any(|(a, b)| a == i || b == i))
    {
        return Err(msg!(
            "pls.unconnected",
            "construct `{construct}` has no path to the others in the satisfaction model",
            construct = &c.1.id
        ));
    }
    let mut items = Vec::new();
    let blocks = constructs
        .iter()
        .map(|c| {
            c.items
                .iter()
                .map(|(id, _)| {
                    items.push(id.as_str());
                    items.len() - 1
                })
                .collect()
        })
        .collect();
    Ok((items, PathModel { blocks, paths }))
}

/// Estimates the weights of `template`'s constructs from `responses`.
pub fn estimate(template: &Template, responses: &[Response]) -> Result<EstimatedWeights, Msg> {
    let (items, model) = model(template)?;
    let rows: Vec<Vec<Option<f64>>> = responses
        .iter()
        .map(|r| {
            let relevant = relevant_items(template, &r.answers, r.started);
            items
                .iter()
                .map(|id| rated(template, id, &r.answers, &relevant, r.started))
                .collect::<Vec<_>>()
        })
        .filter(|row| 2 * row.iter().flatten().count() >= items.len())
        .collect();
    let answered: Vec<usize> = (0..items.len())
        .map(|j| rows.iter().filter(|r| r[j].is_some()).count())
        .collect();
    if let Some((j, n)) = answered
        .iter()
        .enumerate()
        .find(|(_, n)| **n < MIN_ANSWERED)
    {
        return Err(msg!(
            "pls.item_too_few",
            "item `{item}` was answered by {n} respondents; PLS needs at least {min}",
            item = items[j],
            n = n,
            min = MIN_ANSWERED
        ));
    }
    let means: Vec<f64> = (0..items.len())
        .map(|j| rows.iter().filter_map(|r| r[j]).sum::<f64>() / answered[j] as f64)
        .collect();
    let filled: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().zip(&means).map(|(x, m)| x.unwrap_or(*m)).collect())
        .collect();
    let e = pls::estimate(&filled, &model, pls::Options::default()).map_err(|e| match e {
        PlsError::TooFewRows { n } => msg!(
            "pls.too_few_respondents",
            "{n} respondents answered at least half of the model's {items} items; PLS needs more respondents than items, and at least 10",
            n = n,
            items = items.len()
        ),
        PlsError::Constant { column } => msg!(
            "pls.constant",
            "everyone gave item `{item}` the same answer, so it says nothing about its construct",
            item = items[column]
        ),
        PlsError::Singular { construct } => msg!(
            "pls.collinear",
            "the constructs that drive `{construct}` move together so closely that their paths cannot be told apart",
            construct = &template.constructs[construct].id
        ),
        PlsError::NotConverged { iterations } => msg!(
            "pls.not_converged",
            "the weights did not settle in {iterations} rounds",
            iterations = iterations
        ),
        PlsError::Model(why) => msg!("pls.model", "the path model is not valid: {why}", why = why),
    })?;
    let n = filled.len() as f64;
    let sd: Vec<f64> = (0..items.len())
        .map(|j| {
            let v = filled
                .iter()
                .map(|r| (r[j] - means[j]).powi(2))
                .sum::<f64>()
                / (n - 1.0);
            v.sqrt()
        })
        .collect();
    let constructs = template
        .constructs
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let block = &model.blocks[k];
            let raw: Vec<f64> = block
                .iter()
                .zip(&e.weights[k])
                .map(|(j, w)| w / sd[*j])
                .collect();
            let total: f64 = raw.iter().sum();
            ConstructWeights {
                construct: c.id.clone(),
                role: c.role,
                items: block
                    .iter()
                    .enumerate()
                    .map(|(i, j)| ItemWeight {
                        item: items[*j].to_string(),
                        weight: raw[i] / total,
                        outer_weight: e.weights[k][i],
                        loading: e.loadings[k][i],
                        answered: answered[*j],
                    })
                    .collect(),
                r_squared: e.r_squared[k],
            }
        })
        .collect();
    Ok(EstimatedWeights {
        constructs,
        paths: e
            .paths
            .iter()
            .map(|((from, to), coefficient)| PathCoefficient {
                from: template.constructs[*from].id.clone(),
                to: template.constructs[*to].id.clone(),
                coefficient: *coefficient,
            })
            .collect(),
        respondents: filled.len(),
        iterations: e.iterations,
    })
}

/// `template` with the estimated `weights` for its constructs, from the
/// weight set `set`: the new version to publish. Every problem is listed;
/// a construct whose items changed since the estimate, or an item with a
/// negative weight (answered against the rest of its construct: a
/// reverse-coded item not marked so), is refused.
pub fn with_weights(
    template: &Template,
    set: &str,
    weights: &EstimatedWeights,
) -> Result<Template, Vec<Msg>> {
    let mut file = template.source().clone();
    let mut problems = Vec::new();
    for c in &mut file.constructs {
        let Some(w) = weights.constructs.iter().find(|w| w.construct == c.id) else {
            problems.push(msg!(
                "pls.construct_not_estimated",
                "construct `{construct}` is not in weight set `{set}`",
                construct = &c.id,
                set = set
            ));
            continue;
        };
        if !c.items.iter().eq(w.items.iter().map(|i| &i.item)) {
            problems.push(msg!(
                "pls.items_changed",
                "construct `{construct}` has other items than when weight set `{set}` was estimated",
                construct = &c.id,
                set = set
            ));
            continue;
        }
        for i in w
            .items
            .iter()
            .filter(|i| i.weight.is_nan() || i.weight < 0.0)
        {
            problems.push(msg!(
                "pls.negative_weight",
                "item `{item}` of `{construct}` has a negative weight: its answers run against the construct's other items (is it reverse-coded?)",
                item = &i.item,
                construct = &c.id
            ));
        }
        c.weight_source = Some(WeightSource::Pls.as_str().to_string());
        c.weights = w.items.iter().map(|i| i.weight).collect();
        c.weight_set = Some(set.to_string());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Template::from_file(file).map_err(|e| e.msgs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{AnswerValue, Answers};
    use crate::templates::Format;

    fn intercept_survey() -> Template {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../templates/intercept_survey.toml"
        );
        let src = std::fs::read_to_string(path).expect("template");
        Template::load(&src, Format::Toml).expect("valid")
    }

    /// An even spread in [0, 1): the `i`th point of the Weyl sequence of
    /// the square root of `prime`, a different one for each use.
    fn spread(i: usize, prime: u32) -> f64 {
        (i as f64 * f64::from(prime).sqrt()).fract()
    }

    /// Respondents whose answers follow one latent satisfaction, closely
    /// except for `pq_staff`, which is mostly noise; every
    /// `complain_every`th complained.
    fn responses(n: usize, complain_every: usize) -> Vec<Response> {
        let scale = |x: f64| AnswerValue::Number(x.round().clamp(1.0, 10.0));
        (0..n)
            .map(|i| {
                let latent = 3.0 + 6.0 * spread(i, 2);
                let noisy =
                    |spread_by: f64, prime| scale(latent + spread_by * (spread(i, prime) - 0.5));
                let mut a = Answers::new();
                for (item, prime) in [
                    ("exp_overall", 3),
                    ("exp_reliability", 5),
                    ("pq_overall", 7),
                    ("pq_reliability", 11),
                    ("pv_price_for_quality", 13),
                    ("pv_quality_for_price", 17),
                    ("sat_overall", 19),
                    ("sat_vs_expect", 23),
                    ("sat_vs_ideal", 29),
                    ("loy_stay", 31),
                ] {
                    a.insert(item.into(), noisy(2.0, prime));
                }
                a.insert("nps".into(), AnswerValue::Number((latent + 1.0).round()));
                let complained = i % complain_every == 0;
                a.insert(
                    "complained".into(),
                    AnswerValue::Choice(if complained { "yes" } else { "no" }.into()),
                );
                if complained {
                    a.insert("complaint_handling".into(), noisy(3.0, 37));
                }
                a.insert("pq_staff".into(), noisy(12.0, 41));
                Response::unweighted(a, None)
            })
            .collect()
    }

    fn item<'a>(w: &'a EstimatedWeights, id: &str) -> &'a ItemWeight {
        w.constructs
            .iter()
            .flat_map(|c| &c.items)
            .find(|i| i.item == id)
            .expect("item")
    }

    #[test]
    fn the_six_constructs_of_the_questionnaire_are_joined_by_the_nine_paths() {
        let t = intercept_survey();
        let (items, m) = model(&t).expect("model");
        assert_eq!(m.paths.len(), 9);
        assert_eq!(m.blocks.len(), 6);
        assert_eq!(items.len(), 13);
        // satisfaction (3) drives loyalty (5), complaints (4) loyalty too.
        assert!(m.paths.contains(&(3, 5)) && m.paths.contains(&(4, 5)));
    }

    #[test]
    fn an_item_that_measures_poorly_weighs_least_and_the_weights_sum_to_one() {
        let t = intercept_survey();
        let w = estimate(&t, &responses(300, 3)).expect("estimate");
        assert_eq!(w.respondents, 300);
        assert_eq!(w.paths.len(), 9);
        for c in &w.constructs {
            let sum: f64 = c.items.iter().map(|i| i.weight).sum();
            assert!((sum - 1.0).abs() < 1e-9, "{c:?}");
        }
        let staff = item(&w, "pq_staff");
        assert!(staff.weight > 0.0 && staff.loading < 0.7, "{w:#?}");
        for other in ["pq_overall", "pq_reliability"] {
            assert!(item(&w, other).weight > 2.0 * staff.weight, "{w:#?}");
            assert!(item(&w, other).loading > 0.8, "{w:#?}");
        }
        // Only a third complained: the rest took the item's mean.
        assert_eq!(item(&w, "complaint_handling").answered, 100);
        let sat = w.constructs.iter().find(|c| c.construct == "satisfaction");
        assert!(
            sat.and_then(|c| c.r_squared).is_some_and(|r2| r2 > 0.5),
            "{sat:?}"
        );
    }

    #[test]
    fn the_template_with_the_weights_names_the_set_and_is_a_new_version() {
        let t = intercept_survey();
        let w = estimate(&t, &responses(120, 3)).expect("estimate");
        let weighted = with_weights(&t, "pls-2026-12", &w).expect("valid");
        assert_ne!(weighted.version, t.version);
        let pq = weighted
            .constructs
            .iter()
            .find(|c| c.id == "perceived_quality")
            .expect("construct");
        assert_eq!(pq.weight_source, WeightSource::Pls);
        assert_eq!(pq.weight_set.as_deref(), Some("pls-2026-12"));
        let staff = pq
            .items
            .iter()
            .find(|(id, _)| id == "pq_staff")
            .expect("item");
        assert!((staff.1 - item(&w, "pq_staff").weight).abs() < 1e-9);

        // A negative weight, or a construct whose items changed, is refused.
        let mut bad = w.clone();
        bad.constructs[1].items[2].weight = -0.1;
        bad.constructs[2].items.pop();
        let problems = with_weights(&t, "pls-bad", &bad).expect_err("refused");
        let keys: Vec<&str> = problems.iter().map(|m| m.key).collect();
        assert_eq!(keys, ["pls.negative_weight", "pls.items_changed"]);
    }

    #[test]
    fn too_few_answers_are_named_by_item() {
        let t = intercept_survey();
        let mut few = responses(60, 3);
        // Nobody complained.
        few.iter_mut().for_each(|r| {
            r.answers.remove("complaint_handling");
            r.answers
                .insert("complained".into(), AnswerValue::Choice("no".into()));
        });
        let e = estimate(&t, &few).expect_err("refused");
        assert_eq!(e.key, "pls.item_too_few");
        assert!(e.text.contains("complaint_handling"), "{e}");
        let e = estimate(&t, &responses(12, 3)).expect_err("refused");
        assert_eq!(e.key, "pls.item_too_few");
        // Thirteen items need more than thirteen respondents.
        let e = estimate(&t, &responses(12, 1)).expect_err("refused");
        assert_eq!(e.key, "pls.too_few_respondents", "{e}");
    }
}
