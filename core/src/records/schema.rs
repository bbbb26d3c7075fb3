//! The record document's schema, written down once (design.md decision 11):
//! every path, the shape of its value, and who may write it in which states.
//! The gate checks every change against this table; docs/records.md is
//! rendered from it, and a test keeps the two the same.
//!
//! Shapes are exactly what the record types hydrate from (autosurgeon is
//! strict: a string is a string scalar, never a Text object; an `i64` an
//! Int, a `u64` a Uint, an `f64` an F64), so whatever the gate lets in can be
//! read back as a [`RecordState`](super::RecordState).

use super::Status;
use crate::templates::{TemplateKind, VisitMode};

/// Longest free text a person types into one field, in characters: an
/// answer's note, a comment, an action's description, a text answer.
pub const TEXT_MAX: usize = 2_000;
/// Longest id, name or code (item ids, user ids, store ids, hashes).
pub const ID_MAX: usize = 128;
/// The most bytes of Automerge changes one record may hold: half a sync
/// frame, so the whole document always travels in one frame with room to
/// spare. A 150-item audit with a note on every item is about a tenth of it.
pub const MAX_DOC_BYTES: u64 = 2 * 1024 * 1024;
/// The most answers one record holds (an item's answer in each entry of a
/// repeated section counts as one).
pub const MAX_ANSWERS: usize = 2_000;
/// The most Automerge operations one record may hold, overwritten ones
/// included: run lengths let a few bytes describe many operations, so
/// bytes alone do not bound a document. A 150-item audit is about 2,000.
pub const MAX_DOC_OPS: u64 = 200_000;

/// A node of the document tree: the shape of its value, who may write it,
/// and what its value must be.
#[derive(Debug, Clone, Copy)]
pub struct Node {
    pub shape: Shape,
    pub write: Write,
    pub must: Must,
}

/// A named field of a map.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub node: Node,
}

/// What a value looks like.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// A map with these fields; a field whose shape is `Opt` may be absent.
    Map(&'static [Field]),
    /// A map from ids (up to [`ID_MAX`] characters of letters, digits, `_`,
    /// `-`, `.`) to entries, at most `max` of them.
    Entries { max: usize, of: &'static Node },
    /// A list of at most `max` elements.
    List { max: usize, of: &'static Node },
    /// A string scalar of at most `max` characters.
    Str { max: usize },
    /// A string scalar naming one of a vocabulary's values.
    Enum(Vocab),
    /// A signed integer scalar (times in ms since the epoch).
    Int,
    /// An unsigned integer scalar.
    Uint,
    /// A floating-point scalar.
    Float,
    /// Null (or absent), or the inner shape.
    Opt(&'static Shape),
    /// An answer value: one of `units` as a string, or a one-key map from
    /// one of `tuples` to its payload.
    Tagged {
        units: &'static [&'static str],
        tuples: &'static [(&'static str, Shape)],
    },
}

/// A vocabulary an [`Shape::Enum`] draws from.
#[derive(Debug, Clone, Copy)]
pub struct Vocab {
    pub name: &'static str,
    pub parse: fn(&str) -> bool,
    pub names: fn() -> String,
}

/// Who may write a node, and when. Everything is refused to anyone not in
/// the record's scope before these rules are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Written once, by the author, in the change that creates the record.
    Create,
    /// Written with the entry that holds it; never changed after.
    Once,
    /// Put, replaced or removed by `who` while the record is in `states`
    /// (an empty list: in any state).
    By(Who, &'static [Status]),
    /// Entries added by `who` while the record is in `states`; an entry,
    /// once there, is never replaced or removed.
    Add(Who, &'static [Status]),
    /// The record's status: moves only along [`super::gate::transition_allowed`].
    Status,
    /// The status history: entries appended by whoever moves the status,
    /// each naming that move.
    Log,
    /// A corrective action's status: moves only along
    /// [`super::gate::action_step_allowed`].
    ActionStatus,
    /// As the entry that holds it: whoever may write the entry may write
    /// this field inside it.
    Inherit,
}

/// Whose writes a rule allows, relative to this record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The inspector or surveyor who made the record.
    Author,
    /// A manager or administrator.
    Reviewer,
    /// The author or a reviewer.
    AuthorOrReviewer,
    /// The person a corrective action is assigned to, or a reviewer.
    AssigneeOrReviewer,
}

