//! Checklists and questionnaires: the file format, validation into a typed
//! [`Template`], content-hash versions, skip logic and XLSForm import.

mod dates;
pub mod expr;
pub mod file;
mod validate;
pub mod values;
pub mod xlsform;

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::i18n::Bilingual;
use crate::msg;
use crate::msg::Msg;
pub use crate::vocab::{
    Attribute, CallMoment, Channel, ConstructRole, Dimension, TemplateKind, VisitMode, WeightSource,
};
use expr::Expr;
pub use file::{Tags, TemplateFile};

/// The default scores of the five touchpoint levels, very poor .. delighted (S1).
pub const DEFAULT_TOUCHPOINT_SCORES: [f64; 5] = [0.0, 25.0, 50.0, 75.0, 100.0];
/// Outcome fraction below which a scored item counts as failed, unless the item says otherwise.
pub const DEFAULT_FAIL_BELOW: f64 = 0.5;

/// A validated template: every reference resolved, every expression type-checked.
#[derive(Debug, Clone)]
pub struct Template {
    pub id: String,
    /// Content hash (BLAKE3, hex) of the canonical form: the published version id.
    pub version: String,
    pub kind: TemplateKind,
    pub mode: VisitMode,
    pub channel: Channel,
    pub title: Bilingual,
    pub pass_threshold: f64,
    pub keep_partial_responses: bool,
    pub touchpoint_scores: [f64; 5],
    pub sections: Vec<Section>,
    pub constructs: Vec<Construct>,
    pub gaps: Vec<GapPair>,
    pub analysis: file::AnalysisFile,
    /// Item positions in an order where every item comes after the items its
    /// relevance reads.
    relevance_order: Vec<ItemPos>,
    index: HashMap<String, ItemPos>,
    source: TemplateFile,
}

/// Where an item sits: section index, item index within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ItemPos {
    pub section: usize,
    pub item: usize,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: Bilingual,
    pub weight: f64,
    pub relevant: Option<Expr>,
    /// Set for a section filled in once per entry (XLSForm `begin repeat`):
    /// one per counter, per member of staff, per product on the shelf.
    pub repeat: Option<Repeat>,
    pub items: Vec<Item>,
}

/// How a repeated section's entries come about.
///
/// An answer in an entry is kept under the key `item@entry`
/// ([`entry_key`]); the entry is the part after `@`. Free entries are named
/// by the device that adds them (its clock, then random letters, so that
/// names sort in the order entries were added and two devices adding
/// entries never collide); counted entries are `1` .. `n`.
#[derive(Debug, Clone)]
pub struct Repeat {
    /// How many entries there are (XLSForm `repeat_count`), worked out from
    /// answers outside the section; `None`: as many as the person adds.
    pub count: Option<Expr>,
}

/// The most entries a repeated section holds.
pub const MAX_ENTRIES: usize = 200;

/// The answer key of `item` in entry `entry` of its repeated section.
pub fn entry_key(item: &str, entry: &str) -> String {
    format!("{item}@{entry}")
}

/// An answer key split into its item and, in a repeated section, its entry.
pub fn split_key(key: &str) -> (&str, Option<&str>) {
    match key.split_once('@') {
        Some((item, entry)) => (item, Some(entry)),
        None => (key, None),
    }
}

/// Whether `entry` can name an entry: 1-32 letters, digits, `_` or `-`.
pub fn valid_entry(entry: &str) -> bool {
    (1..=32).contains(&entry.len())
        && entry
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

/// Entry names in the order their entries are shown: counted entries by
/// number, added ones by name (which starts with the time they were added).
pub fn entry_order(a: &str, b: &str) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub label: Bilingual,
    pub hint: Option<Bilingual>,
    pub answer: AnswerType,
    pub required: bool,
    pub allow_na: bool,
    pub scoring: Option<ItemScoring>,
    pub relevant: Option<Expr>,
    pub constraint: Option<Expr>,
    pub constraint_message: Option<Bilingual>,
    pub reverse: bool,
    pub tags: Tags,
    /// Where the test-call bar writes, in a test-call template.
    pub call: Option<CallMoment>,
    /// The answer the form starts with; taken as given on submission.
    pub default: Option<values::AnswerValue>,
    /// Which of a choice item's choices are offered, given the answers
    /// (`answers::offered`).
    pub choice_filter: Option<Expr>,
}

