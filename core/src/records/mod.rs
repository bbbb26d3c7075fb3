//! Audit and survey records as Automerge documents. Every operation (answer,
//! submit, return, approve, comment, corrective actions) is a function that
//! checks who may do it in which state and commits one change with author,
//! time and message set, so the document's history says who did what when.
//!
//! Document shape: `{schema, header, status, history[], answers{item: Answer},
//! comments{id: Comment}, actions{id: CorrectiveAction}}`. An answer is written
//! whole, as a new map object, so that two people answering one item
//! concurrently leave a conflict on that item's key that a reviewer can see,
//! never a mix of the two answers.

use std::collections::BTreeMap;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, Author, AutoCommit, ObjType, ROOT, ReadDoc};
use autosurgeon::{Hydrate, Reconcile, hydrate, hydrate_prop, reconcile, reconcile_prop};
use serde::Serialize;

use crate::answers::{
    AnswerProblem, AnswerValue, Answers, GeoPoint, MediaRef, check_complete, check_value,
};
use crate::msg;
use crate::msg::Msg;
use crate::templates::{Template, TemplateKind, TemplateRef, VisitMode};
use crate::vocab::{Role, string_enum};

pub mod derive;
pub mod gate;
pub mod open;
pub mod schema;

/// Version of the document shape written by this code.
pub const DOC_SCHEMA: u64 = 1;

string_enum!(
    /// Where a record is in review.
    Status {
        Draft = "draft",
        Submitted = "submitted",
        Returned = "returned",
        Resubmitted = "resubmitted",
        /// Locked: answers, status and comments no longer change.
        Approved = "approved",
        /// An interview ended part-way whose template keeps partial
        /// responses: what was answered counts; nothing more is asked.
        Partial = "partial",
        /// A draft its author threw away: its answers are cleared and it
        /// counts nowhere.
        Discarded = "discarded",
    }
);

impl Status {
    /// Submitted for review, approved or not: the records that count in
    /// ratings and may stand as a re-audit.
    pub const COUNTED: [Status; 3] = [Status::Submitted, Status::Resubmitted, Status::Approved];

    /// Whether a record in this status counts (see [`Status::COUNTED`]).
    pub fn counts(self) -> bool {
        Status::COUNTED.contains(&self)
    }
}

string_enum!(
    /// Where a corrective action is.
    ActionStatus { Open = "open", Done = "done", Verified = "verified" }
);

impl ActionStatus {
    /// Past its due date (YYYY-MM-DD) and still open on `today`: a done
    /// action waits on its verifier, not on its assignee.
    pub fn overdue(self, due: &str, today: jiff::civil::Date) -> bool {
        self == ActionStatus::Open && due.parse::<jiff::civil::Date>().is_ok_and(|d| d < today)
    }
}

/// Whether quitting a draft keeps it as a partial response: an interview
/// whose template keeps partial responses, with something answered. Any
/// other draft quit is discarded.
pub fn quit_keeps(template: &Template, answered: bool) -> bool {
    template.kind == TemplateKind::Questionnaire && template.keep_partial_responses && answered
}

/// Whether anything was answered beyond the defaults the record started
/// with: a respondent who left before answering gave nothing to keep.
pub fn answered_beyond_defaults(template: &Template, state: &RecordState) -> bool {
    state
        .answers
        .iter()
        .any(|(id, a)| template.item(id).and_then(|i| i.default.as_ref()) != Some(&a.value))
}

/// Who a record is, of what, where and by whom.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize)]
pub struct Header {
    pub record_id: String,
    pub template_id: String,
    pub template_version: String,
    pub kind: TemplateKind,
    pub mode: VisitMode,
    pub store_id: String,
    /// User id of the inspector or surveyor.
    pub author: String,
    pub device: String,
    /// Milliseconds since the Unix epoch.
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub location: Option<GeoPoint>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Answer {
    pub value: AnswerValue,
    pub note: Option<String>,
    pub evidence: Vec<MediaRef>,
    pub by: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize)]
pub struct StatusChange {
    pub status: Status,
    pub by: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize)]
pub struct Comment {
    /// The item commented on; `None` for the whole record.
    pub item: Option<String>,
    pub text: String,
    pub by: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize)]
pub struct CorrectiveAction {
    pub item: String,
    pub description: String,
    /// User id of who must fix it.
    pub assignee: String,
    /// Due date, `YYYY-MM-DD`.
    pub due: String,
    pub status: ActionStatus,
    pub created_by: String,
    pub created_at: i64,
    pub done_at: Option<i64>,
    pub verified_by: Option<String>,
    pub verified_at: Option<i64>,
    /// The re-audit whose passing answer showed that the fix holds, if the
    /// verification rests on one.
    pub verified_record: Option<String>,
    /// What the person who fixed it says was done.
    #[autosurgeon(missing = "Default::default")]
    pub done_note: Option<String>,
    /// Photos of the fix, for the manager who verifies it.
    #[autosurgeon(missing = "Default::default")]
    pub done_evidence: Vec<MediaRef>,
}

