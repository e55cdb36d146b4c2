import type { JsonSchema } from "./wire";

/**
 * Just enough JSON Schema to fill tool arguments that the client (the AI SDK validating with zod)
 * will accept: the keywords `zod.toJSONSchema` emits for flat tool inputs. `$ref` and friends are
 * not resolved; a value is only ever produced for a schema this module understands.
 */

export type SchemaType = "string" | "number" | "integer" | "boolean" | "array" | "object" | "null";

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Looks through `anyOf: [X, {type: "null"}]` and `type: ["string", "null"]`, the two spellings of nullable. */
export function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const branches = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(branches)) {
    const nonNull = branches.filter((b) => isSchema(b) && b.type !== "null") as JsonSchema[];
    if (nonNull.length === 1 && nonNull.length < branches.length) {
      const { anyOf: _a, oneOf: _o, ...rest } = schema;
      return { schema: { ...rest, ...nonNull[0] }, nullable: true };
    }
  }
  if (Array.isArray(schema.type) && schema.type.includes("null")) {
    const types = schema.type.filter((t) => t !== "null");
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { schema, nullable: false };
}

export function schemaType(schema: JsonSchema): SchemaType | undefined {
  if (typeof schema.type === "string") return schema.type as SchemaType;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return typeof schema.enum[0] === "number" ? "number" : "string";
  if (schema.const !== undefined) return typeof schema.const === "number" ? "number" : "string";
  return undefined;
}

export function objectShape(schema: JsonSchema | undefined): { properties: Record<string, JsonSchema>; required: Set<string> } {
  const properties = isSchema(schema?.properties) ? (schema.properties as Record<string, JsonSchema>) : {};
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return { properties, required };
}

export function enumValues(schema: JsonSchema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  return schema.const === undefined ? undefined : [schema.const];
}

function compile(pattern: string): RegExp | undefined {
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // Patterns written for other regex dialects: try without the unicode flag, then give up checking.
    }
  }
  return undefined;
}

const FORMATS: Record<string, RegExp> = {
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$/,
  "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/,
};

function typeMatches(type: unknown, value: unknown): boolean {
  if (Array.isArray(type)) return type.some((t) => typeMatches(t, value));
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isSchema(value);
    default:
      return true;
  }
}

/** Whether `value` satisfies `schema`, for the keywords this module knows; unknown keywords pass. */
export function accepts(schema: JsonSchema, value: unknown): boolean {
  const branches = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(branches) && !branches.some((b) => isSchema(b) && accepts(b, value))) return false;
  if (schema.type !== undefined && !typeMatches(schema.type, value)) return false;
  const allowed = enumValues(schema);
  if (allowed && !allowed.some((a) => a === value)) return false;
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength) return false;
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) return false;
    const pattern = typeof schema.pattern === "string" ? compile(schema.pattern) : undefined;
    if (pattern && !pattern.test(value)) return false;
    const format = typeof schema.format === "string" ? FORMATS[schema.format] : undefined;
    if (format && !format.test(value)) return false;
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) return false;
    if (typeof schema.maximum === "number" && value > schema.maximum) return false;
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) return false;
    if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) return false;
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) return false;
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) return false;
    if (isSchema(schema.items) && !value.every((item) => accepts(schema.items as JsonSchema, item))) return false;
  }
  if (isSchema(value) && (schema.type === "object" || isSchema(schema.properties))) {
    const { properties, required } = objectShape(schema);
    for (const name of required) if (!(name in value)) return false;
    for (const [name, item] of Object.entries(value)) {
      const property = properties[name];
      if (property ? !accepts(property, item) : schema.additionalProperties === false) return false;
    }
  }
  return true;
}
