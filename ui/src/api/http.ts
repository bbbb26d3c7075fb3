// The web console's Api: HTTP /api/v1 with a bearer token kept for the tab.

import {
  ApiError,
  type Api,
  type Assignment,
  type Enrolment,
  type FollowUp,
  type FollowUpFilter,
  type NewAction,
  type NewUser,
  type Published,
  type TemplateInfo,
  type UnitSatisfaction,
  type User,
  type Work,
  type Queue,
  type QueueFilter,
  type Rating,
  type RecordDetail,
  type Unit,
  type WeakItem,
} from "./index";
import type { components } from "./server";

type Schemas = components["schemas"];

const TOKEN = "fieldcheck.token";
const ROLE = "fieldcheck.role";

export class HttpApi implements Api {
  constructor(private readonly base = "") {}

  private token(): string | null {
    return sessionStorage.getItem(TOKEN);
  }

  /** A JSON request; a file body goes as bytes. */
  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const file = body instanceof Blob;
    if (body !== undefined) headers["Content-Type"] = file ? "application/octet-stream" : "application/json";
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : file ? body : JSON.stringify(body),
      });
    } catch {
      throw new ApiError("network", "network", 0);
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new ApiError("http", res.statusText || text.slice(0, 200), res.status);
    }
    if (!res.ok) {
      throw new ApiError(json?.code ?? "http", json?.message ?? res.statusText, res.status, json?.problems ?? []);
    }
    return json as T;
  }

  async login(username: string, password: string): Promise<void> {
    const { token, role } = await this.request<Schemas["LoginReply"]>("POST", "/api/v1/auth/login", {
      username,
      password,
    });
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(ROLE, role);
  }

  async logout(): Promise<void> {
    try {
      await this.request("POST", "/api/v1/auth/logout");
    } finally {
      sessionStorage.removeItem(TOKEN);
      sessionStorage.removeItem(ROLE);
    }
  }

  signedIn(): boolean {
    return this.token() !== null;
  }

  role(): string | null {
    return sessionStorage.getItem(ROLE);
  }

  queue(f: QueueFilter): Promise<Queue> {
    const q = new URLSearchParams();
    if (f.status?.length) q.set("status", f.status.join(","));
    if (f.store) q.set("store", f.store);
    if (f.inspector) q.set("inspector", f.inspector);
    if (f.template) q.set("template", f.template);
    if (f.offset) q.set("offset", String(f.offset));
    if (f.limit) q.set("limit", String(f.limit));
    return this.request<Queue>("GET", `/api/v1/records?${q}`);
  }

  detail(id: string): Promise<RecordDetail> {
    return this.request("GET", `/api/v1/records/${encodeURIComponent(id)}`);
  }

  async returnRecord(id: string, comment: string): Promise<void> {
    await this.request("POST", `/api/v1/records/${encodeURIComponent(id)}/return`, { comment });
  }

  async approve(id: string): Promise<void> {
    await this.request("POST", `/api/v1/records/${encodeURIComponent(id)}/approve`);
  }

  async openAction(id: string, action: NewAction): Promise<void> {
    await this.request("POST", `/api/v1/records/${encodeURIComponent(id)}/actions`, action);
  }

  private async raw(path: string): Promise<Response> {
    const token = this.token();
    const res = await fetch(`${this.base}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} }).catch(() => {
      throw new ApiError("network", "network", 0);
    });
    if (!res.ok) {
      const json = await res.json().catch(() => null);
      throw new ApiError(json?.code ?? "http", json?.message ?? res.statusText, res.status);
    }
    return res;
  }

  async media(hash: string): Promise<Blob> {
    return (await this.raw(`/api/v1/media/${hash}`)).blob();
  }

  units(): Promise<Unit[]> {
    return this.request("GET", "/api/v1/units");
  }

  async ratings(params: Record<string, string>): Promise<Rating[]> {
    // The rows are hand-written (`Rating`): the schema gives them as bare objects.
    return (await this.request<{ ratings: Rating[] }>("GET", `/api/v1/ratings?${new URLSearchParams(params)}`)).ratings;
  }

  async weakest(params: Record<string, string>): Promise<WeakItem[]> {
    return (await this.request<Schemas["Weakest"]>("GET", `/api/v1/weakest?${new URLSearchParams(params)}`)).items;
  }

  async followUps(f: FollowUpFilter): Promise<FollowUp[]> {
    const q = new URLSearchParams({ today: f.today });
    if (f.status?.length) q.set("status", f.status.join(","));
    if (f.store) q.set("store", f.store);
    if (f.assignee) q.set("assignee", f.assignee);
    if (f.overdue) q.set("overdue", "true");
    return (await this.request<Schemas["ActionList"]>("GET", `/api/v1/actions?${q}`)).actions;
  }

  async actionStep(doc: string, action: string, step: "complete" | "verify" | "reopen"): Promise<FollowUp["status"]> {
    const path = `/api/v1/records/${encodeURIComponent(doc)}/actions/${encodeURIComponent(action)}/${step}`;
    return (await this.request<Schemas["Done"]>("POST", path)).status;
  }

  async caughtUp(): Promise<void> {
    await this.request<Schemas["Progress"]>("GET", "/api/v1/status?wait=true&timeout_ms=5000");
  }

  async satisfaction(template: string, unit?: string): Promise<UnitSatisfaction[]> {
    const q = new URLSearchParams({ template });
    if (unit) q.set("unit", unit);
    // Partly hand-written (`UnitSatisfaction`): the schema leaves its figures as bare objects.
    return (await this.request<{ units: UnitSatisfaction[] }>("GET", `/api/v1/satisfaction?${q}`)).units;
  }

  templates(): Promise<TemplateInfo[]> {
    return this.request("GET", "/api/v1/templates");
  }

  publishTemplate(file: File, dryRun: boolean): Promise<Published> {
    const format = file.name.split(".").pop()?.toLowerCase() ?? "";
    const q = new URLSearchParams({ format, dry_run: String(dryRun) });
    return this.request("POST", `/api/v1/templates?${q}`, file);
  }

  users(): Promise<User[]> {
    return this.request("GET", "/api/v1/users");
  }

  async createUser(user: NewUser): Promise<string | null> {
    return (await this.request<Schemas["Created"]>("POST", "/api/v1/users", user)).password ?? null;
  }

  enrol(user: string): Promise<Enrolment> {
    return this.request("POST", `/api/v1/users/${encodeURIComponent(user)}/enrolments`);
  }

  async importUnits(file: File): Promise<number> {
    const q = new URLSearchParams({ file: file.name });
    return (await this.request<Schemas["UnitsImported"]>("POST", `/api/v1/units/import?${q}`, file)).imported;
  }

  assignments(): Promise<Assignment[]> {
    return this.request("GET", "/api/v1/assignments");
  }

  async assign(work: Work): Promise<void> {
    await this.request("POST", "/api/v1/assignments", work);
  }

  async download(file: string, params: Record<string, string>, progress: (bytes: number) => void): Promise<Blob> {
    const res = await this.raw(`/api/v1/exports/${file}?${new URLSearchParams(params)}`);
    const reader = res.body?.getReader();
    if (!reader) return res.blob();
    const parts: BlobPart[] = [];
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      bytes += value.length;
      progress(bytes);
    }
    return new Blob(parts, { type: res.headers.get("Content-Type") ?? "application/octet-stream" });
  }
}
