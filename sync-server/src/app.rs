//! The server application: built from configuration by `main` and by the
//! tests alike, listening on the configured address (port 0 in tests).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use fieldcheck_core::refdata::DocKind;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::broadcast;

use crate::auth::{self, Principal};
use crate::client_ip::{ClientIp, TrustedProxies};
use crate::config::ServeConfig;
use crate::docs::DocCache;
use crate::error::ApiError;
use crate::error::ErrorBody;
use crate::materialise::{self, Templates};
use crate::media::{self, DbMediaStore, DirMediaStore, Media};
use crate::openapi;
use crate::storage::{CHANGES_CHANNEL, DocMeta, Engine, Notice, Storage};
use crate::throttle::{self, Throttle};
use crate::tls::{self, TlsListener};
use crate::ws;
use crate::{admin, assignments, enrol, exports, ratings, report, review};
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

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
    /// Failed sign-ins, by account and by client address.
    pub throttle: Arc<Throttle>,
    /// SHA-256 of the operator's CA, for enrolment links (private
    /// deployments).
    pub ca_fingerprint: Option<String>,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub struct Application {
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    router: Router,
    state: AppState,
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
        tokio::fs::create_dir_all(&config.data_dir).await?;
        let storage = Storage::open(&config.database_url()).await?;
        let (hub, _) = broadcast::channel(4096);
        let media = match storage.engine() {
            Engine::Sqlite => Media::Dir(DirMediaStore::new(config.data_dir.join("media"))),
            Engine::Postgres => Media::Db(DbMediaStore::new(storage.pool().clone())),
        };
        let state = AppState {
            docs: DocCache::new(storage.clone(), config.cache_docs),
            storage,
            hub,
            media,
            templates: Templates::default(),
            throttle: Arc::default(),
            ca_fingerprint: match &config.tls {
                Some(files) => tls::ca_fingerprint(files)?,
                None => None,
            },
            config: Arc::new(config),
        };
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
            router: router(state.clone()),
            state,
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
        let materialiser = tokio::spawn(materialise_continuously(self.state.clone()));
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
                axum::serve(self.listener, service)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
        };
        sweeper.abort();
        materialiser.abort();
        Ok(result?)
    }
}

