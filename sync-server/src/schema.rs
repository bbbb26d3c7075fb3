//! Schemas the OpenAPI derive cannot give by itself, for request and
//! response types wherever they are declared: a file's bytes, core's closed
//! vocabularies as enums, dates.

use fieldcheck_core::ratings::{Granularity, Level};
use fieldcheck_core::templates::Channel;
use fieldcheck_core::vocab::{Role, VisitMode};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

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

pub fn service_level_formula() -> Object {
    one_of(
        fieldcheck_core::hotline::ServiceLevelFormula::ALL
            .iter()
            .map(|f| f.as_str()),
    )
}
