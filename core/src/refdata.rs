//! Reference data as documents (design.md decision 1): the store hierarchy,
//! published templates and assignments sync down to devices as read-only
//! Automerge documents, so the app has all it needs offline. The server
//! writes them; devices never change them.
//!
//! Ids start with `ref:`. The hierarchy is one document per unit with
//! children: its ancestors, itself and its children, so a device in any
//! scope gets the stores it works in and the units above them, and a
//! district's device does not carry the whole province.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::ratings::{Level, Unit};
use crate::reference::UnitRecord;
use crate::templates::{Channel, Template};
use crate::vocab::{TemplateKind, VisitMode, string_enum};

string_enum!(
    /// What a document holds; records are audits, test calls and surveys.
    DocKind { Record = "record", Units = "units", Template = "template", Assignment = "assignment" }
);

const PREFIX: &str = "ref:";

/// Whether the document is reference data, which only the server writes.
pub fn is_reference(doc_id: &str) -> bool {
    doc_id.starts_with(PREFIX)
}

/// The document of the units under `parent` (a unit path).
pub fn units_doc_id(parent: &str) -> String {
    format!("{PREFIX}units:{}", parent.replace('/', ":"))
}

/// The document of a published template version. Versions are content
/// hashes; 16 hex digits keep ids short and still unique in practice.
pub fn template_doc_id(id: &str, version: &str) -> String {
    let short = version.get(..16).unwrap_or(version);
    format!("{PREFIX}template:{id}:{short}")
}

pub fn assignment_doc_id(id: &str) -> String {
    format!("{PREFIX}assignment:{id}")
}

/// A unit as a reference document holds it.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct UnitEntry {
    pub parent: Option<String>,
    pub level: Level,
    pub name_zh: String,
    pub name_en: String,
    pub channel: Option<Channel>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub time_zone: String,
    pub traffic: f64,
}

impl UnitEntry {
    pub fn from_record(r: &UnitRecord) -> UnitEntry {
        UnitEntry {
            parent: r.unit.parent.clone(),
            level: r.unit.level,
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            channel: r.unit.channel,
            address: r.address.clone(),
            lat: r.lat,
            lon: r.lon,
            time_zone: r.unit.time_zone.clone(),
            traffic: r.unit.traffic,
        }
    }

    pub fn to_record(&self, id: &str) -> UnitRecord {
        UnitRecord {
            unit: Unit {
                id: id.to_string(),
                parent: self.parent.clone(),
                level: self.level,
                channel: self.channel,
                traffic: self.traffic,
                time_zone: self.time_zone.clone(),
            },
            name_zh: self.name_zh.clone(),
            name_en: self.name_en.clone(),
            address: self.address.clone(),
            lat: self.lat,
            lon: self.lon,
        }
    }
}

/// The stores under one unit, with that unit and its ancestors, by id.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct UnitsDoc {
    pub kind: DocKind,
    pub parent: String,
    pub units: BTreeMap<String, UnitEntry>,
}

impl UnitsDoc {
    /// The documents the hierarchy divides into, keyed by the unit each
    /// covers: one per unit with children, holding its ancestors, itself and
    /// its children (and one for a unit with neither parent nor children),
    /// so every unit is in some document. `units` is the whole hierarchy.
    pub fn split(units: &[UnitRecord]) -> BTreeMap<String, UnitsDoc> {
        let by_id: BTreeMap<&str, &UnitRecord> =
            units.iter().map(|u| (u.unit.id.as_str(), u)).collect();
        let mut docs: BTreeMap<String, UnitsDoc> = BTreeMap::new();
        for u in units {
            let key = u.unit.parent.as_deref().unwrap_or(&u.unit.id);
            let doc = docs.entry(key.to_string()).or_insert_with(|| {
                let mut doc = UnitsDoc {
                    kind: DocKind::Units,
                    parent: key.to_string(),
                    units: BTreeMap::new(),
                };
                let mut next = Some(key);
                while let Some(a) = next.and_then(|id| by_id.get(id)) {
                    doc.units
                        .insert(a.unit.id.clone(), UnitEntry::from_record(a));
                    next = a.unit.parent.as_deref();
                }
                doc
            });
            doc.units
                .insert(u.unit.id.clone(), UnitEntry::from_record(u));
        }
        docs
    }

    pub fn records(&self) -> impl Iterator<Item = UnitRecord> + '_ {
        self.units.iter().map(|(id, u)| u.to_record(id))
    }
}

/// A published template version; `body` is its canonical JSON.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct TemplateDoc {
    pub kind: DocKind,
    pub template_id: String,
    pub version: String,
    pub template_kind: TemplateKind,
    pub body: String,
    /// When the server published it, ms since the epoch: a device starts
    /// new records on the latest (the version, a content hash, says nothing
    /// of order). 0 in documents written before it was kept.
    #[autosurgeon(missing = "Default::default")]
    pub published_at: i64,
}

