//! The `users` table beyond sign-in (`store` has those): listing and
//! changing users as administrators do.

use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use crate::store::sql::Sql;
use crate::store::{Audit, Result, Storage, insert_audit};

/// A user as administrators see them; never the password.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub user_id: String,
    pub name: String,
    pub role: String,
    pub scope: String,
    pub disabled: bool,
    pub created_at: i64,
    /// Where notifications are e-mailed; empty for none.
    pub email: String,
}

const USER_VIEW: &str = "user_id, name, role, scope, disabled_at, created_at, email";

fn user_view(r: &sqlx::any::AnyRow) -> Result<UserView> {
    Ok(UserView {
        user_id: r.try_get("user_id")?,
        name: r.try_get("name")?,
        role: r.try_get("role")?,
        scope: r.try_get("scope")?,
        disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
        created_at: r.try_get("created_at")?,
        email: r.try_get("email")?,
    })
}

/// Which users to list.
#[derive(Debug, Default)]
pub struct UserFilter<'a> {
    /// Scopes under these units (all of them).
    pub under: Vec<&'a str>,
    pub role: Option<&'a str>,
    pub with_disabled: bool,
}

/// A change to a user, written with its audit entry.
#[derive(Debug)]
pub struct UserUpdate<'a> {
    pub view: &'a UserView,
    pub password_hash: Option<&'a str>,
    /// Revoke every token: they sign in again.
    pub sign_out: bool,
}

impl Storage {
    pub async fn users(&self, f: &UserFilter<'_>) -> Result<Vec<UserView>> {
        let mut sql = Sql::new(&format!("SELECT {USER_VIEW} FROM users WHERE 1 = 1"));
        for u in &f.under {
            sql.under("scope", u);
        }
        if let Some(r) = f.role {
            sql.push(" AND role = ").bind(r);
        }
        if !f.with_disabled {
            sql.push(" AND disabled_at IS NULL");
        }
        sql.push(" ORDER BY user_id");
        let rows = sql.query().fetch_all(self.pool()).await?;
        rows.iter().map(user_view).collect()
    }

    /// Any user, disabled or not, by their exact id.
    pub async fn user_view(&self, user_id: &str) -> Result<Option<UserView>> {
        sqlx::query(&format!("SELECT {USER_VIEW} FROM users WHERE user_id = $1"))
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(user_view)
            .transpose()
    }

    /// Every user id, in lower case (ids are unique regardless of case).
    pub async fn user_ids(&self) -> Result<std::collections::HashSet<String>> {
        let rows = sqlx::query("SELECT user_id FROM users")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("user_id")?.to_lowercase()))
            .collect()
    }

    /// Writes a user's new name, role, scope, state and password in one
    /// transaction with the audit entry.
    pub async fn update_user(&self, u: &UserUpdate<'_>, audit: &Audit, now_ms: i64) -> Result<()> {
        let v = u.view;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE users SET name = $2, role = $3, scope = $4, disabled_at = CASE WHEN $5 = 1 THEN COALESCE(disabled_at, $6) ELSE NULL END,
                 email = $7
             WHERE user_id = $1",
        )
        .bind(&v.user_id)
        .bind(&v.name)
        .bind(&v.role)
        .bind(&v.scope)
        .bind(i64::from(v.disabled))
        .bind(now_ms)
        .bind(&v.email)
        .execute(&mut *tx)
        .await?;
        if let Some(h) = u.password_hash {
            sqlx::query("UPDATE users SET password_hash = $2 WHERE user_id = $1")
                .bind(&v.user_id)
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
        if u.sign_out {
            sqlx::query(
                "UPDATE tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(&v.user_id)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }
}
