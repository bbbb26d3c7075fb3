use std::collections::BTreeSet;

use fieldcheck_core::answers::{AnswerValue, Answers, check_complete};
use fieldcheck_core::scoring::audit::score_visit;
use fieldcheck_core::scoring::survey::score_response;
use fieldcheck_core::templates::{
    AnswerType, CallMoment, ConstructRole, Format, Template, TemplateKind, VisitMode,
};
use fieldcheck_core::vocab::Layer;

use super::templates_dir;

fn load(name: &str) -> Template {
    let path = templates_dir().join(name);
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Template::load(&src, Format::Toml).unwrap_or_else(|e| panic!("{name} does not validate: {e}"))
}

const ALL: [&str; 6] = [
    "owned_hall_audit.toml",
    "owned_hall_mystery.toml",
    "partner_store_audit.toml",
    "hotline_test_call.toml",
    "echannel_check.toml",
    "intercept_survey.toml",
];

#[test]
fn every_shipped_template_validates_and_is_the_expected_set() {
    let mut on_disk: Vec<String> = std::fs::read_dir(templates_dir())
        .expect("templates dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(on_disk, expected);
    let ids: BTreeSet<String> = ALL.iter().map(|n| load(n).id).collect();
    assert_eq!(ids.len(), ALL.len(), "template ids are unique");
}

#[test]
fn every_label_is_bilingual() {
    for name in ALL {
        let t = load(name);
        assert!(t.title.missing().is_empty(), "{name}");
        for (s, i) in t.items() {
            assert!(s.title.missing().is_empty(), "{name} {}", s.id);
            assert!(i.label.missing().is_empty(), "{name} {}", i.id);
            assert_ne!(
                i.label.zh, i.label.en,
                "{name} {}: zh-CN is a translation, not a copy",
                i.id
            );
        }
    }
}

fn standards(t: &Template) -> BTreeSet<String> {
    t.items()
        .filter_map(|(_, i)| i.tags.standard.clone())
        .collect()
}

#[test]
fn the_owned_hall_audit_covers_the_nine_published_standards() {
    let t = load("owned_hall_audit.toml");
    let expected: BTreeSet<String> = (1..=9).map(|n| format!("owned_hall.{n}")).collect();
    assert_eq!(standards(&t), expected);
    assert_eq!(
        (t.kind, t.mode),
        (TemplateKind::Checklist, VisitMode::Overt)
    );
    for observed in [
        "wait_s",
        "first_question",
        "etiquette",
        "seating",
        "opening_hours",
        "price_transparency",
        "no_forced_vas",
    ] {
        assert!(t.item(observed).is_some(), "{observed}");
    }
    let wait = t.item("wait_s").expect("wait");
    assert!(matches!(
        wait.answer,
        AnswerType::Duration { pass_if: Some(_) }
    ));
}

#[test]
fn the_partner_store_audit_covers_its_three_standards() {
    let got = standards(&load("partner_store_audit.toml"));
    let expected: BTreeSet<String> = (1..=3).map(|n| format!("partner_store.{n}")).collect();
    assert_eq!(got, expected);
}

#[test]
fn the_mystery_visit_only_asks_what_a_customer_can_see() {
    let t = load("owned_hall_mystery.toml");
    assert_eq!(t.mode, VisitMode::Mystery);
    for (_, i) in t.items() {
        if let Some(layer) = i.tags.layer.as_deref().and_then(Layer::parse) {
            assert!(
                layer.visible_to_customer(),
                "{} observes the {layer} layer",
                i.id
            );
        }
    }
}

#[test]
fn the_hotline_template_tells_the_call_bar_where_to_write() {
    let t = load("hotline_test_call.toml");
    let moment = |id: &str| t.item(id).and_then(|i| i.call);
    assert_eq!(moment("call_time"), Some(CallMoment::Dialled));
    assert_eq!(moment("answer_s"), Some(CallMoment::Wait));
    assert_eq!(moment("talk_s"), Some(CallMoment::Talk));
}

#[test]
fn a_hotline_call_answered_in_25_seconds_fails_the_20_second_standard() {
    let t = load("hotline_test_call.toml");
    let answers = |answer_s: f64| -> Answers {
        [
            (
                "call_time",
                AnswerValue::Text("2026-11-23T10:00:00+08:00".into()),
            ),
            ("hotline", AnswerValue::Choice("10010".into())),
            ("scenario", AnswerValue::Choice("bill_query".into())),
            ("connected", AnswerValue::Pass),
            ("ivr_standard", AnswerValue::Pass),
            ("answer_s", AnswerValue::Number(answer_s)),
            ("agent_id_given", AnswerValue::Pass),
            ("courtesy", AnswerValue::Fraction(1.0)),
            ("resolution", AnswerValue::Choice("resolved".into())),
            ("experience", AnswerValue::Number(5.0)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    let fast = score_visit(&t, &answers(12.0), None);
    assert!(fast.complete, "{:?}", fast.missing_required);
    assert_eq!(fast.score, Some(100.0));
    let slow = score_visit(&t, &answers(25.0), None);
    assert_eq!(slow.failed_items, ["answer_s"]);
    // Access: 20 of 40 points lost; (40 * 50 + 60 * 100) / 100 = 80.
    assert_eq!(slow.score, Some(80.0));

    let mut dropped = answers(12.0);
    dropped.insert("connected".into(), AnswerValue::Fail);
    let s = score_visit(&t, &dropped, None);
    assert_eq!(s.score, Some(0.0), "an unconnected call zeroes the visit");
    assert!(!s.passed);
}

#[test]
fn the_intercept_survey_has_the_tcsi_model_and_all_ten_gap_pairs() {
    let t = load("intercept_survey.toml");
    let roles: BTreeSet<ConstructRole> = t.constructs.iter().map(|c| c.role).collect();
    assert_eq!(roles.len(), 6);
    assert_eq!(t.gaps.len(), 10);
    assert!(t.keep_partial_responses);
    for id in ["tp_peak", "tp_end", "nps", "csat5"] {
        assert!(t.item(id).is_some(), "{id}");
    }
    let mut a: Answers = [
        ("visit_purpose", AnswerValue::Choice("pay_bill".into())),
        ("tp_wait", AnswerValue::Number(4.0)),
        ("tp_staff", AnswerValue::Number(5.0)),
        ("tp_environment", AnswerValue::Number(4.0)),
        ("peak_moment", AnswerValue::Choice("none".into())),
        ("tp_end", AnswerValue::Number(4.0)),
        ("exp_overall", AnswerValue::Number(8.0)),
        ("pq_overall", AnswerValue::Number(9.0)),
        ("sat_overall", AnswerValue::Number(10.0)),
        ("sat_vs_expect", AnswerValue::Number(8.0)),
        ("nps", AnswerValue::Number(9.0)),
        ("csat5", AnswerValue::Number(5.0)),
        ("e_trust", AnswerValue::Number(7.0)),
        ("p_trust", AnswerValue::Number(5.0)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(
        check_complete(&t, &a, None),
        vec![],
        "tp_peak is skipped when nothing stood out"
    );
    let r = score_response(&t, &a, None);
    let sat = r
        .constructs
        .iter()
        .find(|c| c.id == "satisfaction")
        .and_then(|c| c.score)
        .expect("score");
    assert!(
        (sat - 100.0 * (1.0 + 7.0 / 9.0) / 2.0).abs() < 1e-9,
        "{sat}"
    );
    assert_eq!(r.nps_category, Some("promoter"));
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(r.gaps[0].gap, -2.0);
    for (k, v) in [
        ("imp_tangibles", 20.0),
        ("imp_reliability", 20.0),
        ("imp_responsiveness", 20.0),
        ("imp_assurance", 20.0),
        ("imp_empathy", 30.0),
    ] {
        a.insert(k.into(), AnswerValue::Number(v));
    }
    let problems = check_complete(&t, &a, None);
    assert_eq!(
        problems.len(),
        1,
        "the importance split must add up to 100: {problems:?}"
    );
}
