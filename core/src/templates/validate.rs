//! Turns a [`TemplateFile`] into a typed [`Template`], collecting every problem
//! with its location instead of stopping at the first.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Deserialize;

use super::expr::{self, Expr, Scope, Ty};
use super::file::{ChoiceFile, ItemFile, SCHEMA_VERSION, SectionFile, TemplateFile};
use super::*;
use crate::msg;
use crate::msg::Msg;
use crate::vocab::{Activity, FixDimension, Layer, Stage};

/// Line numbers of sections and items in a TOML source, found by a second,
/// lenient parse that keeps spans.
#[derive(Debug, Default)]
pub(crate) struct LineMap {
    sections: HashMap<String, usize>,
    items: HashMap<String, usize>,
}

#[derive(Deserialize)]
struct SpanFile {
    #[serde(default)]
    sections: Vec<SpanSection>,
}

#[derive(Deserialize)]
struct SpanSection {
    id: Option<toml::Spanned<String>>,
    #[serde(default)]
    items: Vec<SpanItem>,
}

#[derive(Deserialize)]
struct SpanItem {
    id: Option<toml::Spanned<String>>,
}

impl LineMap {
    pub(crate) fn from_toml(src: &str) -> LineMap {
        let mut map = LineMap::default();
        let Ok(spans) = toml::from_str::<SpanFile>(src) else {
            return map;
        };
        let line = |s: &toml::Spanned<String>| line_col(src, s.span().start).0;
        for section in spans.sections {
            if let Some(id) = &section.id {
                map.sections.entry(id.get_ref().clone()).or_insert(line(id));
            }
            for item in section.items {
                if let Some(id) = &item.id {
                    map.items.entry(id.get_ref().clone()).or_insert(line(id));
                }
            }
        }
        map
    }
}

struct Problems<'a> {
    lines: &'a LineMap,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn at(&mut self, section: Option<&str>, item: Option<&str>, field: &str, msg: Msg) {
        let line = item
            .and_then(|i| self.lines.items.get(i))
            .or_else(|| section.and_then(|s| self.lines.sections.get(s)))
            .copied();
        self.list.push(Problem {
            location: Location {
                line,
                section: section.map(str::to_string),
                item: item.map(str::to_string),
                field: (!field.is_empty()).then(|| field.to_string()),
            },
            message: msg,
        });
    }

    fn top(&mut self, field: &str, msg: Msg) {
        self.at(None, None, field, msg);
    }

    fn bilingual(&mut self, s: Option<&str>, i: Option<&str>, field: &str, text: &Bilingual) {
        let missing = text.missing();
        if !missing.is_empty() {
            let langs: Vec<_> = missing.iter().map(|l| l.tag()).collect();
            self.at(
                s,
                i,
                field,
                msg!(
                    "template.text_missing",
                    "text missing in {languages}",
                    languages = langs.join(" and ")
                ),
            );
        }
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && id.len() <= 64
}

/// Facts about an item needed to check expressions that read it.
#[derive(Clone)]
struct ItemFacts {
    ty: Option<Ty>,
    choices: Option<Vec<String>>,
    /// The repeated section it is in, if it is in one.
    repeat: Option<String>,
}

struct ExprScope<'a> {
    items: &'a HashMap<String, ItemFacts>,
    current: Option<(Ty, Option<String>)>,
    /// The columns of the choices a `choice_filter` filters.
    fields: Option<&'a [String]>,
    /// The repeated section the expression is read in, if any.
    within: Option<&'a str>,
}

impl<'a> ExprScope<'a> {
    /// The scope of an expression of `item` (`None`: of a section, read
    /// outside any entry).
    fn of(items: &'a HashMap<String, ItemFacts>, item: Option<&str>) -> ExprScope<'a> {
        ExprScope {
            items,
            current: None,
            fields: None,
            within: item
                .and_then(|id| items.get(id))
                .and_then(|f| f.repeat.as_deref()),
        }
    }
}

impl Scope for ExprScope<'_> {
    fn type_of(&self, name: &str) -> Option<Ty> {
        self.items.get(name).and_then(|f| f.ty)
    }
    fn choices_of(&self, name: &str) -> Option<Vec<String>> {
        self.items.get(name).and_then(|f| f.choices.clone())
    }
    fn current(&self) -> Option<(Ty, Option<String>)> {
        self.current.clone()
    }
    fn fields(&self) -> Option<&[String]> {
        self.fields
    }
    fn repeated(&self, name: &str) -> Option<String> {
        let repeat = self.items.get(name)?.repeat.as_deref()?;
        (Some(repeat) != self.within).then(|| repeat.to_string())
    }
    fn repeat_of(&self, name: &str) -> Option<String> {
        self.items.get(name)?.repeat.clone()
    }
    fn is_repeat(&self, name: &str) -> bool {
        self.items
            .values()
            .any(|f| f.repeat.as_deref() == Some(name))
    }
    fn in_entry(&self) -> bool {
        self.within.is_some()
    }
}

/// The expression type of an answer of this file type, `None` for notes
/// (and, until their calculations are checked, `calculate` items).
fn value_type(kind: &str) -> Option<Ty> {
    match kind {
        "partial" | "scale" | "touchpoint" | "recommend" | "number" | "duration" => Some(Ty::Num),
        "multiple_choice" => Some(Ty::List),
        "note" | "calculate" => None,
        _ => Some(Ty::Str),
    }
}

