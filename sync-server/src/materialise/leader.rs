//! Keeping the tables in step: the loop that materialises after stored
//! changes, and with PostgreSQL the lock that lets one replica do it.

use std::time::Duration;

use tokio::sync::broadcast;

use crate::materialise;
use crate::state::AppState;
use crate::store::Engine;

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
