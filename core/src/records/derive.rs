//! The relational view of one record (design.md decision 2: documents are
//! the truth, tables are derived). [`derive`] turns a record, its template
//! (when known) and its change history into plain rows; the server writes
//! them, replacing the record's previous rows, so deriving is idempotent and
//! one record touches only its own rows.

use serde::Serialize;

use super::{ChangeInfo, RecordState};
use crate::answers::{entry_view, evaluate_all, to_json};
use crate::scoring::{audit::score_visit, outcome, survey::score_response};
use crate::templates::{AnswerType, Template, TemplateKind, split_key};

/// Every row one record contributes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derived {
    pub record: RecordRow,
    pub answers: Vec<AnswerRow>,
    pub sections: Vec<SectionRow>,
    pub constructs: Vec<ConstructRow>,
    pub events: Vec<EventRow>,
    pub comments: Vec<CommentRow>,
    pub actions: Vec<ActionRow>,
    pub history: Vec<ChangeRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordRow {
    pub doc_id: String,
    pub store_id: String,
    pub template_id: String,
    pub template_version: String,
    pub kind: String,
    pub mode: String,
    pub author: String,
    pub status: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    /// When it was last submitted, and last approved or returned.
    pub submitted_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub updated_at: i64,
    /// False when the server does not have the record's template version:
    /// the score columns are then empty until it is published.
    pub scored: bool,
    pub score: Option<f64>,
    pub passed: Option<bool>,
    pub complete: Option<bool>,
    pub rule_set: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerRow {
    pub item_id: String,
    pub section_id: Option<String>,
    /// The value as JSON, as in an answers file.
    pub value: String,
    /// 0..1 when the item is scored and applicable.
    pub outcome: Option<f64>,
    pub failed: bool,
    pub note: Option<String>,
    pub evidence: i64,
    pub by: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionRow {
    pub section_id: String,
    pub weight: f64,
    pub earned: f64,
    pub possible: f64,
    pub score: Option<f64>,
    pub zeroed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstructRow {
    pub construct_id: String,
    pub role: String,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    pub n: i64,
    pub status: String,
    pub by: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommentRow {
    pub comment_id: String,
    pub item_id: Option<String>,
    pub text: String,
    pub by: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionRow {
    pub action_id: String,
    pub item_id: String,
    pub description: String,
    pub assignee: String,
    pub due: String,
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
    pub done_at: Option<i64>,
    pub verified_by: Option<String>,
    pub verified_at: Option<i64>,
    pub verified_record: Option<String>,
    /// What the person who fixed it said, and photos of the fix (kept in
    /// the document; the follow-up table does not hold them).
    pub done_note: Option<String>,
    pub done_evidence: Vec<crate::answers::MediaRef>,
}

/// One Automerge change: who changed the record, when, and what they said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRow {
    pub n: i64,
    pub hash: String,
    pub author: Option<String>,
    /// Milliseconds since the epoch.
    pub at: i64,
    pub message: Option<String>,
}

/// The rows of `doc_id`. `template` is the record's pinned version if the
/// caller has it; a different version is treated as unknown.
pub fn derive(
    doc_id: &str,
    state: &RecordState,
    template: Option<&Template>,
    history: &[ChangeInfo],
) -> Derived {
    let h = &state.header;
    let template = template.filter(|t| t.id == h.template_id && t.version == h.template_version);
    let values = state.answer_values();
    let started = Some(h.started_at);
    let last_status = |pred: &dyn Fn(&str) -> bool| {
        state
            .history
            .iter()
            .rev()
            .find(|c| pred(c.status.as_str()))
            .map(|c| c.at)
    };
    let mut record = RecordRow {
        doc_id: doc_id.to_string(),
        store_id: h.store_id.clone(),
        template_id: h.template_id.clone(),
        template_version: h.template_version.clone(),
        kind: h.kind.as_str().to_string(),
        mode: h.mode.as_str().to_string(),
        author: h.author.clone(),
        status: state.status.as_str().to_string(),
        started_at: h.started_at,
        ended_at: h.ended_at,
        submitted_at: last_status(&|s| s == "submitted" || s == "resubmitted"),
        reviewed_at: last_status(&|s| s == "approved" || s == "returned"),
        updated_at: updated_at(state),
        scored: template.is_some(),
        score: None,
        passed: None,
        complete: None,
        rule_set: None,
        lat: h.location.as_ref().map(|l| l.lat),
        lon: h.location.as_ref().map(|l| l.lon),
    };
    let mut sections = Vec::new();
    let mut constructs = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    if let Some(t) = template {
        match t.kind {
            TemplateKind::Checklist => {
                let v = score_visit(t, &values, started);
                record.score = v.score;
                record.passed = Some(v.passed);
                record.complete = Some(v.complete);
                record.rule_set = Some(v.rule_set.to_string());
                failed = v.failed_items;
                sections = v
                    .sections
                    .into_iter()
                    .map(|s| SectionRow {
                        section_id: s.id,
                        weight: s.weight,
                        earned: s.earned,
                        possible: s.possible,
                        score: s.score,
                        zeroed: s.zeroed,
                    })
                    .collect();
            }
            TemplateKind::Questionnaire => {
                let r = score_response(t, &values, started);
                record.complete = Some(r.complete);
                record.rule_set = Some(r.rule_set.to_string());
                constructs = r
                    .constructs
                    .into_iter()
                    .map(|c| ConstructRow {
                        construct_id: c.id,
                        role: c.role.as_str().to_string(),
                        score: c.score,
                    })
                    .collect();
            }
        }
    }
    let calculated_item = |id: &str| {
        template
            .and_then(|t| t.answer_item(id))
            .is_some_and(|(i, _)| matches!(i.answer, AnswerType::Calculate(_)))
    };
    // What pass rules read: the answers, calculated values beside them.
    let evaluated = template.map(|t| (t, evaluate_all(t, &values, started)));
    let read = evaluated
        .as_ref()
        .map_or_else(|| values.clone(), |(t, e)| e.beside(t, &values));
    // An answer in an entry past its section's count (the count lowered
    // after it was given) is set aside, as ODK does: no row.
    let kept = |id: &str| match (&evaluated, split_key(id)) {
        (Some((t, e)), (item, Some(entry))) => t.section_of(item).is_none_or(|s| {
            e.entries
                .get(&s.id)
                .is_some_and(|list| list.iter().any(|x| x == entry))
        }),
        _ => true,
    };
    let mut answers: Vec<AnswerRow> = state
        .answers
        .iter()
        // A calculate item's value is worked out below, never taken as written.
        .filter(|(id, _)| !calculated_item(id) && kept(id))
        .map(|(id, a)| {
            let item = template.and_then(|t| t.answer_item(id));
            AnswerRow {
                item_id: id.clone(),
                section_id: template
                    .and_then(|t| t.section_of(split_key(id).0))
                    .map(|s| s.id.clone()),
                value: to_json(&a.value).to_string(),
                outcome: template.zip(item).and_then(|(t, (i, entry))| match entry {
                    None => outcome(t, i, &a.value, &read, started),
                    Some(e) => outcome(t, i, &a.value, &entry_view(&read, e), started),
                }),
                failed: failed.contains(id),
                note: a.note.clone(),
                evidence: a.evidence.len() as i64,
                by: a.by.clone(),
                at: a.at,
            }
        })
        .collect();
    // Calculated values, worked out here from the answers (never taken
    // from a device), so that the queue, exports and reports show them.
    if let Some(t) = template {
        for (id, v) in read.iter().filter(|(id, _)| calculated_item(id)) {
            answers.push(AnswerRow {
                section_id: t.section_of(split_key(id).0).map(|s| s.id.clone()),
                value: to_json(v).to_string(),
                item_id: id.clone(),
                outcome: None,
                failed: false,
                note: None,
                evidence: 0,
                by: h.author.clone(),
                at: record.updated_at,
            });
        }
    }
    Derived {
        record,
        answers,
        sections,
        constructs,
        events: state
            .history
            .iter()
            .zip(0..)
            .map(|(c, n)| EventRow {
                n,
                status: c.status.as_str().to_string(),
                by: c.by.clone(),
                at: c.at,
            })
            .collect(),
        comments: state
            .comments
            .iter()
            .map(|(id, c)| CommentRow {
                comment_id: id.clone(),
                item_id: c.item.clone(),
                text: c.text.clone(),
                by: c.by.clone(),
                at: c.at,
            })
            .collect(),
        actions: state
            .actions
            .iter()
            .map(|(id, a)| ActionRow {
                action_id: id.clone(),
                item_id: a.item.clone(),
                description: a.description.clone(),
                assignee: a.assignee.clone(),
                due: a.due.clone(),
                status: a.status.as_str().to_string(),
                created_by: a.created_by.clone(),
                created_at: a.created_at,
                done_at: a.done_at,
                verified_by: a.verified_by.clone(),
                verified_at: a.verified_at,
                verified_record: a.verified_record.clone(),
                done_note: a.done_note.clone(),
                done_evidence: a.done_evidence.clone(),
            })
            .collect(),
        history: history
            .iter()
            .zip(0..)
            .map(|(c, n)| ChangeRow {
                n,
                hash: c.hash.clone(),
                author: c.author.clone(),
                at: c.time * 1000,
                message: c.message.clone(),
            })
            .collect(),
    }
}

/// The latest moment anything in the record happened.
fn updated_at(s: &RecordState) -> i64 {
    let answers = s.answers.values().map(|a| a.at);
    let history = s.history.iter().map(|c| c.at);
    let comments = s.comments.values().map(|c| c.at);
    let actions = s
        .actions
        .values()
        .flat_map(|a| [Some(a.created_at), a.done_at, a.verified_at])
        .flatten();
    answers
        .chain(history)
        .chain(comments)
        .chain(actions)
        .fold(s.header.started_at, i64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::AnswerValue::{self, Fail, NotApplicable as Na, Pass};
    use crate::records::{Actor, Record};
    use crate::templates::worked_example;
    use crate::vocab::Role;

    fn who(user: &str, role: Role, now_ms: i64) -> Actor {
        Actor {
            user: user.into(),
            role,
            device: "d".into(),
            now_ms,
        }
    }

    /// The S2 worked example as a record: submitted, returned, resubmitted.
    fn reviewed() -> (crate::templates::Template, Record) {
        let t = worked_example(None);
        let li = |ms| who("li", Role::Inspector, ms);
        let mut r = Record::create(&t, "r1", "cq/yz/001", &li(1_000)).expect("create");
        let answers: [(&str, AnswerValue); 7] = [
            ("a1", Pass),
            ("a2", Pass),
            ("a3", Fail),
            ("a4", Na),
            ("b1", Pass),
            ("b2", Pass),
            ("b3", Fail),
        ];
        for (k, (id, v)) in answers.into_iter().enumerate() {
            let note = (id == "a3").then(|| "dusty counter".to_string());
            r.answer(&t, &li(2_000 + k as i64), id, v, note)
                .expect("answer");
        }
        r.submit(&t, &li(3_000)).expect("submit");
        r.return_for_changes(&who("wang", Role::Manager, 4_000), "photo of a3 please")
            .expect("return");
        r.submit(&t, &li(5_000)).expect("resubmit");
        (t, r)
    }

    #[test]
    fn a_reviewed_audit_becomes_rows_with_the_methodology_scores() {
        let (t, mut r) = reviewed();
        let state = r.state().expect("state");
        let d = derive("r1", &state, Some(&t), &r.history());
        assert_eq!(d.record.status, "resubmitted");
        assert!(d.record.scored);
        assert_eq!(d.record.score, Some(77.0));
        assert_eq!(d.record.passed, Some(true));
        assert_eq!(d.record.submitted_at, Some(5_000));
        assert_eq!(d.record.reviewed_at, Some(4_000));
        assert_eq!(d.record.updated_at, 5_000);
        let scores: Vec<_> = d
            .sections
            .iter()
            .map(|s| (s.section_id.as_str(), s.score))
            .collect();
        assert_eq!(scores, [("a", Some(80.0)), ("b", Some(75.0))]);
        let a3 = d.answers.iter().find(|a| a.item_id == "a3").expect("a3");
        assert_eq!((a3.outcome, a3.value.as_str()), (Some(0.0), "\"fail\""));
        assert_eq!(a3.section_id.as_deref(), Some("a"));
        assert_eq!(a3.note.as_deref(), Some("dusty counter"));
        let a4 = d.answers.iter().find(|a| a.item_id == "a4").expect("a4");
        assert_eq!(a4.outcome, None, "N/A does not count");
        let statuses: Vec<_> = d.events.iter().map(|e| e.status.as_str()).collect();
        assert_eq!(statuses, ["draft", "submitted", "returned", "resubmitted"]);
        assert_eq!(d.comments.len(), 1);
        assert_eq!(d.history.len(), r.history().len());
        assert!(
            d.history.iter().all(|c| c.author.is_some()),
            "{:?}",
            d.history
        );
        assert_eq!(
            d,
            derive("r1", &state, Some(&t), &r.history()),
            "deriving twice gives the same rows"
        );
    }

    #[test]
    fn without_its_template_version_a_record_is_kept_but_not_scored() {
        let (t, mut r) = reviewed();
        let state = r.state().expect("state");
        let other = worked_example(Some("zero_visit"));
        assert_ne!(other.version, t.version);
        let d = derive("r1", &state, Some(&other), &r.history());
        assert!(!d.record.scored);
        assert_eq!(d.record.score, None);
        assert!(d.sections.is_empty());
        assert_eq!(d.answers.len(), 7);
        assert!(
            d.answers
                .iter()
                .all(|a| a.outcome.is_none() && a.section_id.is_none())
        );
    }
}
