// The web console's Api: HTTP /api/v1 with a bearer token kept in the
// browser's local storage, so that a new tab and a reload stay signed in
// until the server ends the session.

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
  type WeightSet,
  type SchemePublished,
  type HotlineTargets,
  type KpiTarget,
  type User,
  type UserPatch,
  type Completion,
  type MediaRef,
  type Planned,
  type Wave,
  type FormSettings,
  type NotificationList,
  type AssignmentPatch,
  type CallImportSettings,
  type CallsImported,
  type HotlineKpis,
  type Daily,
  type Weekly,
  type RegisterImported,
  type ScorecardDefinition,
  type ScorecardReply,
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
const USER = "fieldcheck.user";

export class HttpApi implements Api {
  private readonly listeners = new Set<() => void>();

  /** `storage`: where the session is kept; the app's window keeps it in memory. */
  constructor(
    private readonly base = "",
    private readonly storage: Storage = localStorage,
  ) {}

  private token(): string | null {
    return this.storage.getItem(TOKEN);
  }

  private forget() {
    this.storage.removeItem(TOKEN);
    this.storage.removeItem(ROLE);
    this.storage.removeItem(USER);
  }

  /** A request refused for want of a valid session: the session is over. */
  private check(status: number, code: string | undefined) {
    if (status === 401 && code === "unauthorized" && this.token() !== null) {
      this.forget();
      for (const l of this.listeners) l();
    }
  }

