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
      // A plural form (`{n|action|actions}`) counts one of the message's own placeholders.
      for (const [, name] of en[key].matchAll(/\{(\w+)\|[^|}]*\|[^}]*\}/g)) {
        expect(placeholders(en[key]), key).toContain(name);
      }
    }
  });

  it("say one thing and several things in English as English does", () => {
    const english = makeI18n("en", () => {});
    expect(english.t("follow.count", { n: 1 })).toBe("1 action");
    expect(english.t("follow.count", { n: 0 })).toBe("0 actions");
    expect(english.t("notify.review_waiting", { n: 1 })).toBe("1 audit is waiting for review");
    expect(english.t("sync.pending", { n: 2, m: 1 })).toBe("2 records and 1 file to send");
    const zh = makeI18n("zh-CN", () => {});
    expect(zh.t("follow.count", { n: 1 })).toBe("共 1 项");
  });

  it("fill placeholders and format numbers per locale", () => {
    const zh = makeI18n("zh-CN", () => {});
    expect(zh.t("queue.total", { n: 3 })).toBe("共 3 条");
    const english = makeI18n("en", () => {});
    expect(english.number(1234.56)).toBe("1,234.6");
  });
});
