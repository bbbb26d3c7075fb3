//! Answers: a record's answers, their JSON file, and skip logic: which items
//! are relevant given the answers so far, what calculations make of them,
//! which choices are offered, and what is missing before a record can be
//! submitted. The value types
//! and their check against an item are the templates' (`templates::values`),
//! named here too.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value as Json;

use crate::msg;
use crate::templates::expr::{self, Env, Val};
pub use crate::templates::values::{
    AnswerProblem, AnswerValue, GeoPoint, MediaRef, check_value, from_json, to_json,
};
use crate::templates::{
    AnswerType, Choice, Item, MAX_ENTRIES, Template, entry_key, entry_order, split_key,
};

/// Item id -> answer value.
pub type Answers = BTreeMap<String, AnswerValue>;

/// When the record was started, in milliseconds since the epoch (its
/// header's `started_at`): the moment `today()` and `now()` read, so that
/// the device and the server work out the same values from the same
/// record. `None` where there is no record: they read as unanswered.
pub type Started = Option<i64>;

/// Reads a whole answers file: `{"answers": {"item_id": value, ...}}`.
/// Every problem is reported, not just the first.
pub fn answers_from_json(template: &Template, json: &Json) -> Result<Answers, Vec<AnswerProblem>> {
    let Some(map) = json.get("answers").and_then(Json::as_object) else {
        return Err(vec![AnswerProblem::Invalid {
            item: String::new(),
            message: msg!(
                "answers.file_shape",
                "expected an object {shape}",
                shape = "{\"answers\": {\"item_id\": value, ...}}"
            ),
        }]);
    };
    let mut out = Answers::new();
    let mut problems = Vec::new();
    for (id, v) in map {
        match template.answer_item(id) {
            None => problems.push(AnswerProblem::UnknownItem { item: id.clone() }),
            Some((item, _)) => match from_json(item, v) {
                Ok(value) => {
                    out.insert(id.clone(), value);
                }
                Err(p) => problems.push(p.at(id)),
            },
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The value an expression sees for an answer.
pub fn expr_value(v: Option<&AnswerValue>) -> Val {
    match v {
        None => Val::Null,
        Some(AnswerValue::Pass) => Val::Str("pass".into()),
        Some(AnswerValue::Fail) => Val::Str("fail".into()),
        Some(AnswerValue::NotApplicable) => Val::Str("na".into()),
        Some(AnswerValue::Fraction(x) | AnswerValue::Number(x)) => Val::Num(*x),
        Some(AnswerValue::Choice(s) | AnswerValue::Text(s)) => Val::Str(s.clone()),
        Some(AnswerValue::Choices(l)) => Val::List(l.clone()),
        Some(AnswerValue::Media(m)) => {
            Val::Str(m.first().map(|m| m.hash.clone()).unwrap_or_default())
        }
        Some(AnswerValue::Location(g)) => Val::Str(format!("{} {}", g.lat, g.lon)),
    }
}

/// The answer keys of the items relevant given the answers: an item's id,
/// or `item@entry` for each entry of a repeated section
/// ([`crate::templates::entry_key`]).
pub type Relevant<'t> = HashSet<Cow<'t, str>>;

/// The entries of each repeated section, by section id, in order.
pub type Entries = HashMap<String, Vec<String>>;

/// What skip logic and calculations make of a record's answers.
#[derive(Debug, Default)]
pub struct Evaluated<'t> {
    pub relevant: Relevant<'t>,
    /// The values of the relevant calculate items, by answer key.
    pub calculated: Answers,
    /// The entries of each repeated section.
    pub entries: Entries,
}

/// An entry being read: its section, its name and its number (1 first).
type InEntry<'a> = (&'a str, &'a str, usize);

impl Evaluated<'_> {
    /// The entries of the repeated section `section`, in order (none for
    /// any other section).
    pub fn entries_of(&self, section: &str) -> &[String] {
        self.entries.get(section).map_or(&[], Vec::as_slice)
    }

    /// `answers` with the calculated values beside them (never a value a
    /// client wrote to a calculate item), as constraints, pass rules,
    /// scores and the derived tables read them.
    pub fn beside(&self, template: &Template, answers: &Answers) -> Answers {
        let mut all = answered_only(template, answers).into_owned();
        all.extend(self.calculated.clone());
        all
    }
}

/// Answers as seen by expressions: non-relevant items read as unanswered,
/// and calculate items as their values. In an entry of a repeated section,
/// the questions of that section read as that entry's answers.
struct Visible<'a> {
    answers: &'a Answers,
    calculated: Option<&'a Answers>,
    relevant: &'a Relevant<'a>,
    current: Option<&'a AnswerValue>,
    started: Started,
    /// Where choice labels are read (`jr:choice-name()`), and questions
    /// found in their sections, if at hand.
    template: Option<&'a Template>,
    entries: Option<&'a Entries>,
    entry: Option<InEntry<'a>>,
}

