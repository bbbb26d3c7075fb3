//! The Fieldcheck app: the device store (every document durably in SQLite),
//! the sync client that keeps it in step with the server, what the app does
//! for its user ([`app::App`]) and the Tauri shell around it.

pub mod app;
pub mod bindings;
pub mod media;
pub mod net;
pub mod reference;
pub mod shell;
pub mod store;
pub mod sync_client;

/// Starts the app: one window with the UI.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let app = shell::configure(tauri::Builder::default()).run(tauri::generate_context!());
    if let Err(e) = app {
        tracing::error!(error = %e, "the app stopped");
        std::process::exit(1);
    }
}