/// The whole record as plain data.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct RecordState {
    pub schema: u64,
    pub header: Header,
    pub status: Status,
    pub history: Vec<StatusChange>,
    pub answers: BTreeMap<String, Answer>,
    pub comments: BTreeMap<String, Comment>,
    pub actions: BTreeMap<String, CorrectiveAction>,
}

impl RecordState {
    /// The answer values alone, for scoring.
    pub fn answer_values(&self) -> Answers {
        self.answers
            .iter()
            .map(|(k, a)| (k.clone(), a.value.clone()))
            .collect()
    }
}

/// Who is acting, from which device, and when (ms since the epoch). Time is an
/// input so that the domain stays pure and testable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: String,
    pub role: Role,
    pub device: String,
    pub now_ms: i64,
}

/// What is new in a corrective action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub item: String,
    pub description: String,
    pub assignee: String,
    pub due: String,
}

#[derive(Debug)]
pub enum RecordError {
    Forbidden {
        role: Role,
        action: &'static str,
    },
    NotAuthor {
        action: &'static str,
    },
    InvalidTransition {
        action: &'static str,
        status: Status,
    },
    Locked,
    WrongTemplate {
        expected: String,
        got: String,
    },
    Incomplete(Vec<AnswerProblem>),
    Answer(AnswerProblem),
    UnknownItem(String),
    UnknownAction(String),
    ActionTransition {
        id: String,
        status: ActionStatus,
        action: &'static str,
    },
    Empty(&'static str),
    TooLong {
        what: &'static str,
        max: usize,
    },
    TooMany {
        what: &'static str,
        max: usize,
    },
    BadLocation,
    BadDate(String),
    // Boxed: Automerge's errors are large and would make every result large.
    Hydrate(Box<autosurgeon::HydrateError>),
    Automerge(Box<automerge::AutomergeError>),
    Reconcile(Box<autosurgeon::ReconcileError>),
}

/// The phrases the record's operations name themselves with (an action, or
/// what may not be empty), as messages; the English as written.
fn phrase(p: &'static str) -> Msg {
    match p {
        "start a record" => msg!("records.do_start", "start a record"),
        "answer" => msg!("records.do_answer", "answer"),
        "clear an answer" => msg!("records.do_clear_answer", "clear an answer"),
        "attach evidence" => msg!("records.do_attach", "attach evidence"),
        "stamp the location" => msg!("records.do_stamp_location", "stamp the location"),
        "submit" => msg!("records.do_submit", "submit"),
        "quit" => msg!("records.do_quit", "quit"),
        "discard" => msg!("records.do_discard", "discard"),
        "return" => msg!("records.do_return", "return"),
        "approve" => msg!("records.do_approve", "approve"),
        "comment on this record" => msg!("records.do_comment", "comment on this record"),
        "open a corrective action" => msg!("records.do_open_action", "open a corrective action"),
        "open a corrective action on" => {
            msg!("records.do_open_action_on", "open a corrective action on")
        }
        "complete" => msg!("records.do_complete", "complete"),
        "complete someone else's action" => msg!(
            "records.do_complete_others",
            "complete someone else's action"
        ),
        "verify" => msg!("records.do_verify", "verify"),
        "verify a corrective action" => {
            msg!("records.do_verify_action", "verify a corrective action")
        }
        "reopen" => msg!("records.do_reopen", "reopen"),
        "reopen a corrective action" => {
            msg!("records.do_reopen_action", "reopen a corrective action")
        }
        "a return comment" => msg!("records.a_return_comment", "a return comment"),
        "a comment" => msg!("records.a_comment", "a comment"),
        "a description" => msg!("records.a_description", "a description"),
        "an assignee" => msg!("records.an_assignee", "an assignee"),
        "a note" => msg!("records.a_note", "a note"),
        "photos of a fix" => msg!("records.fix_photos", "photos of a fix"),
        other => msg!("records.phrase", "{phrase}", phrase = other),
    }
}

impl RecordError {
    /// What went wrong, for people.
    pub fn msg(&self) -> Msg {
        match self {
            RecordError::Forbidden { role, action } => msg!(
                "records.forbidden",
                "a {role} may not {action}",
                role = role,
                action = phrase(action)
            ),
            RecordError::NotAuthor { action } => msg!(
                "records.not_author",
                "only the record's author may {action}",
                action = phrase(action)
            ),
            RecordError::InvalidTransition { action, status } => msg!(
                "records.invalid_transition",
                "cannot {action} a record that is {status}",
                action = phrase(action),
                status = status
            ),
            RecordError::Locked => msg!("records.locked", "this record is approved and locked"),
            RecordError::WrongTemplate { expected, got } => msg!(
                "records.wrong_template",
                "the record was started with template {expected}, not {got}",
                expected = expected,
                got = got
            ),
            RecordError::Incomplete(problems) => {
                let list = problems
                    .iter()
                    .map(AnswerProblem::msg)
                    .reduce(|a, b| msg!("records.problems", "{first}; {next}", first = a, next = b))
                    .unwrap_or_else(|| msg!("records.phrase", "{phrase}", phrase = ""));
                msg!(
                    "records.incomplete",
                    "cannot submit: {problems}",
                    problems = list
                )
            }
            RecordError::Answer(p) => p.msg(),
            RecordError::UnknownItem(item) => msg!(
                "records.unknown_item",
                "no item `{item}` in this record's template",
                item = item
            ),
            RecordError::UnknownAction(id) => msg!(
                "records.unknown_action",
                "no corrective action `{id}`",
                id = id
            ),
            RecordError::ActionTransition { id, status, action } => msg!(
                "records.action_transition",
                "corrective action `{id}` is {status}; cannot {action} it",
                id = id,
                status = status,
                action = phrase(action)
            ),
            RecordError::Empty(what) => msg!(
                "records.empty",
                "{what} cannot be empty",
                what = phrase(what)
            ),
            RecordError::TooLong { what, max } => msg!(
                "records.too_long",
                "{what} is longer than {max} characters",
                what = phrase(what),
                max = max
            ),
            RecordError::TooMany { what, max } => msg!(
                "records.too_many",
                "{what}: at most {max}",
                what = phrase(what),
                max = max
            ),
            RecordError::BadLocation => {
                msg!("records.bad_location", "latitude or longitude out of range")
            }
            RecordError::BadDate(d) => msg!(
                "records.bad_date",
                "`{date}` is not a date like 2026-12-31",
                date = d
            ),
            RecordError::Hydrate(e) => msg!(
                "records.not_a_record",
                "not a record document: {detail}",
                detail = e
            ),
            RecordError::Automerge(e) => msg!(
                "records.document_error",
                "document error: {detail}",
                detail = e
            ),
            RecordError::Reconcile(e) => msg!(
                "records.document_error",
                "document error: {detail}",
                detail = e
            ),
        }
    }
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg().text)
    }
}

