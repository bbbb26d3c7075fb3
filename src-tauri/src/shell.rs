//! The Tauri shell: one window with the UI, and the commands the UI's
//! `TauriApi` invokes. Each command is a thin wrapper around [`App`].

use base64::Engine;
use fieldcheck_core::answers::GeoPoint;
use fieldcheck_core::form::FormView;
use fieldcheck_device::app::{self, App, AppError, Home, Session, StoreView, SyncView};
use serde::Serialize;
use tauri::{Manager, State};
use ts_rs::TS;

type Result<T> = std::result::Result<T, AppError>;

/// What the sign-in page starts from.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Defaults {
    /// The server this device last signed in to, else `$FIELDCHECK_SERVER`
    /// (development), else the local demo server.
    pub server: String,
}

/// The server the environment names, for development.
fn env_server() -> String {
    std::env::var("FIELDCHECK_SERVER").unwrap_or_else(|_| "http://127.0.0.1:8080".into())
}

#[tauri::command]
async fn defaults(app: State<'_, App>) -> Result<Defaults> {
    Ok(Defaults {
        server: app.last_server().await.unwrap_or_else(env_server),
    })
}

#[tauri::command]
async fn session(app: State<'_, App>) -> Result<Option<Session>> {
    Ok(app.session().await)
}

#[tauri::command]
async fn login(
    app: State<'_, App>,
    server: String,
    username: String,
    password: String,
    ca: Option<String>,
) -> Result<Session> {
    app.login(&server, &username, &password, ca.as_deref())
        .await
}

#[tauri::command]
async fn enrol(app: State<'_, App>, input: String, server: Option<String>) -> Result<Session> {
    app.enrol(&input, server.as_deref()).await
}

#[tauri::command]
async fn logout(app: State<'_, App>) -> Result<()> {
    app.logout().await
}

#[tauri::command]
async fn home(app: State<'_, App>) -> Result<Home> {
    app.home().await
}

#[tauri::command]
async fn stores(app: State<'_, App>, query: String) -> Result<Vec<StoreView>> {
    app.stores(&query).await
}

#[tauri::command]
async fn start_record(app: State<'_, App>, template: String, store: String) -> Result<FormView> {
    app.start_record(&template, &store).await
}

#[tauri::command]
async fn form(app: State<'_, App>, doc: String) -> Result<FormView> {
    app.form(&doc).await
}

#[tauri::command]
async fn answer(
    app: State<'_, App>,
    doc: String,
    item: String,
    value: serde_json::Value,
    note: Option<String>,
) -> Result<FormView> {
    app.answer(&doc, &item, value, note).await
}

#[tauri::command]
async fn remove_entry(
    app: State<'_, App>,
    doc: String,
    section: String,
    entry: String,
) -> Result<FormView> {
    app.remove_entry(&doc, &section, &entry).await
}

#[tauri::command]
async fn stamp_location(app: State<'_, App>, doc: String, at: GeoPoint) -> Result<FormView> {
    app.stamp_location(&doc, at).await
}

#[tauri::command]
async fn attach(
    app: State<'_, App>,
    doc: String,
    item: String,
    base64: String,
    mime: String,
) -> Result<FormView> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.as_bytes())
        .map_err(|e| AppError {
            code: "bad_file".into(),
            message: e.to_string(),
            problems: Vec::new(),
        })?;
    app.attach(&doc, &item, &bytes, &mime).await
}

#[tauri::command]
async fn media_url(app: State<'_, App>, hash: String) -> Result<Option<String>> {
    app.media_url(&hash).await
}

#[tauri::command]
async fn submit(app: State<'_, App>, doc: String) -> Result<FormView> {
    app.submit(&doc).await
}

#[tauri::command]
async fn quit(app: State<'_, App>, doc: String) -> Result<FormView> {
    app.quit(&doc).await
}

#[tauri::command]
async fn sync_status(app: State<'_, App>) -> Result<SyncView> {
    app.sync_status().await
}

#[tauri::command]
async fn sync_now(app: State<'_, App>) -> Result<()> {
    app.sync_now().await;
    Ok(())
}

/// Signs in from `$FIELDCHECK_LOGIN` (`user:password`) when nobody is
/// signed in: how `cargo xtask run` opens the app as the demo inspector.
async fn login_from_env(app: &App) {
    let Ok(login) = std::env::var("FIELDCHECK_LOGIN") else {
        return;
    };
    if app.session().await.is_some() {
        return;
    }
    let Some((user, password)) = login.split_once(':') else {
        tracing::warn!("FIELDCHECK_LOGIN is not user:password");
        return;
    };
    if let Err(e) = app.login(&env_server(), user, password, None).await {
        tracing::warn!(error = %e, "signing in from FIELDCHECK_LOGIN failed");
    }
}

/// Registers the state and the commands on a builder: shared by the app
/// and anything that builds it in tests.
pub fn configure<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .setup(|handle| {
            let dir = app::data_dir(handle.path().app_data_dir().ok());
            let app = tauri::async_runtime::block_on(async {
                let app = App::open(&dir).await?;
                login_from_env(&app).await;
                Ok::<_, AppError>(app)
            })?;
            handle.manage(app);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            defaults,
            session,
            login,
            enrol,
            logout,
            home,
            stores,
            start_record,
            form,
            answer,
            remove_entry,
            stamp_location,
            attach,
            media_url,
            submit,
            quit,
            sync_status,
            sync_now
        ])
}
