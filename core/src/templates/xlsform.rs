//! XLSForm import: the `survey` / `choices` / `settings` sheets that ODK,
//! KoboToolbox and SurveyCTO users already write, plus Fieldcheck's extra
//! columns (`points`, `critical`, `weight`, `bonus`, `pass_if`, `unit`,
//! `call`, `fail_below`, `reverse` and the tag columns). Nothing is dropped silently:
//! what cannot be imported is an error and what is ignored is a warning, each
//! with its sheet, row and column.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};

use crate::table::Table;
use serde::Serialize;

use super::file::{ChoiceFile, ItemFile, SCHEMA_VERSION, SectionFile, Tags, TemplateFile};
use super::{Problem, Template, TemplateError, expr};
use crate::i18n::Bilingual;
use crate::msg;
use crate::msg::Msg;

mod literals;
mod paths;
use paths::Paths;

/// How serious an import finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The form cannot be imported until this is fixed.
    Error,
    /// Imported, but something in the sheet is not carried over.
    Warning,
}

/// One finding, located in the spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    pub severity: Severity,
    pub sheet: String,
    /// 1-based row, as the spreadsheet shows it.
    pub row: Option<usize>,
    /// Column header, e.g. `relevant`.
    pub column: Option<String>,
    pub message: Msg,
}

impl ImportProblem {
    /// The finding with its severity and place, for people.
    pub fn msg(&self) -> Msg {
        let mut parts = vec![msg!(
            "xlsform.at_sheet",
            "sheet `{sheet}`",
            sheet = self.sheet
        )];
        if let Some(r) = self.row {
            parts.push(msg!("xlsform.at_row", "row {row}", row = r));
        }
        if let Some(c) = &self.column {
            parts.push(msg!("xlsform.at_column", "column `{column}`", column = c));
        }
        let location =
            super::list(parts).unwrap_or_else(|| msg!("template.at_template", "template"));
        match self.severity {
            Severity::Error => msg!(
                "xlsform.error",
                "error: {location}: {problem}",
                location = location,
                problem = self.message.clone()
            ),
            Severity::Warning => msg!(
                "xlsform.warning",
                "warning: {location}: {problem}",
                location = location,
                problem = self.message.clone()
            ),
        }
    }
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().text)
    }
}

/// A successful import: the template and the warnings about what was left out.
#[derive(Debug)]
pub struct Imported {
    pub template: Template,
    pub warnings: Vec<ImportProblem>,
}

/// What the person importing a form says of it where its `settings` sheet
/// is silent: the channel, kind and mode Fieldcheck needs and most
/// XLSForms do not carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pub channel: Option<String>,
    pub kind: Option<String>,
    pub mode: Option<String>,
}

/// Imports an `.xlsx` XLSForm. On failure every error (and warning) is returned.
pub fn import(bytes: &[u8]) -> Result<Imported, Vec<ImportProblem>> {
    import_with(bytes, &Settings::default())
}

/// Imports an `.xlsx` XLSForm, with `given` standing in for settings the
/// form lacks (the form's own win). Every problem is reported, a missing
/// setting included, without one hiding the rest.
pub fn import_with(bytes: &[u8], given: &Settings) -> Result<Imported, Vec<ImportProblem>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        vec![problem(
            Severity::Error,
            "(workbook)",
            None,
            None,
            msg!(
                "xlsform.unreadable",
                "not a readable .xlsx file: {detail}",
                detail = e
            ),
        )]
    })?;
    let mut sheet = |name: &str| -> Option<Range<Data>> {
        let actual = book
            .sheet_names()
            .into_iter()
            .find(|s| s.eq_ignore_ascii_case(name))?;
        book.worksheet_range(&actual).ok()
    };
    let (survey, choices, settings) = (sheet("survey"), sheet("choices"), sheet("settings"));
    // The lists of `select_one_external` questions.
    let external = sheet("external_choices");
    let mut cx = Importer {
        given: given.clone(),
        ..Importer::default()
    };
    let Some(survey) = survey else {
        return Err(vec![problem(
            Severity::Error,
            "survey",
            None,
            None,
            msg!("xlsform.no_survey", "the workbook has no `survey` sheet"),
        )]);
    };
    let settings = settings
        .map(|s| Table::read(&s, "settings"))
        .unwrap_or_default();
    let mut choices = choices
        .map(|s| Table::read(&s, "choices"))
        .unwrap_or_default();
    let mut external = external
        .map(|s| Table::read(&s, "external_choices"))
        .unwrap_or_default();
    let mut survey = Table::read(&survey, "survey");
    cx.normalise(&mut survey);
    for list in [&mut choices, &mut external] {
        cx.normalise(list);
        // Some tools write a choice's value under `value`.
        if !list.headers.iter().any(|h| h == "name") && list.headers.iter().any(|h| h == "value") {
            rename(list, "value", "name");
        }
    }
    let file = cx.build(&survey, [&choices, &external], &settings);
    let mut problems = std::mem::take(&mut cx.problems);
    let template = match file.map(Template::from_file) {
        Some(Ok(t)) => Some(t),
        Some(Err(TemplateError::Invalid(list))) => {
            let placed = cx.place(list, &problems, &survey);
            problems.extend(placed);
            None
        }
        Some(Err(e)) => {
            for m in e.msgs() {
                problems.push(problem(Severity::Error, "survey", None, None, m));
            }
            None
        }
        None => None,
    };
    match template {
        Some(template) if !problems.iter().any(|p| p.severity == Severity::Error) => Ok(Imported {
            template,
            warnings: problems,
        }),
        _ => Err(problems),
    }
}

/// The `${name}` a message says names no item, if it says so (inside the
/// messages that place it).
fn unknown_reference(m: &Msg) -> Option<&str> {
    if m.key == "expr.unknown_item" {
        return m.param("reference");
    }
    m.params.values().find_map(|p| match p {
        crate::msg::Param::Msg(inner) => unknown_reference(inner),
        _ => None,
    })
}

/// Renames a column of a table, in its headers and its rows.
fn rename(t: &mut Table, from: &str, to: &str) {
    for h in &mut t.headers {
        if h == from {
            *h = to.into();
        }
    }
    for (_, cells) in &mut t.rows {
        if let Some(v) = cells.remove(from) {
            cells.insert(to.into(), v);
        }
    }
}

/// Columns with a language whose name some tools join with one colon
/// (`label:English`) rather than two.
const LANGUAGE_COLUMNS: &[&str] = &[
    "label",
    "hint",
    "constraint_message",
    "required_message",
    "guidance_hint",
    "image",
    "audio",
    "video",
];

