//! Server-side validation of changes to a record (design.md decisions 4 and
//! 11). A change is checked by what it touches: the paths Automerge's diff
//! between the old and the new heads reports, each against the rule the
//! schema ([`super::schema`]) gives it, and every new value against the
//! shape of its path. Every Automerge change must be signed by the
//! signed-in user. Nothing outside the schema gets in.
//!
//! The same gate guards sync and the API's writes, so a rule refused on one
//! path is refused on the other.

use std::collections::{BTreeSet, HashSet};

use automerge::{ActorId, ObjId as ExId};
use automerge::{AutoCommit, Change, ChangeHash, ObjType, Prop, ROOT, ReadDoc, ScalarValue, Value};

use super::schema::{self, MAX_DOC_BYTES, MAX_DOC_OPS, Must, Node, Seg, Shape, Who, Write};
use super::{ActionStatus, DOC_SCHEMA, Header, Status};
use crate::answers::check_complete;
use crate::msg;
use crate::msg::Msg;
use crate::sync::{Gate, Refusal};
use crate::templates::{Template, TemplateKind};
use crate::vocab::Role;

/// Stable codes of the rules a refusal cites, for logs and clients.
pub mod rule {
    /// A change carries no author.
    pub const UNSIGNED: &str = "unsigned";
    /// A change is signed by someone other than the signed-in user.
    pub const FORGED: &str = "forged_author";
    /// A path the record schema does not have.
    pub const UNKNOWN_PATH: &str = "unknown_path";
    /// A value of the wrong type, too long, or missing where required.
    pub const SHAPE: &str = "shape";
    /// A path that is fixed (at creation, or once written).
    pub const FIXED: &str = "fixed";
    /// An append-only entry changed or removed.
    pub const APPEND_ONLY: &str = "append_only";
    /// A writer or a record state the path's rule does not allow.
    pub const NOT_ALLOWED: &str = "not_allowed";
    /// A status move the transition table does not have.
    pub const TRANSITION: &str = "transition";
    /// The document would grow past [`super::MAX_DOC_BYTES`].
    pub const TOO_LARGE: &str = "too_large";
    /// A record outside the user's scope (or none at all).
    pub const NOT_PERMITTED: &str = "not_permitted";
    /// Reference data, which devices only read.
    pub const READ_ONLY: &str = "read_only";
    /// Not a record document at all.
    pub const NOT_A_RECORD: &str = "not_a_record";
    /// A new record that does not match the published template it names.
    pub const TEMPLATE: &str = "template";
    /// A record submitted with problems its template names: a required
    /// item unanswered, a constraint broken, a choice not offered.
    pub const INCOMPLETE: &str = "incomplete";
    /// A new record started ahead of the server's clock by more than a
    /// device's clock may be wrong ([`super::CLOCK_SLACK_MS`]).
    pub const CLOCK: &str = "clock";
}

/// How far ahead of the server's clock a new record may say it was
/// started: a day, for a device's clock set wrong or its time zone. More is
/// refused: `today()` and `now()` read the start.
pub const CLOCK_SLACK_MS: i64 = 86_400_000;

/// What the server has published, by template id and version: the kind and
/// visit mode every record of that version must carry (a record that called
/// a mystery visit overt would show it to the store), and what a submitted
/// record of it must answer.
pub type Published = std::collections::HashMap<(String, String), std::sync::Arc<Template>>;

/// The longest commit message, and the most extra bytes (the author, for
/// one), a change may carry. The record operations write a few words.
pub const MAX_CHANGE_EXTRA: usize = 256;

/// What a user is told about a document outside their reach, whether or not
/// it exists.
pub fn not_permitted() -> Msg {
    msg!("records.not_permitted", "not found or not permitted")
}

/// What a device is told when it changes reference data.
pub fn read_only() -> Msg {
    msg!(
        "records.read_only",
        "reference data is read-only: administrators change it on the server"
    )
}

/// Who sent the changes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sender<'a> {
    user: &'a str,
    role: Role,
}

impl Sender<'_> {
    fn is_reviewer(&self) -> bool {
        is_reviewer(self.role)
    }
}

fn is_reviewer(role: Role) -> bool {
    matches!(role, Role::Manager | Role::Admin)
}

fn refuse<T>(rule: &'static str, path: Option<&[Seg]>, reason: Msg) -> Result<T, Refusal> {
    Err(Refusal {
        rule,
        path: path.map(schema::show),
        reason,
    })
}

/// Whether a record of `kind` may move from `from` to `to` by a user of
/// `role` who is (or is not) its author.
pub fn transition_allowed(
    kind: TemplateKind,
    from: Status,
    to: Status,
    role: Role,
    is_author: bool,
) -> bool {
    use Status::*;
    let author = is_author && matches!(role, Role::Inspector | Role::Surveyor);
    match (from, to) {
        (Draft, Submitted | Discarded) | (Returned, Resubmitted) => author,
        (Draft, Partial) => author && kind == TemplateKind::Questionnaire,
        (Submitted | Resubmitted, Returned | Approved) => is_reviewer(role),
        _ => false,
    }
}

/// Whether a corrective action may move from `from` to `to` by a user of
/// `role` who is (or is not) its assignee.
pub fn action_step_allowed(
    from: ActionStatus,
    to: ActionStatus,
    role: Role,
    is_assignee: bool,
) -> bool {
    use ActionStatus::*;
    match (from, to) {
        (Open, Done) => is_assignee || is_reviewer(role),
        (Done, Verified) | (Done, Open) => is_reviewer(role),
        _ => false,
    }
}

