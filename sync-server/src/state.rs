//! What every request, session and command shares: storage, the document
//! cache, the hub that tells sessions about stored changes, parsed templates
//! and the configuration. Built once by the server and by the command line.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::{Notify, broadcast};

use crate::config::ServeConfig;
use crate::pdf::PdfFont;
use crate::store::docs::DocCache;
use crate::store::media::{DbMediaStore, DirMediaStore, Media};
use crate::store::templates::Templates;
use crate::store::units::HierarchyCache;
use crate::store::{DocMeta, Engine, Storage};
use crate::throttle::Throttle;
use crate::tls;

/// A document was stored: sessions that may see it pass it on.
#[derive(Debug, Clone)]
pub struct Changed {
    pub meta: DocMeta,
    /// The connection that made the change, which needs no push.
    pub origin: u64,
}

/// What sessions hear from the rest of the server.
#[derive(Debug, Clone)]
pub enum HubEvent {
    Changed(Changed),
    /// Changes may have been missed (a replica lost its notifications):
    /// sessions close, and devices reconnect with their cursor.
    Resync,
}

/// Shared by every request.
#[derive(Clone, Debug)]
pub struct AppState {
    pub storage: Storage,
    pub docs: DocCache,
    pub hub: broadcast::Sender<HubEvent>,
    pub config: Arc<ServeConfig>,
    pub media: Media,
    /// Published templates, parsed once.
    pub templates: Templates,
    /// The store hierarchy ratings roll up through, read again when it changes.
    pub hierarchy: Arc<HierarchyCache>,
    /// Failed sign-ins, by account and by client address.
    pub throttle: Arc<Throttle>,
    /// Tells who waits for the materialiser that it went further, and tells
    /// the materialiser that someone waits.
    pub materialiser: Arc<MaterialiserSignals>,
    /// SHA-256 of the operator's CA, for enrolment links (private
    /// deployments).
    pub ca_fingerprint: Option<String>,
    /// The font PDF bulletins are set in, if there is one (found when the
    /// server starts, not for each command).
    pub pdf_font: Option<PdfFont>,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
/// Between the materialiser and those waiting for it.
#[derive(Debug, Default)]
pub struct MaterialiserSignals {
    /// Woken after every pass of the materialiser.
    pub done: Notify,
    /// Woken when someone waits: the materialiser looks for changes at once
    /// (those stored by another replica, or templates published from the
    /// command line), instead of at its next five-second look.
    pub hurry: Notify,
}

impl AppState {
    /// Opens storage (creating the data folder) and everything built on it.
    pub async fn open(config: ServeConfig) -> anyhow::Result<AppState> {
        tokio::fs::create_dir_all(&config.data_dir).await?;
        let storage = Storage::open(&config.database_url()).await?;
        let (hub, _) = broadcast::channel(4096);
        let media = match storage.engine() {
            Engine::Sqlite => Media::Dir(DirMediaStore::new(config.data_dir.join("media"))),
            Engine::Postgres => Media::Db(DbMediaStore::new(storage.pool().clone())),
        };
        Ok(AppState {
            docs: DocCache::new(storage.clone(), config.cache_docs),
            storage,
            hub,
            media,
            templates: Templates::default(),
            hierarchy: Arc::default(),
            throttle: Arc::default(),
            materialiser: Arc::default(),
            ca_fingerprint: match &config.tls {
                Some(files) => tls::ca_fingerprint(files)?,
                None => None,
            },
            pdf_font: None,
            config: Arc::new(config),
        })
    }

    /// Tells connected devices about documents that changed outside a sync
    /// session (reference documents, reviews).
    pub fn announce(&self, changed: impl IntoIterator<Item = DocMeta>) {
        for meta in changed {
            // Nobody listening is fine.
            let _ = self
                .hub
                .send(HubEvent::Changed(Changed { meta, origin: 0 }));
        }
    }
}
