//! Black-box tests of the `fieldcheck-server` binary.

mod admin;
mod cli;
mod demo;
mod devices;
mod exports;
mod hostile;
mod interviews;
mod materialise;
mod media;
mod openapi;
mod ratings;
mod review;
mod server;
mod support;
mod tls;
