//! Repeat groups: `counter_repeats.xlsx` checks each open counter (a repeat
//! counted by an answer, inside the `hall` group) and each member of staff
//! on duty (a repeat the inspector adds entries to). Imported, filled in as
//! a record, worked out, scored per entry and derived into rows.

use fieldcheck_core::answers::{AnswerValue, check_complete, evaluate_all};
use fieldcheck_core::form::{form_view, form_view_adding};
use fieldcheck_core::records::derive::derive;
use fieldcheck_core::records::{Actor, Record};
use fieldcheck_core::scoring::audit::score_visit;
use fieldcheck_core::templates::Template;
use fieldcheck_core::templates::xlsform::import;
use fieldcheck_core::vocab::Role;

use super::fixture;

fn template() -> Template {
    import(&fixture("counter_repeats.xlsx"))
        .unwrap_or_else(|e| panic!("{e:?}"))
        .template
}

fn li(ms: i64) -> Actor {
    Actor {
        user: "li".into(),
        role: Role::Inspector,
        device: "d1".into(),
        now_ms: ms,
    }
}

/// Two counters open; two members of staff, added as entries
/// `0019a000001aaaa` and `0019a000002bbbb` (named as the app names them).
fn filled(t: &Template) -> Record {
    let mut r = Record::create(t, "c-1", "cq/yz/001", &li(1_000)).expect("create");
    use AnswerValue::{Fail, Number, Pass, Text};
    let answers = [
        ("counters", Number(2.0)),
        ("signage", Pass),
        ("greeted@1", Pass),
        ("queue@1", Number(3.0)),
        ("greeted@2", Fail),
        ("queue@2", Number(8.0)),
        ("extra@2", Pass),
        ("floor_clean", Pass),
        ("staff_name@0019a000001aaaa", Text("李".into())),
        ("uniform@0019a000001aaaa", Pass),
        ("staff_name@0019a000002bbbb", Text("王".into())),
        ("uniform@0019a000002bbbb", Fail),
    ];
    for (k, (key, value)) in answers.into_iter().enumerate() {
        r.answer(t, &li(2_000 + k as i64), key, value, None)
            .unwrap_or_else(|e| panic!("{key}: {e}"));
    }
    r
}

#[test]
fn a_repeat_inside_a_group_becomes_its_own_section_and_the_group_goes_on_after_it() {
    let t = template();
    let sections: Vec<(&str, bool, bool)> = t
        .sections
        .iter()
        .map(|s| {
            let repeat = s.repeat.as_ref();
            (
                s.id.as_str(),
                repeat.is_some(),
                repeat.is_some_and(|r| r.count.is_some()),
            )
        })
        .collect();
    assert_eq!(
        sections,
        [
            ("hall", false, false),
            ("counter", true, true),
            ("hall_2", false, false),
            ("staff", true, false),
            ("main", false, false),
        ]
    );
    // The group's two parts share its weight.
    let weights: Vec<f64> = t.sections.iter().map(|s| s.weight).collect();
    assert_eq!(weights, [0.5, 1.0, 0.5, 1.0, 1.0]);
}

#[test]
fn each_entry_is_worked_out_on_its_own_and_read_together_outside() {
    let t = template();
    let r = filled(&t);
    let answers = r.state().expect("state").answer_values();
    let e = evaluate_all(&t, &answers, None);
    assert_eq!(e.entries["counter"], ["1", "2"]);
    assert_eq!(e.entries["staff"], ["0019a000001aaaa", "0019a000002bbbb"]);
    // Relevance reads the entry's own answer.
    assert!(e.relevant.contains("extra@2") && !e.relevant.contains("extra@1"));
    assert_eq!(
        e.calculated.get("counter_no@2"),
        Some(&AnswerValue::Text("#2".into()))
    );
    assert_eq!(
        e.calculated.get("total_queue"),
        Some(&AnswerValue::Number(11.0))
    );
    // The entry before this one, as ODK forms read it.
    assert_eq!(
        e.calculated.get("queue_before@2"),
        Some(&AnswerValue::Number(3.0))
    );
    assert_eq!(e.calculated.get("queue_before@1"), None);
    assert_eq!(
        e.calculated.get("staff_total"),
        Some(&AnswerValue::Number(2.0))
    );
    assert_eq!(check_complete(&t, &answers, None), []);

    // A third counter: its questions are required too.
    let mut more = answers.clone();
    more.insert("counters".into(), AnswerValue::Number(3.0));
    let missing: Vec<String> = check_complete(&t, &more, None)
        .iter()
        .map(|p| p.item().to_string())
        .collect();
    assert_eq!(missing, ["greeted@3", "queue@3"]);
    // Back to one: the second counter's answers are set aside, as ODK
    // does, and no longer counted.
    more.insert("counters".into(), AnswerValue::Number(1.0));
    assert_eq!(check_complete(&t, &more, None), []);
    let e = evaluate_all(&t, &more, None);
    assert_eq!(
        e.calculated.get("total_queue"),
        Some(&AnswerValue::Number(3.0))
    );
}

