//! The OpenAPI document of the HTTP API. Paths and schemas come from the
//! `#[utoipa::path]` attributes on the handlers, collected by the router
//! (`http::router`); this adds the title, the sign-in scheme and the tags.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