impl std::error::Error for RecordError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecordError::Answer(p) => Some(p),
            RecordError::Hydrate(e) => Some(e.as_ref()),
            RecordError::Automerge(e) => Some(e.as_ref()),
            RecordError::Reconcile(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

impl From<AnswerProblem> for RecordError {
    fn from(p: AnswerProblem) -> Self {
        RecordError::Answer(p)
    }
}

macro_rules! boxed_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for RecordError {
            fn from(e: $t) -> Self {
                RecordError::$v(Box::new(e))
            }
        }
    )*};
}
boxed_from!(
    autosurgeon::HydrateError => Hydrate,
    automerge::AutomergeError => Automerge,
    autosurgeon::ReconcileError => Reconcile
);

pub type Result<T, E = RecordError> = std::result::Result<T, E>;

/// One change in a record's history, from Automerge's change metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeInfo {
    pub hash: String,
    pub author: Option<String>,
    /// Seconds since the epoch.
    pub time: i64,
    pub message: Option<String>,
}

/// Two or more concurrent answers to one item. `winner` is the one every
/// replica shows; `others` lost the deterministic tie-break.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerConflict {
    pub item: String,
    pub winner: Answer,
    pub others: Vec<Answer>,
}

/// An audit or survey record: an Automerge document with domain operations.
#[derive(Debug, Clone)]
pub struct Record {
    doc: AutoCommit,
}

/// Free text within what the record schema allows ([`schema::TEXT_MAX`]).
/// The most photos one completion of a corrective action carries.
pub const MAX_ACTION_EVIDENCE: usize = 10;

/// What the person who fixed it says about a corrective action they mark
/// done: a note and photos of the fix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    pub note: Option<String>,
    pub evidence: Vec<MediaRef>,
}

fn check_length(what: &'static str, text: &str) -> Result<()> {
    if text.chars().count() > schema::TEXT_MAX {
        return Err(RecordError::TooLong {
            what,
            max: schema::TEXT_MAX,
        });
    }
    Ok(())
}

fn require(actor: &Actor, allowed: &[Role], action: &'static str) -> Result<()> {
    if allowed.contains(&actor.role) {
        Ok(())
    } else {
        Err(RecordError::Forbidden {
            role: actor.role,
            action,
        })
    }
}

fn is_reviewer(actor: &Actor) -> bool {
    matches!(actor.role, Role::Manager | Role::Admin)
}