#[test]
fn a_repeated_section_scores_the_mean_of_its_entries() {
    let t = template();
    let r = filled(&t);
    let s = score_visit(&t, &r.state().expect("state").answer_values(), None);
    let section = |id: &str| s.sections.iter().find(|x| x.id == id).and_then(|x| x.score);
    assert_eq!(section("hall"), Some(100.0));
    // Counter 1: 10 of 10; counter 2: greeted failed, the extra counter
    // opened, 5 of 15.
    let counters = section("counter").expect("scored");
    assert!(
        (counters - (100.0 + 100.0 / 3.0) / 2.0).abs() < 1e-9,
        "{counters}"
    );
    // Wang's uniform is a critical item: his entry is zeroed, Li's is not.
    assert_eq!(section("staff"), Some(50.0));
    // Zeroed is said of a section whose every entry is.
    assert!(s.sections.iter().all(|x| !x.zeroed));
    assert!(
        s.failed_items
            .contains(&"uniform@0019a000002bbbb".to_string())
    );
    assert_eq!(s.knockouts.len(), 1);
    // The hall group, split by the counters, weighs 1 in all: half each.
    let visit = s.score.expect("scored");
    assert!(
        (visit - (0.5 * 100.0 + counters + 0.5 * 100.0 + 50.0) / 3.0).abs() < 1e-9,
        "{visit}"
    );
}

#[test]
fn the_form_shows_each_entry_and_a_blank_one_to_add() {
    let t = template();
    let r = filled(&t);
    let state = r.state().expect("state");
    let view = form_view_adding("c-1", &state, &t, Some("0019a000003cccc"));
    let section = |id: &str| view.sections.iter().find(|s| s.id == id).expect(id);
    let counter = section("counter").repeat.as_ref().expect("repeat");
    assert!(counter.counted);
    let ids: Vec<Vec<&str>> = counter
        .entries
        .iter()
        .map(|e| {
            e.items
                .iter()
                .filter(|i| i.relevant)
                .map(|i| i.id.as_str())
                .collect()
        })
        .collect();
    assert_eq!(
        ids,
        [
            vec!["greeted@1", "queue@1"],
            vec!["greeted@2", "queue@2", "extra@2"]
        ]
    );
    let staff = section("staff").repeat.as_ref().expect("repeat");
    let entries: Vec<(&str, u32, bool)> = staff
        .entries
        .iter()
        .map(|e| (e.entry.as_str(), e.position, e.new))
        .collect();
    assert_eq!(
        entries,
        [
            ("0019a000001aaaa", 1, false),
            ("0019a000002bbbb", 2, false),
            ("0019a000003cccc", 3, true)
        ]
    );
    let blank = &staff.entries[2];
    assert!(blank.items.iter().all(|i| i.relevant && i.value.is_none()));
    // Without a name for a new entry (the console's view), none is shown.
    let plain = form_view("c-1", &state, &t);
    let staff = plain
        .sections
        .iter()
        .find(|s| s.id == "staff")
        .expect("staff");
    assert_eq!(staff.repeat.as_ref().map(|r| r.entries.len()), Some(2));
}

#[test]
fn an_entry_removed_takes_its_answers_and_the_rows_name_each_entry() {
    let t = template();
    let mut r = filled(&t);
    let d = derive("c-1", &r.state().expect("state"), Some(&t), &[]);
    let row = |id: &str| d.answers.iter().find(|a| a.item_id == id);
    let extra = row("extra@2").expect("answered");
    assert_eq!(extra.section_id.as_deref(), Some("counter"));
    assert_eq!(extra.outcome, Some(1.0));
    assert_eq!(
        row("counter_no@1").map(|a| a.value.as_str()),
        Some("\"#1\"")
    );

    // One counter fewer: the second counter's answers are set aside and
    // make no rows; the first's stay.
    r.answer(&t, &li(8_000), "counters", AnswerValue::Number(1.0), None)
        .expect("answer");
    let d = derive("c-1", &r.state().expect("state"), Some(&t), &[]);
    let ids: Vec<&str> = d.answers.iter().map(|a| a.item_id.as_str()).collect();
    assert!(
        ids.contains(&"greeted@1") && !ids.contains(&"greeted@2"),
        "{ids:?}"
    );

    // A counted section's entries follow the count, not removal.
    assert!(r.remove_entry(&t, &li(8_500), "counter", "1").is_err());
    r.remove_entry(&t, &li(9_000), "staff", "0019a000002bbbb")
        .expect("removed");
    let state = r.state().expect("state");
    assert!(
        !state
            .answers
            .keys()
            .any(|k| k.ends_with("@0019a000002bbbb"))
    );
    let s = score_visit(&t, &state.answer_values(), None);
    assert!(s.knockouts.is_empty());
}
