//! Server-side validation of a client's changes to a record (design.md
//! decision 4): the record before and after the changes is compared against
//! the user's role and the record's state. The rules are the same ones the
//! record operations enforce on the device, checked again where they cannot
//! be bypassed.

use super::{ActionStatus, RecordState, Status};
use crate::templates::TemplateKind;
use crate::vocab::Role;

/// Who sent the changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender<'a> {
    pub user: &'a str,
    pub role: Role,
}

/// Why changes were refused; the text goes back to the device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Violation(pub String);

fn deny<T>(msg: impl Into<String>) -> Result<T, Violation> {
    Err(Violation(msg.into()))
}

fn is_reviewer(role: Role) -> bool {
    matches!(role, Role::Manager | Role::Admin)
}

/// Checks a change from `before` (`None`: the record is new) to `after`.
/// `authors` are the Automerge authors of the new changes.
pub fn check_change(
    before: Option<&RecordState>,
    after: &RecordState,
    sender: &Sender,
    authors: &[Option<String>],
) -> Result<(), Violation> {
    if authors.iter().any(|a| a.as_deref() != Some(sender.user)) {
        return deny("changes must be authored by the signed-in user");
    }
    let Some(before) = before else {
        return check_new(after, sender);
    };
    if after.header.record_id != before.header.record_id
        || after.header.template_id != before.header.template_id
        || after.header.template_version != before.header.template_version
        || after.header.store_id != before.header.store_id
        || after.header.author != before.header.author
    {
        return deny("a record's identity (id, template, store, author) cannot change");
    }
    let is_author = sender.user == before.header.author;
    let answers_changed = after.answers != before.answers
        || after.header.ended_at != before.header.ended_at
        || after.header.location != before.header.location;
    let status_changed = after.status != before.status;
    let comments_changed = after.comments != before.comments;

    if before.status == Status::Approved && (answers_changed || status_changed || comments_changed)
    {
        return deny("this record is approved and locked");
    }
    if answers_changed {
        if !is_author || !matches!(sender.role, Role::Inspector | Role::Surveyor) {
            return deny("only the record's author may change its answers");
        }
        if !matches!(before.status, Status::Draft | Status::Returned) && !status_changed {
            return deny(format!(
                "answers cannot change while the record is {}",
                before.status
            ));
        }
    }
    if status_changed {
        check_transition(
            after.header.kind,
            before.status,
            after.status,
            sender,
            is_author,
        )?;
    }
    for (id, c) in &after.comments {
        match before.comments.get(id) {
            None if c.by != sender.user => return deny("a comment must be signed by its writer"),
            Some(old) if old != c => return deny("comments cannot be edited"),
            _ => {}
        }
    }
    if before
        .comments
        .keys()
        .any(|k| !after.comments.contains_key(k))
    {
        return deny("comments cannot be deleted");
    }
    if !after.history.starts_with(&before.history)
        || after.history[before.history.len()..]
            .iter()
            .any(|h| h.by != sender.user)
    {
        return deny("the status history is append-only and signed by its writer");
    }
    check_actions(before, after, sender)
}

fn check_new(after: &RecordState, sender: &Sender) -> Result<(), Violation> {
    if !matches!(sender.role, Role::Inspector | Role::Surveyor) {
        return deny(format!("a {} cannot start records", sender.role));
    }
    if after.header.author != sender.user {
        return deny("a new record must be authored by the signed-in user");
    }
    // A new record arrives as a draft, or in any state its author may move a
    // draft to (submitted, or ended before it could sync).
    let first = after.status == Status::Draft
        || check_transition(after.header.kind, Status::Draft, after.status, sender, true).is_ok();
    if !first || !after.comments.is_empty() || !after.actions.is_empty() {
        return deny(
            "a new record arrives as a draft, submitted, partial or discarded, without review",
        );
    }
    if after.history.iter().any(|h| h.by != sender.user) {
        return deny("the status history must be signed by the author");
    }
    Ok(())
}

fn check_transition(
    kind: TemplateKind,
    from: Status,
    to: Status,
    sender: &Sender,
    is_author: bool,
) -> Result<(), Violation> {
    use Status::*;
    let ok = match (from, to) {
        (Draft, Submitted | Discarded) | (Returned, Resubmitted) => is_author,
        (Draft, Partial) => is_author && kind == TemplateKind::Questionnaire,
        (Submitted | Resubmitted, Returned | Approved) => is_reviewer(sender.role),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        deny(format!(
            "a {} cannot move a record from {from} to {to}",
            sender.role
        ))
    }
}