/// How an item counts towards its section score (S2).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemScoring {
    pub points: f64,
    /// Bonus points raise a score but are not part of what is possible.
    pub bonus: bool,
    pub critical: Option<Knockout>,
    pub fail_below: f64,
}

/// What a failed critical item does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Knockout {
    ZeroSection,
    ZeroVisit,
    CapVisit(f64),
}

impl Knockout {
    /// Parses `zero_section`, `zero_visit` or `cap:N`.
    pub fn parse(s: &str) -> Option<Knockout> {
        match s.trim() {
            "zero_section" => Some(Knockout::ZeroSection),
            "zero_visit" => Some(Knockout::ZeroVisit),
            other => {
                let cap: f64 = other.strip_prefix("cap:")?.trim().parse().ok()?;
                (0.0..=100.0)
                    .contains(&cap)
                    .then_some(Knockout::CapVisit(cap))
            }
        }
    }

    /// Whether this knock-out acts on the whole visit (and so fails it).
    pub fn is_visit_level(self) -> bool {
        !matches!(self, Knockout::ZeroSection)
    }
}

impl fmt::Display for Knockout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Knockout::ZeroSection => f.write_str("zero_section"),
            Knockout::ZeroVisit => f.write_str("zero_visit"),
            Knockout::CapVisit(c) => write!(f, "cap:{c}"),
        }
    }
}

/// The kind of answer an item takes, with its parameters.
#[derive(Debug, Clone)]
pub enum AnswerType {
    PassFail,
    /// A fraction in [0, 1].
    Partial,
    Scale {
        min: f64,
        max: f64,
        min_label: Option<Bilingual>,
        max_label: Option<Bilingual>,
    },
    /// The five-level touchpoint scale, answered 1 (very poor) .. 5 (delighted).
    Touchpoint,
    /// 0-10 likelihood to recommend.
    Recommend,
    SingleChoice(Vec<Choice>),
    MultipleChoice(Vec<Choice>),
    Number {
        unit: Option<String>,
        integer: bool,
        min: Option<f64>,
        max: Option<f64>,
        pass_if: Option<Expr>,
    },
    /// Seconds.
    Duration {
        pass_if: Option<Expr>,
    },
    Date,
    Time,
    DateTime,
    Text,
    Photo,
    Signature,
    /// A sound recorded or a video taken (a consent read out, a queue
    /// filmed), or any file: like a photo, files kept by content hash.
    Audio,
    Video,
    File,
    Location,
    /// Display-only text; takes no answer.
    Note,
    /// A value worked out from the answers (XLSForm `calculate`), never
    /// answered: relevance, constraints and pass rules read it as `${id}`,
    /// the server derives it again from the answers it holds.
    Calculate(Expr),
}

impl AnswerType {
    /// The type names used in files.
    pub const NAMES: &'static [&'static str] = &[
        "pass_fail",
        "partial",
        "scale",
        "touchpoint",
        "recommend",
        "single_choice",
        "multiple_choice",
        "number",
        "duration",
        "date",
        "time",
        "datetime",
        "text",
        "photo",
        "signature",
        "audio",
        "video",
        "file",
        "location",
        "note",
        "calculate",
    ];

    /// Whether the answer is files (photos, a signature, a recording).
    pub fn takes_media(&self) -> bool {
        matches!(
            self,
            AnswerType::Photo
                | AnswerType::Signature
                | AnswerType::Audio
                | AnswerType::Video
                | AnswerType::File
        )
    }

    /// The numeric range of a rating-like answer, for rescaling (S1).
    pub fn scale_range(&self) -> Option<(f64, f64)> {
        match self {
            AnswerType::Scale { min, max, .. } => Some((*min, *max)),
            AnswerType::Touchpoint => Some((1.0, 5.0)),
            AnswerType::Recommend => Some((0.0, 10.0)),
            _ => None,
        }
    }

    pub fn choices(&self) -> Option<&[Choice]> {
        match self {
            AnswerType::SingleChoice(c) | AnswerType::MultipleChoice(c) => Some(c),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub value: String,
    pub label: Bilingual,
    pub score: Option<f64>,
    /// Further columns, read by the item's `choice_filter`.
    pub data: std::collections::BTreeMap<String, String>,
}

/// A construct of the satisfaction model with normalised item weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Construct {
    pub id: String,
    pub role: ConstructRole,
    pub label: Bilingual,
    /// (item id, weight); weights sum to 1.
    pub items: Vec<(String, f64)>,
    pub weight_source: WeightSource,
    pub weight_set: Option<String>,
}

