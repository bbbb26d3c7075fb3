import type { components } from "./server";
import type { FormView, ItemView, MediaRef } from "./types";
import type { ServerMessage } from "../i18n";

// What the UI needs of the system, whoever provides it: Tauri commands in
// the app (offline, the device store) or HTTP /api/v1 in the web console.
//
// The console's types are the server's, generated from its OpenAPI
// document into server.ts; only what that document leaves loose (a bare
// object) is written here by hand, and says so.

type Schemas = components["schemas"];

/** A record's status, as the queue filter asks for it (the server sends a string). */
export type Status = "draft" | "submitted" | "returned" | "resubmitted" | "approved" | "partial" | "discarded";

export type QueueRecord = Schemas["QueueRow"];
export type Queue = Schemas["Queue"];

/** How the queue is sorted: a column and a direction. */
export type QueueSort = `${"submitted" | "started" | "score" | "store"}:${"asc" | "desc"}`;

export interface QueueFilter {
  status?: Status[];
  /** A unit: the store or anything above it. */
  store?: string;
  inspector?: string;
  template?: string;
  mode?: string;
  /** Started at or after / before, ms since the epoch. */
  from?: number;
  to?: number;
  minScore?: number;
  maxScore?: number;
  sort?: QueueSort;
  offset?: number;
  limit?: number;
}

/**
 * A failure the UI can show: a stable code (the kind: `forbidden`,
 * `invalid_rows`...), the server's message as a code with parameters (`key`,
 * `params`; rendered by `useI18n().error`) and its English text.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
    /** `invalid_rows` only: every problem of a file, by row and column. */
    readonly problems: FileProblem[] = [],
    readonly key: string | null = null,
    readonly params: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The error a server's answer describes (`ErrorBody`), or the HTTP status alone. */
  static from(body: unknown, res: { status: number; statusText: string }): ApiError {
    const b = (body ?? {}) as { code?: string; message?: string; problems?: FileProblem[]; key?: string; params?: Record<string, unknown> };
    return new ApiError(b.code ?? "http", b.message ?? res.statusText, res.status, b.problems ?? [], b.key ?? null, b.params ?? {});
  }
}

export type FileProblem = Schemas["ProblemBody"];

/**
 * A record in full, as the server derives it, with the form view.
 *
 * Hand-written: the OpenAPI document gives `GET /records/{id}` no schema.
 * These are the fields the console reads of core's derived rows
 * (`records::derive`) and the server's `services::records::Detail`.
 */
export interface RecordDetail {
  record: {
    doc_id: string;
    store_id: string;
    template_id: string;
    template_version: string;
    kind: string;
    mode: string;
    author: string;
    status: string;
    started_at: number;
    ended_at: number | null;
    submitted_at: number | null;
    updated_at: number;
    score: number | null;
    passed: boolean | null;
  };
  sections: { section_id: string; weight: number; earned: number; possible: number; score: number | null; zeroed: boolean }[];
  comments: { comment_id: string; item_id: string | null; text: string; by: string; at: number }[];
  actions: ActionRow[];
  history: { n: number; author: string | null; at: number; message: string | null }[];
  conflicts: { item: string; winner_by: string; others_by: string[] }[];
  form: FormView | null;
}

/** A corrective action of a record (hand-written with `RecordDetail`). */
export interface ActionRow {
  action_id: string;
  item_id: string;
  description: string;
  assignee: string;
  due: string;
  status: string;
  /** What the person who fixed it said, and photos of the fix. */
  done_note?: string | null;
  done_evidence?: MediaRef[];
}

export type Unit = Schemas["UnitView"];

/** An interval, 95% unless said otherwise (hand-written: the schema has none). */
export interface Interval {
  lo: number;
  hi: number;
}

/** How a figure may be shown (hand-written: the schema says only "object"). */
export interface Flags {
  suppressed: boolean;
  small_base: boolean;
  low_visits: boolean;
}

/** A mean with its interval and sample size (hand-written: the schema says only "object"). */
export interface Estimate {
  mean: number | null;
  interval: Interval | null;
  n: number;
}

/**
 * The rating of one unit for one period, with its rank.
 *
 * Hand-written: the schema gives `RatingReply.ratings` items as a bare
 * object. The fields the console reads of core's `ratings::league::Standing`.
 */
export interface Rating {
  unit: string;
  level: string;
  period: string;
  score: number | null;
  band: string | null;
  estimate: Estimate;
  visits: number;
  coverage_stores: number;
  flags: Flags;
  rank: number | null;
  rank_range: [number, number] | null;
}

export type WeakItem = Schemas["WeakItem"];

