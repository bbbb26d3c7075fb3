//! The values a template's items take: each answer type's value, its
//! check against the item, its JSON form (the `--answers` file, the API and
//! an item's `default`), and what is wrong with an answer.

use std::collections::HashSet;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::{AnswerType, Item};
use crate::msg;
use crate::msg::Msg;

/// An answer's value. Dates and times are ISO 8601 text, durations seconds.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub enum AnswerValue {
    Pass,
    Fail,
    NotApplicable,
    Fraction(f64),
    Number(f64),
    Choice(String),
    Choices(Vec<String>),
    Text(String),
    Media(Vec<MediaRef>),
    Location(GeoPoint),
}

/// A photo, audio clip or signature, stored outside the document by content hash.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize, ts_rs::TS)]
pub struct MediaRef {
    /// BLAKE3 hash of the content, hex.
    pub hash: String,
    pub mime: String,
    #[ts(type = "number")]
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize, ts_rs::TS)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
}

/// Something wrong with the answers to a template.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AnswerProblem {
    UnknownItem { item: String },
    Invalid { item: String, message: Msg },
    Missing { item: String },
    Constraint { item: String },
}

impl AnswerProblem {
    /// What is wrong, for people.
    pub fn msg(&self) -> Msg {
        match self {
            AnswerProblem::UnknownItem { item } => msg!(
                "answers.unknown_item",
                "item `{item}`: no such item in the template",
                item = item
            ),
            AnswerProblem::Invalid { item, message } => msg!(
                "answers.invalid",
                "item `{item}`: {problem}",
                item = item,
                problem = message.clone()
            ),
            AnswerProblem::Missing { item } => msg!(
                "answers.missing",
                "item `{item}`: required but not answered",
                item = item
            ),
            AnswerProblem::Constraint { item } => msg!(
                "answers.constraint",
                "item `{item}`: the answer breaks the item's constraint",
                item = item
            ),
        }
    }

    /// The problem placed at an answer key: an item's answer in one entry
    /// of a repeated section (`item@entry`) rather than the item.
    pub fn at(self, key: &str) -> AnswerProblem {
        let item = key.to_string();
        match self {
            AnswerProblem::UnknownItem { .. } => AnswerProblem::UnknownItem { item },
            AnswerProblem::Invalid { message, .. } => AnswerProblem::Invalid { item, message },
            AnswerProblem::Missing { .. } => AnswerProblem::Missing { item },
            AnswerProblem::Constraint { .. } => AnswerProblem::Constraint { item },
        }
    }

    pub fn item(&self) -> &str {
        match self {
            AnswerProblem::UnknownItem { item }
            | AnswerProblem::Invalid { item, .. }
            | AnswerProblem::Missing { item }
            | AnswerProblem::Constraint { item } => item,
        }
    }
}

impl std::fmt::Display for AnswerProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg().text)
    }
}

impl std::error::Error for AnswerProblem {}

fn invalid(item: &Item, message: Msg) -> AnswerProblem {
    AnswerProblem::Invalid {
        item: item.id.clone(),
        message,
    }
}

