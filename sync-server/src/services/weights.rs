//! Construct weights estimated by PLS path modelling (methodology S3) from
//! a questionnaire's responses in the caller's scope, kept as weight sets,
//! and a new version of the questionnaire that uses a set: its constructs
//! weighted as estimated, `weight_source = "pls"` and `weight_set` naming
//! the set, which every index computed under that version carries.

use std::collections::BTreeMap;

use fieldcheck_core::i18n::Bilingual;
use fieldcheck_core::msg;
use fieldcheck_core::scoring::weights::{self, EstimatedWeights};
use fieldcheck_core::templates::Template;
use fieldcheck_core::vocab::Role;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Principal, Visibility};
use crate::error::Error;
use crate::services::ratings::{answers_by_respondent, managers_only, responses_to};
use crate::services::templates::{self, Published};
use crate::state::{AppState, now_ms};
use crate::store::weight_sets::{self, WeightSetRow};

/// A weight set: the estimate and what it was estimated from.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeightSet {
    /// e.g. `pls-2026-12-01-1`; the name a questionnaire using it gives.
    pub set_id: String,
    pub template_id: String,
    /// The version whose responses' constructs were estimated.
    pub template_version: String,
    /// The unit whose stores' responses were used.
    pub unit: String,
    /// Responses started from and before these times (ms), if limited.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub estimated_at: i64,
    pub estimated_by: String,
    /// Per construct its items' weights (the index's, summing to 1), PLS
    /// outer weights and loadings, and its R²; the path coefficients; the
    /// respondents used.
    #[schema(value_type = Object)]
    pub weights: EstimatedWeights,
    /// The questionnaire's labels of its constructs and items, by id
    /// (`{ "zh-CN", "en" }`), as its newest version has them.
    #[schema(value_type = Object)]
    pub labels: BTreeMap<String, Bilingual>,
}

fn view(row: WeightSetRow, template: &Template) -> Result<WeightSet, Error> {
    let weights: EstimatedWeights =
        serde_json::from_str(&row.body).map_err(|e| Error::Internal(e.into()))?;
    let mut labels = BTreeMap::new();
    for c in &weights.constructs {
        if let Some(tc) = template.constructs.iter().find(|tc| tc.id == c.construct) {
            labels.insert(c.construct.clone(), tc.label.clone());
        }
        for i in &c.items {
            if let Some(item) = template.item(&i.item) {
                labels.insert(i.item.clone(), item.label.clone());
            }
        }
    }
    Ok(WeightSet {
        labels,
        weights,
        set_id: row.set_id,
        template_id: row.template_id,
        template_version: row.template_version,
        unit: row.unit_id,
        from: row.started_from,
        to: row.started_to,
        estimated_at: row.estimated_at,
        estimated_by: row.estimated_by,
    })
}

fn what() -> fieldcheck_core::msg::Msg {
    msg!("weights.what", "construct weights")
}

/// Estimates the weights of the questionnaire `template_id`'s constructs
/// from the responses started in `started` at the stores under `unit`
/// (default: the caller's scope) that the caller may see, and keeps them.
pub async fn estimate(
    app: &AppState,
    who: &Principal,
    template_id: &str,
    unit: Option<&str>,
    started: (Option<i64>, Option<i64>),
) -> Result<WeightSet, Error> {
    managers_only(who, what)?;
    let unit = unit.unwrap_or(who.scope.as_str());
    if !who.scope.covers(unit) {
        return Err(Error::NotFound(msg!(
            "units.not_in_scope",
            "no unit `{unit}` in your scope",
            unit = unit
        )));
    }
    let template = templates::newest(app, template_id)
        .await?
        .ok_or_else(|| Error::NotFound(templates::not_published(template_id)))?;
    let filter = responses_to(template_id, (unit != "*").then_some(unit), started);
    let responses: Vec<_> = answers_by_respondent(app, &Visibility::of(who), &filter, &template)
        .await?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let t = template.clone();
    let estimated = tokio::task::spawn_blocking(move || weights::estimate(&t, &responses))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(Error::BadRequest)?;
    let now = now_ms();
    let day = jiff::Timestamp::from_millisecond(now)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let mut row = WeightSetRow {
        template_id: template_id.to_string(),
        set_id: String::new(),
        template_version: template.version.clone(),
        unit_id: unit.to_string(),
        started_from: started.0,
        started_to: started.1,
        body: serde_json::to_string(&estimated).map_err(|e| Error::Internal(e.into()))?,
        estimated_at: now,
        estimated_by: who.user_id.clone(),
    };
    row.set_id = weight_sets::insert(&app.storage, &format!("pls-{day}"), &row).await?;
    view(row, &template)
}

/// The weight sets kept for a questionnaire, newest first.
pub async fn list(
    app: &AppState,
    who: &Principal,
    template_id: &str,
) -> Result<Vec<WeightSet>, Error> {
    managers_only(who, what)?;
    let template = templates::newest(app, template_id)
        .await?
        .ok_or_else(|| Error::NotFound(templates::not_published(template_id)))?;
    weight_sets::list(&app.storage, template_id)
        .await?
        .into_iter()
        .map(|row| view(row, &template))
        .collect()
}

/// Publishes the newest version of `template_id` with the weights of set
/// `set_id` (administrators only): a new version, since the version is
/// the content's hash. A construct whose items changed since the estimate,
/// or a negative weight, is refused with every problem.
pub async fn publish(
    app: &AppState,
    who: &Principal,
    template_id: &str,
    set_id: &str,
    dry_run: bool,
) -> Result<Published, Error> {
    if who.role != Role::Admin {
        return Err(Error::admins_only());
    }
    let set = weight_sets::get(&app.storage, template_id, set_id)
        .await?
        .ok_or_else(|| {
            Error::NotFound(msg!(
                "weights.no_such_set",
                "no weight set `{set}` for `{template}`",
                set = set_id,
                template = template_id
            ))
        })?;
    let template = templates::newest(app, template_id)
        .await?
        .ok_or_else(|| Error::NotFound(templates::not_published(template_id)))?;
    let set = view(set, &template)?;
    let weighted =
        weights::with_weights(&template, set_id, &set.weights).map_err(Error::problems)?;
    templates::publish(app, who, &weighted, Vec::new(), dry_run).await
}
