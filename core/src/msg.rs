//! Messages for people, as a stable code with named parameters, so that each
//! reader shows them in their own language: the console and the app render
//! the code from their catalogues (zh-CN and en), the command line and the
//! logs use the English text written beside the code.
//!
//! ```
//! use fieldcheck_core::msg;
//! let m = msg!("template.weight_positive", "`{field}` must be a number above 0", field = "weight");
//! assert_eq!(m.key, "template.weight_positive");
//! assert_eq!(m.to_string(), "`weight` must be a number above 0");
//! ```
//!
//! Every `msg!` in the code base is listed, with its English text and its
//! parameters, in `ui/src/i18n/server-codes.json`; a test reads the sources
//! and fails when the list is out of date, and another (in the UI) when a
//! code has no Chinese message with the same parameters.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// A message: its code, its parameters and its English text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    /// Stable, e.g. `template.weight_positive`.
    pub key: &'static str,
    pub params: BTreeMap<&'static str, Param>,
    /// In English, with the parameters filled in.
    pub text: String,
}

/// A parameter: a text shown as it is (a name, a number, an id), or a
/// message of its own, rendered in the reader's language too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Param {
    Text(String),
    Msg(Box<Msg>),
}

impl Param {
    fn english(&self) -> &str {
        match self {
            Param::Text(t) => t,
            Param::Msg(m) => &m.text,
        }
    }
}

impl Msg {
    /// Use [`msg!`]: it gives the code and the text as literals, which is
    /// how the test listing every message finds them.
    pub fn new(key: &'static str, text: &'static str, params: Vec<(&'static str, Param)>) -> Msg {
        let params: BTreeMap<_, _> = params.into_iter().collect();
        Msg {
            key,
            text: fill(text, &params),
            params,
        }
    }

    /// A text parameter, as a string (for tests and logs).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(Param::english)
    }
}

/// `{name}` replaced by the parameter's English text; `{{` and `}}` are
/// braces.
fn fill(text: &str, params: &BTreeMap<&'static str, Param>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if let Some(end) = tail.find('}').filter(|_| tail.starts_with('{')) {
            let name = &tail[1..end];
            match params.get(name) {
                Some(p) => out.push_str(p.english()),
                None => out.push_str(&tail[..=end]),
            }
            rest = &tail[end + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How [`msg!`] turns a value into a [`Param`]: a [`Msg`] stays a message
/// (rendered in the reader's language), anything else that displays is text.
/// Two traits picked by method resolution: `(&value).to_param()` finds
/// `Nested` on `&Msg` before it would borrow again for `AsText`.
#[doc(hidden)]
pub mod param {
    use super::{Msg, Param};

    pub trait Nested {
        fn to_param(&self) -> Param;
    }
    impl Nested for Msg {
        fn to_param(&self) -> Param {
            Param::Msg(Box::new(self.clone()))
        }
    }

    pub trait AsText {
        fn to_param(&self) -> Param;
    }
    impl<T: std::fmt::Display + ?Sized> AsText for &T {
        fn to_param(&self) -> Param {
            Param::Text(self.to_string())
        }
    }
}

/// `msg!("code", "English text with {name}", name = value, ...)`: a [`Msg`].
/// Every `{name}` of the text is a parameter given here; a value that is a
/// [`Msg`] is kept as one.
#[macro_export]
macro_rules! msg {
    ($key:literal, $text:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        #[allow(unused_imports)]
        use $crate::msg::param::{AsText as _, Nested as _};
        $crate::msg::Msg::new($key, $text, vec![$((stringify!($name), (&$value).to_param())),*])
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_parameters_and_keeps_nested_messages() {
        let inner = msg!("expr.unknown_name", "no item `{name}`", name = "q1");
        let m = msg!(
            "template.expr",
            "`{src}`: {error}",
            src = String::from("${q1} > 2"),
            error = inner
        );
        assert_eq!(m.text, "`${q1} > 2`: no item `q1`");
        assert!(matches!(m.params["error"], Param::Msg(_)));
        assert_eq!(m.param("src"), Some("${q1} > 2"));
        let json = serde_json::to_value(&m).expect("json");
        assert_eq!(json["params"]["error"]["key"], "expr.unknown_name");
        assert_eq!(json["params"]["error"]["params"]["name"], "q1");
    }

    #[test]
    fn braces_and_unknown_names_are_left_as_written() {
        let m = msg!("x.y", "{{literal}} {n} {missing} }", n = 3);
        assert_eq!(m.text, "{literal} 3 {missing} }");
        assert_eq!(msg!("x.z", "plain").params.len(), 0);
    }
}