/// What a value must be, beyond its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Must {
    Any,
    /// The signed-in user's id (a signature: nobody writes in another's name).
    Sender,
    /// The id of the document itself.
    DocId,
    /// [`crate::records::DOC_SCHEMA`].
    Schema,
    /// Not empty after trimming.
    NotBlank,
}

const fn node(shape: Shape, write: Write) -> Node {
    Node {
        shape,
        write,
        must: Must::Any,
    }
}

const fn must(shape: Shape, write: Write, must: Must) -> Node {
    Node { shape, write, must }
}

const fn field(key: &'static str, node: Node) -> Field {
    Field { key, node }
}

const ID: Shape = Shape::Str { max: ID_MAX };
const TEXT: Shape = Shape::Str { max: TEXT_MAX };
const OPT_INT: Shape = Shape::Opt(&Shape::Int);
const OPT_ID: Shape = Shape::Opt(&ID);

/// Record states in which the author edits answers.
const EDITABLE: &[Status] = &[Status::Draft, Status::Returned];
/// Record states in which comments may be added (not once approved or ended).
const OPEN: &[Status] = &[
    Status::Draft,
    Status::Submitted,
    Status::Returned,
    Status::Resubmitted,
    Status::Partial,
];
/// Record states in which a reviewer may open corrective actions.
const REVIEWED: &[Status] = &[
    Status::Submitted,
    Status::Returned,
    Status::Resubmitted,
    Status::Approved,
    Status::Partial,
];
const ANY: &[Status] = &[];

/// The vocabulary of a [`string_enum`](crate::vocab) type.
macro_rules! vocab {
    ($name:literal, $t:ty) => {
        Vocab {
            name: $name,
            parse: |s| <$t>::parse(s).is_some(),
            names: <$t>::names,
        }
    };
}

const STATUS: Vocab = vocab!("status", Status);
const ACTION_STATUS: Vocab = vocab!("action status", super::ActionStatus);
const KIND: Vocab = vocab!("template kind", TemplateKind);
const MODE: Vocab = vocab!("visit mode", VisitMode);

const MEDIA: Node = node(
    Shape::Map(&[
        field("hash", node(ID, Write::Inherit)),
        field("mime", node(ID, Write::Inherit)),
        field("size", node(Shape::Uint, Write::Inherit)),
    ]),
    Write::Inherit,
);
const GEO: Shape = Shape::Map(&[
    field("lat", node(Shape::Float, Write::Inherit)),
    field("lon", node(Shape::Float, Write::Inherit)),
    field(
        "accuracy_m",
        node(Shape::Opt(&Shape::Float), Write::Inherit),
    ),
]);
const CHOICE: Node = node(ID, Write::Inherit);

/// An answer value as [`crate::answers::AnswerValue`] is stored.
const ANSWER_VALUE: Shape = Shape::Tagged {
    units: &["Pass", "Fail", "NotApplicable"],
    tuples: &[
        ("Fraction", Shape::Float),
        ("Number", Shape::Float),
        ("Choice", ID),
        (
            "Choices",
            Shape::List {
                max: 200,
                of: &CHOICE,
            },
        ),
        ("Text", TEXT),
        (
            "Media",
            Shape::List {
                max: 50,
                of: &MEDIA,
            },
        ),
        ("Location", GEO),
    ],
};

const ANSWER: Node = node(
    Shape::Map(&[
        field("value", node(ANSWER_VALUE, Write::Inherit)),
        field("note", node(Shape::Opt(&TEXT), Write::Inherit)),
        field(
            "evidence",
            node(
                Shape::List {
                    max: 50,
                    of: &MEDIA,
                },
                Write::Inherit,
            ),
        ),
        field("by", must(ID, Write::Inherit, Must::Sender)),
        field("at", node(Shape::Int, Write::Inherit)),
    ]),
    Write::By(Who::Author, EDITABLE),
);