/// An expectation / perception pair for one quality attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct GapPair {
    pub attribute: Attribute,
    pub dimension: Dimension,
    pub expectation: String,
    pub perception: String,
    pub importance: Option<String>,
}

/// The file formats a template can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    /// Picks the format from a file name's extension.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".toml") {
            Some(Format::Toml)
        } else if lower.ends_with(".json") {
            Some(Format::Json)
        } else {
            None
        }
    }
}

/// Where in a template file a problem is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// 1-based line, where the format gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Location {
    /// Where, for people: `line 3, section `a`, item `b``, or `template`.
    pub fn msg(&self) -> Msg {
        let mut parts = Vec::new();
        if let Some(l) = self.line {
            parts.push(msg!("template.at_line", "line {line}", line = l));
        }
        if let Some(s) = &self.section {
            parts.push(msg!(
                "template.at_section",
                "section `{section}`",
                section = s
            ));
        }
        if let Some(i) = &self.item {
            parts.push(msg!("template.at_item", "item `{item}`", item = i));
        }
        if let Some(fld) = &self.field {
            parts.push(msg!("template.at_field", "field `{field}`", field = fld));
        }
        list(parts).unwrap_or_else(|| msg!("template.at_template", "template"))
    }
}

/// Parts of a place joined in order (`a, b, c`), as one message; `None`
/// when there are none.
pub(crate) fn list(parts: Vec<Msg>) -> Option<Msg> {
    parts.into_iter().reduce(|first, next| {
        msg!(
            "template.list",
            "{first}, {next}",
            first = first,
            next = next
        )
    })
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().text)
    }
}

/// One thing wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub location: Location,
    pub message: Msg,
}

impl Problem {
    /// The problem with its place, for people.
    pub fn msg(&self) -> Msg {
        msg!(
            "template.problem",
            "{location}: {problem}",
            location = self.location.msg(),
            problem = self.message.clone()
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().text)
    }
}

/// Why a template could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file is not well-formed TOML / JSON or has a field of the wrong
    /// shape; the message is the parser's, in English.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// The file is well-formed but breaks the template rules; every problem is listed.
    #[error("{} problem(s):\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

impl TemplateError {
    /// Each problem as a message for people (one for a syntax error).
    pub fn msgs(&self) -> Vec<Msg> {
        match self {
            TemplateError::Syntax {
                line,
                column,
                message,
            } => vec![msg!(
                "template.syntax",
                "line {line}, column {column}: {detail}",
                line = line,
                column = column,
                detail = message
            )],
            TemplateError::Invalid(problems) => problems.iter().map(Problem::msg).collect(),
        }
    }
}

pub type Result<T, E = TemplateError> = std::result::Result<T, E>;

/// A template file read by [`Template::load_file`]: the template and what an
/// XLSForm import worked around.
#[derive(Debug)]
pub struct Loaded {
    pub template: Template,
    pub warnings: Vec<Msg>,
}

impl Template {
    /// Reads a template file of any supported kind, told by its name: `.toml`,
    /// `.json`, or `.xlsx` (an XLSForm). On failure, every problem as a
    /// message (one line each in English).
    pub fn load_file(bytes: &[u8], name: &str) -> std::result::Result<Loaded, Vec<Msg>> {
        Template::load_file_with(bytes, name, &xlsform::Settings::default())
    }

    /// As [`Template::load_file`], with `given` standing in for an XLSForm's
    /// missing settings (channel, kind, mode).
    pub fn load_file_with(
        bytes: &[u8],
        name: &str,
        given: &xlsform::Settings,
    ) -> std::result::Result<Loaded, Vec<Msg>> {
        if name.to_ascii_lowercase().ends_with(".xlsx") {
            return match xlsform::import_with(bytes, given) {
                Ok(imported) => Ok(Loaded {
                    template: imported.template,
                    warnings: imported
                        .warnings
                        .iter()
                        .filter(|w| w.severity == xlsform::Severity::Warning)
                        .map(xlsform::ImportProblem::msg)
                        .collect(),
                }),
                Err(problems) => Err(problems.iter().map(xlsform::ImportProblem::msg).collect()),
            };
        }
        let format = Format::from_file_name(name).ok_or_else(|| {
            vec![msg!(
                "template.unknown_format",
                "unknown template format (use .toml, .json or .xlsx)"
            )]
        })?;
        let src = std::str::from_utf8(bytes)
            .map_err(|_| vec![msg!("template.not_utf8", "the file is not UTF-8")])?;
        match Template::load(src, format) {
            Ok(template) => Ok(Loaded {
                template,
                warnings: Vec::new(),
            }),
            Err(e) => Err(e.msgs()),
        }
    }

