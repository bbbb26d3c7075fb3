//! Keeping the tables in step: the loop that materialises after stored
//! changes, and with PostgreSQL the lock that lets one replica do it.

use std::time::Duration;

use tokio::sync::broadcast;

use crate::materialise;
use crate::state::AppState;
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
            _ = events.recv() => {
                // Changes come in bursts (a device syncing a week of work):
                // wait for half a second without one (at most 20 s), so that
                // the CPU goes to the sync first and the tables follow;
                // unless someone waits for the tables.
                let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
                loop {
                    let quiet = tokio::time::timeout_at(
                        deadline.min(tokio::time::Instant::now() + Duration::from_millis(500)),
                        events.recv(),
                    );
                    tokio::select! {
                        r = quiet => match r {
                            Ok(Ok(_) | Err(broadcast::error::RecvError::Lagged(_))) => {}
                            _ => break,
                        },
                        () = &mut hurry => break,
                    }
                }
            }
            () = &mut hurry => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}
