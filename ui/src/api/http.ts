// The web console's Api: HTTP /api/v1 with a bearer token kept for the tab.

import { ApiError, type Api, type Queue, type QueueFilter } from "./index";

const TOKEN = "fieldcheck.token";

export class HttpApi implements Api {
  constructor(private readonly base = "") {}

  private token(): string | null {
    return sessionStorage.getItem(TOKEN);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError("network", "network", 0);
    }
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) {
      throw new ApiError(json?.code ?? "http", json?.message ?? res.statusText, res.status);
    }
    return json as T;
  }

  async login(username: string, password: string): Promise<void> {
    const { token } = await this.request<{ token: string }>("POST", "/api/v1/auth/login", {
      username,
      password,
    });
    sessionStorage.setItem(TOKEN, token);
  }

  async logout(): Promise<void> {
    try {
      await this.request("POST", "/api/v1/auth/logout");
    } finally {
      sessionStorage.removeItem(TOKEN);
    }
  }

  signedIn(): boolean {
    return this.token() !== null;
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
}
