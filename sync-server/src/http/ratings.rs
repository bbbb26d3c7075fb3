//! Ratings, weak spots and satisfaction indices over HTTP. The queries are
//! parsed here into core's types (a bad value is a 400 naming the allowed
//! ones); the computing is in `services::ratings`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use fieldcheck_core::ratings::{Granularity, Level, Period, Weighting};
use fieldcheck_core::templates::Channel;
use fieldcheck_core::vocab::VisitMode;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::Error;
use crate::http::error::ErrorBody;
use crate::http::extract::{Authenticated, within};
use crate::http::streamed;
use crate::services::ratings::{self, RatingReply, RatingRequest, Satisfaction, Weakest};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingQuery {
    /// day, week, month (default), quarter or year.
    #[param(schema_with = crate::schema::granularity)]
    granularity: Option<Granularity>,
    /// Only this period, e.g. `2026-10`, `2026-W43`, `2026-Q4`.
    #[param(value_type = Option<String>, pattern = r"^\d{4}(-\d{2}(-\d{2})?|-W\d{2}|-Q[1-4])?$")]
    period: Option<Period>,
    /// Only this unit and the units below it.
    unit: Option<String>,
    /// Only units of this level: store, district, city, province or national
    /// (the unit `*`, for users who see everything).
    #[param(schema_with = crate::schema::level)]
    level: Option<Level>,
    /// A template id: only its visits. For an export of records, the
    /// template whose items are the columns (the wide layout needs one).
    template: Option<String>,
    /// owned_hall, partner_store, hotline, club or echannel.
    #[param(schema_with = crate::schema::channel)]
    channel: Option<Channel>,
    /// overt, mystery or test_call.
    #[param(schema_with = crate::schema::visit_mode)]
    mode: Option<VisitMode>,
    /// stores (default) or traffic.
    #[param(schema_with = crate::schema::weighting)]
    weighting: Option<Weighting>,
}

impl From<RatingQuery> for RatingRequest {
    fn from(q: RatingQuery) -> Self {
        RatingRequest {
            granularity: q.granularity.unwrap_or(Granularity::Month),
            period: q.period,
            unit: q.unit,
            level: q.level,
            template: q.template,
            channel: q.channel,
            mode: q.mode,
            weighting: q.weighting.unwrap_or_default(),
        }
    }
}

/// Channel compliance ratings for the units in the caller's scope.
#[utoipa::path(get, operation_id = "ratings_ratings", path = "/api/v1/ratings", tag = "ratings", params(RatingQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = RatingReply),
        (status = 400, description = "A parameter is not valid", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn ratings(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<RatingQuery>, QueryRejection>,
) -> Result<Response, Error> {
    let Query(q) = query?;
    let reply: RatingReply = ratings::compute(&app, &who.principal, &q.into()).await?;
    Ok(streamed::json(reply))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeakestQuery {
    /// A unit of the hierarchy; default the caller's scope.
    unit: Option<String>,
    template: Option<String>,
    /// Visits started at or after / before, ms since the epoch.
    from: Option<i64>,
    to: Option<i64>,
    /// How many items and sections (default 10).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

/// The standards failed most often across a unit, and its lowest sections:
/// where service breaks.
#[utoipa::path(get, operation_id = "ratings_weakest", path = "/api/v1/weakest", tag = "ratings", params(WeakestQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Weakest), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn weakest(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<WeakestQuery>, QueryRejection>,
) -> Result<Json<Weakest>, Error> {
    let Query(q) = query?;
    let limit = within("limit", q.limit, 10, 1..=200)?;
    let weakest = ratings::weakest(
        &app,
        &who.principal,
        q.unit.as_deref(),
        q.template.as_deref(),
        (q.from, q.to),
        limit,
    )
    .await?;
    Ok(Json(weakest))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SatisfactionQuery {
    /// The questionnaire.
    template: String,
    /// Only this unit and the units below it.
    unit: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
}

/// Satisfaction indices by construct (S3) and NPS (S6) for every unit in the
/// caller's scope that has survey responses.
#[utoipa::path(get, operation_id = "ratings_satisfaction", path = "/api/v1/satisfaction", tag = "ratings", params(SatisfactionQuery), security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Satisfaction), (status = 400, description = "A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "For managers and administrators", body = ErrorBody),
        (status = 404, description = "No published template with this id", body = ErrorBody)))]
pub async fn satisfaction(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<SatisfactionQuery>, QueryRejection>,
) -> Result<Json<Satisfaction>, Error> {
    let Query(q) = query?;
    let s = ratings::satisfaction(
        &app,
        &who.principal,
        &q.template,
        q.unit.as_deref(),
        (q.from, q.to),
    )
    .await?;
    Ok(Json(s))
}