/// Whether `store_id` lies in `scope` (design.md decision 7): `*`, or a
/// store hierarchy path such as `cq/yuzhong` covering `cq/yuzhong/...`.
pub fn in_scope(scope: &str, store_id: &str) -> bool {
    scope == "*"
        || store_id == scope
        || store_id
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The [`Gate`] for record documents: only records of a store in the
/// sender's scope pass, and only changes [`check`] allows.
#[derive(Debug)]
pub struct RecordGate {
    pub user: String,
    pub role: Role,
    pub scope: String,
    /// Bytes of changes the document holds already (the server keeps count).
    pub stored_bytes: u64,
    /// The published templates new records must match. `None`: new
    /// records are not checked against templates (tools, tests). A new
    /// record of a version not in it is accepted and kept unscored until the
    /// version is published (see materialise.rs).
    pub published: Option<std::sync::Arc<Published>>,
    /// The most Automerge operations the record may hold: [`MAX_DOC_OPS`].
    pub max_ops: u64,
}

impl RecordGate {
    pub fn new(user: impl Into<String>, role: Role, scope: impl Into<String>) -> RecordGate {
        RecordGate {
            user: user.into(),
            role,
            scope: scope.into(),
            stored_bytes: 0,
            published: None,
            max_ops: MAX_DOC_OPS,
        }
    }

    /// The gate for a document that holds `bytes` of changes already.
    pub fn holding(mut self, bytes: u64) -> RecordGate {
        self.stored_bytes = bytes;
        self
    }

    /// The gate that holds new records to the templates published.
    pub fn pinning(mut self, published: std::sync::Arc<Published>) -> RecordGate {
        self.published = Some(published);
        self
    }
}

impl Gate for RecordGate {
    fn check(
        &self,
        doc: &str,
        before: &mut AutoCommit,
        after: &mut AutoCommit,
    ) -> Result<(), Refusal> {
        if crate::refdata::is_reference(doc) {
            return refuse(rule::READ_ONLY, None, read_only());
        }
        check(doc, before, after, self)
    }
}

/// The new changes, read once: their Automerge actors and op counters, to
/// tell the values they wrote from values already there.
struct NewOps {
    changes: Vec<Change>,
    ranges: Vec<(ActorId, u64, u64)>,
}

impl NewOps {
    fn wrote(&self, id: &ExId) -> bool {
        match id {
            ExId::Root => false,
            ExId::Id(counter, actor, _) => self
                .ranges
                .iter()
                .any(|(a, lo, hi)| a == actor && (*lo..=*hi).contains(counter)),
        }
    }
}

/// Checks the changes that took `before` to `after` (`before` empty: a new
/// record) as `gate` says: sent by its user, within its scope and limits.
pub fn check(
    doc_id: &str,
    before: &mut AutoCommit,
    after: &mut AutoCommit,
    gate: &RecordGate,
) -> Result<(), Refusal> {
    let scope = gate.scope.as_str();
    let sender = &Sender {
        user: &gate.user,
        role: gate.role,
    };
    let before_heads = before.get_heads();
    let new_ops = check_signatures(after, &before_heads, sender, gate)?;
    let ctx = Ctx {
        doc_id,
        sender,
        new_ops,
    };
    if before_heads.is_empty() {
        return check_new(after, &ctx, gate);
    }
    let was = Was::read(before)?;
    // The store a record was made for: the header never changes.
    if !in_scope(scope, &was.store_id) {
        return refuse(rule::NOT_PERMITTED, None, not_permitted());
    }
    check_changes(before, after, &before_heads, &ctx, &was, gate)
}

/// Every new change signed by the sender (Automerge 0.12 names the author on
/// an actor's first change; later changes of that actor carry it), and the
/// document within its size.
fn check_signatures(
    after: &mut AutoCommit,
    before_heads: &[ChangeHash],
    sender: &Sender,
    gate: &RecordGate,
) -> Result<NewOps, Refusal> {
    let mut bytes = gate.stored_bytes;
    let changes = after.get_changes(before_heads);
    let mut ranges = Vec::new();
    for c in &changes {
        bytes += c.raw_bytes().len() as u64;
        match after.get_author_for_actor(c.actor_id()) {
            None => {
                return refuse(
                    rule::UNSIGNED,
                    None,
                    msg!(
                        "records.unsigned",
                        "every change must be signed by the signed-in user; one is unsigned"
                    ),
                );
            }
            Some(a) if a.as_bytes() != sender.user.as_bytes() => {
                return refuse(
                    rule::FORGED,
                    None,
                    msg!(
                        "records.forged_change",
                        "a change signed `{signed}` was sent by `{sender}`",
                        signed = String::from_utf8_lossy(a.as_bytes()),
                        sender = sender.user
                    ),
                );
            }
            Some(_) => {}
        }
        // A change that writes nothing, or carries a long message or
        // extra bytes, would only eat the record's byte budget.
        if c.is_empty() {
            return refuse(
                rule::SHAPE,
                None,
                msg!(
                    "records.empty_change",
                    "a change that writes nothing is refused"
                ),
            );
        }
        if c.message().map_or(0, str::len) > MAX_CHANGE_EXTRA
            || c.extra_bytes().len() > MAX_CHANGE_EXTRA
        {
            return refuse(
                rule::SHAPE,
                None,
                msg!(
                    "records.change_extra",
                    "a change's message and extra bytes are at most {max} bytes each",
                    max = MAX_CHANGE_EXTRA
                ),
            );
        }
        ranges.push((c.actor_id().clone(), c.start_op().get(), c.max_op()));
    }
    if bytes > MAX_DOC_BYTES {
        return refuse(
            rule::TOO_LARGE,
            None,
            msg!(
                "records.too_many_bytes",
                "the record would hold {bytes} bytes of changes, over the limit of {max}",
                bytes = bytes,
                max = MAX_DOC_BYTES
            ),
        );
    }
    let (held, max) = (after.stats().num_ops, gate.max_ops);
    if held > max {
        return refuse(
            rule::TOO_LARGE,
            None,
            msg!(
                "records.too_many_ops",
                "the record would hold {ops} operations, over the limit of {max}",
                ops = held,
                max = max
            ),
        );
    }
    Ok(NewOps { changes, ranges })
}

struct Ctx<'a> {
    doc_id: &'a str,
    sender: &'a Sender<'a>,
    new_ops: NewOps,
}

/// What the rules need of the record as it was.
struct Was {
    author: String,
    store_id: String,
    kind: TemplateKind,
    /// The template id and version it was made with (the header never
    /// changes).
    template: (String, String),
    /// When it was started: what `today()` and `now()` read.
    started_at: i64,
    status: Status,
}