impl Record {
    /// Starts a new draft record of `template` at `store_id` by `actor`.
    pub fn create(
        template: &Template,
        record_id: &str,
        store_id: &str,
        actor: &Actor,
    ) -> Result<Record> {
        require(actor, &[Role::Inspector, Role::Surveyor], "start a record")?;
        let state = RecordState {
            schema: DOC_SCHEMA,
            header: Header {
                record_id: record_id.into(),
                template_id: template.id.clone(),
                template_version: template.version.clone(),
                kind: template.kind,
                mode: template.mode,
                store_id: store_id.into(),
                author: actor.user.clone(),
                device: actor.device.clone(),
                started_at: actor.now_ms,
                ended_at: None,
                location: None,
            },
            status: Status::Draft,
            history: vec![StatusChange {
                status: Status::Draft,
                by: actor.user.clone(),
                at: actor.now_ms,
            }],
            // The form starts with its defaults, answers like any other:
            // kept unless changed or cleared (a repeated section's entries
            // start blank: there are none yet).
            answers: template
                .items()
                .filter(|(s, _)| s.repeat.is_none())
                .filter_map(|(_, i)| {
                    let value = i.default.clone()?;
                    let answer = Answer {
                        value,
                        note: None,
                        evidence: Vec::new(),
                        by: actor.user.clone(),
                        at: actor.now_ms,
                    };
                    Some((i.id.clone(), answer))
                })
                .collect(),
            comments: BTreeMap::new(),
            actions: BTreeMap::new(),
        };
        let mut doc = AutoCommit::new();
        set_author(&mut doc, actor);
        reconcile(&mut doc, &state)?;
        let mut record = Record { doc };
        record.commit(actor, "create");
        Ok(record)
    }

    /// Loads a saved document, checking that it is a record.
    pub fn load(bytes: &[u8]) -> Result<Record> {
        let record = Record {
            doc: AutoCommit::load(bytes)?,
        };
        record.state()?;
        Ok(record)
    }

    /// Wraps a document received by sync, checking that it is a record.
    pub fn from_doc(doc: AutoCommit) -> Result<Record> {
        Ok(Record::with_state(doc)?.0)
    }

    /// Like [`Record::from_doc`], and keeps the state the check read:
    /// reading a large record is the costly part.
    pub fn with_state(doc: AutoCommit) -> Result<(Record, RecordState)> {
        let record = Record { doc };
        let state = record.state()?;
        Ok((record, state))
    }

    /// The document, for storage or sync.
    pub fn into_doc(self) -> AutoCommit {
        self.doc
    }

    /// A copy that makes its own changes under a new Automerge actor, as a
    /// second device does.
    pub fn fork(&mut self) -> Record {
        Record {
            doc: self.doc.fork().with_actor(ActorId::random()),
        }
    }

    /// The full document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The Automerge document, for sync.
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    pub fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    /// Merges another replica's changes into this one.
    pub fn merge(&mut self, other: &mut Record) -> Result<()> {
        self.doc.merge(&mut other.doc)?;
        Ok(())
    }

    /// The record as plain data (the winning value wherever replicas conflict).
    pub fn state(&self) -> Result<RecordState> {
        Ok(hydrate(&self.doc)?)
    }

    pub fn header(&self) -> Result<Header> {
        Ok(hydrate_prop(&self.doc, ROOT, "header")?)
    }

    pub fn status(&self) -> Result<Status> {
        Ok(hydrate_prop(&self.doc, ROOT, "status")?)
    }

    pub fn template_ref(&self) -> Result<TemplateRef> {
        let h = self.header()?;
        Ok(TemplateRef {
            id: h.template_id,
            version: h.template_version,
        })
    }

    /// Answers `item` (or replaces the answer), with an optional note.
    pub fn answer(
        &mut self,
        template: &Template,
        actor: &Actor,
        item: &str,
        value: AnswerValue,
        note: Option<String>,
    ) -> Result<()> {
        self.change(actor, &format!("answer {item}"), |r| {
            r.check_editable(template, actor, "answer")?;
            let (it, _) = template
                .answer_item(item)
                .ok_or_else(|| RecordError::UnknownItem(item.into()))?;
            check_value(it, &value)?;
            if let AnswerValue::Text(text) = &value {
                check_length("the answer", text)?;
            }
            if let Some(n) = &note {
                check_length("a note", n)?;
            }
            let existing = r.existing_answer(item)?;
            let answers = r.map_id("answers")?;
            if existing.is_none() && r.doc.length(&answers) >= schema::MAX_ANSWERS {
                return Err(RecordError::TooMany {
                    what: "answers",
                    max: schema::MAX_ANSWERS,
                });
            }
            let evidence = existing.map(|a| a.evidence).unwrap_or_default();
            let answer = Answer {
                value,
                note,
                evidence,
                by: actor.user.clone(),
                at: actor.now_ms,
            };
            r.put_answer(item, &answer)
        })
    }

    /// Removes the answer to `item`.
    pub fn clear(&mut self, template: &Template, actor: &Actor, item: &str) -> Result<()> {
        self.change(actor, &format!("clear {item}"), |r| {
            r.check_editable(template, actor, "clear an answer")?;
            let answers = r.map_id("answers")?;
            if r.doc.get(&answers, item)?.is_some() {
                r.doc.delete(&answers, item)?;
            }
            Ok(())
        })
    }

