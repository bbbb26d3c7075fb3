//! Hotline statistics over HTTP: an import of the call centre's interval
//! statistics, the KPIs by period beside the test calls, and the targets.
//! The rules are in `services::hotline`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use fieldcheck_core::hotline::{
    DEFAULT_SHORT_ABANDON_S, DEFAULT_THRESHOLD_S, ImportSettings, KpiId, KpiRules,
    ServiceLevelFormula, Target, parse_mapping,
};
use fieldcheck_core::ratings::{Granularity, Period};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::{Authenticated, ImportQuery, UploadedTable, within};
use crate::services::hotline::{self, CallsImported, KpiReply, KpiRequest};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallImportQuery {
    /// Check only: report what would be imported, write nothing.
    dry_run: Option<bool>,
    /// T, the seconds `answered_within` and `abandoned_within` count within (default 20).
    #[param(minimum = 1, maximum = 600)]
    threshold_s: Option<u32>,
    /// The seconds `abandoned_short` counts within (default 5).
    #[param(minimum = 1, maximum = 600)]
    short_s: Option<u32>,
    /// Interval length of rows without `interval_minutes` (default 30).
    #[param(minimum = 1, maximum = 1440)]
    minutes: Option<u32>,
    /// Headers of another export read as ours: `呼入人工=offered;Within 20s=answered_within`.
    map: Option<String>,
}

/// Imports call-centre interval statistics from a CSV or XLSX export (one
/// row per hotline and interval; the columns are in docs/hotline.md).
/// All or nothing: every problem is reported with its row and column.
/// Intervals already stored for the same hotline and start are replaced.
#[utoipa::path(post, operation_id = "hotline_import", path = "/api/v1/hotline/statistics", tag = "ratings", params(ImportQuery, CallImportQuery),
    request_body(content = crate::schema::FileBytes, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = CallsImported), (status = 400, description = "`invalid_rows` lists every problem; `bad_request` for a parameter", body = ErrorBody),
        (status = 401, description = "Not signed in, or the token expired or was revoked", body = ErrorBody), (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn import(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<CallImportQuery>, QueryRejection>,
    UploadedTable(table): UploadedTable,
) -> Result<Json<CallsImported>, Error> {
    let Query(q) = query?;
    let settings = ImportSettings {
        threshold_s: within("threshold_s", q.threshold_s, DEFAULT_THRESHOLD_S, 1..=600)?,
        short_s: within("short_s", q.short_s, DEFAULT_SHORT_ABANDON_S, 1..=600)?,
        minutes: within("minutes", q.minutes, 30, 1..=1440)?,
        mapping: match q.map.as_deref() {
            Some(m) => parse_mapping(m).map_err(Error::BadRequest)?,
            None => Vec::new(),
        },
    };
    let done = hotline::import(
        &app,
        &who.principal,
        &table,
        &settings,
        q.dry_run.unwrap_or(false),
    )
    .await?;
    Ok(Json(done))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// day, week, month (default), quarter or year.
    #[param(schema_with = crate::schema::granularity)]
    granularity: Option<Granularity>,
    /// Only this period, e.g. `2026-10`, `2026-W43`.
    #[param(value_type = Option<String>, pattern = r"^\d{4}(-\d{2}(-\d{2})?|-W\d{2}|-Q[1-4])?$")]
    period: Option<Period>,
    /// Only the hotlines at or below this unit.
    unit: Option<String>,
    /// The service-level formula (default `exclude_abandoned_within_t`).
    #[param(schema_with = crate::schema::service_level_formula)]
    formula: Option<ServiceLevelFormula>,
}

/// Hotline KPIs by period against their targets, with the test calls of
/// the same hotline and period and a note where the two disagree.
#[utoipa::path(get, operation_id = "hotline_kpis", path = "/api/v1/hotline/kpis", tag = "ratings", params(KpiQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = KpiReply), (status = 400, description = "A parameter is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn kpis(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<KpiQuery>, QueryRejection>,
) -> Result<Json<KpiReply>, Error> {
    let Query(q) = query?;
    let request = KpiRequest {
        granularity: q.granularity.unwrap_or(Granularity::Month),
        period: q.period,
        unit: q.unit,
        formula: q.formula.unwrap_or_default(),
    };
    Ok(Json(hotline::kpis(&app, &who.principal, &request).await?))
}

/// The KPI targets in force, and the defaults they replace.
#[derive(Debug, Serialize, ToSchema)]
pub struct Targets {
    /// KPI -> `{ "at_least": x }` or `{ "at_most": x }`; a KPI left out has none.
    #[schema(value_type = Object)]
    targets: BTreeMap<KpiId, Target>,
    #[schema(value_type = Object)]
    defaults: BTreeMap<KpiId, Target>,
}

impl Targets {
    fn with_defaults(targets: BTreeMap<KpiId, Target>) -> Json<Targets> {
        Json(Targets {
            targets,
            defaults: KpiRules::default().targets,
        })
    }
}

/// The hotline KPI targets.
#[utoipa::path(get, operation_id = "hotline_targets", path = "/api/v1/hotline/targets", tag = "ratings", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Targets), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn targets(
    State(app): State<AppState>,
    who: Authenticated,
) -> Result<Json<Targets>, Error> {
    crate::services::ratings::managers_only(&who.principal, || {
        fieldcheck_core::msg!("hotline.what_kpis", "hotline figures")
    })?;
    Ok(Json(Targets {
        targets: hotline::rules(&app, ServiceLevelFormula::default())
            .await?
            .targets,
        defaults: KpiRules::default().targets,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsBody {
    /// KPI -> `{ "at_least": x }`, `{ "at_most": x }`, or null for no target.
    /// KPIs left out keep theirs.
    #[schema(value_type = Object)]
    targets: BTreeMap<KpiId, Option<Target>>,
}

/// Sets hotline KPI targets (administrators).
#[utoipa::path(put, operation_id = "hotline_put_targets", path = "/api/v1/hotline/targets", tag = "ratings", request_body = TargetsBody, security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Targets), (status = 400, description = "A target is not valid", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody), (status = 403, description = "Administrators only", body = ErrorBody)))]
pub async fn put_targets(
    State(app): State<AppState>,
    who: Authenticated,
    body: Result<Json<TargetsBody>, JsonRejection>,
) -> Result<Json<Targets>, Error> {
    let Json(body) = body?;
    let targets: Vec<(KpiId, Option<Target>)> = body.targets.into_iter().collect();
    let targets = hotline::put_targets(&app, &who.principal, &targets).await?;
    Ok(Targets::with_defaults(targets))
}
