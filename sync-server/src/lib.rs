//! Fieldcheck's sync server: the sync endpoint, the HTTP API and console,
//! storage, the materialised tables and the administration command line.
//!
//! Layers, from the edge in (each uses only the ones below it):
//! - `cli` and `http`: parse input, call a service, shape the answer;
//! - `sync`: the WebSocket session, the document cache and the record gate;
//! - `services`: the use-cases shared by the API and the command line, with
//!   their authorisation and audit entries;
//! - `materialise`: documents into tables, ratings' inputs;
//! - `store`: all SQL, SQLite and PostgreSQL alike.
//!
//! `state` holds what they share; `startup` builds and runs the server.

pub mod access;
pub mod cli;
pub mod config;
pub mod demo;
pub mod draw;
pub mod error;
pub mod http;
pub mod materialise;
pub mod pdf;
pub mod schema;
pub mod services;
pub mod startup;
pub mod state;
pub mod store;
pub mod sync;
pub mod throttle;
pub mod tls;
