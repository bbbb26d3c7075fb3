//! XPath paths in a form's expressions, as ODK reads them: `../age` (a
//! question beside this one), `../../household/size` (one in a group
//! further out), `/data/household/size` (from the top), `current()/../district`
//! (in a `choice_filter`: beside the question, not the choice). Fieldcheck's
//! expressions name questions as `${name}`, so each path is followed
//! through the form's groups to the question it reaches when the form is
//! read, and written as a reference to it.
//!
//! Two passes, because a question's id is known only once it is imported
//! (a name used in two groups is renamed): [`Paths::read`] writes each path
//! as the question's place, `${/household/size}`, and [`Paths::link`] turns
//! places into ids.

use std::collections::HashMap;

use crate::msg;
use crate::msg::Msg;
use crate::table::Table;

/// The columns whose text is an expression.
const EXPRESSION_COLUMNS: &[&str] = &[
    "relevant",
    "constraint",
    "calculation",
    "choice_filter",
    "pass_if",
    "critical",
];

/// Where each question of a form is: its place (`/group/inner/name`) and
/// its row.
#[derive(Debug, Default)]
pub(super) struct Paths {
    rows: HashMap<String, usize>,
    /// The places of the questions of each name.
    named: HashMap<String, Vec<String>>,
}

/// A path that reaches no question, where it is written: an error, or a
/// warning where it was taken for the one question of its last name.
#[derive(Debug)]
pub(super) struct Unreached {
    pub row: usize,
    pub column: &'static str,
    pub message: Msg,
    pub error: bool,
}

impl Paths {
    /// The form's questions by place, and the survey with every path in
    /// its expressions written as the place it reaches.
    pub(super) fn read(survey: &Table) -> (Paths, Table, Vec<Unreached>) {
        let mut paths = Paths::default();
        // Each row's context: the groups it is in and its own name.
        let mut contexts: Vec<Vec<String>> = Vec::with_capacity(survey.rows.len());
        let mut groups: Vec<String> = Vec::new();
        for (row, cells) in &survey.rows {
            let ty = cells.get("type").map_or("", |t| t.trim());
            let name = cells.get("name").map_or("", |n| n.trim());
            let mut words = ty.split_whitespace();
            let (first, second) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            let mut here = groups.clone();
            here.push(name.to_string());
            contexts.push(here.clone());
            match (first, second) {
                ("begin_group" | "begin_repeat", _) | ("begin", "group" | "repeat") => {
                    groups.push(name.to_string());
                }
                ("end_group" | "end_repeat", _) | ("end", "group" | "repeat") => {
                    groups.pop();
                }
                _ if !name.is_empty() => {
                    let at = place(&here);
                    if !paths.rows.contains_key(&at) {
                        paths
                            .named
                            .entry(name.to_string())
                            .or_default()
                            .push(at.clone());
                        paths.rows.insert(at, *row);
                    }
                }
                _ => {}
            }
        }
        let mut unreached = Vec::new();
        let mut out = Table {
            name: survey.name.clone(),
            headers: survey.headers.clone(),
            rows: Vec::with_capacity(survey.rows.len()),
        };
        for ((row, cells), context) in survey.rows.iter().zip(&contexts) {
            let mut cells = cells.clone();
            for column in EXPRESSION_COLUMNS {
                let Some(text) = cells.get(*column) else {
                    continue;
                };
                let mut said = |message, error| {
                    unreached.push(Unreached {
                        row: *row,
                        column,
                        message,
                        error,
                    })
                };
                // A bare name is a choice's column in a choice_filter only.
                let named = (*column != "choice_filter")
                    .then(|| paths.bare_names(text, &mut said))
                    .flatten();
                let text = named.as_deref().unwrap_or(text);
                // A path refused is said here; the import says nothing more
                // of the cell.
                match paths.rewrite(text, context, &mut said) {
                    Some(text) => {
                        cells.insert(column.to_string(), text);
                    }
                    None => {
                        if let Some(text) = named {
                            cells.insert(column.to_string(), text);
                        }
                    }
                }
            }
            out.rows.push((*row, cells));
        }
        (paths, out, unreached)
    }

