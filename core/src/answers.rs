//! Answers: a record's answers, their JSON file, and skip logic: which items
//! are relevant given the answers so far, what calculations make of them,
//! which choices are offered, and what is missing before a record can be
//! submitted. The value types
//! and their check against an item are the templates' (`templates::values`),
//! named here too.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use serde_json::Value as Json;

use crate::msg;
use crate::templates::expr::{self, Env, Val};
pub use crate::templates::values::{
    AnswerProblem, AnswerValue, GeoPoint, MediaRef, check_value, from_json, to_json,
};
use crate::templates::{AnswerType, Choice, Item, Template};

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
        match template.item(id) {
            None => problems.push(AnswerProblem::UnknownItem { item: id.clone() }),
            Some(item) => match from_json(item, v) {
                Ok(value) => {
                    out.insert(id.clone(), value);
                }
                Err(p) => problems.push(p),
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

/// Answers as seen by expressions: non-relevant items read as unanswered,
/// and calculate items as their values.
struct Visible<'a> {
    answers: &'a Answers,
    calculated: Option<&'a Answers>,
    relevant: &'a HashSet<&'a str>,
    current: Option<&'a AnswerValue>,
    started: Started,
    /// Where choice labels are read (`jr:choice-name()`), if at hand.
    template: Option<&'a Template>,
}

impl Env for Visible<'_> {
    fn get(&self, name: &str) -> Val {
        if self.relevant.contains(name) {
            let calculated = self.calculated.and_then(|c| c.get(name));
            expr_value(calculated.or_else(|| self.answers.get(name)))
        } else {
            Val::Null
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
    fn field(&self, name: &str) -> Val {
        if name == "name" {
            return Val::Str(self.choice.value.clone());
        }
        Val::Str(self.choice.data.get(name).cloned().unwrap_or_default())
    }
}

/// The choices of a choice item offered given the answers, as
/// [`with_calculated`] gives them: those its `choice_filter` keeps (every
/// one without a filter).
pub fn offered<'i>(
    item: &'i Item,
    relevant: &HashSet<&str>,
    answers: &Answers,
    started: Started,
) -> Vec<&'i Choice> {
    let visible = Visible {
        answers,
        calculated: None,
        relevant,
        current: None,
        started,
        template: None,
    };
    offered_in(item, &visible)
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

/// Which items are relevant given the answers (skip logic, XLSForm semantics:
/// an item in a non-relevant section, or whose own condition is false, is
/// skipped, and a skipped item reads as unanswered in other conditions),
/// and the values of the relevant calculate items, each worked out once the
/// items it reads are.
pub fn evaluate<'t>(
    template: &'t Template,
    answers: &Answers,
    started: Started,
) -> (HashSet<&'t str>, Answers) {
    let answers = &*answered_only(template, answers);
    let mut relevant: HashSet<&str> = HashSet::new();
    let mut calculated = Answers::new();
    let mut section_relevant: Vec<Option<bool>> = vec![None; template.sections.len()];
    for pos in template.relevance_order() {
        let section = &template.sections[pos.section];
        let item = template.at(*pos);
        let env = Visible {
            answers,
            calculated: Some(&calculated),
            relevant: &relevant,
            current: None,
            started,
            template: Some(template),
        };
        let in_section = *section_relevant[pos.section].get_or_insert_with(|| {
            section
                .relevant
                .as_ref()
                .is_none_or(|e| expr::eval_bool(e, &env))
        });
        let own = item
            .relevant
            .as_ref()
            .is_none_or(|e| expr::eval_bool(e, &env));
        let value = match &item.answer {
            AnswerType::Calculate(e) if in_section && own => calculated_value(expr::eval(e, &env)),
            _ => None,
        };
        if in_section && own {
            relevant.insert(&item.id);
        }
        if let Some(v) = value {
            calculated.insert(item.id.clone(), v);
        }
    }
    (relevant, calculated)
}

/// The answers without any to a calculate item: such an answer (from a
/// client that is not ours) is never read; the value is the calculation's.
pub fn answered_only<'a>(template: &Template, answers: &'a Answers) -> Cow<'a, Answers> {
    let is_calculate = |id: &str| {
        matches!(
            template.item(id).map(|i| &i.answer),
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
) -> HashSet<&'t str> {
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
) -> (HashSet<&'t str>, Answers) {
    let (relevant, calculated) = evaluate(template, answers, started);
    let mut all = answered_only(template, answers).into_owned();
    all.extend(calculated);
    (relevant, all)
}

/// Whether `value` keeps the item's constraint, given the other answers
/// (true when the item has none).
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
/// item has no rule.
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
    let relevant: HashSet<&str> = answers.keys().map(String::as_str).collect();
    let env = Visible {
        answers,
        calculated: None,
        relevant: &relevant,
        current: Some(value),
        started,
        template: None,
    };
    expr::eval_bool(condition, &env)
}

/// Everything that stops these answers being submitted: answers to unknown
/// items, invalid values, broken constraints and unanswered required items.
/// Answers to skipped items are ignored, as ODK does.
pub fn check_complete(
    template: &Template,
    answers: &Answers,
    started: Started,
) -> Vec<AnswerProblem> {
    let (relevant, calculated) = evaluate(template, answers, started);
    let read = answered_only(template, answers);
    let mut problems = Vec::new();
    for (id, value) in answers {
        match template.item(id) {
            None => problems.push(AnswerProblem::UnknownItem { item: id.clone() }),
            Some(item) => {
                if let Err(p) = check_value(item, value) {
                    problems.push(p);
                }
            }
        }
    }
    for (_, item) in template.items() {
        if !relevant.contains(item.id.as_str()) {
            continue;
        }
        match answers.get(&item.id) {
            None if item.required => problems.push(AnswerProblem::Missing {
                item: item.id.clone(),
            }),
            Some(v) if *v != AnswerValue::NotApplicable => {
                if let Some(c) = &item.constraint {
                    let env = Visible {
                        answers: &read,
                        calculated: Some(&calculated),
                        relevant: &relevant,
                        current: Some(v),
                        started,
                        template: Some(template),
                    };
                    if !expr::eval_bool(c, &env) {
                        problems.push(AnswerProblem::Constraint {
                            item: item.id.clone(),
                        });
                    }
                }
                if item.choice_filter.is_some() {
                    let others = Visible {
                        answers: &read,
                        calculated: Some(&calculated),
                        relevant: &relevant,
                        current: None,
                        started,
                        template: Some(template),
                    };
                    problems.extend(not_offered(item, v, &others));
                }
            }
            _ => {}
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
