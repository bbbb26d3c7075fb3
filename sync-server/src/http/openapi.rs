//! The OpenAPI document of the HTTP API. Paths and schemas come from the
//! `#[utoipa::path]` attributes on the handlers, collected by the router
//! (`http::router`); this adds the title, the sign-in scheme and the tags.

use fieldcheck_core::ratings::{Granularity, Level};
use fieldcheck_core::templates::Channel;
use fieldcheck_core::vocab::{Role, VisitMode};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Fieldcheck server API",
        description = "Review, ratings, exports, media and administration for Fieldcheck. Sign in at \
                       /api/v1/auth/login and send the token as `Authorization: Bearer`."
    ),
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerToken),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "review", description = "The review queue, records, returns, approvals, corrective actions"),
        (name = "ratings", description = "Channel compliance ratings"),
        (name = "exports", description = "CSV and XLSX exports"),
        (name = "media", description = "Photos, audio and signatures by content hash"),
        (name = "admin", description = "Users, the store hierarchy and templates"),
        (name = "assignments", description = "Who audits or surveys which stores, when and how"),
        (name = "system", description = "Health, and how far the derived tables are"),
    )
)]
pub struct ApiDoc;

#[derive(Debug)]
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// A file's bytes as an upload's body: a string of any octets, not the
/// array of numbers the derive would give `Vec<u8>`.
#[derive(Debug)]
pub struct FileBytes;

impl PartialSchema for FileBytes {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/octet-stream")
            .into()
    }
}

impl ToSchema for FileBytes {}

/// A string that is one of `words`.
fn one_of(words: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words))
        .build()
}

/// Core's vocabularies as the API writes them, for `schema_with`.
pub fn granularity() -> Object {
    one_of(Granularity::ALL.iter().map(|g| g.as_str()))
}

pub fn level() -> Object {
    one_of(Level::ALL.iter().map(|l| l.as_str()))
}

/// The levels a unit of the hierarchy has (the nation is not stored).
pub fn unit_level() -> Object {
    one_of(
        Level::ALL
            .iter()
            .filter(|l| **l != Level::National)
            .map(|l| l.as_str()),
    )
}

pub fn channel() -> Object {
    one_of(Channel::ALL.iter().map(|c| c.as_str()))
}

pub fn visit_mode() -> Object {
    one_of(VisitMode::ALL.iter().map(|m| m.as_str()))
}

pub fn role() -> Object {
    one_of(Role::ALL.iter().map(|r| r.as_str()))
}

pub fn weighting() -> Object {
    one_of(["stores", "traffic"])
}

pub fn template_format() -> Object {
    one_of(["toml", "json", "xlsx"])
}

pub fn layout() -> Object {
    one_of(["wide", "long"])
}

/// A calendar date, YYYY-MM-DD.
pub fn date() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .build()
}

#[cfg(test)]
mod tests {
    /// The console's API types are generated from this document
    /// (`ui/src/api/openapi.json`, then `npm run api-types`), so the copy in
    /// the UI must be the server's.
    #[test]
    fn the_consoles_copy_of_the_document_is_the_servers() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api/openapi.json");
        let mut want =
            serde_json::to_string_pretty(&crate::http::openapi_document()).expect("json");
        want.push('\n');
        if std::env::var_os("FIELDCHECK_BLESS").is_some() {
            std::fs::write(&path, &want).expect("write openapi.json");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/api/openapi.json is out of date with the server; run \
             FIELDCHECK_BLESS=1 cargo test -p fieldcheck-server openapi, then \
             npm run api-types in ui/"
        );
    }
}
