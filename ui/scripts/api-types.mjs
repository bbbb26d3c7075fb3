// The web console's API types (src/api/server.ts), generated from the
// server's OpenAPI document (src/api/openapi.json) by openapi-typescript.
// `npm run api-types` writes the file; src/api/server.test.ts generates it
// again in memory and checks that the committed one is the same.

import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const openapiFile = new URL("../src/api/openapi.json", import.meta.url);
const typesFile = new URL("../src/api/server.ts", import.meta.url);

const HEADER = `// Generated from src/api/openapi.json by openapi-typescript (scripts/api-types.mjs). Do not edit:
// after changing the server's API, run \`FIELDCHECK_BLESS=1 cargo test -p fieldcheck-server openapi\`,
// then \`npm run api-types\` in ui/.

`;

/** The text of src/api/server.ts for the OpenAPI document as it is now. */
export async function generate() {
  const document = JSON.parse(await readFile(openapiFile, "utf8"));
  // The console names the schemas (`components["schemas"]`); the paths
  // stay in the document, for any other client to generate from.
  const nodes = await openapiTS({ ...document, paths: {} }, {
    // A schema that says only "object" (serde_json::Value, or a type the
    // server has not described yet) is unknown, not an empty object.
    emptyObjectsUnknown: true,
    silent: true,
  });
  return HEADER + astToString(nodes);
}

/** The text of src/api/server.ts as committed. */
export function committed() {
  return readFile(typesFile, "utf8");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(typesFile, await generate());
  console.log(`wrote ${fileURLToPath(typesFile)}`);
}
