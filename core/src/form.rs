//! A record as the form the app shows: every section and item of its
//! template with the answer, whether skip logic shows it, what is wrong with
//! it, and the running score. The UI renders this and nothing else, so skip
//! logic, constraints and scoring are computed once, here, by the same code
//! the server scores with. The types are shared with TypeScript (ts-rs).

use std::borrow::Cow;

use serde::Serialize;
use ts_rs::TS;

use crate::answers::{
    AnswerProblem, AnswerValue, Answers, GeoPoint, MediaRef, Relevant, Started, check_complete,
    entry_view, evaluate_adding, evaluate_all, meets_constraint, offered, to_json,
};
use crate::i18n::Bilingual;
use crate::records::{RecordState, Status, answered_beyond_defaults, quit_keeps};
use crate::scoring::audit::score_visit;
use crate::templates::{
    AnswerType, Choice, Item, MAX_ENTRIES, Template, TemplateKind, entry_key, split_key,
};

/// One record, ready to show and fill in.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FormView {
    pub doc_id: String,
    pub template_id: String,
    pub template_version: String,
    pub title: Bilingual,
    /// `checklist` or `questionnaire`.
    pub kind: String,
    /// `overt`, `mystery`, `test_call`, `echannel` or `intercept`.
    pub mode: String,
    pub store_id: String,
    pub status: String,
    /// Milliseconds since the epoch.
    #[ts(type = "number")]
    pub started_at: i64,
    /// Where the visit took place, when the device gave a position.
    pub location: Option<GeoPoint>,
    /// The author may still change the answers (draft or returned).
    pub editable: bool,
    /// Quitting now keeps what was answered as a partial response
    /// (`records::quit_keeps`); otherwise quitting discards the draft.
    pub quit_keeps: bool,
    pub sections: Vec<SectionView>,
    /// Relevant items that take an answer, and how many of them have one.
    pub answerable: u32,
    pub answered: u32,
    /// The running visit score, 0..100, for checklists with an answer.
    pub score: Option<f64>,
    pub passed: Option<bool>,
    /// Scored items that failed, in template order.
    pub failed_items: Vec<String>,
    /// What stops a submit now, by item.
    pub problems: Vec<Problem>,
    pub comments: Vec<CommentView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SectionView {
    pub id: String,
    pub title: Bilingual,
    /// False when skip logic hides the whole section.
    pub relevant: bool,
    pub score: Option<f64>,
    /// Its items; none in a repeated section, whose items are in its entries.
    pub items: Vec<ItemView>,
    /// Set for a section filled in once per entry.
    pub repeat: Option<RepeatView>,
}

/// The entries of a repeated section.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RepeatView {
    /// The number of entries follows an answer (XLSForm `repeat_count`);
    /// otherwise the person adds and removes them.
    pub counted: bool,
    pub entries: Vec<EntryView>,
}

/// One entry of a repeated section: its items' ids are `item@entry`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EntryView {
    pub entry: String,
    /// 1 first.
    pub position: u32,
    /// Not there yet: the blank entry a first answer adds.
    pub new: bool,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ItemView {
    pub id: String,
    pub label: Bilingual,
    pub hint: Option<Bilingual>,
    pub input: Input,
    pub required: bool,
    pub allow_na: bool,
    /// A failed answer here knocks out its section or the visit.
    pub critical: bool,
    /// False when skip logic hides the item.
    pub relevant: bool,
    /// The answer in its JSON form (`"pass"`, a number, a choice...).
    #[ts(type = "unknown")]
    pub value: Option<serde_json::Value>,
    pub note: Option<String>,
    pub evidence: Vec<MediaRef>,
    pub failed: bool,
    /// The template's message when the answer breaks the item's constraint.
    pub constraint_message: Option<Bilingual>,
    pub constraint_broken: bool,
    /// In a test call, what the call bar records here: `dialled`, `wait` or
    /// `talk`.
    pub call: Option<String>,
}

/// What kind of control an item needs, with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input {
    PassFail,
    Partial,
    Scale {
        min: f64,
        max: f64,
        min_label: Option<Bilingual>,
        max_label: Option<Bilingual>,
    },
    Touchpoint,
    Recommend,
    SingleChoice {
        choices: Vec<ChoiceView>,
    },
    MultipleChoice {
        choices: Vec<ChoiceView>,
    },
    Number {
        unit: Option<String>,
        integer: bool,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Seconds; the app offers a timer.
    Duration,
    Date,
    Time,
    DateTime,
    Text,
    Photo,
    Signature,
    Audio,
    Video,
    File,
    Location,
    Note,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChoiceView {
    pub value: String,
    pub label: Bilingual,
}

/// Something that stops a submit: `missing`, `constraint`, `invalid` or
/// `unknown_item`, with the server's English detail.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Problem {
    pub item: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CommentView {
    pub item: Option<String>,
    pub text: String,
    pub by: String,
    #[ts(type = "number")]
    pub at: i64,
}

fn choices(c: Vec<&Choice>) -> Vec<ChoiceView> {
    c.into_iter()
        .map(|c| ChoiceView {
            value: c.value.clone(),
            label: c.label.clone(),
        })
        .collect()
}

/// The choices offered, and any chosen that the filter no longer offers
/// (an earlier answer changed): shown chosen, so that the respondent sees
/// what the problem beside it names and can change it.
fn shown_choices<'i>(
    item: &'i Item,
    relevant: &Relevant,
    answers: &Answers,
    started: Started,
) -> Vec<&'i Choice> {
    let offered = offered(item, relevant, answers, started);
    // In an entry, `answers` reads the entry's answers under the items' ids.
    let chosen: Vec<&String> = match answers.get(&item.id) {
        Some(AnswerValue::Choice(c)) => vec![c],
        Some(AnswerValue::Choices(l)) => l.iter().collect(),
        _ => return offered,
    };
    item.answer
        .choices()
        .unwrap_or_default()
        .iter()
        .filter(|c| offered.iter().any(|o| std::ptr::eq(*o, *c)) || chosen.contains(&&c.value))
        .collect()
}

