// "My records": open work is always there; the rest by age and status.

import { describe, expect, it } from "vitest";
import { showRecord } from "./Home";

const now = Date.UTC(2026, 11, 1);
const old = now - 90 * 864e5;

describe("showRecord", () => {
  it("shows the last 30 days and anything still to finish at first", () => {
    expect(showRecord({ status: "approved", started_at: now - 864e5 }, "recent", now)).toBe(true);
    expect(showRecord({ status: "approved", started_at: old }, "recent", now)).toBe(false);
    expect(showRecord({ status: "returned", started_at: old }, "recent", now)).toBe(true);
    expect(showRecord({ status: "draft", started_at: old }, "recent", now)).toBe(true);
  });

  it("splits open work from what was sent, and shows all on request", () => {
    expect(showRecord({ status: "draft", started_at: now }, "open", now)).toBe(true);
    expect(showRecord({ status: "submitted", started_at: now }, "open", now)).toBe(false);
    expect(showRecord({ status: "submitted", started_at: now }, "sent", now)).toBe(true);
    expect(showRecord({ status: "returned", started_at: now }, "sent", now)).toBe(false);
    expect(showRecord({ status: "approved", started_at: old }, "all", now)).toBe(true);
  });
});
