//! The gate against honest record operations, hand-built hostile changes,
//! and (by property test) random changes by random people to records in
//! random states, accepted exactly when the rule table allows them.

use automerge::transaction::Transactable;
use automerge::{Author, AutoCommit, ObjType, ROOT, ReadDoc};
use proptest::prelude::*;

use super::*;
use crate::answers::AnswerValue;
use crate::records::schema::TEXT_MAX;
use crate::records::{Actor, NewAction, Record};
use crate::templates::{Format, Template, VisitMode};
use crate::test_support::{CHECKLIST, QUESTIONNAIRE};

const ITEMS: &str = r#"
[[sections]]
id = "s"
title = { zh-CN = "甲", en = "A" }
items = [{ id = "sign", type = "pass_fail", points = 10, label = { zh-CN = "标识", en = "Signage" } }]
"#;

fn template() -> Template {
    Template::load(&format!("{CHECKLIST}{ITEMS}"), Format::Toml).expect("valid")
}

fn survey() -> Template {
    let src = format!("{QUESTIONNAIRE}partial_responses = \"keep\"\n{ITEMS}");
    Template::load(&src, Format::Toml).expect("valid")
}

fn actor(user: &str, role: Role) -> Actor {
    Actor {
        user: user.into(),
        role,
        device: "d".into(),
        now_ms: 1_000,
    }
}

fn li() -> Actor {
    actor("li", Role::Inspector)
}

fn wang() -> Actor {
    actor("wang", Role::Manager)
}

/// `user`'s gate everywhere, nothing stored yet, templates not checked.
fn gate(user: &str, role: Role) -> RecordGate {
    RecordGate::new(user, role, "*")
}

/// Checks `after` against `before` as sent by `user` with `role`.
fn check_as(user: &str, role: Role, before: &Record, after: &Record) -> Result<(), Refusal> {
    check(
        "r1",
        &mut before.doc().clone(),
        &mut after.doc().clone(),
        &gate(user, role),
    )
}

/// Checks a new record as sent by `user`.
fn check_new_as(user: &str, role: Role, r: &Record) -> Result<(), Refusal> {
    check(
        "r1",
        &mut AutoCommit::new(),
        &mut r.doc().clone(),
        &gate(user, role),
    )
}

/// `r` after `op`, done by `a` on a device of its own.
fn after(r: &Record, a: &Actor, op: impl FnOnce(&mut Record, &Actor)) -> Record {
    let mut next = r.clone().fork();
    op(&mut next, a);
    next
}

/// `r` after raw Automerge writes signed `author` (none: unsigned), as a
/// client that does not use the record operations would make them.
fn tampered(r: &Record, author: Option<&str>, write: impl FnOnce(&mut AutoCommit)) -> Record {
    let mut doc = r.doc().clone().fork();
    doc.set_author(author.map(|a| Author::from(a.as_bytes().to_vec())));
    write(&mut doc);
    doc.commit();
    // Not checked: a hostile change may leave no readable record.
    Record { doc }
}

/// Raw writes that may leave a document no record reads.
fn tampered_doc(r: &Record, author: &str, write: impl FnOnce(&mut AutoCommit)) -> AutoCommit {
    let mut doc = r.doc().clone().fork();
    doc.set_author(Some(Author::from(author.as_bytes().to_vec())));
    write(&mut doc);
    doc.commit();
    doc
}

fn obj(doc: &AutoCommit, path: &[&str]) -> automerge::ObjId {
    let mut o = ROOT;
    for k in path {
        o = doc.get(&o, *k).expect("read").expect("present").1;
    }
    o
}

/// Appends a status change to the history, as a client writing it by hand.
fn append_history(d: &mut AutoCommit, status: &str, by: &str) {
    let h = obj(d, &["history"]);
    let at = d.length(&h);
    let e = d.insert_object(&h, at, ObjType::Map).expect("insert");
    d.put(&e, "status", status).expect("put");
    d.put(&e, "by", by).expect("put");
    d.put(&e, "at", 5_i64).expect("put");
}

/// Adds a comment on the whole record, signed `by`, under `key`.
fn add_comment(d: &mut AutoCommit, key: &str, text: &str, by: &str) {
    let c = obj(d, &["comments"]);
    let e = d.put_object(&c, key, ObjType::Map).expect("put");
    d.put(&e, "item", automerge::ScalarValue::Null)
        .expect("put");
    d.put(&e, "text", text).expect("put");
    d.put(&e, "by", by).expect("put");
    d.put(&e, "at", 5_i64).expect("put");
}

fn draft() -> Record {
    let t = template();
    let mut r = Record::create(&t, "r1", "cq/yz/001", &li()).expect("create");
    r.answer(&t, &li(), "sign", AnswerValue::Fail, None)
        .expect("answer");
    r
}

fn submitted() -> Record {
    let mut r = draft();
    r.submit(&template(), &li()).expect("submit");
    r
}

fn approved_with_action() -> (Record, String) {
    let t = template();
    let mut r = submitted();
    r.approve(&wang()).expect("approve");
    let id = r
        .open_action(
            &t,
            &wang(),
            NewAction {
                item: "sign".into(),
                description: "Fix the sign".into(),
                assignee: "staff".into(),
                due: "2026-12-01".into(),
            },
        )
        .expect("open");
    (r, id)
}

fn rule_of(r: Result<(), Refusal>) -> &'static str {
    r.expect_err("refused").rule
}

#[test]
fn scopes_are_path_prefixes() {
    assert!(in_scope("*", "cq/yz/001"));
    assert!(in_scope("cq/yz", "cq/yz/001"));
    assert!(in_scope("cq/yz/001", "cq/yz/001"));
    assert!(
        !in_scope("cq/yz", "cq/yzb/001"),
        "a prefix must end at a path separator"
    );
    assert!(!in_scope("cq/jb", "cq/yz/001"));
}

#[test]
fn an_inspectors_own_new_record_is_accepted_and_a_forged_one_is_not() {
    let r = draft();
    assert_eq!(check_new_as("li", Role::Inspector, &r), Ok(()));
    assert_eq!(
        rule_of(check_new_as("zhao", Role::Inspector, &r)),
        rule::FORGED,
        "changes signed li, sent by zhao"
    );
    assert_eq!(
        rule_of(check_new_as("li", Role::Manager, &r)),
        rule::NOT_ALLOWED
    );
    let t = template();
    let mut theirs =
        Record::create(&t, "r1", "cq/yz/001", &actor("zhao", Role::Inspector)).expect("create");
    theirs
        .answer(
            &t,
            &actor("zhao", Role::Inspector),
            "sign",
            AnswerValue::Pass,
            None,
        )
        .expect("answer");
    assert_eq!(
        rule_of(check_new_as("li", Role::Inspector, &theirs)),
        rule::FORGED
    );
    let renamed = Record::create(&t, "other-id", "cq/yz/001", &li()).expect("create");
    assert_eq!(
        rule_of(check_new_as("li", Role::Inspector, &renamed)),
        rule::SHAPE,
        "the header names the document it is in"
    );
}

