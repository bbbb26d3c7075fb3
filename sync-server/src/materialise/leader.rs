//! Keeping the tables in step: the loop that materialises after stored
//! changes, and with PostgreSQL the lock that lets one replica do it.

use std::time::Duration;

use tokio::sync::broadcast;

use crate::materialise;
use crate::state::{AppState, HubEvent};
use crate::store::Engine;
use crate::store::lock::MaterialiserLock;

/// Keeps the derived tables in step with the documents: after every stored
/// change, and every few seconds for templates published from the command
/// line. A failure is logged and retried; the cursor keeps its place.
///
/// With PostgreSQL, one replica materialises at a time: the one holding a
/// session advisory lock. The others wait and try for it every few seconds;
/// when the holder dies its connection closes, the lock goes with it, and
/// another replica takes over from the shared cursor.
pub async fn run(state: AppState) {
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
        state.materialiser.done.notify_waiters();
        let hurry = state.materialiser.hurry.notified();
        tokio::pin!(hurry);
        tokio::select! {
            r = events.recv() => {
                if matches!(r, Err(broadcast::error::RecvError::Closed)) {
                    return;
                }
                // One change (an audit submitted, a review): at once, so it
                // is in the tables within milliseconds. Several that came in
                // while the last pass ran: a device is uploading a burst, so
                // let the sync have the CPU and take the burst in one pass
                // once it pauses (100 ms without a change, at most 20 s), or
                // at once if someone waits for the tables.
                if drain(&mut events) > 0 {
                    tokio::select! {
                        () = pause(&mut events) => {}
                        () = &mut hurry => {}
                    }
                }
            }
            () = &mut hurry => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}

/// Returns once `events` has been quiet for 100 ms, or after 20 s.
async fn pause(events: &mut broadcast::Receiver<HubEvent>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let quiet = deadline.min(tokio::time::Instant::now() + Duration::from_millis(100));
        match tokio::time::timeout_at(quiet, events.recv()).await {
            Ok(Ok(_) | Err(broadcast::error::RecvError::Lagged(_))) => {}
            _ => return,
        }
    }
}

/// Takes the changes waiting on `events`; returns how many there were.
fn drain(events: &mut broadcast::Receiver<HubEvent>) -> usize {
    let mut n = 0;
    loop {
        match events.try_recv() {
            Ok(_) => n += 1,
            Err(broadcast::error::TryRecvError::Lagged(k)) => n += k as usize,
            Err(_) => return n,
        }
    }
}