/// How the item is answered; a choice item offers the choices its filter
/// keeps given the answers (`relevant` and `answers` as `with_calculated`
/// gives them).
fn input(item: &Item, relevant: &Relevant, answers: &Answers, started: Started) -> Input {
    match &item.answer {
        AnswerType::PassFail => Input::PassFail,
        AnswerType::Partial => Input::Partial,
        AnswerType::Scale {
            min,
            max,
            min_label,
            max_label,
        } => Input::Scale {
            min: *min,
            max: *max,
            min_label: min_label.clone(),
            max_label: max_label.clone(),
        },
        AnswerType::Touchpoint => Input::Touchpoint,
        AnswerType::Recommend => Input::Recommend,
        AnswerType::SingleChoice(_) => Input::SingleChoice {
            choices: choices(shown_choices(item, relevant, answers, started)),
        },
        AnswerType::MultipleChoice(_) => Input::MultipleChoice {
            choices: choices(shown_choices(item, relevant, answers, started)),
        },
        AnswerType::Number {
            unit,
            integer,
            min,
            max,
            ..
        } => Input::Number {
            unit: unit.clone(),
            integer: *integer,
            min: *min,
            max: *max,
        },
        AnswerType::Duration { .. } => Input::Duration,
        AnswerType::Date => Input::Date,
        AnswerType::Time => Input::Time,
        AnswerType::DateTime => Input::DateTime,
        AnswerType::Text => Input::Text,
        AnswerType::Photo => Input::Photo,
        AnswerType::Signature => Input::Signature,
        AnswerType::Audio => Input::Audio,
        AnswerType::Video => Input::Video,
        AnswerType::File => Input::File,
        AnswerType::Location => Input::Location,
        // Not shown (form_view leaves calculate items out).
        AnswerType::Note | AnswerType::Calculate(_) => Input::Note,
    }
}

/// The problems in the form the UI shows.
pub fn problems(list: &[AnswerProblem]) -> Vec<Problem> {
    list.iter().map(problem).collect()
}

fn problem(p: &AnswerProblem) -> Problem {
    let code = match p {
        AnswerProblem::UnknownItem { .. } => "unknown_item",
        AnswerProblem::Invalid { .. } => "invalid",
        AnswerProblem::Missing { .. } => "missing",
        AnswerProblem::Constraint { .. } => "constraint",
    };
    Problem {
        item: p.item().to_string(),
        code: code.into(),
        message: p.to_string(),
    }
}

/// The form of `state`, a record of `template`, stored as `doc_id`.
pub fn form_view(doc_id: &str, state: &RecordState, template: &Template) -> FormView {
    form_view_adding(doc_id, state, template, None)
}

/// The answers and relevance as the items of entry `entry` read them:
/// that entry's under their items' ids, beside those outside any repeat.
fn in_entry<'t>(
    relevant: &Relevant<'t>,
    answers: &Answers,
    entry: &str,
) -> (Relevant<'t>, Answers) {
    let relevant = relevant
        .iter()
        .filter_map(|key| match split_key(key) {
            (_, None) => Some(key.clone()),
            (id, Some(e)) if e == entry => Some(Cow::Owned(id.to_string())),
            _ => None,
        })
        .collect();
    (relevant, entry_view(answers, entry))
}

