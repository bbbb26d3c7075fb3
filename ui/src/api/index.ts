import type { FormView } from "./types";

// What the UI needs of the system, whoever provides it: Tauri commands in
// the app (offline, the device store) or HTTP /api/v1 in the web console.

export type Status = "draft" | "submitted" | "returned" | "resubmitted" | "approved" | "partial" | "discarded";

export interface QueueRecord {
  doc_id: string;
  store_id: string;
  template_id: string;
  mode: string;
  author: string;
  status: Status;
  started_at: number;
  score: number | null;
}

export interface Queue {
  total: number;
  records: QueueRecord[];
}

export interface QueueFilter {
  status?: Status[];
  store?: string;
  inspector?: string;
  template?: string;
  offset?: number;
  limit?: number;
}

/** A failure the UI can show: a stable code and the server's message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
    /** `invalid_rows` only: every problem of a file, by row and column. */
    readonly problems: FileProblem[] = [],
  ) {
    super(message);
  }
}

export interface FileProblem {
  row: number;
  column: string | null;
  message: string;
}

/** A record in full, as the server derives it, with the form view. */
export interface RecordDetail {
  record: QueueRecord & { template_version: string; ended_at: number | null; passed: boolean | null };
  sections: { section_id: string; weight: number; earned: number; possible: number; score: number | null; zeroed: boolean }[];
  comments: { comment_id: string; item_id: string | null; text: string; by: string; at: number }[];
  actions: ActionRow[];
  history: { n: number; author: string | null; at: number; message: string | null }[];
  conflicts: { item: string; winner_by: string; others_by: string[] }[];
  form: FormView | null;
}

export interface ActionRow {
  action_id: string;
  item_id: string;
  description: string;
  assignee: string;
  due: string;
  status: string;
}

export interface Unit {
  id: string;
  parent: string | null;
  level: string;
  name_zh: string;
  name_en: string;
}

export interface Rating {
  unit: string;
  level: string;
  period: string;
  score: number | null;
  band: string | null;
  estimate: { mean: number | null; interval: { lo: number; hi: number } | null; n: number };
  visits: number;
  coverage_stores: number;
  flags: { suppressed: boolean; small_base: boolean; low_visits: boolean };
  rank: number | null;
  rank_range: [number, number] | null;
}

export interface WeakItem {
  item_id: string;
  label_zh: string;
  label_en: string;
  answered: number;
  failed: number;
  fail_rate: number;
}

export interface NewAction {
  item: string;
  description: string;
  assignee: string;
  due: string;
}

/** A corrective action as the follow-up list shows it. */
export interface FollowUp {
  doc_id: string;
  store_id: string;
  template_id: string;
  action_id: string;
  item_id: string;
  label_zh: string | null;
  label_en: string | null;
  description: string;
  assignee: string;
  due: string;
  status: "open" | "done" | "verified";
  created_by: string;
  created_at: number;
  done_at: number | null;
  verified_at: number | null;
  overdue: boolean;
}

export interface FollowUpFilter {
  status?: string[];
  store?: string;
  assignee?: string;
  overdue?: boolean;
  /** The user's date, YYYY-MM-DD. */
  today: string;
}

export interface Estimate {
  mean: number | null;
  interval: { lo: number; hi: number } | null;
  n: number;
}

/** Satisfaction of one unit: indices by construct, NPS, gaps, IPA. */
export interface UnitSatisfaction {
  unit: string;
  level: string;
  responses: number;
  constructs: {
    construct_id: string;
    role: string;
    value: number | null;
    band: string | null;
    estimate: Estimate;
    flags: { suppressed: boolean; small_base: boolean; low_visits: boolean };
  }[];
  nps: { nps: number; promoters: number; detractors: number; n: number; interval: { lo: number; hi: number } | null } | null;
  gaps: {
    attributes: { attribute: string; dimension: string; perception: number; expectation: number; gap: number; n: number; needs_improvement: boolean }[];
    dimensions: { dimension: string; gap: number; perception: number }[];
    overall: number;
    weighted_overall: number | null;
    servperf: number;
  } | null;
  ipa: {
    importance_source: string;
    crosshair: [number, number];
    points: { attribute: string; importance: number; performance: number; quadrant: string }[];
  } | null;
}

export interface TemplateInfo {
  template_id: string;
  version: string;
  kind: string;
  title_zh: string;
  title_en: string;
  published_at: number;
}

/** The newest version of each template, from a list newest first within each. */
export function latestVersions(all: TemplateInfo[]): TemplateInfo[] {
  return all.filter((x, i) => all.findIndex((y) => y.template_id === x.template_id) === i);
}

/** What publishing a template file did, or would do in a dry run. */
export interface Published {
  template_id: string;
  version: string;
  new: boolean;
  published: boolean;
  kind: string;
  title_zh: string;
  title_en: string;
  sections: number;
  items: number;
  warnings: string[];
}

export interface User {
  user_id: string;
  name: string;
  role: string;
  scope: string;
  disabled: boolean;
  created_at: number;
}

/** A one-time device enrolment, shown once. */
export interface Enrolment {
  user_id: string;
  code: string;
  expires_at: number;
  /** `fieldcheck://enrol?server=…&code=…[&ca=…]`, what the QR code holds. */
  link: string;
  server: string;
  qr_svg: string;
}

export interface NewUser {
  user_id: string;
  name?: string;
  role: string;
  scope: string;
  password?: string;
}

export interface Work {
  assignee: string;
  template_id: string;
  mode: string;
  unit_id: string;
  starts_on: string;
  ends_on: string;
  visits?: number;
  daily_quota?: number | null;
  note?: string;
}

export interface Assignment extends Work {
  id: string;
  cancelled: boolean;
  created_by: string;
  updated_at: number;
}

export interface Api {
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  signedIn(): boolean;
  /** The signed-in user's role, e.g. manager or admin. */
  role(): string | null;
  queue(filter: QueueFilter): Promise<Queue>;
  detail(id: string): Promise<RecordDetail>;
  returnRecord(id: string, comment: string): Promise<void>;
  approve(id: string): Promise<void>;
  openAction(id: string, action: NewAction): Promise<void>;
  media(hash: string): Promise<Blob>;
  units(): Promise<Unit[]>;
  ratings(params: Record<string, string>): Promise<Rating[]>;
  weakest(params: Record<string, string>): Promise<WeakItem[]>;
  /** Downloads an export, reporting bytes received. */
  download(file: string, params: Record<string, string>, progress: (bytes: number) => void): Promise<Blob>;
  followUps(filter: FollowUpFilter): Promise<FollowUp[]>;
  /** complete, verify or reopen a corrective action; the action's new status. */
  actionStep(doc: string, action: string, step: "complete" | "verify" | "reopen"): Promise<FollowUp["status"]>;
  satisfaction(template: string, unit?: string): Promise<UnitSatisfaction[]>;
  templates(): Promise<TemplateInfo[]>;
  /** Checks (dryRun) or publishes a template file: toml, json or an XLSForm (xlsx). */
  publishTemplate(file: File, dryRun: boolean): Promise<Published>;
  users(): Promise<User[]>;
  /** Creates a user; returns the generated password when none was given. */
  createUser(user: NewUser): Promise<string | null>;
  /** A one-time code (QR code and link) to enrol an inspector's or surveyor's device. */
  enrol(user: string): Promise<Enrolment>;
  /** Adds or updates stores and other units from a CSV or XLSX table. */
  importUnits(file: File): Promise<number>;
  assignments(): Promise<Assignment[]>;
  assign(work: Work): Promise<void>;
}
