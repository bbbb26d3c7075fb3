//! What the app does for its user, whatever shows it: sign in once online,
//! then work offline from the device store: assignments, stores, starting a
//! record, answering, photos, submitting, and the sync state. The Tauri
//! commands (`src-tauri/src/shell.rs`, in `fieldcheck-app`) are thin wrappers
//! around [`App`], so everything here is tested without a window.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fieldcheck_core::answers::{AnswerValue, GeoPoint, MediaRef, from_json};
use fieldcheck_core::form::{FormView, form_view, form_view_adding};
use fieldcheck_core::i18n::Bilingual;
use fieldcheck_core::records::open::OpenRecord;
use fieldcheck_core::records::{Actor, Record, RecordError, Status};
use fieldcheck_core::reference::UnitRecord;
use fieldcheck_core::templates::Template;
use fieldcheck_core::vocab::Role;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::net::Tls;
use crate::store::{DeviceStore, StoreError};
use crate::sync_client::{self, SyncConfig, SyncHandle, SyncStatus};

/// A failure the UI shows: a stable `code` it translates, and a detail.
#[derive(Debug, Clone, PartialEq, Serialize, TS, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AppError {
    pub code: String,
    pub message: String,
    /// Per-item problems when a submit is refused.
    pub problems: Vec<fieldcheck_core::form::Problem>,
}

impl AppError {
    fn new(code: &str, message: impl Into<String>) -> AppError {
        AppError {
            code: code.into(),
            message: message.into(),
            problems: Vec::new(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::new("storage", e.to_string())
    }
}

impl From<RecordError> for AppError {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Incomplete(problems) => AppError {
                code: "incomplete".into(),
                message: "the record is not complete".into(),
                problems: fieldcheck_core::form::problems(&problems),
            },
            RecordError::Answer(p) => AppError {
                code: "invalid_answer".into(),
                message: p.to_string(),
                problems: fieldcheck_core::form::problems(std::slice::from_ref(&p)),
            },
            RecordError::Locked | RecordError::InvalidTransition { .. } => {
                AppError::new("not_editable", e.to_string())
            }
            other => AppError::new("record", other.to_string()),
        }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Who is signed in on this device, kept in the device store so the app
/// works offline after one online sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Session {
    /// The server's HTTP address, `http://host:port`.
    pub server: String,
    pub user: String,
    pub role: String,
    pub scope: String,
    pub device: String,
    /// Kept in the device store under its own key, never sent to the UI.
    #[serde(skip)]
    #[ts(skip)]
    pub token: String,
    /// The operator's own CA (PEM) for a private deployment, if any.
    #[serde(skip)]
    #[ts(skip)]
    pub ca: Option<String>,
}

/// A store the user may visit.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StoreView {
    pub id: String,
    pub name: Bilingual,
    pub address: Option<String>,
}

/// Work given to the user, with the stores it covers and progress.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AssignmentView {
    pub id: String,
    pub template_id: String,
    pub title: Bilingual,
    pub mode: String,
    pub unit: StoreView,
    pub starts_on: String,
    pub ends_on: String,
    pub visits: u32,
    pub daily_quota: Option<u32>,
    pub note: String,
    pub stores: Vec<StoreView>,
    /// Records of this template the user started in the period and
    /// submitted (approved ones too; not drafts, returned or partial ones).
    pub done: u32,
    /// Of those, started today (for a survey's daily quota).
    pub today: u32,
}

/// One record on the device, for the lists.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RecordSummary {
    pub doc_id: String,
    pub store: StoreView,
    pub template_id: String,
    pub title: Bilingual,
    pub kind: String,
    pub mode: String,
    pub status: String,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
    pub comments: u32,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Home {
    pub session: Session,
    pub assignments: Vec<AssignmentView>,
    pub records: Vec<RecordSummary>,
}

/// The sync indicator: `offline`, `connecting`, `syncing`, `up_to_date` or
/// `error`, with counts and the reason when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SyncView {
    pub state: String,
    pub done: u32,
    pub total: u32,
    pub reason: Option<String>,
    /// Records changed here that the server has not acknowledged.
    pub pending: u32,
    /// Photos and other files still to upload.
    pub media_pending: u32,
    /// Records whose changes the server refused, with its reason.
    pub refused: Vec<Refusal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Refusal {
    pub doc_id: String,
    pub reason: String,
}

/// The app's state: the device store and, once signed in, the sync client.
#[derive(Debug)]
pub struct App {
    store: DeviceStore,
    session: Mutex<Option<Session>>,
    sync: Mutex<Option<SyncHandle>>,
    /// The record being filled in, kept between edits.
    open: Mutex<Option<Open>>,
}

/// The record kept open, with its template, as of a
/// [generation](DeviceStore::generation) of the store's copy.
#[derive(Debug)]
struct Open {
    doc_id: String,
    record: OpenRecord,
    template: Template,
    generation: u64,
    /// The name of the blank entry the form shows at the end of each
    /// repeated section the person adds entries to: a new one once an
    /// answer has added it.
    fresh: String,
}

impl Open {
    /// The record as a form; a new blank entry once the last one is used.
    fn view(&mut self) -> FormView {
        let used = format!("@{}", self.fresh);
        if self
            .record
            .state()
            .answers
            .keys()
            .any(|k| k.ends_with(&used))
        {
            self.fresh = entry_name();
        }
        form_view_adding(
            &self.doc_id,
            self.record.state(),
            &self.template,
            Some(&self.fresh),
        )
    }
}

/// A name for a new entry of a repeated section: the time, then random
/// letters, so that names sort in the order entries are added and two
/// devices never choose the same.
fn entry_name() -> String {
    let mut bytes = [0u8; 4];
    // As in random_id: the time alone still makes a usable name.
    let _ = getrandom::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{:011x}{hex}", now_ms())
}

/// A token to revoke on its server once the device is online again.
#[derive(Debug, Serialize, Deserialize)]
struct Revoke {
    server: String,
    token: String,
    ca: Option<String>,
}

/// A token with less than this left is exchanged for a fresh one at start.
const REFRESH_WITHIN: Duration = Duration::from_secs(7 * 24 * 3600);

/// How long the app waits for the server when signing in or out.
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn random_id(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    // The OS random source does not fail on the platforms the app runs on;
    // if it did, the time alone still makes a usable id.
    let _ = getrandom::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{:x}-{hex}", now_ms())
}

/// What the server answers a sign-in or an enrolment with.
#[derive(Deserialize)]
struct TokenReply {
    token: String,
    expires_at: i64,
    user: String,
    role: String,
    scope: String,
}

/// Posts `body` to `url` for a token; the server's refusal as its code.
async fn post_for_token(tls: &Tls, url: &str, body: &serde_json::Value) -> Result<TokenReply> {
    #[derive(Deserialize)]
    struct Refused {
        code: String,
        message: String,
    }
    let http = tls
        .http(Some(HTTP_TIMEOUT))
        .map_err(|e| AppError::new("network", crate::net::describe(&e)))?;
    let res = http
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| AppError::new("network", crate::net::describe(&e)))?;
    if !res.status().is_success() {
        let refused: Refused = res
            .json()
            .await
            .map_err(|e| AppError::new("network", e.to_string()))?;
        return Err(AppError::new(&refused.code, refused.message));
    }
    res.json()
        .await
        .map_err(|e| AppError::new("network", e.to_string()))
}

