//! The server's modules import each other without a cycle, file by file and
//! between the top-level modules (a folder counting as one): read from the
//! sources' `crate::` paths, as a newcomer would follow them. A cycle means
//! some module no longer has a place in the layers (README's code tour):
//! this test names the modules that form it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::sources;

/// The module path of a file: `src/http/users.rs` -> `http::users`,
/// `src/store/mod.rs` -> `store`, `src/lib.rs` -> ``.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p != "mod" && p != "lib" && p != "main")
        .collect();
    parts.join("::")
}

/// The modules a file's code names through `crate::` (the longest prefix
/// of each path that is a module, with `crate::a::{b, c::d}` read as its
/// paths), leaving out its own submodules, which it declares rather than
/// uses.
fn imports(text: &str, modules: &BTreeSet<String>, own: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let word = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
        let prefix: String = rest.chars().take_while(|c| word(*c)).collect();
        // The macro expands to `crate::error::Error`.
        if prefix == "internal_from" {
            out.insert("error".to_string());
            continue;
        }
        let after = &rest[prefix.len()..];
        let paths: Vec<String> = match after.strip_prefix('{') {
            // One level of braces is what rustfmt leaves in this crate.
            Some(group) => group[..group.find('}').unwrap_or(group.len())]
                .split(',')
                .map(|item| format!("{prefix}{}", item.trim()))
                .collect(),
            None => vec![prefix],
        };
        for path in paths {
            let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            // `crate::store::{self, Storage}` names `store`.
            segments.retain(|s| *s != "self");
            while !segments.is_empty() {
                let candidate = segments.join("::");
                if modules.contains(&candidate) {
                    if candidate != own && !candidate.starts_with(&format!("{own}::")) {
                        out.insert(candidate);
                    }
                    break;
                }
                segments.pop();
            }
        }
    }
    out
}

#[test]
fn the_servers_modules_import_each_other_without_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let texts: BTreeMap<String, String> = files
        .iter()
        .map(|f| {
            (
                module_of(&src, f),
                std::fs::read_to_string(f).expect("read"),
            )
        })
        .collect();
    let modules: BTreeSet<String> = texts.keys().cloned().collect();
    let graph: BTreeMap<&str, BTreeSet<String>> = texts
        .iter()
        .map(|(m, text)| (m.as_str(), imports(text, &modules, m)))
        .collect();
    assert!(graph.len() > 40, "read {} modules", graph.len());
    assert!(
        graph["http::users"].contains("services::users"),
        "the reading finds imports: {:?}",
        graph["http::users"]
    );

    assert_eq!(cycle(&graph), None, "an import cycle between modules");

    // The same between the top-level modules, a folder counting as one: the
    // layers of the README's code tour.
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, uses) in &graph {
        let top = |m: &str| m.split("::").next().unwrap_or_default().to_string();
        let own = top(m);
        let entry = folders.entry(own.clone()).or_default();
        entry.extend(uses.iter().map(|u| top(u)).filter(|u| *u != own));
    }
    let folders: BTreeMap<&str, BTreeSet<String>> = folders
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    assert!(folders["http"].contains("services"), "{folders:?}");
    assert_eq!(cycle(&folders), None, "an import cycle between layers");
}

/// A path of imports that comes back to where it started, if there is one.
fn cycle(graph: &BTreeMap<&str, BTreeSet<String>>) -> Option<String> {
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<&str, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<String> {
        if let Some(i) = path.iter().position(|p| *p == m) {
            return Some([&path[i..], &[m]].concat().join(" -> "));
        }
        if !done.insert(m) {
            return None;
        }
        path.push(m);
        for next in graph.get(m).into_iter().flatten() {
            if let Some((key, _)) = graph.get_key_value(next.as_str())
                && let Some(found) = visit(key, graph, path, done)
            {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}
