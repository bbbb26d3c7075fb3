//! A record kept open while someone fills it in. Reading a 150-item record
//! whole (hydrating it) is the costly part of an edit, and an answer changes
//! one item: so the state is read once, when the record is opened, and after
//! each change only the parts its patches touch are read again.

use std::collections::BTreeSet;

use automerge::{AutoCommit, Patch, PatchAction, Prop, ROOT, ReadDoc};
use autosurgeon::hydrate_prop;

use super::{Record, RecordState, Result};

/// A record with its state, kept up to date edit by edit.
#[derive(Debug)]
pub struct OpenRecord {
    record: Record,
    state: RecordState,
}

/// The maps of the document whose entries are read one by one.
const KEYED: [&str; 3] = ["answers", "comments", "actions"];

impl OpenRecord {
    /// Reads the record once and starts following its changes.
    pub fn open(doc: AutoCommit) -> Result<OpenRecord> {
        let (mut record, state) = Record::with_state(doc)?;
        record.doc.update_diff_cursor();
        Ok(OpenRecord { record, state })
    }

    pub fn state(&self) -> &RecordState {
        &self.state
    }

    pub fn record(&self) -> &Record {
        &self.record
    }

    /// The document, to save, with the state it is in.
    pub fn doc_and_state(&mut self) -> (&mut AutoCommit, &RecordState) {
        (self.record.doc_mut(), &self.state)
    }

    /// The document, to save or sync. Changes made through it directly are
    /// picked up by the next [`OpenRecord::edit`].
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        self.record.doc_mut()
    }

    /// Runs `op` on the record, then reads again what it changed. The state
    /// is brought up to date whether or not `op` succeeds (a failed
    /// operation rolls back and changes nothing).
    pub fn edit<T, E>(&mut self, op: impl FnOnce(&mut Record) -> Result<T, E>) -> Result<T, E>
    where
        E: From<super::RecordError>,
    {
        let out = op(&mut self.record);
        self.refresh()?;
        out
    }

    /// Reads again the parts of the state that changed since the last read.
    pub fn refresh(&mut self) -> Result<()> {
        let patches = self.record.doc.diff_incremental();
        if patches.is_empty() {
            return Ok(());
        }
        let mut fields = BTreeSet::new();
        let mut entries = BTreeSet::new();
        for patch in &patches {
            match touched(patch) {
                Touched::Entry(map, key) => {
                    entries.insert((map, key));
                }
                Touched::Field(name) => {
                    fields.insert(name);
                }
                Touched::Everything => {
                    self.state = self.record.state()?;
                    return Ok(());
                }
            }
        }
        let doc = &self.record.doc;
        for field in &fields {
            let s = &mut self.state;
            match field.as_str() {
                "schema" => s.schema = hydrate_prop(doc, ROOT, "schema")?,
                "header" => s.header = hydrate_prop(doc, ROOT, "header")?,
                "status" => s.status = hydrate_prop(doc, ROOT, "status")?,
                "history" => s.history = hydrate_prop(doc, ROOT, "history")?,
                "answers" => s.answers = hydrate_prop(doc, ROOT, "answers")?,
                "comments" => s.comments = hydrate_prop(doc, ROOT, "comments")?,
                "actions" => s.actions = hydrate_prop(doc, ROOT, "actions")?,
                // Not part of the state: nothing to read.
                _ => {}
            }
        }
        for (map, key) in entries {
            if fields.contains(map) {
                continue;
            }
            let id = self.record.map_id(map)?;
            let s = &mut self.state;
            match map {
                "answers" => read_entry(doc, &id, key, &mut s.answers)?,
                "comments" => read_entry(doc, &id, key, &mut s.comments)?,
                _ => read_entry(doc, &id, key, &mut s.actions)?,
            }
        }
        Ok(())
    }
}

/// Reads the entry `key` of the map `id` into `entries` again, or removes
/// it there if it is gone from the document.
fn read_entry<T: autosurgeon::Hydrate>(
    doc: &AutoCommit,
    id: &automerge::ObjId,
    key: String,
    entries: &mut std::collections::BTreeMap<String, T>,
) -> Result<()> {
    if doc.get(id, key.as_str())?.is_some() {
        let entry = hydrate_prop(doc, id, key.as_str())?;
        entries.insert(key, entry);
    } else {
        entries.remove(&key);
    }
    Ok(())
}