    /// `text` with each path written as `${/place}`; `None` when it has
    /// none, or one reaches no question (said).
    ///
    /// A path that reaches nothing while its last step names one question
    /// of the form (`../on_fp` written beside `on_fp`'s group, not in it)
    /// is taken for that question, with a warning: ODK would read nothing
    /// there, which is seldom what the author meant.
    fn rewrite(
        &self,
        text: &str,
        context: &[String],
        said: &mut impl FnMut(Msg, bool),
    ) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut changed = false;
        let mut rest = text;
        while let Some((before, path, after)) = next_path(rest) {
            // `position(..)`: the number of the entry, `position()` here.
            if path == ".." && before.trim_end().ends_with("position(") {
                out.push_str(before);
                changed = true;
                rest = after;
                continue;
            }
            out.push_str(before);
            let steps = path.trim_start_matches("current()");
            let reached = if steps.starts_with('/') && !path.starts_with("current()") {
                // `/data/group/name`: the first step is the form's root.
                let mut steps = steps.trim_start_matches('/').split('/');
                steps.next();
                walk(Vec::new(), steps)
            } else {
                walk(context.to_vec(), steps.trim_start_matches('/').split('/'))
            };
            let reached = reached
                .map(|p| place(&p))
                .filter(|p| self.rows.contains_key(p));
            let last = path.rsplit('/').next().unwrap_or(path);
            let only = match self.named.get(last).map(Vec::as_slice) {
                Some([one]) if reached.is_none() => Some(one),
                _ => None,
            };
            match (reached, only) {
                (Some(p), _) => out.push_str(&format!("${{{p}}}")),
                (None, Some(p)) => {
                    said(
                        msg!(
                            "xlsform.path_taken_for",
                            "`{path}` reaches no question in ODK's reading; taken for `{place}`, the one question named `{name}`",
                            path = path,
                            place = p.as_str(),
                            name = last
                        ),
                        false,
                    );
                    out.push_str(&format!("${{{p}}}"));
                }
                (None, None) => {
                    said(
                        msg!(
                            "xlsform.path_unreached",
                            "`{path}` reaches no question of this form",
                            path = path
                        ),
                        true,
                    );
                    return None;
                }
            }
            changed = true;
            rest = after;
        }
        out.push_str(rest);
        changed.then_some(out)
    }

    /// `text` with each bare name that names one question of the form
    /// (`w1 + w2`, written without `${...}`) as that question's place, each
    /// said; `None` when it has none. XPath reads such a name as a step into
    /// the question, which has nothing inside: ODK reads nothing there,
    /// which is seldom what the author meant. A name no question has, or
    /// two have, is left for the expression's check to name.
    fn bare_names(&self, text: &str, said: &mut impl FnMut(Msg, bool)) -> Option<String> {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let (mut i, mut copied) = (0, 0);
        while i < bytes.len() {
            if let Some(next) = skipped(text, i) {
                i = next;
                continue;
            }
            match bytes[i] {
                b if (b.is_ascii_alphabetic() || b == b'_')
                    && !(i > 0 && (is_name_byte(bytes[i - 1]) || bytes[i - 1] == b'/')) =>
                {
                    let end = text[i..]
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .map_or(text.len(), |n| i + n);
                    let word = &text[i..end];
                    let next = text[end..].trim_start();
                    let a_call = next.starts_with(['(', ':']) || bytes.get(end) == Some(&b'-');
                    let keyword = matches!(word, "and" | "or" | "div" | "mod" | "true" | "false");
                    match self.named.get(word).map(Vec::as_slice) {
                        Some([place]) if !a_call && !keyword => {
                            said(
                                msg!(
                                    "xlsform.bare_name_taken",
                                    "`{name}` is written without `{open}…{close}`: taken for the one question of that name",
                                    name = word,
                                    open = "${",
                                    close = "}"
                                ),
                                false,
                            );
                            out.push_str(&text[copied..i]);
                            out.push_str(&format!("${{{place}}}"));
                            copied = end;
                        }
                        _ => {}
                    }
                    i = end;
                }
                _ => i += text[i..].chars().next().map_or(1, char::len_utf8),
            }
        }
        (copied > 0).then(|| {
            out.push_str(&text[copied..]);
            out
        })
    }

    /// `${/place}` in `text` written `${id}`, with `ids` the imported
    /// question of each row.
    pub(super) fn link(&self, text: &str, ids: &HashMap<usize, String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${/") {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            let place = &rest[start + 2..start + len];
            out.push_str(&rest[..start]);
            match self.rows.get(place).and_then(|row| ids.get(row)) {
                Some(id) => out.push_str(&format!("${{{id}}}")),
                // A question that was not imported (its row says why): by
                // its name, as the form's author knows it.
                None => out.push_str(&format!(
                    "${{{}}}",
                    place.rsplit('/').next().unwrap_or(place)
                )),
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }
}

fn place(steps: &[String]) -> String {
    format!("/{}", steps.join("/"))
}

/// The steps followed from `from`: `..` out, `.` here, a name in. `None`
/// when they leave the form.
fn walk<'a>(mut from: Vec<String>, steps: impl Iterator<Item = &'a str>) -> Option<Vec<String>> {
    for step in steps {
        match step.trim() {
            "" | "." => {}
            ".." => {
                from.pop()?;
            }
            name => from.push(name.to_string()),
        }
    }
    (!from.is_empty()).then_some(from)
}

