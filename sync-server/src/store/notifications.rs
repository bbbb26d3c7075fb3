//! Which notifications each user has read, and which were e-mailed to
//! them (`services::notifications` works out the notifications themselves
//! from the records; `services::mail` sends them).

use sqlx::Row;

use super::{Result, Storage, UserRow, user_row};

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
        self.insert_new("notification_reads", "read_at", user, ids, now_ms)
            .await?;
        Ok(())
    }

    /// The active users with an e-mail address.
    pub async fn mail_recipients(&self) -> Result<Vec<UserRow>> {
        let rows = sqlx::query(
            "SELECT user_id, password_hash, role, scope, name, email FROM users
             WHERE disabled_at IS NULL AND email <> '' ORDER BY user_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user_row).collect()
    }

    /// Of `ids`, those not yet e-mailed to `user`, now claimed as e-mailed:
    /// another replica claiming the same ones gets none of them.
    pub async fn claim_mails(
        &self,
        user: &str,
        ids: &[String],
        now_ms: i64,
    ) -> Result<Vec<String>> {
        self.insert_new("notification_mails", "sent_at", user, ids, now_ms)
            .await
    }

    /// Inserts (user, id, time) into `table` for each of `ids` not there
    /// yet, in one transaction; the ids it inserted.
    async fn insert_new(
        &self,
        table: &str,
        time_column: &str,
        user: &str,
        ids: &[String],
        now_ms: i64,
    ) -> Result<Vec<String>> {
        let insert = format!(
            "INSERT INTO {table} (user_id, id, {time_column}) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, id) DO NOTHING"
        );
        let mut tx = self.pool().begin().await?;
        let mut inserted = Vec::new();
        for id in ids {
            let done = sqlx::query(&insert)
                .bind(user)
                .bind(id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                inserted.push(id.clone());
            }
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// Gives back claims whose message could not be sent, to be tried again.
    pub async fn release_mails(&self, user: &str, ids: &[String]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for id in ids {
            sqlx::query("DELETE FROM notification_mails WHERE user_id = $1 AND id = $2")
                .bind(user)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
