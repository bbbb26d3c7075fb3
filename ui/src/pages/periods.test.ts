// Periods as the server names them, and the one a page opens on.

import { describe, expect, it } from "vitest";
import { defaultPeriod, periodOf, periodRange } from "./periods";

describe("periods", () => {
  it("are named as the server names them", () => {
    const d = new Date(2026, 11, 1); // 1 December 2026, a Tuesday
    expect(periodOf(d, "day")).toBe("2026-12-01");
    expect(periodOf(d, "month")).toBe("2026-12");
    expect(periodOf(d, "quarter")).toBe("2026-Q4");
    expect(periodOf(d, "year")).toBe("2026");
    expect(periodOf(d, "week")).toBe("2026-W49");
    // ISO weeks: 1 January 2027 is a Friday, in 2026's last week.
    expect(periodOf(new Date(2027, 0, 1), "week")).toBe("2026-W53");
    expect(periodOf(new Date(2026, 0, 1), "week")).toBe("2026-W01");
  });

  it("open on the last one that has ended, not the one still filling up", () => {
    const today = new Date(2026, 11, 1);
    expect(defaultPeriod(["2026-10", "2026-11", "2026-12"], "month", today)).toBe("2026-11");
    expect(defaultPeriod(["2026-Q3", "2026-Q4"], "quarter", today)).toBe("2026-Q3");
    // Nothing has ended yet: the only one there is.
    expect(defaultPeriod(["2026-12"], "month", today)).toBe("2026-12");
    expect(defaultPeriod([], "month", today)).toBeUndefined();
  });

  it("span their days, ends exclusive", () => {
    expect(periodRange("2026-02")).toEqual([new Date(2026, 1, 1).getTime(), new Date(2026, 2, 1).getTime()]);
    expect(periodRange("2026-Q4")).toEqual([new Date(2026, 9, 1).getTime(), new Date(2027, 0, 1).getTime()]);
    expect(periodRange("2026-W49")).toEqual([new Date(2026, 10, 30).getTime(), new Date(2026, 11, 7).getTime()]);
    expect(periodRange("2026-W01")?.[0]).toBe(new Date(2025, 11, 29).getTime());
    expect(periodRange("nonsense")).toBeNull();
  });
});