fn problem(
    severity: Severity,
    sheet: &str,
    row: Option<usize>,
    column: Option<String>,
    message: Msg,
) -> ImportProblem {
    ImportProblem {
        severity,
        sheet: sheet.into(),
        row,
        column,
        message,
    }
}

/// Which language a `label::X` suffix names.
fn language(suffix: &str) -> Option<&'static str> {
    let s = suffix.trim().to_lowercase();
    // "Chinese (zh)" and "zh-CN" alike: the code is in brackets or is the whole text.
    let code = s
        .rsplit_once('(')
        .map_or(s.as_str(), |(_, c)| c.trim_end_matches(')'))
        .trim();
    if code.starts_with("zh") || s.contains("chinese") || s.contains('中') {
        Some("zh")
    } else if code == "en" || code.starts_with("en-") || s.starts_with("english") {
        Some("en")
    } else {
        None
    }
}

/// A group or repeat open at a row of the survey sheet.
struct Group {
    name: String,
    relevant: Option<String>,
    row: usize,
    repeat: bool,
}

/// Conditions that must all hold, as one; `None` for none.
fn conjunction(conditions: impl Iterator<Item = String>) -> Option<String> {
    let all: Vec<String> = conditions.map(|c| format!("({c})")).collect();
    (!all.is_empty()).then(|| all.join(" and "))
}

/// Columns understood on the survey sheet (besides `label::*`, `hint::*`, `constraint_message::*`).
const SURVEY_COLUMNS: &[&str] = &[
    "type",
    "name",
    "label",
    "calculation",
    "default",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "parameters",
    "points",
    "critical",
    "weight",
    "bonus",
    "pass_if",
    "unit",
    "call",
    "fail_below",
    "reverse",
    "choice_filter",
    "repeat_count",
    "stage",
    "activity",
    "layer",
    "attribute",
    "dimension",
    "fix",
    "standard",
];
/// XLSForm columns that change what a form collects, which Fieldcheck
/// does not do yet: an error where used. Any other column Fieldcheck does
/// not read (a project's own notes, indicators, codes) is named in one
/// warning, as pyxform passes such columns by.
const UNHONOURED_COLUMNS: &[&str] = &["trigger"];
/// Cosmetic columns: ignored with one warning per column.
const COSMETIC_COLUMNS: &[&str] = &[
    "appearance",
    "required_message",
    "media::image",
    "media::audio",
    "media::video",
    "guidance_hint",
    "image",
    "audio",
    "video",
];
/// XLSForm types people use that Fieldcheck does not capture yet: named as
/// such, not as unknown.
const NOT_YET_TYPES: &[&str] = &[
    "rank",
    "geotrace",
    "geoshape",
    "select_one_from_file",
    "select_multiple_from_file",
    "xml-external",
    "csv-external",
    "background-audio",
];

/// What ODK records of every submission, which Fieldcheck's record header
/// holds (`start-geopoint`: the location stamped when the form is opened;
/// `imei` and `uri:deviceid`: older names of `deviceid`).
const METADATA_TYPES: &[&str] = &[
    "start",
    "end",
    "today",
    "start-geopoint",
    "deviceid",
    "imei",
    "uri:deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
];

#[derive(Default)]
struct Importer {
    given: Settings,
    problems: Vec<ImportProblem>,
    item_rows: HashMap<String, usize>,
    section_rows: HashMap<String, usize>,
}

impl Importer {
    /// The template's problems where the form has them (sheet, row and
    /// column), each said once: not where the importer has already refused
    /// the cell, nor a reference to a question refused where it is written.
    fn place(
        &self,
        list: Vec<Problem>,
        said: &[ImportProblem],
        survey: &Table,
    ) -> Vec<ImportProblem> {
        let key = |p: &ImportProblem| (p.sheet.clone(), p.row, p.column.clone());
        let cells: BTreeSet<(String, Option<usize>, Option<String>)> = said
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(key)
            .collect();
        let placed: Vec<ImportProblem> = list
            .into_iter()
            .map(|p| {
                let row = p
                    .location
                    .item
                    .as_ref()
                    .and_then(|i| self.item_rows.get(i))
                    .or_else(|| {
                        p.location
                            .section
                            .as_ref()
                            .and_then(|s| self.section_rows.get(s))
                    })
                    .copied();
                let column = p.location.field.as_deref().map(|f| match f {
                    f if f.starts_with("choices") => "choices".into(),
                    f if f.starts_with("tags.") => f.trim_start_matches("tags.").into(),
                    f => f.to_string(),
                });
                let sheet = if row.is_some() || p.location.field.is_none() {
                    "survey"
                } else {
                    "settings"
                };
                problem(Severity::Error, sheet, row, column, p.message)
            })
            .filter(|p| p.row.is_none() || !cells.contains(&key(p)))
            .collect();
        // The questions refused where they are written, as `${name}`.
        let refused: BTreeSet<String> = said
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .chain(
                placed
                    .iter()
                    .filter(|p| unknown_reference(&p.message).is_none()),
            )
            .filter(|p| p.sheet == "survey")
            .filter_map(|p| {
                let (_, cells) = survey.rows.iter().find(|(r, _)| Some(*r) == p.row)?;
                Some(format!("${{{}}}", cells.get("name")?.trim()))
            })
            .collect();
        placed
            .into_iter()
            .filter(|p| !unknown_reference(&p.message).is_some_and(|r| refused.contains(r)))
            .collect()
    }

    fn err(&mut self, sheet: &str, row: usize, column: &str, message: Msg) {
        self.problems.push(problem(
            Severity::Error,
            sheet,
            Some(row),
            Some(column.into()),
            message,
        ));
    }

    fn warn(&mut self, sheet: &str, row: Option<usize>, column: &str, message: Msg) {
        self.problems.push(problem(
            Severity::Warning,
            sheet,
            row,
            Some(column.into()),
            message,
        ));
    }

    /// Reads a bilingual text from `base`, `base::lang` columns; fills a missing
    /// language from the other (warned once per column by `check_languages`).
    fn text(
        &self,
        cells: &HashMap<String, String>,
        base: &str,
        default_lang: &str,
    ) -> Option<Bilingual> {
        let (mut zh, mut en) = (None, None);
        for (k, v) in cells {
            let lang = if k == base {
                Some(default_lang)
            } else {
                k.strip_prefix(base)
                    .and_then(|s| s.strip_prefix("::"))
                    .and_then(language)
            };
            match lang {
                Some("zh") => zh = Some(v.clone()),
                Some("en") => en = Some(v.clone()),
                _ => {}
            }
        }
        match (zh, en) {
            (None, None) => None,
            (zh, en) => {
                let zh = zh.or_else(|| en.clone()).unwrap_or_default();
                let en = en.unwrap_or_else(|| zh.clone());
                Some(Bilingual { zh, en })
            }
        }
    }

