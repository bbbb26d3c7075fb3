//! Which notifications each user has read (`services::notifications`
//! works out the notifications themselves from the records).

use sqlx::Row;

use super::{Result, Storage};

impl Storage {
    /// The ids of the notifications `user` has read.
    pub async fn notifications_read(&self, user: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM notification_reads WHERE user_id = $1")
            .bind(user)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("id")?))
            .collect()
    }

    /// Marks notifications read for `user`, all or none.
    pub async fn mark_notifications_read(
        &self,
        user: &str,
        ids: &[String],
        now_ms: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for id in ids {
            sqlx::query(
                "INSERT INTO notification_reads (user_id, id, read_at) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, id) DO NOTHING",
            )
            .bind(user)
            .bind(id)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