pub(crate) fn validate(file: TemplateFile, lines: &LineMap) -> Result<Template, Vec<Problem>> {
    let mut p = Problems {
        lines,
        list: Vec::new(),
    };

    if file.schema != SCHEMA_VERSION {
        p.top(
            "schema",
            msg!(
                "template.schema_unsupported",
                "schema {schema} is not supported (this version reads {supported})",
                schema = file.schema,
                supported = SCHEMA_VERSION
            ),
        );
    }
    if !valid_id(&file.id) {
        p.top(
            "id",
            msg!(
                "template.invalid_id",
                "`{id}` is not a valid id (letters, digits, _ - .; start with a letter)",
                id = file.id
            ),
        );
    }
    let kind = TemplateKind::parse(&file.kind);
    if kind.is_none() {
        p.top(
            "kind",
            msg!(
                "template.unknown_kind",
                "`{value}` is not a template kind ({names})",
                value = file.kind,
                names = TemplateKind::names()
            ),
        );
    }
    let mode = VisitMode::parse(&file.mode);
    if mode.is_none() {
        p.top(
            "mode",
            msg!(
                "template.unknown_mode",
                "`{value}` is not a visit mode ({names})",
                value = file.mode,
                names = VisitMode::names()
            ),
        );
    }
    let channel = Channel::parse(&file.channel);
    if channel.is_none() {
        p.top(
            "channel",
            msg!(
                "template.unknown_channel",
                "`{value}` is not a channel ({names})",
                value = file.channel,
                names = Channel::names()
            ),
        );
    }
    if (kind == Some(TemplateKind::Questionnaire)) != (mode == Some(VisitMode::Intercept))
        && kind.is_some()
        && mode.is_some()
    {
        p.top(
            "mode",
            msg!(
                "template.mode_for_kind",
                "questionnaires use mode `intercept`, checklists any other mode"
            ),
        );
    }
    p.bilingual(None, None, "title", &file.title);
    if let Some(d) = &file.description {
        p.bilingual(None, None, "description", d);
    }
    let pass_threshold = file.pass_threshold.unwrap_or(0.0);
    if !(0.0..=100.0).contains(&pass_threshold) {
        p.top(
            "pass_threshold",
            msg!("template.between_0_and_100", "must be between 0 and 100"),
        );
    }
    let keep_partial = match file.partial_responses.as_deref() {
        None | Some("discard") => false,
        Some("keep") => true,
        Some(other) => {
            p.top(
                "partial_responses",
                msg!(
                    "template.partial_responses",
                    "`{value}` is neither `discard` nor `keep`",
                    value = other
                ),
            );
            false
        }
    };
    let touchpoint_scores = file.touchpoint_scores.unwrap_or(DEFAULT_TOUCHPOINT_SCORES);
    if touchpoint_scores.iter().any(|s| !(0.0..=100.0).contains(s)) {
        p.top(
            "touchpoint_scores",
            msg!(
                "template.touchpoint_scores",
                "every score must be between 0 and 100"
            ),
        );
    }
    if file.sections.is_empty() {
        p.top(
            "sections",
            msg!(
                "template.no_sections",
                "a template needs at least one section"
            ),
        );
    }

    // First pass: ids and the facts expressions need.
    let mut facts: HashMap<String, ItemFacts> = HashMap::new();
    let mut section_ids = HashSet::new();
    for s in &file.sections {
        if !valid_id(&s.id) {
            p.at(
                Some(&s.id),
                None,
                "id",
                msg!(
                    "template.invalid_section_id",
                    "`{id}` is not a valid section id",
                    id = s.id
                ),
            );
        }
        if !section_ids.insert(s.id.as_str()) {
            p.at(
                Some(&s.id),
                None,
                "id",
                msg!("template.section_id_twice", "section id used twice"),
            );
        }
        for i in &s.items {
            if !valid_id(&i.id) {
                p.at(
                    Some(&s.id),
                    Some(&i.id),
                    "id",
                    msg!(
                        "template.invalid_item_id",
                        "`{id}` is not a valid item id",
                        id = i.id
                    ),
                );
            }
            let f = ItemFacts {
                ty: value_type(&i.kind),
                choices: (!i.choices.is_empty())
                    .then(|| i.choices.iter().map(|c| c.value.clone()).collect()),
                repeat: s.repeat.then(|| s.id.clone()),
            };
            if facts.insert(i.id.clone(), f).is_some() {
                p.at(
                    Some(&s.id),
                    Some(&i.id),
                    "id",
                    msg!(
                        "template.item_id_twice",
                        "item id used twice in this template"
                    ),
                );
            }
        }
    }

    type_calculations(&file, &mut facts);

    let mut sections = Vec::new();
    let mut index = HashMap::new();
    for (si, s) in file.sections.iter().enumerate() {
        let section = check_section(&mut p, s, &facts);
        for (ii, item) in section.items.iter().enumerate() {
            index.entry(item.id.clone()).or_insert(ItemPos {
                section: si,
                item: ii,
            });
        }
        sections.push(section);
    }

    // The call bar's moments: test calls only, each on one item.
    let mut moments = HashMap::new();
    for (s, i) in sections
        .iter()
        .flat_map(|s| s.items.iter().map(move |i| (s, i)))
    {
        let Some(moment) = i.call else { continue };
        let msg = if mode.is_some_and(|m| m != VisitMode::TestCall) {
            msg!(
                "template.call_bar_test_call_only",
                "only test-call templates have a call bar"
            )
        } else if let Some(first) = moments.insert(moment, i.id.as_str()) {
            msg!(
                "template.call_moment_twice",
                "`{moment}` is already recorded on `{item}`",
                moment = moment,
                item = first
            )
        } else {
            continue;
        };
        p.at(Some(&s.id), Some(&i.id), "call", msg);
    }

    let scored = sections
        .iter()
        .flat_map(|s| &s.items)
        .any(|i| i.scoring.is_some());
    if kind == Some(TemplateKind::Checklist) && !scored && !file.sections.is_empty() {
        p.top(
            "sections",
            msg!(
                "template.checklist_unscored",
                "a checklist needs at least one scored item (with `points`)"
            ),
        );
    }

    let relevance_order = order_by_relevance(&mut p, &sections);
    let lookup = |id: &str| {
        index
            .get(id)
            .map(|pos: &ItemPos| &sections[pos.section].items[pos.item])
    };

    check_read_once(&mut p, &file, &sections, &index);
    let constructs = check_constructs(&mut p, &file, &lookup);
    let gaps = check_gaps(&mut p, &file, &lookup);
    check_analysis(&mut p, &file, &lookup);

    if !p.list.is_empty() {
        return Err(p.list);
    }
    let (Some(kind), Some(mode), Some(channel)) = (kind, mode, channel) else {
        // Each `None` above recorded a problem, so this is unreachable.
        return Err(p.list);
    };
    let version = blake3::hash(&canonical_json(&file)).to_hex().to_string();
    Ok(Template {
        id: file.id.clone(),
        version,
        kind,
        mode,
        channel,
        title: file.title.clone(),
        pass_threshold,
        keep_partial_responses: keep_partial,
        touchpoint_scores,
        sections,
        constructs,
        gaps,
        analysis: file.analysis.clone(),
        relevance_order,
        index,
        source: file,
    })
}

/// The type of each `calculate` item's value: its calculation's (text for
/// a condition), worked out in rounds so that a calculation may read
/// another. One that does not
/// check (its problem is reported with the item) or goes round in a
/// circle reads as text, so that expressions reading it are not refused
/// for that too.
fn type_calculations(file: &TemplateFile, facts: &mut HashMap<String, ItemFacts>) {
    let mut pending: Vec<(String, Expr)> = file
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .filter(|i| i.kind == "calculate")
        .filter_map(|i| Some((i.id.clone(), expr::parse(i.calculation.as_deref()?).ok()?)))
        .collect();
    loop {
        let typed: Vec<(usize, Ty)> = {
            pending
                .iter()
                .enumerate()
                .filter_map(|(k, (id, e))| {
                    let scope = ExprScope::of(facts, Some(id));
                    Some((k, expr::check(e, &scope).ok()?))
                })
                .collect()
        };
        if typed.is_empty() {
            break;
        }
        for (k, ty) in typed.iter().rev() {
            let (id, _) = pending.remove(*k);
            if let Some(f) = facts.get_mut(&id) {
                // A condition's value is kept as the text `true` / `false`,
                // as an XForm keeps it: compare it, `${late} = 'true'`.
                f.ty = Some(if *ty == Ty::Bool { Ty::Str } else { *ty });
            }
        }
    }
    for (id, _) in pending {
        if let Some(f) = facts.get_mut(&id) {
            f.ty = Some(Ty::Str);
        }
    }
}