    fn check_languages(&mut self, t: &Table, base: &str, default_lang: &str) {
        let langs: Vec<&str> = t
            .headers
            .iter()
            .filter_map(|h| {
                if h == base {
                    Some(default_lang)
                } else {
                    h.strip_prefix(base)?.strip_prefix("::").and_then(language)
                }
            })
            .collect();
        // Other languages are not kept yet: each such column is named.
        for h in &t.headers {
            if let Some(other) = h.strip_prefix(base).and_then(|s| s.strip_prefix("::"))
                && language(other).is_none()
            {
                self.warn(
                    &t.name,
                    None,
                    h,
                    msg!(
                        "xlsform.language_dropped",
                        "`{language}` is not kept: a template holds zh-CN and en, so this column's texts are left out",
                        language = other
                    ),
                );
            }
        }
        let bilingual = langs.contains(&"zh") && langs.contains(&"en");
        if !langs.is_empty() && !bilingual {
            let missing = if langs.contains(&"zh") { "en" } else { "zh-CN" };
            self.warn(
                &t.name,
                None,
                base,
                msg!(
                    "xlsform.one_language",
                    "no {missing} column: the other language is copied; add `{column}` for a bilingual form",
                    missing = missing,
                    column = format!("{base}::{missing}")
                ),
            );
        }
    }