impl<'a> Visible<'a> {
    /// Answers as they are (every one answered counts as shown), with
    /// nothing worked out and no template.
    fn plain(
        answers: &'a Answers,
        relevant: &'a Relevant<'a>,
        current: Option<&'a AnswerValue>,
        started: Started,
    ) -> Visible<'a> {
        Visible {
            answers,
            calculated: None,
            relevant,
            current,
            started,
            template: None,
            entries: None,
            entry: None,
        }
    }

    /// The answers as worked out so far, read in `entry` (or outside any).
    fn worked_out(
        template: &'a Template,
        answers: &'a Answers,
        so_far: &'a Evaluated<'_>,
        started: Started,
        entry: Option<InEntry<'a>>,
    ) -> Visible<'a> {
        Visible {
            answers,
            calculated: Some(&so_far.calculated),
            relevant: &so_far.relevant,
            current: None,
            started,
            template: Some(template),
            entries: Some(&so_far.entries),
            entry,
        }
    }

    /// The repeated section `name` is a question of.
    fn repeat_of(&self, name: &str) -> Option<&'a str> {
        let section = self.template?.section_of(name)?;
        section.repeat.as_ref().map(|_| section.id.as_str())
    }

    fn value(&self, key: &str) -> Val {
        if self.relevant.contains(key) {
            let calculated = self.calculated.and_then(|c| c.get(key));
            expr_value(calculated.or_else(|| self.answers.get(key)))
        } else {
            Val::Null
        }
    }
}

impl Env for Visible<'_> {
    fn get(&self, name: &str) -> Val {
        match (self.repeat_of(name), self.entry) {
            (None, _) => self.value(name),
            (Some(repeat), Some((here, entry, _))) if repeat == here => {
                self.value(&entry_key(name, entry))
            }
            // Read through each(): the type check allows nothing else.
            (Some(_), _) => Val::Null,
        }
    }
    fn current(&self) -> Val {
        expr_value(self.current)
    }
    fn started(&self) -> Started {
        self.started
    }
    fn choice_label(&self, item: &str, value: &str) -> Option<String> {
        let choices = self.template?.item(item)?.answer.choices()?;
        let choice = choices.iter().find(|c| c.value == value)?;
        Some(choice.label.zh.clone())
    }
    fn each(&self, name: &str) -> Option<Vec<Val>> {
        let repeat = self.repeat_of(name)?;
        if self.entry.is_some_and(|(here, _, _)| here == repeat) {
            return None;
        }
        let entries = self.entries?.get(repeat).map(Vec::as_slice);
        Some(
            entries
                .unwrap_or_default()
                .iter()
                .map(|e| self.value(&entry_key(name, e)))
                .collect(),
        )
    }
    fn entries(&self, name: &str) -> usize {
        self.entries.and_then(|e| e.get(name)).map_or(0, Vec::len)
    }
    fn position(&self) -> Option<usize> {
        self.entry.map(|(_, _, n)| n)
    }
    fn nth(&self, name: &str, n: usize) -> Val {
        let entry = self
            .repeat_of(name)
            .and_then(|repeat| self.entries?.get(repeat)?.get(n.checked_sub(1)?));
        entry.map_or(Val::Null, |e| self.value(&entry_key(name, e)))
    }
}