fn check_section(p: &mut Problems, s: &SectionFile, facts: &HashMap<String, ItemFacts>) -> Section {
    let sid = Some(s.id.as_str());
    p.bilingual(sid, None, "title", &s.title);
    let weight = s.weight.unwrap_or(1.0);
    if !(weight.is_finite() && weight > 0.0) {
        p.at(
            sid,
            None,
            "weight",
            msg!("template.above_zero", "must be a number above 0"),
        );
    }
    if s.items.is_empty() {
        p.at(
            sid,
            None,
            "items",
            msg!(
                "template.empty_section",
                "a section needs at least one item"
            ),
        );
    }
    let relevant = s
        .relevant
        .as_deref()
        .and_then(|src| parse_checked(p, sid, None, "relevant", src, facts, None));
    let count = match (s.repeat, s.repeat_count.as_deref()) {
        (true, Some(src)) => {
            let scope = ExprScope::of(facts, None);
            let count = parse_expr(p, (sid, None), "repeat_count", src, &scope, false);
            count.filter(|e| {
                let ty = expr::check(e, &scope).ok();
                let numeric = matches!(ty, Some(Ty::Num | Ty::Str));
                if !numeric {
                    p.at(
                        sid,
                        None,
                        "repeat_count",
                        msg!("template.repeat_count", "must give a number of entries"),
                    );
                }
                numeric
            })
        }
        (false, Some(_)) => {
            p.at(
                sid,
                None,
                "repeat_count",
                msg!(
                    "template.repeat_count_alone",
                    "only a repeated section (`repeat = true`) has a count"
                ),
            );
            None
        }
        (_, None) => None,
    };
    let items = s
        .items
        .iter()
        .map(|i| check_item(p, &s.id, i, facts))
        .collect();
    Section {
        id: s.id.clone(),
        title: s.title.clone(),
        weight,
        relevant,
        repeat: s.repeat.then_some(Repeat { count }),
        items,
    }
}

/// A condition (`relevant`, `constraint`, `pass_if`) parsed and checked.
fn parse_checked(
    p: &mut Problems,
    section: Option<&str>,
    item: Option<&str>,
    field: &str,
    src: &str,
    facts: &HashMap<String, ItemFacts>,
    current: Option<(Ty, Option<String>)>,
) -> Option<Expr> {
    let scope = ExprScope {
        current,
        ..ExprScope::of(facts, item)
    };
    parse_expr(p, (section, item), field, src, &scope, true)
}

/// An expression parsed and checked: a condition, or (`condition` false)
/// a value of any type, such as a calculation.
fn parse_expr(
    p: &mut Problems,
    (section, item): Loc,
    field: &str,
    src: &str,
    scope: &ExprScope<'_>,
    condition: bool,
) -> Option<Expr> {
    let wrong = |p: &mut Problems, error: Msg| {
        p.at(
            section,
            item,
            field,
            msg!(
                "template.expr",
                "`{src}`: {error}",
                src = src,
                error = error
            ),
        );
    };
    let e = match expr::parse(src) {
        Ok(e) => e,
        Err(e) => {
            wrong(p, e.msg());
            return None;
        }
    };
    let checked = if condition {
        expr::check_bool(&e, scope)
    } else {
        expr::check(&e, scope).map(|_| ())
    };
    if let Err(e) = checked {
        wrong(p, e.msg());
        return None;
    }
    Some(e)
}