/// Keeps the derived tables in step with the documents: after every stored
/// change, and every few seconds for templates published from the command
/// line. A failure is logged and retried; the cursor keeps its place.
///
/// With PostgreSQL, one replica materialises at a time: the one holding a
/// session advisory lock. The others wait and try for it every few seconds;
/// when the holder dies its connection closes, the lock goes with it, and
/// another replica takes over from the shared cursor.
async fn materialise_continuously(state: AppState) {
    let mut events = state.hub.subscribe();
    let mut lock = MaterialiserLock::default();
    loop {
        let leading = match state.storage.engine() {
            Engine::Sqlite => true,
            Engine::Postgres => lock.hold(&state.config.database_url()).await,
        };
        if leading
            && let Err(e) =
                materialise::catch_up(&state.storage, &state.docs, &state.templates, |_, _| {})
                    .await
        {
            tracing::error!(error = %e, "materialising failed; will retry");
        }
        tokio::select! {
            _ = events.recv() => {
                // Changes come in bursts (a device syncing a week of work):
                // wait for half a second without one (at most 20 s), so that
                // the CPU goes to the sync first and the tables follow.
                let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
                while let Ok(Ok(_) | Err(broadcast::error::RecvError::Lagged(_))) =
                    tokio::time::timeout_at(
                        deadline.min(tokio::time::Instant::now() + Duration::from_millis(500)),
                        events.recv(),
                    )
                    .await
                {}
            }
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}

/// The advisory lock key of the materialiser: "fcmat" in ASCII.
const MATERIALISER_LOCK: i64 = 0x66_636d_6174;

/// A connection of its own that holds (or tries for) the materialiser's
/// advisory lock. Pooled connections would keep the lock when they go back
/// to the pool.
#[derive(Default)]
struct MaterialiserLock {
    conn: Option<sqlx::postgres::PgConnection>,
    held: bool,
}

impl MaterialiserLock {
    /// Whether this replica holds the lock, taking it if it is free.
    async fn hold(&mut self, url: &str) -> bool {
        use sqlx::Connection;
        if let Some(c) = self.conn.as_mut()
            && c.ping().await.is_err()
        {
            if self.held {
                tracing::warn!("the materialiser lock's connection broke; taking it again");
            }
            *self = MaterialiserLock::default();
        }
        if self.held {
            return true;
        }
        if self.conn.is_none() {
            match sqlx::postgres::PgConnection::connect(url).await {
                Ok(c) => self.conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "no connection for the materialiser lock");
                    return false;
                }
            }
        }
        let Some(c) = self.conn.as_mut() else {
            return false;
        };
        let got: Result<bool, _> = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(MATERIALISER_LOCK)
            .fetch_one(c)
            .await;
        self.held = got.unwrap_or(false);
        if self.held {
            tracing::info!("this replica materialises");
        }
        self.held
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
                    if notice.meta.kind == DocKind::Template.as_str() {
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

/// Every HTTP route. The documented ones are registered through
/// `utoipa_axum`, so the OpenAPI document served at `/api/v1/openapi.json`
/// lists exactly the routes that exist.
fn router(state: AppState) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(refresh))
        .routes(routes!(enrol::redeem))
        .routes(routes!(enrol::create))
        .routes(routes!(ratings::ratings))
        .routes(routes!(ratings::weakest))
        .routes(routes!(ratings::satisfaction))
        .routes(routes!(exports::export))
        .routes(routes!(review::queue))
        .routes(routes!(review::detail))
        .routes(routes!(review::document))
        .routes(routes!(report::report))
        .routes(routes!(review::return_record))
        .routes(routes!(review::approve))
        .routes(routes!(review::comment))
        .routes(routes!(review::open_action))
        .routes(routes!(review::action_step))
        .routes(routes!(crate::actions::list))
        .routes(routes!(media::open, media::append, media::download))
        .routes(routes!(admin::users, admin::create_user))
        .routes(routes!(admin::import_users))
        .routes(routes!(admin::update_user))
        .routes(routes!(admin::list_units))
        .routes(routes!(admin::import_units))
        .routes(routes!(admin::put_unit))
        .routes(routes!(admin::list_templates, admin::publish_template))
        .routes(routes!(admin::template))
        .routes(routes!(admin::audit_log))
        .routes(routes!(assignments::list, assignments::create))
        .routes(routes!(assignments::get_one, assignments::update))
        .split_for_parts();
    let api = Arc::new(api);
    let console = state.config.console.clone();
    let tls = state.config.tls.is_some();
    let router = router
        .route("/sync", get(ws::sync))
        // Unknown API paths answer like the API, not with the console's page.
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { ApiError::NotFound("no such endpoint".into()) }),
        )
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let api = api.clone();
                async move { Json(api.as_ref().clone()) }
            }),
        )
        .with_state(state)
        .layer(app_origin());
    let router = match console {
        // The console's own routes (`/review/...`) all load its index page.
        Some(dir) => router
            .fallback_service(ServeDir::new(&dir).fallback(ServeFile::new(dir.join("index.html")))),
        None => router,
    };
    security_headers(router, tls)
}

/// What the console may load and do, as a Content-Security-Policy: its own
/// scripts only, no framing (the app shows the console itself, never in a
/// frame), inline styles for the charts and the printable report, images
/// from the server, `data:` and `blob:` URLs (photos being shown).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Headers every response carries (unless a handler set its own): the
/// console's CSP, no framing, no type sniffing (media are served with the
/// type they were uploaded as), no referrer leaving the server.
fn security_headers(router: Router, tls: bool) -> Router {
    use tower_http::set_header::SetResponseHeaderLayer;
    // Browsers that saw the server on HTTPS use nothing else for a year.
    let hsts = tls.then(|| {
        (
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        )
    });
    let headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    headers
        .into_iter()
        .chain(hsts)
        .fold(router, |r, (name, value)| {
            r.layer(SetResponseHeaderLayer::if_not_present(name, value))
        })
}

/// The app's window (origin `tauri://localhost`, or `http://tauri.localhost`
/// on Windows) may call the API: managers use the console inside the app.
/// Requests carry a bearer token, never cookies.
fn app_origin() -> CorsLayer {
    CorsLayer::new()
        .allow_origin([
            HeaderValue::from_static("tauri://localhost"),
            HeaderValue::from_static("http://tauri.localhost"),
        ])
        .allow_methods(Any)
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([HeaderName::from_static("x-total-rows")])
}

