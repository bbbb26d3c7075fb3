// The server's messages: every code the server can send (server-codes.json,
// listed from the Rust sources by a test there) has a Chinese text with the
// same parameters as its English one, and each renders in both languages,
// nested messages included.

import { describe, expect, it } from "vitest";
import codes from "./server-codes.json";
import { makeI18n, renderServerMessage } from "./index";
import { serverZh } from "./server";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const all = codes as Record<string, { en: string; params: string[] }>;

describe("server messages", () => {
  it("have a Chinese text, with the same parameters, for every code the server sends", () => {
    const missing = Object.keys(all).filter((k) => !serverZh[k]?.trim());
    expect(missing, "codes without a Chinese text in server.ts").toEqual([]);
    for (const [key, { en, params }] of Object.entries(all)) {
      expect(placeholders(en), key).toEqual([...params].sort());
      expect(placeholders(serverZh[key]), key).toEqual([...params].sort());
    }
    const unknown = Object.keys(serverZh).filter((k) => !(k in all));
    expect(unknown, "Chinese texts for codes the server no longer sends").toEqual([]);
  });

  it("render in the reader's language, nested messages too, and fall back to the English text", () => {
    const key = Object.keys(all).find((k) => all[k].params.length > 0);
    expect(key).toBeTruthy();
    const params = Object.fromEntries(all[key!].params.map((p) => [p, `«${p}»`]));
    const zh = renderServerMessage("zh-CN", { key, params });
    const en = renderServerMessage("en", { key, params });
    for (const p of all[key!].params) {
      expect(zh).toContain(`«${p}»`);
      expect(en).toContain(`«${p}»`);
    }
    expect(zh).not.toBe(en);
    const nested = renderServerMessage("zh-CN", { key, params: { ...params, [all[key!].params[0]]: { key: "error.unauthorized", params: {} } } });
    expect(nested).toContain(serverZh["error.unauthorized"]);
    expect(renderServerMessage("zh-CN", { key: "no.such.code", text: "as the server said" })).toBe("as the server said");
  });

  it("are what the UI shows for an error, and no network is said in words", () => {
    const zh = makeI18n("zh-CN", () => {});
    expect(zh.error({ code: "unauthorized", key: "error.unauthorized", params: {}, message: "sign in first" })).toBe(serverZh["error.unauthorized"]);
    expect(zh.error({ code: "network", message: "network" })).toBe("无法连接服务器");
    expect(zh.error(new Error("plain"))).toBe("plain");
  });
});