export type NewAction = Schemas["ActionBody"];

/** Who reviews audits and steps corrective actions past `done`: managers and administrators. */
/** The files an item holds: its answer, where the answer is files (photos, a
 * signature, a recording, any file), else the evidence beside its answer. */
export function mediaOf(item: ItemView): MediaRef[] {
  const files = ["photo", "signature", "audio", "video", "file"].includes(item.input.type);
  if (!files) return item.evidence;
  return Array.isArray(item.value) ? (item.value as MediaRef[]) : [];
}

/** How a file is shown: a picture, a player, or a link to download it. */
export function shownAs(mime: string): "image" | "audio" | "video" | "download" {
  const kind = mime.split("/")[0];
  return kind === "image" || kind === "audio" || kind === "video" ? kind : "download";
}

export const isReviewer = (role: string | null) => role === "manager" || role === "admin";

/** A corrective action's status, as the follow-up list steps it (the server sends a string). */
export type ActionStatus = "open" | "done" | "verified";

/** A corrective action as the follow-up list shows it. */
export type FollowUp = Schemas["ActionListRow"];

export interface FollowUpFilter {
  status?: ActionStatus[];
  store?: string;
  assignee?: string;
  overdue?: boolean;
  /** The user's date, YYYY-MM-DD. */
  today: string;
}

/**
 * Satisfaction of one unit: indices by construct, NPS, gaps, IPA.
 *
 * Generated but for what the schema leaves as bare objects, written here by
 * hand after core's `scoring::survey` (`Nps`, `GapReport`, `IpaResult`) and
 * `stats` (`MeanEstimate`, `Flags`).
 */
export type UnitSatisfaction = Omit<Schemas["UnitSatisfaction"], "constructs" | "nps" | "gaps" | "ipa"> & {
  constructs: (Omit<Schemas["ConstructIndex"], "estimate" | "flags"> & { estimate: Estimate; flags: Flags })[];
  nps: { nps: number; promoters: number; detractors: number; n: number; interval: Interval | null } | null;
  gaps: {
    attributes: { attribute: string; dimension: string; perception: number; expectation: number; gap: number; n: number; needs_improvement: boolean }[];
    dimensions: { dimension: string; gap: number; perception: number }[];
    overall: number | null;
    weighted_overall: number | null;
    servperf: number | null;
  } | null;
  ipa: {
    importance_source: string;
    crosshair: [number, number];
    points: { attribute: string; importance: number; performance: number; quadrant: string }[];
  } | null;
};

/**
 * A kept weight set: construct weights estimated by PLS path modelling
 * (core's `scoring::weights::EstimatedWeights`, by hand: the schema leaves
 * it a bare object).
 */
export type WeightSet = Omit<Schemas["WeightSet"], "weights"> & {
  weights: {
    constructs: {
      construct: string;
      role: string;
      items: { item: string; weight: number; outer_weight: number; loading: number; answered: number }[];
      r_squared: number | null;
    }[];
    paths: { from: string; to: string; coefficient: number }[];
    respondents: number;
    iterations: number;
  };
};

export type TemplateInfo = Schemas["TemplateView"];

/** The newest version of each template, from a list newest first within each. */
export function latestVersions(all: TemplateInfo[]): TemplateInfo[] {
  return all.filter((x, i) => all.findIndex((y) => y.template_id === x.template_id) === i);
}

/** A proportion's 95% interval. */
export interface Bounds {
  lo: number;
  hi: number;
}

/** A hotline KPI of one period (core's `hotline::Kpi`; the schema leaves it a bare object). */
export interface HotlineKpi {
  id: string;
  value: number | null;
  interval: Bounds | null;
  numerator: number | null;
  denominator: number | null;
  /** `{ at_least: 0.85 }` or `{ at_most: 0.1 }`. */
  target: Record<string, number> | null;
  meets: boolean | null;
  /** The whole interval misses the target. */
  clearly_misses: boolean | null;
  /** The busy-hour figure: when it was taken. */
  at: string | null;
  /** Why there is no value. */
  missing: ServerMessage | null;
}

/** One hotline in one period: its switch KPIs and its test calls. */
export interface HotlineRow {
  hotline: string;
  period: string;
  name_zh: string;
  name_en: string;
  threshold_s: number | null;
  kpis: HotlineKpi[];
  test_calls: {
    test_calls: { calls: number; timed: number; within: number; dialled: number; connected: number; mean_score: number | null };
    within_share: number | null;
    within_interval: Bounds | null;
    connected_share: number | null;
    disagreement: ServerMessage | null;
  };
}