/// Checks that `value` is a possible answer to `item` (type, range, choices).
pub fn check_value(item: &Item, value: &AnswerValue) -> Result<(), AnswerProblem> {
    use AnswerType as T;
    use AnswerValue as V;
    if *value == V::NotApplicable {
        return if item.allow_na {
            Ok(())
        } else {
            Err(invalid(
                item,
                msg!(
                    "answers.na_not_allowed",
                    "\"not applicable\" is not allowed here"
                ),
            ))
        };
    }
    let in_range = |x: f64, lo: f64, hi: f64, whole: bool| {
        x.is_finite() && x >= lo && x <= hi && (!whole || x.fract() == 0.0)
    };
    let ok = match (&item.answer, value) {
        (T::PassFail, V::Pass | V::Fail) => true,
        (T::Partial, V::Fraction(f)) => in_range(*f, 0.0, 1.0, false),
        (T::Scale { min, max, .. }, V::Number(x)) => in_range(*x, *min, *max, false),
        (T::Touchpoint, V::Number(x)) => in_range(*x, 1.0, 5.0, true),
        (T::Recommend, V::Number(x)) => in_range(*x, 0.0, 10.0, true),
        (T::SingleChoice(c), V::Choice(v)) => c.iter().any(|c| &c.value == v),
        (T::MultipleChoice(c), V::Choices(vs)) => {
            let unique: HashSet<_> = vs.iter().collect();
            unique.len() == vs.len() && vs.iter().all(|v| c.iter().any(|c| &c.value == v))
        }
        (
            T::Number {
                integer, min, max, ..
            },
            V::Number(x),
        ) => in_range(
            *x,
            min.unwrap_or(f64::MIN),
            max.unwrap_or(f64::MAX),
            *integer,
        ),
        (T::Duration { .. }, V::Number(x)) => in_range(*x, 0.0, f64::MAX, false),
        (T::Date, V::Text(s)) => s.parse::<jiff::civil::Date>().is_ok(),
        (T::Time, V::Text(s)) => s.parse::<jiff::civil::Time>().is_ok(),
        (T::DateTime, V::Text(s)) => {
            s.parse::<jiff::Timestamp>().is_ok() || s.parse::<jiff::civil::DateTime>().is_ok()
        }
        (T::Text, V::Text(_)) => true,
        (t, V::Media(m)) if t.takes_media() => !m.is_empty(),
        (T::Location, V::Location(g)) => {
            in_range(g.lat, -90.0, 90.0, false) && in_range(g.lon, -180.0, 180.0, false)
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(
            item,
            msg!(
                "answers.not_valid",
                "{value} is not a valid answer: {expected}",
                value = describe(value),
                expected = expected(item)
            ),
        ))
    }
}

fn describe(v: &AnswerValue) -> String {
    to_json(v).to_string()
}

/// What an item expects, for error messages.
fn expected(item: &Item) -> Msg {
    use AnswerType as T;
    match &item.answer {
        T::PassFail => msg!(
            "answers.expected_pass_fail",
            "expected \"pass\" or \"fail\""
        ),
        T::Partial => msg!(
            "answers.expected_fraction",
            "expected a fraction from 0 to 1"
        ),
        T::Scale { min, max, .. } => msg!(
            "answers.expected_scale",
            "expected a number from {min} to {max}",
            min = min,
            max = max
        ),
        T::Touchpoint => msg!(
            "answers.expected_touchpoint",
            "expected a whole number from 1 (very poor) to 5 (delighted)"
        ),
        T::Recommend => msg!(
            "answers.expected_recommend",
            "expected a whole number from 0 to 10"
        ),
        T::SingleChoice(c) | T::MultipleChoice(c) => {
            let values: Vec<_> = c.iter().map(|c| c.value.as_str()).collect();
            if matches!(item.answer, T::MultipleChoice(_)) {
                msg!(
                    "answers.expected_choices",
                    "expected a list of distinct values of: {values}",
                    values = values.join(", ")
                )
            } else {
                msg!(
                    "answers.expected_choice",
                    "expected one of: {values}",
                    values = values.join(", ")
                )
            }
        }
        T::Number {
            min, max, integer, ..
        } => {
            let bounds = format!(
                "{}{}",
                min.map_or(String::new(), |m| format!(" >= {m}")),
                max.map_or(String::new(), |m| format!(" <= {m}"))
            );
            if *integer {
                msg!(
                    "answers.expected_whole_number",
                    "expected a whole number{bounds}",
                    bounds = bounds
                )
            } else {
                msg!(
                    "answers.expected_number",
                    "expected a number{bounds}",
                    bounds = bounds
                )
            }
        }
        T::Duration { .. } => msg!(
            "answers.expected_seconds",
            "expected seconds (a number >= 0)"
        ),
        T::Date => msg!(
            "answers.expected_date",
            "expected a date like \"2026-11-23\""
        ),
        T::Time => msg!("answers.expected_time", "expected a time like \"09:30\""),
        T::DateTime => msg!(
            "answers.expected_date_time",
            "expected a date and time like \"2026-11-23T09:30:00Z\""
        ),
        T::Text => msg!("answers.expected_text", "expected text"),
        T::Photo | T::Signature | T::Audio | T::Video | T::File => {
            msg!("answers.expected_media", "expected media references")
        }
        T::Location => msg!(
            "answers.expected_location",
            "expected {shape} within range",
            shape = "{\"lat\", \"lon\"}"
        ),
        T::Note => msg!("answers.note", "a note takes no answer"),
        T::Calculate(_) => msg!(
            "answers.calculated",
            "no answer: it is worked out from the other answers"
        ),
    }
}

