//! The store hierarchy over HTTP: listed, imported from a table, put one
//! unit at a time. The rules are in `services::units`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use fieldcheck_core::reference::{UNIT_COLUMNS, UnitRecord};
use fieldcheck_core::table::Table;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::{Authenticated, ImportQuery, UploadedTable};
use crate::services::units::{self, UnitsImported};
use crate::state::AppState;

/// A unit of the store hierarchy.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    id: String,
    parent: Option<String>,
    /// province, city, district or store.
    level: String,
    name_zh: String,
    name_en: String,
    /// Stores: owned_hall, partner_store, hotline, club or echannel.
    channel: Option<String>,
    address: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    time_zone: String,
    /// Customer traffic, the weight of traffic-weighted ratings.
    traffic: f64,
}

impl From<UnitRecord> for UnitView {
    fn from(u: UnitRecord) -> Self {
        UnitView {
            id: u.unit.id,
            parent: u.unit.parent,
            level: u.unit.level.as_str().into(),
            name_zh: u.name_zh,
            name_en: u.name_en,
            channel: u.unit.channel.map(|c| c.as_str().into()),
            address: u.address,
            lat: u.lat,
            lon: u.lon,
            time_zone: u.unit.time_zone,
            traffic: u.unit.traffic,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// Only this unit and those below it.
    under: Option<String>,
    /// Only units of this level.
    level: Option<String>,
}

/// The units in the caller's scope, parents before children.
#[utoipa::path(get, operation_id = "units_list", path = "/api/v1/units", tag = "admin", params(UnitsQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = [UnitView]), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody), (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    who: Authenticated,
    q: Result<Query<UnitsQuery>, QueryRejection>,
) -> Result<Json<Vec<UnitView>>, Error> {
    let Query(q) = q?;
    let found = units::list(&app, &who.principal, q.under.as_deref(), q.level.as_deref()).await?;
    Ok(Json(found.into_iter().map(UnitView::from).collect()))
}

/// Adds or updates units from a CSV or XLSX table (columns id, parent,
/// level, name_zh, name_en, channel, address, lat, lon, time_zone, traffic).
/// All or nothing: every problem is reported with its row and column.
#[utoipa::path(post, operation_id = "units_import", path = "/api/v1/units/import", tag = "admin", params(ImportQuery), request_body(content = crate::schema::FileBytes, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 200, description = "OK", body = UnitsImported), (status = 400, description = "`invalid_rows` lists every problem", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody)))]
pub async fn import(
    State(app): State<AppState>,
    who: Authenticated,
    UploadedTable(table): UploadedTable,
) -> Result<Json<UnitsImported>, Error> {
    Ok(Json(units::put(&app, &who.principal, &table).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitBody {
    parent: Option<String>,
    #[schema(schema_with = crate::schema::unit_level)]
    level: String,
    #[schema(pattern = r"\S")]
    name_zh: String,
    name_en: Option<String>,
    /// Stores only.
    #[schema(schema_with = crate::schema::channel)]
    channel: Option<String>,
    address: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    time_zone: Option<String>,
    traffic: Option<f64>,
}

/// Creates or replaces one unit; the id is its path (`sc/cd/jj/001`,
/// URL-encoded).
#[utoipa::path(put, operation_id = "units_put", path = "/api/v1/units/{id}", tag = "admin", params(("id" = String, Path)), request_body = UnitBody, security(("bearer" = [])),
    responses((status = 200, description = "OK", body = UnitsImported), (status = 400, description = "`invalid_rows` lists the problems", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 403, description = "Not allowed for the caller's role or scope", body = ErrorBody)))]
pub async fn put(
    State(app): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    b: Result<Json<UnitBody>, JsonRejection>,
) -> Result<Json<UnitsImported>, Error> {
    let Json(b) = b?;
    let number = |x: Option<f64>| x.map(|v| v.to_string());
    let table = Table::one_row(
        UNIT_COLUMNS,
        [
            ("id", Some(id)),
            ("parent", b.parent),
            ("level", Some(b.level)),
            ("name_zh", Some(b.name_zh)),
            ("name_en", b.name_en),
            ("channel", b.channel),
            ("address", b.address),
            ("lat", number(b.lat)),
            ("lon", number(b.lon)),
            ("time_zone", b.time_zone),
            ("traffic", number(b.traffic)),
        ],
    );
    Ok(Json(units::put(&app, &who.principal, &table).await?))
}