    fn build(
        &mut self,
        survey: &Table,
        [choices, external]: [&Table; 2],
        settings: &Table,
    ) -> Option<TemplateFile> {
        let setting = |k: &str| settings.rows.first().and_then(|(_, r)| r.get(k).cloned());
        let default_lang = setting("default_language")
            .as_deref()
            .and_then(language)
            .unwrap_or("en");
        for (t, base) in [
            (survey, "label"),
            (survey, "hint"),
            (choices, "label"),
            (external, "label"),
        ] {
            self.check_languages(t, base, default_lang);
        }
        self.check_columns(survey);
        // ODK's paths (`../age`) as the questions they reach; `survey` is
        // the form as written, `read` with its paths so resolved.
        let (paths, read, unreached) = Paths::read(survey);
        for u in unreached {
            if u.error {
                self.err("survey", u.row, u.column, u.message);
            } else {
                self.warn("survey", Some(u.row), u.column, u.message);
            }
        }
        let (written, survey) = (survey, &read);

        // The choices' columns the filters read by bare name are kept with
        // each choice; a filter that does not parse is reported with its item.
        let filter_columns: BTreeSet<String> = survey
            .rows
            .iter()
            .filter_map(|(_, r)| expr::parse(r.get("choice_filter")?).ok())
            .flat_map(|e| {
                e.fields()
                    .into_iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut lists = self.read_choices(choices, default_lang, &filter_columns);
        for (name, list) in self.read_choices(external, default_lang, &filter_columns) {
            if lists.contains_key(&name) {
                self.warn(
                    "external_choices",
                    None,
                    "list_name",
                    msg!(
                        "xlsform.list_twice",
                        "list `{list}` is on the choices sheet too; that one is used",
                        list = &name
                    ),
                );
                continue;
            }
            lists.insert(name, list);
        }
        let has_points = survey.rows.iter().any(|(_, r)| r.contains_key("points"));
        let kind = setting("kind")
            .or_else(|| self.given.kind.clone())
            .unwrap_or_else(|| {
                if has_points {
                    "checklist"
                } else {
                    "questionnaire"
                }
                .into()
            });
        let mode = setting("mode")
            .or_else(|| self.given.mode.clone())
            .unwrap_or_else(|| {
                if kind == "questionnaire" {
                    "intercept"
                } else {
                    "overt"
                }
                .into()
            });
        // Without a channel the form cannot be published, but everything
        // else is still checked, so that one missing setting hides nothing.
        let channel = match setting("channel").or_else(|| self.given.channel.clone()) {
            Some(c) => c,
            None => {
                self.err(
                    "settings",
                    1,
                    "channel",
                    msg!(
                        "xlsform.no_channel",
                        "add a `channel` column (owned_hall, partner_store, hotline, club or echannel), or choose the channel when importing"
                    ),
                );
                "owned_hall".into()
            }
        };
        let id =
            setting("form_id").map_or_else(|| "imported_form".into(), |f| self.template_id(&f));
        let title_text = setting("form_title").unwrap_or_else(|| id.clone());
        let title = settings
            .rows
            .first()
            .and_then(|(_, r)| self.text(r, "form_title", default_lang))
            .unwrap_or(Bilingual {
                zh: title_text.clone(),
                en: title_text,
            });
        if setting("version").is_some() {
            self.warn(
                "settings",
                Some(2),
                "version",
                msg!(
                    "xlsform.version_ignored",
                    "ignored: published versions are identified by their content hash"
                ),
            );
        }
        let pass_threshold = setting("pass_threshold").and_then(|v| {
            let n = v.parse().ok();
            if n.is_none() {
                self.err(
                    "settings",
                    2,
                    "pass_threshold",
                    msg!(
                        "xlsform.not_a_number",
                        "`{value}` is not a number",
                        value = v
                    ),
                );
            }
            n
        });

        let mut sections: Vec<SectionFile> = Vec::new();
        // Names used by two questions (in different groups, as XLSForm
        // allows): the second and later are renamed.
        let mut renamed: BTreeSet<String> = BTreeSet::new();
        // Each question's groups, outermost first: a name may come again
        // only in other groups.
        let mut group_of: HashMap<String, Vec<String>> = HashMap::new();
        // Runs of questions outside any group: `main`, `main_2`, ...
        let mut loose_runs = 0usize;
        // Open groups, outermost first. Only the outermost group becomes a
        // section, and each repeat: the questions of the groups inside
        // either take their groups' relevance.
        let mut groups: Vec<Group> = Vec::new();
        // How many sections each group has been split into by the repeats
        // inside it.
        let mut parts: HashMap<String, usize> = HashMap::new();
        // The sections a group goes on in after a repeat, with the group.
        let mut continued: HashMap<String, String> = HashMap::new();
        let names: HashSet<String> = survey
            .rows
            .iter()
            .filter_map(|(_, cells)| cells.get("name").cloned())
            .collect();
        // Groups with a repeat inside.
        let mut holders: HashSet<String> = HashSet::new();
        for (row, cells) in &survey.rows {
            let row = *row;
            let ty = cells
                .get("type")
                .map(|t| select_alias(t))
                .unwrap_or_default();
            let (base, arg) = ty
                .split_once(char::is_whitespace)
                .map_or((ty.as_str(), ""), |(a, b)| (a, b.trim()));
            let name = cells.get("name").cloned().unwrap_or_default();
            match base {
                "" => self.err(
                    "survey",
                    row,
                    "type",
                    msg!("xlsform.no_type", "a row with content needs a type"),
                ),
                "begin_group" | "begin" if base == "begin_group" || arg == "group" => {
                    if groups.is_empty() {
                        let weight = cells
                            .get("weight")
                            .and_then(|w| self.number(row, "weight", w));
                        sections.push(SectionFile {
                            id: name.clone(),
                            title: self
                                .text(cells, "label", default_lang)
                                .unwrap_or_else(|| Bilingual::new(&name, &name)),
                            weight,
                            relevant: cells.get("relevant").cloned(),
                            ..SectionFile::default()
                        });
                        self.section_rows.insert(name.clone(), row);
                    }
                    groups.push(Group {
                        name,
                        relevant: cells.get("relevant").cloned(),
                        row,
                        repeat: false,
                    });
                }
                "begin_repeat" | "begin" if base == "begin_repeat" || arg == "repeat" => {
                    if let Some(outer) = groups.iter().find(|g| g.repeat) {
                        self.err(
                            "survey",
                            row,
                            "type",
                            msg!(
                                "xlsform.nested_repeat",
                                "repeat `{name}` is inside repeat `{outer}`: a repeat within a repeat is not supported yet",
                                name = &name,
                                outer = &outer.name
                            ),
                        );
                    } else {
                        if let Some(outer) = groups.first() {
                            holders.insert(outer.name.clone());
                        }
                        // The repeat's own relevance and its groups' hold
                        // for the whole of it.
                        let relevant = conjunction(
                            groups
                                .iter()
                                .filter_map(|g| g.relevant.clone())
                                .chain(cells.get("relevant").cloned()),
                        );
                        sections.push(SectionFile {
                            id: name.clone(),
                            title: self
                                .text(cells, "label", default_lang)
                                .unwrap_or_else(|| Bilingual::new(&name, &name)),
                            weight: cells
                                .get("weight")
                                .and_then(|w| self.number(row, "weight", w)),
                            relevant,
                            repeat: true,
                            repeat_count: cells.get("repeat_count").cloned(),
                            items: vec![],
                        });
                        self.section_rows.insert(name.clone(), row);
                    }
                    groups.push(Group {
                        name,
                        relevant: None,
                        row,
                        repeat: true,
                    });
                }
                "end_repeat" | "end" if base == "end_repeat" || arg == "repeat" => {
                    if !groups.pop().is_some_and(|g| g.repeat) {
                        self.err(
                            "survey",
                            row,
                            "type",
                            msg!("xlsform.end_repeat", "end_repeat without a begin_repeat"),
                        );
                    }
                    // The questions after a repeat, in the group that holds
                    // it, go on in a section of their own.
                    if let Some(outer) = groups.first().filter(|_| !groups.iter().any(|g| g.repeat))
                    {
                        // A name no question, group or section has.
                        let n = parts.entry(outer.name.clone()).or_insert(1);
                        let mut id;
                        loop {
                            *n += 1;
                            id = format!("{}_{n}", outer.name);
                            let taken = sections.iter().any(|s| s.id == id);
                            if !taken && !names.contains(&id) {
                                break;
                            }
                        }
                        let first = self.section_rows.get(&outer.name).copied();
                        let like = sections.iter().find(|s| s.id == outer.name);
                        continued.insert(id.clone(), outer.name.clone());
                        let section = SectionFile {
                            id: id.clone(),
                            title: like
                                .map(|s| s.title.clone())
                                .unwrap_or_else(|| title.clone()),
                            weight: like.and_then(|s| s.weight),
                            relevant: outer.relevant.clone(),
                            ..SectionFile::default()
                        };
                        sections.push(section);
                        if let Some(first) = first {
                            self.section_rows.insert(id, first);
                        }
                    }
                }
                "end_group" | "end" if base == "end_group" || arg == "group" => {
                    if groups.pop().is_none_or(|g| g.repeat) {
                        self.err(
                            "survey",
                            row,
                            "type",
                            msg!("xlsform.end_group", "end_group without a begin_group"),
                        );
                    }
                }
                t if METADATA_TYPES.contains(&t) => {
                    self.warn(
                        "survey",
                        Some(row),
                        "type",
                        msg!(
                            "xlsform.metadata",
                            "`{type_name}` is captured in every record's header; the row is not imported",
                            type_name = t
                        ),
                    );
                }
                _ => {
                    let Some(mut item) = self.item(row, cells, base, arg, &lists, default_lang)
                    else {
                        continue;
                    };
                    // Relevance of nested groups is folded into their items:
                    // those inside the group or repeat that is the section.
                    let owner = groups.iter().position(|g| g.repeat).unwrap_or(0);
                    let nested: Vec<String> = groups
                        .iter()
                        .skip(owner + 1)
                        .filter_map(|g| g.relevant.clone())
                        .collect();
                    if !nested.is_empty() {
                        let mut all: Vec<String> =
                            nested.iter().map(|r| format!("({r})")).collect();
                        if let Some(r) = &item.relevant {
                            all.push(format!("({r})"));
                        }
                        item.relevant = Some(all.join(" and "));
                    }
                    let path: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
                    if let Some(&first) = self.item_rows.get(&item.id) {
                        if group_of.get(&item.id) == Some(&path) {
                            self.err(
                                "survey",
                                row,
                                "name",
                                msg!(
                                    "xlsform.name_twice",
                                    "`{name}` also names the question in row {first}, in the same group; give each its own name",
                                    name = &item.id,
                                    first = first
                                ),
                            );
                            continue;
                        }
                        let id = self.unused_id(&item.id, groups.last().map(|g| g.name.as_str()));
                        self.warn(
                            "survey",
                            Some(row),
                            "name",
                            msg!(
                                "xlsform.name_again",
                                "`{name}` also names the question in row {first}, in another group; imported as `{id}`",
                                name = &item.id,
                                first = first,
                                id = &id
                            ),
                        );
                        renamed.insert(item.id.clone());
                        item.id = id;
                    }
                    group_of.entry(item.id.clone()).or_insert(path);
                    self.item_rows.insert(item.id.clone(), row);
                    if groups.is_empty() {
                        match sections.last_mut() {
                            Some(s)
                                if s.id.starts_with("main")
                                    && !self.section_rows.contains_key(&s.id) =>
                            {
                                s.items.push(item)
                            }
                            _ => {
                                loose_runs += 1;
                                let id = if loose_runs == 1 {
                                    "main".to_string()
                                } else {
                                    format!("main_{loose_runs}")
                                };
                                sections.push(SectionFile {
                                    id,
                                    title: title.clone(),
                                    items: vec![item],
                                    ..SectionFile::default()
                                });
                            }
                        }
                    } else if let Some(s) = sections.last_mut() {
                        s.items.push(item);
                    }
                }
            }
        }
        // A group's part before or after a repeat may hold nothing.
        sections.retain(|s| {
            let part = continued.contains_key(&s.id) || holders.contains(&s.id);
            !(part && s.items.is_empty() && !s.repeat)
        });
        // A group's parts share its weight equally, so that splitting it
        // weighs it no more in the visit.
        let group_of = |s: &SectionFile| {
            continued
                .get(&s.id)
                .cloned()
                .unwrap_or_else(|| s.id.clone())
        };
        // Only parts with scored items score, and so share it.
        let scored = |s: &SectionFile| !s.repeat && s.items.iter().any(|i| i.points.is_some());
        let mut shares: HashMap<String, f64> = HashMap::new();
        for s in sections.iter().filter(|s| scored(s)) {
            *shares.entry(group_of(s)).or_default() += 1.0;
        }
        for s in sections.iter_mut().filter(|s| scored(s)) {
            let n = shares.get(&group_of(s)).copied().unwrap_or(1.0);
            if n > 1.0 {
                s.weight = Some(s.weight.unwrap_or(1.0) / n);
            }
        }
        self.ambiguous_references(written, &renamed);
        let ids: HashMap<usize, String> = self
            .item_rows
            .iter()
            .map(|(id, row)| (*row, id.clone()))
            .collect();
        self.read_as_odk(&mut sections, &paths, &ids);
        for g in groups {
            let message = if g.repeat {
                msg!(
                    "xlsform.unclosed_repeat",
                    "repeat `{name}` is never closed with end_repeat",
                    name = g.name
                )
            } else {
                msg!(
                    "xlsform.unclosed_group",
                    "group `{name}` is never closed with end_group",
                    name = g.name
                )
            };
            self.err("survey", g.row, "type", message);
        }
        Some(TemplateFile {
            schema: SCHEMA_VERSION,
            id,
            kind,
            mode,
            channel,
            title,
            description: None,
            pass_threshold,
            partial_responses: setting("partial_responses"),
            touchpoint_scores: None,
            sections,
            constructs: vec![],
            gaps: vec![],
            analysis: Default::default(),
        })
    }

    /// Reads a sheet's columns as people write them: `constraint message`
    /// for `constraint_message`, `label:English` for `label::English`; the
    /// `bind::`, `instance::` and `body::` columns of pyxform are set aside
    /// with a warning.
    fn normalise(&mut self, t: &mut Table) {
        for h in t.headers.clone() {
            let spaced = h.replace(' ', "_");
            // pyxform's other names for a repeat's count.
            let count = t.name == "survey"
                && matches!(spaced.as_str(), "jr:count" | "count")
                && !t.headers.iter().any(|x| x == "repeat_count");
            let fixed = match spaced.split_once(':') {
                _ if count => "repeat_count".to_string(),
                Some((base, rest))
                    if LANGUAGE_COLUMNS.contains(&base) && !rest.starts_with(':') =>
                {
                    format!("{base}::{rest}")
                }
                _ if [
                    "constraint_message",
                    "required_message",
                    "choice_filter",
                    "repeat_count",
                ]
                .iter()
                .any(|c| spaced.starts_with(c)) =>
                {
                    spaced
                }
                _ => h.clone(),
            };
            if fixed != h {
                rename(t, &h, &fixed);
            }
            let prefix = fixed.split("::").next().unwrap_or("");
            if ["bind", "instance", "body"].contains(&prefix) && fixed.contains("::") {
                let used = t.rows.iter().any(|(_, r)| r.contains_key(&fixed));
                if used {
                    self.warn(
                        &t.name.clone(),
                        None,
                        &fixed,
                        msg!(
                            "xlsform.raw_column",
                            "`{column}` writes XForm attributes directly; it is not imported",
                            column = fixed
                        ),
                    );
                }
                t.headers.retain(|x| x != &fixed);
                for (_, cells) in &mut t.rows {
                    cells.remove(&fixed);
                }
            }
        }
    }

    fn check_columns(&mut self, survey: &Table) {
        for h in &survey.headers {
            let base = h.split("::").next().unwrap_or(h);
            if h.is_empty() || SURVEY_COLUMNS.contains(&base) {
                continue;
            }
            let used: Vec<usize> = survey
                .rows
                .iter()
                .filter(|(_, r)| r.contains_key(h))
                .map(|(n, _)| *n)
                .collect();
            if used.is_empty() {
                continue;
            }
            // The first rows, enough to find the column by.
            let mut rows = used
                .iter()
                .take(10)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            if used.len() > 10 {
                rows.push_str(", …");
            }
            if COSMETIC_COLUMNS.contains(&h.as_str()) || COSMETIC_COLUMNS.contains(&base) {
                self.warn(
                    "survey",
                    None,
                    h,
                    msg!(
                        "xlsform.display_hint",
                        "display hint not imported (rows {rows})",
                        rows = rows
                    ),
                );
            } else if !UNHONOURED_COLUMNS.contains(&base) {
                self.warn(
                    "survey",
                    None,
                    h,
                    msg!(
                        "xlsform.other_column",
                        "not an XLSForm column Fieldcheck reads: its values are not imported (rows {rows})",
                        rows = rows
                    ),
                );
            } else {
                for row in used {
                    self.err(
                        "survey",
                        row,
                        h,
                        msg!(
                            "xlsform.unsupported_column",
                            "column `{column}` is not supported",
                            column = h
                        ),
                    );
                }
            }
        }
    }

    /// Each expression with its paths linked to the questions' ids, then as
    /// ODK reads it (`literals`): a value compared with a choice question
    /// that is none of its choices gives what it always gives, said where
    /// written; one written with the spaces its choice lost follows the
    /// choice.
    fn read_as_odk(
        &mut self,
        sections: &mut [SectionFile],
        paths: &Paths,
        ids: &HashMap<usize, String>,
    ) {
        let choices: literals::Choices = sections
            .iter()
            .flat_map(|s| &s.items)
            .filter_map(|i| {
                let values = match i.kind.as_str() {
                    "single_choice" | "multiple_choice" => {
                        i.choices.iter().map(|c| c.value.clone()).collect()
                    }
                    "pass_fail" => vec!["pass".into(), "fail".into(), "na".into()],
                    _ => return None,
                };
                Some((i.id.clone(), values))
            })
            .collect();
        let mut said: Vec<(Option<usize>, &'static str, Msg)> = Vec::new();
        let mut read =
            |text: &mut Option<String>, own: Option<&str>, at: (Option<usize>, &'static str)| {
                link(text, paths, ids);
                let Some((odk, notes)) = text
                    .as_deref()
                    .and_then(|t| literals::as_odk_reads(t, own, &choices))
                else {
                    return;
                };
                *text = Some(odk);
                said.extend(notes.into_iter().map(|n| (at.0, at.1, n)));
            };
        for section in sections.iter_mut() {
            let row = self.section_rows.get(&section.id).copied();
            read(&mut section.relevant, None, (row, "relevant"));
            read(&mut section.repeat_count, None, (row, "repeat_count"));
            for item in &mut section.items {
                let row = self.item_rows.get(&item.id).copied();
                let id = item.id.clone();
                for (column, reads_own, text) in item.expressions_mut() {
                    read(text, reads_own.then_some(id.as_str()), (row, column));
                }
            }
        }
        for (row, column, note) in said {
            self.warn("survey", row, column, note);
        }
    }

    /// A default that is none of the item's choices (a list changed since
    /// the default was written): not imported, with a warning, as ODK
    /// starts such a question unanswered.
    fn keep_offered_default(&mut self, row: usize, item: &mut ItemFile) {
        // Written with the spaces its choice lost (`choice_spaces`).
        if let Some(serde_json::Value::String(v)) = &item.default {
            let joined = without_spaces(v);
            if item.choices.iter().any(|c| c.value == joined) {
                item.default = Some(joined.into());
            }
        }
        let Some(default) = &item.default else {
            return;
        };
        let values: Vec<&str> = match default {
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
            v => v.as_str().into_iter().collect(),
        };
        let choices: Vec<&str> = match item.kind.as_str() {
            "single_choice" | "multiple_choice" => {
                item.choices.iter().map(|c| c.value.as_str()).collect()
            }
            "pass_fail" => vec!["pass", "fail", "na"],
            _ => return,
        };
        if let Some(stray) = values.iter().find(|v| !choices.contains(v)) {
            let why = msg!(
                "xlsform.default_not_a_choice",
                "the default `{value}` is not one of the choices, so the question starts unanswered",
                value = *stray
            );
            item.default = None;
            self.warn("survey", Some(row), "default", why);
        }
    }

    /// What a `calculate` row may carry that a calculated value has no use
    /// for: `required` and a `constraint` are dropped; a `default` without a calculation is the
    /// value (as a `hidden` row's), beside one it is dropped. Each said.
    fn calculate_columns(&mut self, row: usize, item: &mut ItemFile, default: Option<String>) {
        if item.required {
            item.required = false;
            let why = msg!(
                "xlsform.calculate_required",
                "a calculated value is never answered, so `required` is not imported"
            );
            self.warn("survey", Some(row), "required", why);
        }
        if item.constraint.take().is_some() {
            item.constraint_message = None;
            let why = msg!(
                "xlsform.calculate_constraint",
                "a calculated value is never answered, so its `constraint` is not imported"
            );
            self.warn("survey", Some(row), "constraint", why);
        }
        match (default, &item.calculation) {
            // A number stays a number: `${x} + 1` reads it as one.
            (Some(d), None) if expr::xpath_number(&d).is_some() => {
                item.calculation = Some(d.trim().to_string());
            }
            (Some(d), None) => item.calculation = Some(literal(&d)),
            (Some(d), Some(_)) => self.warn(
                "survey",
                Some(row),
                "default",
                msg!(
                    "xlsform.calculate_default",
                    "the calculation gives the value, so the default `{value}` is not imported",
                    value = d
                ),
            ),
            (None, _) => {}
        }
    }

    /// A `form_id` as a template id: characters an id cannot hold
    /// (`contact:person:create`, `Spec test`, a date and time) become `_`,
    /// said when it changes.
    fn template_id(&mut self, form_id: &str) -> String {
        let mut id: String = form_id
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        if !id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            id = format!("form_{id}");
            id.truncate(64);
        }
        if id != form_id {
            self.warn(
                "settings",
                Some(2),
                "form_id",
                msg!(
                    "xlsform.form_id",
                    "`{form_id}` is not a template id (letters, digits, _ - .); imported as `{id}`",
                    form_id = form_id,
                    id = &id
                ),
            );
        }
        id
    }

    /// An id for a question whose name another question has: the group's
    /// name before it, or a number after it, whichever is free.
    fn unused_id(&self, name: &str, group: Option<&str>) -> String {
        let free = |id: &String| !self.item_rows.contains_key(id);
        group
            .map(|g| format!("{g}_{name}"))
            .filter(free)
            .or_else(|| (2..).map(|n| format!("{name}_{n}")).find(free))
            .unwrap_or_else(|| name.to_string())
    }

    /// `${name}` where two questions have that name cannot be told apart,
    /// as pyxform also refuses.
    fn ambiguous_references(&mut self, survey: &Table, renamed: &BTreeSet<String>) {
        if renamed.is_empty() {
            return;
        }
        for (row, cells) in &survey.rows {
            for (column, text) in cells {
                for name in references(text).filter(|r| renamed.contains(*r)) {
                    self.err(
                        "survey",
                        *row,
                        column,
                        msg!(
                            "xlsform.ambiguous_reference",
                            "`{reference}` could be either question named `{name}`; give them different names",
                            reference = format!("${{{name}}}"),
                            name = name
                        ),
                    );
                }
            }
        }
    }

    /// A `default` cell as an answer of the item's type would be written:
    /// a number, a list of chosen values, or text. One worked out from other
    /// answers or by a function (`${x}`, `today()`) is not supported yet.
    fn default_value(&mut self, row: usize, kind: &str, v: &str) -> Option<serde_json::Value> {
        let v = v.trim();
        // `${x}`, or a function call such as `today()`; not a text in
        // brackets such as "N/A (none)".
        let call = v.char_indices().any(|(i, c)| {
            c == '('
                && v[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_ascii_alphanumeric() || p == '-' || p == ':')
        });
        if v.contains("${") || call {
            self.err(
                "survey",
                row,
                "default",
                msg!(
                    "xlsform.dynamic_default",
                    "a default worked out from answers or functions (`{value}`) is not supported yet; give a fixed value, or a `calculate` item",
                    value = v
                ),
            );
            return None;
        }
        Some(match kind {
            "number" | "scale" | "duration" | "touchpoint" | "recommend" | "partial" => v
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or_else(|| v.into(), serde_json::Value::Number),
            "multiple_choice" => v.split_whitespace().map(serde_json::Value::from).collect(),
            _ => v.into(),
        })
    }

    fn number(&mut self, row: usize, column: &str, v: &str) -> Option<f64> {
        let n = v.parse::<f64>().ok();
        if n.is_none() {
            self.err(
                "survey",
                row,
                column,
                msg!(
                    "xlsform.not_a_number",
                    "`{value}` is not a number",
                    value = v
                ),
            );
        }
        n
    }

    fn read_choices(
        &mut self,
        t: &Table,
        default_lang: &str,
        filter_columns: &BTreeSet<String>,
    ) -> BTreeMap<String, Vec<ChoiceFile>> {
        let mut lists: BTreeMap<String, Vec<ChoiceFile>> = BTreeMap::new();
        for (row, cells) in &t.rows {
            let list = cells.get("list_name").or_else(|| cells.get("list name"));
            let (Some(list), Some(name)) = (list, cells.get("name")) else {
                self.err(
                    &t.name,
                    *row,
                    "list_name",
                    msg!(
                        "xlsform.choice_names",
                        "a choice needs `list_name` and `name`"
                    ),
                );
                continue;
            };
            let score = cells.get("score").and_then(|s| {
                let n = s.parse::<f64>().ok();
                if n.is_none() {
                    self.err(
                        &t.name,
                        *row,
                        "score",
                        msg!(
                            "xlsform.not_a_number",
                            "`{value}` is not a number",
                            value = s
                        ),
                    );
                }
                n
            });
            let label = self
                .text(cells, "label", default_lang)
                .unwrap_or_else(|| Bilingual::new(name, name));
            // A value with spaces (`Primary school`): a multiple choice's
            // answer cannot hold it, so the spaces become `_`, and values
            // written so in conditions follow (`literals`).
            let joined = without_spaces(name);
            let name = if joined != *name && !joined.is_empty() {
                self.warn(
                    &t.name,
                    Some(*row),
                    "name",
                    msg!(
                        "xlsform.choice_spaces",
                        "`{value}` holds spaces, which a chosen value cannot: imported as `{id}`",
                        value = name,
                        id = &joined
                    ),
                );
                &joined
            } else {
                name
            };
            let data = filter_columns
                .iter()
                .filter(|c| c.as_str() != "name")
                .filter_map(|c| Some((c.clone(), cells.get(c)?.clone())))
                .collect();
            lists.entry(list.clone()).or_default().push(ChoiceFile {
                value: name.clone(),
                label,
                score,
                data,
            });
        }
        lists
    }

    fn item(
        &mut self,
        row: usize,
        cells: &HashMap<String, String>,
        base: &str,
        arg: &str,
        lists: &BTreeMap<String, Vec<ChoiceFile>>,
        default_lang: &str,
    ) -> Option<ItemFile> {
        // A list from the `external_choices` sheet, which ODK searches as
        // the respondent types: here a list like any other.
        let base = if base == "select_one_external" {
            "select_one"
        } else {
            base
        };
        // A question with a calculation is kept up to date by ODK, not
        // asked (usually shown read-only): a calculation here, not shown.
        let base = if cells.contains_key("calculation") && !matches!(base, "calculate" | "hidden") {
            self.warn(
                "survey",
                Some(row),
                "calculation",
                msg!(
                    "xlsform.calculated_question",
                    "a `{type_name}` question with a calculation is worked out, not asked: imported as a calculation, which the form does not show",
                    type_name = base
                ),
            );
            "calculate"
        } else {
            base
        };
        let get = |k: &str| cells.get(k).cloned();
        let flag = |k: &str| {
            cells.get(k).is_some_and(|v| {
                matches!(v.to_lowercase().as_str(), "yes" | "true" | "true()" | "1")
            })
        };
        let mut item = ItemFile {
            id: get("name").unwrap_or_default(),
            label: self.text(cells, "label", default_lang).unwrap_or_default(),
            hint: self.text(cells, "hint", default_lang),
            required: flag("required"),
            relevant: get("relevant"),
            constraint: get("constraint"),
            constraint_message: self.text(cells, "constraint_message", default_lang),
            critical: get("critical"),
            bonus: flag("bonus"),
            reverse: flag("reverse"),
            pass_if: get("pass_if"),
            calculation: get("calculation"),
            choice_filter: get("choice_filter"),
            unit: get("unit"),
            call: get("call"),
            tags: Tags {
                stage: get("stage"),
                activity: get("activity"),
                layer: get("layer"),
                attribute: get("attribute"),
                dimension: get("dimension"),
                standard: get("standard"),
                fix: get("fix")
                    .map(|f| {
                        f.split([',', ' '])
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            ..ItemFile::default()
        };
        // A calculation is seldom labelled: it is not shown.
        if base == "calculate" && item.label.zh.is_empty() && item.label.en.is_empty() {
            item.label = Bilingual::new(item.id.clone(), item.id.clone());
        }
        if let Some(p) = get("points") {
            item.points = self.number(row, "points", &p);
        }
        if let Some(f) = get("fail_below") {
            item.fail_below = self.number(row, "fail_below", &f);
        }
        // `select_one yn or_other`: the list, with an "Other" choice added.
        let (arg, or_other) = match arg.strip_suffix("or_other") {
            Some(list) if list.ends_with(char::is_whitespace) => (list.trim(), true),
            _ => (arg, false),
        };
        let with_other;
        let lists = if or_other {
            let mut all = lists.clone();
            if let Some(list) = all.get_mut(arg)
                && !list.iter().any(|c| c.value == "other")
            {
                list.push(ChoiceFile {
                    value: "other".into(),
                    label: Bilingual::new("其他", "Other"),
                    score: None,
                    data: BTreeMap::new(),
                });
            }
            self.warn(
                "survey",
                Some(row),
                "type",
                msg!(
                    "xlsform.or_other",
                    "`or_other` adds the choice \"Other\"; the question asking which is not added"
                ),
            );
            with_other = all;
            &with_other
        } else {
            lists
        };
        item.kind = match base {
            "select_one" | "select_multiple" => {
                let Some(list) = lists.get(arg) else {
                    self.err(
                        "survey",
                        row,
                        "type",
                        msg!(
                            "xlsform.no_choice_list",
                            "choice list `{list}` is on neither the choices nor the external_choices sheet",
                            list = arg
                        ),
                    );
                    return None;
                };
                let values: Vec<&str> = list.iter().map(|c| c.value.as_str()).collect();
                let pass_fail = base == "select_one"
                    && values.contains(&"pass")
                    && values.contains(&"fail")
                    && values.iter().all(|v| matches!(*v, "pass" | "fail" | "na"));
                if pass_fail {
                    item.allow_na = Some(values.contains(&"na"));
                    "pass_fail".into()
                } else {
                    item.choices = list.clone();
                    if base == "select_one" {
                        "single_choice"
                    } else {
                        "multiple_choice"
                    }
                    .into()
                }
            }
            // `int` and `gps`: pyxform's older names.
            "integer" | "decimal" | "int" => {
                item.integer = base != "decimal";
                "number".into()
            }
            "range" => {
                let raw = get("parameters").unwrap_or_default();
                let params: HashMap<&str, &str> = raw
                    .split_whitespace()
                    .filter_map(|p| p.split_once('='))
                    .collect();
                let param =
                    |k: &str, d: f64| params.get(k).and_then(|v| v.parse().ok()).unwrap_or(d);
                item.min = Some(param("start", 1.0));
                item.max = Some(param("end", 10.0));
                "scale".into()
            }
            "text" | "note" | "date" | "time" | "datetime" => base.into(),
            // The XForm's own spelling.
            "dateTime" => "datetime".into(),
            "image" => "photo".into(),
            // pyxform's older name for text.
            "string" => "text".into(),
            // A value carried, never shown: its default, as a calculation.
            "hidden" => {
                item.calculation = Some(literal(&get("default").unwrap_or_default()));
                if item.label.zh.is_empty() && item.label.en.is_empty() {
                    item.label = Bilingual::new(item.id.clone(), item.id.clone());
                }
                "calculate".into()
            }
            // Ticked or not: one choice, OK.
            "acknowledge" => {
                item.choices = vec![ChoiceFile {
                    value: "OK".into(),
                    label: Bilingual::new("确认", "OK"),
                    score: None,
                    data: BTreeMap::new(),
                }];
                "single_choice".into()
            }
            "barcode" => {
                self.warn(
                    "survey",
                    Some(row),
                    "type",
                    msg!(
                        "xlsform.barcode",
                        "`barcode` is captured as text typed in: the app has no scanner yet"
                    ),
                );
                "text".into()
            }
            "geopoint" | "gps" => "location".into(),
            // Fieldcheck's own types may be written directly.
            t if super::AnswerType::NAMES.contains(&t) => t.into(),
            t if NOT_YET_TYPES.contains(&t) => {
                self.err(
                    "survey",
                    row,
                    "type",
                    msg!(
                        "xlsform.type_not_yet",
                        "`{type_name}` is an XLSForm type Fieldcheck does not support yet",
                        type_name = t
                    ),
                );
                return None;
            }
            t => {
                self.err(
                    "survey",
                    row,
                    "type",
                    msg!(
                        "xlsform.unsupported_type",
                        "type `{type_name}` is not supported",
                        type_name = t
                    ),
                );
                return None;
            }
        };
        if base == "note" && item.required {
            item.required = false;
            let why = msg!(
                "xlsform.note_required",
                "a note is read, not answered, so `required` is not imported"
            );
            self.warn("survey", Some(row), "required", why);
        }
        if base == "calculate" {
            self.calculate_columns(row, &mut item, get("default"));
        } else if let Some(d) = get("default").filter(|_| base != "hidden") {
            item.default = self.default_value(row, &item.kind, &d);
            self.keep_offered_default(row, &mut item);
        }
        if item.constraint_message.is_some() && item.constraint.is_none() {
            item.constraint_message = None;
            let why = msg!(
                "xlsform.constraint_message_alone",
                "a constraint message without a constraint is never shown, so it is not imported"
            );
            self.warn("survey", Some(row), "constraint_message", why);
        }
        // A question with only a picture, or nothing, to show (ODK allows
        // it): its name, said.
        if item.label.zh.is_empty() && item.label.en.is_empty() {
            item.label = Bilingual::new(item.id.clone(), item.id.clone());
            let why = msg!(
                "xlsform.no_label",
                "no label in a language Fieldcheck keeps: the question shows its name, `{name}`",
                name = &item.id
            );
            self.warn("survey", Some(row), "label", why);
        }
        if base != "range" && get("parameters").is_some() {
            self.warn(
                "survey",
                Some(row),
                "parameters",
                msg!(
                    "xlsform.parameters_ignored",
                    "only `range` parameters are imported"
                ),
            );
        }
        Some(item)
    }
}

/// A type as written, its words one space apart, with pyxform's other
/// spellings of the choice types in their usual form: `select one from
/// L`, `select1 L`, `select all that apply L`, `select multiple from L`...
fn select_alias(ty: &str) -> String {
    const ALIASES: &[(&str, &str)] = &[
        ("add select one prompt using ", "select_one "),
        ("add select multiple prompt using ", "select_multiple "),
        ("select all that apply from ", "select_multiple "),
        ("select all that apply ", "select_multiple "),
        ("select_all_that_apply ", "select_multiple "),
        ("select multiple from ", "select_multiple "),
        ("select multiple using ", "select_multiple "),
        ("select multiple ", "select_multiple "),
        ("select one external ", "select_one_external "),
        ("select one from ", "select_one "),
        ("select one using ", "select_one "),
        ("select one ", "select_one "),
        ("select1 ", "select_one "),
    ];
    let ty = ty.split_whitespace().collect::<Vec<_>>().join(" ");
    // `or specify other`: pyxform's older `or_other`.
    let ty = match ty.strip_suffix(" or specify other") {
        Some(list) => format!("{list} or_other"),
        None => ty,
    };
    ALIASES
        .iter()
        .find_map(|(alias, usual)| Some(format!("{usual}{}", ty.strip_prefix(alias)?)))
        .unwrap_or(ty)
}

/// A choice value as imported: its spaces (runs of them) as `_`.
fn without_spaces(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join("_")
}

/// An expression's places (`${/group/name}`) as the ids of the questions
/// there.
fn link(text: &mut Option<String>, paths: &Paths, ids: &HashMap<usize, String>) {
    if let Some(t) = text.as_mut().filter(|t| t.contains("${/")) {
        *t = paths.link(t, ids);
    }
}

/// The names `${name}` references in a cell read, spaces inside the
/// braces aside (`${ name }` is `${name}`).
fn references(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| Some(rest[..rest.find('}')?].trim()))
}

/// A fixed value as an expression: text in the quotes it does not hold.
fn literal(value: &str) -> String {
    if value.contains('\'') {
        format!("\"{}\"", value.replace('"', "'"))
    } else {
        format!("'{value}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_clear_error_not_a_panic() {
        let e = import(b"PK\x03\x04 definitely not a workbook").expect_err("garbage");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].message.text.contains("not a readable .xlsx"),
            "{}",
            e[0]
        );
        assert!(import(&[]).is_err());
    }

    #[test]
    fn languages_are_recognised_in_the_usual_spellings() {
        for (s, l) in [
            ("Chinese (zh)", "zh"),
            ("zh-CN", "zh"),
            ("中文", "zh"),
            ("English (en)", "en"),
            ("en", "en"),
        ] {
            assert_eq!(language(s), Some(l), "{s}");
        }
        assert_eq!(language("French (fr)"), None);
    }
}