/// Fields that only some answer types use: (field, is it set, types that use it).
fn type_parameters(i: &ItemFile) -> [(&'static str, bool, &'static [&'static str]); 10] {
    [
        ("min", i.min.is_some(), &["scale", "number"]),
        ("max", i.max.is_some(), &["scale", "number"]),
        ("min_label", i.min_label.is_some(), &["scale"]),
        ("max_label", i.max_label.is_some(), &["scale"]),
        (
            "choices",
            !i.choices.is_empty(),
            &["single_choice", "multiple_choice"],
        ),
        (
            "choice_filter",
            i.choice_filter.is_some(),
            &["single_choice", "multiple_choice"],
        ),
        ("unit", i.unit.is_some(), &["number"]),
        ("integer", i.integer, &["number"]),
        ("pass_if", i.pass_if.is_some(), &["number", "duration"]),
        ("calculation", i.calculation.is_some(), &["calculate"]),
    ]
}

fn check_item(
    p: &mut Problems,
    sid: &str,
    i: &ItemFile,
    facts: &HashMap<String, ItemFacts>,
) -> Item {
    let (s, it) = (Some(sid), Some(i.id.as_str()));
    p.bilingual(s, it, "label", &i.label);
    for (field, text) in [
        ("hint", &i.hint),
        ("constraint_message", &i.constraint_message),
    ] {
        if let Some(t) = text {
            p.bilingual(s, it, field, t);
        }
    }
    if !AnswerType::NAMES.contains(&i.kind.as_str()) {
        p.at(
            s,
            it,
            "type",
            msg!(
                "template.unknown_type",
                "`{value}` is not an answer type ({names})",
                value = i.kind,
                names = AnswerType::NAMES.join(", ")
            ),
        );
    }
    for (field, set, used_by) in type_parameters(i) {
        if set && !used_by.contains(&i.kind.as_str()) {
            p.at(
                s,
                it,
                field,
                msg!(
                    "template.field_not_for_type",
                    "has no meaning for type `{kind}` (only for {types})",
                    kind = i.kind,
                    types = used_by.join(", ")
                ),
            );
        }
    }
    let current = value_type(&i.kind).map(|t| (t, Some(i.id.clone())));
    let pass_if = i
        .pass_if
        .as_deref()
        .and_then(|src| parse_checked(p, s, it, "pass_if", src, facts, current.clone()));
    let calculation = if i.kind == "calculate" {
        match i.calculation.as_deref() {
            Some(src) => {
                let scope = ExprScope::of(facts, it);
                parse_expr(p, (s, it), "calculation", src, &scope, false)
            }
            None => {
                p.at(
                    s,
                    it,
                    "calculation",
                    msg!(
                        "template.calculation_missing",
                        "a `calculate` item needs a `calculation`"
                    ),
                );
                None
            }
        }
    } else {
        None
    };
    let answer = match calculation {
        Some(e) => AnswerType::Calculate(e),
        // A calculation with a problem (reported) takes no answer either.
        None if i.kind == "calculate" => AnswerType::Note,
        None => answer_type(p, s, it, i, pass_if),
    };

    let relevant = i
        .relevant
        .as_deref()
        .and_then(|src| parse_checked(p, s, it, "relevant", src, facts, None));
    let constraint = i
        .constraint
        .as_deref()
        .and_then(|src| parse_checked(p, s, it, "constraint", src, facts, current.clone()));
    if i.constraint_message.is_some() && i.constraint.is_none() {
        p.at(
            s,
            it,
            "constraint_message",
            msg!(
                "template.constraint_message_alone",
                "given without a `constraint`"
            ),
        );
    }
    if i.kind == "calculate" && (i.required || i.constraint.is_some() || i.points.is_some()) {
        p.at(
            s,
            it,
            "type",
            msg!(
                "template.calculate_not_answered",
                "a `calculate` item takes no answer, so it cannot be required, constrained or scored"
            ),
        );
    }
    if matches!(answer, AnswerType::Note) && i.required && i.kind != "calculate" {
        p.at(
            s,
            it,
            "required",
            msg!(
                "template.note_required",
                "a note takes no answer, so it cannot be required"
            ),
        );
    }
    if i.reverse && answer.scale_range().is_none() {
        p.at(
            s,
            it,
            "reverse",
            msg!(
                "template.reverse_not_rating",
                "only rating scales can be reverse-coded"
            ),
        );
    }
    let choice_filter = i.choice_filter.as_deref().and_then(|src| {
        let columns = choice_columns(answer.choices()?);
        let scope = ExprScope {
            fields: Some(&columns),
            ..ExprScope::of(facts, it)
        };
        parse_expr(p, (s, it), "choice_filter", src, &scope, true)
    });
    let scoring = check_scoring(p, s, it, i, &answer);
    check_tags(p, s, it, &i.tags);
    let call = i
        .call
        .as_deref()
        .and_then(|c| check_call(p, (s, it), c, &answer));
    let mut item = Item {
        id: i.id.clone(),
        label: i.label.clone(),
        hint: i.hint.clone(),
        allow_na: i.allow_na.unwrap_or(!matches!(
            answer,
            AnswerType::Note | AnswerType::Calculate(_)
        )),
        answer,
        required: i.required,
        scoring,
        relevant,
        constraint,
        constraint_message: i.constraint_message.clone(),
        reverse: i.reverse,
        tags: i.tags.clone(),
        call,
        default: None,
        choice_filter,
    };
    if let Some(json) = &i.default {
        match super::values::from_json(&item, json) {
            Ok(v) if !matches!(item.answer, AnswerType::Note) => item.default = Some(v),
            Ok(_) => {}
            Err(problem) => p.at(
                s,
                it,
                "default",
                msg!(
                    "template.default",
                    "`{value}` cannot start the form: {problem}",
                    value = json,
                    problem = problem.msg()
                ),
            ),
        }
    }
    item
}

/// Where in the template: section and item ids.
type Loc<'a> = (Option<&'a str>, Option<&'a str>);

/// A call-bar moment and the answer type it needs.
fn check_call(p: &mut Problems, at: Loc, name: &str, answer: &AnswerType) -> Option<CallMoment> {
    let (s, it) = at;
    let Some(moment) = CallMoment::parse(name) else {
        let msg = msg!(
            "template.unknown_call_moment",
            "`{value}` is not a moment of the call ({names})",
            value = name,
            names = CallMoment::names()
        );
        p.at(s, it, "call", msg);
        return None;
    };
    let (fits, needs) = match moment {
        CallMoment::Dialled => (matches!(answer, AnswerType::DateTime), "datetime"),
        CallMoment::Wait | CallMoment::Talk => {
            (matches!(answer, AnswerType::Duration { .. }), "duration")
        }
    };
    if !fits {
        p.at(
            s,
            it,
            "call",
            msg!(
                "template.call_moment_type",
                "`{moment}` is recorded on a `{kind}` item",
                moment = name,
                kind = needs
            ),
        );
    }
    Some(moment)
}

fn answer_type(
    p: &mut Problems,
    s: Option<&str>,
    it: Option<&str>,
    i: &ItemFile,
    pass_if: Option<Expr>,
) -> AnswerType {
    match i.kind.as_str() {
        "pass_fail" => AnswerType::PassFail,
        "partial" => AnswerType::Partial,
        "scale" => {
            let (min, max) = (i.min.unwrap_or(f64::NAN), i.max.unwrap_or(f64::NAN));
            if !(min.is_finite() && max.is_finite() && min < max) {
                p.at(
                    s,
                    it,
                    "min",
                    msg!(
                        "template.scale_range",
                        "a scale needs `min` and `max` with min < max"
                    ),
                );
            }
            for (field, label) in [("min_label", &i.min_label), ("max_label", &i.max_label)] {
                if let Some(l) = label {
                    p.bilingual(s, it, field, l);
                }
            }
            AnswerType::Scale {
                min,
                max,
                min_label: i.min_label.clone(),
                max_label: i.max_label.clone(),
            }
        }
        "touchpoint" => AnswerType::Touchpoint,
        "recommend" => AnswerType::Recommend,
        "single_choice" => AnswerType::SingleChoice(check_choices(p, s, it, &i.choices)),
        "multiple_choice" => AnswerType::MultipleChoice(check_choices(p, s, it, &i.choices)),
        "number" => {
            if let (Some(lo), Some(hi)) = (i.min, i.max)
                && lo > hi
            {
                p.at(
                    s,
                    it,
                    "min",
                    msg!("template.min_above_max", "`min` is above `max`"),
                );
            }
            AnswerType::Number {
                unit: i.unit.clone(),
                integer: i.integer,
                min: i.min,
                max: i.max,
                pass_if,
            }
        }
        "duration" => AnswerType::Duration { pass_if },
        "date" => AnswerType::Date,
        "time" => AnswerType::Time,
        "datetime" => AnswerType::DateTime,
        "photo" => AnswerType::Photo,
        "audio" => AnswerType::Audio,
        "video" => AnswerType::Video,
        "file" => AnswerType::File,
        "signature" => AnswerType::Signature,
        "location" => AnswerType::Location,
        "note" => AnswerType::Note,
        // "text" and unknown types (already reported) read as text.
        _ => AnswerType::Text,
    }
}

fn check_choices(
    p: &mut Problems,
    s: Option<&str>,
    it: Option<&str>,
    choices: &[ChoiceFile],
) -> Vec<Choice> {
    if choices.is_empty() {
        p.at(
            s,
            it,
            "choices",
            msg!(
                "template.no_choices",
                "a choice item needs at least one choice"
            ),
        );
    }
    let mut seen = HashSet::new();
    for c in choices {
        let field = format!("choices.{}", c.value);
        if c.value.trim().is_empty() || c.value.contains(char::is_whitespace) {
            p.at(
                s,
                it,
                &field,
                msg!(
                    "template.choice_value",
                    "a choice value must be a non-empty word without spaces"
                ),
            );
        }
        if !seen.insert(&c.value) {
            p.at(
                s,
                it,
                &field,
                msg!("template.choice_twice", "choice value used twice"),
            );
        }
        p.bilingual(s, it, &field, &c.label);
        if let Some(sc) = c.score
            && !(0.0..=1.0).contains(&sc)
        {
            p.at(
                s,
                it,
                &field,
                msg!(
                    "template.choice_score",
                    "a choice score is a fraction between 0 and 1"
                ),
            );
        }
    }
    choices
        .iter()
        .map(|c| Choice {
            value: c.value.clone(),
            label: c.label.clone(),
            score: c.score,
            data: c.data.clone(),
        })
        .collect()
}

/// What a `choice_filter` may read of each choice: `name` (its value) and
/// every further column any choice of the list has.
fn choice_columns(choices: &[Choice]) -> Vec<String> {
    let mut columns: Vec<String> = std::iter::once("name".to_string())
        .chain(choices.iter().flat_map(|c| c.data.keys().cloned()))
        .collect();
    columns.sort();
    columns.dedup();
    columns
}

fn check_scoring(
    p: &mut Problems,
    s: Option<&str>,
    it: Option<&str>,
    i: &ItemFile,
    answer: &AnswerType,
) -> Option<ItemScoring> {
    let Some(points) = i.points else {
        for (field, set) in [
            ("bonus", i.bonus),
            ("critical", i.critical.is_some()),
            ("fail_below", i.fail_below.is_some()),
        ] {
            if set {
                p.at(
                    s,
                    it,
                    field,
                    msg!(
                        "template.scored_only",
                        "only scored items (with `points`) can have this"
                    ),
                );
            }
        }
        return None;
    };
    if !(points.is_finite() && points > 0.0) {
        p.at(
            s,
            it,
            "points",
            msg!("template.above_zero", "must be a number above 0"),
        );
    }
    let scorable = match answer {
        AnswerType::PassFail
        | AnswerType::Partial
        | AnswerType::Scale { .. }
        | AnswerType::Touchpoint
        | AnswerType::Recommend => true,
        AnswerType::SingleChoice(c) => {
            let any = c.iter().any(|c| c.score.is_some());
            if !any {
                p.at(
                    s,
                    it,
                    "points",
                    msg!(
                        "template.choice_scores_missing",
                        "a scored choice item needs a `score` on its choices"
                    ),
                );
            }
            true
        }
        AnswerType::Number { pass_if, .. } | AnswerType::Duration { pass_if } => {
            if pass_if.is_none() && i.pass_if.is_none() {
                p.at(
                    s,
                    it,
                    "points",
                    msg!(
                        "template.pass_if_missing",
                        "a scored measurement needs a `pass_if` rule, e.g. `. <= 300`"
                    ),
                );
            }
            true
        }
        _ => false,
    };
    if !scorable {
        p.at(
            s,
            it,
            "points",
            msg!(
                "template.not_scorable",
                "items of type `{kind}` cannot be scored",
                kind = i.kind
            ),
        );
    }
    let critical = i.critical.as_deref().and_then(|c| {
        let k = Knockout::parse(c);
        if k.is_none() {
            p.at(
                s,
                it,
                "critical",
                msg!(
                    "template.knockout",
                    "`{value}` is not a knock-out rule (zero_section, zero_visit, cap:N with N in 0..100)",
                    value = c
                ),
            );
        }
        k
    });
    if i.bonus && critical.is_some() {
        p.at(
            s,
            it,
            "critical",
            msg!("template.bonus_critical", "a bonus item cannot be critical"),
        );
    }
    let fail_below = i.fail_below.unwrap_or(DEFAULT_FAIL_BELOW);
    if !(fail_below > 0.0 && fail_below <= 1.0) {
        p.at(
            s,
            it,
            "fail_below",
            msg!(
                "template.fail_below",
                "must be a fraction above 0 and at most 1"
            ),
        );
    }
    Some(ItemScoring {
        points,
        bonus: i.bonus,
        critical,
        fail_below,
    })
}

fn check_tags(p: &mut Problems, s: Option<&str>, it: Option<&str>, t: &Tags) {
    let stage = t.stage.as_deref().map(|v| (v, Stage::parse(v)));
    if let Some((v, None)) = stage {
        p.at(
            s,
            it,
            "tags.stage",
            msg!(
                "template.unknown_stage",
                "`{value}` is not a lifecycle stage ({names})",
                value = v,
                names = Stage::names()
            ),
        );
    }
    if let Some(v) = t.activity.as_deref() {
        match Activity::parse(v) {
            None => p.at(
                s,
                it,
                "tags.activity",
                msg!(
                    "template.unknown_activity",
                    "`{value}` is not a customer activity ({names})",
                    value = v,
                    names = Activity::names()
                ),
            ),
            Some(a) => {
                if let Some((_, Some(st))) = stage
                    && a.stage() != st
                {
                    p.at(
                        s,
                        it,
                        "tags.activity",
                        msg!(
                            "template.activity_stage",
                            "activity `{activity}` belongs to stage `{stage}`, not `{given}`",
                            activity = v,
                            stage = a.stage(),
                            given = st
                        ),
                    );
                }
            }
        }
    }
    let known =
        |value: &Option<String>, parse: fn(&str) -> bool| value.as_deref().is_none_or(parse);
    let checks = [
        (
            "tags.layer",
            &t.layer,
            known(&t.layer, |v| Layer::parse(v).is_some()),
            Layer::names(),
        ),
        (
            "tags.attribute",
            &t.attribute,
            known(&t.attribute, |v| Attribute::parse(v).is_some()),
            Attribute::names(),
        ),
        (
            "tags.dimension",
            &t.dimension,
            known(&t.dimension, |v| Dimension::parse(v).is_some()),
            Dimension::names(),
        ),
    ];
    for (field, value, ok, names) in checks {
        if let Some(v) = value
            && !ok
        {
            p.at(
                s,
                it,
                field,
                msg!(
                    "template.not_one_of",
                    "`{value}` is not one of {names}",
                    value = v,
                    names = names
                ),
            );
        }
    }
    for f in &t.fix {
        if FixDimension::parse(f).is_none() {
            p.at(
                s,
                it,
                "tags.fix",
                msg!(
                    "template.unknown_fix",
                    "`{value}` is not a fix dimension ({names})",
                    value = f,
                    names = FixDimension::names()
                ),
            );
        }
    }
}

/// Orders items so that each comes after the items its relevance (and its
/// section's) reads; reports cycles.
fn order_by_relevance(p: &mut Problems, sections: &[Section]) -> Vec<ItemPos> {
    let mut pos_of = HashMap::new();
    let mut all = Vec::new();
    for (si, s) in sections.iter().enumerate() {
        // `count(${repeat})` reads its entries, known with its first item.
        if s.repeat.is_some() && !s.items.is_empty() {
            pos_of.entry(s.id.as_str()).or_insert(ItemPos {
                section: si,
                item: 0,
            });
        }
        for (ii, i) in s.items.iter().enumerate() {
            pos_of.entry(i.id.as_str()).or_insert(ItemPos {
                section: si,
                item: ii,
            });
            all.push(ItemPos {
                section: si,
                item: ii,
            });
        }
    }
    let deps = |pos: ItemPos| -> Vec<ItemPos> {
        let s = &sections[pos.section];
        let i = &s.items[pos.item];
        let calculation = match &i.answer {
            AnswerType::Calculate(e) => Some(e),
            _ => None,
        };
        let count = s.repeat.as_ref().and_then(|r| r.count.as_ref());
        s.relevant
            .iter()
            .chain(count)
            .chain(i.relevant.iter())
            .chain(calculation)
            .flat_map(|e| e.refs())
            // `count(${repeat})` read in the repeat's first item needs
            // nothing worked out before it.
            .filter(|r| !(*r == s.id && s.repeat.is_some()))
            .filter_map(|r| pos_of.get(r).copied())
            .collect()
    };
    // Iterative depth-first topological sort: 0 = new, 1 = on the stack, 2 = done.
    let mut state: HashMap<(usize, usize), u8> = HashMap::new();
    let mut order = Vec::new();
    let mut reported = BTreeSet::new();
    for start in &all {
        if state.contains_key(&(start.section, start.item)) {
            continue;
        }
        let mut stack = vec![(*start, deps(*start), 0usize)];
        state.insert((start.section, start.item), 1);
        while let Some((node, node_deps, next)) = stack.last_mut() {
            if let Some(dep) = node_deps.get(*next).copied() {
                *next += 1;
                match state.get(&(dep.section, dep.item)) {
                    None => {
                        state.insert((dep.section, dep.item), 1);
                        let d = deps(dep);
                        stack.push((dep, d, 0));
                    }
                    Some(1) => {
                        let item = &sections[node.section].items[node.item];
                        if reported.insert(item.id.clone()) {
                            let target = &sections[dep.section].items[dep.item].id;
                            let (field, message) = match item.answer {
                                AnswerType::Calculate(_) => (
                                    "calculation",
                                    msg!(
                                        "template.calculation_cycle",
                                        "the calculation goes round in a circle through `{item}`",
                                        item = target
                                    ),
                                ),
                                _ => (
                                    "relevant",
                                    msg!(
                                        "template.relevance_cycle",
                                        "relevance goes round in a circle through `{item}`",
                                        item = target
                                    ),
                                ),
                            };
                            p.at(
                                Some(&sections[node.section].id),
                                Some(&item.id),
                                field,
                                message,
                            );
                        }
                    }
                    _ => {}
                }
            } else {
                let done = *node;
                state.insert((done.section, done.item), 2);
                order.push(done);
                stack.pop();
            }
        }
    }
    order
}

/// What reads one answer per record must not name a question of a
/// repeated section, which has one per entry: the satisfaction model's
/// constructs and gaps, and the call bar's moments.
fn check_read_once(
    p: &mut Problems,
    file: &TemplateFile,
    sections: &[Section],
    index: &HashMap<String, ItemPos>,
) {
    let repeat_of = |id: &str| {
        let s = &sections[index.get(id)?.section];
        s.repeat.as_ref().map(|_| s.id.as_str())
    };
    let once = |item: &str, repeat: &str| {
        msg!(
            "template.read_once",
            "`{item}` is answered once per entry of `{repeat}`; this reads one answer per record",
            item = item,
            repeat = repeat
        )
    };
    let named = file
        .constructs
        .iter()
        .flat_map(|c| c.items.iter().map(|i| ("constructs", i)))
        .chain(file.gaps.iter().flat_map(|g| {
            [
                Some(&g.expectation),
                Some(&g.perception),
                g.importance.as_ref(),
            ]
            .into_iter()
            .flatten()
            .map(|i| ("gaps", i))
        }))
        .chain(
            [
                &file.analysis.overall,
                &file.analysis.recommend,
                &file.analysis.csat,
            ]
            .into_iter()
            .flatten()
            .chain(file.analysis.importance_split.values())
            .map(|i| ("analysis", i)),
        );
    for (field, item) in named {
        if let Some(repeat) = repeat_of(item) {
            p.top(field, once(item, repeat));
        }
    }
    for s in sections.iter().filter(|s| s.repeat.is_some()) {
        for i in s.items.iter().filter(|i| i.call.is_some()) {
            p.at(Some(&s.id), Some(&i.id), "call", once(&i.id, &s.id));
        }
    }
}

fn check_constructs<'t>(
    p: &mut Problems,
    file: &TemplateFile,
    lookup: &dyn Fn(&str) -> Option<&'t Item>,
) -> Vec<Construct> {
    let mut ids = HashSet::new();
    let mut out = Vec::new();
    for c in &file.constructs {
        let field = format!("constructs.{}", c.id);
        if !ids.insert(&c.id) {
            p.top(
                &field,
                msg!("template.construct_twice", "construct id used twice"),
            );
        }
        p.bilingual(None, None, &field, &c.label);
        let role = ConstructRole::parse(&c.role);
        if role.is_none() {
            p.top(
                &field,
                msg!(
                    "template.unknown_construct_role",
                    "`{value}` is not a construct role ({names})",
                    value = c.role,
                    names = ConstructRole::names()
                ),
            );
        }
        if c.items.is_empty() {
            p.top(
                &field,
                msg!(
                    "template.empty_construct",
                    "a construct needs at least one item"
                ),
            );
        }
        for item in &c.items {
            rating_item(p, &field, item, lookup);
        }
        let source = match c.weight_source.as_deref() {
            None => Some(WeightSource::Equal),
            Some(s) => WeightSource::parse(s),
        };
        let weights: Vec<f64> = match source {
            None => {
                p.top(
                    &field,
                    msg!(
                        "template.weight_source",
                        "weight_source must be one of {names}",
                        names = WeightSource::names()
                    ),
                );
                vec![]
            }
            Some(WeightSource::Equal) => {
                if !c.weights.is_empty() {
                    p.top(
                        &field,
                        msg!(
                            "template.equal_weights",
                            "equal weighting takes no `weights`; use weight_source = \"fixed\""
                        ),
                    );
                }
                vec![1.0 / c.items.len().max(1) as f64; c.items.len()]
            }
            Some(_) => {
                let sum: f64 = c.weights.iter().sum();
                if c.weights.len() != c.items.len() {
                    p.top(
                        &field,
                        msg!(
                            "template.weights_count",
                            "{weights} weights for {items} items",
                            weights = c.weights.len(),
                            items = c.items.len()
                        ),
                    );
                } else if c.weights.iter().any(|w| !(w.is_finite() && *w >= 0.0))
                    || (sum - 1.0).abs() > 1e-3
                {
                    p.top(
                        &field,
                        msg!(
                            "template.weights_sum",
                            "weights must be >= 0 and sum to 1 (they sum to {sum})",
                            sum = sum
                        ),
                    );
                }
                if c.weight_set.is_none() {
                    p.top(
                        &field,
                        msg!(
                            "template.weight_set",
                            "fixed or PLS weights need a `weight_set` naming their calibration"
                        ),
                    );
                }
                c.weights.iter().map(|w| w / sum).collect()
            }
        };
        if let (Some(role), Some(source)) = (role, source) {
            out.push(Construct {
                id: c.id.clone(),
                role,
                label: c.label.clone(),
                items: c.items.iter().cloned().zip(weights).collect(),
                weight_source: source,
                weight_set: c.weight_set.clone(),
            });
        }
    }
    out
}

/// Checks that `id` names a rating item (scale, touchpoint or recommend) and returns its range.
fn rating_item<'t>(
    p: &mut Problems,
    field: &str,
    id: &str,
    lookup: &dyn Fn(&str) -> Option<&'t Item>,
) -> Option<(f64, f64)> {
    match lookup(id) {
        None => {
            p.top(
                field,
                msg!(
                    "template.no_such_item",
                    "`{item}` does not name an item",
                    item = id
                ),
            );
            None
        }
        Some(item) => {
            let r = item.answer.scale_range();
            if r.is_none() {
                p.top(
                    field,
                    msg!(
                        "template.not_rating",
                        "`{item}` must be a rating (scale, touchpoint or recommend)",
                        item = id
                    ),
                );
            }
            r
        }
    }
}

