import { z } from "zod";
import { FgaError, validationError } from "./errors";
import type { TupleKey } from "./identifiers";

/**
 * Request bodies as OpenFGA's HTTP API (and @openfga/sdk) send them. Unknown fields are ignored, as a
 * protojson gateway would; `context` and `trace` are accepted and have no effect here (there are no
 * conditions to evaluate). `consistency` is validated and then has no effect: there are no caches to bypass.
 */

const tupleKey = z.object({
  object: z.string(),
  relation: z.string(),
  user: z.string(),
  condition: z.unknown().optional(),
});

// Check/ListObjects send `{tuple_keys: [...]}`; ListUsers sends a plain array; SDK batch-check items pass
// through whatever the caller gave. Both shapes are accepted everywhere.
const contextualTuples = z
  .union([z.array(tupleKey), z.object({ tuple_keys: z.array(tupleKey).nullish() })])
  .nullish()
  .transform((value): (TupleKey & { condition?: unknown })[] => (Array.isArray(value) ? value : (value?.tuple_keys ?? [])));

/**
 * OpenFGA's ConsistencyPreference, by name or by number as protojson reads enums. OpenFGA validates it with
 * `enum.defined_only` and answers an undefined number with `validation_error`; its HTTP gateway silently reads
 * an unknown name as UNSPECIFIED. The sandbox refuses both, so a misspelt preference fails in development
 * instead of quietly losing HIGHER_CONSISTENCY in production.
 */
const CONSISTENCY_PREFERENCES = new Map<unknown, string>([
  ["UNSPECIFIED", "UNSPECIFIED"],
  [0, "UNSPECIFIED"],
  ["MINIMIZE_LATENCY", "MINIMIZE_LATENCY"],
  [100, "MINIMIZE_LATENCY"],
  ["HIGHER_CONSISTENCY", "HIGHER_CONSISTENCY"],
  [200, "HIGHER_CONSISTENCY"],
]);

/** Marks an issue whose message is already OpenFGA's whole error message. */
const OPENFGA_MESSAGE = { openfgaMessage: true };

const consistency = (request: string) =>
  z.unknown().optional().transform((value, context) => {
    if (value === undefined || value === null) return "UNSPECIFIED";
    const preference = CONSISTENCY_PREFERENCES.get(value);
    if (preference) return preference;
    // protoc-gen-validate's wording, as OpenFGA passes it on.
    context.addIssue({ code: "custom", message: `invalid ${request}.Consistency: value must be one of the defined enum values`, params: OPENFGA_MESSAGE });
    return z.NEVER;
  });

const common = (request: string) => ({
  authorization_model_id: z.string().nullish(),
  consistency: consistency(request),
  context: z.record(z.string(), z.unknown()).nullish(),
});

export const createStoreBody = z.object({ name: z.string() });

export const writeModelBody = z.object({
  schema_version: z.string().nullish(),
  type_definitions: z.array(z.unknown()),
  conditions: z.record(z.string(), z.unknown()).nullish(),
});

export const writeBody = z.object({
  authorization_model_id: z.string().nullish(),
  writes: z
    .object({ tuple_keys: z.array(tupleKey).nullish(), on_duplicate: z.string().nullish() })
    .nullish(),
  deletes: z
    .object({
      tuple_keys: z.array(z.object({ object: z.string(), relation: z.string(), user: z.string() })).nullish(),
      on_missing: z.string().nullish(),
    })
    .nullish(),
});

export const readBody = z.object({
  tuple_key: z.object({ object: z.string().nullish(), relation: z.string().nullish(), user: z.string().nullish() }).nullish(),
  page_size: z.number().int().nullish(),
  continuation_token: z.string().nullish(),
  consistency: consistency("ReadRequest"),
});

export const checkBody = z.object({
  ...common("CheckRequest"),
  tuple_key: z.object({ object: z.string(), relation: z.string(), user: z.string() }),
  contextual_tuples: contextualTuples,
  trace: z.boolean().nullish(),
});

export const batchCheckBody = z.object({
  ...common("BatchCheckRequest"),
  checks: z.array(
    z.object({
      tuple_key: z.object({ object: z.string(), relation: z.string(), user: z.string() }),
      contextual_tuples: contextualTuples,
      context: z.record(z.string(), z.unknown()).nullish(),
      correlation_id: z.string(),
    }),
  ),
});

const listObjectsShape = (request: string) =>
  z.object({
    ...common(request),
    type: z.string(),
    relation: z.string(),
    user: z.string(),
    contextual_tuples: contextualTuples,
  });

export const listObjectsBody = listObjectsShape("ListObjectsRequest");
export const streamedListObjectsBody = listObjectsShape("StreamedListObjectsRequest");

export const listUsersBody = z.object({
  ...common("ListUsersRequest"),
  object: z.object({ type: z.string(), id: z.string() }),
  relation: z.string(),
  user_filters: z.array(z.object({ type: z.string(), relation: z.string().nullish() })),
  contextual_tuples: contextualTuples,
});

/** Parses a body or throws `validation_error` naming the first offending field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === "custom" && issue.params?.openfgaMessage) throw validationError(issue.message);
  const path = issue?.path.join(".") || "body";
  throw validationError(`invalid request: ${path}: ${issue?.message ?? "malformed"}`);
}

/** `page_size` must be 1–100 when given; the default is 50, as in OpenFGA. */
export function pageSize(value: unknown): number {
  if (value === undefined || value === null || value === "") return 50;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw new FgaError("page_size_invalid", "invalid page_size: value must be inside range [1, 100]");
  }
  return size;
}
