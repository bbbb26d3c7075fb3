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
            r = events.recv() => {
                // At once, with every change that has come in meanwhile: when
                // the server is idle a new audit is in the tables within
                // milliseconds; under a burst (a device syncing a week of
                // work) the changes pile up while a pass runs and the next
                // pass takes them all, in transactions of `BATCH` records.
                if matches!(r, Err(broadcast::error::RecvError::Closed)) {
                    return;
                }
                while !matches!(
                    events.try_recv(),
                    Err(broadcast::error::TryRecvError::Empty | broadcast::error::TryRecvError::Closed)
                ) {}
            }
            () = &mut hurry => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}
