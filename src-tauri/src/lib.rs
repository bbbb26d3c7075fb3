//! The Fieldcheck app: the Tauri shell around `fieldcheck_device`, which
//! holds the device store, the sync client and what the app does for its
//! user ([`fieldcheck_device::app::App`]). Here: the window, the commands
//! the UI invokes, and the TypeScript types they exchange.

pub mod bindings;
pub mod shell;

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
