// Both languages say the same things: every message has the same
// placeholders in zh-CN and en, and none is empty.

import { describe, expect, it } from "vitest";
import { en, zhCN, type MessageKey } from "./messages";
import { makeI18n } from "./index";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("messages", () => {
  it("have the same placeholders in both languages and are never empty", () => {
    for (const key of Object.keys(zhCN) as MessageKey[]) {
      expect(zhCN[key].trim(), key).not.toBe("");
      expect(en[key].trim(), key).not.toBe("");
      expect(placeholders(en[key]), key).toEqual(placeholders(zhCN[key]));
    }
  });

  it("fill placeholders and format numbers per locale", () => {
    const zh = makeI18n("zh-CN", () => {});
    expect(zh.t("queue.total", { n: 3 })).toBe("共 3 条");
    const english = makeI18n("en", () => {});
    expect(english.number(1234.56)).toBe("1,234.6");
  });
});
