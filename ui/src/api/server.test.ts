// @vitest-environment node
// The console's API types (server.ts) are generated from the server's
// OpenAPI document (openapi.json, itself checked against the server by a
// Rust test): generating them again must give the committed file.

import { describe, expect, it } from "vitest";
import { committed, generate } from "../../scripts/api-types.mjs";

describe("server.ts", () => {
  it("is what openapi.json generates", async () => {
    const [want, have] = await Promise.all([generate(), committed()]);
    expect(have, "src/api/server.ts is out of date with src/api/openapi.json: run `npm run api-types` in ui/").toBe(want);
  });
});
