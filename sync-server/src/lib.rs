//! Fieldcheck's sync server: the sync endpoint, storage, authentication and
//! the administration command line.

pub mod access;
pub mod actions;
pub mod admin;
pub mod app;
pub mod assignments;
pub mod auth;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod demo;
pub mod docs;
pub mod enrol;
pub mod error;
pub mod exports;
pub mod gate;
pub mod materialise;
pub mod media;
pub mod openapi;
pub mod ratings;
pub mod refdocs;
pub mod report;
pub mod review;
pub mod sql;
pub mod storage;
pub mod throttle;
pub mod tls;
pub mod units;
mod ws;
