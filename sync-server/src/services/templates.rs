//! Published templates: listed, read, and published from a file, by the
//! API and the command line alike. Published versions are immutable: the
//! version is the hash of the content, and republishing changes nothing.

use std::sync::Arc;

use fieldcheck_core::msg;
use fieldcheck_core::msg::Msg;
use fieldcheck_core::templates::Template;
use fieldcheck_core::vocab::Role;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Principal;
use crate::error::{Error, MessageBody};
use crate::state::{AppState, now_ms};
use crate::sync::refdocs;

/// A published template version.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    template_id: String,
    version: String,
    /// checklist or questionnaire.
    kind: String,
    title_zh: String,
    title_en: String,
    published_at: i64,
}

/// Every published template version, newest first within each template.
pub async fn list(app: &AppState) -> Result<Vec<TemplateView>, Error> {
    let mut out = Vec::new();
    for v in app.storage.template_versions().await? {
        let Some(t) = app
            .templates
            .get(&app.storage, &v.template_id, &v.version)
            .await?
        else {
            continue;
        };
        out.push(TemplateView {
            kind: t.kind.as_str().into(),
            title_zh: t.title.zh.clone(),
            title_en: t.title.en.clone(),
            template_id: v.template_id,
            version: v.version,
            published_at: v.published_at,
        });
    }
    Ok(out)
}

/// One published version in full, as canonical JSON.
pub async fn body(app: &AppState, id: &str, version: &str) -> Result<serde_json::Value, Error> {
    let body = app
        .storage
        .template_body(id, version)
        .await?
        .ok_or_else(|| {
            Error::NotFound(msg!(
                "templates.no_such_version",
                "no such template version"
            ))
        })?;
    serde_json::from_str(&body).map_err(|e| Error::Internal(e.into()))
}

/// The newest published version of a template.
pub async fn newest(app: &AppState, id: &str) -> Result<Option<Arc<Template>>, Error> {
    let Some(version) = app.storage.newest_template_version(id).await? else {
        return Ok(None);
    };
    Ok(app.templates.get(&app.storage, id, &version).await?)
}

/// What publishing did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    pub template_id: String,
    pub version: String,
    /// False when this exact version was already published.
    pub new: bool,
    /// False for a dry run: the file is valid and nothing was written.
    pub published: bool,
    /// checklist or questionnaire.
    pub kind: String,
    pub title_zh: String,
    pub title_en: String,
    pub sections: usize,
    pub items: usize,
    /// Problems an XLSForm import worked around, each a message with its
    /// code and parameters.
    pub warnings: Vec<MessageBody>,
}

/// `no published template `id``: a template no version of which is published.
pub fn not_published(id: &str) -> Msg {
    msg!(
        "templates.no_published",
        "no published template `{template}`",
        template = id
    )
}

/// Reads a template file (`toml`, `json`, or `xlsx` for an XLSForm, whose
/// missing settings `given` stands in for): the template and the problems
/// an XLSForm import worked around.
pub fn load(
    format: &str,
    bytes: &[u8],
    given: &fieldcheck_core::templates::xlsform::Settings,
) -> Result<(Template, Vec<Msg>), Error> {
    if !matches!(format, "toml" | "json" | "xlsx") {
        return Err(Error::BadRequest(msg!(
            "templates.unknown_format",
            "`{format}` is not a template format (toml, json, xlsx)",
            format = format
        )));
    }
    let loaded = Template::load_file_with(bytes, &format!("template.{format}"), given)
        .map_err(Error::problems)?;
    Ok((loaded.template, loaded.warnings))
}

/// Publishes a loaded template (or, for a dry run, says what publishing
/// would do): its row and audit entry in one transaction, then its
/// document, announced to connected devices.
pub async fn publish(
    app: &AppState,
    who: &Principal,
    t: &Template,
    warnings: Vec<Msg>,
    dry_run: bool,
) -> Result<Published, Error> {
    if who.role != Role::Admin {
        return Err(Error::admins_only());
    }
    let new = if dry_run {
        app.templates
            .get(&app.storage, &t.id, &t.version)
            .await?
            .is_none()
    } else {
        let (new, meta) = refdocs::publish(&app.docs, t, now_ms(), &who.user_id).await?;
        app.templates.clear();
        app.announce(meta);
        new
    };
    Ok(Published {
        new,
        published: !dry_run,
        kind: t.kind.as_str().into(),
        title_zh: t.title.zh.clone(),
        title_en: t.title.en.clone(),
        sections: t.sections.len(),
        items: t.items().count(),
        template_id: t.id.clone(),
        version: t.version.clone(),
        warnings: warnings.iter().map(MessageBody::from).collect(),
    })
}