impl Was {
    fn read(before: &AutoCommit) -> Result<Was, Refusal> {
        let header: Header = read(before, "header")?;
        let status: Status = read(before, "status")?;
        Ok(Was {
            template: template_key(&header),
            started_at: header.started_at,
            author: header.author,
            store_id: header.store_id,
            kind: header.kind,
            status,
        })
    }

    fn is_author(&self, s: &Sender) -> bool {
        s.user == self.author && matches!(s.role, Role::Inspector | Role::Surveyor)
    }
}

/// A new record: the author's, whole and well-formed, of a store in the
/// author's scope, in a state its author can reach from a draft, with no
/// review in it yet.
fn check_new(after: &AutoCommit, ctx: &Ctx, gate: &RecordGate) -> Result<(), Refusal> {
    if !matches!(ctx.sender.role, Role::Inspector | Role::Surveyor) {
        return refuse(
            rule::NOT_ALLOWED,
            None,
            msg!(
                "records.cannot_start",
                "a {role} cannot start records",
                role = ctx.sender.role
            ),
        );
    }
    check_value(
        after,
        &Value::Object(ObjType::Map),
        &ExId::Root,
        &schema::RECORD.shape,
        schema::RECORD.must,
        &mut Vec::new(),
        ctx,
    )?;
    let header: Header = read(after, "header")?;
    if !in_scope(&gate.scope, &header.store_id) {
        return refuse(rule::NOT_PERMITTED, None, not_permitted());
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    if header.started_at > now_ms.saturating_add(CLOCK_SLACK_MS) {
        return refuse(
            rule::CLOCK,
            Some(&[Seg::Key("header".into()), Seg::Key("started_at".into())]),
            msg!(
                "records.started_ahead",
                "started more than a day after the server's time ({hours} hours ahead): the device's clock is wrong",
                hours = (header.started_at - now_ms) / 3_600_000
            ),
        );
    }
    if let Some(published) = gate.published.as_deref() {
        check_template(&header, published)?;
    }
    let status: Status = read(after, "status")?;
    if status != Status::Draft
        && !transition_allowed(header.kind, Status::Draft, status, ctx.sender.role, true)
    {
        return refuse(
            rule::TRANSITION,
            Some(&[Seg::Key("status".into())]),
            msg!(
                "records.new_status",
                "a new record arrives as a draft, or as its author ended it, not {status}",
                status = status
            ),
        );
    }
    for key in ["comments", "actions"] {
        if map_len(after, key) > 0 {
            return refuse(
                rule::NOT_ALLOWED,
                Some(&[Seg::Key(key.into())]),
                msg!(
                    "records.new_with_review",
                    "a new record arrives without review: no comments or corrective actions"
                ),
            );
        }
    }
    check_first_log(after, header.kind, status, ctx.sender.role)?;
    check_submitted(
        after,
        &template_key(&header),
        header.started_at,
        status,
        gate,
    )
}

/// A record its author submits holds everything its template asks, as the
/// app's own submit checks: whatever client sent it. Only where the
/// server has published the version (else it is kept unscored).
fn check_submitted(
    after: &AutoCommit,
    template: &(String, String),
    started_at: i64,
    status: Status,
    gate: &RecordGate,
) -> Result<(), Refusal> {
    if !matches!(status, Status::Submitted | Status::Resubmitted) {
        return Ok(());
    }
    let Some(template) = gate.published.as_deref().and_then(|p| p.get(template)) else {
        return Ok(());
    };
    let problems = check_complete(template, &values_only(after)?, Some(started_at));
    let Some(first) = problems.first() else {
        return Ok(());
    };
    refuse(
        rule::INCOMPLETE,
        Some(&[Seg::Key("answers".into()), Seg::Key(first.item().into())]),
        msg!(
            "records.submitted_incomplete",
            "submitted with {n} problems the template names, the first: {problem}",
            n = problems.len(),
            problem = first.msg()
        ),
    )
}

/// The record's answer values alone: an answer's note, evidence and
/// authorship are not read (a third of the time of reading answers whole).
fn values_only(doc: &AutoCommit) -> Result<crate::answers::Answers, Refusal> {
    let not_a_record = |e: &dyn std::fmt::Display| not_a_record(Some("/answers"), e);
    let answers = match doc.get(ROOT, "answers") {
        Ok(Some((Value::Object(ObjType::Map), id))) => id,
        Ok(None) => return Ok(Default::default()),
        Ok(Some(_)) => return Err(not_a_record(&"answers is not a map")),
        Err(e) => return Err(not_a_record(&e)),
    };
    doc.keys(&answers)
        .map(|item| {
            let answer = match doc.get(&answers, item.as_str()) {
                Ok(Some((Value::Object(ObjType::Map), id))) => id,
                Ok(_) => return Err(not_a_record(&format!("answer {item} is not a map"))),
                Err(e) => return Err(not_a_record(&e)),
            };
            let value =
                autosurgeon::hydrate_prop(doc, &answer, "value").map_err(|e| not_a_record(&e))?;
            Ok((item, value))
        })
        .collect()
}

/// A new record of a published template carries its kind and mode.
fn check_template(header: &Header, published: &Published) -> Result<(), Refusal> {
    let Some(t) = published.get(&template_key(header)) else {
        return Ok(());
    };
    let (kind, mode) = (t.kind, t.mode);
    for (key, ok, is) in [
        ("kind", header.kind == kind, kind.as_str()),
        ("mode", header.mode == mode, mode.as_str()),
    ] {
        if !ok {
            return refuse(
                rule::TEMPLATE,
                Some(&[Seg::Key("header".into()), Seg::Key(key.into())]),
                msg!(
                    "records.header_template",
                    "{path} must be {value}, as template {template} says",
                    path = format!("/header/{key}"),
                    value = is,
                    template = header.template_id
                ),
            );
        }
    }
    Ok(())
}

fn read<T: autosurgeon::Hydrate>(doc: &AutoCommit, key: &str) -> Result<T, Refusal> {
    autosurgeon::hydrate_prop(doc, ROOT, key).map_err(|e| not_a_record(None, &e))
}

/// A document no record reads, at `path` where known.
fn not_a_record(path: Option<&str>, detail: &dyn std::fmt::Display) -> Refusal {
    Refusal {
        rule: rule::NOT_A_RECORD,
        path: path.map(Into::into),
        reason: msg!(
            "records.not_a_record_doc",
            "not a record: {detail}",
            detail = detail.to_string()
        ),
    }
}

/// The key of the published template a record names.
fn template_key(header: &Header) -> (String, String) {
    (header.template_id.clone(), header.template_version.clone())
}

fn map_len(doc: &AutoCommit, key: &str) -> usize {
    match doc.get(ROOT, key) {
        Ok(Some((_, id))) => doc.length(&id),
        _ => 0,
    }
}

/// The status history: `added` new entries (more than `from` of them are
/// old), the last naming the status the record is now in.
fn check_log(after: &AutoCommit, from: usize, status: Status, moved: bool) -> Result<(), Refusal> {
    let history: Vec<super::StatusChange> = read(after, "history")?;
    let added = history.len().saturating_sub(from);
    let path = [Seg::Key("history".into())];
    match (moved, history.last()) {
        (true, Some(last)) if added == 1 && last.status == status => Ok(()),
        (true, _) => refuse(
            rule::TRANSITION,
            Some(&path),
            msg!(
                "records.history_entry",
                "a move to {status} is recorded by one new entry in the status history",
                status = status
            ),
        ),
        (false, _) if added > 0 => refuse(
            rule::APPEND_ONLY,
            Some(&path),
            msg!(
                "records.history_moves_only",
                "the status history records status moves only"
            ),
        ),
        (false, _) => Ok(()),
    }
}

/// A new record's history starts with its draft and follows moves its
/// author may make, ending in the status it is in.
fn check_first_log(
    after: &AutoCommit,
    kind: TemplateKind,
    status: Status,
    role: Role,
) -> Result<(), Refusal> {
    let history: Vec<super::StatusChange> = read(after, "history")?;
    let steps_ok = history
        .windows(2)
        .all(|w| transition_allowed(kind, w[0].status, w[1].status, role, true));
    let starts = history.first().map(|h| h.status) == Some(Status::Draft);
    let ends = history.last().map(|h| h.status) == Some(status);
    if starts && ends && steps_ok {
        return Ok(());
    }
    refuse(
        rule::TRANSITION,
        Some(&[Seg::Key("history".into())]),
        msg!(
            "records.new_history",
            "a new record's history starts as a draft and moves, as its author may, to {status}",
            status = status
        ),
    )
}

/// How a patch touched its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Touch {
    Put,
    Insert,
    Delete,
}

