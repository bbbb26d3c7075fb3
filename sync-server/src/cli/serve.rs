//! `serve`: the server, until Ctrl-C or SIGTERM.

use std::io::Write;

use super::runtime;
use crate::config::{ServeArgs, ServeConfig};
use crate::startup::Application;

pub(super) fn serve(args: &ServeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let config = ServeConfig::resolve(args)?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    runtime()?.block_on(async {
        let app = Application::build(config).await?;
        let addr = app.local_addr()?;
        writeln!(out, "fieldcheck-server listening on {scheme}://{addr}")?;
        out.flush()?;
        app.run_until(shutdown_signal()).await
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