#[derive(Serialize, ToSchema)]
struct Health {
    status: &'static str,
    version: &'static str,
    documents_loaded: usize,
}

/// The server and its database answer.
#[utoipa::path(get, path = "/health", tag = "system", responses((status = 200, body = Health)))]
async fn health(State(app): State<AppState>) -> Result<Json<Health>, ApiError> {
    app.storage.ping().await?;
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        documents_loaded: app.docs.loaded(),
    }))
}

#[derive(Deserialize, ToSchema)]
struct LoginBody {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginReply {
    pub token: String,
    pub expires_at: i64,
    pub user: String,
    pub role: String,
    pub scope: String,
}

impl std::fmt::Debug for LoginReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("LoginReply")
            .field("user", &self.user)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Signs in with a password and returns a token for `Authorization: Bearer`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = LoginReply),
        (status = 400, description = "Not a login body", body = ErrorBody),
        (status = 401, description = "Wrong user name or password", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this account or address; `Retry-After` says when to try again", body = ErrorBody)))]
async fn login(
    State(app): State<AppState>,
    ClientIp(client): ClientIp,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Result<Json<LoginReply>, ApiError> {
    let Json(body) = body?;
    let account = throttle::Key::Account(body.username.to_lowercase());
    let keys = [account.clone(), throttle::Key::Address(client)];
    if let Some(wait) = app.throttle.wait(&keys, Instant::now()) {
        return Err(ApiError::TooManyAttempts(wait));
    }
    let session = auth::login(
        &app.storage,
        &body.username,
        &body.password,
        app.config.token_ttl,
        now_ms(),
    )
    .await?;
    let Some(session) = session else {
        app.throttle.failed(&keys, Instant::now());
        return Err(ApiError::InvalidCredentials);
    };
    app.throttle.succeeded(&account);
    Ok(Json(LoginReply {
        token: session.token,
        expires_at: session.expires_at,
        user: session.user.user_id,
        role: session.user.role,
        scope: session.user.scope,
    }))
}

/// Revokes the token of the request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, description = "Not signed in", body = ErrorBody)))]
async fn logout(
    State(app): State<AppState>,
    who: Authenticated,
) -> Result<axum::http::StatusCode, ApiError> {
    app.storage
        .revoke_token(&auth::token_hash(&who.token), now_ms())
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Exchanges a live token for a new one with a fresh lifetime
/// (`token_ttl_hours`, 30 days by default); the old one stops working.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = LoginReply), (status = 401, description = "Not signed in", body = ErrorBody)))]
async fn refresh(
    State(app): State<AppState>,
    who: Authenticated,
) -> Result<Json<LoginReply>, ApiError> {
    let (token, new_hash) = auth::new_token().map_err(|e| ApiError::Internal(e.into()))?;
    let now = now_ms();
    let expires_at = now + app.config.token_ttl.as_millis() as i64;
    let p = who.principal;
    app.storage
        .rotate_token(
            &auth::token_hash(&who.token),
            &new_hash,
            &p.user_id,
            now,
            expires_at,
        )
        .await?;
    Ok(Json(LoginReply {
        token,
        expires_at,
        user: p.user_id,
        role: p.role.as_str().to_string(),
        scope: p.scope,
    }))
}

impl axum::extract::FromRef<AppState> for TrustedProxies {
    fn from_ref(app: &AppState) -> TrustedProxies {
        TrustedProxies(app.config.trusted_proxies.as_slice().into())
    }
}

/// A request with a live token, from `Authorization: Bearer` or `?token=`.
pub struct Authenticated {
    pub principal: Principal,
    pub token: String,
}

impl std::fmt::Debug for Authenticated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Authenticated")
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let query = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("token="))
                .map(str::to_string)
        });
        let token = header.or(query).ok_or(ApiError::Unauthorized)?;
        let row = app
            .storage
            .token_user(&auth::token_hash(&token), now_ms())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let principal = Principal::from_row(&row).ok_or(ApiError::Unauthorized)?;
        Ok(Authenticated { principal, token })
    }
}
