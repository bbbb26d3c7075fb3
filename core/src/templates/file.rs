//! The template file format as written by authors (TOML or JSON) and by the
//! XLSForm importer. Flat and forgiving to write; `validate` turns it into the
//! typed [`Template`](super::Template) and reports every problem at once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::i18n::Bilingual;

/// The schema version this code reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

fn schema_version() -> u32 {
    SCHEMA_VERSION
}

fn is_false(b: &bool) -> bool {
    !b
}

/// A template file: an audit checklist or a questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    #[serde(default = "schema_version")]
    pub schema: u32,
    pub id: String,
    /// `checklist` or `questionnaire`.
    pub kind: String,
    /// `overt`, `mystery`, `test_call`, `echannel` or `intercept`.
    pub mode: String,
    /// `owned_hall`, `partner_store`, `hotline`, `club` or `echannel`.
    pub channel: String,
    pub title: Bilingual,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Bilingual>,
    /// Minimum visit score for a pass (checklists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_threshold: Option<f64>,
    /// What happens to an interview abandoned part-way: `discard` or `keep`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial_responses: Option<String>,
    /// Scores of the five touchpoint levels, very poor .. delighted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touchpoint_scores: Option<[f64; 5]>,
    pub sections: Vec<SectionFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constructs: Vec<ConstructFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<GapFile>,
    #[serde(default, skip_serializing_if = "AnalysisFile::is_empty")]
    pub analysis: AnalysisFile,
}

/// A section of items with its weight in the visit score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SectionFile {
    pub id: String,
    pub title: Bilingual,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    /// Filled in once per entry (XLSForm `begin repeat`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub repeat: bool,
    /// How many entries, worked out from the answers before it (XLSForm
    /// `repeat_count`); without it, as many as the person adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_count: Option<String>,
    pub items: Vec<ItemFile>,
}

/// One question or check. Type parameters sit beside `type`, as in an XLSForm row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ItemFile {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub label: Bilingual,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Bilingual>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub bonus: bool,
    /// `zero_section`, `zero_visit` or `cap:N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<String>,
    /// Outcome fraction below which a scored item counts as failed (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_below: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint_message: Option<Bilingual>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub reverse: bool,
    /// Whether "not applicable" is an allowed answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_na: Option<bool>,
    // Type parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_label: Option<Bilingual>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_label: Option<Bilingual>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<ChoiceFile>,
    /// Which choices are offered, given the answers: a condition on each
    /// choice, reading its columns by bare name (`name` is its value), e.g.
    /// `county = ${county}` (XLSForm `choice_filter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice_filter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub integer: bool,
    /// Rule that turns a measurement into pass/fail, e.g. `. <= 300`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_if: Option<String>,
    /// The answer the form starts with, as in an answers file (`"pass"`, a
    /// number, a choice value, a list of them, text); it is taken as given
    /// when the record is submitted unless changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// A `calculate` item's value, worked out from the answers, e.g.
    /// `${adults} + ${children}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculation: Option<String>,
    /// In a test-call template, what the call bar records here: `dialled`,
    /// `wait` or `talk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl ItemFile {
    /// The item's expressions, each with the column it is written in and
    /// whether `.` in it reads the item's own answer.
    pub fn expressions_mut(&mut self) -> [(&'static str, bool, &mut Option<String>); 6] {
        [
            ("relevant", false, &mut self.relevant),
            ("constraint", true, &mut self.constraint),
            ("calculation", false, &mut self.calculation),
            ("choice_filter", false, &mut self.choice_filter),
            ("pass_if", true, &mut self.pass_if),
            ("critical", true, &mut self.critical),
        ]
    }
}

/// One option of a choice item. `score` (0..1) makes the choice scoreable;
/// a chosen option without a score counts as not applicable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceFile {
    pub value: String,
    pub label: Bilingual,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Further columns a `choice_filter` reads, e.g. `{ county = "yz" }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
}

/// Analysis tags: where in the customer journey and service an item looks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Tags {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
}

impl Tags {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A latent variable of the satisfaction model and the items that measure it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstructFile {
    pub id: String,
    /// `expectation`, `perceived_quality`, `perceived_value`, `satisfaction`,
    /// `complaints` or `loyalty`.
    pub role: String,
    pub label: Bilingual,
    pub items: Vec<String>,
    /// `equal` (default), `fixed` or `pls`; the last two need `weights`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<f64>,
    /// Where fixed or PLS weights came from (calibration id), recorded with results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_set: Option<String>,
}

/// An expectation/perception pair for one quality attribute (SERVQUAL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapFile {
    pub attribute: String,
    pub dimension: String,
    pub expectation: String,
    pub perception: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<String>,
}

/// Items with a special role in survey analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AnalysisFile {
    /// Overall satisfaction item: derived importance is correlation with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<String>,
    /// 0-10 likelihood-to-recommend item for NPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommend: Option<String>,
    /// Five-point satisfaction item for CSAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<String>,
    /// Constant-sum importance split (100 points) per SERVQUAL dimension: dimension -> item.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub importance_split: BTreeMap<String, String>,
}

impl AnalysisFile {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
