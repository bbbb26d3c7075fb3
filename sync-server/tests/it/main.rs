//! Black-box tests of the `fieldcheck-server` binary.

mod cli;