fn check_gaps<'t>(
    p: &mut Problems,
    file: &TemplateFile,
    lookup: &dyn Fn(&str) -> Option<&'t Item>,
) -> Vec<GapPair> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for g in &file.gaps {
        let field = format!("gaps.{}", g.attribute);
        let attribute = Attribute::parse(&g.attribute);
        if attribute.is_none() {
            p.top(
                &field,
                msg!(
                    "template.unknown_attribute",
                    "`{value}` is not a quality attribute ({names})",
                    value = g.attribute,
                    names = Attribute::names()
                ),
            );
        }
        if !seen.insert(&g.attribute) {
            p.top(
                &field,
                msg!("template.attribute_twice", "attribute paired twice"),
            );
        }
        let dimension = Dimension::parse(&g.dimension);
        if dimension.is_none() {
            p.top(
                &field,
                msg!(
                    "template.unknown_dimension",
                    "`{value}` is not a SERVQUAL dimension ({names})",
                    value = g.dimension,
                    names = Dimension::names()
                ),
            );
        }
        let e = rating_item(p, &field, &g.expectation, lookup);
        let pr = rating_item(p, &field, &g.perception, lookup);
        if let (Some(e), Some(pr)) = (e, pr)
            && e != pr
        {
            p.top(
                &field,
                msg!(
                    "template.gap_scales",
                    "expectation and perception must use the same scale"
                ),
            );
        }
        if let Some(imp) = &g.importance {
            rating_item(p, &field, imp, lookup);
        }
        if let (Some(attribute), Some(dimension)) = (attribute, dimension) {
            out.push(GapPair {
                attribute,
                dimension,
                expectation: g.expectation.clone(),
                perception: g.perception.clone(),
                importance: g.importance.clone(),
            });
        }
    }
    out
}