    /// Removes an entry of a repeated section: every answer in it.
    pub fn remove_entry(
        &mut self,
        template: &Template,
        actor: &Actor,
        section: &str,
        entry: &str,
    ) -> Result<()> {
        // A counted section's entries follow its count: change the count.
        let repeat = template
            .repeat(section)
            .filter(|s| s.repeat.as_ref().is_some_and(|r| r.count.is_none()))
            .ok_or_else(|| RecordError::UnknownItem(section.into()))?;
        self.change(actor, &format!("remove {section}@{entry}"), |r| {
            r.check_editable(template, actor, "remove an entry")?;
            let answers = r.map_id("answers")?;
            for item in &repeat.items {
                let key = crate::templates::entry_key(&item.id, entry);
                if r.doc.get(&answers, &key)?.is_some() {
                    r.doc.delete(&answers, &key)?;
                }
            }
            Ok(())
        })
    }

    /// Attaches evidence (a photo, audio, signature) to the answer of `item`.
    pub fn attach(
        &mut self,
        template: &Template,
        actor: &Actor,
        item: &str,
        media: MediaRef,
    ) -> Result<()> {
        self.change(actor, &format!("attach {item}"), |r| {
            r.check_editable(template, actor, "attach evidence")?;
            let mut answer = r
                .existing_answer(item)?
                .ok_or_else(|| RecordError::Answer(AnswerProblem::Missing { item: item.into() }))?;
            if !answer.evidence.contains(&media) {
                answer.evidence.push(media);
            }
            answer.by = actor.user.clone();
            answer.at = actor.now_ms;
            r.put_answer(item, &answer)
        })
    }

    /// Stamps where the visit took place, when the device knows.
    pub fn stamp_location(
        &mut self,
        template: &Template,
        actor: &Actor,
        location: GeoPoint,
    ) -> Result<()> {
        self.change(actor, "stamp location", |r| {
            r.check_editable(template, actor, "stamp the location")?;
            let valid =
                (-90.0..=90.0).contains(&location.lat) && (-180.0..=180.0).contains(&location.lon);
            if !valid {
                return Err(RecordError::BadLocation);
            }
            let header = r.map_id("header")?;
            reconcile_prop(&mut r.doc, &header, "location", Some(location))?;
            Ok(())
        })
    }

    /// Submits a complete draft, or resubmits a returned record.
    pub fn submit(&mut self, template: &Template, actor: &Actor) -> Result<()> {
        self.change(actor, "submit", |r| {
            r.check_editable(template, actor, "submit")?;
            let state = r.state()?;
            let problems = check_complete(
                template,
                &state.answer_values(),
                Some(state.header.started_at),
            );
            if !problems.is_empty() {
                return Err(RecordError::Incomplete(problems));
            }
            let next = match r.status()? {
                Status::Draft => Status::Submitted,
                _ => Status::Resubmitted,
            };
            let header = r.map_id("header")?;
            reconcile_prop(&mut r.doc, &header, "ended_at", Some(actor.now_ms))?;
            r.set_status(actor, next)
        })
    }

    /// Ends a draft part-way (the respondent left, the kiosk sat idle, the
    /// audit was started by mistake): kept as [`Status::Partial`] when
    /// [`quit_keeps`] says so, otherwise discarded. Returns the status it
    /// ended in.
    pub fn quit(&mut self, template: &Template, actor: &Actor) -> Result<Status> {
        if !quit_keeps(template, answered_beyond_defaults(template, &self.state()?)) {
            self.discard(template, actor)?;
            return Ok(Status::Discarded);
        }
        self.change(actor, "quit", |r| {
            r.check_draft(template, actor, "quit")?;
            r.end(actor, Status::Partial)
        })?;
        Ok(Status::Partial)
    }

    /// Throws a draft away: its answers are cleared, it is never reviewed,
    /// rated or counted. A returned record has been submitted and cannot be.
    pub fn discard(&mut self, template: &Template, actor: &Actor) -> Result<()> {
        self.change(actor, "discard", |r| {
            r.check_draft(template, actor, "discard")?;
            let answers = r.map_id("answers")?;
            for key in r.doc.keys(&answers).collect::<Vec<_>>() {
                r.doc.delete(&answers, key.as_str())?;
            }
            r.end(actor, Status::Discarded)
        })
    }

    /// Stamps the end time and moves to `status`.
    fn end(&mut self, actor: &Actor, status: Status) -> Result<()> {
        let header = self.map_id("header")?;
        reconcile_prop(&mut self.doc, &header, "ended_at", Some(actor.now_ms))?;
        self.set_status(actor, status)
    }

    /// Returns a submitted record to its author with a comment.
    pub fn return_for_changes(&mut self, actor: &Actor, comment: &str) -> Result<()> {
        self.review(actor, "return", Status::Returned, Some(comment))
    }

    /// Approves a submitted record, which locks it.
    pub fn approve(&mut self, actor: &Actor) -> Result<()> {
        self.review(actor, "approve", Status::Approved, None)
    }

    fn review(
        &mut self,
        actor: &Actor,
        action: &'static str,
        next: Status,
        comment: Option<&str>,
    ) -> Result<()> {
        self.change(actor, action, |r| {
            require(actor, &[Role::Manager, Role::Admin], action)?;
            let status = r.status()?;
            if !matches!(status, Status::Submitted | Status::Resubmitted) {
                return Err(RecordError::InvalidTransition { action, status });
            }
            if let Some(text) = comment {
                if text.trim().is_empty() {
                    return Err(RecordError::Empty("a return comment"));
                }
                check_length("a return comment", text)?;
                r.put_comment(actor, None, text)?;
            }
            r.set_status(actor, next)
        })
    }

