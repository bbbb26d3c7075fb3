//! The TypeScript types of what the app's commands and the UI exchange,
//! generated from the Rust types (ts-rs) into `ui/src/api/types.ts`. A test
//! fails when the checked-in file differs; `FIELDCHECK_BLESS=1 cargo test -p
//! fieldcheck-app bindings` rewrites it.

use ts_rs::{Config, TS};

/// The whole generated file.
pub fn typescript() -> String {
    let cfg = Config::new().with_large_int("number");
    let decls = [
        fieldcheck_core::i18n::Bilingual::decl(&cfg),
        fieldcheck_core::answers::MediaRef::decl(&cfg),
        fieldcheck_core::answers::GeoPoint::decl(&cfg),
        fieldcheck_core::form::FormView::decl(&cfg),
        fieldcheck_core::form::SectionView::decl(&cfg),
        fieldcheck_core::form::RepeatView::decl(&cfg),
        fieldcheck_core::form::EntryView::decl(&cfg),
        fieldcheck_core::form::ItemView::decl(&cfg),
        fieldcheck_core::form::Input::decl(&cfg),
        fieldcheck_core::form::ChoiceView::decl(&cfg),
        fieldcheck_core::form::Problem::decl(&cfg),
        fieldcheck_core::form::CommentView::decl(&cfg),
        fieldcheck_device::app::AppError::decl(&cfg),
        fieldcheck_device::app::Session::decl(&cfg),
        fieldcheck_device::app::StoreView::decl(&cfg),
        fieldcheck_device::app::AssignmentView::decl(&cfg),
        fieldcheck_device::app::RecordSummary::decl(&cfg),
        fieldcheck_device::app::Home::decl(&cfg),
        fieldcheck_device::app::SyncView::decl(&cfg),
        fieldcheck_device::app::Refusal::decl(&cfg),
        crate::shell::Defaults::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs (ts-rs). Do not edit:\n\
         // run `FIELDCHECK_BLESS=1 cargo test -p fieldcheck-app bindings` after changing them.\n",
    );
    for d in decls {
        out.push_str("\nexport ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn bindings_match_the_checked_in_typescript() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api/types.ts");
        let want = super::typescript();
        if std::env::var_os("FIELDCHECK_BLESS").is_some() {
            std::fs::write(&path, &want).expect("write types.ts");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/api/types.ts is out of date with the Rust types; run \
             FIELDCHECK_BLESS=1 cargo test -p fieldcheck-app bindings"
        );
    }
}
