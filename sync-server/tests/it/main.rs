//! Black-box tests of the `fieldcheck-server` binary: its API and its
//! command line. Scenarios across processes are in the top-level `tests/`,
//! whose library holds the support both share.

mod admin;
mod cli;
mod demo;
mod exports;
mod interviews;
mod layout;
mod materialise;
mod messages;
mod notifications;
mod openapi;
mod ratings;
mod review;
mod schedule;