fn check_actions(
    before: &RecordState,
    after: &RecordState,
    sender: &Sender,
) -> Result<(), Violation> {
    if before
        .actions
        .keys()
        .any(|k| !after.actions.contains_key(k))
    {
        return deny("corrective actions cannot be deleted");
    }
    for (id, a) in &after.actions {
        let Some(old) = before.actions.get(id) else {
            if !is_reviewer(sender.role)
                || a.created_by != sender.user
                || a.status != ActionStatus::Open
            {
                return deny("only a manager opens corrective actions, in their own name");
            }
            continue;
        };
        if old == a {
            continue;
        }
        let fixed = (
            old.item.as_str(),
            old.description.as_str(),
            old.assignee.as_str(),
            old.due.as_str(),
            old.created_by.as_str(),
            old.created_at,
        ) == (
            a.item.as_str(),
            a.description.as_str(),
            a.assignee.as_str(),
            a.due.as_str(),
            a.created_by.as_str(),
            a.created_at,
        );
        let allowed = match (old.status, a.status) {
            (ActionStatus::Open, ActionStatus::Done) => {
                a.assignee == sender.user || is_reviewer(sender.role)
            }
            (ActionStatus::Done, ActionStatus::Verified) => {
                is_reviewer(sender.role) && a.verified_by.as_deref() == Some(sender.user)
            }
            (ActionStatus::Done, ActionStatus::Open) => is_reviewer(sender.role),
            _ => false,
        };
        if !fixed && !is_reviewer(sender.role) {
            return deny("only a manager may change what a corrective action asks");
        }
        if old.status != a.status && !allowed {
            return deny(format!(
                "a {} cannot move action {id} from {} to {}",
                sender.role, old.status, a.status
            ));
        }
    }
    Ok(())
}

/// What a user is told about a document outside their reach, whether or not
/// it exists.
pub const NOT_PERMITTED: &str = "not found or not permitted";

/// What a device is told when it changes reference data.
pub const READ_ONLY: &str = "reference data is read-only: administrators change it on the server";