/// As [`form_view`], with a blank entry named `fresh` at the end of each
/// repeated section whose entries the person adds: answering one of its
/// items adds it. The device names it (its clock, then random letters).
pub fn form_view_adding(
    doc_id: &str,
    state: &RecordState,
    template: &Template,
    fresh: Option<&str>,
) -> FormView {
    let raw = state.answer_values();
    let started = Some(state.header.started_at);
    // Constraints may read calculated values.
    let evaluated = evaluate_all(template, &raw, started);
    let answers = evaluated.beside(template, &raw);
    let relevant = &evaluated.relevant;
    let adds = template
        .sections
        .iter()
        .any(|s| s.repeat.as_ref().is_some_and(|r| r.count.is_none()));
    let blank = fresh
        .filter(|_| adds)
        .map(|f| evaluate_adding(template, &raw, started, Some(f)));
    let checklist = template.kind == TemplateKind::Checklist;
    let visit = checklist.then(|| score_visit(template, &raw, started));
    let failed: Vec<String> = visit
        .as_ref()
        .map(|v| v.failed_items.clone())
        .unwrap_or_default();
    let (mut answerable, mut answered) = (0, 0);
    // The view of `item` answered under `key`, given what it reads.
    // A blank entry is not counted in the progress: it need not be filled.
    let mut item_view =
        |item: &Item, key: &str, relevant: &Relevant, read: &Answers, blank: bool| {
            let shown = relevant.contains(item.id.as_str());
            let answer = state.answers.get(key);
            if shown && !blank && !matches!(item.answer, AnswerType::Note) {
                answerable += 1;
                answered += u32::from(answer.is_some());
            }
            ItemView {
                id: key.to_string(),
                label: item.label.clone(),
                hint: item.hint.clone(),
                input: input(item, relevant, read, started),
                required: item.required,
                allow_na: item.allow_na,
                critical: item.scoring.as_ref().is_some_and(|s| s.critical.is_some()),
                relevant: shown,
                value: answer.map(|a| to_json(&a.value)),
                note: answer.and_then(|a| a.note.clone()),
                evidence: answer.map(|a| a.evidence.clone()).unwrap_or_default(),
                failed: failed.iter().any(|f| f == key),
                constraint_message: item.constraint_message.clone(),
                constraint_broken: answer
                    .is_some_and(|a| !meets_constraint(item, &a.value, read, started)),
                call: item.call.map(|c| c.as_str().into()),
            }
        };
    // Calculate items take no answer and are not shown.
    let shown = |item: &&Item| !matches!(item.answer, AnswerType::Calculate(_));
    let sections = template
        .sections
        .iter()
        .map(|section| {
            let score = visit.as_ref().and_then(|v| {
                v.sections
                    .iter()
                    .find(|s| s.id == section.id)
                    .and_then(|s| s.score)
            });
            let Some(repeat) = &section.repeat else {
                let items: Vec<ItemView> = section
                    .items
                    .iter()
                    .filter(shown)
                    .map(|item| item_view(item, &item.id, relevant, &answers, false))
                    .collect();
                return SectionView {
                    id: section.id.clone(),
                    title: section.title.clone(),
                    relevant: items.iter().any(|i| i.relevant),
                    score,
                    items,
                    repeat: None,
                };
            };
            let mut names: Vec<(String, bool)> = evaluated
                .entries_of(&section.id)
                .iter()
                .map(|e| (e.clone(), false))
                .collect();
            if let Some(fresh) = fresh.filter(|f| {
                repeat.count.is_none()
                    && names.len() < MAX_ENTRIES
                    && !names.iter().any(|(e, _)| e == f)
            }) {
                names.push((fresh.to_string(), true));
            }
            let mut relevant_section = false;
            let entries = names
                .into_iter()
                .enumerate()
                .map(|(k, (entry, new))| {
                    // A blank entry shows what it would once added.
                    let from = match (&blank, new) {
                        (Some(b), true) => &b.relevant,
                        _ => relevant,
                    };
                    let (seen, read) = in_entry(from, &answers, &entry);
                    let items: Vec<ItemView> = section
                        .items
                        .iter()
                        .filter(shown)
                        .map(|item| {
                            item_view(item, &entry_key(&item.id, &entry), &seen, &read, new)
                        })
                        .collect();
                    relevant_section |= items.iter().any(|i| i.relevant);
                    EntryView {
                        entry,
                        position: k as u32 + 1,
                        new,
                        items,
                    }
                })
                .collect();
            SectionView {
                id: section.id.clone(),
                title: section.title.clone(),
                relevant: relevant_section,
                score,
                items: Vec::new(),
                repeat: Some(RepeatView {
                    counted: repeat.count.is_some(),
                    entries,
                }),
            }
        })
        .collect();
    let any_answer = answered_beyond_defaults(template, state);
    FormView {
        doc_id: doc_id.into(),
        template_id: template.id.clone(),
        template_version: template.version.clone(),
        title: template.title.clone(),
        kind: template.kind.as_str().into(),
        mode: state.header.mode.as_str().into(),
        store_id: state.header.store_id.clone(),
        status: state.status.as_str().into(),
        started_at: state.header.started_at,
        location: state.header.location.clone(),
        editable: matches!(state.status, Status::Draft | Status::Returned),
        quit_keeps: quit_keeps(template, any_answer),
        sections,
        answerable,
        answered,
        score: visit.as_ref().filter(|_| any_answer).and_then(|v| v.score),
        passed: visit.as_ref().filter(|_| any_answer).map(|v| v.passed),
        failed_items: failed,
        problems: problems(&check_complete(template, &raw, started)),
        comments: state
            .comments
            .values()
            .map(|c| CommentView {
                item: c.item.clone(),
                text: c.text.clone(),
                by: c.by.clone(),
                at: c.at,
            })
            .collect(),
    }
}