#[test]
fn unsigned_and_forged_changes_are_refused_whatever_they_write() {
    let r = submitted();
    let unsigned = tampered(&r, None, |d| {
        let answers = obj(d, &["answers", "sign"]);
        d.put(&answers, "note", "late note").expect("put");
    });
    assert_eq!(
        rule_of(check_as("li", Role::Inspector, &r, &unsigned)),
        rule::UNSIGNED
    );
    let forged = tampered(&r, Some("wang"), |d| {
        d.put(ROOT, "status", "approved").expect("put");
    });
    let refusal = check_as("li", Role::Inspector, &r, &forged).expect_err("forged");
    assert_eq!(refusal.rule, rule::FORGED);
    assert!(
        refusal.reason.text.contains("signed `wang`"),
        "{}",
        refusal.reason
    );
}

#[test]
fn a_manager_cannot_rewrite_answers_and_an_inspector_cannot_approve() {
    let r = submitted();
    let rewritten = tampered(&r, Some("wang"), |d| {
        let a = obj(d, &["answers", "sign"]);
        d.put(&a, "by", "wang").expect("put");
    });
    assert_eq!(
        rule_of(check_as("wang", Role::Manager, &r, &rewritten)),
        rule::NOT_ALLOWED
    );
    let self_approved = tampered(&r, Some("li"), |d| {
        d.put(ROOT, "status", "approved").expect("put");
        append_history(d, "approved", "li");
    });
    assert_eq!(
        rule_of(check_as("li", Role::Inspector, &r, &self_approved)),
        rule::TRANSITION
    );
    let approved = after(&r, &wang(), |r, a| r.approve(a).expect("approve"));
    assert_eq!(check_as("wang", Role::Manager, &r, &approved), Ok(()));
}

#[test]
fn the_header_never_changes_after_creation() {
    let (r, _) = approved_with_action();
    let probes: [(&str, automerge::ScalarValue); 5] = [
        ("kind", "questionnaire".into()),
        ("mode", "mystery".into()),
        ("started_at", automerge::ScalarValue::Int(946_684_800_000)),
        ("store_id", "cq/jb/001".into()),
        ("author", "zhao".into()),
    ];
    for (key, value) in probes {
        for (user, role) in [
            ("staff", Role::StoreStaff),
            ("li", Role::Inspector),
            ("wang", Role::Manager),
        ] {
            let changed = tampered(&r, Some(user), |d| {
                let h = obj(d, &["header"]);
                d.put(&h, key, value.clone()).expect("put");
            });
            let refusal = check_as(user, role, &r, &changed).expect_err("fixed");
            assert_eq!(refusal.rule, rule::FIXED, "{key} by {user}");
            assert_eq!(
                refusal.path.as_deref(),
                Some(format!("/header/{key}").as_str())
            );
        }
    }
}

#[test]
fn nothing_changes_an_approved_record_but_its_actions_go_on() {
    let t = template();
    let (r, id) = approved_with_action();
    let late = tampered(&r, Some("li"), |d| {
        let a = obj(d, &["answers", "sign"]);
        d.put(&a, "note", "changed my mind").expect("put");
    });
    let refusal = check_as("li", Role::Inspector, &r, &late).expect_err("locked");
    assert!(refusal.reason.text.contains("locked"), "{}", refusal.reason);

    let staff = actor("staff", Role::StoreStaff);
    let done = after(&r, &staff, |r, a| r.complete_action(a, &id).expect("done"));
    assert_eq!(check_as("staff", Role::StoreStaff, &r, &done), Ok(()));
    assert_eq!(
        rule_of(check_as("liu", Role::StoreStaff, &r, &done)),
        rule::FORGED,
        "signed by staff, sent by liu"
    );
    // liu is not the assignee: the record operation refuses, so write it raw.
    let by_liu = tampered(&r, Some("liu"), |d| {
        let a = obj(d, &["actions", &id]);
        d.put(&a, "status", "done").expect("put");
    });
    assert_eq!(
        rule_of(check_as("liu", Role::StoreStaff, &r, &by_liu)),
        rule::TRANSITION,
        "only the assignee or a manager completes an action"
    );
    let verified_by_staff = tampered(&done, Some("staff"), |d| {
        let a = obj(d, &["actions", &id]);
        d.put(&a, "status", "verified").expect("put");
        d.put(&a, "verified_by", "staff").expect("put");
    });
    assert_eq!(
        rule_of(check_as(
            "staff",
            Role::StoreStaff,
            &done,
            &verified_by_staff
        )),
        rule::NOT_ALLOWED
    );
    let verified = after(&done, &wang(), |r, a| {
        r.verify_action(a, &id, None).expect("verify")
    });
    assert_eq!(check_as("wang", Role::Manager, &done, &verified), Ok(()));
    let staff_edits_the_ask = tampered(&r, Some("staff"), |d| {
        let a = obj(d, &["actions", &id]);
        d.put(&a, "due", "2030-01-01").expect("put");
    });
    assert_eq!(
        rule_of(check_as(
            "staff",
            Role::StoreStaff,
            &r,
            &staff_edits_the_ask
        )),
        rule::NOT_ALLOWED
    );
    let _ = t;
}

#[test]
fn comments_and_history_are_signed_append_only_and_not_for_store_staff() {
    let t = template();
    let r = submitted();
    let commented = after(&r, &wang(), |r, a| {
        r.comment(&t, a, None, "ok").expect("comment");
    });
    assert_eq!(check_as("wang", Role::Manager, &r, &commented), Ok(()));
    let id = commented
        .state()
        .expect("state")
        .comments
        .into_keys()
        .next()
        .expect("a comment");
    let edited = tampered(&commented, Some("wang"), |d| {
        let c = obj(d, &["comments", &id]);
        d.put(&c, "text", "not ok").expect("put");
    });
    assert_eq!(
        rule_of(check_as("wang", Role::Manager, &commented, &edited)),
        rule::FIXED
    );
    let deleted = tampered(&commented, Some("wang"), |d| {
        let c = obj(d, &["comments"]);
        d.delete(&c, id.as_str()).expect("delete");
    });
    assert_eq!(
        rule_of(check_as("wang", Role::Manager, &commented, &deleted)),
        rule::APPEND_ONLY
    );
    let by_staff = tampered(&r, Some("staff"), |d| {
        add_comment(d, "c1", "we fixed it", "staff")
    });
    assert_eq!(
        rule_of(check_as("staff", Role::StoreStaff, &r, &by_staff)),
        rule::NOT_ALLOWED
    );
    let in_another_name = tampered(&r, Some("wang"), |d| {
        add_comment(d, "c1", "signed by chen", "chen")
    });
    assert_eq!(
        rule_of(check_as("wang", Role::Manager, &r, &in_another_name)),
        rule::FORGED
    );
    let history_by_staff = tampered(&r, Some("staff"), |d| {
        append_history(d, "approved", "staff")
    });
    assert_eq!(
        rule_of(check_as("staff", Role::StoreStaff, &r, &history_by_staff)),
        rule::APPEND_ONLY,
        "history records status moves only"
    );
    let history_rewritten = tampered(&r, Some("wang"), |d| {
        let e = obj(d, &["history"]);
        let first = d.get(&e, 0).expect("read").expect("entry").1;
        d.put(&first, "by", "wang").expect("put");
    });
    assert_eq!(
        rule_of(check_as("wang", Role::Manager, &r, &history_rewritten)),
        rule::FIXED
    );
}

