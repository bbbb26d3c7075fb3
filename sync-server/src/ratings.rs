//! `GET /api/v1/ratings`: channel compliance ratings (methodology.md S7, S8)
//! computed by core from the materialised visits and the stored hierarchy,
//! for the units in the caller's scope.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use fieldcheck_core::ratings::{
    Granularity, Hierarchy, Period, Rating, RatingRules, Visit, Weighting, rate,
};
use fieldcheck_core::records::gate::in_scope;
use fieldcheck_core::templates::{Channel, TemplateRef};
use fieldcheck_core::vocab::{Role, VisitMode};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::app::{AppState, Authenticated};
use crate::error::{ApiError, ErrorBody};
use crate::storage::StorageError;
use crate::units;
use utoipa::{IntoParams, ToSchema};

/// Record statuses that count as a visit: submitted and not sent back.
const VALID: &str = "'submitted', 'resubmitted', 'approved'";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingQuery {
    /// day, week, month (default), quarter or year.
    granularity: Option<String>,
    /// Only this period, e.g. `2026-10`, `2026-W43`, `2026-Q4`.
    period: Option<String>,
    /// Only this unit and the units below it.
    unit: Option<String>,
    template: Option<String>,
    channel: Option<String>,
    /// overt, mystery or test_call.
    mode: Option<String>,
    /// stores (default) or traffic.
    weighting: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingReply {
    /// One per unit and period: score (absent when suppressed), estimate with
    /// interval and effective n, coverage, flags, templates and rule set.
    #[schema(value_type = Vec<Object>)]
    ratings: Vec<Rating>,
    /// Visits left out because their store is not in the hierarchy.
    unplaced_visits: usize,
}

fn bad(what: &str, value: &str, allowed: &str) -> ApiError {
    ApiError::BadRequest(format!("`{value}` is not a {what} ({allowed})"))
}

/// Channel compliance ratings for the units in the caller's scope.
#[utoipa::path(get, path = "/api/v1/ratings", tag = "ratings", params(RatingQuery), security(("bearer" = [])),
    responses((status = 200, body = RatingReply),
        (status = 400, description = "A parameter is not valid", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "For managers and administrators", body = ErrorBody)))]
pub async fn ratings(
    State(app): State<AppState>,
    who: Authenticated,
    query: Result<Query<RatingQuery>, QueryRejection>,
) -> Result<Json<RatingReply>, ApiError> {
    let who = who.principal;
    if !matches!(who.role, Role::Manager | Role::Admin) {
        return Err(ApiError::Forbidden(
            "ratings are for managers and administrators".into(),
        ));
    }
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let granularity = match q.granularity.as_deref() {
        None => Granularity::Month,
        Some(g) => Granularity::parse(g)
            .ok_or_else(|| bad("granularity", g, "day, week, month, quarter, year"))?,
    };
    let period = q
        .period
        .as_deref()
        .map(|p| {
            Period::parse(p).ok_or_else(|| bad("period", p, "e.g. 2026-10, 2026-W43, 2026-Q4"))
        })
        .transpose()?;
    let channel = q
        .channel
        .as_deref()
        .map(|c| Channel::parse(c).ok_or_else(|| bad("channel", c, &Channel::names())))
        .transpose()?;
    let mode = q
        .mode
        .as_deref()
        .map(|m| VisitMode::parse(m).ok_or_else(|| bad("mode", m, &VisitMode::names())))
        .transpose()?;
    let weighting = match q.weighting.as_deref() {
        None | Some("stores") => Weighting::Stores,
        Some("traffic") => Weighting::Traffic,
        Some(w) => return Err(bad("weighting", w, "stores, traffic")),
    };

    let units: Vec<_> = units::load(&app.storage)
        .await?
        .into_iter()
        .map(|r| r.unit)
        .collect();
    let hierarchy = Hierarchy::new(units).map_err(|e| ApiError::Internal(e.into()))?;
    let mut sql = format!(
        "SELECT store_id, template_id, template_version, mode, score, passed, started_at FROM m_records
         WHERE kind = 'checklist' AND scored = 1 AND score IS NOT NULL AND status IN ({VALID})"
    );
    if q.template.is_some() {
        sql.push_str(" AND template_id = $1");
    }
    let mut select = sqlx::query(&sql);
    if let Some(t) = &q.template {
        select = select.bind(t);
    }
    let rows = select
        .fetch_all(app.storage.pool())
        .await
        .map_err(StorageError::from)?;
    let mut visits = Vec::with_capacity(rows.len());
    let mut unplaced = 0;
    for r in rows {
        let store: String = r.try_get("store_id").map_err(StorageError::from)?;
        let visit_mode: String = r.try_get("mode").map_err(StorageError::from)?;
        let Some(unit) = hierarchy.unit(&store) else {
            unplaced += 1;
            continue;
        };
        if channel.is_some_and(|c| unit.channel != Some(c))
            || mode.is_some_and(|m| m.as_str() != visit_mode)
        {
            continue;
        }
        let at: i64 = r.try_get("started_at").map_err(StorageError::from)?;
        visits.push(Visit {
            store,
            at: jiff::Timestamp::from_millisecond(at).map_err(|e| ApiError::Internal(e.into()))?,
            score: r.try_get("score").map_err(StorageError::from)?,
            passed: r
                .try_get::<Option<i64>, _>("passed")
                .map_err(StorageError::from)?
                == Some(1),
            mystery: visit_mode == VisitMode::Mystery.as_str(),
            template: TemplateRef {
                id: r.try_get("template_id").map_err(StorageError::from)?,
                version: r.try_get("template_version").map_err(StorageError::from)?,
            },
        });
    }
    let rules = RatingRules {
        weighting,
        channel,
        ..RatingRules::default()
    };
    let all =
        rate(&hierarchy, &visits, granularity, &rules).map_err(|e| ApiError::Internal(e.into()))?;
    let ratings = all
        .into_iter()
        .filter(|r| in_scope(&who.scope, &r.unit))
        .filter(|r| q.unit.as_deref().is_none_or(|u| in_scope(u, &r.unit)))
        .filter(|r| period.as_ref().is_none_or(|p| &r.period == p))
        .collect();
    Ok(Json(RatingReply {
        ratings,
        unplaced_visits: unplaced,
    }))
}