    /// Adds a comment, on an item or on the whole record. Returns its id.
    pub fn comment(
        &mut self,
        template: &Template,
        actor: &Actor,
        item: Option<&str>,
        text: &str,
    ) -> Result<String> {
        self.change(actor, "comment", |r| {
            if !is_reviewer(actor) && actor.user != r.header()?.author {
                return Err(RecordError::Forbidden {
                    role: actor.role,
                    action: "comment on this record",
                });
            }
            if r.status()? == Status::Approved {
                return Err(RecordError::Locked);
            }
            if let Some(i) = item
                && template.answer_item(i).is_none()
            {
                return Err(RecordError::UnknownItem(i.into()));
            }
            if text.trim().is_empty() {
                return Err(RecordError::Empty("a comment"));
            }
            check_length("a comment", text)?;
            r.put_comment(actor, item, text)
        })
    }

    /// Opens a corrective action on an item after review. Returns its id.
    pub fn open_action(
        &mut self,
        template: &Template,
        actor: &Actor,
        action: NewAction,
    ) -> Result<String> {
        require(
            actor,
            &[Role::Manager, Role::Admin],
            "open a corrective action",
        )?;
        let status = self.status()?;
        if matches!(status, Status::Draft | Status::Discarded) {
            return Err(RecordError::InvalidTransition {
                action: "open a corrective action on",
                status,
            });
        }
        if template.answer_item(&action.item).is_none() {
            return Err(RecordError::UnknownItem(action.item));
        }
        for (what, text) in [
            ("a description", &action.description),
            ("an assignee", &action.assignee),
        ] {
            if text.trim().is_empty() {
                return Err(RecordError::Empty(what));
            }
            check_length(what, text)?;
        }
        if action.due.parse::<jiff::civil::Date>().is_err() {
            return Err(RecordError::BadDate(action.due));
        }
        let actions = self.map_id("actions")?;
        let id = self.new_id(actor, &actions);
        let ca = CorrectiveAction {
            item: action.item,
            description: action.description,
            assignee: action.assignee,
            due: action.due,
            status: ActionStatus::Open,
            created_by: actor.user.clone(),
            created_at: actor.now_ms,
            done_at: None,
            verified_by: None,
            verified_at: None,
            verified_record: None,
            done_note: None,
            done_evidence: Vec::new(),
        };
        self.change(actor, &format!("open action {id}"), |r| {
            reconcile_prop(&mut r.doc, &actions, id.as_str(), &ca)?;
            Ok(id.clone())
        })
    }

    /// Marks an action done: by its assignee or a reviewer.
    pub fn complete_action(&mut self, actor: &Actor, id: &str) -> Result<()> {
        self.complete_action_with(actor, id, Completion::default())
    }

    /// Marks an action done with what was done and photos of the fix.
    pub fn complete_action_with(&mut self, actor: &Actor, id: &str, c: Completion) -> Result<()> {
        if let Some(note) = &c.note {
            check_length("a note", note)?;
        }
        if c.evidence.len() > MAX_ACTION_EVIDENCE {
            return Err(RecordError::TooMany {
                what: "photos of a fix",
                max: MAX_ACTION_EVIDENCE,
            });
        }
        self.update_action(actor, id, "complete", ActionStatus::Open, |a, actor| {
            if a.assignee != actor.user && !is_reviewer(actor) {
                return Err(RecordError::Forbidden {
                    role: actor.role,
                    action: "complete someone else's action",
                });
            }
            a.status = ActionStatus::Done;
            a.done_at = Some(actor.now_ms);
            a.done_note = c.note.filter(|n| !n.trim().is_empty());
            a.done_evidence = c.evidence;
            Ok(())
        })
    }

    /// Confirms a done action (e.g. after a re-audit), closing the loop.
    pub fn verify_action(&mut self, actor: &Actor, id: &str, reaudit: Option<&str>) -> Result<()> {
        require(
            actor,
            &[Role::Manager, Role::Admin],
            "verify a corrective action",
        )?;
        self.update_action(actor, id, "verify", ActionStatus::Done, |a, actor| {
            a.status = ActionStatus::Verified;
            a.verified_by = Some(actor.user.clone());
            a.verified_at = Some(actor.now_ms);
            a.verified_record = reaudit.map(str::to_string);
            Ok(())
        })
    }

    /// Sends a done action back to open when the fix did not hold.
    pub fn reopen_action(&mut self, actor: &Actor, id: &str) -> Result<()> {
        require(
            actor,
            &[Role::Manager, Role::Admin],
            "reopen a corrective action",
        )?;
        self.update_action(actor, id, "reopen", ActionStatus::Done, |a, _| {
            a.status = ActionStatus::Open;
            a.done_at = None;
            Ok(())
        })
    }