#[test]
fn nothing_outside_the_schema_gets_in() {
    type Write = fn(&mut AutoCommit, &automerge::ObjId);
    let probes: [(&str, Write, &str, &str); 6] = [
        (
            "an unknown root key",
            |d, _| {
                d.put(ROOT, "junk", "x".repeat(1_024)).expect("put");
            },
            rule::UNKNOWN_PATH,
            "/junk",
        ),
        (
            "an unknown field",
            |d, a| {
                d.put(a, "extra", 1_i64).expect("put");
            },
            rule::UNKNOWN_PATH,
            "/answers/sign/extra",
        ),
        (
            "an integer for a string",
            |d, a| {
                d.put(a, "note", 7_i64).expect("put");
            },
            rule::SHAPE,
            "/answers/sign/note",
        ),
        (
            "a text object for a string",
            |d, a| {
                let text = d.put_object(a, "note", ObjType::Text).expect("put");
                d.splice_text(&text, 0, 0, "a text object").expect("splice");
            },
            rule::SHAPE,
            "/answers/sign/note",
        ),
        (
            "a float for a time",
            |d, a| {
                d.put(a, "at", 1.5).expect("put");
            },
            rule::SHAPE,
            "/answers/sign/at",
        ),
        (
            "a note one character too long",
            |d, a| {
                d.put(a, "note", "字".repeat(TEXT_MAX + 1)).expect("put");
            },
            rule::SHAPE,
            "/answers/sign/note",
        ),
    ];
    let r = draft();
    for (what, write, expected, path) in probes {
        let changed = tampered(&r, Some("li"), |d| {
            let a = obj(d, &["answers", "sign"]);
            write(d, &a);
        });
        let refusal = check_as("li", Role::Inspector, &r, &changed).expect_err(what);
        assert_eq!(
            (refusal.rule, refusal.path.as_deref()),
            (expected, Some(path)),
            "{what}: {}",
            refusal.reason
        );
    }
    let fine = tampered(&r, Some("li"), |d| {
        let a = obj(d, &["answers", "sign"]);
        d.put(&a, "note", "字".repeat(TEXT_MAX)).expect("put");
    });
    assert_eq!(check_as("li", Role::Inspector, &r, &fine), Ok(()));
    let required_gone = tampered_doc(&r, "li", |d| {
        let a = obj(d, &["answers", "sign"]);
        d.delete(&a, "by").expect("delete");
    });
    let refusal = check(
        "r1",
        &mut r.doc().clone(),
        &mut required_gone.clone(),
        &gate("li", Role::Inspector),
    )
    .expect_err("required");
    assert_eq!(refusal.rule, rule::SHAPE);
}

#[test]
fn a_record_cannot_grow_past_its_size_limit() {
    let r = draft();
    let grown = tampered(&r, Some("li"), |d| {
        let a = obj(d, &["answers", "sign"]);
        d.put(&a, "note", "x".repeat(TEXT_MAX)).expect("put");
    });
    let check_holding = |held: u64| {
        check(
            "r1",
            &mut r.doc().clone(),
            &mut grown.doc().clone(),
            &gate("li", Role::Inspector).holding(held),
        )
    };
    assert_eq!(check_holding(1_000), Ok(()));
    assert_eq!(rule_of(check_holding(MAX_DOC_BYTES - 100)), rule::TOO_LARGE);
}

#[test]
fn a_record_cannot_grow_past_its_operations_limit_in_few_bytes() {
    // One note rewritten over and over: the record looks the same and its
    // change is small, but Automerge keeps every operation.
    let r = draft();
    let rewritten = tampered(&r, Some("li"), |d| {
        let a = obj(d, &["answers", "sign"]);
        for i in 0..600 {
            d.put(&a, "note", i.to_string()).expect("put");
        }
    });
    let holding = rewritten.doc().clone().stats().num_ops;
    let check_within = |max_ops: u64| {
        let mut g = gate("li", Role::Inspector);
        g.max_ops = max_ops;
        check("r1", &mut r.doc().clone(), &mut rewritten.doc().clone(), &g)
    };
    assert_eq!(check_within(holding), Ok(()));
    let refusal = check_within(holding - 1).expect_err("over");
    assert_eq!(refusal.rule, rule::TOO_LARGE);
    assert!(
        refusal.reason.text.contains("operations"),
        "{}",
        refusal.reason
    );
}

#[test]
fn only_the_author_ends_a_draft_and_only_an_interview_ends_partial() {
    let t = template();
    let r = draft();
    let discarded = after(&r, &li(), |r, a| r.discard(&t, a).expect("discard"));
    assert_eq!(check_as("li", Role::Inspector, &r, &discarded), Ok(()));
    assert_eq!(
        check_new_as("li", Role::Inspector, &discarded),
        Ok(()),
        "started and discarded before the first sync"
    );
    let as_partial = tampered(&r, Some("li"), |d| {
        d.put(ROOT, "status", "partial").expect("put");
        append_history(d, "partial", "li");
    });
    assert_eq!(
        rule_of(check_as("li", Role::Inspector, &r, &as_partial)),
        rule::TRANSITION,
        "an audit is never kept partial"
    );
    let revived = tampered(&discarded, Some("li"), |d| {
        d.put(ROOT, "status", "draft").expect("put");
    });
    assert_eq!(
        rule_of(check_as("li", Role::Inspector, &discarded, &revived)),
        rule::TRANSITION
    );
    let s = survey();
    let zhou = actor("zhou", Role::Surveyor);
    let mut interview = Record::create(&s, "r1", "cq/yz/001", &zhou).expect("create");
    interview
        .answer(&s, &zhou, "sign", AnswerValue::Pass, None)
        .expect("answer");
    let quit = after(&interview, &zhou, |r, a| {
        assert_eq!(r.quit(&s, a).expect("quit"), Status::Partial);
    });
    assert_eq!(check_as("zhou", Role::Surveyor, &interview, &quit), Ok(()));
    assert_eq!(
        rule_of(check_as("wang", Role::Manager, &interview, &quit)),
        rule::FORGED
    );
}