/// An existing record: every path the changes touched, against its rule.
/// Automerge's diff shows what the changes made visible; a value that lost
/// a conflict at a key already in conflict shows in no patch, so the
/// changes' own operations are then read for the objects they wrote into,
/// and any new value no patch showed is checked the same way.
fn check_changes(
    before: &AutoCommit,
    after: &mut AutoCommit,
    before_heads: &[ChangeHash],
    ctx: &Ctx,
    was: &Was,
    gate: &RecordGate,
) -> Result<(), Refusal> {
    let after_heads = after.get_heads();
    let patches = after.diff(before_heads, &after_heads);
    let after = &*after;
    let written = written_into(after, &ctx.new_ops.changes);
    let mut walk = Walk {
        before,
        after,
        ctx,
        was,
        logged: read::<Vec<super::StatusChange>>(before, "history")?.len(),
        created: HashSet::new(),
        actions_moved: BTreeSet::new(),
        shown: HashSet::new(),
    };
    for p in &patches {
        if walk.created.contains(&p.obj) {
            note_created(&p.action, &mut walk.created);
            continue;
        }
        let base: Vec<Seg> = p.path.iter().map(|(_, prop)| Seg::from(prop)).collect();
        for (path, touch, prop) in touched(&base, &p.action) {
            let Some(prop) = prop else {
                return refuse(
                    rule::SHAPE,
                    Some(&path),
                    msg!(
                        "records.text_objects",
                        "text objects and marks are not part of a record"
                    ),
                );
            };
            walk.write(&p.obj, path, touch, prop)?;
        }
    }
    for obj in written {
        walk.hidden(&obj)?;
    }
    let Walk {
        actions_moved,
        logged,
        ..
    } = walk;
    let status: Status = read(after, "status")?;
    let moved = status != was.status;
    let author = was.author == ctx.sender.user;
    let mut to: Vec<Status> = new_values(after, &ROOT, "status", ctx)
        .filter_map(|v| Status::parse(&v))
        .collect();
    to.push(status);
    for s in to {
        if s != was.status && !transition_allowed(was.kind, was.status, s, ctx.sender.role, author)
        {
            return refuse(
                rule::TRANSITION,
                Some(&[Seg::Key("status".into())]),
                msg!(
                    "records.move",
                    "a {role} cannot move a record from {from} to {to}",
                    role = ctx.sender.role,
                    from = was.status,
                    to = s
                ),
            );
        }
    }
    check_log(after, logged, status, moved)?;
    for id in actions_moved {
        check_action_step(before, after, ctx, &id)?;
    }
    if moved {
        check_submitted(after, &was.template, was.started_at, status, gate)?;
    }
    Ok(())
}

/// The rule chain of `path`, or `unknown_path` at its first unknown step.
fn resolve(path: &[Seg]) -> Result<Vec<&'static Node>, Refusal> {
    schema::resolve(path).or_else(|i| {
        refuse(
            rule::UNKNOWN_PATH,
            Some(&path[..=i]),
            msg!(
                "records.unknown_path",
                "{path} is not part of a record",
                path = schema::show(&path[..=i])
            ),
        )
    })
}

/// The objects the new changes' operations wrote into (puts, inserts,
/// deletes), as the document names them.
fn written_into(after: &AutoCommit, changes: &[Change]) -> Vec<ExId> {
    let mut seen = BTreeSet::new();
    for c in changes {
        for op in c.decode().operations {
            seen.insert(op.obj.to_string());
        }
    }
    // Every object an operation names exists: Automerge applied it.
    seen.iter()
        .filter_map(|o| after.import_obj(o).ok())
        .collect()
}