impl TemplateDoc {
    pub fn new(t: &Template, published_at: i64) -> TemplateDoc {
        TemplateDoc {
            kind: DocKind::Template,
            template_id: t.id.clone(),
            version: t.version.clone(),
            template_kind: t.kind,
            body: String::from_utf8_lossy(&t.canonical_json()).into_owned(),
            published_at,
        }
    }
}

/// Work given to an inspector or surveyor: which stores (`unit_id`, a store
/// or every store under a unit), with which template, how, and when.
/// Mystery assignments are never shown to store staff.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Assignment {
    pub kind: DocKind,
    pub assignment_id: String,
    pub assignee: String,
    pub template_id: String,
    pub mode: VisitMode,
    pub unit_id: String,
    /// First and last day, `YYYY-MM-DD`, in the stores' time zones.
    pub starts_on: String,
    pub ends_on: String,
    /// Visits to make to each store in the period.
    pub visits: u32,
    /// Surveys: responses to collect per store and day.
    pub daily_quota: Option<u32>,
    pub note: String,
    pub cancelled: bool,
    pub created_by: String,
    pub updated_at: i64,
}

/// Why an assignment cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentError {
    BadDate(String),
    Backwards {
        starts: String,
        ends: String,
    },
    Visits,
    Quota,
    ModeKind {
        mode: &'static str,
        kind: &'static str,
    },
}

impl AssignmentError {
    /// What is wrong, for people.
    pub fn msg(&self) -> crate::msg::Msg {
        use crate::msg;
        match self {
            AssignmentError::BadDate(d) => msg!(
                "assignments.bad_date",
                "`{date}` is not a date (YYYY-MM-DD)",
                date = d
            ),
            AssignmentError::Backwards { starts, ends } => msg!(
                "assignments.backwards",
                "the period ends ({ends}) before it starts ({starts})",
                ends = ends,
                starts = starts
            ),
            AssignmentError::Visits => {
                msg!("assignments.visits", "visits per store must be 1 to 100")
            }
            AssignmentError::Quota => msg!(
                "assignments.quota",
                "a daily quota is for surveys only, and 1 to 1000 responses"
            ),
            AssignmentError::ModeKind { mode, kind } => msg!(
                "assignments.mode_kind",
                "{mode} visits do not fit a {kind} template",
                mode = mode,
                kind = kind
            ),
        }
    }
}

impl std::fmt::Display for AssignmentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg().text)
    }
}

impl std::error::Error for AssignmentError {}

impl Assignment {
    /// Checks the assignment on its own; the caller checks that the
    /// assignee, the unit and the template exist and are in scope.
    pub fn check(&self, template_kind: TemplateKind) -> Result<(), AssignmentError> {
        let date = |s: &str| {
            s.parse::<jiff::civil::Date>()
                .map_err(|_| AssignmentError::BadDate(s.to_string()))
        };
        if date(&self.ends_on)? < date(&self.starts_on)? {
            return Err(AssignmentError::Backwards {
                starts: self.starts_on.clone(),
                ends: self.ends_on.clone(),
            });
        }
        if !(1..=100).contains(&self.visits) {
            return Err(AssignmentError::Visits);
        }
        let survey = template_kind == TemplateKind::Questionnaire;
        if self
            .daily_quota
            .is_some_and(|q| !survey || !(1..=1000).contains(&q))
        {
            return Err(AssignmentError::Quota);
        }
        if survey != (self.mode == VisitMode::Intercept) {
            return Err(AssignmentError::ModeKind {
                mode: self.mode.as_str(),
                kind: template_kind.as_str(),
            });
        }
        Ok(())
    }

    /// Whether store staff must not learn of it.
    pub fn is_covert(&self) -> bool {
        self.mode == VisitMode::Mystery
    }
}

/// Reads a reference document as `T`, checking that it is of `kind`.
pub fn read<T: Hydrate>(doc: &automerge::AutoCommit, kind: DocKind) -> Option<T> {
    let found: DocKind = autosurgeon::hydrate_prop(doc, automerge::ROOT, "kind").ok()?;
    if found != kind {
        return None;
    }
    autosurgeon::hydrate(doc).ok()
}

