//! How many XLSForms of a folder import, and what stops the others:
//! `cargo run -p fieldcheck-core --example xlsform_corpus -- DIR`.
//!
//! Each `.xlsx` in DIR is imported as `template import --channel
//! owned_hall` would (a form written for another tool has no Fieldcheck
//! channel). A form that fails counts once under each kind of error it has:
//! the message's code, and for an unknown function, type or column its
//! name. With `--forms`, each form that fails is listed with what stops it;
//! given one `.xlsx` file instead of a folder, its messages are printed.
//! docs/xlsform-corpus.tsv lists the public forms measured so far.

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let per_form = args.iter().any(|a| a == "--forms");
    let Some(dir) = args.iter().find(|a| *a != "--forms").map(PathBuf::from) else {
        eprintln!("usage: xlsform_corpus [--forms] DIR");
        std::process::exit(2);
    };
    let given = Settings {
        channel: Some("owned_hall".into()),
        ..Settings::default()
    };
    if dir.is_file() {
        match import_with(&std::fs::read(&dir)?, &given) {
            Ok(imported) => imported.warnings.iter().for_each(|w| println!("{w}")),
            Err(problems) => problems.iter().for_each(|p| println!("{p}")),
        }
        return Ok(());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        })
        .collect();
    files.sort();
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
                if per_form {
                    let name = file.file_name().unwrap_or_default().to_string_lossy();
                    let list: Vec<&str> = kinds.iter().map(String::as_str).collect();
                    println!("{name}\t{}", list.join("; "));
                }
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
