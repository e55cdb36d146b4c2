import { transformer } from "@openfga/syntax-transformer";
import { describe, expect, it } from "vitest";
import { FgaError } from "./errors";
import type { AuthorizationModelJSON } from "./model";
import { validateModel } from "./model-validation";
import { DELEGATE_MODEL } from "./test-support";

const fromDsl = (dsl: string): AuthorizationModelJSON => ({ id: "", ...(transformer.transformDSLToJSONObject(dsl) as unknown as Omit<AuthorizationModelJSON, "id">) });
const header = "model\n  schema 1.1\ntype user\n";

function refusal(json: AuthorizationModelJSON): FgaError {
  try {
    validateModel(json);
  } catch (error) {
    if (error instanceof FgaError) return error;
    throw error;
  }
  throw new Error("the model was accepted");
}

describe("model validation", () => {
  it("accepts Delegate's model and indexes it", () => {
    const index = validateModel(fromDsl(DELEGATE_MODEL));
    expect(index.relation("doc", "viewer")?.directTypes).toEqual([{ type: "user" }, { type: "user", wildcard: true }, { type: "group", relation: "member" }]);
    expect(index.pathExists({ type: "user", id: "x" }, "doc", "can_view")).toBe(true);
    expect(index.pathExists({ type: "group", id: "x", relation: "member" }, "doc", "can_share")).toBe(false);
  });

  it.each([
    ["an undefined computed relation", `${header}type doc\n  relations\n    define viewer: editor`, "'doc#editor' relation is undefined"],
    ["an undefined type restriction", `model\n  schema 1.1\ntype doc\n  relations\n    define viewer: [user]`, "the relation type 'user' on 'viewer' in object type 'doc' is not valid"],
    ["an undefined userset relation", `${header}type group\ntype doc\n  relations\n    define viewer: [group#member]`, "the relation type 'group#member' on 'viewer'"],
    ["a computed cycle", `${header}type doc\n  relations\n    define a: b\n    define b: a`, "is invalid"],
    ["no entrypoint", `${header}type folder\n  relations\n    define parent: [folder]\n    define viewer: viewer from parent`, "no entrypoints defined"],
    ["a tupleset that is not direct", `${header}type folder\n  relations\n    define viewer: [user]\ntype doc\n  relations\n    define owner: [folder]\n    define parent: owner\n    define viewer: viewer from parent`, "must be a direct relation"],
    ["a wildcard on a tupleset", `${header}type folder\n  relations\n    define viewer: [user]\ntype doc\n  relations\n    define parent: [folder, folder:*]\n    define viewer: viewer from parent`, "is not valid"],
    ["a TTU relation no parent type has", `${header}type folder\n  relations\n    define owner: [user]\ntype doc\n  relations\n    define parent: [folder]\n    define viewer: viewer from parent`, "viewer does not appear as a relation"],
  ])("refuses %s", (_what, dsl, message) => {
    const error = refusal(fromDsl(dsl));
    expect(error.code).toBe("invalid_authorization_model");
    expect(error.message).toContain(message);
  });

  it("refuses other schema versions, duplicate types, relations without types and conditions", () => {
    expect(refusal({ id: "", schema_version: "1.0", type_definitions: [{ type: "user" }] }).message).toContain("only schema 1.1");
    expect(refusal({ id: "", schema_version: "1.1", type_definitions: [{ type: "user" }, { type: "user" }] }).message).toContain("duplicate types");
    expect(
      refusal({ id: "", schema_version: "1.1", type_definitions: [{ type: "user" }, { type: "doc", relations: { viewer: { this: {} } }, metadata: null }] }).message,
    ).toContain("must contain at least one relation type");
    const conditioned = fromDsl(`${header}type doc\n  relations\n    define viewer: [user with fresh]\ncondition fresh(age: int) {\n  age < 10\n}`);
    expect(refusal(conditioned).message).toContain("conditions are not supported");
    expect(refusal({ id: "", schema_version: "1.1", type_definitions: [] }).code).toBe("type_definitions_too_few_items");
  });
});