/// Makes `doc` hold `value`; only what differs becomes a change.
pub fn write<T: Reconcile>(
    doc: &mut automerge::AutoCommit,
    value: &T,
) -> Result<(), autosurgeon::ReconcileError> {
    autosurgeon::reconcile(doc, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::parse_units;
    use crate::table::Table;

    fn hierarchy() -> Vec<UnitRecord> {
        let csv = "id,parent,level,name_zh,channel\n\
                   cq,,province,重庆,\n\
                   cq/yz,cq,city,渝中,\n\
                   cq/yz/a,cq/yz,district,A区,\n\
                   cq/yz/a/1,cq/yz/a,store,一号厅,owned_hall\n\
                   cq/yz/a/2,cq/yz/a,store,二号店,partner_store\n\
                   cq/yz/b,cq/yz,district,B区,\n\
                   cq/yz/b/1,cq/yz/b,store,三号厅,owned_hall\n\
                   cq/yz/c,cq/yz,district,C区,\n";
        let table = Table::from_csv(csv.as_bytes(), "stores.csv").expect("csv");
        parse_units(&table, &[]).expect("valid")
    }

    #[test]
    fn the_hierarchy_splits_into_one_document_per_unit_with_children() {
        let docs = UnitsDoc::split(&hierarchy());
        assert_eq!(
            docs.keys().collect::<Vec<_>>(),
            ["cq", "cq/yz", "cq/yz/a", "cq/yz/b"]
        );
        assert_eq!(
            docs["cq/yz"].units.keys().collect::<Vec<_>>(),
            ["cq", "cq/yz", "cq/yz/a", "cq/yz/b", "cq/yz/c"],
            "a district without stores is still in a document"
        );
        let a = &docs["cq/yz/a"];
        assert_eq!(
            a.units.keys().collect::<Vec<_>>(),
            ["cq", "cq/yz", "cq/yz/a", "cq/yz/a/1", "cq/yz/a/2"]
        );
        assert_eq!(units_doc_id("cq/yz/a"), "ref:units:cq:yz:a");
    }

    #[test]
    fn reference_documents_round_trip_and_changes_are_small() {
        let docs = UnitsDoc::split(&hierarchy());
        let mut doc = automerge::AutoCommit::new();
        write(&mut doc, &docs["cq/yz/a"]).expect("write");
        let back: UnitsDoc = read(&doc, DocKind::Units).expect("units");
        assert_eq!(back, docs["cq/yz/a"]);
        assert!(read::<UnitsDoc>(&doc, DocKind::Assignment).is_none());

        // A store renamed and one closed: one change, and the closed store is gone.
        let mut next = back.clone();
        next.units.get_mut("cq/yz/a/1").expect("store").name_zh = "一号营业厅".into();
        next.units.remove("cq/yz/a/2");
        let heads = doc.get_heads();
        write(&mut doc, &next).expect("write");
        assert_eq!(doc.get_changes(&heads).len(), 1);
        let back: UnitsDoc = read(&doc, DocKind::Units).expect("units");
        assert_eq!(back, next);
        let names: Vec<String> = back.records().map(|r| r.name_zh).collect();
        assert_eq!(names, ["重庆", "渝中", "A区", "一号营业厅"]);
    }

    fn assignment(mode: VisitMode) -> Assignment {
        Assignment {
            kind: DocKind::Assignment,
            assignment_id: "a1".into(),
            assignee: "li".into(),
            template_id: "hall".into(),
            mode,
            unit_id: "cq/yz/a".into(),
            starts_on: "2026-12-01".into(),
            ends_on: "2026-12-31".into(),
            visits: 1,
            daily_quota: None,
            note: String::new(),
            cancelled: false,
            created_by: "wang".into(),
            updated_at: 0,
        }
    }

    #[test]
    fn assignments_are_checked() {
        let audit = TemplateKind::Checklist;
        let survey = TemplateKind::Questionnaire;
        assert_eq!(assignment(VisitMode::Mystery).check(audit), Ok(()));
        assert!(assignment(VisitMode::Mystery).is_covert());
        assert!(!assignment(VisitMode::Overt).is_covert());

        let mut a = assignment(VisitMode::Overt);
        a.ends_on = "2026-11-30".into();
        assert!(matches!(
            a.check(audit),
            Err(AssignmentError::Backwards { .. })
        ));
        a.ends_on = "2026-13-01".into();
        assert!(matches!(a.check(audit), Err(AssignmentError::BadDate(_))));

        let mut a = assignment(VisitMode::Intercept);
        a.daily_quota = Some(20);
        assert_eq!(a.check(survey), Ok(()));
        assert!(matches!(a.check(audit), Err(AssignmentError::Quota)));
        a.daily_quota = Some(0);
        assert!(matches!(a.check(survey), Err(AssignmentError::Quota)));
        assert!(matches!(
            assignment(VisitMode::Overt).check(survey),
            Err(AssignmentError::ModeKind { .. })
        ));
        let mut a = assignment(VisitMode::Overt);
        a.visits = 0;
        assert_eq!(a.check(audit), Err(AssignmentError::Visits));
    }
}
