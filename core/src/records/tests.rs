use super::*;
use crate::scoring::audit::score_visit;
use crate::templates::Format;
use crate::test_support::{CHECKLIST, QUESTIONNAIRE};

const FORM: &str = r#"
pass_threshold = 50

[[sections]]
id = "s"
title = { zh-CN = "甲", en = "A" }
items = [
  { id = "sign", type = "pass_fail", required = true, points = 10, label = { zh-CN = "标识", en = "Signage" } },
  { id = "uniform", type = "pass_fail", required = true, points = 10, label = { zh-CN = "着装", en = "Uniform" } },
  { id = "wait_s", type = "duration", points = 10, pass_if = ". <= 300", label = { zh-CN = "等候", en = "Wait" } },
]
"#;

fn template() -> Template {
    Template::load(&format!("{CHECKLIST}{FORM}"), Format::Toml).expect("valid template")
}

fn actor(user: &str, role: Role, now_ms: i64) -> Actor {
    Actor {
        user: user.into(),
        role,
        device: format!("{user}-phone"),
        now_ms,
    }
}

fn inspector(t: i64) -> Actor {
    actor("li.inspector", Role::Inspector, t)
}

fn manager(t: i64) -> Actor {
    actor("wang.manager", Role::Manager, t)
}

fn new_record(t: &Template) -> Record {
    Record::create(t, "rec-1", "store-001", &inspector(1_000)).expect("created")
}

fn submitted(t: &Template) -> Record {
    let mut r = new_record(t);
    r.answer(t, &inspector(2_000), "sign", AnswerValue::Pass, None)
        .expect("answer");
    r.answer(
        t,
        &inspector(3_000),
        "uniform",
        AnswerValue::Fail,
        Some("no badge".into()),
    )
    .expect("answer");
    r.submit(t, &inspector(4_000)).expect("submit");
    r
}

#[test]
fn two_devices_answering_different_items_merge_cleanly() {
    let t = template();
    let mut a = new_record(&t);
    let mut b = a.fork();
    a.answer(&t, &inspector(2_000), "sign", AnswerValue::Pass, None)
        .expect("a");
    b.answer(&t, &inspector(2_500), "uniform", AnswerValue::Fail, None)
        .expect("b");
    a.merge(&mut b).expect("merge");
    let s = a.state().expect("state");
    assert_eq!(s.answers["sign"].value, AnswerValue::Pass);
    assert_eq!(s.answers["uniform"].value, AnswerValue::Fail);
    assert!(a.conflicts().expect("conflicts").is_empty());
}

#[test]
fn the_same_item_answered_twice_merges_deterministically_with_the_conflict_visible() {
    let t = template();
    let mut a = new_record(&t);
    let mut b = a.fork();
    a.answer(
        &t,
        &inspector(2_000),
        "sign",
        AnswerValue::Pass,
        Some("clean".into()),
    )
    .expect("a");
    b.answer(
        &t,
        &inspector(2_100),
        "sign",
        AnswerValue::Fail,
        Some("faded".into()),
    )
    .expect("b");
    let (mut a2, mut b2) = (a.clone(), b.clone());
    a.merge(&mut b).expect("merge");
    b2.merge(&mut a2).expect("merge");
    let (sa, sb) = (a.state().expect("a"), b2.state().expect("b"));
    assert_eq!(sa, sb, "both replicas show the same winner");
    let conflicts = a.conflicts().expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(c.item, "sign");
    assert_eq!(c.winner, sa.answers["sign"]);
    assert_eq!(c.others.len(), 1);
    let mut notes: Vec<_> = [&c.winner, &c.others[0]]
        .iter()
        .filter_map(|x| x.note.clone())
        .collect();
    notes.sort();
    assert_eq!(notes, ["clean", "faded"], "neither answer is lost");
}

