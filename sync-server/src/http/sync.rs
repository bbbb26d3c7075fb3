//! `GET /sync`: the WebSocket a device syncs over (docs/protocol.md); the
//! session itself is `sync::session`.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::response::{IntoResponse, Response};

use crate::error::Error;
use crate::http::extract::Authenticated;
use crate::state::AppState;
use crate::sync::session::{MAX_MESSAGE_BYTES, session};

/// `GET /sync`: upgrades an authenticated request to a sync session.
pub async fn sync(
    State(app): State<AppState>,
    who: Result<Authenticated, Error>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // Who first: a stranger learns nothing, not even that this is a WebSocket.
    let who = match who {
        Ok(a) => a.principal,
        Err(e) => return e.into_response(),
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => return Error::bad_request(e.body_text()).into_response(),
    };
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| session(app, who, socket))
}
