import { readFile } from "node:fs/promises";
import path from "node:path";
import { transformer } from "@openfga/syntax-transformer";

/** The authorization model as the OpenFGA API takes it, from lib/fga/model.fga. */
export async function loadAuthorizationModel() {
  const dsl = await readFile(path.join(process.cwd(), "lib", "fga", "model.fga"), "utf8");
  return transformer.transformDSLToJSONObject(dsl);
}
