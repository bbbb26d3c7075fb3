// The ratings page's places in a league table.

import { describe, expect, it } from "vitest";
import { places } from "./Dashboard";

describe("places", () => {
  it("share a place on equal scores, count them, and give withheld scores none", () => {
    expect(places([90, 85, 85, null, 70])).toEqual([1, 2, 2, null, 4]);
    expect(places([null, null])).toEqual([null, null]);
  });
});