    fn update_action(
        &mut self,
        actor: &Actor,
        id: &str,
        action: &'static str,
        from: ActionStatus,
        change: impl FnOnce(&mut CorrectiveAction, &Actor) -> Result<()>,
    ) -> Result<()> {
        let actions = self.map_id("actions")?;
        let mut ca: CorrectiveAction = match self.doc.get(&actions, id)? {
            Some(_) => hydrate_prop(&self.doc, &actions, id)?,
            None => return Err(RecordError::UnknownAction(id.into())),
        };
        if ca.status != from {
            return Err(RecordError::ActionTransition {
                id: id.into(),
                status: ca.status,
                action,
            });
        }
        change(&mut ca, actor)?;
        self.change(actor, &format!("{action} action {id}"), |r| {
            reconcile_prop(&mut r.doc, &actions, id, &ca)?;
            Ok(())
        })
    }

    /// Items answered concurrently by different replicas.
    pub fn conflicts(&self) -> Result<Vec<AnswerConflict>> {
        let answers = self.map_id("answers")?;
        let mut out = Vec::new();
        for key in self.doc.keys(&answers) {
            let all = self.doc.get_all(&answers, key.as_str())?;
            if all.len() < 2 {
                continue;
            }
            let winner: Answer = hydrate_prop(&self.doc, &answers, key.as_str())?;
            let mut others = Vec::new();
            for (_, id) in all {
                let a = Answer::hydrate_map(&self.doc, &id)?;
                if a != winner {
                    others.push(a);
                }
            }
            out.push(AnswerConflict {
                item: key,
                winner,
                others,
            });
        }
        Ok(out)
    }

    /// Every change to the record: who, when, what.
    pub fn history(&mut self) -> Vec<ChangeInfo> {
        change_history(&mut self.doc)
    }

    fn check_editable(
        &self,
        template: &Template,
        actor: &Actor,
        action: &'static str,
    ) -> Result<()> {
        require(actor, &[Role::Inspector, Role::Surveyor], action)?;
        let header = self.header()?;
        if header.author != actor.user {
            return Err(RecordError::NotAuthor { action });
        }
        if (
            header.template_id.as_str(),
            header.template_version.as_str(),
        ) != (template.id.as_str(), template.version.as_str())
        {
            return Err(RecordError::WrongTemplate {
                expected: format!("{}@{}", header.template_id, header.template_version),
                got: format!("{}@{}", template.id, template.version),
            });
        }
        match self.status()? {
            Status::Draft | Status::Returned => Ok(()),
            Status::Approved => Err(RecordError::Locked),
            status => Err(RecordError::InvalidTransition { action, status }),
        }
    }

    fn check_draft(&self, template: &Template, actor: &Actor, action: &'static str) -> Result<()> {
        self.check_editable(template, actor, action)?;
        match self.status()? {
            Status::Draft => Ok(()),
            status => Err(RecordError::InvalidTransition { action, status }),
        }
    }

    fn map_id(&self, key: &str) -> Result<automerge::ObjId> {
        match self.doc.get(ROOT, key)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Err(autosurgeon::HydrateError::unexpected(
                format!("a map at `{key}`"),
                "something else".into(),
            )
            .into()),
        }
    }

    fn existing_answer(&self, item: &str) -> Result<Option<Answer>> {
        let answers = self.map_id("answers")?;
        if self.doc.get(&answers, item)?.is_none() {
            return Ok(None);
        }
        Ok(Some(hydrate_prop(&self.doc, &answers, item)?))
    }

    fn put_answer(&mut self, item: &str, answer: &Answer) -> Result<()> {
        let answers = self.map_id("answers")?;
        // A fresh object per write: concurrent answers conflict on the key.
        self.doc.put_object(&answers, item, ObjType::Map)?;
        reconcile_prop(&mut self.doc, &answers, item, answer)?;
        Ok(())
    }

    fn put_comment(&mut self, actor: &Actor, item: Option<&str>, text: &str) -> Result<String> {
        let comments = self.map_id("comments")?;
        let id = self.new_id(actor, &comments);
        let comment = Comment {
            item: item.map(str::to_string),
            text: text.trim().into(),
            by: actor.user.clone(),
            at: actor.now_ms,
        };
        reconcile_prop(&mut self.doc, &comments, id.as_str(), &comment)?;
        Ok(id)
    }

    fn set_status(&mut self, actor: &Actor, next: Status) -> Result<()> {
        reconcile_prop(&mut self.doc, ROOT, "status", next)?;
        let history = match self.doc.get(ROOT, "history")? {
            Some((automerge::Value::Object(ObjType::List), id)) => id,
            _ => {
                return Err(autosurgeon::HydrateError::unexpected(
                    "a history list",
                    "something else".into(),
                )
                .into());
            }
        };
        let at = self.doc.length(&history);
        let change = StatusChange {
            status: next,
            by: actor.user.clone(),
            at: actor.now_ms,
        };
        autosurgeon::reconcile_insert(&mut self.doc, history, at, &change)?;
        Ok(())
    }

    /// An id for a new entry of `map`, unique across replicas: each replica
    /// has its own Automerge actor, and the map grows with every entry.
    fn new_id(&self, actor: &Actor, map: &automerge::ObjId) -> String {
        let mut h = blake3::Hasher::new();
        h.update(self.doc.get_actor().to_bytes());
        h.update(&actor.now_ms.to_le_bytes());
        h.update(&(self.doc.length(map) as u64).to_le_bytes());
        h.finalize().to_hex()[..16].to_string()
    }

    /// Runs one operation as one Automerge change by `actor`: committed with
    /// author, time and message when it succeeds, rolled back when it fails,
    /// so a refused operation never leaves part of itself behind.
    fn change<T>(
        &mut self,
        actor: &Actor,
        message: &str,
        op: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        set_author(&mut self.doc, actor);
        match op(self) {
            Ok(out) => {
                self.commit(actor, message);
                Ok(out)
            }
            Err(e) => {
                self.doc.rollback();
                Err(e)
            }
        }
    }

    fn commit(&mut self, actor: &Actor, message: &str) {
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(message)
                .with_time(actor.now_ms / 1000),
        );
    }
}