/// The first path in `text` outside quotes and `${...}`, as (text before,
/// path, text after).
fn next_path(text: &str) -> Option<(&str, &str, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(next) = skipped(text, i) {
            i = next;
            continue;
        }
        let starts = text[i..].starts_with("current()")
            && text[i + "current()".len()..].trim_start().starts_with('/');
        let after_word = i > 0 && is_name_byte(bytes[i - 1]);
        let after_call = text[..i].trim_end().ends_with([')', ']', '}']);
        let path_start = match bytes[i] {
            b'.' => {
                matches!(
                    (bytes.get(i + 1), bytes.get(i + 2)),
                    (Some(b'/'), _) | (Some(b'.'), Some(b'/')) | (Some(b'.'), None)
                ) || (bytes.get(i + 1) == Some(&b'.')
                    && !bytes.get(i + 2).is_some_and(|b| is_name_byte(*b)))
            }
            b'/' => {
                bytes
                    .get(i + 1)
                    .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
                    && !after_call
            }
            _ => false,
        };
        if (starts || path_start) && !after_word {
            let body = if starts {
                text[i..].find('/').map_or(bytes.len(), |n| i + n)
            } else {
                i
            };
            let end = text[body..]
                .find(|c: char| !(c.is_ascii() && is_name_byte(c as u8) || c == '/'))
                .map_or(text.len(), |n| body + n);
            let path = &text[i..end];
            return Some((&text[..i], path.trim_end_matches('/'), &text[end..]));
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Where the text quoted (`'...'`, `"..."`) or the reference (`${...}`)
/// that starts at `i` ends, if one does: nothing inside is a path.
fn skipped(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let open = rest.chars().next()?;
    // Quotes a spreadsheet turned typographic, as the expressions read them.
    let closers: &[char] = match open {
        '\'' => &['\''],
        '"' => &['"'],
        '‘' | '’' => &['‘', '’'],
        '“' | '”' => &['“', '”'],
        '$' if rest[1..].starts_with('{') => &['}'],
        _ => return None,
    };
    let body = open.len_utf8();
    let close = rest[body..]
        .find(closers)
        .map(|n| body + n + rest[body + n..].chars().next().map_or(1, char::len_utf8));
    Some(i + close.unwrap_or(rest.len()))
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey(rows: &[(&str, &str, &str)]) -> Table {
        Table {
            name: "survey".into(),
            headers: vec!["type".into(), "name".into(), "relevant".into()],
            rows: rows
                .iter()
                .enumerate()
                .map(|(n, (ty, name, relevant))| {
                    let mut cells = HashMap::new();
                    cells.insert("type".to_string(), ty.to_string());
                    cells.insert("name".to_string(), name.to_string());
                    if !relevant.is_empty() {
                        cells.insert("relevant".to_string(), relevant.to_string());
                    }
                    (n + 2, cells)
                })
                .collect(),
        }
    }

    fn relevant(t: &Table, row: usize) -> &str {
        t.rows
            .iter()
            .find(|(r, _)| *r == row)
            .and_then(|(_, c)| c.get("relevant"))
            .map_or("", String::as_str)
    }

    #[test]
    fn paths_reach_questions_through_the_groups() {
        let form = survey(&[
            ("integer", "age", ""),
            ("begin group", "household", "../age > 17 and ./size > 0"),
            ("integer", "size", "/data/age > 17"),
            ("begin_group", "member", ""),
            ("text", "name", "../../size > 1 and ../../../age > 0"),
            ("text", "note", "../name = 'x'"),
            ("end group", "", ""),
            ("end_group", "", ""),
            ("text", "other", "'../not_a_path' = ${age} and ${age}/2 > 1"),
        ]);
        let (paths, out, unreached) = Paths::read(&form);
        assert!(unreached.is_empty(), "{unreached:?}");
        assert_eq!(relevant(&out, 3), "${/age} > 17 and ${/household/size} > 0");
        assert_eq!(relevant(&out, 4), "${/age} > 17");
        assert_eq!(relevant(&out, 6), "${/household/size} > 1 and ${/age} > 0");
        assert_eq!(relevant(&out, 7), "${/household/member/name} = 'x'");
        assert_eq!(
            relevant(&out, 10),
            "'../not_a_path' = ${age} and ${age}/2 > 1"
        );
        let ids = HashMap::from([(2, "age".to_string()), (4, "household_size".to_string())]);
        assert_eq!(
            paths.link("${/household/size} > ${/age} and ${/member/x}", &ids),
            "${household_size} > ${age} and ${x}"
        );
    }

    #[test]
    fn a_path_that_reaches_nothing_is_named() {
        let form = survey(&[
            ("integer", "age", ""),
            ("text", "name", "../../../nobody > 1"),
            ("text", "more", "current()/../nowhere = 'x'"),
            // A step into a question, which has none inside.
            ("text", "inner", "./age > 1"),
        ]);
        let (_, _, unreached) = Paths::read(&form);
        let said: Vec<(bool, String)> = unreached
            .iter()
            .map(|u| (u.error, u.message.text.clone()))
            .collect();
        assert_eq!(
            said,
            [
                (true, "`../../../nobody` reaches no question of this form".into()),
                (true, "`current()/../nowhere` reaches no question of this form".into()),
                (
                    false,
                    "`./age` reaches no question in ODK's reading; taken for `/age`, the one question named `age`".into()
                )
            ]
        );
    }

    #[test]
    fn a_bare_name_of_one_question_is_taken_for_it() {
        let mut form = survey(&[
            ("integer", "w1", ""),
            ("integer", "w2", ""),
            ("begin group", "g", ""),
            ("text", "w2", ""),
            ("end group", "", ""),
            (
                "text",
                "note",
                "w1 > 1 and w2 > 1 and not(nobody) and ${w1} > 0 and true and ‘w1/x’ != ''",
            ),
            ("select_one places", "place", ""),
        ]);
        form.rows[6]
            .1
            .insert("choice_filter".into(), "w1 = 'x'".into());
        let (_, out, said) = Paths::read(&form);
        // `w2` names two questions, `nobody` none: left for the check.
        assert_eq!(
            relevant(&out, 7),
            "${/w1} > 1 and w2 > 1 and not(nobody) and ${w1} > 0 and true and ‘w1/x’ != ''"
        );
        assert_eq!(
            out.rows[6].1["choice_filter"], "w1 = 'x'",
            "a choice's column"
        );
        let keys: Vec<(bool, &str)> = said.iter().map(|u| (u.error, u.message.key)).collect();
        assert_eq!(keys, [(false, "xlsform.bare_name_taken")]);
    }

    #[test]
    fn current_is_the_question_in_a_choice_filter() {
        let mut form = survey(&[("text", "district", ""), ("select_one places", "place", "")]);
        form.rows[1].1.insert(
            "choice_filter".into(),
            "district = current()/../district".into(),
        );
        let (_, out, unreached) = Paths::read(&form);
        assert!(unreached.is_empty(), "{unreached:?}");
        assert_eq!(out.rows[1].1["choice_filter"], "district = ${/district}");
    }
}