#[test]
fn changes_that_write_nothing_or_carry_long_messages_do_not_eat_the_budget() {
    let r = draft();
    let empty = {
        let mut doc = r.doc().clone().fork();
        doc.set_author(Some(Author::from(b"li".to_vec())));
        doc.empty_change(automerge::transaction::CommitOptions::default());
        Record { doc }
    };
    assert_eq!(
        rule_of(check_as("li", Role::Inspector, &r, &empty)),
        rule::SHAPE
    );
    let chatty = {
        let mut doc = r.doc().clone().fork();
        doc.set_author(Some(Author::from(b"li".to_vec())));
        let a = obj(&doc, &["answers", "sign"]);
        doc.put(&a, "note", "ok").expect("put");
        doc.commit_with(
            automerge::transaction::CommitOptions::default().with_message("x".repeat(10_000)),
        );
        Record { doc }
    };
    assert_eq!(
        rule_of(check_as("li", Role::Inspector, &r, &chatty)),
        rule::SHAPE
    );
}

#[test]
fn an_old_object_a_conflict_brings_up_is_checked_like_any_other() {
    // li writes a valid answer `x` concurrently with an older state (it
    // loses the conflict), and in the same message writes junk into the
    // answer that wins.
    let t = template();
    let r = draft();
    let old_heads = r.doc().clone().get_heads();
    // The winner is written after more ops than the stale answer, so its
    // op counter is higher and it wins the conflict.
    let mut current = after(&r, &li(), |r, a| {
        r.comment(&t, a, None, "first a comment").expect("comment");
        r.answer(&t, a, "sign", AnswerValue::Pass, None)
            .expect("answer")
    });
    let base = current.clone();
    let mut stale = r.doc().clone().fork_at(&old_heads).expect("fork");
    stale.set_author(Some(Author::from(b"li".to_vec())));
    put_answer_raw(&mut stale, "sign");
    stale.commit();
    let doc = current.doc_mut();
    doc.set_author(Some(Author::from(b"li".to_vec())));
    let winner = obj(doc, &["answers", "sign"]);
    doc.put(&winner, "junk", 1_i64).expect("put");
    doc.commit();
    doc.merge(&mut stale).expect("merge");
    let all = doc
        .get_all(obj(doc, &["answers"]), "sign")
        .expect("read")
        .len();
    assert_eq!(all, 2, "the setup holds: a conflict at the answer");
    assert_eq!(
        obj(doc, &["answers", "sign"]),
        winner,
        "and the junk is in the winner"
    );
    let refusal = check_as("li", Role::Inspector, &base, &current).expect_err("junk");
    assert_eq!(refusal.rule, rule::UNKNOWN_PATH, "{}", refusal.reason);
}

/// A whole answer to `item`, written by hand by li.
fn put_answer_raw(d: &mut AutoCommit, item: &str) {
    let answers = obj(d, &["answers"]);
    let a = d.put_object(&answers, item, ObjType::Map).expect("put");
    d.put(&a, "value", "Fail").expect("put");
    d.put(&a, "note", automerge::ScalarValue::Null)
        .expect("put");
    d.put_object(&a, "evidence", ObjType::List).expect("put");
    d.put(&a, "by", "li").expect("put");
    d.put(&a, "at", 5_i64).expect("put");
}

#[test]
fn the_history_grows_by_one_entry_at_its_end_naming_the_move() {
    let r = draft();
    let with_fake_approval = tampered(&r, Some("li"), |d| {
        d.put(ROOT, "status", "submitted").expect("put");
        let h = obj(d, &["history"]);
        let e = d.insert_object(&h, 0, ObjType::Map).expect("insert");
        d.put(&e, "status", "approved").expect("put");
        d.put(&e, "by", "li").expect("put");
        d.put(&e, "at", 5_i64).expect("put");
        append_history(d, "submitted", "li");
    });
    assert_eq!(
        rule_of(check_as("li", Role::Inspector, &r, &with_fake_approval)),
        rule::APPEND_ONLY
    );
    let twice = tampered(&r, Some("li"), |d| {
        d.put(ROOT, "status", "submitted").expect("put");
        append_history(d, "approved", "li");
        append_history(d, "submitted", "li");
    });
    assert_eq!(
        rule_of(check_as("li", Role::Inspector, &r, &twice)),
        rule::TRANSITION
    );
    // A new record cannot arrive with a made-up past either.
    let t = template();
    let mut fresh = Record::create(&t, "r1", "cq/yz/001", &li()).expect("create");
    {
        let doc = fresh.doc_mut();
        doc.set_author(Some(Author::from(b"li".to_vec())));
        append_history(doc, "approved", "li");
        append_history(doc, "draft", "li");
        doc.commit();
    }
    assert_eq!(
        rule_of(check_new_as("li", Role::Inspector, &fresh)),
        rule::TRANSITION
    );
}

#[test]
fn the_record_gate_reads_documents_and_refuses_what_is_not_a_record() {
    let r = draft();
    let gate = RecordGate::new("li", Role::Inspector, "*");
    assert_eq!(
        gate.check("r1", &mut AutoCommit::new(), &mut r.doc().clone()),
        Ok(())
    );
    let elsewhere = RecordGate::new("li", Role::Inspector, "cq/jb");
    assert_eq!(
        rule_of(elsewhere.check("r1", &mut AutoCommit::new(), &mut r.doc().clone())),
        rule::NOT_PERMITTED
    );
    let mut junk = AutoCommit::new();
    junk.set_author(Some(Author::from(b"li".to_vec())));
    junk.put(ROOT, "x", 1).expect("put");
    junk.commit();
    let refusal = gate
        .check("x", &mut AutoCommit::new(), &mut junk)
        .expect_err("not a record");
    assert_eq!(refusal.rule, rule::UNKNOWN_PATH);
    assert_eq!(refusal.path.as_deref(), Some("/x"));
    assert_eq!(
        rule_of(gate.check("ref:units:cq", &mut AutoCommit::new(), &mut junk)),
        rule::READ_ONLY
    );
}

