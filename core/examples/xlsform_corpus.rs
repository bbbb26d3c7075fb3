//! How many XLSForms of a folder import, and what stops the others:
//! `cargo run -p fieldcheck-core --example xlsform_corpus -- DIR`.
//!
//! Each `.xlsx` in DIR is imported as `template import --channel
//! owned_hall` would (a form written for another tool has no Fieldcheck
//! channel). A form that fails counts once under each kind of error it has:
//! the message's code, and for an unknown function, type or column its
//! name. docs/xlsform-corpus.tsv lists the public forms measured so far.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use fieldcheck_core::msg::{Msg, Param};
use fieldcheck_core::templates::xlsform::{Settings, Severity, import_with};

/// Messages that wrap another (a place, a list): the one inside names the
/// problem.
const WRAPPERS: &[&str] = &[
    "template.problem",
    "template.expr",
    "template.list",
    "expr.at",
];

/// Problems told apart by what they name: the function, type or column.
const NAMED: &[(&str, &str)] = &[
    ("expr.unknown_function", "name"),
    ("expr.prefixed_function", "function"),
    ("expr.clock", "function"),
    ("xlsform.unsupported_type", "type_name"),
    ("xlsform.type_not_yet", "type_name"),
    ("xlsform.unsupported_column", "column"),
];

fn kind(m: &Msg) -> String {
    if WRAPPERS.contains(&m.key) {
        for p in m.params.values() {
            if let Param::Msg(inner) = p
                && !inner.key.starts_with("template.at_")
            {
                return kind(inner);
            }
        }
    }
    let named = NAMED.iter().find(|(key, _)| *key == m.key);
    match named.and_then(|(_, param)| m.param(param)) {
        Some(name) => format!("{} `{name}`", m.key),
        None => m.key.to_string(),
    }
}

fn main() -> std::io::Result<()> {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: xlsform_corpus DIR");
        std::process::exit(2);
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        })
        .collect();
    files.sort();
    let given = Settings {
        channel: Some("owned_hall".into()),
        ..Settings::default()
    };
    let mut imported = 0;
    let mut blockers: BTreeMap<String, usize> = BTreeMap::new();
    for file in &files {
        match import_with(&std::fs::read(file)?, &given) {
            Ok(_) => imported += 1,
            Err(problems) => {
                let kinds: BTreeSet<String> = problems
                    .iter()
                    .filter(|p| p.severity == Severity::Error)
                    .map(|p| kind(&p.message))
                    .collect();
                for k in kinds {
                    *blockers.entry(k).or_default() += 1;
                }
            }
        }
    }
    println!("{imported} of {} forms import", files.len());
    let mut by_forms: Vec<(usize, String)> = blockers.into_iter().map(|(k, n)| (n, k)).collect();
    by_forms.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    println!("forms  what stops them");
    for (n, k) in by_forms {
        println!("{n:5}  {k}");
    }
    Ok(())
}
