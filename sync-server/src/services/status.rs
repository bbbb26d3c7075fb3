//! How far the server is: the latest stored change and how far the derived
//! tables (the queue, ratings, exports) have caught up, with a wait for
//! them to reach a change. For operators' checks and for tests, which need
//! no polling.

use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Error;
use crate::state::AppState;

/// The longest a caller may wait.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// Where the server stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Progress {
    /// The sequence number of the latest stored change.
    pub sequence: i64,
    /// Every change up to this sequence number is in the derived tables.
    pub materialised: i64,
}

pub async fn progress(app: &AppState) -> Result<Progress, Error> {
    Ok(Progress {
        sequence: app.storage.sequence().await?,
        materialised: app.storage.materialised().await?,
    })
}

/// Waits until the derived tables hold every change up to `seq` (or, with
/// none, every change stored when the wait began), at most `timeout`: the
/// progress then, caught up or not.
pub async fn wait(app: &AppState, seq: Option<i64>, timeout: Duration) -> Result<Progress, Error> {
    let deadline = tokio::time::Instant::now() + timeout.min(MAX_WAIT);
    let target = match seq {
        Some(s) => s,
        None => app.storage.sequence().await?,
    };
    loop {
        // Registered before reading, so a pass in between is not missed.
        let done = app.materialiser.done.notified();
        let now = progress(app).await?;
        if now.materialised >= target {
            return Ok(now);
        }
        app.materialiser.hurry.notify_one();
        tokio::select! {
            () = done => {}
            // Another replica may be the one materialising: read again.
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
            () = tokio::time::sleep_until(deadline) => return Ok(now),
        }
    }
}