#[test]
fn a_new_record_carries_the_kind_and_mode_of_the_published_template_it_names() {
    let t = template();
    let r = draft();
    let mut published = Published::new();
    let key = (t.id.clone(), t.version.clone());
    published.insert(key.clone(), std::sync::Arc::new(t.clone()));
    let check_against = |published: &Published, r: &Record| {
        let pinned = gate("li", Role::Inspector).pinning(std::sync::Arc::new(published.clone()));
        check("r1", &mut AutoCommit::new(), &mut r.doc().clone(), &pinned)
    };
    assert_eq!(check_against(&published, &r), Ok(()));
    // The same template published as a mystery visit: this record calls
    // itself overt, which would show it to the store.
    let mut mystery = published.clone();
    let mut as_mystery = t.clone();
    as_mystery.mode = VisitMode::Mystery;
    mystery.insert(key, std::sync::Arc::new(as_mystery));
    let refusal = check_against(&mystery, &r).expect_err("mode");
    assert_eq!(refusal.rule, rule::TEMPLATE);
    assert_eq!(refusal.path.as_deref(), Some("/header/mode"));
    assert_eq!(
        check_against(&Published::new(), &r),
        Ok(()),
        "a version not published yet: kept unscored until it is"
    );
}

#[test]
fn honest_operations_pass_the_gate() {
    let t = template();
    let r = draft();
    assert_eq!(check_new_as("li", Role::Inspector, &r), Ok(()));
    let with_note = after(&r, &li(), |r, a| {
        r.answer(&t, a, "sign", AnswerValue::Pass, Some("clean".into()))
            .expect("answer")
    });
    assert_eq!(check_as("li", Role::Inspector, &r, &with_note), Ok(()));
    let cleared = after(&r, &li(), |r, a| r.clear(&t, a, "sign").expect("clear"));
    assert_eq!(check_as("li", Role::Inspector, &r, &cleared), Ok(()));
    let located = after(&r, &li(), |r, a| {
        r.stamp_location(
            &t,
            a,
            crate::answers::GeoPoint {
                lat: 29.5,
                lon: 106.5,
                accuracy_m: Some(12.0),
            },
        )
        .expect("stamp")
    });
    assert_eq!(check_as("li", Role::Inspector, &r, &located), Ok(()));
    let s = submitted();
    let returned = after(&s, &wang(), |r, a| {
        r.return_for_changes(a, "photo please").expect("return")
    });
    assert_eq!(check_as("wang", Role::Manager, &s, &returned), Ok(()));
    let resubmitted = after(&returned, &li(), |r, a| {
        r.answer(&t, a, "sign", AnswerValue::Pass, None)
            .expect("answer");
        r.comment(&t, a, Some("sign"), "fixed").expect("comment");
        r.submit(&t, a).expect("submit");
    });
    assert_eq!(
        check_as("li", Role::Inspector, &returned, &resubmitted),
        Ok(())
    );
    let (a, id) = approved_with_action();
    let reopened = after(&a, &actor("staff", Role::StoreStaff), |r, who| {
        r.complete_action(who, &id).expect("done")
    });
    let back = after(&reopened, &wang(), |r, who| {
        r.reopen_action(who, &id).expect("reopen")
    });
    assert_eq!(check_as("wang", Role::Manager, &reopened, &back), Ok(()));
}

// ---- The property: random changes, accepted exactly as the table says ----

const USERS: [(&str, Role); 6] = [
    ("li", Role::Inspector),
    ("zhao", Role::Inspector),
    ("wang", Role::Manager),
    ("root", Role::Admin),
    ("staff", Role::StoreStaff),
    ("liu", Role::StoreStaff),
];

const STATES: [Status; 6] = [
    Status::Draft,
    Status::Submitted,
    Status::Returned,
    Status::Resubmitted,
    Status::Approved,
    Status::Discarded,
];

/// A record by li in `state`; from submitted on, with an action assigned to
/// staff (open or done) and the return's comment where there was one.
fn record_in(state: Status, action_done: bool) -> (Record, Option<String>) {
    let t = template();
    let mut r = draft();
    match state {
        Status::Draft => return (r, None),
        Status::Discarded => {
            r.discard(&t, &li()).expect("discard");
            return (r, None);
        }
        _ => {}
    }
    r.submit(&t, &li()).expect("submit");
    if matches!(state, Status::Returned | Status::Resubmitted) {
        r.return_for_changes(&wang(), "again").expect("return");
    }
    if state == Status::Resubmitted {
        r.submit(&t, &li()).expect("resubmit");
    }
    if state == Status::Approved {
        r.approve(&wang()).expect("approve");
    }
    let id = r
        .open_action(
            &t,
            &wang(),
            NewAction {
                item: "sign".into(),
                description: "Fix".into(),
                assignee: "staff".into(),
                due: "2026-12-01".into(),
            },
        )
        .expect("open");
    if action_done {
        r.complete_action(&actor("staff", Role::StoreStaff), &id)
            .expect("done");
    }
    (r, Some(id))
}

/// One hand-built change, as a hostile or honest client might send it.
#[derive(Debug, Clone)]
enum Op {
    Header(&'static str),
    EditNote,
    NewAnswer { signed_by_self: bool },
    DeleteAnswer,
    AddComment,
    EditComment,
    Move(Status),
    AddAction,
    CompleteAction,
    VerifyAction,
    EditActionDue,
    UnknownKey,
    WrongType,
    TextObject,
    LongNote,
    RewriteHistory,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        prop::sample::select(vec![
            "kind",
            "mode",
            "started_at",
            "store_id",
            "author",
            "device"
        ])
        .prop_map(Op::Header),
        Just(Op::EditNote),
        any::<bool>().prop_map(|s| Op::NewAnswer { signed_by_self: s }),
        Just(Op::DeleteAnswer),
        Just(Op::AddComment),
        Just(Op::EditComment),
        prop::sample::select(STATES.to_vec()).prop_map(Op::Move),
        Just(Op::AddAction),
        Just(Op::CompleteAction),
        Just(Op::VerifyAction),
        Just(Op::EditActionDue),
        Just(Op::UnknownKey),
        Just(Op::WrongType),
        Just(Op::TextObject),
        Just(Op::LongNote),
        Just(Op::RewriteHistory),
    ]
}

fn put_map(
    d: &mut AutoCommit,
    parent: &automerge::ObjId,
    key: &str,
    fields: &[(&str, automerge::ScalarValue)],
) {
    let e = d.put_object(parent, key, ObjType::Map).expect("put");
    for (k, v) in fields {
        d.put(&e, *k, v.clone()).expect("put");
    }
}

