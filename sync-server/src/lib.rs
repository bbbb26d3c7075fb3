//! Fieldcheck's sync server. So far it carries the administration command
//! line (`template check`, `template import`, `score`); the sync endpoint,
//! storage and API follow.

pub mod cli;
