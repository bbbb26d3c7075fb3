//! Integration tests of fieldcheck-core against the shipped files: the
//! default templates and the example XLSForms.

mod default_templates;
mod repeats;
mod xlsform;

use std::path::PathBuf;

/// The repository's `templates/` folder.
fn templates_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