/// Writes `op` raw as `user`. `None`: the op has nothing to act on here.
fn apply(r: &Record, op: &Op, user: &str, action: Option<&str>) -> Option<Record> {
    use automerge::ScalarValue as V;
    let state = r.state().ok()?;
    let comment = state.comments.keys().next().cloned();
    let needs_answer = matches!(
        op,
        Op::EditNote | Op::DeleteAnswer | Op::WrongType | Op::TextObject | Op::LongNote
    );
    if needs_answer && !state.answers.contains_key("sign")
        || matches!(op, Op::EditComment) && comment.is_none()
        || matches!(
            op,
            Op::CompleteAction | Op::VerifyAction | Op::EditActionDue
        ) && action.is_none()
    {
        return None;
    }
    Some(tampered(r, Some(user), |d| match op {
        Op::Header(key) => {
            let h = obj(d, &["header"]);
            let v: V = match *key {
                "started_at" => V::Int(1),
                "kind" => "questionnaire".into(),
                "mode" => "mystery".into(),
                _ => "someone-else".into(),
            };
            d.put(&h, *key, v).expect("put");
        }
        Op::EditNote => {
            let a = obj(d, &["answers", "sign"]);
            d.put(&a, "note", "a note").expect("put");
        }
        Op::NewAnswer { signed_by_self } => {
            let answers = obj(d, &["answers"]);
            let by = if *signed_by_self { user } else { "nobody" };
            let e = d.put_object(&answers, "extra", ObjType::Map).expect("put");
            d.put(&e, "value", "Pass").expect("put");
            d.put(&e, "note", V::Null).expect("put");
            d.put_object(&e, "evidence", ObjType::List).expect("put");
            d.put(&e, "by", by).expect("put");
            d.put(&e, "at", 5_i64).expect("put");
        }
        Op::DeleteAnswer => {
            let answers = obj(d, &["answers"]);
            d.delete(&answers, "sign").expect("delete");
        }
        Op::AddComment => add_comment(d, "new-comment", "hello", user),
        Op::EditComment => {
            let c = obj(d, &["comments", comment.as_deref().unwrap_or_default()]);
            d.put(&c, "text", "edited").expect("put");
        }
        Op::Move(to) => {
            d.put(ROOT, "status", to.as_str()).expect("put");
            append_history(d, to.as_str(), user);
        }
        Op::AddAction => {
            let a = obj(d, &["actions"]);
            put_map(
                d,
                &a,
                "new-action",
                &[
                    ("item", "sign".into()),
                    ("description", "do it".into()),
                    ("assignee", "staff".into()),
                    ("due", "2027-01-01".into()),
                    ("status", "open".into()),
                    ("created_by", user.into()),
                    ("created_at", V::Int(5)),
                    ("done_at", V::Null),
                    ("verified_by", V::Null),
                    ("verified_at", V::Null),
                    ("verified_record", V::Null),
                ],
            );
        }
        Op::CompleteAction => {
            let a = obj(d, &["actions", action.unwrap_or_default()]);
            d.put(&a, "status", "done").expect("put");
            d.put(&a, "done_at", 5_i64).expect("put");
        }
        Op::VerifyAction => {
            let a = obj(d, &["actions", action.unwrap_or_default()]);
            d.put(&a, "status", "verified").expect("put");
            d.put(&a, "verified_by", user).expect("put");
            d.put(&a, "verified_at", 5_i64).expect("put");
        }
        Op::EditActionDue => {
            let a = obj(d, &["actions", action.unwrap_or_default()]);
            d.put(&a, "due", "2030-01-01").expect("put");
        }
        Op::UnknownKey => {
            d.put(ROOT, "junk", "x").expect("put");
        }
        Op::WrongType => {
            let a = obj(d, &["answers", "sign"]);
            d.put(&a, "at", "yesterday").expect("put");
        }
        Op::TextObject => {
            let a = obj(d, &["answers", "sign"]);
            let t = d.put_object(&a, "note", ObjType::Text).expect("put");
            d.splice_text(&t, 0, 0, "hi").expect("splice");
        }
        Op::LongNote => {
            let a = obj(d, &["answers", "sign"]);
            d.put(&a, "note", "x".repeat(TEXT_MAX + 1)).expect("put");
        }
        Op::RewriteHistory => {
            let h = obj(d, &["history"]);
            let first = d.get(&h, 0).expect("read").expect("entry").1;
            d.put(&first, "at", 0_i64).expect("put");
        }
    }))
}

