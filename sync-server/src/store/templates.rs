//! The `templates` table: every published version's canonical JSON. The
//! only module that reads or writes it; and [`Templates`], the versions
//! parsed once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fieldcheck_core::records::gate::Published;
use fieldcheck_core::templates::{Format, Template};
use sqlx::{Any, Row, Transaction};

use crate::store::{Result, Storage};

/// A published version, without its body.
#[derive(Debug, Clone)]
pub struct Version {
    pub template_id: String,
    pub version: String,
    pub published_at: i64,
}

impl Storage {
    /// A version's canonical JSON.
    pub async fn template_body(&self, id: &str, version: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT body FROM templates WHERE template_id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("body")).transpose()?)
    }

    /// Every version's id, version and canonical JSON.
    pub async fn template_bodies(&self) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query("SELECT template_id, version, body FROM templates")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("template_id")?,
                    r.try_get("version")?,
                    r.try_get("body")?,
                ))
            })
            .collect()
    }

    /// Every version, newest first within each template.
    pub async fn template_versions(&self) -> Result<Vec<Version>> {
        let rows = sqlx::query(
            "SELECT template_id, version, published_at FROM templates ORDER BY template_id, published_at DESC, version",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Version {
                    template_id: r.try_get("template_id")?,
                    version: r.try_get("version")?,
                    published_at: r.try_get("published_at")?,
                })
            })
            .collect()
    }

    /// When a version was published.
    pub async fn template_published_at(&self, id: &str, version: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT published_at FROM templates WHERE template_id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The newest version of a template.
    pub async fn newest_template_version(&self, id: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT version FROM templates WHERE template_id = $1 ORDER BY published_at DESC, version LIMIT 1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.try_get("version")).transpose()?)
    }
}

/// Adds a version's row; whether it is new (publishing twice changes nothing).
pub async fn insert(tx: &mut Transaction<'_, Any>, t: &Template, now_ms: i64) -> Result<bool> {
    let body = String::from_utf8_lossy(&t.canonical_json()).into_owned();
    let done = sqlx::query(
        "INSERT INTO templates (template_id, version, kind, body, published_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (template_id, version) DO NOTHING",
    )
    .persistent(false)
    .bind(&t.id)
    .bind(&t.version)
    .bind(t.kind.as_str())
    .bind(body)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Template id and version -> the parsed template, `None` if not published.
type Parsed = HashMap<(String, String), Option<Arc<Template>>>;

/// How long the record gate trusts what it read of the published templates.
pub const PUBLISHED_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// What was read of the published templates, and when.
type ReadAt = (std::time::Instant, Arc<Published>);

/// Published templates by id and version, parsed once.
#[derive(Debug, Default, Clone)]
pub struct Templates {
    parsed: Arc<Mutex<Parsed>>,
    /// Every published version, for the record gate, and when it was read.
    published: Arc<Mutex<Option<ReadAt>>>,
}

impl Templates {
    pub async fn get(
        &self,
        storage: &Storage,
        id: &str,
        version: &str,
    ) -> Result<Option<Arc<Template>>> {
        let key = (id.to_string(), version.to_string());
        if let Some(Some(t)) = self.lock().get(&key) {
            return Ok(Some(t.clone()));
        }
        let body = storage.template_body(id, version).await?;
        Ok(body.and_then(|body| self.parse(key, &body)))
    }

    /// A published body, parsed and kept for both [`Templates::get`] and
    /// [`Templates::published`].
    fn parse(&self, key: (String, String), body: &str) -> Option<Arc<Template>> {
        let parsed = match Template::load(body, Format::Json) {
            Ok(t) => Some(Arc::new(t)),
            Err(e) => {
                tracing::error!(template = key.0, version = key.1, error = ?e, "a published template no longer loads");
                None
            }
        };
        self.lock().insert(key, parsed.clone());
        parsed
    }

    /// Forgets what was looked up, after a template is published.
    pub fn clear(&self) {
        self.lock().clear();
        *self.published.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Every published version, whose kind and mode new records must carry
    /// and whose questions a submitted record must answer. Kept until [`Templates::clear`] (a template published here or,
    /// with PostgreSQL, on another replica) and read again after
    /// [`PUBLISHED_TTL`], for versions the command line published meanwhile.
    pub async fn published(&self, storage: &Storage) -> Result<Arc<Published>> {
        if let Some((at, p)) = &*self.published.lock().unwrap_or_else(|p| p.into_inner())
            && at.elapsed() < PUBLISHED_TTL
        {
            return Ok(p.clone());
        }
        let mut out = Published::new();
        for (id, version, body) in storage.template_bodies().await? {
            let key = (id, version);
            let cached = self.lock().get(&key).cloned().flatten();
            if let Some(t) = cached.or_else(|| self.parse(key.clone(), &body)) {
                out.insert(key, t);
            }
        }
        let out = Arc::new(out);
        *self.published.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((std::time::Instant::now(), out.clone()));
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Parsed> {
        self.parsed.lock().unwrap_or_else(|p| p.into_inner())
    }
}
