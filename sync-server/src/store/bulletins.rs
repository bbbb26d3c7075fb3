//! Bulletins as generated, kept per unit, month and language.

use sqlx::Row;

use crate::store::{Storage, StorageError};

/// The kept bulletin (its JSON), if any.
pub async fn get(
    storage: &Storage,
    unit: &str,
    month: &str,
    lang: &str,
) -> Result<Option<String>, StorageError> {
    let row =
        sqlx::query("SELECT body FROM bulletins WHERE unit_id = $1 AND month = $2 AND lang = $3")
            .bind(unit)
            .bind(month)
            .bind(lang)
            .fetch_optional(storage.pool())
            .await?;
    Ok(row.map(|r| r.try_get("body")).transpose()?)
}

/// Keeps a bulletin, replacing the one kept before.
pub async fn put(
    storage: &Storage,
    unit: &str,
    month: &str,
    lang: &str,
    body: &str,
    by: &str,
    at: i64,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO bulletins (unit_id, month, lang, body, generated_at, generated_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (unit_id, month, lang) DO UPDATE SET body = excluded.body,
             generated_at = excluded.generated_at, generated_by = excluded.generated_by",
    )
    .bind(unit)
    .bind(month)
    .bind(lang)
    .bind(body)
    .bind(at)
    .bind(by)
    .execute(storage.pool())
    .await?;
    Ok(())
}