    /// Parses and validates a template file.
    pub fn load(src: &str, format: Format) -> Result<Template> {
        let file: TemplateFile = match format {
            Format::Toml => toml::from_str(src).map_err(|e| {
                let (line, column) = e.span().map_or((1, 1), |s| line_col(src, s.start));
                TemplateError::Syntax {
                    line,
                    column,
                    message: e.message().to_string(),
                }
            })?,
            Format::Json => serde_json::from_str(src).map_err(|e| TemplateError::Syntax {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?,
        };
        let lines = match format {
            Format::Toml => validate::LineMap::from_toml(src),
            Format::Json => validate::LineMap::default(),
        };
        validate::validate(file, &lines).map_err(TemplateError::Invalid)
    }

    /// Validates a template already in memory (e.g. from the XLSForm importer).
    pub fn from_file(file: TemplateFile) -> Result<Template> {
        validate::validate(file, &validate::LineMap::default()).map_err(TemplateError::Invalid)
    }

    /// The template as written, for storage and re-export.
    pub fn source(&self) -> &TemplateFile {
        &self.source
    }

    /// The canonical JSON the version hash is computed over.
    pub fn canonical_json(&self) -> Vec<u8> {
        canonical_json(&self.source)
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.index.get(id).map(|p| self.at(*p))
    }

    /// The section holding the item with this id.
    pub fn section_of(&self, id: &str) -> Option<&Section> {
        self.index.get(id).map(|p| &self.sections[p.section])
    }

    /// The item an answer key names (`item`, or `item@entry` in a repeated
    /// section), with its entry: `None` for a key that names no item, an
    /// entry outside a repeated section, or none inside one.
    pub fn answer_item<'k>(&self, key: &'k str) -> Option<(&Item, Option<&'k str>)> {
        let (id, entry) = split_key(key);
        let section = self.section_of(id)?;
        match (section.repeat.is_some(), entry) {
            (false, None) => Some((self.item(id)?, None)),
            (true, Some(e)) if valid_entry(e) => Some((self.item(id)?, Some(e))),
            _ => None,
        }
    }

    /// The repeated section with this id.
    pub fn repeat(&self, id: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.id == id && s.repeat.is_some())
    }

    /// Every item, in form order, with its section.
    pub fn items(&self) -> impl Iterator<Item = (&Section, &Item)> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    pub(crate) fn at(&self, p: ItemPos) -> &Item {
        &self.sections[p.section].items[p.item]
    }

    pub(crate) fn relevance_order(&self) -> &[ItemPos] {
        &self.relevance_order
    }

    /// Short form of the version for display.
    pub fn short_version(&self) -> &str {
        &self.version[..12.min(self.version.len())]
    }

    /// Identifies the template version in results.
    pub fn reference(&self) -> TemplateRef {
        TemplateRef {
            id: self.id.clone(),
            version: self.version.clone(),
        }
    }
}

/// Identifies one published template version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct TemplateRef {
    pub id: String,
    pub version: String,
}

fn canonical_json(file: &TemplateFile) -> Vec<u8> {
    // Struct fields serialise in declaration order and maps are BTreeMaps, so
    // the bytes depend on the content only, not on how the file was formatted.
    // Plain structs with string keys always serialise, so the default is never used.
    serde_json::to_vec(file).unwrap_or_default()
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Renders a template file as TOML, the native format.
pub fn to_toml(file: &TemplateFile) -> std::result::Result<String, toml::ser::Error> {
    toml::to_string_pretty(file)
}

#[cfg(test)]
/// A test fixture: the S2 worked example (see the file), with item b2's knock-out rule
/// replaced by `b2_critical` (`None` removes it).
pub(crate) fn worked_example(b2_critical: Option<&str>) -> Template {
    let src = include_str!("../../tests/fixtures/worked_example.toml");
    let rule = b2_critical.map_or(String::new(), |r| format!("critical = \"{r}\", "));
    let src = src.replace(
        r#"id = "b2", type = "pass_fail", points = 5, critical = "zero_section", "#,
        &format!(r#"id = "b2", type = "pass_fail", points = 5, {rule}"#),
    );
    Template::load(&src, Format::Toml).expect("the worked example is valid")
}