/// Whether `store_id` lies in `scope` (design.md decision 7): `*`, or a
/// store hierarchy path such as `cq/yuzhong` covering `cq/yuzhong/...`.
pub fn in_scope(scope: &str, store_id: &str) -> bool {
    scope == "*"
        || store_id == scope
        || store_id
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The [`Gate`](crate::sync::Gate) for record documents: only records of a
/// store in the sender's scope pass, and only changes [`check_change`] allows.
#[derive(Debug)]
pub struct RecordGate {
    pub user: String,
    pub role: Role,
    pub scope: String,
    /// The record as the last accepted check saw it, with its heads, so the
    /// caller storing the change need not read the document again.
    checked: std::sync::Mutex<Option<(Vec<automerge::ChangeHash>, RecordState)>>,
}

impl RecordGate {
    pub fn new(user: impl Into<String>, role: Role, scope: impl Into<String>) -> RecordGate {
        RecordGate {
            user: user.into(),
            role,
            scope: scope.into(),
            checked: Default::default(),
        }
    }

    /// The state the gate accepted, if `heads` are the heads it checked.
    pub fn take_checked(&self, heads: &[automerge::ChangeHash]) -> Option<RecordState> {
        let mut slot = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        match slot.take() {
            Some((h, state)) if h == heads => Some(state),
            _ => None,
        }
    }
}

impl crate::sync::Gate for RecordGate {
    fn check(
        &self,
        doc: &str,
        before: &mut automerge::AutoCommit,
        after: &mut automerge::AutoCommit,
    ) -> Result<(), String> {
        if crate::refdata::is_reference(doc) {
            return Err(READ_ONLY.into());
        }
        let authors: Vec<Option<String>> = after
            .get_changes_added(before)
            .iter()
            .map(|c| {
                c.author()
                    .map(|a| String::from_utf8_lossy(a.as_bytes()).into_owned())
            })
            .collect();
        let before_state = if before.get_heads().is_empty() {
            None
        } else {
            Some(
                autosurgeon::hydrate::<_, RecordState>(before)
                    .map_err(|e| format!("not a record: {e}"))?,
            )
        };
        let after_state: RecordState =
            autosurgeon::hydrate(after).map_err(|e| format!("not a record: {e}"))?;
        if !in_scope(&self.scope, &after_state.header.store_id) {
            return Err(NOT_PERMITTED.into());
        }
        let sender = Sender {
            user: &self.user,
            role: self.role,
        };
        check_change(before_state.as_ref(), &after_state, &sender, &authors).map_err(|v| v.0)?;
        *self.checked.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((after.get_heads(), after_state));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::AnswerValue;
    use crate::records::{Actor, NewAction, Record};
    use crate::templates::{Format, Template};
    use crate::test_support::CHECKLIST;

    pub(super) fn template() -> Template {
        let src = format!(
            "{CHECKLIST}{}",
            r#"
[[sections]]
id = "s"
title = { zh-CN = "甲", en = "A" }
items = [{ id = "sign", type = "pass_fail", points = 10, label = { zh-CN = "标识", en = "Signage" } }]
"#
        );
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

    /// `check_change` for changes signed by `user` themselves.
    fn by(
        user: &str,
        role: Role,
        before: Option<&RecordState>,
        after: &RecordState,
    ) -> Result<(), Violation> {
        check_change(before, after, &sender(user, role), &authors(1, user))
    }

    /// A record by `li` with `sign` answered, submitted.
    fn submitted(t: &Template, sign: AnswerValue) -> Record {
        let li = actor("li", Role::Inspector);
        let mut r = Record::create(t, "r1", "s", &li).expect("create");
        r.answer(t, &li, "sign", sign, None).expect("answer");
        r.submit(t, &li).expect("submit");
        r
    }

    fn authors(n: usize, who: &str) -> Vec<Option<String>> {
        vec![Some(who.to_string()); n]
    }

    fn sender(user: &str, role: Role) -> Sender<'_> {
        Sender { user, role }
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
        let t = template();
        let r =
            Record::create(&t, "r1", "cq/yz/001", &actor("li", Role::Inspector)).expect("create");
        let s = r.state().expect("state");
        assert_eq!(by("li", Role::Inspector, None, &s), Ok(()));
        assert!(
            by("zhao", Role::Inspector, None, &s).is_err(),
            "someone else's name"
        );
        assert!(
            check_change(
                None,
                &s,
                &sender("li", Role::Inspector),
                &authors(1, "wang")
            )
            .is_err(),
            "forged Automerge author"
        );
        assert!(by("li", Role::Manager, None, &s).is_err());
    }

    #[test]
    fn a_manager_cannot_rewrite_answers_and_an_inspector_cannot_approve() {
        let t = template();
        let r = submitted(&t, AnswerValue::Pass);
        let before = r.state().expect("state");

        let mut forged = before.clone();
        forged.answers.get_mut("sign").expect("answer").value = AnswerValue::Fail;
        assert!(by("wang", Role::Manager, Some(&before), &forged).is_err());

        let mut self_approved = before.clone();
        self_approved.status = Status::Approved;
        assert!(by("li", Role::Inspector, Some(&before), &self_approved).is_err());

        let mut approved = r.clone();
        approved
            .approve(&actor("wang", Role::Manager))
            .expect("approve");
        let after = approved.state().expect("state");
        assert_eq!(by("wang", Role::Manager, Some(&before), &after), Ok(()));
    }

    #[test]
    fn nothing_changes_an_approved_record_but_its_actions_go_on() {
        let t = template();
        let mut r = submitted(&t, AnswerValue::Fail);
        r.approve(&actor("wang", Role::Manager)).expect("approve");
        let before = r.state().expect("state");
        let mut late = before.clone();
        late.answers.get_mut("sign").expect("answer").value = AnswerValue::Pass;
        let err = by("li", Role::Inspector, Some(&before), &late).expect_err("locked");
        assert!(err.0.contains("locked"));

        let mut with_action = r.clone();
        let new = NewAction {
            item: "sign".into(),
            description: "Fix".into(),
            assignee: "staff".into(),
            due: "2026-12-01".into(),
        };
        let id = with_action
            .open_action(&t, &actor("wang", Role::Manager), new)
            .expect("open");
        let after = with_action.state().expect("state");
        assert_eq!(by("wang", Role::Manager, Some(&before), &after), Ok(()));
        assert!(by("staff", Role::StoreStaff, Some(&before), &after).is_err());

        let mut done = with_action.clone();
        done.complete_action(&actor("staff", Role::StoreStaff), &id)
            .expect("done");
        assert_eq!(
            by(
                "staff",
                Role::StoreStaff,
                Some(&after),
                &done.state().expect("state")
            ),
            Ok(())
        );
        let mut verified_by_staff = done.state().expect("state");
        let a = verified_by_staff.actions.get_mut(&id).expect("action");
        a.status = ActionStatus::Verified;
        a.verified_by = Some("staff".into());
        assert!(
            check_change(
                Some(&done.state().expect("state")),
                &verified_by_staff,
                &sender("staff", Role::StoreStaff),
                &authors(1, "staff")
            )
            .is_err()
        );
    }

    #[test]
    fn comments_are_signed_append_only() {
        let t = template();
        let r = submitted(&t, AnswerValue::Pass);
        let before = r.state().expect("state");
        let mut commented = r.clone();
        commented
            .comment(&t, &actor("wang", Role::Manager), None, "ok")
            .expect("comment");
        let after = commented.state().expect("state");
        assert_eq!(by("wang", Role::Manager, Some(&before), &after), Ok(()));
        assert!(
            by("chen", Role::Manager, Some(&before), &after).is_err(),
            "signed by someone else"
        );
        assert!(
            by("wang", Role::Manager, Some(&after), &before).is_err(),
            "deleted"
        );
    }

    #[test]
    fn only_the_author_ends_a_draft_and_only_an_interview_ends_partial() {
        let t = template();
        let li = actor("li", Role::Inspector);
        let r = Record::create(&t, "r1", "s", &li).expect("create");
        let before = r.state().expect("state");
        let mut discarded = r.clone();
        discarded.discard(&t, &li).expect("discard");
        let after = discarded.state().expect("state");
        assert_eq!(by("li", Role::Inspector, Some(&before), &after), Ok(()));
        assert_eq!(
            by("li", Role::Inspector, None, &after),
            Ok(()),
            "started and discarded before the first sync"
        );
        assert!(by("zhao", Role::Inspector, Some(&before), &after).is_err());
        assert!(by("wang", Role::Manager, Some(&before), &after).is_err());

        let mut partial = after.clone();
        partial.status = Status::Partial;
        partial.history.last_mut().expect("change").status = Status::Partial;
        assert!(
            by("li", Role::Inspector, Some(&before), &partial).is_err(),
            "an audit is never kept partial"
        );
        assert!(by("li", Role::Inspector, None, &partial).is_err());
        let mut interview = partial.clone();
        interview.header.kind = crate::templates::TemplateKind::Questionnaire;
        let mut draft = before.clone();
        draft.header.kind = crate::templates::TemplateKind::Questionnaire;
        assert_eq!(by("li", Role::Inspector, Some(&draft), &interview), Ok(()));

        let mut revived = after.clone();
        revived.status = Status::Draft;
        assert!(
            by("li", Role::Inspector, Some(&after), &revived).is_err(),
            "a discarded record stays discarded"
        );
        let sent = submitted(&t, AnswerValue::Pass).state().expect("state");
        let mut thrown = sent.clone();
        thrown.status = Status::Discarded;
        assert!(by("li", Role::Inspector, Some(&sent), &thrown).is_err());
    }
}

#[cfg(test)]
mod gate_tests {
    use automerge::AutoCommit;

    use super::*;
    use crate::records::{Actor, Record};
    use crate::sync::Gate;

    #[test]
    fn the_record_gate_reads_documents_and_refuses_what_is_not_a_record() {
        let t = super::tests::template();
        let li = Actor {
            user: "li".into(),
            role: Role::Inspector,
            device: "d".into(),
            now_ms: 1,
        };
        let mut r = Record::create(&t, "r1", "s", &li).expect("create");
        let gate = RecordGate::new("li", Role::Inspector, "*");
        let mut empty = AutoCommit::new();
        assert_eq!(gate.check("r1", &mut empty, r.doc_mut()), Ok(()));
        let impostor = RecordGate::new("zhao", Role::Inspector, "*");
        let elsewhere = RecordGate::new("li", Role::Inspector, "cq/jb");
        assert_eq!(
            elsewhere.check("r1", &mut AutoCommit::new(), r.doc_mut()),
            Err(NOT_PERMITTED.into()),
            "a store outside the scope"
        );
        assert!(
            impostor
                .check("r1", &mut AutoCommit::new(), r.doc_mut())
                .is_err()
        );
        let mut junk = AutoCommit::new();
        junk.set_author(Some(automerge::Author::from(b"li".to_vec())));
        automerge::transaction::Transactable::put(&mut junk, automerge::ROOT, "x", 1).expect("put");
        junk.commit();
        assert!(
            gate.check("x", &mut AutoCommit::new(), &mut junk)
                .expect_err("junk")
                .contains("not a record")
        );
    }
}