/// A choice as a `choice_filter` sees it: the answers, and its columns by
/// bare name (`name` its value, a column it leaves empty as empty text).
struct ChoiceEnv<'a> {
    answers: &'a Visible<'a>,
    choice: &'a Choice,
}

impl Env for ChoiceEnv<'_> {
    fn get(&self, name: &str) -> Val {
        self.answers.get(name)
    }
    fn current(&self) -> Val {
        Val::Null
    }
    fn started(&self) -> Started {
        self.answers.started
    }
    fn choice_label(&self, item: &str, value: &str) -> Option<String> {
        self.answers.choice_label(item, value)
    }
    fn each(&self, name: &str) -> Option<Vec<Val>> {
        self.answers.each(name)
    }
    fn entries(&self, name: &str) -> usize {
        self.answers.entries(name)
    }
    fn position(&self) -> Option<usize> {
        self.answers.position()
    }
    fn nth(&self, name: &str, n: usize) -> Val {
        self.answers.nth(name, n)
    }
    fn field(&self, name: &str) -> Val {
        if name == "name" {
            return Val::Str(self.choice.value.clone());
        }
        Val::Str(self.choice.data.get(name).cloned().unwrap_or_default())
    }
}

/// The choices of a choice item offered given the answers, as
/// [`with_calculated`] gives them: those its `choice_filter` keeps (every
/// one without a filter). For a question of a repeated section, pass the
/// answers as its entry sees them ([`entry_view`]).
pub fn offered<'i>(
    item: &'i Item,
    relevant: &Relevant<'_>,
    answers: &Answers,
    started: Started,
) -> Vec<&'i Choice> {
    offered_in(item, &Visible::plain(answers, relevant, None, started))
}

fn offered_in<'i>(item: &'i Item, answers: &Visible<'_>) -> Vec<&'i Choice> {
    let choices = item.answer.choices().unwrap_or_default();
    match &item.choice_filter {
        None => choices.iter().collect(),
        Some(filter) => choices
            .iter()
            .filter(|choice| expr::eval_bool(filter, &ChoiceEnv { answers, choice }))
            .collect(),
    }
}

/// The answers as the questions of one entry of a repeated section read
/// them: that entry's answers under their items' ids, beside the answers
/// outside any repeated section. For the checks that take answers without
/// their template ([`meets_constraint`], [`passes_rule`], [`offered`]).
pub fn entry_view(answers: &Answers, entry: &str) -> Answers {
    answers
        .iter()
        .filter_map(|(key, v)| match split_key(key) {
            (id, None) => Some((id.to_string(), v.clone())),
            (id, Some(e)) if e == entry => Some((id.to_string(), v.clone())),
            _ => None,
        })
        .collect()
}

/// A calculation's value as an answer: a number, a text (`true` / `false`
/// for a condition), or chosen values; none when it has none.
fn calculated_value(v: Val) -> Option<AnswerValue> {
    match v {
        Val::Null => None,
        Val::Num(x) => x.is_finite().then_some(AnswerValue::Number(x)),
        Val::Str(s) => Some(AnswerValue::Text(s)),
        Val::Bool(b) => Some(AnswerValue::Text(b.to_string())),
        Val::List(l) => Some(AnswerValue::Choices(l)),
    }
}

/// The entries of the repeated sections that are not counted: each name
/// some answer to one of the section's questions is kept under, in order,
/// and `adding`, an entry not answered yet.
fn added_entries(template: &Template, answers: &Answers, adding: Option<&str>) -> Entries {
    let mut out = Entries::new();
    if let Some(entry) = adding {
        for s in &template.sections {
            if s.repeat.as_ref().is_some_and(|r| r.count.is_none()) {
                out.insert(s.id.clone(), vec![entry.to_string()]);
            }
        }
    }
    for key in answers.keys() {
        if let Some((item, Some(entry))) = template.answer_item(key) {
            let section = template.section_of(&item.id);
            if let Some(section) =
                section.filter(|s| s.repeat.as_ref().is_some_and(|r| r.count.is_none()))
            {
                let list = out.entry(section.id.clone()).or_default();
                if !list.iter().any(|e| e == entry) {
                    list.push(entry.to_string());
                }
            }
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| entry_order(a, b));
        list.truncate(MAX_ENTRIES);
    }
    out
}