export interface HotlineKpis {
  formula: string;
  formulas: string[];
  targets: Record<string, Record<string, number>>;
  rows: HotlineRow[];
}

/** A KPI target: `{ at_least: 0.85 }` or `{ at_most: 30 }` (shares 0-1, times in seconds). */
export type KpiTarget = { at_least: number } | { at_most: number };

/** The hotline KPI targets in force, and the defaults they replaced. */
export interface HotlineTargets {
  targets: Record<string, KpiTarget>;
  defaults: Record<string, KpiTarget>;
}

/** What an import of call statistics did, or would do in a dry run. */
export type CallsImported = Schemas["CallsImported"];

/** How to read a statistics export: T, the short-abandon threshold, a header mapping. */
export interface CallImportSettings {
  threshold_s?: string;
  short_s?: string;
  map?: string;
}

/** A unit's scorecard (core's `ScorecardResult`; the schema leaves it a bare object). */
export interface ScorecardRow {
  unit: string;
  name_zh: string;
  name_en: string;
  place: number | null;
  indicators: {
    id: string;
    points: number;
    value: number | null;
    earned: number | null;
    earned_interval: Bounds | null;
    standing: "scored" | "suppressed" | "missing";
    missing: ServerMessage | null;
  }[];
  deductions: { kind: string; title: { "zh-CN": string; en: string }; cases: number; points: number }[];
  deducted: number;
  score: number;
  best_case: number;
  complete: boolean;
  out_of: number;
}

/** A scorecard scheme, as far as the console reads it. */
export interface ScorecardDefinition {
  id: string;
  version: string;
  title: { "zh-CN": string; en: string };
  indicators: { id: string; title: { "zh-CN": string; en: string }; points: number }[];
}

export interface ScorecardReply {
  scorecard: ScorecardDefinition;
  period: string;
  rows: ScorecardRow[];
}

export type RegisterImported = Schemas["RegisterImported"];
export type SchemePublished = Schemas["SchemePublished"];

export type Daily = Schemas["Daily"];
export type Weekly = Schemas["Weekly"];

/** What publishing a template file did, or would do in a dry run. */
export type Published = Schemas["Published"];

export type User = Schemas["UserView"];

/** A one-time device enrolment, shown once. */
export type Enrolment = Schemas["Enrolment"];

export type NewUser = Schemas["NewUserBody"];

export type Work = Schemas["Work"];

export type Assignment = Schemas["AssignmentView"];

export type UserPatch = Schemas["UserPatch"];

export type Wave = Schemas["Wave"];

/** What an XLSForm's settings sheet may lack, chosen on upload. */
export interface FormSettings {
  channel?: string;
  kind?: string;
  mode?: string;
}

export type Notification = Schemas["Notification"];

export type NotificationList = Schemas["Notifications"];

export type Planned = Schemas["Planned"];

/** A file named by its BLAKE3 hash, as records reference it. */
export type { MediaRef } from "./types";

/** What the person who fixed it says on marking an action done. */
export interface Completion {
  note?: string;
  evidence?: MediaRef[];
}

export type AssignmentPatch = Schemas["AssignmentPatch"];