/// What an enrolment needs: where the server is, the one-time code, and
/// (private deployments) the operator CA's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub server: String,
    pub code: String,
    pub ca: Option<String>,
}

impl Enrolment {
    /// Reads an enrolment link, or a code typed with the server's address.
    pub fn parse(input: &str, server: Option<&str>) -> Result<Enrolment> {
        let input = input.trim();
        let bad = || {
            AppError::new(
                "bad_enrolment",
                "paste the whole enrolment link, or type the code and the server address",
            )
        };
        // A code is letters, digits and its dash; anything else is a typo.
        let code_like =
            |c: &str| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-');
        if input.starts_with("fieldcheck:") {
            let link = url::Url::parse(input).map_err(|_| bad())?;
            if link.host_str() != Some("enrol") {
                return Err(bad());
            }
            let mut e = Enrolment {
                server: String::new(),
                code: String::new(),
                ca: None,
            };
            for (k, v) in link.query_pairs() {
                match k.as_ref() {
                    "server" => e.server = v.trim_end_matches('/').to_string(),
                    "code" => e.code = v.into_owned(),
                    "ca" => e.ca = Some(v.into_owned()),
                    _ => {}
                }
            }
            if !code_like(&e.code) || !e.server.starts_with("http") {
                return Err(bad());
            }
            return Ok(e);
        }
        let server = server
            .map(str::trim)
            .filter(|s| s.starts_with("http"))
            .ok_or_else(bad)?;
        if !code_like(input) {
            return Err(bad());
        }
        Ok(Enrolment {
            server: server.trim_end_matches('/').to_string(),
            code: input.to_string(),
            ca: None,
        })
    }
}

/// Whom a session trusts: the platform, plus its operator CA. A CA that no
/// longer reads (it was checked at sign-in) falls back to the platform.
fn tls_for(ca: Option<&str>) -> Tls {
    Tls::new(ca).unwrap_or_else(|_| Tls::platform())
}

fn ws_url(server: &str) -> String {
    let base = server.trim_end_matches('/');
    let ws = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        format!("ws://{base}")
    };
    format!("{ws}/sync")
}

fn store_view(units: &BTreeMap<String, UnitRecord>, id: &str) -> StoreView {
    match units.get(id) {
        Some(u) => StoreView {
            id: id.into(),
            name: Bilingual::new(&u.name_zh, &u.name_en),
            address: u.address.clone(),
        },
        None => StoreView {
            id: id.into(),
            name: Bilingual::new(id, id),
            address: None,
        },
    }
}

fn under(unit: &str, id: &str) -> bool {
    id == unit || id.starts_with(&format!("{unit}/"))
}