/// The string values written by the new changes at `key` of `obj`.
fn new_values<'a>(
    doc: &'a AutoCommit,
    obj: &ExId,
    key: &str,
    ctx: &'a Ctx,
) -> impl Iterator<Item = String> + 'a {
    doc.get_all(obj, key)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, id)| ctx.new_ops.wrote(id))
        .filter_map(|(v, _)| match v {
            Value::Scalar(s) => match s.as_ref() {
                ScalarValue::Str(v) => Some(v.to_string()),
                _ => None,
            },
            Value::Object(_) => None,
        })
}

/// One pass over what the changes wrote.
struct Walk<'a> {
    before: &'a AutoCommit,
    after: &'a AutoCommit,
    ctx: &'a Ctx<'a>,
    was: &'a Was,
    /// Entries in the status history before the changes.
    logged: usize,
    /// Objects the changes created: what lies inside them was checked
    /// whole where they were put.
    created: HashSet<ExId>,
    /// Corrective actions whose status the changes wrote.
    actions_moved: BTreeSet<String>,
    /// Values already seen at a touched path.
    shown: HashSet<ExId>,
}

impl Walk<'_> {
    /// A write at `path` (`prop` of `obj`), against its rule, and every new
    /// value there against its shape.
    fn write(
        &mut self,
        obj: &ExId,
        path: Vec<Seg>,
        touch: Touch,
        prop: Prop,
    ) -> Result<(), Refusal> {
        let (before, after, ctx, was) = (self.before, self.after, self.ctx, self.was);
        let chain = resolve(&path)?;
        let (at, write) = governing(&chain);
        match write {
            Write::Create => {
                return refuse(
                    rule::FIXED,
                    Some(&path),
                    msg!(
                        "records.fixed_at_creation",
                        "{path} is set when the record is created and never changes",
                        path = schema::show(&path)
                    ),
                );
            }
            Write::Once => {
                return refuse(
                    rule::FIXED,
                    Some(&path),
                    msg!(
                        "records.write_once",
                        "{path} never changes once written",
                        path = schema::show(&path)
                    ),
                );
            }
            Write::By(who, states) => allow(who, states, &path, before, ctx, was)?,
            Write::Add(who, states) => {
                let entry = &path[..at];
                if at != path.len() || touch == Touch::Delete || exists(before, entry) {
                    return refuse(
                        rule::APPEND_ONLY,
                        Some(entry),
                        msg!(
                            "records.append_only",
                            "{path} cannot be changed or removed once added",
                            path = schema::show(entry)
                        ),
                    );
                }
                allow(who, states, &path, before, ctx, was)?;
                if path.first() == Some(&Seg::Key("actions".into())) {
                    check_new_action(after, obj, &prop, &path)?;
                }
            }
            // Checked once, at the end, from the status before and after.
            Write::Status => {}
            Write::Log => {
                let at_end = matches!(path.get(1), Some(Seg::Index(i)) if *i >= self.logged);
                if touch != Touch::Insert || !at_end {
                    return refuse(
                        rule::APPEND_ONLY,
                        Some(&path),
                        msg!(
                            "records.history_append_only",
                            "the status history is append-only, at its end"
                        ),
                    );
                }
            }
            Write::ActionStatus => {
                if let Some(Seg::Key(id)) = path.get(1) {
                    self.actions_moved.insert(id.clone());
                }
            }
            Write::Inherit => unreachable!("the root's rule is Create"),
        }
        let node = chain[chain.len() - 1];
        let parent = chain[chain.len() - 2];
        if touch == Touch::Delete {
            if !deletable(parent, node) {
                return refuse(
                    rule::SHAPE,
                    Some(&path),
                    msg!(
                        "records.required",
                        "{path} is required",
                        path = schema::show(&path)
                    ),
                );
            }
            return Ok(());
        }
        check_count(after, obj, parent, &path)?;
        for (value, id) in after.get_all(obj, prop).unwrap_or_default() {
            if !self.shown.insert(id.clone()) || !ctx.new_ops.wrote(&id) {
                continue;
            }
            let mut here = path.clone();
            check_value(after, &value, &id, &node.shape, node.must, &mut here, ctx)?;
            // Only objects these changes made were checked whole; an old
            // one a conflict brings into the patch was not.
            if matches!(value, Value::Object(_)) {
                self.created.insert(id);
            }
        }
        Ok(())
    }

    /// New values in `obj` that no patch showed: values that lost a
    /// conflict, and anything written inside an object that is itself
    /// hidden (it lost a conflict, or was deleted), which shows again if
    /// what hides it goes. Inside an object the changes created, only their
    /// shape matters (the object was written under its parent's rule);
    /// elsewhere they are writes like any other.
    fn hidden(&mut self, obj: &ExId) -> Result<(), Refusal> {
        let after = self.after;
        let (base, visible) = path_of(after, obj)?;
        // In a visible object, a new value shows in a patch unless it lost
        // a conflict; in a hidden one, nothing shows.
        let mut props: Vec<Prop> = Vec::new();
        match after.object_type(obj) {
            Ok(ObjType::Map) => props.extend(
                after
                    .map_range(obj, ..)
                    .filter(|i| i.conflict || !visible)
                    .map(|i| Prop::Map(i.key.to_string())),
            ),
            Ok(ObjType::List) => props.extend(
                after
                    .list_range(obj, ..)
                    .filter(|i| i.conflict || !visible)
                    .map(|i| Prop::Seq(i.index)),
            ),
            // Text objects were refused where they were put.
            Ok(_) | Err(_) => return Ok(()),
        }
        for prop in props {
            let unseen = after
                .get_all(obj, prop.clone())
                .unwrap_or_default()
                .into_iter()
                .any(|(_, id)| self.ctx.new_ops.wrote(&id) && !self.shown.contains(&id));
            if !unseen {
                continue;
            }
            let mut path = base.clone();
            path.push(Seg::from(&prop));
            if self.ctx.new_ops.wrote(obj) || self.created.contains(obj) {
                self.shape_only(obj, path, prop)?;
            } else {
                self.write(obj, path, Touch::Put, prop)?;
            }
        }
        Ok(())
    }

    /// The new values at `prop` of `obj`, a created object, against the
    /// shape of `path`.
    fn shape_only(&mut self, obj: &ExId, path: Vec<Seg>, prop: Prop) -> Result<(), Refusal> {
        let chain = resolve(&path)?;
        let node = chain[chain.len() - 1];
        for (value, id) in self.after.get_all(obj, prop).unwrap_or_default() {
            if self.ctx.new_ops.wrote(&id) && self.shown.insert(id.clone()) {
                let mut here = path.clone();
                check_value(
                    self.after,
                    &value,
                    &id,
                    &node.shape,
                    node.must,
                    &mut here,
                    self.ctx,
                )?;
            }
        }
        Ok(())
    }
}