/// How many entries a counted section has: its count, a whole number
/// from 0 to [`MAX_ENTRIES`] (nothing else counts as none).
fn counted(count: &expr::Expr, env: &Visible<'_>) -> Vec<String> {
    let n = match expr::eval(count, env) {
        Val::Num(x) => Some(x),
        Val::Str(s) => expr::xpath_number(&s),
        _ => None,
    };
    let n = n
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map_or(0.0, f64::trunc) as usize;
    (1..=n.min(MAX_ENTRIES)).map(|k| k.to_string()).collect()
}

/// Which items are relevant given the answers (skip logic, XLSForm semantics:
/// an item in a non-relevant section, or whose own condition is false, is
/// skipped, and a skipped item reads as unanswered in other conditions),
/// and the values of the relevant calculate items, each worked out once the
/// items it reads are. A repeated section's questions are worked out for
/// each of its entries.
pub fn evaluate_all<'t>(
    template: &'t Template,
    answers: &Answers,
    started: Started,
) -> Evaluated<'t> {
    evaluate_adding(template, answers, started, None)
}

/// As [`evaluate_all`], as if each repeated section whose entries the
/// person adds had one more, `adding`, with no answers yet: what a form
/// shows of an entry before its first answer adds it.
pub fn evaluate_adding<'t>(
    template: &'t Template,
    answers: &Answers,
    started: Started,
    adding: Option<&str>,
) -> Evaluated<'t> {
    let answers = &*answered_only(template, answers);
    let mut out = Evaluated {
        entries: added_entries(template, answers, adding),
        ..Evaluated::default()
    };
    let mut section_relevant: Vec<Option<bool>> = vec![None; template.sections.len()];
    for pos in template.relevance_order() {
        let section = &template.sections[pos.section];
        let item = template.at(*pos);
        let outer = Visible::worked_out(template, answers, &out, started, None);
        let in_section = *section_relevant[pos.section].get_or_insert_with(|| {
            section
                .relevant
                .as_ref()
                .is_none_or(|e| expr::eval_bool(e, &outer))
        });
        let Some(repeat) = &section.repeat else {
            let own = item
                .relevant
                .as_ref()
                .is_none_or(|e| expr::eval_bool(e, &outer));
            let value = match &item.answer {
                AnswerType::Calculate(e) if in_section && own => {
                    calculated_value(expr::eval(e, &outer))
                }
                _ => None,
            };
            if in_section && own {
                out.relevant.insert(Cow::Borrowed(&item.id));
            }
            if let Some(v) = value {
                out.calculated.insert(item.id.clone(), v);
            }
            continue;
        };
        if let Some(count) = &repeat.count
            && !out.entries.contains_key(&section.id)
        {
            let list = counted(count, &outer);
            out.entries.insert(section.id.clone(), list);
        }
        if !in_section {
            continue;
        }
        let names = out.entries.get(&section.id).cloned().unwrap_or_default();
        for (k, entry) in names.iter().enumerate() {
            let at = Some((section.id.as_str(), entry.as_str(), k + 1));
            let env = Visible::worked_out(template, answers, &out, started, at);
            let own = item
                .relevant
                .as_ref()
                .is_none_or(|e| expr::eval_bool(e, &env));
            let value = match &item.answer {
                AnswerType::Calculate(e) if own => calculated_value(expr::eval(e, &env)),
                _ => None,
            };
            let key = entry_key(&item.id, entry);
            if let Some(v) = value {
                out.calculated.insert(key.clone(), v);
            }
            if own {
                out.relevant.insert(Cow::Owned(key));
            }
        }
    }
    out
}

