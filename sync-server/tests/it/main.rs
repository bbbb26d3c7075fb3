//! Black-box tests of the `fieldcheck-server` binary.

mod cli;
mod server;
mod support;