/// What a patch changed, as far as the state is concerned.
enum Touched {
    /// An entry of one of the keyed maps: one answer, comment or action.
    Entry(&'static str, String),
    /// A top-level field.
    Field(String),
    /// Something that cannot be placed: read everything again.
    Everything,
}

fn touched(patch: &Patch) -> Touched {
    let own = match &patch.action {
        PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
            Some(Prop::Map(key.clone()))
        }
        PatchAction::Conflict { prop } | PatchAction::Increment { prop, .. } => Some(prop.clone()),
        _ => None,
    };
    let mut props = patch.path.iter().map(|(_, p)| p).chain(own.as_ref());
    let Some(Prop::Map(top)) = props.next() else {
        return Touched::Everything;
    };
    match KEYED.iter().find(|m| **m == top) {
        Some(map) => match props.next() {
            Some(Prop::Map(key)) => Touched::Entry(map, key.clone()),
            _ => Touched::Field(top.clone()),
        },
        None => Touched::Field(top.clone()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::answers::{AnswerValue, MediaRef};
    use crate::records::{Actor, NewAction};
    use crate::templates::worked_example;
    use crate::vocab::Role;

    fn actor(user: &str, role: Role, at: i64) -> Actor {
        Actor {
            user: user.into(),
            role,
            device: "d".into(),
            now_ms: 1_700_000_000_000 + at,
        }
    }

    /// One step of someone's work on a record; most are refused in some
    /// states, which must leave the state as it was.
    #[derive(Debug, Clone)]
    enum Step {
        Answer(usize, bool, Option<String>),
        Clear(usize),
        Attach(usize, u8),
        Comment(Option<usize>, String),
        Submit,
        Return,
        Approve,
        OpenAction(usize),
        CompleteAction,
        Stamp,
        /// A second device answers the same item concurrently; merged.
        Concurrent(usize, bool),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0..12usize, any::<bool>(), proptest::option::of("[a-z ]{0,8}"))
                .prop_map(|(i, v, n)| Step::Answer(i, v, n)),
            1 => (0..12usize).prop_map(Step::Clear),
            1 => (0..12usize, any::<u8>()).prop_map(|(i, b)| Step::Attach(i, b)),
            1 => (proptest::option::of(0..12usize), "[a-z]{1,8}")
                .prop_map(|(i, t)| Step::Comment(i, t)),
            1 => Just(Step::Submit),
            1 => Just(Step::Return),
            1 => Just(Step::Approve),
            1 => (0..12usize).prop_map(Step::OpenAction),
            1 => Just(Step::CompleteAction),
            1 => Just(Step::Stamp),
            1 => (0..12usize, any::<bool>()).prop_map(|(i, v)| Step::Concurrent(i, v)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// After every step, the state kept up to date patch by patch is the
        /// state read whole from the document.
        #[test]
        fn the_state_kept_edit_by_edit_is_the_state_read_whole(steps in proptest::collection::vec(step(), 1..40)) {
            let t = worked_example(None);
            let items: Vec<String> = t.items().map(|(_, i)| i.id.clone()).collect();
            let inspector = |at| actor("inspector.a", Role::Inspector, at);
            let manager = |at| actor("manager.a", Role::Manager, at);
            let record = Record::create(&t, "audit-1", "sc/cd/001", &inspector(0)).expect("create");
            let mut open = OpenRecord::open(record.into_doc()).expect("open");
            for (k, s) in steps.into_iter().enumerate() {
                let at = 1_000 * (k as i64 + 1);
                let item = |i: usize| items[i % items.len()].clone();
                // The worked example's items are all pass / fail.
                let value = |_: &str, pass: bool| if pass { AnswerValue::Pass } else { AnswerValue::Fail };
                let _ = open.edit(|r| -> Result<()> {
                    match s {
                        Step::Answer(i, pass, note) => {
                            let it = item(i);
                            r.answer(&t, &inspector(at), &it, value(&it, pass), note)
                        }
                        Step::Clear(i) => r.clear(&t, &inspector(at), &item(i)),
                        Step::Attach(i, b) => r.attach(&t, &inspector(at), &item(i), MediaRef {
                            hash: format!("{b:064x}"),
                            mime: "image/jpeg".into(),
                            size: u64::from(b) + 1,
                        }),
                        Step::Comment(i, text) => {
                            r.comment(&t, &manager(at), i.map(item).as_deref(), &text).map(drop)
                        }
                        Step::Submit => r.submit(&t, &inspector(at)),
                        Step::Return => r.return_for_changes(&manager(at), "again"),
                        Step::Approve => r.approve(&manager(at)),
                        Step::OpenAction(i) => r
                            .open_action(&t, &manager(at), NewAction {
                                item: item(i),
                                description: "fix it".into(),
                                assignee: "store.a".into(),
                                due: "2026-12-31".into(),
                            })
                            .map(drop),
                        Step::CompleteAction => {
                            let id = r.state()?.actions.keys().next().cloned();
                            match id {
                                Some(id) => r.complete_action(&actor("store.a", Role::StoreStaff, at), &id),
                                None => Ok(()),
                            }
                        }
                        Step::Stamp => r.stamp_location(&t, &inspector(at), crate::answers::GeoPoint {
                            lat: 30.6, lon: 104.0, accuracy_m: Some(8.0),
                        }),
                        Step::Concurrent(i, pass) => {
                            let mut other = r.fork();
                            let it = item(i);
                            let a = other.answer(&t, &inspector(at), &it, value(&it, pass), None);
                            let b = r.answer(&t, &inspector(at + 1), &it, value(&it, !pass), None);
                            r.merge(&mut other)?;
                            a.and(b)
                        }
                    }
                });
                prop_assert_eq!(open.state(), &open.record().state().expect("state"));
            }
        }
    }

    #[test]
    fn a_change_made_on_the_document_directly_is_read_on_the_next_refresh() {
        let t = worked_example(None);
        let inspector = actor("inspector.a", Role::Inspector, 0);
        let record = Record::create(&t, "audit-1", "sc/cd/001", &inspector).expect("create");
        let mut open = OpenRecord::open(record.into_doc()).expect("open");
        let (_, first) = t.items().next().expect("an item");
        let mut other = Record::from_doc(open.doc_mut().fork()).expect("record");
        other
            .answer(&t, &inspector, &first.id, AnswerValue::Pass, None)
            .expect("answer");
        open.doc_mut().merge(other.doc_mut()).expect("merge");
        assert!(open.state().answers.is_empty());
        open.refresh().expect("refresh");
        assert_eq!(open.state().answers.len(), 1);
        assert_eq!(open.state(), &open.record().state().expect("state"));
        assert_eq!(open.state().answers[&first.id].value, AnswerValue::Pass);
    }
}
