import { describe, expect, it } from "vitest";
import { loadAuthorizationModel } from "./model";
import { sameModel } from "./setup";

describe("sameModel", () => {
  it("a model as a server returns it (its own key order, empty fields spelled out) is the model that was written", async () => {
    const written = await loadAuthorizationModel();
    // What OpenFGA answers: keys in its own order, `metadata: null` on types without any, `condition: ""`.
    const stored = JSON.parse(
      JSON.stringify(written.type_definitions, (_key, value: unknown) => {
        if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
        const entries = Object.entries(value).reverse();
        if ("type" in value && !("relation" in value) && !("metadata" in value)) entries.push(["metadata", null]);
        if ("type" in value && !("relations" in value)) entries.push(["condition", ""]);
        return Object.fromEntries(entries);
      }),
    );
    expect(JSON.stringify(stored)).not.toBe(JSON.stringify(written.type_definitions));
    expect(sameModel({ schema_version: written.schema_version, type_definitions: stored }, written)).toBe(true);
  });

  it("a model without a relation the app uses is another model", async () => {
    const written = await loadAuthorizationModel();
    const older = written.type_definitions.map((type) => {
      const { can_delete: _dropped, ...relations } = type.relations ?? {};
      return { ...type, relations };
    });
    expect(sameModel({ schema_version: written.schema_version, type_definitions: older }, written)).toBe(false);
    expect(sameModel({ schema_version: "1.0", type_definitions: written.type_definitions }, written)).toBe(false);
  });
});