export interface Api {
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  signedIn(): boolean;
  /** The signed-in user's role, e.g. manager or admin. */
  role(): string | null;
  /** The signed-in user's id. */
  user(): string | null;
  /** Calls `listener` when the session ends without the user signing out (expired, revoked); returns the unsubscribe. */
  onSignedOut(listener: () => void): () => void;
  queue(filter: QueueFilter): Promise<Queue>;
  detail(id: string): Promise<RecordDetail>;
  returnRecord(id: string, comment: string): Promise<void>;
  approve(id: string): Promise<void>;
  openAction(id: string, action: NewAction): Promise<void>;
  media(hash: string): Promise<Blob>;
  /** The printable report of a record, as an HTML page in `lang`. */
  report(id: string, lang: string): Promise<string>;
  units(): Promise<Unit[]>;
  ratings(params: Record<string, string>): Promise<Rating[]>;
  weakest(params: Record<string, string>): Promise<WeakItem[]>;
  /** Downloads an export, reporting bytes received. */
  download(file: string, params: Record<string, string>, progress: (bytes: number) => void): Promise<Blob>;
  followUps(filter: FollowUpFilter): Promise<FollowUp[]>;
  /** complete (with a note and photos of the fix), verify or reopen a corrective action; the action's new status. */
  actionStep(doc: string, action: string, step: "complete" | "verify" | "reopen", completion?: Completion): Promise<FollowUp["status"]>;
  /** A file's reference: its BLAKE3 hash, type and size. */
  mediaRef(file: Blob): Promise<MediaRef>;
  /** Uploads a file a record references, resuming where the server has it. */
  upload(file: Blob, ref: MediaRef): Promise<void>;
  /** What needs the user's attention on `today` (YYYY-MM-DD), unread first. */
  notifications(today: string): Promise<NotificationList>;
  markRead(ids: string[]): Promise<void>;
  /** Plans a wave of visits (`dryRun`) or makes its assignments. */
  wave(wave: Wave, dryRun: boolean): Promise<Planned>;
  /** Resolves once the server's lists hold every change stored so far (or after a few seconds). */
  caughtUp(): Promise<void>;
  /** Satisfaction of the units in scope (or `unit`), of the responses started in [from, to) if given (ms). */
  satisfaction(template: string, unit?: string, from?: number, to?: number): Promise<UnitSatisfaction[]>;
  /** Estimates a questionnaire's construct weights by PLS from its responses under `unit`, started in [from, to) if given, and keeps them. */
  estimateWeights(template: string, unit?: string, from?: number, to?: number): Promise<WeightSet>;
  /** The weight sets kept for a questionnaire, newest first. */
  weightSets(template: string): Promise<WeightSet[]>;
  /** Publishes the questionnaire's newest version with a weight set's weights (administrators). */
  publishWeights(template: string, set: string): Promise<Published>;
  templates(): Promise<TemplateInfo[]>;
  /** Checks (dryRun) or publishes a template file: toml, json or an XLSForm (xlsx). */
  publishTemplate(file: File, dryRun: boolean, given?: FormSettings): Promise<Published>;
  /** The people in the caller's scope (administrators and managers); disabled ones too if asked. */
  users(withDisabled?: boolean): Promise<User[]>;
  /** Creates a user; returns the generated password when none was given. */
  createUser(user: NewUser): Promise<string | null>;
  /** A one-time code (QR code and link) to enrol an inspector's or surveyor's device. */
  enrol(user: string): Promise<Enrolment>;
  /** Adds or updates stores and other units from a CSV or XLSX table. */
  importUnits(file: File): Promise<number>;
  /** Hotline KPIs by period (`granularity`, `formula`, `unit`), beside the test calls. */
  hotlineKpis(params: Record<string, string>): Promise<HotlineKpis>;
  /** The hotline KPI targets in force and their defaults. */
  hotlineTargets(): Promise<HotlineTargets>;
  /** Sets hotline KPI targets (administrators): null removes one; KPIs left out keep theirs. */
  putHotlineTargets(targets: Record<string, KpiTarget | null>): Promise<HotlineTargets>;
  /** The scorecard schemes. */
  scorecards(): Promise<ScorecardDefinition[]>;
  /** One scheme's scorecards of the units of a level (`period`, `level`, `unit`). */
  scorecard(id: string, params: Record<string, string>): Promise<ScorecardReply>;
  /** Checks (dryRun) or imports figures entered for scorecards. */
  importScorecardEntries(file: File, dryRun: boolean): Promise<RegisterImported>;
  /** Checks (dryRun) or imports service cases into the register. */
  importServiceCases(file: File, dryRun: boolean): Promise<RegisterImported>;
  /** Checks (dryRun) or publishes a scorecard scheme (a TOML file; administrators). */
  publishScorecard(file: File, dryRun: boolean): Promise<SchemePublished>;
  /** The monthly bulletin of a unit (`unit`, `lang`, `regenerate`) as a printable HTML page. */
  bulletin(month: string, params: Record<string, string>): Promise<string>;
  /** The monthly bulletin as a PDF (set by the server) or an XLSX workbook. */
  bulletinFile(month: string, format: "pdf" | "xlsx", params: Record<string, string>): Promise<Blob>;
  /** What changed on a day (`date`, `unit`). */
  monitorDay(params: Record<string, string>): Promise<Daily>;
  /** A unit's indicators week by week (`unit`, `today`, `weeks`). */
  monitorWeeks(params: Record<string, string>): Promise<Weekly>;
  /** Checks (dryRun) or imports a call-centre statistics export (CSV or XLSX). */
  importCalls(file: File, dryRun: boolean, settings?: CallImportSettings): Promise<CallsImported>;
  assignments(): Promise<Assignment[]>;
  assign(work: Work): Promise<void>;
  /** Renames, changes the role or scope of, disables or enables a user, or sets their password. */
  updateUser(id: string, patch: UserPatch): Promise<void>;
  /** Changes an assignment's period, visits, quota or note, or cancels it. */
  updateAssignment(id: string, patch: AssignmentPatch): Promise<void>;
}