/// Reads an answer in its JSON form, interpreted by the item's type:
/// `"pass"`, `"fail"`, `"na"`, numbers, choice values, lists of them, text,
/// `{"lat", "lon"}` and lists of media references.
pub fn from_json(item: &Item, json: &Json) -> Result<AnswerValue, AnswerProblem> {
    use AnswerType as T;
    use AnswerValue as V;
    let na_word = json.as_str() == Some("na");
    if matches!(item.answer, T::Calculate(_)) {
        return Err(invalid(item, expected(item)));
    }
    let value = match (&item.answer, json) {
        (T::SingleChoice(c), Json::String(s)) if c.iter().any(|c| &c.value == s) => {
            V::Choice(s.clone())
        }
        (T::Text | T::Date | T::Time | T::DateTime, Json::String(s)) if !na_word => {
            V::Text(s.clone())
        }
        (_, _) if na_word => V::NotApplicable,
        (T::PassFail, Json::String(s)) if s == "pass" => V::Pass,
        (T::PassFail, Json::String(s)) if s == "fail" => V::Fail,
        (T::PassFail, Json::Bool(b)) => {
            if *b {
                V::Pass
            } else {
                V::Fail
            }
        }
        (T::Partial, Json::Number(n)) => V::Fraction(n.as_f64().unwrap_or(f64::NAN)),
        (
            T::Scale { .. } | T::Touchpoint | T::Recommend | T::Number { .. } | T::Duration { .. },
            Json::Number(n),
        ) => V::Number(n.as_f64().unwrap_or(f64::NAN)),
        (T::SingleChoice(_), Json::String(s)) => V::Choice(s.clone()),
        (T::MultipleChoice(_), Json::Array(vs)) => V::Choices(
            vs.iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    invalid(
                        item,
                        msg!("answers.choices_strings", "choices must be strings"),
                    )
                })?,
        ),
        (t, Json::Array(_)) if t.takes_media() => {
            V::Media(serde_json::from_value(json.clone()).map_err(|e| {
                invalid(
                    item,
                    msg!("answers.media", "media references: {detail}", detail = e),
                )
            })?)
        }
        (T::Location, Json::Object(_)) => {
            V::Location(serde_json::from_value(json.clone()).map_err(|e| {
                invalid(
                    item,
                    msg!("answers.location", "location: {detail}", detail = e),
                )
            })?)
        }
        _ => {
            return Err(invalid(
                item,
                msg!(
                    "answers.not_valid",
                    "{value} is not a valid answer: {expected}",
                    value = json,
                    expected = expected(item)
                ),
            ));
        }
    };
    check_value(item, &value)?;
    Ok(value)
}

/// The JSON form of an answer (inverse of [`from_json`]).
pub fn to_json(v: &AnswerValue) -> Json {
    match v {
        AnswerValue::Pass => json!("pass"),
        AnswerValue::Fail => json!("fail"),
        AnswerValue::NotApplicable => json!("na"),
        AnswerValue::Fraction(x) | AnswerValue::Number(x) => json!(x),
        AnswerValue::Choice(s) | AnswerValue::Text(s) => json!(s),
        AnswerValue::Choices(l) => json!(l),
        AnswerValue::Media(m) => json!(m),
        AnswerValue::Location(g) => json!(g),
    }
}