const COMMENT: Node = node(
    Shape::Map(&[
        field("item", node(OPT_ID, Write::Once)),
        field("text", must(TEXT, Write::Once, Must::NotBlank)),
        field("by", must(ID, Write::Once, Must::Sender)),
        field("at", node(Shape::Int, Write::Once)),
    ]),
    Write::Add(Who::AuthorOrReviewer, OPEN),
);

const FIX_PHOTOS: Shape = Shape::List {
    max: super::MAX_ACTION_EVIDENCE,
    of: &MEDIA,
};

const ACTION: Node = node(
    Shape::Map(&[
        field("item", node(ID, Write::By(Who::Reviewer, ANY))),
        field(
            "description",
            must(TEXT, Write::By(Who::Reviewer, ANY), Must::NotBlank),
        ),
        field(
            "assignee",
            must(ID, Write::By(Who::Reviewer, ANY), Must::NotBlank),
        ),
        field(
            "due",
            node(Shape::Str { max: 10 }, Write::By(Who::Reviewer, ANY)),
        ),
        field(
            "status",
            node(Shape::Enum(ACTION_STATUS), Write::ActionStatus),
        ),
        field("created_by", must(ID, Write::Once, Must::Sender)),
        field("created_at", node(Shape::Int, Write::Once)),
        field(
            "done_at",
            node(OPT_INT, Write::By(Who::AssigneeOrReviewer, ANY)),
        ),
        field(
            "verified_by",
            must(Shape::Opt(&ID), Write::By(Who::Reviewer, ANY), Must::Sender),
        ),
        field("verified_at", node(OPT_INT, Write::By(Who::Reviewer, ANY))),
        field(
            "verified_record",
            node(OPT_ID, Write::By(Who::Reviewer, ANY)),
        ),
        field(
            "done_note",
            node(Shape::Opt(&TEXT), Write::By(Who::AssigneeOrReviewer, ANY)),
        ),
        // Absent on actions written before photos of fixes were kept.
        field(
            "done_evidence",
            node(
                Shape::Opt(&FIX_PHOTOS),
                Write::By(Who::AssigneeOrReviewer, ANY),
            ),
        ),
    ]),
    Write::Add(Who::Reviewer, REVIEWED),
);

const STATUS_CHANGE: Node = node(
    Shape::Map(&[
        field("status", node(Shape::Enum(STATUS), Write::Once)),
        field("by", must(ID, Write::Once, Must::Sender)),
        field("at", node(Shape::Int, Write::Once)),
    ]),
    Write::Log,
);

const HEADER: Shape = Shape::Map(&[
    field("record_id", must(ID, Write::Create, Must::DocId)),
    field("template_id", node(ID, Write::Create)),
    field("template_version", node(ID, Write::Create)),
    field("kind", node(Shape::Enum(KIND), Write::Create)),
    field("mode", node(Shape::Enum(MODE), Write::Create)),
    field("store_id", node(Shape::Str { max: 256 }, Write::Create)),
    field("author", must(ID, Write::Create, Must::Sender)),
    field("device", node(ID, Write::Create)),
    field("started_at", node(Shape::Int, Write::Create)),
    field("ended_at", node(OPT_INT, Write::By(Who::Author, EDITABLE))),
    field(
        "location",
        node(Shape::Opt(&GEO), Write::By(Who::Author, EDITABLE)),
    ),
]);

/// The whole record document.
pub const RECORD: Node = node(
    Shape::Map(&[
        field("schema", must(Shape::Uint, Write::Create, Must::Schema)),
        field("header", node(HEADER, Write::Create)),
        field("status", node(Shape::Enum(STATUS), Write::Status)),
        field(
            "history",
            node(
                Shape::List {
                    max: 100,
                    of: &STATUS_CHANGE,
                },
                Write::Create,
            ),
        ),
        field(
            "answers",
            node(
                Shape::Entries {
                    max: MAX_ANSWERS,
                    of: &ANSWER,
                },
                Write::Create,
            ),
        ),
        field(
            "comments",
            node(
                Shape::Entries {
                    max: 500,
                    of: &COMMENT,
                },
                Write::Create,
            ),
        ),
        field(
            "actions",
            node(
                Shape::Entries {
                    max: 500,
                    of: &ACTION,
                },
                Write::Create,
            ),
        ),
    ]),
    Write::Create,
);

