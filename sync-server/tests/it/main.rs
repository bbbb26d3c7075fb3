//! Black-box tests of the `fieldcheck-server` binary: its API and its
//! command line. Scenarios across processes are in the top-level `tests/`,
//! whose library holds the support both share.

mod admin;
mod bulletins;
mod calculations;
mod cli;
mod demo;
mod exports;
mod hotline;
mod interviews;
mod layout;
mod mail;
mod materialise;
mod messages;
mod monitoring;
mod notifications;
mod openapi;
mod ratings;
mod review;
mod schedule;
mod scorecards;
mod weights;

/// Every `.rs` file under `dir`.
pub fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
