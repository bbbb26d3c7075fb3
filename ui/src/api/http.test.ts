// The HTTP Api against a stand-in fetch: what goes on the wire and how
// answers and failures come back.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./index";
import { HttpApi } from "./http";

type Call = { url: string; init: RequestInit };
let calls: Call[];
let answers: Response[];

beforeEach(() => {
  calls = [];
  answers = [];
  localStorage.clear();
  vi.stubGlobal("fetch", (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    const next = answers.shift();
    return next ? Promise.resolve(next) : Promise.reject(new TypeError("Failed to fetch"));
  });
});
afterEach(() => vi.unstubAllGlobals());

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const header = (c: Call, name: string) => new Headers(c.init.headers).get(name);

describe("HttpApi", () => {
  it("keeps the token and role after signing in and sends the token", async () => {
    const api = new HttpApi();
    answers.push(json(200, { token: "t-1", role: "manager", user: "wang", scope: "sc" }));
    await api.login("wang", "pw");
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ username: "wang", password: "pw" });
    expect(api.signedIn()).toBe(true);
    expect(api.role()).toBe("manager");

    answers.push(json(200, { total: 0, records: [] }));
    await api.queue({ status: ["submitted", "returned"], store: "sc/cd", limit: 10 });
    expect(calls[1].url).toBe("/api/v1/records?status=submitted%2Creturned&store=sc%2Fcd&limit=10");
    expect(header(calls[1], "Authorization")).toBe("Bearer t-1");
  });

  it("turns a refusal into an ApiError with its code and every problem", async () => {
    const api = new HttpApi();
    answers.push(
      json(400, {
        code: "invalid_rows",
        message: "2 problems",
        problems: [
          { row: 3, column: "parent", message: "no such unit" },
          { row: 5, column: null, message: "duplicate id" },
        ],
      }),
    );
    const err = await api.importUnits(new File(["id,parent\n"], "stores.csv")).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("invalid_rows");
    expect(err.status).toBe(400);
    expect(err.problems.map((p: { row: number }) => p.row)).toEqual([3, 5]);
    expect(calls[0].url).toBe("/api/v1/units/import?file=stores.csv");
    expect(header(calls[0], "Content-Type")).toBe("application/octet-stream");
  });

  it("stays signed in for a new tab, and ends the session when the server no longer knows the token", async () => {
    answers.push(json(200, { token: "t-2", role: "admin", user: "li", scope: "*", expires_at: 0 }));
    await new HttpApi().login("li", "pw");
    // Another tab: the same browser storage.
    const tab = new HttpApi();
    expect(tab.signedIn()).toBe(true);
    expect(tab.user()).toBe("li");
    let ended = 0;
    const stop = tab.onSignedOut(() => ended++);
    answers.push(json(401, { code: "unauthorized", message: "sign in first", key: "error.unauthorized", params: {} }));
    const err = await tab.units().catch((e) => e);
    expect(err.key).toBe("error.unauthorized");
    expect(ended).toBe(1);
    expect(tab.signedIn()).toBe(false);
    stop();
    // A wrong password on the sign-in page is no ended session.
    answers.push(json(401, { code: "invalid_credentials", message: "wrong", key: "error.invalid_credentials", params: {} }));
    await tab.login("li", "bad").catch(() => {});
    expect(ended).toBe(1);
  });

  it("carries the server's message code and parameters with the error", async () => {
    const api = new HttpApi();
    answers.push(json(404, { code: "not_found", message: "no unit `x` in your scope", key: "assignments.unit_outside", params: { unit: "x" } }));
    const err = await api.units().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect([err.code, err.key, err.params]).toEqual(["not_found", "assignments.unit_outside", { unit: "x" }]);
    expect(err.message).toBe("no unit `x` in your scope");
  });

  it("reports a network failure and a body that is not JSON plainly", async () => {
    const api = new HttpApi();
    const offline = await api.units().catch((e) => e);
    expect(offline.code).toBe("network");
    answers.push(new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    const proxy = await api.units().catch((e) => e);
    expect(proxy).toBeInstanceOf(ApiError);
    expect(proxy.status).toBe(502);
  });

  it("checks a template by its file's format before publishing it", async () => {
    const api = new HttpApi();
    answers.push(json(200, { template_id: "x", version: "v", new: true, published: false, warnings: [] }));
    const file = new File(["id = 'x'"], "Audit.TOML");
    const r = await api.publishTemplate(file, true);
    expect(r.published).toBe(false);
    expect(calls[0].url).toBe("/api/v1/templates?format=toml&dry_run=true");
    expect(calls[0].init.body).toBe(file);
  });

  it("asks for the follow-up list against the user's date and returns each step's new status", async () => {
    const api = new HttpApi();
    answers.push(json(200, { today: "2026-11-23", actions: [] }));
    await api.followUps({ today: "2026-11-23", overdue: true, store: "sc/cd" });
    expect(calls[0].url).toBe("/api/v1/actions?today=2026-11-23&store=sc%2Fcd&overdue=true");
    answers.push(json(200, { status: "done" }));
    expect(await api.actionStep("doc/1", "a1", "complete")).toBe("done");
    expect(calls[1].url).toBe("/api/v1/records/doc%2F1/actions/a1/complete");
    expect(calls[1].init.method).toBe("POST");
  });

  it("reports download progress as the bytes arrive", async () => {
    const api = new HttpApi();
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new Uint8Array(1000));
        c.enqueue(new Uint8Array(500));
        c.close();
      },
    });
    answers.push(new Response(body, { status: 200, headers: { "Content-Type": "text/csv" } }));
    const seen: number[] = [];
    const blob = await api.download("ratings.csv", { unit: "sc" }, (n) => seen.push(n));
    expect(seen).toEqual([1000, 1500]);
    expect(blob.size).toBe(1500);
    expect(calls[0].url).toBe("/api/v1/exports/ratings.csv?unit=sc");
  });
});