/// The path from the root to `obj`, through hidden values too, and
/// whether every step of it is visible.
fn path_of(doc: &AutoCommit, obj: &ExId) -> Result<(Vec<Seg>, bool), Refusal> {
    let Ok(parents) = doc.parents(obj) else {
        return refuse(
            rule::SHAPE,
            None,
            msg!("records.outside", "an object outside the record"),
        );
    };
    let mut visible = true;
    let mut path: Vec<Seg> = parents
        .map(|p| {
            visible &= p.visible;
            Seg::from(&p.prop)
        })
        .collect();
    path.reverse();
    Ok((path, visible))
}

/// The objects a patch inside a created object creates in turn.
fn note_created(action: &automerge::PatchAction, created: &mut HashSet<ExId>) {
    use automerge::PatchAction as A;
    match action {
        A::PutMap {
            value: (Value::Object(_), id),
            ..
        }
        | A::PutSeq {
            value: (Value::Object(_), id),
            ..
        } => {
            created.insert(id.clone());
        }
        A::Insert { values, .. } => {
            for (v, id, _) in values.iter() {
                if matches!(v, Value::Object(_)) {
                    created.insert(id.clone());
                }
            }
        }
        _ => {}
    }
}

/// The paths a patch touches, how, and the property to read each at (none
/// for edits of text objects and marks, which a record never has).
fn touched(base: &[Seg], action: &automerge::PatchAction) -> Vec<(Vec<Seg>, Touch, Option<Prop>)> {
    use automerge::PatchAction as A;
    let at = |s: Seg, touch: Touch| {
        let mut p = base.to_vec();
        let prop = s.prop();
        p.push(s);
        (p, touch, Some(prop))
    };
    match action {
        A::PutMap { key, .. } => vec![at(Seg::Key(key.clone()), Touch::Put)],
        A::PutSeq { index, .. } => vec![at(Seg::Index(*index), Touch::Put)],
        A::Insert { index, values } => (0..values.len())
            .map(|i| at(Seg::Index(index + i), Touch::Insert))
            .collect(),
        A::Increment { prop, .. } | A::Conflict { prop } => vec![at(Seg::from(prop), Touch::Put)],
        A::DeleteMap { key } => vec![at(Seg::Key(key.clone()), Touch::Delete)],
        A::DeleteSeq { index, .. } => vec![at(Seg::Index(*index), Touch::Delete)],
        A::SpliceText { .. } | A::Mark { .. } => vec![(base.to_vec(), Touch::Put, None)],
    }
}