/// One step of a path in a document: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl Seg {
    /// The Automerge property this step reads.
    pub fn prop(&self) -> automerge::Prop {
        match self {
            Seg::Key(k) => automerge::Prop::Map(k.clone()),
            Seg::Index(i) => automerge::Prop::Seq(*i),
        }
    }
}

impl From<&automerge::Prop> for Seg {
    fn from(p: &automerge::Prop) -> Seg {
        match p {
            automerge::Prop::Map(k) => Seg::Key(k.to_string()),
            automerge::Prop::Seq(i) => Seg::Index(*i),
        }
    }
}

/// A path as people read it: `/answers/a1/note`, `/history/2`.
pub fn show(path: &[Seg]) -> String {
    if path.is_empty() {
        return "/".into();
    }
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{k}"),
            Seg::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// Whether `key` may name an entry of an [`Shape::Entries`] map: an id,
/// or an item's answer in one entry of a repeated section, `item@entry`
/// ([`crate::templates::entry_key`]).
pub fn valid_key(key: &str) -> bool {
    let id = |k: &str| {
        !k.is_empty()
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    key.len() <= ID_MAX
        && match key.split_once('@') {
            None => id(key),
            Some((item, entry)) => id(item) && crate::templates::valid_entry(entry),
        }
}

/// The node at the end of `path`, with the chain of nodes from the root
/// (the root first), or the first step the schema does not know.
pub fn resolve(path: &[Seg]) -> Result<Vec<&'static Node>, usize> {
    let mut chain: Vec<&'static Node> = vec![&RECORD];
    for (i, seg) in path.iter().enumerate() {
        let here = chain[chain.len() - 1];
        let next = child(&here.shape, seg).ok_or(i)?;
        chain.push(next);
    }
    Ok(chain)
}

/// The node one step below a value of `shape`.
fn child(shape: &'static Shape, seg: &Seg) -> Option<&'static Node> {
    match (shape, seg) {
        (Shape::Map(fields), Seg::Key(k)) => {
            fields.iter().find(|f| f.key == k.as_str()).map(|f| &f.node)
        }
        (Shape::Entries { of, .. }, Seg::Key(k)) if valid_key(k) => Some(of),
        (Shape::List { of, .. }, Seg::Index(_)) => Some(of),
        (Shape::Opt(inner), seg) => child(inner, seg),
        _ => None,
    }
}

/// The table as it is documented: one row per path, with its shape, who
/// writes it and how. `*` stands for any entry id, `#` for any list index.
pub fn rows() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    walk_rows(&RECORD, &mut String::new(), Write::Create, &mut out);
    out
}

fn walk_rows(
    n: &Node,
    path: &mut String,
    inherited: Write,
    out: &mut Vec<(String, String, String)>,
) {
    let write = if n.write == Write::Inherit {
        inherited
    } else {
        n.write
    };
    if !path.is_empty() {
        out.push((path.clone(), describe(&n.shape), rule_text(write, n.must)));
    }
    let len = path.len();
    let mut shape = &n.shape;
    while let Shape::Opt(inner) = shape {
        shape = inner;
    }
    match shape {
        Shape::Map(fields) => {
            for f in *fields {
                path.push('/');
                path.push_str(f.key);
                walk_rows(&f.node, path, write, out);
                path.truncate(len);
            }
        }
        Shape::Entries { of, .. } => {
            path.push_str("/*");
            walk_rows(of, path, write, out);
            path.truncate(len);
        }
        Shape::List { of, .. } if matches!(of.shape, Shape::Map(_)) => {
            path.push_str("/#");
            walk_rows(of, path, write, out);
            path.truncate(len);
        }
        _ => {}
    }
}

/// A shape in words, for the documentation and for refusals.
pub fn describe(shape: &Shape) -> String {
    match shape {
        Shape::Map(_) => "map".into(),
        Shape::Entries { max, .. } => format!("map of up to {max} entries by id"),
        Shape::List { max, of } => match of.shape {
            Shape::Map(_) => format!("list of up to {max} maps"),
            ref s => format!("list of up to {max} × {}", describe(s)),
        },
        Shape::Str { max } => format!("string ≤ {max} chars"),
        Shape::Enum(v) => format!("{} ({})", v.name, (v.names)()),
        Shape::Int => "integer".into(),
        Shape::Uint => "unsigned integer".into(),
        Shape::Float => "float".into(),
        Shape::Opt(inner) => format!("null or {}", describe(inner)),
        Shape::Tagged { units, tuples } => format!(
            "answer value: {}, or a map of one key, {}, to its value",
            units.join(" / "),
            tuples
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(" / ")
        ),
    }
}

fn states_text(states: &[Status]) -> String {
    if states.is_empty() {
        "in any state".into()
    } else {
        format!(
            "while {}",
            states
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn who_text(who: Who) -> &'static str {
    match who {
        Who::Author => "the author",
        Who::Reviewer => "a reviewer",
        Who::AuthorOrReviewer => "the author or a reviewer",
        Who::AssigneeOrReviewer => "the action's assignee or a reviewer",
    }
}

/// A rule in words.
pub fn rule_text(write: Write, m: Must) -> String {
    let mut s = match write {
        Write::Create => "set when the record is created, never after".to_string(),
        Write::Once => "set with its entry, never changed".to_string(),
        Write::By(who, states) => format!("{} {}", who_text(who), states_text(states)),
        Write::Add(who, states) => format!(
            "added by {} {}; never changed or removed",
            who_text(who),
            states_text(states)
        ),
        Write::Status => "the record's transition table".to_string(),
        Write::Log => "appended by whoever moves the status, naming that move".to_string(),
        Write::ActionStatus => "the corrective action's transition table".to_string(),
        Write::Inherit => "as its entry".to_string(),
    };
    match m {
        Must::Any => {}
        Must::Sender => s.push_str("; must be the writer's own user id"),
        Must::DocId => s.push_str("; must be the document's id"),
        Must::Schema => s.push_str(&format!("; must be {}", super::DOC_SCHEMA)),
        Must::NotBlank => s.push_str("; not blank"),
    }
    s
}

/// The table as a Markdown table, as docs/records.md holds it.
pub fn markdown_table() -> String {
    let mut s = String::from("| path | value | who writes it, and when |\n|---|---|---|\n");
    for (path, shape, rule) in rows() {
        s.push_str(&format!("| `{path}` | {shape} | {rule} |\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(path: &str) -> Vec<Seg> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s.parse::<usize>() {
                Ok(i) => Seg::Index(i),
                Err(_) => Seg::Key(s.into()),
            })
            .collect()
    }

    #[test]
    fn paths_resolve_to_their_rules_and_unknown_ones_do_not() {
        let note = resolve(&keys("/answers/a1/note")).expect("known");
        assert_eq!(note.len(), 4);
        assert_eq!(note[2].write, Write::By(Who::Author, EDITABLE));
        assert!(resolve(&keys("/header/kind")).is_ok());
        assert!(resolve(&keys("/history/3/by")).is_ok());
        assert!(resolve(&keys("/header/location/lat")).is_ok());
        assert_eq!(resolve(&keys("/junk")).map(|_| ()), Err(0));
        assert_eq!(resolve(&keys("/answers/a1/extra")).map(|_| ()), Err(2));
        assert_eq!(
            resolve(&keys("/answers/bad key")).map(|_| ()),
            Err(1),
            "entry ids are plain words"
        );
    }

    #[test]
    fn the_documentation_holds_the_table_as_the_code_has_it() {
        let doc = include_str!("../../../docs/records.md");
        let table = markdown_table();
        assert!(
            doc.contains(&table),
            "docs/records.md is out of date; its table should read:\n{table}"
        );
    }
}
