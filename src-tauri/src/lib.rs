//! The Fieldcheck app's library: the device store (every document durably in
//! SQLite) and the sync client that keeps it in step with the server. The
//! Tauri shell and UI build on these.

pub mod media;
pub mod reference;
pub mod store;
pub mod sync_client;