/// The rule that governs a write at the end of `chain`: the nearest rule
/// that is not [`Write::Inherit`], and how deep it sits.
fn governing(chain: &[&'static Node]) -> (usize, Write) {
    for (depth, n) in chain.iter().enumerate().rev() {
        if n.write != Write::Inherit {
            return (depth, n.write);
        }
    }
    (0, Write::Create)
}

/// Whether the sender is `who` for this record and it is in `states`.
fn allow(
    who: Who,
    states: &[Status],
    path: &[Seg],
    before: &AutoCommit,
    ctx: &Ctx,
    was: &Was,
) -> Result<(), Refusal> {
    let s = ctx.sender;
    let ok = match who {
        Who::Author => was.is_author(s),
        Who::Reviewer => s.is_reviewer(),
        Who::AuthorOrReviewer => was.is_author(s) || s.is_reviewer(),
        Who::AssigneeOrReviewer => {
            s.is_reviewer() || assignee(before, path).is_some_and(|a| a == s.user)
        }
    };
    if !ok {
        let whom = match who {
            Who::Author => msg!("records.whom_author", "the record's author"),
            Who::Reviewer => msg!("records.whom_manager", "a manager"),
            Who::AuthorOrReviewer => {
                msg!(
                    "records.whom_author_or_manager",
                    "the record's author or a manager"
                )
            }
            Who::AssigneeOrReviewer => msg!(
                "records.whom_assignee_or_manager",
                "the action's assignee or a manager"
            ),
        };
        return refuse(
            rule::NOT_ALLOWED,
            Some(path),
            msg!(
                "records.only_whom",
                "only {whom} may write {path}",
                whom = whom,
                path = schema::show(path)
            ),
        );
    }
    if !states.is_empty() && !states.contains(&was.status) {
        let why = if was.status == Status::Approved {
            msg!("records.locked", "this record is approved and locked")
        } else {
            msg!(
                "records.cannot_change_in_status",
                "{path} cannot change while the record is {status}",
                path = schema::show(path),
                status = was.status
            )
        };
        return refuse(rule::NOT_ALLOWED, Some(path), why);
    }
    Ok(())
}

/// The assignee of the action `path` lies in, as it was.
fn assignee(before: &AutoCommit, path: &[Seg]) -> Option<String> {
    let id = path.get(..2)?;
    let (_, obj) = lookup(before, id)?;
    match before.get(&obj, "assignee").ok()?? {
        (Value::Scalar(s), _) => match s.as_ref() {
            ScalarValue::Str(a) => Some(a.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The value at `path` in `doc`, if there is one.
fn lookup(doc: &AutoCommit, path: &[Seg]) -> Option<(Value<'static>, ExId)> {
    let mut obj = ExId::Root;
    let mut found = None;
    for s in path {
        let (v, id) = doc.get(&obj, s.prop()).ok()??;
        obj = id.clone();
        found = Some((v.into_owned(), id));
    }
    found
}

fn exists(doc: &AutoCommit, path: &[Seg]) -> bool {
    lookup(doc, path).is_some()
}

/// Entries of maps and lists may go; a map's named fields may not.
fn deletable(parent: &Node, node: &Node) -> bool {
    match parent.shape {
        Shape::Entries { .. } | Shape::List { .. } => true,
        _ => matches!(node.shape, Shape::Opt(_)),
    }
}

/// A collection that took a new entry stays within its limit.
fn check_count(doc: &AutoCommit, obj: &ExId, parent: &Node, path: &[Seg]) -> Result<(), Refusal> {
    let max = match parent.shape {
        Shape::Entries { max, .. } | Shape::List { max, .. } => max,
        _ => return Ok(()),
    };
    let len = doc.length(obj);
    if len > max {
        let at = &path[..path.len() - 1];
        return refuse(
            rule::SHAPE,
            Some(at),
            msg!(
                "records.too_many_entries",
                "{path} holds {count} entries, over the limit of {max}",
                path = schema::show(at),
                count = len,
                max = max
            ),
        );
    }
    Ok(())
}

/// A corrective action arrives open, with nothing done or verified yet.
fn check_new_action(
    after: &AutoCommit,
    obj: &ExId,
    prop: &Prop,
    path: &[Seg],
) -> Result<(), Refusal> {
    let Prop::Map(key) = prop else { return Ok(()) };
    let a: super::CorrectiveAction =
        autosurgeon::hydrate_prop(after, obj, key.as_str()).or_else(|e| {
            refuse(
                rule::SHAPE,
                Some(path),
                msg!(
                    "records.not_an_action",
                    "not a corrective action: {detail}",
                    detail = e
                ),
            )
        })?;
    if a.status != ActionStatus::Open
        || a.done_at.is_some()
        || a.verified_by.is_some()
        || a.verified_at.is_some()
        || a.verified_record.is_some()
    {
        return refuse(
            rule::TRANSITION,
            Some(path),
            msg!(
                "records.new_action",
                "a corrective action is opened open, with nothing done or verified"
            ),
        );
    }
    Ok(())
}

fn action_status(doc: &AutoCommit, id: &str) -> Option<ActionStatus> {
    let path = [
        Seg::Key("actions".into()),
        Seg::Key(id.into()),
        Seg::Key("status".into()),
    ];
    match lookup(doc, &path)? {
        (Value::Scalar(s), _) => match s.as_ref() {
            ScalarValue::Str(v) => ActionStatus::parse(v),
            _ => None,
        },
        _ => None,
    }
}

fn check_action_step(
    before: &AutoCommit,
    after: &AutoCommit,
    ctx: &Ctx,
    id: &str,
) -> Result<(), Refusal> {
    let Some(from) = action_status(before, id) else {
        return Ok(());
    };
    let path = [Seg::Key("actions".into()), Seg::Key(id.into())];
    // The status shown, and any a conflict hides.
    let mut to: Vec<ActionStatus> = match lookup(after, &path) {
        Some((_, obj)) => new_values(after, &obj, "status", ctx)
            .filter_map(|v| ActionStatus::parse(&v))
            .collect(),
        None => Vec::new(),
    };
    to.extend(action_status(after, id));
    let is_assignee = assignee(before, &path).is_some_and(|a| a == ctx.sender.user);
    for to in to {
        if to != from && !action_step_allowed(from, to, ctx.sender.role, is_assignee) {
            return refuse(
                rule::TRANSITION,
                Some(&path),
                msg!(
                    "records.action_move",
                    "a {role} cannot move action {id} from {from} to {to}",
                    role = ctx.sender.role,
                    id = id,
                    from = from,
                    to = to
                ),
            );
        }
    }
    Ok(())
}

/// Checks a value the changes wrote at `path` against `shape` and `must`,
/// and everything inside it.
fn check_value(
    doc: &AutoCommit,
    value: &Value,
    id: &ExId,
    shape: &Shape,
    must: Must,
    path: &mut Vec<Seg>,
    ctx: &Ctx,
) -> Result<(), Refusal> {
    let wrong = |path: &[Seg], value: &Value| {
        let got = match value {
            Value::Object(ObjType::Text) => "a text object".to_string(),
            Value::Object(t) => format!("a {t:?}").to_lowercase(),
            Value::Scalar(s) => match s.as_ref() {
                ScalarValue::Str(_) => "a string".into(),
                ScalarValue::Int(_) => "an integer".into(),
                ScalarValue::Uint(_) => "an unsigned integer".into(),
                ScalarValue::F64(_) => "a float".into(),
                ScalarValue::Null => "null".into(),
                ScalarValue::Boolean(_) => "a boolean".into(),
                other => format!("{other:?}"),
            },
        };
        refuse(
            rule::SHAPE,
            Some(path),
            msg!(
                "records.shape",
                "{path} must be {want}, not {got}",
                path = schema::show(path),
                want = schema::describe(shape),
                got = got
            ),
        )
    };
    let scalar = match value {
        Value::Scalar(s) => Some(s.as_ref()),
        Value::Object(_) => None,
    };
    match (shape, scalar) {
        (Shape::Opt(_), Some(ScalarValue::Null)) => Ok(()),
        (Shape::Opt(inner), _) => check_value(doc, value, id, inner, must, path, ctx),
        (Shape::Str { max }, Some(ScalarValue::Str(s))) => {
            if s.chars().count() > *max {
                return refuse(
                    rule::SHAPE,
                    Some(path),
                    msg!(
                        "records.text_too_long",
                        "{path} is longer than {max} characters",
                        path = schema::show(path),
                        max = max
                    ),
                );
            }
            check_must(s, must, path, ctx)
        }
        (Shape::Enum(v), Some(ScalarValue::Str(s))) if (v.parse)(s) => Ok(()),
        (Shape::Int, Some(ScalarValue::Int(_))) | (Shape::Float, Some(ScalarValue::F64(_))) => {
            Ok(())
        }
        (Shape::Uint, Some(ScalarValue::Uint(n))) => {
            if must == Must::Schema && *n != DOC_SCHEMA {
                return refuse(
                    rule::SHAPE,
                    Some(path),
                    msg!(
                        "records.schema",
                        "this server reads record schema {supported}, not {schema}",
                        supported = DOC_SCHEMA,
                        schema = n
                    ),
                );
            }
            Ok(())
        }
        (Shape::Tagged { units, .. }, Some(ScalarValue::Str(s))) if units.contains(&s.as_ref()) => {
            Ok(())
        }
        (Shape::Tagged { tuples, .. }, None) if *value == Value::Object(ObjType::Map) => {
            let mut items = doc.map_range(id, ..);
            let (Some(item), None) = (items.next(), items.next()) else {
                return wrong(path, value);
            };
            let Some((_, payload)) = tuples.iter().find(|(k, _)| *k == item.key) else {
                return wrong(path, value);
            };
            check_item(doc, id, item.into(), payload, Must::Any, path, ctx)
        }
        (Shape::Map(fields), None) if *value == Value::Object(ObjType::Map) => {
            let mut present = vec![false; fields.len()];
            for item in doc.map_range(id, ..) {
                let Some(i) = fields.iter().position(|f| f.key == item.key) else {
                    path.push(Seg::Key(item.key.into_owned()));
                    return refuse(
                        rule::UNKNOWN_PATH,
                        Some(path),
                        msg!(
                            "records.unknown_path",
                            "{path} is not part of a record",
                            path = schema::show(path)
                        ),
                    );
                };
                present[i] = true;
                let node = &fields[i].node;
                check_item(doc, id, item.into(), &node.shape, node.must, path, ctx)?;
            }
            for (f, _) in fields.iter().zip(present).filter(|(_, p)| !p) {
                if !matches!(f.node.shape, Shape::Opt(_)) {
                    path.push(Seg::Key(f.key.into()));
                    return refuse(
                        rule::SHAPE,
                        Some(path),
                        msg!(
                            "records.missing",
                            "{path} is missing",
                            path = schema::show(path)
                        ),
                    );
                }
            }
            Ok(())
        }
        (Shape::Entries { max, of }, None) if *value == Value::Object(ObjType::Map) => {
            let len = doc.length(id);
            if len > *max {
                return refuse(
                    rule::SHAPE,
                    Some(path),
                    msg!(
                        "records.too_many_entries",
                        "{path} holds {count} entries, over the limit of {max}",
                        path = schema::show(path),
                        count = len,
                        max = max
                    ),
                );
            }
            for item in doc.map_range(id, ..) {
                if !schema::valid_key(&item.key) {
                    path.push(Seg::Key(item.key.into_owned()));
                    return refuse(
                        rule::UNKNOWN_PATH,
                        Some(path),
                        msg!(
                            "records.entry_id",
                            "an entry id is 1-128 letters, digits, `_`, `-` or `.`; an answer in an entry of a repeated section is `item@entry`"
                        ),
                    );
                }
                check_item(doc, id, item.into(), &of.shape, of.must, path, ctx)?;
            }
            Ok(())
        }
        (Shape::List { max, of }, None) if *value == Value::Object(ObjType::List) => {
            let len = doc.length(id);
            if len > *max {
                return refuse(
                    rule::SHAPE,
                    Some(path),
                    msg!(
                        "records.too_many_entries",
                        "{path} holds {count} entries, over the limit of {max}",
                        path = schema::show(path),
                        count = len,
                        max = max
                    ),
                );
            }
            for item in doc.list_range(id, ..) {
                check_item(doc, id, item.into(), &of.shape, of.must, path, ctx)?;
            }
            Ok(())
        }
        _ => wrong(path, value),
    }
}

/// One entry of a map or list, as a range over the object yields it.
struct Item<'a> {
    seg: Seg,
    value: automerge::ValueRef<'a>,
    id: ExId,
    /// Concurrent values sit at the same place: all of them are read.
    conflict: bool,
}

impl<'a> From<automerge::iter::MapRangeItem<'a>> for Item<'a> {
    fn from(i: automerge::iter::MapRangeItem<'a>) -> Item<'a> {
        Item {
            id: i.id(),
            seg: Seg::Key(i.key.into_owned()),
            value: i.value,
            conflict: i.conflict,
        }
    }
}

impl<'a> From<automerge::iter::ListRangeItem<'a>> for Item<'a> {
    fn from(i: automerge::iter::ListRangeItem<'a>) -> Item<'a> {
        Item {
            id: i.id(),
            seg: Seg::Index(i.index),
            value: i.value,
            conflict: i.conflict,
        }
    }
}

/// Checks every value at one entry of `obj`: the one a range read, or all
/// of them where replicas wrote it concurrently.
fn check_item(
    doc: &AutoCommit,
    obj: &ExId,
    item: Item,
    shape: &Shape,
    must: Must,
    path: &mut Vec<Seg>,
    ctx: &Ctx,
) -> Result<(), Refusal> {
    let values = if item.conflict {
        doc.get_all(obj, item.seg.prop()).unwrap_or_default()
    } else {
        vec![(item.value.into_value(), item.id)]
    };
    path.push(item.seg);
    for (v, vid) in values {
        check_value(doc, &v, &vid, shape, must, path, ctx)?;
    }
    path.pop();
    Ok(())
}

fn check_must(s: &str, must: Must, path: &[Seg], ctx: &Ctx) -> Result<(), Refusal> {
    match must {
        Must::Sender if s != ctx.sender.user => refuse(
            rule::FORGED,
            Some(path),
            msg!(
                "records.must_be_sender",
                "{path} must name the writer, `{sender}`, not `{value}`",
                path = schema::show(path),
                sender = ctx.sender.user,
                value = s
            ),
        ),
        Must::DocId if s != ctx.doc_id => refuse(
            rule::SHAPE,
            Some(path),
            msg!(
                "records.must_be_doc_id",
                "{path} must be the document's id, `{doc}`",
                path = schema::show(path),
                doc = ctx.doc_id
            ),
        ),
        Must::NotBlank if s.trim().is_empty() => refuse(
            rule::SHAPE,
            Some(path),
            msg!(
                "records.blank",
                "{path} cannot be blank",
                path = schema::show(path)
            ),
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
