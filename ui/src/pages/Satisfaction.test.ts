// The importance-performance chart's axes do not magnify noise.

import { describe, expect, it } from "vitest";
import { span } from "./Satisfaction";

describe("span", () => {
  it("keeps points a few tenths apart together on a 0-100 index", () => {
    const { min, max } = span([86.8, 87.1, 86.95]);
    expect(max - min).toBeGreaterThanOrEqual(20);
    expect(min).toBeLessThan(86.8);
    expect(max).toBeGreaterThan(87.1);
    expect(max).toBeLessThanOrEqual(100);
  });

  it("works on correlations and widens with the data", () => {
    const r = span([0.31, 0.33]);
    expect(r.max - r.min).toBeGreaterThan(0.2 - 1e-9);
    const wide = span([10, 95]);
    expect(wide.min).toBeLessThanOrEqual(10);
    expect(wide.max).toBeGreaterThanOrEqual(95);
  });
});