fn set_author(doc: &mut AutoCommit, actor: &Actor) {
    doc.set_author(Some(Author::from(actor.user.as_bytes().to_vec())));
}

/// The media a record document references (evidence, and photo, audio or
/// signature answers), by hash, read without hydrating the whole record:
/// storing a change needs them, and reading a 150-item record is the costly
/// part. The server lets only their record's people upload them, with the
/// size and type given here.
pub fn media_refs(doc: &AutoCommit) -> Vec<MediaRef> {
    use automerge::{ScalarValueRef as Scalar, ValueRef};
    // One pass over each object's entries: a keyed `get` seeks through the
    // object's operations each time, and this runs for every stored change
    // of a 150-item record.
    fn refs_in(doc: &AutoCommit, list: &automerge::ObjId, out: &mut Vec<MediaRef>) {
        for item in doc.list_range(list, ..) {
            let (mut hash, mut mime, mut size) = (None, None, None);
            for field in doc.map_range(item.id(), ..) {
                match (field.key.as_ref(), &field.value) {
                    ("hash", ValueRef::Scalar(Scalar::Str(v))) => hash = Some(v.to_string()),
                    ("mime", ValueRef::Scalar(Scalar::Str(v))) => mime = Some(v.to_string()),
                    // As `ScalarValue::as_u64` reads a number.
                    ("size", ValueRef::Scalar(v)) => {
                        size = match *v {
                            Scalar::Int(n) | Scalar::Counter(n) | Scalar::Timestamp(n) => {
                                Some(n as u64)
                            }
                            Scalar::Uint(n) => Some(n),
                            Scalar::F64(n) => Some(n as u64),
                            _ => None,
                        }
                    }
                    _ => {}
                }
            }
            if let (Some(hash), Some(mime), Some(size)) = (hash, mime, size) {
                out.push(MediaRef { hash, mime, size });
            }
        }
    }
    let mut out = Vec::new();
    let Ok(Some((_, answers))) = doc.get(ROOT, "answers") else {
        return out;
    };
    for answer in doc.map_range(&answers, ..) {
        for field in doc.map_range(answer.id(), ..) {
            match (field.key.as_ref(), &field.value) {
                ("evidence", ValueRef::Object(ObjType::List)) => {
                    refs_in(doc, &field.id(), &mut out);
                }
                ("value", ValueRef::Object(ObjType::Map)) => {
                    if let Ok(Some((_, media))) = doc.get(field.id(), "Media") {
                        refs_in(doc, &media, &mut out);
                    }
                }
                _ => {}
            }
        }
    }
    // Photos of the fixes, on corrective actions marked done.
    if let Ok(Some((_, actions))) = doc.get(ROOT, "actions") {
        for action in doc.map_range(&actions, ..) {
            if let Ok(Some((_, evidence))) = doc.get(action.id(), "done_evidence") {
                refs_in(doc, &evidence, &mut out);
            }
        }
    }
    out.sort_by(|a, b| a.hash.cmp(&b.hash));
    out.dedup_by(|a, b| a.hash == b.hash);
    out
}

/// Every change to a document: who, when, what. A document read back from
/// storage may name the author only on an actor's first change; the later
/// changes of that actor carry it over.
pub fn change_history(doc: &mut AutoCommit) -> Vec<ChangeInfo> {
    let mut by_actor: std::collections::HashMap<automerge::ActorId, String> = Default::default();
    doc.get_changes(&[])
        .iter()
        .map(|c| {
            let author = match c.author() {
                Some(a) => {
                    let a = String::from_utf8_lossy(a.as_bytes()).into_owned();
                    by_actor.insert(c.actor_id().clone(), a.clone());
                    Some(a)
                }
                None => by_actor.get(c.actor_id()).cloned(),
            };
            ChangeInfo {
                hash: c.hash().to_string(),
                author,
                time: c.timestamp(),
                message: c.message().map(str::to_string),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
