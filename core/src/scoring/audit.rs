//! Checklist visit scores (S2): sections with weights, N/A, partial credit,
//! measured items with pass rules, critical knock-outs, bonus points and pass.

use serde::Serialize;

use super::{RULE_SET, outcome};
use std::borrow::Cow;

use crate::answers::{Answers, Started, check_complete, entry_view, evaluate_all};
use crate::templates::{Knockout, Template, TemplateRef, entry_key};

/// A visit's score breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitScore {
    pub template: TemplateRef,
    pub rule_set: &'static str,
    /// 0..100; `None` when every section is N/A.
    pub score: Option<f64>,
    pub passed: bool,
    pub pass_threshold: f64,
    /// Every relevant required item is answered and every answer is valid.
    pub complete: bool,
    pub sections: Vec<SectionScore>,
    pub knockouts: Vec<KnockoutFired>,
    /// Scored items whose outcome fell below their `fail_below`.
    pub failed_items: Vec<String>,
    pub missing_required: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionScore {
    pub id: String,
    pub weight: f64,
    /// Sum of outcome x points over answered, non-N/A, non-bonus items.
    pub earned: f64,
    /// Sum of points over the same items.
    pub possible: f64,
    pub bonus: f64,
    /// 0..100; `None` when all its items are N/A (or it is skipped).
    pub score: Option<f64>,
    pub zeroed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnockoutFired {
    pub item: String,
    pub section: String,
    pub rule: Knockout,
}

/// What the scored items of one section, or of one entry of a repeated
/// section, add up to.
#[derive(Default)]
struct Tally {
    earned: f64,
    possible: f64,
    bonus: f64,
    zeroed: bool,
}

impl Tally {
    fn score(&self) -> Option<f64> {
        (self.possible > 0.0).then(|| {
            if self.zeroed {
                0.0
            } else {
                (100.0 * (self.earned + self.bonus) / self.possible).min(100.0)
            }
        })
    }
}

/// Scores a checklist visit from its answers.
///
/// A repeated section scores each entry as a section of its own, and
/// scores the mean of its entries' scores (each entry counts the same;
/// one all N/A does not count). A failed critical item zeroes its entry
/// (`zero_section`) or acts on the visit. Failed items are named by their
/// answer keys (`item@entry`).
pub fn score_visit(template: &Template, raw: &Answers, started: Started) -> VisitScore {
    // Pass rules may read calculated values: they sit beside the answers
    // (and an answer a client wrote to a calculate item is not read).
    let evaluated = evaluate_all(template, raw, started);
    let all = evaluated.beside(template, raw);
    let (relevant, answers) = (&evaluated.relevant, &all);
    let mut sections = Vec::new();
    let mut knockouts = Vec::new();
    let mut failed_items = Vec::new();

    for section in &template.sections {
        let mut tally_entry = |entry: Option<&str>, read: &Answers| {
            let mut t = Tally::default();
            for item in &section.items {
                let key = match entry {
                    Some(e) => Cow::Owned(entry_key(&item.id, e)),
                    None => Cow::Borrowed(item.id.as_str()),
                };
                let (Some(scoring), true) = (&item.scoring, relevant.contains(&*key)) else {
                    continue;
                };
                let Some(value) = answers.get(&*key) else {
                    continue;
                };
                let Some(f) = outcome(template, item, value, read, started) else {
                    continue;
                };
                if scoring.bonus {
                    t.bonus += f * scoring.points;
                } else {
                    t.earned += f * scoring.points;
                    t.possible += scoring.points;
                }
                if f < scoring.fail_below {
                    failed_items.push(key.to_string());
                    if let Some(rule) = scoring.critical {
                        t.zeroed |= rule == Knockout::ZeroSection;
                        knockouts.push(KnockoutFired {
                            item: key.to_string(),
                            section: section.id.clone(),
                            rule,
                        });
                    }
                }
            }
            t
        };
        let (t, score) = match &section.repeat {
            None => {
                let t = tally_entry(None, answers);
                let score = t.score();
                (t, score)
            }
            Some(_) => {
                let mut sum = Tally {
                    zeroed: true,
                    ..Tally::default()
                };
                let scores: Vec<f64> = evaluated
                    .entries_of(&section.id)
                    .iter()
                    .filter_map(|e| {
                        let t = tally_entry(Some(e), &entry_view(answers, e));
                        sum.earned += t.earned;
                        sum.possible += t.possible;
                        sum.bonus += t.bonus;
                        // Zeroed only when every entry scored is.
                        if t.score().is_some() {
                            sum.zeroed &= t.zeroed;
                        }
                        t.score()
                    })
                    .collect();
                sum.zeroed &= !scores.is_empty();
                let mean =
                    (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
                (sum, mean)
            }
        };
        sections.push(SectionScore {
            id: section.id.clone(),
            weight: section.weight,
            earned: t.earned,
            possible: t.possible,
            bonus: t.bonus,
            score,
            zeroed: t.zeroed,
        });
    }

    let (num, den) = sections
        .iter()
        .filter_map(|s| s.score.map(|x| (s.weight * x, s.weight)))
        .fold((0.0, 0.0), |(n, d), (x, w)| (n + x, d + w));
    let mut score = (den > 0.0).then(|| num / den);
    for k in &knockouts {
        score = score.map(|s| match k.rule {
            Knockout::ZeroVisit => 0.0,
            Knockout::CapVisit(cap) => s.min(cap),
            Knockout::ZeroSection => s,
        });
    }
    let score = score.map(|s| s.clamp(0.0, 100.0));

    // What was answered, not the calculated values beside it.
    let problems = check_complete(template, raw, started);
    let missing_required: Vec<String> = problems
        .iter()
        .filter(|p| matches!(p, crate::answers::AnswerProblem::Missing { .. }))
        .map(|p| p.item().to_string())
        .collect();
    let complete = problems.is_empty();
    let visit_knockout = knockouts.iter().any(|k| k.rule.is_visit_level());
    VisitScore {
        template: template.reference(),
        rule_set: RULE_SET,
        passed: complete && !visit_knockout && score.is_some_and(|s| s >= template.pass_threshold),
        score,
        pass_threshold: template.pass_threshold,
        complete,
        sections,
        knockouts,
        failed_items,
        missing_required,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::answers::AnswerValue;
    use crate::templates::worked_example;

    fn answers(pairs: &[(&str, AnswerValue)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    use AnswerValue::{Fail, NotApplicable as Na, Pass};

    fn base() -> Answers {
        answers(&[
            ("a1", Pass),
            ("a2", Pass),
            ("a3", Fail),
            ("a4", Na),
            ("b1", Pass),
            ("b2", Pass),
            ("b3", Fail),
        ])
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn the_worked_example_scores_77() {
        let s = score_visit(&worked_example(None), &base(), None);
        assert!(close(s.sections[0].score, 80.0), "{:?}", s.sections[0]);
        assert!(close(s.sections[1].score, 75.0), "{:?}", s.sections[1]);
        assert!(close(s.score, 77.0), "{s:?}");
        assert!(s.passed && s.complete);
        assert_eq!(s.failed_items, ["a3", "b3"]);
        assert_eq!(s.rule_set, RULE_SET);
    }

    #[test]
    fn critical_failure_zeroes_the_section() {
        let mut a = base();
        a.insert("b2".into(), Fail);
        a.insert("b3".into(), Pass);
        let s = score_visit(&worked_example(Some("zero_section")), &a, None);
        assert!(close(s.score, 32.0), "{s:?}");
        assert!(s.sections[1].zeroed);
        // A section knock-out is not visit-level: the visit fails on its score alone.
        assert!(!s.passed);
        assert_eq!(s.knockouts.len(), 1);
    }

    #[test]
    fn visit_knockouts_zero_or_cap_the_visit_and_fail_it() {
        let mut a = base();
        a.insert("b2".into(), Fail);
        let zero = score_visit(&worked_example(Some("zero_visit")), &a, None);
        assert!(close(zero.score, 0.0) && !zero.passed);
        let cap = score_visit(&worked_example(Some("cap:60")), &a, None);
        assert!(close(cap.score, 60.0), "{cap:?}");
        assert!(!cap.passed, "a fired visit-level knock-out fails the visit");
    }

    #[test]
    fn bonus_points_raise_a_score_but_never_above_100() {
        let mut a = base();
        a.insert("bonus".into(), Pass);
        let s = score_visit(&worked_example(None), &a, None);
        // B: (15 + 5) / 20 = 100.
        assert!(close(s.sections[1].score, 100.0), "{:?}", s.sections[1]);
        a.insert("b3".into(), Pass);
        let s = score_visit(&worked_example(None), &a, None);
        assert!(close(s.sections[1].score, 100.0));
        assert!(s.score.is_some_and(|x| x <= 100.0));
    }

    #[test]
    fn a_section_of_only_na_items_is_na_and_drops_out_of_the_visit() {
        let mut a = base();
        for id in ["b1", "b2", "b3"] {
            a.insert(id.into(), Na);
        }
        let s = score_visit(&worked_example(None), &a, None);
        assert_eq!(s.sections[1].score, None);
        assert!(close(s.score, 80.0));
        let all_na: Answers = base().into_keys().map(|k| (k, Na)).collect();
        assert_eq!(
            score_visit(&worked_example(None), &all_na, None).score,
            None
        );
    }

    fn item_ids() -> Vec<&'static str> {
        vec!["a1", "a2", "a3", "a4", "b1", "b2", "b3", "bonus"]
    }

    fn arb_value() -> impl Strategy<Value = Option<AnswerValue>> {
        prop_oneof![
            Just(None),
            Just(Some(Pass)),
            Just(Some(Fail)),
            Just(Some(Na))
        ]
    }

    fn arb_answers() -> impl Strategy<Value = Answers> {
        proptest::collection::vec(arb_value(), 8).prop_map(|vs| {
            item_ids()
                .into_iter()
                .zip(vs)
                .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn scores_stay_between_0_and_100(a in arb_answers(), rule in 0usize..4) {
            let critical = [None, Some("zero_section"), Some("zero_visit"), Some("cap:50")][rule];
            let s = score_visit(&worked_example(critical), &a, None);
            for x in s.sections.iter().filter_map(|s| s.score).chain(s.score) {
                prop_assert!((0.0..=100.0).contains(&x));
            }
        }

        #[test]
        fn answering_an_item_na_never_changes_a_score(a in arb_answers(), idx in 0usize..8) {
            let t = worked_example(None);
            let id = item_ids()[idx];
            let mut without = a.clone();
            without.remove(id);
            let mut with_na = a;
            with_na.insert(id.into(), Na);
            let (x, y) = (score_visit(&t, &without, None), score_visit(&t, &with_na, None));
            prop_assert_eq!(x.score, y.score);
            prop_assert_eq!(x.sections, y.sections);
        }

        #[test]
        fn turning_a_fail_into_a_pass_never_lowers_a_score(a in arb_answers(), idx in 0usize..8, rule in 0usize..4) {
            let critical = [None, Some("zero_section"), Some("zero_visit"), Some("cap:50")][rule];
            let t = worked_example(critical);
            let id = item_ids()[idx];
            let mut failed = a.clone();
            failed.insert(id.into(), Fail);
            let mut passed = a;
            passed.insert(id.into(), Pass);
            let (f, p) = (score_visit(&t, &failed, None), score_visit(&t, &passed, None));
            prop_assert!(p.score.unwrap_or(0.0) >= f.score.unwrap_or(0.0) - 1e-9);
        }

        #[test]
        fn item_order_never_matters(a in arb_answers(), seed in any::<u64>()) {
            let t = worked_example(Some("zero_section"));
            // Rebuild the template with each section's items in another order.
            let mut file = t.source().clone();
            for (i, s) in file.sections.iter_mut().enumerate() {
                let k = (seed as usize).wrapping_add(i) % s.items.len();
                s.items.rotate_left(k);
                if seed % 2 == 0 { s.items.reverse(); }
            }
            let shuffled = Template::from_file(file).expect("valid");
            let (x, y) = (score_visit(&t, &a, None), score_visit(&shuffled, &a, None));
            prop_assert_eq!(x.score, y.score);
            prop_assert_eq!(x.passed, y.passed);
        }
    }
}
