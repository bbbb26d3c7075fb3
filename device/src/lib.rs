//! The device side of Fieldcheck, without Tauri: the device store (every
//! document durably in SQLite), reference data read from it, media kept by
//! hash and uploaded, TLS for the device's connections, the sync client that
//! keeps the store in step with the server, and what the app does for its
//! user ([`app::App`]). The Tauri shell (`src-tauri`, `fieldcheck-app`) wraps
//! [`app::App`] in commands; the server's tests drive devices through this
//! crate.

pub mod app;
pub mod media;
pub mod net;
pub mod reference;
pub mod store;
pub mod sync_client;