/// Which items are relevant, and the values of the relevant calculate
/// items (see [`evaluate_all`]).
pub fn evaluate<'t>(
    template: &'t Template,
    answers: &Answers,
    started: Started,
) -> (Relevant<'t>, Answers) {
    let e = evaluate_all(template, answers, started);
    (e.relevant, e.calculated)
}

/// The answers without any to a calculate item: such an answer (from a
/// client that is not ours) is never read; the value is the calculation's.
pub fn answered_only<'a>(template: &Template, answers: &'a Answers) -> Cow<'a, Answers> {
    let is_calculate = |key: &str| {
        matches!(
            template.answer_item(key).map(|(i, _)| &i.answer),
            Some(AnswerType::Calculate(_))
        )
    };
    if answers.keys().any(|id| is_calculate(id)) {
        Cow::Owned(
            answers
                .iter()
                .filter(|(id, _)| !is_calculate(id))
                .map(|(id, v)| (id.clone(), v.clone()))
                .collect(),
        )
    } else {
        Cow::Borrowed(answers)
    }
}

/// Which items are relevant given the answers (see [`evaluate`]).
pub fn relevant_items<'t>(
    template: &'t Template,
    answers: &Answers,
    started: Started,
) -> Relevant<'t> {
    evaluate(template, answers, started).0
}

/// Which items are relevant, and the answers with the values of the
/// template's calculate items beside them (never one a client wrote), as
/// constraints, pass rules, scores and the derived tables read them: one
/// pass for both.
pub fn with_calculated<'t>(
    template: &'t Template,
    answers: &Answers,
    started: Started,
) -> (Relevant<'t>, Answers) {
    let e = evaluate_all(template, answers, started);
    let all = e.beside(template, answers);
    (e.relevant, all)
}

/// Whether `value` keeps the item's constraint, given the other answers
/// (true when the item has none). For a question of a repeated section,
/// pass the answers as its entry sees them ([`entry_view`]).
pub fn meets_constraint(
    item: &Item,
    value: &AnswerValue,
    answers: &Answers,
    started: Started,
) -> bool {
    item.constraint
        .as_ref()
        .is_none_or(|c| holds_for(c, value, answers, started))
}

/// Whether the answer to a measured item meets its pass rule; `None` when the
/// item has no rule. For a question of a repeated section, pass the
/// answers as its entry sees them ([`entry_view`]).
pub fn passes_rule(
    item: &Item,
    value: &AnswerValue,
    answers: &Answers,
    started: Started,
) -> Option<bool> {
    let rule = match &item.answer {
        AnswerType::Number { pass_if, .. } | AnswerType::Duration { pass_if } => {
            pass_if.as_ref()?
        }
        _ => return None,
    };
    Some(holds_for(rule, value, answers, started))
}

/// A condition on `value` (`.`), reading the other answers as they are
/// (every one answered counts as shown).
fn holds_for(
    condition: &expr::Expr,
    value: &AnswerValue,
    answers: &Answers,
    started: Started,
) -> bool {
    let relevant: Relevant = answers.keys().map(|k| Cow::Borrowed(k.as_str())).collect();
    expr::eval_bool(
        condition,
        &Visible::plain(answers, &relevant, Some(value), started),
    )
}

