import type { FormView } from "./types";

// What the UI needs of the system, whoever provides it: Tauri commands in
// the app (offline, the device store) or HTTP /api/v1 in the web console.

export type Status = "draft" | "submitted" | "returned" | "resubmitted" | "approved";

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
  ) {
    super(message);
  }
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

export interface Api {
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  signedIn(): boolean;
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
}