impl App {
    /// Opens the device store in `dir` and, if someone signed in before,
    /// starts syncing as them.
    pub async fn open(dir: &Path) -> Result<App> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::new("storage", format!("{}: {e}", dir.display())))?;
        let store = DeviceStore::open(&dir.join("fieldcheck.db")).await?;
        let app = App {
            store,
            session: Mutex::new(None),
            sync: Mutex::new(None),
            open: Mutex::new(None),
        };
        if let Some(s) = app.stored_session().await? {
            app.start(s).await;
        }
        Ok(app)
    }

    pub fn store(&self) -> &DeviceStore {
        &self.store
    }

    async fn stored_session(&self) -> Result<Option<Session>> {
        let Some(mut session) = self
            .meta("session")
            .await?
            .and_then(|v| serde_json::from_str::<Session>(&v).ok())
        else {
            return Ok(None);
        };
        // A session saved without its token (before tokens were kept)
        // cannot sync: sign in again.
        let Some(token) = self.meta("token").await? else {
            return Ok(None);
        };
        session.token = token;
        session.ca = self.meta("operator_ca").await?;
        Ok(Some(session))
    }

    async fn meta(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.store.pool)
            .await
            .map_err(StoreError::from)?;
        Ok(row.and_then(|r| r.try_get::<String, _>("value").ok()))
    }

    async fn put_meta(&self, key: &str, value: Option<&str>) -> Result<()> {
        let q = match value {
            Some(v) => sqlx::query(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(v.to_string()),
            None => sqlx::query("DELETE FROM meta WHERE key = ?").bind(key),
        };
        q.execute(&self.store.pool)
            .await
            .map_err(StoreError::from)?;
        Ok(())
    }

    async fn device_id(&self) -> Result<String> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'device'")
            .fetch_optional(&self.store.pool)
            .await
            .map_err(StoreError::from)?;
        if let Some(id) = row.and_then(|r| r.try_get::<String, _>("value").ok()) {
            return Ok(id);
        }
        let id = random_id("device");
        self.put_meta("device", Some(&id)).await?;
        Ok(id)
    }

    async fn start(&self, mut session: Session) {
        self.revoke_pending().await;
        self.refresh_if_due(&mut session).await;
        let tls = tls_for(session.ca.as_deref());
        let config = SyncConfig {
            tls,
            ..SyncConfig::new(ws_url(&session.server), session.token.clone())
        };
        let handle = sync_client::spawn(self.store.clone(), config);
        if let Some(old) = self.sync.lock().await.replace(handle) {
            old.stop().await;
        }
        *self.session.lock().await = Some(session);
    }

    /// The server this device last signed in to or enrolled with: kept
    /// after sign-out, so the sign-in page starts from it.
    pub async fn last_server(&self) -> Option<String> {
        self.meta("last_server").await.ok().flatten()
    }

    /// Who is signed in, if anyone.
    pub async fn session(&self) -> Option<Session> {
        self.session.lock().await.clone()
    }

    async fn signed_in(&self) -> Result<Session> {
        self.session()
            .await
            .ok_or_else(|| AppError::new("signed_out", "sign in first"))
    }

    /// Signs in against the server (the one time the app must be online)
    /// and starts syncing.
    pub async fn login(
        &self,
        server: &str,
        username: &str,
        password: &str,
        ca: Option<&str>,
    ) -> Result<Session> {
        let server = server.trim().trim_end_matches('/').to_string();
        let ca = ca.map(str::trim).filter(|c| !c.is_empty());
        let tls = Tls::new(ca).map_err(|e| AppError::new("bad_ca", e.to_string()))?;
        let body = serde_json::json!({"username": username, "password": password});
        let reply = post_for_token(&tls, &format!("{server}/api/v1/auth/login"), &body).await?;
        self.begin(server, reply, ca.map(str::to_string)).await
    }

    /// Enrols the device with what an administrator or manager gave: the
    /// enrolment link (`fieldcheck://enrol?server=…&code=…[&ca=…]`, from the
    /// QR code or pasted), or the code alone with the server's address.
    /// With a CA fingerprint in the link, the app finds that CA in the
    /// server's handshake and trusts it from then on.
    pub async fn enrol(&self, input: &str, server: Option<&str>) -> Result<Session> {
        let link = Enrolment::parse(input, server)?;
        let (tls, found) = match &link.ca {
            Some(fp) => {
                let (tls, found) = Tls::pinned(fp);
                (tls, Some(found))
            }
            None => (Tls::platform(), None),
        };
        let body = serde_json::json!({ "code": link.code });
        let url = format!("{}/api/v1/auth/enrol", link.server);
        let reply = post_for_token(&tls, &url, &body).await?;
        let ca = found.and_then(|f| f.lock().ok().and_then(|f| f.clone()));
        self.begin(link.server, reply, ca).await
    }

    /// Keeps a new session and starts syncing as it.
    async fn begin(
        &self,
        server: String,
        reply: TokenReply,
        ca: Option<String>,
    ) -> Result<Session> {
        if !matches!(reply.role.as_str(), "inspector" | "surveyor") {
            // Reviewing happens in the web console; the app is for field work.
            return Err(AppError::new(
                "field_role_only",
                format!(
                    "the app is for inspectors and surveyors, not a {}",
                    reply.role
                ),
            ));
        }
        let session = Session {
            server,
            user: reply.user,
            role: reply.role,
            scope: reply.scope,
            device: self.device_id().await?,
            token: reply.token,
            ca,
        };
        let json =
            serde_json::to_string(&session).map_err(|e| AppError::new("storage", e.to_string()))?;
        self.put_meta("session", Some(&json)).await?;
        self.put_meta("last_server", Some(&session.server)).await?;
        self.put_meta("token", Some(&session.token)).await?;
        self.put_meta("token_expires_at", Some(&reply.expires_at.to_string()))
            .await?;
        self.put_meta("operator_ca", session.ca.as_deref()).await?;
        self.start(session.clone()).await;
        Ok(session)
    }

    /// Signs out on this device and revokes the token on the server, now if
    /// online, else at the next start. Work not yet synced stays in the
    /// store and goes up at the next sign-in.
    pub async fn logout(&self) -> Result<()> {
        if let Some(handle) = self.sync.lock().await.take() {
            handle.stop().await;
        }
        let session = self.session.lock().await.take();
        self.put_meta("session", None).await?;
        self.put_meta("token", None).await?;
        if let Some(s) = session {
            let revoke = Revoke {
                server: s.server,
                token: s.token,
                ca: s.ca,
            };
            let json = serde_json::to_string(&revoke)
                .map_err(|e| AppError::new("storage", e.to_string()))?;
            self.put_meta("revoke", Some(&json)).await?;
            self.revoke_pending().await;
        }
        Ok(())
    }

    /// Exchanges the token for a fresh one when it has less than
    /// [`REFRESH_WITHIN`] left and the server can be reached; offline, the
    /// old token goes on until the next start.
    async fn refresh_if_due(&self, session: &mut Session) {
        let expires_at = self
            .meta("token_expires_at")
            .await
            .ok()
            .flatten()
            .and_then(|v| v.parse::<i64>().ok());
        let due = expires_at.is_some_and(|t| t - now_ms() < REFRESH_WITHIN.as_millis() as i64);
        if !due {
            return;
        }
        let Ok(http) = tls_for(session.ca.as_deref()).http(Some(Duration::from_secs(5))) else {
            return;
        };
        let sent = http
            .post(format!("{}/api/v1/auth/refresh", session.server))
            .bearer_auth(&session.token)
            .send()
            .await;
        let Ok(res) = sent else { return };
        let Ok(reply) = res.error_for_status().map(|r| r.json::<TokenReply>()) else {
            return;
        };
        let Ok(reply) = reply.await else { return };
        if self.put_meta("token", Some(&reply.token)).await.is_ok() {
            let _ = self
                .put_meta("token_expires_at", Some(&reply.expires_at.to_string()))
                .await;
            session.token = reply.token;
        }
    }

    /// Revokes a signed-out token on its server if one is waiting; keeps
    /// it for later if the server cannot be reached.
    async fn revoke_pending(&self) {
        let Ok(Some(json)) = self.meta("revoke").await else {
            return;
        };
        let Ok(r) = serde_json::from_str::<Revoke>(&json) else {
            let _ = self.put_meta("revoke", None).await;
            return;
        };
        let Ok(http) = tls_for(r.ca.as_deref()).http(Some(HTTP_TIMEOUT)) else {
            return;
        };
        let sent = http
            .post(format!("{}/api/v1/auth/logout", r.server))
            .bearer_auth(&r.token)
            .send()
            .await;
        // Revoked, or no longer valid anyway (401): done either way.
        if sent.is_ok_and(|res| res.status().is_success() || res.status().as_u16() == 401) {
            let _ = self.put_meta("revoke", None).await;
        }
    }

    async fn units(&self) -> Result<BTreeMap<String, UnitRecord>> {
        Ok(self
            .store
            .units()
            .await?
            .into_iter()
            .map(|u| (u.unit.id.clone(), u))
            .collect())
    }

    async fn template(&self, id: &str, version: Option<&str>) -> Result<Template> {
        self.store
            .templates()
            .await?
            .into_iter()
            .rfind(|t| t.id == id && version.is_none_or(|v| t.version == v))
            .ok_or_else(|| {
                AppError::new(
                    "no_template",
                    format!("template {id} is not on this device yet; sync first"),
                )
            })
    }

    /// The start page: my assignments with their stores and progress, and
    /// my records, newest first.
    pub async fn home(&self) -> Result<Home> {
        let session = self.signed_in().await?;
        let units = self.units().await?;
        let templates: BTreeMap<String, Template> = self
            .store
            .templates()
            .await?
            .into_iter()
            .map(|t| (t.id.clone(), t))
            .collect();
        let title = |id: &str| {
            templates
                .get(id)
                .map_or_else(|| Bilingual::new(id, id), |t| t.title.clone())
        };
        let mut records = Vec::new();
        for row in self.store.records().await? {
            let Some(doc) = self.store.load(&row.doc_id).await? else {
                continue;
            };
            let Ok((_, state)) = Record::with_state(doc) else {
                continue;
            };
            // A discarded draft is gone as far as its author is concerned.
            if state.header.author != session.user || state.status == Status::Discarded {
                continue;
            }
            let score = templates
                .get(&state.header.template_id)
                .filter(|t| t.version == state.header.template_version)
                .and_then(|t| form_view(&row.doc_id, &state, t).score);
            records.push(RecordSummary {
                doc_id: row.doc_id.clone(),
                store: store_view(&units, &state.header.store_id),
                template_id: state.header.template_id.clone(),
                title: title(&state.header.template_id),
                kind: state.header.kind.as_str().into(),
                mode: state.header.mode.as_str().into(),
                status: state.status.as_str().into(),
                started_at: state.header.started_at,
                updated_at: row.updated_at,
                comments: state.comments.len() as u32,
                score,
            });
        }
        let today = jiff::Zoned::now().date();
        let assignments = self
            .store
            .assignments()
            .await?
            .into_iter()
            .filter(|a| a.assignee == session.user)
            .map(|a| {
                // Each template is for one channel: a hotline test call
                // lists the hotlines, an owned-hall audit the owned halls.
                let channel = templates.get(&a.template_id).map(|t| t.channel);
                let stores: Vec<StoreView> = units
                    .values()
                    .filter(|u| {
                        u.unit.level == fieldcheck_core::ratings::Level::Store
                            && under(&a.unit_id, &u.unit.id)
                            && channel.is_none_or(|c| u.unit.channel.is_none_or(|uc| uc == c))
                    })
                    .map(|u| store_view(&units, &u.unit.id))
                    .collect();
                let in_period = |ms: i64| {
                    let day = jiff::Timestamp::from_millisecond(ms)
                        .map(|t| t.to_zoned(jiff::tz::TimeZone::system()).date().to_string())
                        .unwrap_or_default();
                    (a.starts_on.as_str()..=a.ends_on.as_str()).contains(&day.as_str())
                };
                // A visit is done once submitted: a draft (one tap on Start)
                // or an audit returned for changes is not, and a partial
                // interview is kept for analysis but fills no quota.
                let mine: Vec<&RecordSummary> = records
                    .iter()
                    .filter(|r| {
                        r.template_id == a.template_id
                            && Status::parse(&r.status).is_some_and(Status::counts)
                            && under(&a.unit_id, &r.store.id)
                            && in_period(r.started_at)
                    })
                    .collect();
                let started_today = mine
                    .iter()
                    .filter(|r| {
                        jiff::Timestamp::from_millisecond(r.started_at)
                            .is_ok_and(|t| t.to_zoned(jiff::tz::TimeZone::system()).date() == today)
                    })
                    .count();
                AssignmentView {
                    id: a.assignment_id.clone(),
                    title: title(&a.template_id),
                    template_id: a.template_id.clone(),
                    mode: a.mode.as_str().into(),
                    unit: store_view(&units, &a.unit_id),
                    starts_on: a.starts_on.clone(),
                    ends_on: a.ends_on.clone(),
                    visits: a.visits,
                    daily_quota: a.daily_quota,
                    note: a.note.clone(),
                    stores,
                    done: mine.len() as u32,
                    today: started_today as u32,
                }
            })
            .collect();
        Ok(Home {
            session,
            assignments,
            records,
        })
    }

    /// Stores in my scope whose id or name contains `query`.
    pub async fn stores(&self, query: &str) -> Result<Vec<StoreView>> {
        let session = self.signed_in().await?;
        let units = self.units().await?;
        let q = query.trim().to_lowercase();
        Ok(units
            .values()
            .filter(|u| u.unit.level == fieldcheck_core::ratings::Level::Store)
            .filter(|u| session.scope == "*" || under(&session.scope, &u.unit.id))
            .filter(|u| {
                q.is_empty()
                    || u.unit.id.to_lowercase().contains(&q)
                    || u.name_zh.contains(query.trim())
                    || u.name_en.to_lowercase().contains(&q)
            })
            .map(|u| store_view(&units, &u.unit.id))
            .collect())
    }

    async fn actor(&self) -> Result<Actor> {
        let s = self.signed_in().await?;
        Ok(Actor {
            role: Role::parse(&s.role)
                .ok_or_else(|| AppError::new("signed_out", "unknown role"))?,
            user: s.user,
            device: s.device,
            now_ms: now_ms(),
        })
    }

    /// Runs `f` on the record `doc_id` as it is kept open: loaded and read
    /// once, then kept in memory while it is being filled in, and loaded
    /// again only if another record is opened or something else (sync)
    /// wrote it meanwhile.
    async fn with_open<T>(
        &self,
        doc_id: &str,
        f: impl AsyncFnOnce(&mut Open) -> Result<T>,
    ) -> Result<T> {
        let mut slot = self.open.lock().await;
        let generation = self.store.generation(doc_id);
        let current = slot
            .as_ref()
            .is_some_and(|o| o.doc_id == doc_id && o.generation == generation);
        if !current {
            *slot = None;
            let doc = self.store.load(doc_id).await?.ok_or_else(|| {
                AppError::new("not_found", format!("no record {doc_id} on this device"))
            })?;
            let record = OpenRecord::open(doc)?;
            let header = &record.state().header;
            let template = self
                .template(&header.template_id, Some(&header.template_version))
                .await?;
            *slot = Some(Open {
                doc_id: doc_id.to_string(),
                record,
                template,
                generation,
                fresh: entry_name(),
            });
        }
        let open = slot.as_mut().expect("opened above");
        let out = f(open).await;
        // A failure may leave memory and the store apart: read it again.
        if out.is_err() {
            *slot = None;
        }
        out
    }

    /// Applies `edit` to the record and stores the change, marked for sync.
    async fn edit(
        &self,
        doc_id: &str,
        edit: impl FnOnce(&mut Record, &Template, &Actor) -> Result<()>,
    ) -> Result<FormView> {
        let actor = self.actor().await?;
        let view = self
            .with_open(doc_id, async |o: &mut Open| {
                let before = o.record.doc_mut().get_heads();
                let template = &o.template;
                o.record.edit(|r| edit(r, template, &actor))?;
                let (doc, state) = o.record.doc_and_state();
                let generation = self.store.save_record(doc_id, doc, &before, state).await?;
                // Written by someone else too since it was read: the next
                // edit loads it again.
                o.generation = if generation == o.generation + 1 {
                    generation
                } else {
                    0
                };
                Ok(o.view())
            })
            .await?;
        if let Some(sync) = self.sync.lock().await.as_ref() {
            sync.local_change(doc_id);
        }
        Ok(view)
    }

    /// Starts a record of the newest version of `template_id` at `store_id`.
    pub async fn start_record(&self, template_id: &str, store_id: &str) -> Result<FormView> {
        let actor = self.actor().await?;
        let template = self.template(template_id, None).await?;
        let doc_id = random_id(if actor.role == Role::Surveyor {
            "survey"
        } else {
            "audit"
        });
        let record = Record::create(&template, &doc_id, store_id, &actor)?;
        let mut record = OpenRecord::open(record.into_doc())?;
        let (doc, state) = record.doc_and_state();
        let generation = self.store.save_record(&doc_id, doc, &[], state).await?;
        if let Some(sync) = self.sync.lock().await.as_ref() {
            sync.local_change(&doc_id);
        }
        // Kept open: answers follow.
        let mut open = Open {
            doc_id,
            record,
            template,
            generation,
            fresh: entry_name(),
        };
        let view = open.view();
        *self.open.lock().await = Some(open);
        Ok(view)
    }

    /// The record as a form.
    pub async fn form(&self, doc_id: &str) -> Result<FormView> {
        self.with_open(doc_id, async |o: &mut Open| Ok(o.view()))
            .await
    }

    /// Answers an item with a value in its JSON form (`null` clears it).
    pub async fn answer(
        &self,
        doc_id: &str,
        item: &str,
        value: serde_json::Value,
        note: Option<String>,
    ) -> Result<FormView> {
        self.edit(doc_id, |record, template, actor| {
            let (it, _) = template
                .answer_item(item)
                .ok_or_else(|| RecordError::UnknownItem(item.into()))?;
            if value.is_null() {
                return Ok(record.clear(template, actor, item)?);
            }
            let value = from_json(it, &value).map_err(RecordError::from)?;
            let note = note.filter(|n| !n.trim().is_empty());
            Ok(record.answer(template, actor, item, value, note)?)
        })
        .await
    }

    /// Removes an entry of a repeated section with its answers.
    pub async fn remove_entry(&self, doc_id: &str, section: &str, entry: &str) -> Result<FormView> {
        self.edit(doc_id, |record, template, actor| {
            Ok(record.remove_entry(template, actor, section, entry)?)
        })
        .await
    }

    /// Keeps a photo (or signature) by content hash and attaches it: as the
    /// answer of a photo or signature item, as evidence on any other.
    pub async fn attach(
        &self,
        doc_id: &str,
        item: &str,
        bytes: &[u8],
        mime: &str,
    ) -> Result<FormView> {
        if bytes.is_empty() {
            return Err(AppError::new("empty_file", "the file is empty"));
        }
        let hash = self.store.put_media(bytes, mime).await?;
        let media = MediaRef {
            hash,
            mime: mime.into(),
            size: bytes.len() as u64,
        };
        let view = self
            .edit(doc_id, |record, template, actor| {
                let (it, _) = template
                    .answer_item(item)
                    .ok_or_else(|| RecordError::UnknownItem(item.into()))?;
                if it.answer.takes_media() {
                    let state = record.state()?;
                    let mut list = match state.answers.get(item).map(|a| &a.value) {
                        Some(AnswerValue::Media(l)) => l.clone(),
                        _ => Vec::new(),
                    };
                    let note = state.answers.get(item).and_then(|a| a.note.clone());
                    if !list.contains(&media) {
                        list.push(media);
                    }
                    Ok(record.answer(template, actor, item, AnswerValue::Media(list), note)?)
                } else {
                    Ok(record.attach(template, actor, item, media)?)
                }
            })
            .await?;
        if let Some(sync) = self.sync.lock().await.as_ref() {
            sync.media_added();
        }
        Ok(view)
    }

    /// A media file on the device, as a `data:` URL for thumbnails.
    pub async fn media_url(&self, hash: &str) -> Result<Option<String>> {
        use base64::Engine;
        let Some(bytes) = self.store.media_bytes(hash).await? else {
            return Ok(None);
        };
        let mime: String = sqlx::query("SELECT mime FROM media WHERE hash = ?")
            .bind(hash)
            .fetch_optional(&self.store.pool)
            .await
            .map_err(StoreError::from)?
            .and_then(|r| r.try_get("mime").ok())
            .unwrap_or_else(|| "application/octet-stream".into());
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        Ok(Some(format!("data:{mime};base64,{b64}")))
    }

    /// Stamps where the visit takes place on the record's header.
    pub async fn stamp_location(&self, doc_id: &str, at: GeoPoint) -> Result<FormView> {
        self.edit(doc_id, |record, template, actor| {
            Ok(record.stamp_location(template, actor, at)?)
        })
        .await
    }

    /// Submits (or resubmits) the record; refused with every problem when
    /// it is not complete.
    pub async fn submit(&self, doc_id: &str) -> Result<FormView> {
        self.edit(doc_id, |record, template, actor| {
            Ok(record.submit(template, actor)?)
        })
        .await
    }

    /// Ends a draft part-way: an interview is kept as a partial response
    /// when its template says so; anything else is discarded.
    pub async fn quit(&self, doc_id: &str) -> Result<FormView> {
        self.edit(doc_id, |record, template, actor| {
            record.quit(template, actor)?;
            Ok(())
        })
        .await
    }

    /// What the sync indicator shows.
    pub async fn sync_status(&self) -> Result<SyncView> {
        let (status, media) = match self.sync.lock().await.as_ref() {
            Some(h) => (
                h.status().borrow().clone(),
                h.media_status().borrow().clone(),
            ),
            None => (
                SyncStatus::Offline(Some("signed out".into())),
                Default::default(),
            ),
        };
        let (state, done, total, reason) = match status {
            SyncStatus::Offline(r) => ("offline", 0, 0, r),
            SyncStatus::Connecting => ("connecting", 0, 0, None),
            SyncStatus::Syncing { done, total } => ("syncing", done, total, None),
            SyncStatus::UpToDate => ("up_to_date", 0, 0, None),
            SyncStatus::Error(e) => ("error", 0, 0, Some(e)),
        };
        let refused = self
            .store
            .rejections()
            .await?
            .into_iter()
            .map(|(doc_id, reason)| Refusal { doc_id, reason })
            .collect();
        Ok(SyncView {
            state: state.into(),
            done: done as u32,
            total: total as u32,
            reason,
            pending: self.store.dirty().await?.len() as u32,
            media_pending: media.pending as u32,
            refused,
        })
    }

    /// Tries to sync now instead of waiting for the next back-off.
    pub async fn sync_now(&self) {
        if let Some(h) = self.sync.lock().await.as_ref() {
            h.sync_now();
        }
    }

    /// Stops syncing (the app is closing).
    pub async fn close(&self) {
        if let Some(h) = self.sync.lock().await.take() {
            h.stop().await;
        }
    }
}

