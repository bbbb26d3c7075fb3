//! Fieldcheck's domain, pure: checklists and questionnaires, audit and survey
//! records as Automerge documents, scoring (methodology.md S1-S7) and ratings
//! rolled up the store hierarchy (S8). No I/O, no async runtime, no database.

pub mod answers;
pub mod form;
pub mod hotline;
pub mod i18n;
pub mod msg;
pub mod pls;
pub mod ratings;
pub mod records;
pub mod refdata;
pub mod reference;
pub mod scorecard;
pub mod scoring;
pub mod stats;
pub mod sync;
pub mod table;
pub mod templates;
#[cfg(test)]
mod test_support;
pub mod vocab;
