//! Values written in a form's conditions and compared with a choice
//! question, as ODK reads them. A value that is none of the question's
//! choices (`${place} = 'outro'` where the list says `outra`) makes a
//! comparison ODK works out all the same, never true: it is imported as
//! what it always gives, `false()` (`true()` for `!=`), with a warning,
//! rather than refused. A value written with spaces where the choice's
//! spaces became `_` (`choice_spaces`) follows the choice.

use std::collections::HashMap;

use crate::msg;
use crate::msg::Msg;
use crate::templates::expr::{self, BinOp, Expr, Func};

/// The choices of each choice question, by id.
pub(super) type Choices = HashMap<String, Vec<String>>;

/// `text` with its comparisons of choice questions with values as ODK
/// reads them, and what was changed; `None` when nothing was (or the text
/// is no expression: the template's check says why).
pub(super) fn as_odk_reads(
    text: &str,
    own: Option<&str>,
    choices: &Choices,
) -> Option<(String, Vec<Msg>)> {
    let parsed = expr::parse(text).ok()?;
    let mut notes = Vec::new();
    let read = Reader {
        own,
        choices,
        notes: &mut notes,
    }
    .visit(parsed.clone());
    let text = read.to_string();
    // Written as it reads (a value holding a quote would not be).
    let same = expr::parse(&text).is_ok_and(|again| again == read);
    (read != parsed && same).then_some((text, notes))
}

struct Reader<'a> {
    own: Option<&'a str>,
    choices: &'a Choices,
    notes: &'a mut Vec<Msg>,
}

impl Reader<'_> {
    fn visit(&mut self, e: Expr) -> Expr {
        match e {
            Expr::Neg(inner) => Expr::Neg(Box::new(self.visit(*inner))),
            Expr::Binary(op @ (BinOp::Eq | BinOp::Ne), a, b) => {
                let (a, b) = (self.visit(*a), self.visit(*b));
                let read = self
                    .compared(&a, &b, op == BinOp::Ne)
                    .or_else(|| self.compared(&b, &a, op == BinOp::Ne));
                match read {
                    Some(Read::Always(e)) => e,
                    Some(Read::Value(v)) if matches!(a, Expr::Str(_)) => {
                        Expr::Binary(op, Box::new(Expr::Str(v)), Box::new(b))
                    }
                    Some(Read::Value(v)) => Expr::Binary(op, Box::new(a), Box::new(Expr::Str(v))),
                    None => Expr::Binary(op, Box::new(a), Box::new(b)),
                }
            }
            Expr::Binary(op, a, b) => {
                Expr::Binary(op, Box::new(self.visit(*a)), Box::new(self.visit(*b)))
            }
            Expr::Call(Func::Selected, args) => {
                let args: Vec<Expr> = args.into_iter().map(|a| self.visit(a)).collect();
                match self.compared(&args[0], &args[1], false) {
                    Some(Read::Always(e)) => e,
                    Some(Read::Value(v)) => {
                        Expr::Call(Func::Selected, vec![args[0].clone(), Expr::Str(v)])
                    }
                    None => Expr::Call(Func::Selected, args),
                }
            }
            Expr::Call(f, args) => Expr::Call(f, args.into_iter().map(|a| self.visit(a)).collect()),
            other => other,
        }
    }

    /// How `value` compared with the answer to `question` reads, if it is
    /// not as written.
    fn compared(&mut self, question: &Expr, value: &Expr, negated: bool) -> Option<Read> {
        let id = match question {
            Expr::Ref(id) => id.as_str(),
            Expr::Current => self.own?,
            _ => return None,
        };
        let values = self.choices.get(id)?;
        let written = match value {
            Expr::Str(s) => s.clone(),
            Expr::Num(n) => n.to_string(),
            _ => return None,
        };
        if expr::names_choices(value, values) {
            return None;
        }
        let joined = super::without_spaces(&written);
        if matches!(value, Expr::Str(_)) && joined != written && values.contains(&joined) {
            return Some(Read::Value(joined));
        }
        self.notes.push(msg!(
            "xlsform.not_a_choice",
            "'{value}' is none of the choices of `{item}`, so comparing with it always gives `{result}()`, as in ODK, and is imported so",
            value = written,
            item = id,
            result = if negated { "true" } else { "false" }
        ));
        let always = if negated { Func::True } else { Func::False };
        Some(Read::Always(Expr::Call(always, Vec::new())))
    }
}

enum Read {
    /// The comparison gives this, whatever the answer.
    Always(Expr),
    /// The value, as the choice is now named.
    Value(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> Choices {
        Choices::from([
            (
                "place".to_string(),
                vec!["outra".to_string(), "casa".to_string()],
            ),
            ("school".to_string(), vec!["Primary_school".to_string()]),
            ("n".to_string(), vec!["1".to_string(), "2".to_string()]),
            ("code".to_string(), vec!["01".to_string(), "02".to_string()]),
        ])
    }

    fn read(text: &str, own: Option<&str>) -> Option<(String, Vec<&'static str>)> {
        as_odk_reads(text, own, &choices())
            .map(|(t, notes)| (t, notes.iter().map(|n| n.key).collect()))
    }

    #[test]
    fn a_value_that_is_no_choice_compares_as_odk_reads_it() {
        assert_eq!(read("${place} = 'casa'", None), None, "a choice");
        let (text, notes) = read("${place} = 'outro' or ${n} = 3", None).expect("changed");
        assert_eq!(text, "(false() or false())");
        assert_eq!(notes, ["xlsform.not_a_choice", "xlsform.not_a_choice"]);
        let (text, _) =
            read("selected(${place}, 'outro') and 'x' != ${place}", None).expect("changed");
        assert_eq!(text, "(false() and true())");
        let (text, _) = read(". = 'longe'", Some("place")).expect("changed");
        assert_eq!(text, "false()");
        assert_eq!(read("${n} = 2 and ${other} = 'x'", None), None);
        // "Answered", a number a choice reads as, and chosen values.
        assert_eq!(read("${place} != '' and ${code} = 1", None), None);
        assert_eq!(read("${place} = 'outra casa'", None), None);
    }

    #[test]
    fn a_value_written_with_spaces_follows_its_choice() {
        let (text, notes) = read("${school} = 'Primary school'", None).expect("changed");
        assert_eq!(text, "(${school} = 'Primary_school')");
        assert!(notes.is_empty());
        let (text, _) = read("selected(${school}, 'Primary  school')", None).expect("changed");
        assert_eq!(text, "selected(${school}, 'Primary_school')");
    }
}