  onSignedOut(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
      this.check(res.status, json?.code);
      throw ApiError.from(json, res);
    }
    return json as T;
  }

  async login(username: string, password: string): Promise<void> {
    const { token, role, user } = await this.request<Schemas["LoginReply"]>("POST", "/api/v1/auth/login", {
      username,
      password,
    });
    this.storage.setItem(TOKEN, token);
    this.storage.setItem(ROLE, role);
    this.storage.setItem(USER, user);
  }

  async logout(): Promise<void> {
    try {
      await this.request("POST", "/api/v1/auth/logout");
    } finally {
      this.forget();
    }
  }

  signedIn(): boolean {
    return this.token() !== null;
  }

  role(): string | null {
    return this.storage.getItem(ROLE);
  }

  user(): string | null {
    return this.storage.getItem(USER);
  }

  queue(f: QueueFilter): Promise<Queue> {
    const q = new URLSearchParams();
    if (f.status?.length) q.set("status", f.status.join(","));
    if (f.store) q.set("store", f.store);
    if (f.inspector) q.set("inspector", f.inspector);
    if (f.template) q.set("template", f.template);
    if (f.mode) q.set("mode", f.mode);
    if (f.from !== undefined) q.set("from", String(f.from));
    if (f.to !== undefined) q.set("to", String(f.to));
    if (f.minScore !== undefined) q.set("min_score", String(f.minScore));
    if (f.maxScore !== undefined) q.set("max_score", String(f.maxScore));
    if (f.sort) q.set("sort", f.sort);
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
      this.check(res.status, json?.code);
      throw ApiError.from(json, res);
    }
    return res;
  }

  async media(hash: string): Promise<Blob> {
    return (await this.raw(`/api/v1/media/${hash}`)).blob();
  }

  async report(id: string, lang: string): Promise<string> {
    return (await this.raw(`/api/v1/records/${encodeURIComponent(id)}/report?${new URLSearchParams({ lang })}`)).text();
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

  async actionStep(doc: string, action: string, step: "complete" | "verify" | "reopen", completion?: Completion): Promise<FollowUp["status"]> {
    const path = `/api/v1/records/${encodeURIComponent(doc)}/actions/${encodeURIComponent(action)}/${step}`;
    return (await this.request<Schemas["Done"]>("POST", path, completion)).status;
  }

  async mediaRef(file: Blob): Promise<MediaRef> {
    // BLAKE3, as the server and the app name files; loaded when first needed.
    const [{ blake3 }, { bytesToHex }] = await Promise.all([import("@noble/hashes/blake3.js"), import("@noble/hashes/utils.js")]);
    const hash = bytesToHex(blake3(new Uint8Array(await file.arrayBuffer())));
    return { hash, mime: file.type || "application/octet-stream", size: file.size };
  }

  async upload(file: Blob, ref: MediaRef): Promise<void> {
    const path = `/api/v1/media/${ref.hash}`;
    let state = await this.request<Schemas["UploadState"]>("POST", path, { size: ref.size, mime: ref.mime });
    const chunk = 1 << 20;
    while (!state.complete) {
      const token = this.token();
      const res = await fetch(`${this.base}${path}`, {
        method: "PATCH",
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          "Content-Type": "application/octet-stream",
          "Upload-Offset": String(state.offset),
        },
        body: file.slice(state.offset, state.offset + chunk),
      }).catch(() => {
        throw new ApiError("network", "network", 0);
      });
      const json = await res.json().catch(() => null);
      if (!res.ok) {
        this.check(res.status, json?.code);
        throw ApiError.from(json, res);
      }
      state = json as Schemas["UploadState"];
    }
  }

  notifications(today: string): Promise<NotificationList> {
    return this.request("GET", `/api/v1/notifications?${new URLSearchParams({ today })}`);
  }

  async markRead(ids: string[]): Promise<void> {
    await this.request("POST", "/api/v1/notifications/read", { ids });
  }

  wave(wave: Wave, dryRun: boolean): Promise<Planned> {
    return this.request("POST", `/api/v1/schedules${dryRun ? "?dry_run=true" : ""}`, wave);
  }

  async caughtUp(): Promise<void> {
    await this.request<Schemas["Progress"]>("GET", "/api/v1/status?wait=true&timeout_ms=5000");
  }

  async satisfaction(template: string, unit?: string, from?: number, to?: number): Promise<UnitSatisfaction[]> {
    const q = new URLSearchParams({ template });
    if (unit) q.set("unit", unit);
    if (from !== undefined) q.set("from", String(from));
    if (to !== undefined) q.set("to", String(to));
    // Partly hand-written (`UnitSatisfaction`): the schema leaves its figures as bare objects.
    return (await this.request<{ units: UnitSatisfaction[] }>("GET", `/api/v1/satisfaction?${q}`)).units;
  }

  estimateWeights(template: string, unit?: string, from?: number, to?: number): Promise<WeightSet> {
    const q = new URLSearchParams();
    if (unit) q.set("unit", unit);
    if (from !== undefined) q.set("from", String(from));
    if (to !== undefined) q.set("to", String(to));
    return this.request("POST", `/api/v1/templates/${encodeURIComponent(template)}/weight-sets?${q}`);
  }

  weightSets(template: string): Promise<WeightSet[]> {
    return this.request("GET", `/api/v1/templates/${encodeURIComponent(template)}/weight-sets`);
  }

  publishWeights(template: string, set: string): Promise<Published> {
    return this.request("POST", `/api/v1/templates/${encodeURIComponent(template)}/weight-sets/${encodeURIComponent(set)}/publish`);
  }

  templates(): Promise<TemplateInfo[]> {
    return this.request("GET", "/api/v1/templates");
  }

  publishTemplate(file: File, dryRun: boolean, given: FormSettings = {}): Promise<Published> {
    const format = file.name.split(".").pop()?.toLowerCase() ?? "";
    const q = new URLSearchParams({ format, dry_run: String(dryRun) });
    for (const [k, v] of Object.entries(given)) if (v) q.set(k, v);
    return this.request("POST", `/api/v1/templates?${q}`, file);
  }

  users(withDisabled = false): Promise<User[]> {
    return this.request("GET", `/api/v1/users${withDisabled ? "?disabled=true" : ""}`);
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

  hotlineKpis(params: Record<string, string>): Promise<HotlineKpis> {
    return this.request("GET", `/api/v1/hotline/kpis?${new URLSearchParams(params)}`);
  }

  hotlineTargets(): Promise<HotlineTargets> {
    return this.request("GET", "/api/v1/hotline/targets");
  }

  putHotlineTargets(targets: Record<string, KpiTarget | null>): Promise<HotlineTargets> {
    return this.request("PUT", "/api/v1/hotline/targets", { targets });
  }

  importCalls(file: File, dryRun: boolean, settings: CallImportSettings = {}): Promise<CallsImported> {
    const q = new URLSearchParams({ file: file.name, dry_run: String(dryRun) });
    for (const [k, v] of Object.entries(settings)) if (v) q.set(k, v);
    return this.request("POST", `/api/v1/hotline/statistics?${q}`, file);
  }

  async scorecards(): Promise<ScorecardDefinition[]> {
    return (await this.request<{ scorecards: ScorecardDefinition[] }>("GET", "/api/v1/scorecards")).scorecards;
  }

  scorecard(id: string, params: Record<string, string>): Promise<ScorecardReply> {
    return this.request("GET", `/api/v1/scorecards/${encodeURIComponent(id)}?${new URLSearchParams(params)}`);
  }

  importScorecardEntries(file: File, dryRun: boolean): Promise<RegisterImported> {
    const q = new URLSearchParams({ file: file.name, dry_run: String(dryRun) });
    return this.request("POST", `/api/v1/scorecards/entries?${q}`, file);
  }

  importServiceCases(file: File, dryRun: boolean): Promise<RegisterImported> {
    const q = new URLSearchParams({ file: file.name, dry_run: String(dryRun) });
    return this.request("POST", `/api/v1/scorecards/cases?${q}`, file);
  }

  publishScorecard(file: File, dryRun: boolean): Promise<SchemePublished> {
    return this.request("POST", `/api/v1/scorecards?dry_run=${dryRun}`, file);
  }

  async bulletin(month: string, params: Record<string, string>): Promise<string> {
    return (await this.raw(`/api/v1/bulletins/${encodeURIComponent(month)}?${new URLSearchParams(params)}`)).text();
  }

  async bulletinFile(month: string, format: "pdf" | "xlsx", params: Record<string, string>): Promise<Blob> {
    const q = new URLSearchParams({ ...params, format });
    return (await this.raw(`/api/v1/bulletins/${encodeURIComponent(month)}?${q}`)).blob();
  }

  monitorDay(params: Record<string, string>): Promise<Daily> {
    return this.request("GET", `/api/v1/monitoring/daily?${new URLSearchParams(params)}`);
  }

  monitorWeeks(params: Record<string, string>): Promise<Weekly> {
    return this.request("GET", `/api/v1/monitoring/weekly?${new URLSearchParams(params)}`);
  }

  assignments(): Promise<Assignment[]> {
    return this.request("GET", "/api/v1/assignments");
  }

  async assign(work: Work): Promise<void> {
    await this.request("POST", "/api/v1/assignments", work);
  }

  async updateUser(id: string, patch: UserPatch): Promise<void> {
    await this.request("PATCH", `/api/v1/users/${encodeURIComponent(id)}`, patch);
  }

  async updateAssignment(id: string, patch: AssignmentPatch): Promise<void> {
    await this.request("PATCH", `/api/v1/assignments/${encodeURIComponent(id)}`, patch);
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
