//! Every message the server and core can send, as `msg!(code, English,
//! params)` finds them in the sources, listed in
//! `ui/src/i18n/server-codes.json`, from which the console and the app take
//! the English text and against which the UI's test checks that each code
//! has a Chinese message with the same parameters. This test fails when the
//! list is out of date (run it with `FIELDCHECK_BLESS=1` to write it), when
//! a text names a parameter it is not given or is given one it does not
//! name, and when one code has two texts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::sources;

/// A string literal at the start of `s` (after blanks): its value and what
/// follows it. Escapes `\"`, `\\`, `\n` and a line continuation are read.
fn literal(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start();
    let mut chars = s.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 2..])),
            '\\' => match chars.next()?.1 {
                '\n' => {
                    // A line continuation skips the next line's indentation.
                    let rest = chars.as_str();
                    let skip = rest.len() - rest.trim_start().len();
                    for _ in 0..rest[..skip].chars().count() {
                        chars.next();
                    }
                }
                'n' => out.push('\n'),
                c => out.push(c),
            },
            c => out.push(c),
        }
    }
    None
}

/// The names given after the text, `name = value`, up to the invocation's
/// closing parenthesis.
fn param_names(mut s: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut at_start = true;
    while let Some(c) = s.chars().next() {
        if at_start && (c.is_alphabetic() || c == '_') {
            let end = s
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(s.len());
            let after = s[end..].trim_start();
            if after.starts_with('=') && !after.starts_with("==") {
                names.push(s[..end].to_string());
            }
            at_start = false;
            s = &s[end..];
            continue;
        }
        match c {
            '"' => {
                s = literal(s).map_or("", |(_, rest)| rest);
                at_start = false;
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => at_start = true,
            c if c.is_whitespace() => {}
            _ => at_start = false,
        }
        s = &s[c.len_utf8()..];
    }
    names
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let text = text.replace("{{", "").replace("}}", "");
    let mut out = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find('{') {
        let Some(end) = rest[i..].find('}') else {
            break;
        };
        out.insert(rest[i + 1..i + end].to_string());
        rest = &rest[i + end + 1..];
    }
    out
}

#[derive(serde::Serialize, PartialEq)]
struct Entry {
    en: String,
    params: BTreeSet<String>,
}

#[test]
fn every_message_code_is_listed_for_the_ui() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["core/src", "sync-server/src", "device/src"] {
        sources(&root.join(dir), &mut files);
    }
    files.sort();
    let mut codes: BTreeMap<String, Entry> = BTreeMap::new();
    let mut problems = Vec::new();
    for file in &files {
        // The macro's own file shows it with made-up codes.
        if file.ends_with("core/src/msg.rs") {
            continue;
        }
        let src = std::fs::read_to_string(file).expect("read");
        let name = file.strip_prefix(&root).unwrap_or(file).display();
        for (at, _) in src.match_indices("msg!(") {
            let line = src[..at].lines().count();
            let Some((key, rest)) = literal(&src[at + 5..]) else {
                problems.push(format!("{name}:{line}: msg! without a literal code"));
                continue;
            };
            let Some((en, rest)) = rest.trim_start().strip_prefix(',').and_then(literal) else {
                problems.push(format!(
                    "{name}:{line}: msg!(\"{key}\") without a literal text"
                ));
                continue;
            };
            let params: BTreeSet<String> = param_names(rest).into_iter().collect();
            if placeholders(&en) != params {
                problems.push(format!(
                    "{name}:{line}: `{key}` names {:?} in its text but is given {:?}",
                    placeholders(&en),
                    params
                ));
            }
            let entry = Entry { en, params };
            match codes.get(&key) {
                Some(e) if *e != entry => problems.push(format!(
                    "{name}:{line}: `{key}` has two texts: `{}` and `{}`",
                    e.en, entry.en
                )),
                Some(_) => {}
                None => {
                    codes.insert(key, entry);
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        codes.len() > 20,
        "the scan found only {} codes",
        codes.len()
    );

    let path = root.join("ui/src/i18n/server-codes.json");
    let mut want = serde_json::to_string_pretty(&codes).expect("json");
    want.push('\n');
    if std::env::var_os("FIELDCHECK_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write server-codes.json");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/i18n/server-codes.json is out of date with the sources' msg! codes; run \
         FIELDCHECK_BLESS=1 cargo test -p fieldcheck-server --test it messages, then give \
         every new code its Chinese text in ui/src/i18n/server.ts"
    );
}

#[test]
fn the_scanner_reads_codes_texts_and_parameter_names() {
    let (key, rest) = literal(
        r#" "a.b", "x {n} \
            y", n = f(1, "(", 2), m = 3)"#,
    )
    .expect("a code");
    assert_eq!(key, "a.b");
    let (en, rest) =
        literal(rest.trim_start().strip_prefix(',').expect("a comma")).expect("a text");
    assert_eq!(en, "x {n} y");
    assert_eq!(param_names(rest), ["n", "m"]);
    assert_eq!(
        placeholders("{a} {{b}} {c}"),
        BTreeSet::from(["a".into(), "c".into()])
    );
}
