//! The HTTP API and the console, axum only: the router, the extractors,
//! errors as responses and one module per resource. Handlers parse their
//! input, call a service and shape the answer; they hold no SQL.

use std::sync::Arc;

use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::Error;
use crate::state::AppState;
use fieldcheck_core::msg;

pub mod actions;
pub mod assignments;
pub mod audit;
pub mod auth;
pub mod bulletins;
pub mod client_ip;
pub mod enrol;
pub mod error;
pub mod exports;
pub mod extract;
pub mod hotline;
pub mod media;
pub mod monitoring;
pub mod notifications;
pub mod openapi;
pub mod ratings;
pub mod report;
pub mod review;
pub mod schedule;
pub mod scorecards;
pub mod streamed;
pub mod sync;
pub mod system;
pub mod templates;
pub mod units;
pub mod users;
pub mod weights;

/// The documented routes, registered through `utoipa_axum` so that the
/// OpenAPI document lists exactly the routes that exist.
/// An XLSX workbook's media type.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The headers of a file to download: its media type and name.
pub(crate) fn download_headers(
    name: &str,
    mime: &str,
) -> [(axum::http::header::HeaderName, axum::http::HeaderValue); 2] {
    use axum::http::{HeaderValue, header};
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_str(mime)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        ),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                .unwrap_or(HeaderValue::from_static("attachment")),
        ),
    ]
}

fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(system::health))
        .routes(routes!(system::status))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::refresh))
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
        .routes(routes!(actions::list))
        .routes(routes!(media::open, media::append, media::download))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::import))
        .routes(routes!(users::update))
        .routes(routes!(units::list))
        .routes(routes!(units::import))
        .routes(routes!(units::put))
        .routes(routes!(templates::list, templates::publish))
        .routes(routes!(templates::get_one))
        .routes(routes!(weights::list, weights::estimate))
        .routes(routes!(weights::publish))
        .routes(routes!(audit::list))
        .routes(routes!(assignments::list, assignments::create))
        .routes(routes!(assignments::get_one, assignments::update))
        .routes(routes!(schedule::wave))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::read))
        .routes(routes!(hotline::import))
        .routes(routes!(hotline::kpis))
        .routes(routes!(hotline::targets, hotline::put_targets))
        .routes(routes!(scorecards::list, scorecards::publish))
        .routes(routes!(scorecards::results))
        .routes(routes!(scorecards::entries))
        .routes(routes!(scorecards::cases))
        .routes(routes!(bulletins::get))
        .routes(routes!(monitoring::daily))
        .routes(routes!(monitoring::weekly))
        .split_for_parts()
}

/// The OpenAPI document of the API, as `/api/v1/openapi.json` serves it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api().1
}

/// Every HTTP route: the documented API, the sync WebSocket, the OpenAPI
/// document and the console's files.
pub fn router(state: AppState) -> Router {
    let (router, api) = api();
    let api = Arc::new(api);
    let console = state.config.console.clone();
    let tls = state.config.tls.is_some();
    let router = router
        .route("/sync", get(sync::sync))
        // Unknown API paths answer like the API, not with the console's page.
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async {
                Error::NotFound(msg!("request.no_endpoint", "no such endpoint"))
            }),
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
