//! The server application: built from configuration by `main` and by the
//! tests alike, listening on the configured address (port 0 in tests).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::ListenerExt;
use fieldcheck_core::refdata::DocKind;
use tokio::net::TcpListener;

use crate::config::ServeConfig;
use crate::materialise;
use crate::pdf::PdfFont;
use crate::services::mail::Mailer;
use crate::state::{AppState, Changed, HubEvent};
use crate::store::{CHANGES_CHANNEL, Engine, Notice};
use crate::tls::{self, TlsListener};

pub struct Application {
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    router: Router,
    state: AppState,
    mailer: Option<Mailer>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("addr", &self.listener.local_addr().ok())
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens storage and binds the listener.
    pub async fn build(config: ServeConfig) -> anyhow::Result<Application> {
        let mailer = config.mail.as_ref().map(Mailer::new).transpose()?;
        let mut state = AppState::open(config).await?;
        state.pdf_font = PdfFont::find(state.config.pdf_font.as_deref())?;
        match &state.pdf_font {
            Some(font) => tracing::info!(font = %font.path().display(), "PDF bulletins set in"),
            None => tracing::warn!(
                "no font with Chinese letters is installed: bulletins are offered as HTML and \
                 XLSX, not PDF. Install fonts-noto-cjk or set pdf_font (docs/deploy.md)"
            ),
        }
        if state.storage.engine() == Engine::Postgres {
            listen_to_replicas(&state).await?;
        }
        let tls = state
            .config
            .tls
            .as_ref()
            .map(tls::server_config)
            .transpose()?;
        let listener = TcpListener::bind(state.config.listen).await?;
        let addr = listener.local_addr()?;
        if tls.is_none() && !addr.ip().is_loopback() {
            tracing::warn!(
                %addr,
                "serving plain HTTP on a network address: passwords and tokens travel in clear \
                 text. Give --tls-cert and --tls-key, or put a TLS proxy in front (docs/deploy.md)"
            );
        }
        Ok(Application {
            listener,
            tls,
            router: crate::http::router(state.clone()),
            state,
            mailer,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let docs = self.state.docs.clone();
        let sweeper = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(30));
            loop {
                tick.tick().await;
                docs.evict_idle(Duration::from_secs(120));
            }
        });
        let materialiser = tokio::spawn(materialise::leader::run(self.state.clone()));
        let mailer = self.mailer.map(|m| tokio::spawn(m.run(self.state.clone())));
        // The client address, for sign-in throttling.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let result = match self.tls {
            // `tap_io` gives the listener the client address as connect info.
            Some(config) => {
                let listener = TlsListener::new(self.listener, config)?.tap_io(|_| {});
                axum::serve(listener, service)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            None => {
                let listener = self.listener.tap_io(crate::tls::no_delay);
                axum::serve(listener, service)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
        };
        sweeper.abort();
        materialiser.abort();
        if let Some(m) = mailer {
            m.abort();
        }
        Ok(result?)
    }
}

/// With PostgreSQL, several replicas share one database: each hears the
/// others' stored changes (LISTEN/NOTIFY), refreshes its cached copy and
/// pushes them to its own sessions.
async fn listen_to_replicas(state: &AppState) -> anyhow::Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(&state.config.database_url()).await?;
    listener.listen(CHANGES_CHANNEL).await?;
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => {
                    let Some(notice) = Notice::decode(n.payload()) else {
                        continue;
                    };
                    if notice.replica == state.storage.replica() {
                        continue;
                    }
                    if let Err(e) = state.docs.refresh(&notice.meta.doc_id).await {
                        tracing::error!(error = %e, "cannot refresh a document changed by another replica");
                    }
                    if notice.meta.kind == DocKind::Template {
                        // Published there: new records are held to it here too.
                        state.templates.clear();
                    }
                    let _ = state.hub.send(HubEvent::Changed(Changed {
                        meta: notice.meta,
                        origin: 0,
                    }));
                }
                // The connection dropped and notifications may be lost: every
                // session starts over from its device's cursor.
                Ok(None) => {
                    tracing::warn!("replica notifications interrupted; sessions will resync");
                    let _ = state.hub.send(HubEvent::Resync);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "replica notifications unavailable; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}