/// Where the app keeps its data: `$FIELDCHECK_DATA_DIR`, else the
/// platform's data directory.
pub fn data_dir(platform_default: Option<PathBuf>) -> PathBuf {
    std::env::var_os("FIELDCHECK_DATA_DIR")
        .map(PathBuf::from)
        .or(platform_default)
        .unwrap_or_else(|| PathBuf::from("fieldcheck-data"))
}

#[cfg(test)]
mod tests {
    use automerge::AutoCommit;
    use autosurgeon::Reconcile;
    use fieldcheck_core::form::Input;
    use fieldcheck_core::refdata::{self, Assignment, DocKind, TemplateDoc, UnitsDoc};
    use fieldcheck_core::reference::parse_units;
    use fieldcheck_core::table::Table;
    use fieldcheck_core::templates::Format;
    use fieldcheck_core::vocab::VisitMode;
    use jiff::ToSpan;

    use super::*;

    const AUDIT: &str = include_str!("../../templates/owned_hall_audit.toml");

    /// A server address nothing listens on: every test here is offline.
    fn unreachable_server() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        format!("http://127.0.0.1:{port}")
    }

    fn audit_template() -> Template {
        Template::load(AUDIT, Format::Toml).expect("the shipped audit template loads")
    }

    /// Stores a reference document as the sync client would.
    async fn put_reference<T: Reconcile>(store: &DeviceStore, doc_id: &str, value: &T) {
        let mut doc = AutoCommit::new();
        refdata::write(&mut doc, value).expect("reconcile");
        store
            .save(doc_id, &mut doc, &[], false)
            .await
            .expect("save");
    }

    /// What the server syncs down: the audit template, a district with an
    /// owned hall and a partner store plus a store in another district, and
    /// an assignment of the district's owned halls to `li`.
    async fn seed_reference(store: &DeviceStore) {
        let t = audit_template();
        put_reference(
            store,
            &refdata::template_doc_id(&t.id, &t.version),
            &TemplateDoc::new(&t, 1),
        )
        .await;
        let csv = "id,parent,level,name_zh,name_en,channel\n\
                   cq,,province,重庆,Chongqing,\n\
                   cq/yz,cq,city,渝中,Yuzhong,\n\
                   cq/yz/a,cq/yz,district,A区,District A,\n\
                   cq/yz/a/1,cq/yz/a,store,一号厅,Hall One,owned_hall\n\
                   cq/yz/a/2,cq/yz/a,store,二号店,Store Two,partner_store\n\
                   cq/yz/b,cq/yz,district,B区,District B,\n\
                   cq/yz/b/1,cq/yz/b,store,三号厅,Hall Three,owned_hall\n";
        let table = Table::from_csv(csv.as_bytes(), "stores.csv").expect("csv");
        let units = parse_units(&table, &[]).expect("valid units");
        for (parent, doc) in UnitsDoc::split(&units) {
            put_reference(store, &refdata::units_doc_id(&parent), &doc).await;
        }
        let today = jiff::Zoned::now().date();
        let assignment = Assignment {
            kind: DocKind::Assignment,
            assignment_id: "as-1".into(),
            assignee: "li".into(),
            template_id: t.id.clone(),
            mode: VisitMode::Overt,
            unit_id: "cq/yz/a".into(),
            starts_on: today.checked_sub(30.days()).expect("date").to_string(),
            ends_on: today.checked_add(30.days()).expect("date").to_string(),
            visits: 1,
            daily_quota: None,
            note: String::new(),
            cancelled: false,
            created_by: "manager".into(),
            updated_at: now_ms(),
        };
        put_reference(store, &refdata::assignment_doc_id("as-1"), &assignment).await;
    }

    /// What a sign-in brings back from the server.
    fn token_reply(user: &str, role: &str) -> TokenReply {
        TokenReply {
            token: format!("token-of-{user}"),
            // Far from expiry, so starting does not try to refresh it.
            expires_at: now_ms() + 30 * 24 * 3600 * 1000,
            user: user.into(),
            role: role.into(),
            scope: "cq/yz/a".into(),
        }
    }

    /// An app in `dir` with the reference data synced and `li`, an
    /// inspector of district A, signed in (the online step, without its
    /// HTTP call); the server is unreachable from then on.
    /// A new audit of the district's owned hall; its document id.
    /// Answers every item that stops a submit, as the form names them,
    /// until none is left (an answer can make others relevant).
    async fn complete(app: &App, doc: &str) {
        for _ in 0..5 {
            let form = app.form(doc).await.expect("form");
            if form.problems.is_empty() {
                return;
            }
            for p in &form.problems {
                let item = form
                    .sections
                    .iter()
                    .flat_map(|s| &s.items)
                    .find(|i| i.id == p.item)
                    .expect("a problem names an item");
                let value = match &item.input {
                    Input::PassFail => serde_json::json!("pass"),
                    Input::Partial => serde_json::json!(1.0),
                    Input::Scale { max, .. } => serde_json::json!(max),
                    Input::Recommend => serde_json::json!(9),
                    Input::Touchpoint => serde_json::json!(4),
                    Input::SingleChoice { choices } => serde_json::json!(choices[0].value),
                    Input::MultipleChoice { choices } => serde_json::json!([choices[0].value]),
                    Input::Number { min, .. } => serde_json::json!(min.unwrap_or(1.0).max(1.0)),
                    Input::Duration => serde_json::json!(30),
                    Input::Date => serde_json::json!("2026-11-30"),
                    Input::Time => serde_json::json!("10:00"),
                    Input::DateTime => serde_json::json!("2026-11-30T10:00:00Z"),
                    Input::Text => serde_json::json!("ok"),
                    Input::Location => {
                        serde_json::json!({"lat": 29.56, "lon": 106.55, "accuracy_m": 10.0})
                    }
                    Input::Photo | Input::Signature => {
                        app.attach(doc, &p.item, b"\x89PNG a photo", "image/png")
                            .await
                            .expect("attach");
                        continue;
                    }
                    other => panic!(
                        "{} takes a {other:?}, which this helper cannot give",
                        p.item
                    ),
                };
                app.answer(doc, &p.item, value, None).await.expect("answer");
            }
        }
        panic!("the form still has problems after five rounds");
    }

    async fn new_audit(app: &App) -> String {
        app.start_record("owned_hall_audit", "cq/yz/a/1")
            .await
            .expect("start")
            .doc_id
    }

    async fn signed_in_app(dir: &Path) -> App {
        let app = App::open(dir).await.expect("open");
        seed_reference(app.store()).await;
        app.begin(unreachable_server(), token_reply("li", "inspector"), None)
            .await
            .expect("sign in");
        app
    }

    fn item<'a>(view: &'a FormView, id: &str) -> &'a fieldcheck_core::form::ItemView {
        view.sections
            .iter()
            .flat_map(|s| &s.items)
            .find(|i| i.id == id)
            .expect("the item is in the form")
    }

    #[tokio::test]
    async fn a_record_started_offline_is_kept_and_listed_on_my_home_page() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;

        let view = app
            .start_record("owned_hall_audit", "cq/yz/a/1")
            .await
            .expect("start");
        assert!(view.doc_id.starts_with("audit-"), "{}", view.doc_id);
        assert_eq!(
            (view.status.as_str(), view.store_id.as_str()),
            ("draft", "cq/yz/a/1")
        );
        assert!(view.editable);
        assert_eq!(view.template_version, audit_template().version);

        let home = app.home().await.expect("home");
        assert_eq!(home.session.user, "li");
        let ids: Vec<&str> = home.records.iter().map(|r| r.doc_id.as_str()).collect();
        assert_eq!(ids, [view.doc_id.as_str()]);
        let r = &home.records[0];
        assert_eq!(r.store.name, Bilingual::new("一号厅", "Hall One"));
        assert_eq!(r.title, audit_template().title);
        assert_eq!((r.status.as_str(), r.kind.as_str()), ("draft", "checklist"));

        // The assignment lists the district's owned halls only (the audit is
        // for owned halls); a draft is no visit done yet.
        let [a] = home.assignments.as_slice() else {
            panic!("one assignment, got {:?}", home.assignments);
        };
        let stores: Vec<&str> = a.stores.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(stores, ["cq/yz/a/1"]);
        assert_eq!((a.done, a.today), (0, 0));

        // Submitted, it counts, today's too.
        complete(&app, &view.doc_id).await;
        app.submit(&view.doc_id).await.expect("submit");
        let home = app.home().await.expect("home");
        assert_eq!(
            (home.assignments[0].done, home.assignments[0].today),
            (1, 1)
        );

        // Nothing reached the server: the record waits to be sent.
        assert_eq!(app.sync_status().await.expect("status").pending, 1);
        assert_eq!(app.store().dirty().await.expect("dirty"), [view.doc_id]);
        app.close().await;
    }

    #[tokio::test]
    async fn an_answer_synced_in_while_the_record_is_open_is_kept_and_shown() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        let doc_id = new_audit(&app).await;
        let view = app.form(&doc_id).await.expect("form");
        let ids: Vec<String> = view
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| matches!(i.input, fieldcheck_core::form::Input::PassFail))
            .map(|i| i.id.clone())
            .take(3)
            .collect();
        let [mine, theirs, later] = ids.as_slice() else {
            panic!("three pass / fail items, got {ids:?}");
        };
        app.answer(&doc_id, mine, serde_json::json!("pass"), None)
            .await
            .expect("answer");

        // The inspector's other device answered another item; sync stores
        // it while this record is open in the app.
        let mut doc = app.store().load(&doc_id).await.expect("load").expect("doc");
        let before = doc.get_heads();
        let mut other = Record::from_doc(doc.fork()).expect("record");
        let actor = Actor {
            user: "li".into(),
            role: Role::Inspector,
            device: "tablet".into(),
            now_ms: now_ms(),
        };
        other
            .answer(&audit_template(), &actor, theirs, AnswerValue::Fail, None)
            .expect("answer on the other device");
        doc.merge(other.doc_mut()).expect("merge");
        app.store()
            .save(&doc_id, &mut doc, &before, false)
            .await
            .expect("sync saves");

        let view = app
            .answer(&doc_id, later, serde_json::json!("pass"), None)
            .await
            .expect("answer");
        let value = |v: &FormView, id: &str| item(v, id).value.clone();
        assert_eq!(view.answered, 3);
        assert_eq!(value(&view, theirs), Some(serde_json::json!("fail")));
        // And on disk, after a restart.
        app.close().await;
        drop(app);
        let app = App::open(dir.path()).await.expect("reopen");
        let view = app.form(&doc_id).await.expect("form");
        let answered: Vec<_> = [mine, theirs, later].map(|i| value(&view, i)).into();
        assert_eq!(
            answered,
            ["pass", "fail", "pass"].map(|v| Some(serde_json::json!(v)))
        );
        app.close().await;
    }

    #[tokio::test]
    async fn answers_survive_a_restart_and_a_wrong_value_is_refused_for_its_item() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        let doc = new_audit(&app).await;

        let view = app
            .answer(
                &doc,
                "vi_signage",
                serde_json::json!(true),
                Some("clean".into()),
            )
            .await
            .expect("answer");
        assert_eq!(view.answered, 1);
        assert_eq!(
            item(&view, "vi_signage").value,
            Some(serde_json::json!("pass"))
        );

        let wrong = app
            .answer(&doc, "vi_signage", serde_json::json!(42), None)
            .await
            .expect_err("a number is no pass/fail answer");
        assert_eq!(wrong.code, "invalid_answer");
        assert_eq!(
            wrong
                .problems
                .iter()
                .map(|p| p.item.as_str())
                .collect::<Vec<_>>(),
            ["vi_signage"]
        );
        let unknown = app
            .answer(&doc, "no_such_item", serde_json::json!(true), None)
            .await
            .expect_err("no such item");
        assert!(unknown.message.contains("no_such_item"), "{unknown}");

        // Closed and opened again without a network: still signed in, and
        // the answer (not the refused one) is on disk.
        app.close().await;
        drop(app);
        let app = App::open(dir.path()).await.expect("reopen");
        let session = app.session().await.expect("still signed in");
        assert_eq!(
            (session.user.as_str(), session.token.as_str()),
            ("li", "token-of-li")
        );
        let view = app.form(&doc).await.expect("form");
        let signage = item(&view, "vi_signage");
        assert_eq!(signage.value, Some(serde_json::json!("pass")));
        assert_eq!(signage.note.as_deref(), Some("clean"));

        // `null` clears the answer.
        let view = app
            .answer(&doc, "vi_signage", serde_json::Value::Null, None)
            .await
            .expect("clear");
        assert_eq!(
            (view.answered, item(&view, "vi_signage").value.clone()),
            (0, None)
        );
        app.close().await;
    }

    #[tokio::test]
    async fn an_incomplete_record_is_not_submitted_and_every_missing_item_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        let doc = new_audit(&app).await;
        app.answer(&doc, "vi_signage", serde_json::json!("pass"), None)
            .await
            .expect("answer");

        let refused = app.submit(&doc).await.expect_err("incomplete");
        assert_eq!(refused.code, "incomplete");
        let items: Vec<&str> = refused.problems.iter().map(|p| p.item.as_str()).collect();
        assert!(items.contains(&"full_services"), "{items:?}");
        assert!(items.contains(&"wait_s"), "{items:?}");
        assert!(!items.contains(&"vi_signage"), "{items:?}");
        assert_eq!(app.form(&doc).await.expect("form").status, "draft");
        app.close().await;
    }

    #[tokio::test]
    async fn my_home_page_leaves_out_others_records_and_audits_i_quit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        // A colleague's record on the same device (they signed in here before).
        let colleague = Actor {
            user: "wang".into(),
            role: Role::Inspector,
            device: "device-x".into(),
            now_ms: now_ms(),
        };
        let mut theirs = Record::create(&audit_template(), "audit-wang", "cq/yz/a/1", &colleague)
            .expect("create");
        let mut doc = theirs.doc_mut().clone();
        app.store()
            .save("audit-wang", &mut doc, &[], true)
            .await
            .expect("save");

        let kept = app
            .start_record("owned_hall_audit", "cq/yz/a/1")
            .await
            .expect("start");
        let dropped = app
            .start_record("owned_hall_audit", "cq/yz/a/1")
            .await
            .expect("start");
        // An audit quit part-way is discarded, not kept as partial.
        let quit = app.quit(&dropped.doc_id).await.expect("quit");
        assert_eq!(quit.status, "discarded");

        let home = app.home().await.expect("home");
        let ids: Vec<&str> = home.records.iter().map(|r| r.doc_id.as_str()).collect();
        assert_eq!(ids, [kept.doc_id.as_str()]);
        assert_eq!(home.assignments[0].done, 0, "a draft is no visit done");
        app.close().await;
    }

    #[tokio::test]
    async fn a_record_starts_on_the_latest_published_version_whatever_its_hash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        let first = audit_template();
        // Versions are content hashes: find an edit whose document id sorts
        // before the first's, so id order and publication order disagree.
        let later = (0..1000)
            .map(|n| {
                let src = AUDIT.replacen(
                    "compliance audit\"",
                    &format!("compliance audit, rev {n}\""),
                    1,
                );
                Template::load(&src, Format::Toml).expect("still valid")
            })
            .find(|t| {
                refdata::template_doc_id(&t.id, &t.version)
                    < refdata::template_doc_id(&first.id, &first.version)
            })
            .expect("some edit sorts first");
        put_reference(
            app.store(),
            &refdata::template_doc_id(&later.id, &later.version),
            &TemplateDoc::new(&later, 2),
        )
        .await;
        let view = app
            .start_record("owned_hall_audit", "cq/yz/a/1")
            .await
            .expect("start");
        assert_eq!(
            view.template_version, later.version,
            "published after the first"
        );
        app.close().await;
    }

    #[tokio::test]
    async fn a_template_the_device_has_not_synced_cannot_start_a_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        let e = app
            .start_record("hotline_test_call", "cq/yz/a/1")
            .await
            .expect_err("not on the device");
        assert_eq!(e.code, "no_template");
        assert!(app.store().records().await.expect("records").is_empty());
        app.close().await;
    }

    #[tokio::test]
    async fn store_search_stays_within_my_scope() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        let ids = |v: Vec<StoreView>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(
            ids(app.stores("").await.expect("stores")),
            ["cq/yz/a/1", "cq/yz/a/2"]
        );
        assert_eq!(
            ids(app.stores("二号").await.expect("stores")),
            ["cq/yz/a/2"]
        );
        assert_eq!(
            ids(app.stores("hall").await.expect("stores")),
            ["cq/yz/a/1"]
        );
        app.close().await;
    }

    #[tokio::test]
    async fn a_photo_is_kept_by_hash_and_shown_back_as_a_data_url() {
        use base64::Engine;
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        let doc = new_audit(&app).await;
        let bytes = b"not really a jpeg".as_slice();
        // Evidence backs an answer, so the item is answered first.
        app.answer(&doc, "vi_signage", serde_json::json!("fail"), None)
            .await
            .expect("answer");

        let view = app
            .attach(&doc, "vi_signage", bytes, "image/jpeg")
            .await
            .expect("attach");
        let evidence = &item(&view, "vi_signage").evidence;
        let hash = blake3::hash(bytes).to_hex().to_string();
        assert_eq!(
            evidence,
            &[MediaRef {
                hash: hash.clone(),
                mime: "image/jpeg".into(),
                size: bytes.len() as u64,
            }]
        );
        let url = app
            .media_url(&hash)
            .await
            .expect("url")
            .expect("on the device");
        let b64 = url
            .strip_prefix("data:image/jpeg;base64,")
            .expect("a jpeg data URL");
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("base64"),
            bytes
        );
        assert_eq!(app.media_url(&"0".repeat(64)).await.expect("url"), None);

        let empty = app
            .attach(&doc, "vi_signage", &[], "image/jpeg")
            .await
            .expect_err("empty");
        assert_eq!(empty.code, "empty_file");
        app.close().await;
    }

    #[tokio::test]
    async fn only_inspectors_and_surveyors_may_sign_in_to_the_app() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = App::open(dir.path()).await.expect("open");
        let e = app
            .begin(unreachable_server(), token_reply("zhao", "manager"), None)
            .await
            .expect_err("a manager works in the console");
        assert_eq!(e.code, "field_role_only");
        assert_eq!(app.session().await, None);
        assert_eq!(app.meta("token").await.expect("meta"), None);
        assert_eq!(app.home().await.expect_err("signed out").code, "signed_out");
    }

    #[tokio::test]
    async fn signing_out_forgets_the_token_but_keeps_unsent_work_and_the_server() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        let server = app.session().await.expect("signed in").server;
        let doc = new_audit(&app).await;

        app.logout().await.expect("logout");
        assert_eq!(app.session().await, None);
        assert_eq!(app.meta("token").await.expect("meta"), None);
        assert_eq!(app.meta("session").await.expect("meta"), None);
        assert_eq!(app.home().await.expect_err("signed out").code, "signed_out");
        assert_eq!(
            app.start_record("owned_hall_audit", "cq/yz/a/1")
                .await
                .expect_err("signed out")
                .code,
            "signed_out"
        );
        // The server cannot be reached, so the revocation waits for it.
        let revoke = app.meta("revoke").await.expect("meta").expect("pending");
        assert!(revoke.contains("token-of-li"), "{revoke}");
        assert_eq!(app.last_server().await, Some(server));
        let status = app.sync_status().await.expect("status");
        assert_eq!(
            (
                status.state.as_str(),
                status.reason.as_deref(),
                status.pending
            ),
            ("offline", Some("signed out"), 1)
        );
        assert_eq!(app.store().dirty().await.expect("dirty"), [doc]);

        drop(app);
        let app = App::open(dir.path()).await.expect("reopen");
        assert_eq!(app.session().await, None, "signed out for good");
    }

    #[test]
    fn an_enrolment_is_a_link_or_a_code_with_a_server() {
        let link = "fieldcheck://enrol?server=https%3A%2F%2Ffc.example.com%3A8443&code=AB3DE-FG7HJ&ca=0a1b";
        assert_eq!(
            Enrolment::parse(link, None).expect("link"),
            Enrolment {
                server: "https://fc.example.com:8443".into(),
                code: "AB3DE-FG7HJ".into(),
                ca: Some("0a1b".into()),
            }
        );
        let typed =
            Enrolment::parse(" ab3de-fg7hj ", Some("https://fc.example.com/")).expect("code");
        assert_eq!(
            (typed.server.as_str(), typed.code.as_str()),
            ("https://fc.example.com", "ab3de-fg7hj")
        );
        for (input, server) in [
            ("AB3DE-FG7HJ", None),
            ("", Some("https://fc.example.com")),
            ("fieldcheck://enrol?code=AB3DE", None),
            ("fieldcheck://enrol?server=https%3A%2F%2Fx&code=A%2", None),
            (
                "https://fc.example.com/enrol",
                Some("https://fc.example.com"),
            ),
        ] {
            let e = Enrolment::parse(input, server).expect_err(input);
            assert_eq!(e.code, "bad_enrolment");
        }
    }

    /// A form with repeated sections (`counter_repeats.xlsx`) on the
    /// device: a blank entry to add staff with, a new one once the first is
    /// answered, counters as many as an answer says, and an entry removed
    /// with its answers.
    #[tokio::test]
    async fn entries_of_a_repeated_section_are_added_answered_and_removed_offline() {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = signed_in_app(dir.path()).await;
        let form = include_bytes!("../../core/tests/fixtures/counter_repeats.xlsx");
        let t = Template::load_file(form, "counter_repeats.xlsx")
            .expect("imports")
            .template;
        put_reference(
            app.store(),
            &refdata::template_doc_id(&t.id, &t.version),
            &TemplateDoc::new(&t, 1),
        )
        .await;
        let entries = |view: &FormView, section: &str| -> Vec<(String, bool)> {
            view.sections
                .iter()
                .find(|s| s.id == section)
                .and_then(|s| s.repeat.as_ref())
                .map(|r| r.entries.iter().map(|e| (e.entry.clone(), e.new)).collect())
                .unwrap_or_default()
        };
        let view = app
            .start_record("counter_repeats", "cq/yz/a/1")
            .await
            .expect("start");
        let doc = view.doc_id.clone();
        let blank = entries(&view, "staff");
        assert!(matches!(blank.as_slice(), [(_, true)]), "{blank:?}");
        assert!(entries(&view, "counter").is_empty());

        let first = blank[0].0.clone();
        let key = format!("staff_name@{first}");
        let view = app
            .answer(&doc, &key, serde_json::json!("李"), None)
            .await
            .expect("answer");
        let staff = entries(&view, "staff");
        assert_eq!(staff.len(), 2, "{staff:?}");
        assert_eq!(staff[0], (first.clone(), false));
        assert!(
            staff[1].1 && staff[1].0 > first,
            "a new blank entry after it: {staff:?}"
        );

        let view = app
            .answer(&doc, "counters", serde_json::json!(2), None)
            .await
            .expect("answer");
        let counters: Vec<String> = entries(&view, "counter").into_iter().map(|e| e.0).collect();
        assert_eq!(counters, ["1", "2"]);

        let view = app
            .remove_entry(&doc, "staff", &first)
            .await
            .expect("removed");
        assert!(!entries(&view, "staff").iter().any(|(e, _)| *e == first));
        // Its answer went with it: only the counters' answer is counted.
        assert_eq!(view.answered, 1, "{view:#?}");
        // A key naming no entry of a repeated section is refused.
        assert!(
            app.answer(
                &doc,
                "staff_name@not an entry",
                serde_json::json!("x"),
                None
            )
            .await
            .is_err()
        );
    }
}