fn check_analysis<'t>(
    p: &mut Problems,
    file: &TemplateFile,
    lookup: &dyn Fn(&str) -> Option<&'t Item>,
) {
    let a = &file.analysis;
    if let Some(id) = &a.overall {
        rating_item(p, "analysis.overall", id, lookup);
    }
    if let Some(id) = &a.recommend
        && !matches!(lookup(id).map(|i| &i.answer), Some(AnswerType::Recommend))
    {
        p.top(
            "analysis.recommend",
            msg!(
                "template.not_recommend",
                "`{item}` must be a 0-10 recommend item",
                item = id
            ),
        );
    }
    if let Some(id) = &a.csat
        && rating_item(p, "analysis.csat", id, lookup).is_some_and(|r| r != (1.0, 5.0))
    {
        p.top(
            "analysis.csat",
            msg!(
                "template.not_five_point",
                "`{item}` must be a five-point (1-5) rating",
                item = id
            ),
        );
    }
    for (dim, id) in &a.importance_split {
        let field = format!("analysis.importance_split.{dim}");
        if Dimension::parse(dim).is_none() {
            p.top(
                &field,
                msg!(
                    "template.unknown_dimension",
                    "`{value}` is not a SERVQUAL dimension ({names})",
                    value = dim,
                    names = Dimension::names()
                ),
            );
        }
        if !matches!(
            lookup(id).map(|i| &i.answer),
            Some(AnswerType::Number { .. })
        ) {
            p.top(
                &field,
                msg!(
                    "template.not_number_item",
                    "`{item}` must be a number item (points out of 100)",
                    item = id
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{CHECKLIST, QUESTIONNAIRE};

    const MINIMAL_SECTIONS: &str = r#"
[[sections]]
id = "a"
title = { zh-CN = "甲", en = "A" }

[[sections.items]]
id = "sign"
type = "pass_fail"
label = { zh-CN = "标识", en = "Signage" }
points = 10
"#;

    fn minimal() -> String {
        format!("{CHECKLIST}{MINIMAL_SECTIONS}")
    }

    fn problems(src: &str) -> Vec<Problem> {
        match Template::load(src, Format::Toml) {
            Err(TemplateError::Invalid(p)) => p,
            other => panic!("expected validation problems, got {other:?}"),
        }
    }

    fn calculated(items: &str) -> String {
        format!(
            "{}\n[[sections]]\nid = \"c\"\ntitle = {{ zh-CN = \"丙\", en = \"C\" }}\n{items}",
            minimal()
        )
    }

    const COUNT: &str = r#"
[[sections.items]]
id = "count"
type = "number"
label = { zh-CN = "数量", en = "Count" }
"#;

    #[test]
    fn a_bare_name_reads_a_choice_column_in_a_choice_filter_only() {
        let src = calculated(&format!(
            r#"{COUNT}
[[sections.items]]
id = "level"
type = "single_choice"
label = {{ zh-CN = "级别", en = "Level" }}
choice_filter = "min_count <= ${{count}} and name != 'x' and colour = 'red'"
choices = [
  {{ value = "a", label = {{ zh-CN = "甲", en = "A" }}, data = {{ min_count = "1" }} }},
  {{ value = "b", label = {{ zh-CN = "乙", en = "B" }} }},
]

[[sections.items]]
id = "plain"
type = "pass_fail"
label = {{ zh-CN = "普通", en = "Plain" }}
relevant = "count > 1"

[[sections.items]]
id = "typed"
type = "text"
label = {{ zh-CN = "文本", en = "Text" }}
choice_filter = "name = 'a'"
"#
        ));
        let found: Vec<(Option<String>, Option<String>, String)> = problems(&src)
            .into_iter()
            .map(|p| (p.location.item, p.location.field, p.message.text))
            .collect();
        let at = |item: &str, field: &str| {
            found
                .iter()
                .find(|(i, f, _)| i.as_deref() == Some(item) && f.as_deref() == Some(field))
                .map(|(_, _, m)| m.as_str())
                .unwrap_or_else(|| panic!("{item} {field} in {found:?}"))
        };
        assert!(
            at("level", "choice_filter").contains(
                "no choice of the list has a column `colour` (it has min_count, name); write `${colour}`"
            ),
            "{found:?}"
        );
        assert!(
            at("plain", "relevant").contains("`count` is a bare name: write `${count}`"),
            "{found:?}"
        );
        assert!(
            at("typed", "choice_filter").contains("has no meaning for type `text`"),
            "{found:?}"
        );
        assert_eq!(found.len(), 3, "{found:?}");
    }

    #[test]
    fn a_calculation_is_typed_from_what_it_reads_even_through_another() {
        let src = calculated(&format!(
            r#"{COUNT}
[[sections.items]]
id = "shown"
type = "pass_fail"
label = {{ zh-CN = "展示", en = "Shown" }}
relevant = "${{half}} > 1 and ${{label}} != 'none'"

[[sections.items]]
id = "half"
type = "calculate"
label = {{ zh-CN = "一半", en = "Half" }}
calculation = "round(${{double}} div 4, 1)"

[[sections.items]]
id = "double"
type = "calculate"
label = {{ zh-CN = "两倍", en = "Double" }}
calculation = "${{count}} * 2"

[[sections.items]]
id = "label"
type = "calculate"
label = {{ zh-CN = "标签", en = "Label" }}
calculation = "concat('n=', int(${{half}}))"
"#
        ));
        let t = Template::load(&src, Format::Toml).expect("valid");
        assert!(matches!(
            t.item("half").map(|i| &i.answer),
            Some(AnswerType::Calculate(_))
        ));
        // Every calculation comes after what it reads.
        let order: Vec<&str> = t
            .relevance_order()
            .iter()
            .map(|p| t.at(*p).id.as_str())
            .collect();
        let at = |id: &str| order.iter().position(|x| *x == id).expect("ordered");
        assert!(
            at("count") < at("double") && at("double") < at("half") && at("half") < at("shown")
        );
    }

    /// A section repeated per counter: its questions read each other in
    /// an entry; outside it they are read through the functions of many
    /// values only, and nothing that reads one answer per record may name
    /// them. Each refusal names the cause.
    #[test]
    fn a_repeated_sections_questions_are_read_per_entry_or_through_their_entries() {
        let src = |outside: &str, construct: &str| {
            format!(
                r#"{QUESTIONNAIRE}
[[sections]]
id = "hall"
title = {{ zh-CN = "厅", en = "Hall" }}
[[sections.items]]
id = "counters"
type = "number"
label = {{ zh-CN = "窗口数", en = "Counters" }}
[[sections]]
id = "counter"
title = {{ zh-CN = "窗口", en = "Counter" }}
repeat = true
repeat_count = "${{counters}}"
[[sections.items]]
id = "rating"
type = "scale"
min = 1
max = 5
label = {{ zh-CN = "评分", en = "Rating" }}
[[sections.items]]
id = "low"
type = "calculate"
label = {{ zh-CN = "低分", en = "Low" }}
calculation = "if(${{rating}} < 3, position(), 0)"
[[sections]]
id = "after"
title = {{ zh-CN = "后", en = "After" }}
items = [{{ id = "total", type = "calculate", label = {{ zh-CN = "合计", en = "Total" }}, calculation = "{outside}" }}]
[[constructs]]
id = "csi"
role = "satisfaction"
label = {{ zh-CN = "满意度", en = "Satisfaction" }}
items = ["{construct}"]
"#
            )
        };
        let keys = |outside: &str, construct: &str| -> Vec<&'static str> {
            match Template::load(&src(outside, construct), Format::Toml) {
                Ok(_) => Vec::new(),
                Err(TemplateError::Invalid(p)) => p
                    .iter()
                    .map(|p| match p.message.params.get("error") {
                        Some(crate::msg::Param::Msg(m)) => m.key,
                        _ => p.message.key,
                    })
                    .collect(),
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(
            keys(
                "sum(${rating}) + indexed-repeat(${rating}, ${counter}, 1)",
                "rating"
            ),
            ["template.read_once"]
        );
        assert!(keys("${rating} + 1", "rating").contains(&"expr.in_repeat"));
        assert!(keys("position()", "rating").contains(&"expr.position_outside"));
        assert!(keys("count(${hall})", "rating").contains(&"expr.count_what"));
    }

    #[test]
    fn a_calculation_is_checked_and_takes_no_answer() {
        let keys = |items: &str| -> Vec<(String, &'static str)> {
            problems(&calculated(items))
                .into_iter()
                .map(|p| (p.location.to_string(), p.message.key))
                .collect()
        };
        let no_calculation = keys(
            r#"
[[sections.items]]
id = "total"
type = "calculate"
label = { zh-CN = "合计", en = "Total" }
required = true
"#,
        );
        assert!(
            no_calculation
                .iter()
                .any(|(_, k)| *k == "template.calculation_missing"),
            "{no_calculation:?}"
        );
        assert!(
            no_calculation
                .iter()
                .any(|(_, k)| *k == "template.calculate_not_answered"),
            "{no_calculation:?}"
        );
        let wrong = keys(&format!(
            r#"{COUNT}
[[sections.items]]
id = "total"
type = "calculate"
label = {{ zh-CN = "合计", en = "Total" }}
calculation = "${{count}} + ${{nowhere}}"

[[sections.items]]
id = "loop_a"
type = "calculate"
label = {{ zh-CN = "甲", en = "A" }}
calculation = "concat(${{loop_b}}, 'a')"

[[sections.items]]
id = "loop_b"
type = "calculate"
label = {{ zh-CN = "乙", en = "B" }}
calculation = "concat(${{loop_a}}, 'b')"
"#
        ));
        assert!(
            wrong
                .iter()
                .any(|(at, k)| at.contains("total") && *k == "template.expr"),
            "{wrong:?}"
        );
        assert!(
            wrong
                .iter()
                .any(|(_, k)| *k == "template.calculation_cycle"),
            "{wrong:?}"
        );
    }

    #[test]
    fn a_minimal_checklist_loads() {
        let t = Template::load(&minimal(), Format::Toml).expect("valid");
        assert_eq!(t.item("sign").map(|i| i.scoring.is_some()), Some(true));
        assert_eq!(t.version.len(), 64);
    }

    #[test]
    fn the_version_hash_ignores_formatting_but_not_content() {
        let a = Template::load(&minimal(), Format::Toml).expect("valid");
        let reformatted = minimal().replace("points = 10", "points   =   10.0\n# a comment");
        let b = Template::load(&reformatted, Format::Toml).expect("valid");
        assert_eq!(a.version, b.version);
        let changed = minimal().replace("points = 10", "points = 11");
        let c = Template::load(&changed, Format::Toml).expect("valid");
        assert_ne!(a.version, c.version);
        let json = serde_json::to_string(a.source()).expect("json");
        assert_eq!(
            Template::load(&json, Format::Json).expect("valid").version,
            a.version
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_line() {
        let src = format!(
            "{}\n{}",
            minimal(),
            r#"
[[sections.items]]
id = "sign"
type = "number"
label = { zh-CN = "", en = "Wait" }
points = -1
choices = [{ value = "a", label = { zh-CN = "甲", en = "A" } }]
relevant = "${nope} > 3"
critical = "explode"
"#
        );
        let ps = problems(&src);
        let text: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(has("item id used twice"), "{text:#?}");
        assert!(has("text missing in zh-CN"), "{text:#?}");
        assert!(has("must be a number above 0"), "{text:#?}");
        assert!(has("`choices`") || has("field `choices`"), "{text:#?}");
        assert!(has("nope"), "{text:#?}");
        assert!(has("knock-out rule"), "{text:#?}");
        assert!(has("pass_if"), "{text:#?}");
        assert!(ps.len() >= 7, "{text:#?}");
        assert!(ps.iter().all(|p| p.location.line.is_some()), "{text:#?}");
    }

    #[test]
    fn the_call_bar_moments_are_checked() {
        let item = |id: &str, kind: &str, call: &str| {
            format!(
                "\n[[sections.items]]\nid = \"{id}\"\ntype = \"{kind}\"\ncall = \"{call}\"\nlabel = {{ zh-CN = \"甲\", en = \"A\" }}\n"
            )
        };
        let test_call = minimal().replace("mode = \"overt\"", "mode = \"test_call\"");
        let good = format!(
            "{test_call}{}{}{}",
            item("at", "datetime", "dialled"),
            item("wait_s", "duration", "wait"),
            item("talk_s", "duration", "talk")
        );
        let t = Template::load(&good, Format::Toml).expect("valid");
        assert_eq!(
            t.item("wait_s").and_then(|i| i.call),
            Some(CallMoment::Wait)
        );
        assert_eq!(t.item("sign").and_then(|i| i.call), None);

        let bad = format!(
            "{test_call}{}{}{}",
            item("at", "duration", "dialled"),
            item("wait_s", "duration", "hold"),
            item("talk_s", "duration", "dialled")
        );
        let text: Vec<String> = problems(&bad).iter().map(ToString::to_string).collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(
            has("`dialled` is recorded on a `datetime` item"),
            "{text:#?}"
        );
        assert!(has("`hold` is not a moment of the call"), "{text:#?}");
        assert!(has("`dialled` is already recorded on `at`"), "{text:#?}");

        let overt = format!("{}{}", minimal(), item("wait_s", "duration", "wait"));
        let text: Vec<String> = problems(&overt).iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|t| t.contains("only test-call templates")),
            "{text:#?}"
        );
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = Template::load("id = \"t\"\nkind = ", Format::Toml).expect_err("bad toml");
        assert!(
            matches!(err, TemplateError::Syntax { line: 2, .. }),
            "{err}"
        );
        let err =
            Template::load(&minimal().replace("points", "pionts"), Format::Toml).expect_err("typo");
        assert!(err.to_string().contains("pionts"), "{err}");
    }

    #[test]
    fn relevance_cycles_are_refused() {
        let src = minimal().replace(
            "points = 10",
            "points = 10\nrelevant = \"${other} = 'pass'\"",
        ) + r#"
[[sections.items]]
id = "other"
type = "pass_fail"
label = { zh-CN = "乙", en = "B" }
relevant = "${sign} = 'pass'"
"#;
        let ps = problems(&src);
        assert!(
            ps.iter().any(|p| p.message.text.contains("circle")),
            "{ps:#?}"
        );
    }

    #[test]
    fn activity_must_belong_to_its_stage() {
        let src = minimal().replace(
            "points = 10",
            "points = 10\ntags = { stage = \"retention\", activity = \"learn\" }",
        );
        let ps = problems(&src);
        assert!(ps[0].message.text.contains("pre_sale"), "{ps:#?}");
    }
}