#[test]
fn a_returned_audit_edited_on_the_device_and_commented_on_concurrently_loses_nothing() {
    let t = template();
    let mut server = submitted(&t);
    server
        .return_for_changes(&manager(5_000), "Uniform photo missing")
        .expect("return");
    let mut device = server.fork();
    device
        .answer(
            &t,
            &inspector(6_000),
            "uniform",
            AnswerValue::Pass,
            Some("badge on".into()),
        )
        .expect("fix");
    device
        .comment(
            &t,
            &inspector(6_100),
            Some("uniform"),
            "Badge was in the drawer",
        )
        .expect("reply");
    server
        .comment(
            &t,
            &manager(6_050),
            Some("sign"),
            "Also check the sign lighting",
        )
        .expect("comment");
    server.merge(&mut device).expect("merge");
    let s = server.state().expect("state");
    assert_eq!(s.answers["uniform"].value, AnswerValue::Pass);
    let texts: Vec<_> = s.comments.values().map(|c| c.text.as_str()).collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    for t in [
        "Uniform photo missing",
        "Badge was in the drawer",
        "Also check the sign lighting",
    ] {
        assert!(texts.contains(&t), "{t} lost: {texts:?}");
    }
    assert!(server.conflicts().expect("conflicts").is_empty());
    device.merge(&mut server).expect("merge back");
    device.submit(&t, &inspector(7_000)).expect("resubmit");
    assert_eq!(device.status().expect("status"), Status::Resubmitted);
}

#[test]
fn review_lifecycle_and_invalid_transitions() {
    let t = template();
    let mut r = new_record(&t);
    assert!(matches!(
        r.approve(&manager(2_000)),
        Err(RecordError::InvalidTransition {
            status: Status::Draft,
            ..
        })
    ));
    assert!(
        matches!(r.submit(&t, &inspector(2_000)), Err(RecordError::Incomplete(p)) if p.len() == 2)
    );
    let mut r = submitted(&t);
    assert!(matches!(
        r.approve(&inspector(5_000)),
        Err(RecordError::Forbidden {
            role: Role::Inspector,
            ..
        })
    ));
    assert!(matches!(
        r.answer(&t, &manager(5_000), "sign", AnswerValue::Fail, None),
        Err(RecordError::Forbidden {
            role: Role::Manager,
            ..
        })
    ));
    assert!(matches!(
        r.answer(&t, &inspector(5_000), "sign", AnswerValue::Fail, None),
        Err(RecordError::InvalidTransition {
            status: Status::Submitted,
            ..
        })
    ));
    assert!(matches!(
        r.return_for_changes(&manager(5_000), "  "),
        Err(RecordError::Empty(_))
    ));
    r.approve(&manager(6_000)).expect("approve");
    assert!(matches!(
        r.answer(&t, &inspector(7_000), "sign", AnswerValue::Fail, None),
        Err(RecordError::Locked)
    ));
    assert!(matches!(
        r.comment(&t, &manager(7_000), None, "late"),
        Err(RecordError::Locked)
    ));
    assert!(matches!(
        r.return_for_changes(&manager(7_000), "again"),
        Err(RecordError::InvalidTransition { .. })
    ));
    let s = r.state().expect("state");
    let statuses: Vec<_> = s.history.iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        [Status::Draft, Status::Submitted, Status::Approved]
    );
    assert_eq!(s.header.ended_at, Some(4_000));
}

#[test]
fn only_the_author_edits_and_answers_are_checked_against_the_template() {
    let t = template();
    let mut r = new_record(&t);
    let other = actor("zhao.inspector", Role::Inspector, 2_000);
    assert!(matches!(
        r.answer(&t, &other, "sign", AnswerValue::Pass, None),
        Err(RecordError::NotAuthor { .. })
    ));
    assert!(matches!(
        r.answer(&t, &inspector(2_000), "ghost", AnswerValue::Pass, None),
        Err(RecordError::UnknownItem(_))
    ));
    assert!(matches!(
        r.answer(&t, &inspector(2_000), "wait_s", AnswerValue::Pass, None),
        Err(RecordError::Answer(_))
    ));
    let other_version = Template::load(
        &format!(
            "{CHECKLIST}{}",
            FORM.replace("pass_threshold = 50", "pass_threshold = 60")
        ),
        Format::Toml,
    )
    .expect("valid");
    assert!(matches!(
        r.answer(
            &other_version,
            &inspector(2_000),
            "sign",
            AnswerValue::Pass,
            None
        ),
        Err(RecordError::WrongTemplate { .. })
    ));
}

