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

export interface Api {
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  signedIn(): boolean;
  queue(filter: QueueFilter): Promise<Queue>;
}
