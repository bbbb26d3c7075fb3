//! The use-cases, shared by the HTTP API and the command line: who may do
//! what (`access`), and every write in one transaction with its audit entry.

pub mod actions;
pub mod assignments;
pub mod audit;
pub mod auth;
pub mod bulletin;
pub mod enrol;
pub mod exports;
pub mod hotline;
pub mod mail;
pub mod media;
pub mod monitoring;
pub mod notifications;
pub mod ratings;
pub mod records;
pub mod report;
pub mod schedule;
pub mod scorecards;
pub mod sessions;
pub mod status;
pub mod templates;
pub mod units;
pub mod users;
pub mod weights;
