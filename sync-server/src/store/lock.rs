//! The PostgreSQL advisory lock that lets one replica materialise at a time.

/// The advisory lock key of the materialiser: "fcmat" in ASCII.
const MATERIALISER_LOCK: i64 = 0x66_636d_6174;

/// A connection of its own that holds (or tries for) the materialiser's
/// advisory lock. Pooled connections would keep the lock when they go back
/// to the pool.
#[derive(Debug, Default)]
pub struct MaterialiserLock {
    conn: Option<sqlx::postgres::PgConnection>,
    held: bool,
}

impl MaterialiserLock {
    /// Whether this replica holds the lock, taking it if it is free.
    pub async fn hold(&mut self, url: &str) -> bool {
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