/// The rule table, read directly: whether `user` with `role` may make `op`
/// to a record in `state` (whose action is `done` or open).
fn table_allows(op: &Op, user: &str, role: Role, state: Status, done: bool) -> bool {
    use Status::*;
    let author = user == "li" && role == Role::Inspector;
    let reviewer = matches!(role, Role::Manager | Role::Admin);
    let editable = matches!(state, Draft | Returned);
    match op {
        Op::Header(_) | Op::EditComment | Op::UnknownKey | Op::WrongType | Op::TextObject => false,
        Op::LongNote | Op::RewriteHistory => false,
        Op::EditNote | Op::DeleteAnswer => author && editable,
        Op::NewAnswer { signed_by_self } => author && editable && *signed_by_self,
        Op::AddComment => {
            (author || reviewer)
                && matches!(state, Draft | Submitted | Returned | Resubmitted | Partial)
        }
        Op::Move(to) => {
            *to != state
                && transition_allowed(TemplateKind::Checklist, state, *to, role, user == "li")
        }
        Op::AddAction => {
            reviewer
                && matches!(
                    state,
                    Submitted | Returned | Resubmitted | Approved | Partial
                )
        }
        // Completing a done action again moves nothing; done_at is the
        // assignee's or a reviewer's to write.
        Op::CompleteAction => reviewer || user == "staff",
        Op::VerifyAction => done && reviewer,
        Op::EditActionDue => reviewer,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_changes_pass_exactly_when_the_rule_table_allows_them(
        state in prop::sample::select(STATES.to_vec()),
        done in any::<bool>(),
        who in 0..USERS.len(),
        op in op(),
    ) {
        let (r, action) = record_in(state, done);
        let (user, role) = USERS[who];
        let Some(changed) = apply(&r, &op, user, action.as_deref()) else {
            return Ok(());
        };
        let verdict = check_as(user, role, &r, &changed);
        let expected = table_allows(&op, user, role, state, done);
        prop_assert_eq!(verdict.is_ok(), expected, "{:?} by {} ({}) on a {} record: {:?}", op, user, role, state, verdict);
        if verdict.is_ok() {
            prop_assert!(changed.state().is_ok(), "whatever the gate lets in reads back as a record");
        }
    }
}

/// A draft whose note on `sign` two of li's devices wrote at once: `dev1`
/// wrote once, the other many times, so its value wins the conflict.
fn conflicted_note() -> (AutoCommit, AutoCommit) {
    let r = draft();
    let dev1 = tampered_doc(&r, "li", |d| {
        let a = obj(d, &["answers", "sign"]);
        d.put(&a, "note", "A").expect("put");
    });
    let mut dev2 = tampered_doc(&r, "li", |d| {
        let a = obj(d, &["answers", "sign"]);
        for i in 0..20 {
            d.put(&a, "note", format!("b{i}")).expect("put");
        }
    });
    let mut stored = dev1.clone();
    stored.merge(&mut dev2).expect("merge");
    let sign = obj(&stored, &["answers", "sign"]);
    assert_eq!(stored.get_all(&sign, "note").expect("read").len(), 2);
    (dev1, stored)
}

/// `stored` with a change made on `seen` (a copy that saw only `dev1`'s
/// note) by `author`, writing `note`; asserts the new value lost the
/// conflict, so Automerge's diff shows nothing of it.
fn hidden_note(seen: &AutoCommit, stored: &AutoCommit, author: &str, note: &str) -> AutoCommit {
    let mut w = seen.clone().fork();
    w.set_author(Some(Author::from(author.as_bytes().to_vec())));
    let a = obj(&w, &["answers", "sign"]);
    w.put(&a, "note", note).expect("put");
    w.commit();
    let mut after = stored.clone();
    after.merge(&mut w).expect("merge");
    let sign = obj(&after, &["answers", "sign"]);
    assert_eq!(after.get_all(&sign, "note").expect("read").len(), 2);
    let shown = after.get(&sign, "note").expect("read").expect("a note").0;
    assert_eq!(shown.as_str(), Some("b19"), "the new note is hidden");
    let (before_heads, after_heads) = (stored.clone().get_heads(), after.get_heads());
    assert!(
        after.diff(&before_heads, &after_heads).is_empty(),
        "no patch shows it"
    );
    after
}

#[test]
fn a_value_hidden_by_a_conflict_is_checked_like_any_other() {
    let (dev1, stored) = conflicted_note();
    // A manager may not write an inspector's note, shown or hidden.
    let mut by_manager = hidden_note(&dev1, &stored, "wang", "by wang");
    let refusal = check(
        "r1",
        &mut stored.clone(),
        &mut by_manager,
        &gate("wang", Role::Manager),
    )
    .expect_err("a manager's hidden note");
    assert_eq!(refusal.rule, rule::NOT_ALLOWED, "{refusal:?}");
    // The author may, within the note's shape.
    let mut long = hidden_note(&dev1, &stored, "li", &"x".repeat(TEXT_MAX + 1));
    let refusal = check(
        "r1",
        &mut stored.clone(),
        &mut long,
        &gate("li", Role::Inspector),
    )
    .expect_err("an oversized hidden note");
    assert_eq!(refusal.rule, rule::SHAPE, "{refusal:?}");
    let mut fine = hidden_note(&dev1, &stored, "li", "fine");
    assert_eq!(
        check(
            "r1",
            &mut stored.clone(),
            &mut fine,
            &gate("li", Role::Inspector)
        ),
        Ok(())
    );
}

#[test]
fn a_write_inside_an_object_a_conflict_hides_is_checked_too() {
    // Two of li's devices answer the same item at once: two answer
    // objects, one hidden behind the other.
    let t = template();
    let r = Record::create(&t, "r1", "cq/yz/001", &li()).expect("create");
    let mut one = after(&r, &li(), |r, a| {
        r.answer(&t, a, "sign", AnswerValue::Pass, None)
            .expect("answer")
    })
    .doc()
    .clone();
    let mut two = after(&r, &li(), |r, a| {
        r.answer(&t, a, "sign", AnswerValue::Fail, None)
            .expect("answer")
    })
    .doc()
    .clone();
    one.merge(&mut two).expect("merge");
    let stored = one;
    let answers = obj(&stored, &["answers"]);
    let both = stored.get_all(&answers, "sign").expect("read");
    assert_eq!(both.len(), 2, "a conflict");
    let shown = stored.get(&answers, "sign").expect("read").expect("sign").1;
    let hidden = both
        .iter()
        .map(|(_, id)| id.clone())
        .find(|id| *id != shown)
        .expect("a hidden answer");
    // A manager writes a note inside the hidden answer: no patch shows it.
    let mut w = stored.clone().fork();
    w.set_author(Some(Author::from(b"wang".to_vec())));
    w.put(&hidden, "note", "by wang").expect("put");
    w.commit();
    let mut changed = stored.clone();
    changed.merge(&mut w).expect("merge");
    let (h0, h1) = (stored.clone().get_heads(), changed.get_heads());
    assert!(changed.diff(&h0, &h1).is_empty(), "no patch shows it");
    let refusal = check(
        "r1",
        &mut stored.clone(),
        &mut changed,
        &gate("wang", Role::Manager),
    )
    .expect_err("a manager's note inside a hidden answer");
    assert_eq!(refusal.rule, rule::NOT_ALLOWED, "{refusal:?}");
}

/// li's gate, where the server has published `t`.
fn publishing(t: &Template) -> RecordGate {
    let mut published = Published::new();
    published.insert(
        (t.id.clone(), t.version.clone()),
        std::sync::Arc::new(t.clone()),
    );
    gate("li", Role::Inspector).pinning(std::sync::Arc::new(published))
}

/// `r` marked submitted by li, as a client that is not ours could.
fn forged_submit(r: &Record) -> Record {
    tampered(r, Some("li"), |d| {
        d.put(ROOT, "status", "submitted").expect("put");
        append_history(d, "submitted", "li");
    })
}

/// A client that is not ours marks a record submitted without the answers
/// its published template requires: refused, naming the first problem,
/// whether the record arrives submitted or a draft is moved. Where the
/// version is not published, the server cannot tell and keeps it.
#[test]
fn a_record_submitted_without_what_its_template_requires_is_refused() {
    let src = format!(
        "{CHECKLIST}{ITEMS}\n[[sections]]\nid = \"t\"\ntitle = {{ zh-CN = \"乙\", en = \"B\" }}\n[[sections.items]]\nid = \"count\"\ntype = \"number\"\nrequired = true\nconstraint = \". >= 0\"\nlabel = {{ zh-CN = \"数量\", en = \"Count\" }}\n"
    );
    let t = Template::load(&src, Format::Toml).expect("valid");
    let pinned = publishing(&t);
    let mut r = Record::create(&t, "r1", "cq/yz/001", &li()).expect("create");
    r.answer(&t, &li(), "sign", AnswerValue::Pass, None)
        .expect("answer");
    let check_moved = |before: &Record, after: &Record, gate: &RecordGate| {
        check(
            "r1",
            &mut before.doc().clone(),
            &mut after.doc().clone(),
            gate,
        )
    };

    let refusal = check_moved(&r, &forged_submit(&r), &pinned).expect_err("count missing");
    assert_eq!(refusal.rule, rule::INCOMPLETE);
    assert_eq!(refusal.path.as_deref(), Some("/answers/count"));
    assert!(
        refusal.reason.text.contains("1 problems"),
        "{}",
        refusal.reason.text
    );
    let arrives_submitted = check(
        "r1",
        &mut AutoCommit::new(),
        &mut forged_submit(&r).doc().clone(),
        &pinned,
    );
    assert_eq!(rule_of(arrives_submitted), rule::INCOMPLETE);

    // A constraint broken is as much a problem as an answer missing.
    r.answer(&t, &li(), "count", AnswerValue::Number(-1.0), None)
        .expect("answer");
    assert_eq!(
        rule_of(check_moved(&r, &forged_submit(&r), &pinned)),
        rule::INCOMPLETE
    );
    r.answer(&t, &li(), "count", AnswerValue::Number(3.0), None)
        .expect("answer");
    assert_eq!(check_moved(&r, &forged_submit(&r), &pinned), Ok(()));

    // Not published here: kept, as before.
    let empty = Record::create(&t, "r1", "cq/yz/001", &li()).expect("create");
    assert_eq!(
        check_moved(&empty, &forged_submit(&empty), &gate("li", Role::Inspector)),
        Ok(())
    );
}

/// A record that says it was started days from now (a device's clock set
/// wrong, or a client moving what `today()` reads) is refused; one started
/// a few hours ahead, within a device's error, is kept.
#[test]
fn a_record_started_days_ahead_of_the_server_is_refused() {
    let t = template();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let started = |ahead_ms: i64| Actor {
        now_ms: now_ms + ahead_ms,
        ..li()
    };
    let arrives = |r: &Record| check_new_as("li", Role::Inspector, r);
    let ahead = Record::create(&t, "r1", "cq/yz/001", &started(3 * 86_400_000)).expect("create");
    let refusal = arrives(&ahead).expect_err("three days ahead");
    assert_eq!(refusal.rule, rule::CLOCK);
    assert_eq!(refusal.path.as_deref(), Some("/header/started_at"));
    let near = Record::create(&t, "r1", "cq/yz/001", &started(3 * 3_600_000)).expect("create");
    assert_eq!(arrives(&near), Ok(()));
}

/// `today()` on the server is the day the record was started, read from its
/// header: a date after it, forged into a submitted record days later, is
/// refused as the device would refuse it.
#[test]
fn today_in_a_constraint_is_the_day_the_record_was_started() {
    let src = format!(
        "{CHECKLIST}{ITEMS}\n[[sections]]\nid = \"t\"\ntitle = {{ zh-CN = \"乙\", en = \"B\" }}\n[[sections.items]]\nid = \"day\"\ntype = \"date\"\nconstraint = \". <= today()\"\nlabel = {{ zh-CN = \"日期\", en = \"Day\" }}\n"
    );
    let t = Template::load(&src, Format::Toml).expect("valid");
    let pinned = publishing(&t);
    // Started at 01:30 on 1 December 2026, Beijing time.
    let started = Actor {
        now_ms: 1_796_059_800_000,
        ..li()
    };
    let mut r = Record::create(&t, "r1", "cq/yz/001", &started).expect("create");
    r.answer(&t, &started, "sign", AnswerValue::Pass, None)
        .expect("answer");
    let submitted_with = |day: &str| {
        let mut r = r.clone();
        r.answer(&t, &started, "day", AnswerValue::Text(day.into()), None)
            .expect("answer");
        forged_submit(&r)
    };
    let arrives = |after: Record| {
        check(
            "r1",
            &mut AutoCommit::new(),
            &mut after.doc().clone(),
            &pinned,
        )
    };
    let refusal = arrives(submitted_with("2026-12-02")).expect_err("after the start");
    assert_eq!(refusal.rule, rule::INCOMPLETE);
    assert_eq!(refusal.path.as_deref(), Some("/answers/day"));
    assert_eq!(arrives(submitted_with("2026-12-01")), Ok(()));
}

/// A section repeated per member of staff: each entry's answers are kept
/// under `item@entry`. The gate takes answers in well-named entries, and a
/// record submitted with an entry missing what the template requires is
/// refused at that entry's answer; a key that names no entry is no path.
#[test]
fn answers_in_the_entries_of_a_repeated_section_are_checked_per_entry() {
    let src = format!(
        "{CHECKLIST}{ITEMS}\n[[sections]]\nid = \"staff\"\ntitle = {{ zh-CN = \"员工\", en = \"Staff\" }}\nrepeat = true\n[[sections.items]]\nid = \"name\"\ntype = \"text\"\nrequired = true\nlabel = {{ zh-CN = \"姓名\", en = \"Name\" }}\n[[sections.items]]\nid = \"uniform\"\ntype = \"pass_fail\"\npoints = 10\nrequired = true\nlabel = {{ zh-CN = \"着装\", en = \"Uniform\" }}\n"
    );
    let t = Template::load(&src, Format::Toml).expect("valid");
    let pinned = publishing(&t);
    let mut r = Record::create(&t, "r1", "cq/yz/001", &li()).expect("create");
    let before = r.fork();
    r.answer(&t, &li(), "sign", AnswerValue::Pass, None)
        .expect("answer");
    for (key, value) in [
        ("name@0019a1b2c3d4", AnswerValue::Text("李".into())),
        ("uniform@0019a1b2c3d4", AnswerValue::Pass),
        ("name@0019a1b2c3e5", AnswerValue::Text("王".into())),
    ] {
        r.answer(&t, &li(), key, value, None).expect("answer");
    }
    assert_eq!(check_as("li", Role::Inspector, &before, &r), Ok(()));
    // No item outside a repeated section has entries, nor one inside none.
    assert!(
        r.answer(&t, &li(), "sign@1", AnswerValue::Pass, None)
            .is_err()
    );
    assert!(
        r.answer(&t, &li(), "uniform", AnswerValue::Pass, None)
            .is_err()
    );

    let check_moved = |before: &Record, after: &Record| {
        check(
            "r1",
            &mut before.doc().clone(),
            &mut after.doc().clone(),
            &pinned,
        )
    };
    let refusal = check_moved(&r, &forged_submit(&r)).expect_err("wang's uniform");
    assert_eq!(refusal.rule, rule::INCOMPLETE);
    assert_eq!(
        refusal.path.as_deref(),
        Some("/answers/uniform@0019a1b2c3e5")
    );
    r.answer(&t, &li(), "uniform@0019a1b2c3e5", AnswerValue::Fail, None)
        .expect("answer");
    assert_eq!(check_moved(&r, &forged_submit(&r)), Ok(()));

    // Written by hand: an entry named with what no entry name holds.
    let junk = tampered(&r, Some("li"), |d| put_answer_raw(d, "uniform@a b"));
    assert_eq!(
        rule_of(check_as("li", Role::Inspector, &r, &junk)),
        rule::UNKNOWN_PATH
    );
}