/// Everything that stops these answers being submitted: answers to unknown
/// items, invalid values, broken constraints and unanswered required items.
/// Answers to skipped items are ignored, as ODK does; so are answers to
/// entries beyond a repeated section's count.
pub fn check_complete(
    template: &Template,
    answers: &Answers,
    started: Started,
) -> Vec<AnswerProblem> {
    let evaluated = evaluate_all(template, answers, started);
    let read = answered_only(template, answers);
    let mut problems = Vec::new();
    for (key, value) in answers {
        match template.answer_item(key) {
            None => problems.push(AnswerProblem::UnknownItem { item: key.clone() }),
            Some((item, _)) => {
                if let Err(p) = check_value(item, value) {
                    problems.push(p.at(key));
                }
            }
        }
    }
    for (section, item) in template.items() {
        let in_entries: Vec<(Cow<str>, Option<InEntry>)> = match &section.repeat {
            None => vec![(Cow::Borrowed(item.id.as_str()), None)],
            Some(_) => evaluated
                .entries_of(&section.id)
                .iter()
                .enumerate()
                .map(|(k, e)| {
                    let entry = (section.id.as_str(), e.as_str(), k + 1);
                    (Cow::Owned(entry_key(&item.id, e)), Some(entry))
                })
                .collect(),
        };
        for (key, entry) in in_entries {
            if !evaluated.relevant.contains(&*key) {
                continue;
            }
            let env = |current| Visible {
                current,
                ..Visible::worked_out(template, &read, &evaluated, started, entry)
            };
            match answers.get(&*key) {
                None if item.required => problems.push(AnswerProblem::Missing {
                    item: key.into_owned(),
                }),
                Some(v) if *v != AnswerValue::NotApplicable => {
                    if let Some(c) = &item.constraint
                        && !expr::eval_bool(c, &env(Some(v)))
                    {
                        problems.push(AnswerProblem::Constraint {
                            item: key.to_string(),
                        });
                    }
                    if item.choice_filter.is_some() {
                        problems.extend(
                            not_offered(item, v, &env(None))
                                .into_iter()
                                .map(|p| p.at(&key)),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    problems
}

/// A problem for each chosen value the item's `choice_filter` does not
/// offer given the other answers: a client that is not ours may send one,
/// and one offered before may be filtered out by a later answer.
fn not_offered(item: &Item, value: &AnswerValue, others: &Visible<'_>) -> Vec<AnswerProblem> {
    let chosen: Vec<&String> = match value {
        AnswerValue::Choice(c) => vec![c],
        AnswerValue::Choices(l) => l.iter().collect(),
        _ => return Vec::new(),
    };
    let offered = offered_in(item, others);
    chosen
        .into_iter()
        .filter(|c| !offered.iter().any(|o| &o.value == *c))
        .map(|c| AnswerProblem::Invalid {
            item: item.id.clone(),
            message: msg!(
                "answers.not_offered",
                "`{value}` is not offered, given the other answers",
                value = c
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::templates::Format;
    use crate::test_support::CHECKLIST;

    const FORM: &str = r#"
[[sections]]
id = "wait"
title = { zh-CN = "等候", en = "Waiting" }

[[sections.items]]
id = "wait_s"
type = "duration"
label = { zh-CN = "等候时长", en = "Waiting time" }
required = true
points = 10
pass_if = ". <= 300"
constraint = ". < 14400"

[[sections.items]]
id = "vip"
type = "single_choice"
label = { zh-CN = "VIP", en = "VIP" }
choices = [
  { value = "yes", label = { zh-CN = "是", en = "Yes" } },
  { value = "no", label = { zh-CN = "否", en = "No" } },
]

[[sections.items]]
id = "apology"
type = "pass_fail"
label = { zh-CN = "致歉", en = "Apologised for the wait" }
required = true
relevant = "${wait_s} > 300 and ${vip} = 'yes'"
points = 5

[[sections]]
id = "vip_area"
title = { zh-CN = "VIP区", en = "VIP area" }
relevant = "${vip} = 'yes'"

[[sections.items]]
id = "vip_seat"
type = "pass_fail"
label = { zh-CN = "VIP座位", en = "VIP seating" }
required = true
points = 5
"#;

    fn template() -> Template {
        Template::load(&format!("{CHECKLIST}{FORM}"), Format::Toml).expect("valid")
    }

    fn answers(t: &Template, json: Json) -> Answers {
        answers_from_json(t, &json!({ "answers": json })).expect("valid answers")
    }

    const CALCULATED: &str = r#"
[[sections]]
id = "party"
title = { zh-CN = "同行", en = "Party" }

[[sections.items]]
id = "greeted"
type = "pass_fail"
label = { zh-CN = "问候", en = "Greeted" }
points = 10

[[sections.items]]
id = "adults"
type = "number"
integer = true
label = { zh-CN = "成人", en = "Adults" }

[[sections.items]]
id = "children"
type = "number"
integer = true
label = { zh-CN = "儿童", en = "Children" }

[[sections.items]]
id = "people"
type = "calculate"
label = { zh-CN = "人数", en = "People" }
calculation = "coalesce(${adults}, 0) + coalesce(${children}, 0)"

[[sections.items]]
id = "party_kind"
type = "calculate"
label = { zh-CN = "类别", en = "Kind" }
calculation = "if(${people} > 4, 'group', concat('party of ', ${people}))"

[[sections.items]]
id = "seats"
type = "number"
integer = true
label = { zh-CN = "座位", en = "Seats offered" }
relevant = "${people} > 2"
constraint = ". <= ${people}"
"#;

    fn calculated_template() -> Template {
        Template::load(&format!("{CHECKLIST}{CALCULATED}"), Format::Toml).expect("valid")
    }

    #[test]
    fn calculations_read_answers_and_each_other_and_drive_relevance_and_constraints() {
        let t = calculated_template();
        let a = answers(&t, json!({ "adults": 2, "children": 1 }));
        let (relevant, calculated) = evaluate(&t, &a, None);
        assert_eq!(calculated.get("people"), Some(&AnswerValue::Number(3.0)));
        assert_eq!(
            calculated.get("party_kind"),
            Some(&AnswerValue::Text("party of 3".into()))
        );
        assert!(relevant.contains("seats"), "3 people: seats are asked");
        let seats = t.item("seats").expect("seats");
        let (_, all) = with_calculated(&t, &a, None);
        assert!(meets_constraint(
            seats,
            &AnswerValue::Number(3.0),
            &all,
            None
        ));
        assert!(!meets_constraint(
            seats,
            &AnswerValue::Number(4.0),
            &all,
            None
        ));
        let over = answers(&t, json!({ "adults": 2, "children": 1, "seats": 4 }));
        assert!(
            check_complete(&t, &over, None)
                .iter()
                .any(|p| matches!(p, AnswerProblem::Constraint { item } if item == "seats")),
            "{:?}",
            check_complete(&t, &over, None)
        );
        let alone = answers(&t, json!({ "adults": 1 }));
        assert!(!relevant_items(&t, &alone, None).contains("seats"));
        let group = answers(&t, json!({ "adults": 4, "children": 2 }));
        assert_eq!(
            evaluate(&t, &group, None).1.get("party_kind"),
            Some(&AnswerValue::Text("group".into()))
        );
    }

    #[test]
    fn a_condition_calculated_is_kept_as_the_text_true_or_false() {
        let form = format!(
            "{CHECKLIST}{CALCULATED}{}",
            r#"
[[sections.items]]
id = "large"
type = "calculate"
label = { zh-CN = "大团", en = "Large party" }
calculation = "${people} > 4"

[[sections.items]]
id = "group_desk"
type = "pass_fail"
label = { zh-CN = "团体窗口", en = "Group desk offered" }
relevant = "${large} = 'true'"
"#
        );
        let t = Template::load(&form, Format::Toml).expect("valid");
        let big = answers(&t, json!({ "adults": 5 }));
        let (relevant, calculated) = evaluate(&t, &big, None);
        assert_eq!(
            calculated.get("large"),
            Some(&AnswerValue::Text("true".into()))
        );
        assert!(relevant.contains("group_desk"));
        assert!(
            !relevant_items(&t, &answers(&t, json!({ "adults": 1 })), None).contains("group_desk")
        );
        // Used as a condition on its own, it is refused when the template loads.
        let bare = form.replace("${large} = 'true'", "${large}");
        assert!(Template::load(&bare, Format::Toml).is_err());
    }

    #[test]
    fn a_calculate_item_takes_no_answer_and_one_written_anyway_is_not_read() {
        let t = calculated_template();
        let people = t.item("people").expect("people");
        let refused = from_json(people, &json!(12)).expect_err("no answer");
        assert!(
            matches!(&refused, AnswerProblem::Invalid { message, .. } if message.key == "answers.calculated"),
            "{refused:?}"
        );
        let mut forged = answers(&t, json!({ "adults": 1 }));
        forged.insert("people".into(), AnswerValue::Number(12.0));
        let (relevant, calculated) = evaluate(&t, &forged, None);
        assert_eq!(calculated.get("people"), Some(&AnswerValue::Number(1.0)));
        assert!(!relevant.contains("seats"));
        // Nor where the calculation has no value: with_calculated drops it.
        let mut forged = Answers::new();
        forged.insert("party_kind".into(), AnswerValue::Text("forged".into()));
        let t2 = calculated_template();
        assert_eq!(
            with_calculated(&t2, &forged, None).1.get("party_kind"),
            Some(&AnswerValue::Text("party of 0".into()))
        );
        forged.insert("people".into(), AnswerValue::Number(99.0));
        assert!(
            check_complete(&t2, &forged, None)
                .iter()
                .any(|p| matches!(p, AnswerProblem::Invalid { item, .. } if item == "people"))
        );
    }

    #[test]
    fn skip_logic_follows_answers() {
        let t = template();
        let a = answers(&t, json!({"wait_s": 400, "vip": "yes"}));
        let r = relevant_items(&t, &a, None);
        assert!(r.contains("apology") && r.contains("vip_seat"));
        let a = answers(&t, json!({"wait_s": 100, "vip": "no"}));
        let r = relevant_items(&t, &a, None);
        assert!(!r.contains("apology") && !r.contains("vip_seat"));
    }

    #[test]
    fn required_items_are_enforced_only_when_relevant() {
        let t = template();
        let a = answers(&t, json!({"wait_s": 100, "vip": "no"}));
        assert_eq!(check_complete(&t, &a, None), vec![]);
        let a = answers(&t, json!({"wait_s": 400, "vip": "yes"}));
        let missing: Vec<_> = check_complete(&t, &a, None)
            .iter()
            .map(|p| p.item().to_string())
            .collect();
        assert_eq!(missing, ["apology", "vip_seat"]);
        let a = answers(&t, json!({"vip": "no"}));
        assert_eq!(
            check_complete(&t, &a, None),
            vec![AnswerProblem::Missing {
                item: "wait_s".into()
            }]
        );
    }

    #[test]
    fn constraints_and_pass_rules_read_the_current_value() {
        let t = template();
        let a = answers(&t, json!({"wait_s": 20000, "vip": "no"}));
        assert_eq!(
            check_complete(&t, &a, None),
            vec![AnswerProblem::Constraint {
                item: "wait_s".into()
            }]
        );
        let item = t.item("wait_s").expect("item");
        assert_eq!(
            passes_rule(item, &AnswerValue::Number(300.0), &a, None),
            Some(true)
        );
        assert_eq!(
            passes_rule(item, &AnswerValue::Number(301.0), &a, None),
            Some(false)
        );
    }

    #[test]
    fn bad_answers_are_all_reported_with_their_items() {
        let t = template();
        let errs = answers_from_json(
            &t,
            &json!({"answers": {"wait_s": "long", "vip": "maybe", "ghost": 1, "apology": "pass"}}),
        )
        .expect_err("invalid");
        let items: Vec<_> = errs.iter().map(AnswerProblem::item).collect();
        assert_eq!(items, ["ghost", "vip", "wait_s"]);
        assert!(errs[1].to_string().contains("yes, no"), "{}", errs[1]);
        assert!(answers_from_json(&t, &json!([1, 2])).is_err());
    }

    #[test]
    fn json_round_trips_and_na_is_understood() {
        let t = template();
        let a = answers(&t, json!({"wait_s": "na", "vip": "yes", "apology": "fail"}));
        assert_eq!(a["wait_s"], AnswerValue::NotApplicable);
        for (id, v) in &a {
            let item = t.item(id).expect("item");
            assert_eq!(&from_json(item, &to_json(v)).expect("round trip"), v);
        }
    }
}
