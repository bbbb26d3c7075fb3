// Generated from the Rust types by src-tauri/src/bindings.rs (ts-rs). Do not edit:
// run `FIELDCHECK_BLESS=1 cargo test -p fieldcheck-app bindings` after changing them.

export type Bilingual = { "zh-CN": string, en: string, };

export type MediaRef = { 
/**
 * BLAKE3 hash of the content, hex.
 */
hash: string, mime: string, size: number, };

export type GeoPoint = { lat: number, lon: number, accuracy_m: number | null, };

export type FormView = { doc_id: string, template_id: string, template_version: string, title: Bilingual, 
/**
 * `checklist` or `questionnaire`.
 */
kind: string, 
/**
 * `overt`, `mystery`, `test_call`, `echannel` or `intercept`.
 */
mode: string, store_id: string, status: string, 
/**
 * Milliseconds since the epoch.
 */
started_at: number, 
/**
 * Where the visit took place, when the device gave a position.
 */
location: GeoPoint | null, 
/**
 * The author may still change the answers (draft or returned).
 */
editable: boolean, 
/**
 * Quitting now keeps what was answered as a partial response
 * (`records::quit_keeps`); otherwise quitting discards the draft.
 */
quit_keeps: boolean, sections: Array<SectionView>, 
/**
 * Relevant items that take an answer, and how many of them have one.
 */
answerable: number, answered: number, 
/**
 * The running visit score, 0..100, for checklists with an answer.
 */
score: number | null, passed: boolean | null, 
/**
 * Scored items that failed, in template order.
 */
failed_items: Array<string>, 
/**
 * What stops a submit now, by item.
 */
problems: Array<Problem>, comments: Array<CommentView>, };

export type SectionView = { id: string, title: Bilingual, 
/**
 * False when skip logic hides the whole section.
 */
relevant: boolean, score: number | null, 
/**
 * Its items; none in a repeated section, whose items are in its entries.
 */
items: Array<ItemView>, 
/**
 * Set for a section filled in once per entry.
 */
repeat: RepeatView | null, };

export type RepeatView = { 
/**
 * The number of entries follows an answer (XLSForm `repeat_count`);
 * otherwise the person adds and removes them.
 */
counted: boolean, entries: Array<EntryView>, };

export type EntryView = { entry: string, 
/**
 * 1 first.
 */
position: number, 
/**
 * Not there yet: the blank entry a first answer adds.
 */
new: boolean, items: Array<ItemView>, };

export type ItemView = { id: string, label: Bilingual, hint: Bilingual | null, input: Input, required: boolean, allow_na: boolean, 
/**
 * A failed answer here knocks out its section or the visit.
 */
critical: boolean, 
/**
 * False when skip logic hides the item.
 */
relevant: boolean, 
/**
 * The answer in its JSON form (`"pass"`, a number, a choice...).
 */
value: unknown, note: string | null, evidence: Array<MediaRef>, failed: boolean, 
/**
 * The template's message when the answer breaks the item's constraint.
 */
constraint_message: Bilingual | null, constraint_broken: boolean, 
/**
 * In a test call, what the call bar records here: `dialled`, `wait` or
 * `talk`.
 */
call: string | null, };

export type Input = { "type": "pass_fail" } | { "type": "partial" } | { "type": "scale", min: number, max: number, min_label: Bilingual | null, max_label: Bilingual | null, } | { "type": "touchpoint" } | { "type": "recommend" } | { "type": "single_choice", choices: Array<ChoiceView>, } | { "type": "multiple_choice", choices: Array<ChoiceView>, } | { "type": "number", unit: string | null, integer: boolean, min: number | null, max: number | null, } | { "type": "duration" } | { "type": "date" } | { "type": "time" } | { "type": "date_time" } | { "type": "text" } | { "type": "photo" } | { "type": "signature" } | { "type": "audio" } | { "type": "video" } | { "type": "file" } | { "type": "location" } | { "type": "note" };

export type ChoiceView = { value: string, label: Bilingual, };

export type Problem = { item: string, code: string, message: string, };

export type CommentView = { item: string | null, text: string, by: string, at: number, };

export type AppError = { code: string, message: string, 
/**
 * Per-item problems when a submit is refused.
 */
problems: Array<Problem>, };

export type Session = { 
/**
 * The server's HTTP address, `http://host:port`.
 */
server: string, user: string, role: string, scope: string, device: string, };

export type StoreView = { id: string, name: Bilingual, address: string | null, };

export type AssignmentView = { id: string, template_id: string, title: Bilingual, mode: string, unit: StoreView, starts_on: string, ends_on: string, visits: number, daily_quota: number | null, note: string, stores: Array<StoreView>, 
/**
 * Records of this template the user started in the period and
 * submitted (approved ones too; not drafts, returned or partial ones).
 */
done: number, 
/**
 * Of those, started today (for a survey's daily quota).
 */
today: number, };

export type RecordSummary = { doc_id: string, store: StoreView, template_id: string, title: Bilingual, kind: string, mode: string, status: string, started_at: number, updated_at: number, comments: number, score: number | null, };

export type Home = { session: Session, assignments: Array<AssignmentView>, records: Array<RecordSummary>, };

export type SyncView = { state: string, done: number, total: number, reason: string | null, 
/**
 * Records changed here that the server has not acknowledged.
 */
pending: number, 
/**
 * Photos and other files still to upload.
 */
media_pending: number, 
/**
 * Records whose changes the server refused, with its reason.
 */
refused: Array<Refusal>, };

export type Refusal = { doc_id: string, reason: string, };

export type Defaults = { 
/**
 * The server this device last signed in to, else `$FIELDCHECK_SERVER`
 * (development), else the local demo server.
 */
server: string, };
