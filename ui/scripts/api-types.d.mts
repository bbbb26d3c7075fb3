// The types of api-types.mjs, for src/api/server.test.ts.

/** The text of src/api/server.ts for the OpenAPI document as it is now. */
export function generate(): Promise<string>;
/** The text of src/api/server.ts as committed. */
export function committed(): Promise<string>;