#[test]
fn a_refused_operation_leaves_no_change_behind() {
    let t = template();
    let mut r = new_record(&t);
    let before = r.history().len();
    let bytes = r.save();
    assert!(r.submit(&t, &inspector(2_000)).is_err());
    assert!(
        r.open_action(
            &t,
            &manager(2_000),
            NewAction {
                item: "sign".into(),
                description: "x".into(),
                assignee: "s".into(),
                due: "2026-12-01".into()
            }
        )
        .is_err()
    );
    assert_eq!(r.history().len(), before);
    assert_eq!(r.save(), bytes);
}

#[test]
fn text_past_the_schemas_limit_is_refused_on_the_device_with_what_was_too_long() {
    use crate::records::schema::TEXT_MAX;
    let t = template();
    let mut r = new_record(&t);
    let long = "字".repeat(TEXT_MAX + 1);
    let err = r
        .answer(
            &t,
            &inspector(2_000),
            "sign",
            AnswerValue::Pass,
            Some(long.clone()),
        )
        .expect_err("too long");
    assert!(
        matches!(err, RecordError::TooLong { what: "a note", .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("a note is longer than {TEXT_MAX} characters")
    );
    let just = "字".repeat(TEXT_MAX);
    r.answer(&t, &inspector(2_000), "sign", AnswerValue::Pass, Some(just))
        .expect("at the limit");
    let mut s = submitted(&t);
    assert!(matches!(
        s.comment(&t, &manager(5_000), None, &long),
        Err(RecordError::TooLong {
            what: "a comment",
            ..
        })
    ));
    assert!(matches!(
        s.return_for_changes(&manager(5_000), &long),
        Err(RecordError::TooLong { .. })
    ));
}

#[test]
fn every_change_records_its_author_time_and_message() {
    let t = template();
    let mut r = submitted(&t);
    r.return_for_changes(&manager(5_000_000), "fix it")
        .expect("return");
    let h = r.history();
    let last = h.last().expect("changes");
    assert_eq!(last.author.as_deref(), Some("wang.manager"));
    assert_eq!(last.time, 5_000);
    assert_eq!(last.message.as_deref(), Some("return"));
    assert_eq!(h[0].author.as_deref(), Some("li.inspector"));
    assert_eq!(h[0].message.as_deref(), Some("create"));
    assert!(
        h.iter()
            .all(|c| c.time > 0 || c.message.as_deref() == Some("create"))
    );
}

#[test]
fn corrective_actions_go_open_done_verified() {
    let t = template();
    let mut r = submitted(&t);
    r.approve(&manager(5_000)).expect("approve");
    let new = NewAction {
        item: "uniform".into(),
        description: "Staff must wear name badges".into(),
        assignee: "store-001-lead".into(),
        due: "2026-12-15".into(),
    };
    assert!(matches!(
        r.open_action(
            &t,
            &manager(6_000),
            NewAction {
                due: "soon".into(),
                ..new.clone()
            }
        ),
        Err(RecordError::BadDate(_))
    ));
    let id = r.open_action(&t, &manager(6_000), new).expect("open");
    let staff = actor("store-001-lead", Role::StoreStaff, 7_000);
    assert!(matches!(
        r.verify_action(&manager(7_000), &id, None),
        Err(RecordError::ActionTransition { .. })
    ));
    assert!(
        r.complete_action(&actor("someone", Role::StoreStaff, 7_000), &id)
            .is_err()
    );
    r.complete_action(&staff, &id).expect("done");
    r.reopen_action(&manager(8_000), &id).expect("reopen");
    r.complete_action(&staff, &id).expect("done again");
    r.verify_action(&manager(9_000), &id, Some("reaudit-1"))
        .expect("verify");
    let a = &r.state().expect("state").actions[&id];
    assert_eq!(
        (a.status, a.verified_by.as_deref(), a.verified_at),
        (ActionStatus::Verified, Some("wang.manager"), Some(9_000))
    );
    assert_eq!(a.verified_record.as_deref(), Some("reaudit-1"));
    assert!(matches!(
        r.complete_action(&staff, "nope"),
        Err(RecordError::UnknownAction(_))
    ));
}

#[test]
fn concurrent_actions_and_comments_from_two_managers_are_both_kept() {
    let t = template();
    let mut a = submitted(&t);
    let mut b = a.fork();
    a.comment(&t, &manager(5_000), None, "one").expect("a");
    b.comment(
        &t,
        &actor("chen.manager", Role::Manager, 5_000),
        None,
        "two",
    )
    .expect("b");
    a.merge(&mut b).expect("merge");
    assert_eq!(a.state().expect("state").comments.len(), 2);
}

#[test]
fn documents_save_load_and_score() {
    let t = template();
    let mut r = submitted(&t);
    r.attach(
        &t,
        &inspector(3_500),
        "sign",
        MediaRef {
            hash: "ab".repeat(32),
            mime: "image/jpeg".into(),
            size: 1024,
        },
    )
    .map(|_| ())
    .expect_err("submitted records are not editable");
    let bytes = r.save();
    let loaded = Record::load(&bytes).expect("loads");
    let state = loaded.state().expect("state");
    assert_eq!(state, r.state().expect("state"));
    let score = score_visit(&t, &state.answer_values(), None);
    assert_eq!(score.score, Some(50.0));
    assert!(Record::load(b"not automerge").is_err());
    let mut empty = AutoCommit::new();
    assert!(matches!(
        Record::load(&empty.save()),
        Err(RecordError::Hydrate(_))
    ));
}

#[test]
fn evidence_is_attached_by_content_hash_and_kept_when_the_answer_changes() {
    let t = template();
    let mut r = new_record(&t);
    let photo = MediaRef {
        hash: "cd".repeat(32),
        mime: "image/jpeg".into(),
        size: 2048,
    };
    assert!(
        r.attach(&t, &inspector(1_500), "sign", photo.clone())
            .is_err(),
        "nothing to attach to yet"
    );
    r.answer(&t, &inspector(2_000), "sign", AnswerValue::Fail, None)
        .expect("answer");
    r.attach(&t, &inspector(2_100), "sign", photo.clone())
        .expect("attach");
    r.attach(&t, &inspector(2_200), "sign", photo.clone())
        .expect("attach twice");
    r.answer(&t, &inspector(2_300), "sign", AnswerValue::Pass, None)
        .expect("re-answer");
    assert_eq!(
        r.state().expect("state").answers["sign"].evidence,
        vec![photo.clone()]
    );
    // A signature answered as media is found beside the evidence.
    let signature = MediaRef {
        hash: "ab".repeat(32),
        mime: "image/png".into(),
        size: 512,
    };
    let answer = Answer {
        value: AnswerValue::Media(vec![signature.clone()]),
        note: None,
        evidence: vec![photo.clone()],
        by: "li.inspector".into(),
        at: 2_350,
    };
    r.put_answer("signed", &answer).expect("put");
    let mut both = vec![signature.clone(), photo.clone()];
    both.sort_by(|a, b| a.hash.cmp(&b.hash));
    assert_eq!(media_refs(r.doc()), both);
    r.clear(&t, &inspector(2_400), "sign").expect("clear");
    assert!(!r.state().expect("state").answers.contains_key("sign"));
}

#[test]
fn the_visit_location_is_stamped_on_the_header() {
    let t = template();
    let mut r = new_record(&t);
    let here = GeoPoint {
        lat: 29.563,
        lon: 106.551,
        accuracy_m: Some(12.0),
    };
    r.stamp_location(&t, &inspector(1_500), here.clone())
        .expect("stamp");
    assert_eq!(r.header().expect("header").location, Some(here));
    let nowhere = GeoPoint {
        lat: 95.0,
        lon: 0.0,
        accuracy_m: None,
    };
    assert!(matches!(
        r.stamp_location(&t, &inspector(1_600), nowhere),
        Err(RecordError::BadLocation)
    ));
}

#[test]
fn an_action_is_overdue_only_while_open_past_its_due_date() {
    let today: jiff::civil::Date = "2026-11-23".parse().expect("date");
    assert!(ActionStatus::Open.overdue("2026-11-22", today));
    assert!(
        !ActionStatus::Open.overdue("2026-11-23", today),
        "due today is not late"
    );
    assert!(!ActionStatus::Done.overdue("2026-11-01", today));
    assert!(!ActionStatus::Verified.overdue("2026-11-01", today));
    assert!(!ActionStatus::Open.overdue("someday", today));
}

fn survey(partial_responses: &str) -> Template {
    let src = format!(
        r#"{QUESTIONNAIRE}partial_responses = "{partial_responses}"

[[sections]]
id = "s"
title = {{ zh-CN = "甲", en = "A" }}
items = [
  {{ id = "purpose", type = "text", required = true, label = {{ zh-CN = "目的", en = "Purpose" }} }},
  {{ id = "nps", type = "recommend", required = true, label = {{ zh-CN = "推荐", en = "Recommend" }} }},
]
"#
    );
    Template::load(&src, Format::Toml).expect("valid survey")
}

fn surveyor(t: i64) -> Actor {
    actor("zhou.surveyor", Role::Surveyor, t)
}

#[test]
fn quitting_an_interview_keeps_or_discards_it_as_the_template_says() {
    for (rule, answered, ended) in [
        ("keep", true, Status::Partial),
        ("keep", false, Status::Discarded),
        ("discard", true, Status::Discarded),
    ] {
        let t = survey(rule);
        let mut r = Record::create(&t, "q-1", "store-001", &surveyor(1_000)).expect("create");
        if answered {
            r.answer(
                &t,
                &surveyor(2_000),
                "purpose",
                AnswerValue::Text("bill".into()),
                None,
            )
            .expect("answer");
        }
        assert!(
            r.quit(&t, &inspector(3_000)).is_err(),
            "only the author quits"
        );
        assert_eq!(r.quit(&t, &surveyor(3_000)).expect("quit"), ended, "{rule}");
        let s = r.state().expect("state");
        assert_eq!(s.status, ended);
        assert_eq!(s.header.ended_at, Some(3_000));
        assert_eq!(
            s.answers.contains_key("purpose"),
            ended == Status::Partial,
            "{rule}"
        );
        assert!(
            r.answer(&t, &surveyor(4_000), "nps", AnswerValue::Number(9.0), None)
                .is_err(),
            "an ended interview takes no more answers"
        );
        assert!(r.submit(&t, &surveyor(4_000)).is_err());
        assert!(r.quit(&t, &surveyor(4_000)).is_err(), "it ends once");
    }
}

#[test]
fn a_draft_audit_can_be_discarded_but_not_a_submitted_one() {
    let t = template();
    let mut r = new_record(&t);
    r.answer(&t, &inspector(2_000), "sign", AnswerValue::Pass, None)
        .expect("answer");
    assert_eq!(
        r.quit(&t, &inspector(3_000)).expect("quit"),
        Status::Discarded,
        "a checklist is never kept partial"
    );
    assert!(r.state().expect("state").answers.is_empty());
    assert!(
        r.history()
            .last()
            .is_some_and(|c| c.message.as_deref() == Some("discard"))
    );

    let mut sent = submitted(&t);
    assert!(matches!(
        sent.discard(&t, &inspector(5_000)),
        Err(RecordError::InvalidTransition {
            status: Status::Submitted,
            ..
        })
    ));
    sent.return_for_changes(&manager(6_000), "fix it")
        .expect("return");
    assert!(
        sent.discard(&t, &inspector(7_000)).is_err(),
        "a returned record was submitted: it is fixed, not thrown away"
    );
}
