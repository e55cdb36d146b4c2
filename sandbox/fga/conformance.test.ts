import { readFileSync } from "node:fs";
import path from "node:path";
import { CredentialsMethod, OpenFgaClient, type TupleKey } from "@openfga/sdk";
import { transformer } from "@openfga/syntax-transformer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { startSandboxPostgres, type SandboxPostgres } from "../postgres/server";
import { numericErrorCode } from "./errors";
import { startFgaServer, type FgaServer } from "./server";

/**
 * OpenFGA's own conformance suite (conformance/consolidated_1_1_tests.yaml, copied from upstream) run
 * through the unmodified SDK, the way upstream's harness (tests/{check,listobjects,listusers}) runs it:
 *
 * - per test a new store; per stage: write the model (DSL → JSON with @openfga/syntax-transformer), write
 *   the stage's tuples (shuffled, 40 per request), then every assertion against that model id;
 * - Check: the exact boolean, or an error whose numeric code is `errorCode`;
 * - ListObjects: set equality, the same from streamed-list-objects, and Check = true for each object;
 * - ListUsers: set equality (users as `type:id`, `type:*`, `type:id#rel`) and Check = true for each user;
 * - single-stage tests run a second time with the tuples sent as contextual tuples instead of written,
 *   as upstream's `_ctxTuples` variants do (counted separately).
 */

const SUITE_FILE = path.join(import.meta.dirname, "conformance", "consolidated_1_1_tests.yaml");
const WRITE_CHUNK = 40;

interface YamlTuple {
  object: string;
  relation: string;
  user: string;
}
interface CheckAssertion {
  tuple: YamlTuple;
  contextualTuples?: YamlTuple[];
  expectation?: boolean;
  errorCode?: number;
}
interface ListObjectsAssertion {
  request: { user: string; type: string; relation: string };
  contextualTuples?: YamlTuple[];
  expectation?: string[] | null;
  errorCode?: number;
}
interface ListUsersAssertion {
  request: { filters: string[]; object: string; relation: string };
  contextualTuples?: YamlTuple[];
  expectation?: string[] | null;
  errorCode?: number;
}
interface Stage {
  model: string;
  tuples?: YamlTuple[] | null;
  checkAssertions?: CheckAssertion[] | null;
  listObjectsAssertions?: ListObjectsAssertion[] | null;
  listUsersAssertions?: ListUsersAssertion[] | null;
}
interface SuiteTest {
  name: string;
  stages: Stage[];
}

const suite = parse(readFileSync(SUITE_FILE, "utf8")) as { tests: SuiteTest[] };

type Kind = "Check" | "ListObjects" | "ListUsers";
type Mode = "stored" | "contextual";
const tally: Record<Mode, Record<Kind, { passed: number; total: number }>> = {
  stored: { Check: { passed: 0, total: 0 }, ListObjects: { passed: 0, total: 0 }, ListUsers: { passed: 0, total: 0 } },
  contextual: { Check: { passed: 0, total: 0 }, ListObjects: { passed: 0, total: 0 }, ListUsers: { passed: 0, total: 0 } },
};
const failedCases: string[] = [];

let pg: SandboxPostgres;
let fga: FgaServer;
let client: OpenFgaClient;

beforeAll(async () => {
  pg = await startSandboxPostgres({ port: 0 });
  fga = await startFgaServer({ port: 0, databaseUrl: pg.url, log: () => {} });
  client = new OpenFgaClient({
    apiUrl: fga.url,
    credentials: { method: CredentialsMethod.None },
    // A 5xx must show as a failure, not be retried three times with backoff.
    retryParams: { maxRetry: 0 },
  });
});

afterAll(async () => {
  const line = (mode: Mode, label: string) => {
    const t = tally[mode];
    const passed = t.Check.passed + t.ListObjects.passed + t.ListUsers.passed;
    const total = t.Check.total + t.ListObjects.total + t.ListUsers.total;
    return `${label}: ${passed}/${total} assertions passed (Check ${t.Check.passed}, ListObjects ${t.ListObjects.passed}, ListUsers ${t.ListUsers.passed})`;
  };
  console.log(line("stored", "FGA conformance"));
  console.log(line("contextual", "FGA conformance, tuples sent as contextual tuples"));
  if (failedCases.length > 0) console.log(`FGA conformance failures:\n  ${failedCases.join("\n  ")}`);
  await fga?.close();
  await pg?.close();
});

const shuffle = <T>(items: readonly T[]): T[] => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
};

const sameSet = (actual: readonly string[], expected: readonly string[]) =>
  actual.length === new Set(actual).size && actual.length === expected.length && expected.every((e) => actual.includes(e));

/** The numeric OpenFGA code of an SDK error (its `apiErrorCode` is the string name), or a description. */
function errorCodeOf(error: unknown): number | string {
  const code = (error as { apiErrorCode?: string }).apiErrorCode;
  if (code) return numericErrorCode(code) ?? code;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const asTuples = (tuples: readonly YamlTuple[] | null | undefined): TupleKey[] =>
  (tuples ?? []).map((t) => ({ object: t.object, relation: t.relation, user: t.user }));

function renderUser(user: { object?: { type: string; id: string }; wildcard?: { type: string }; userset?: { type: string; id: string; relation: string } }): string {
  if (user.object) return `${user.object.type}:${user.object.id}`;
  if (user.wildcard) return `${user.wildcard.type}:*`;
  if (user.userset) return `${user.userset.type}:${user.userset.id}#${user.userset.relation}`;
  return JSON.stringify(user);
}

async function checkAllowed(storeId: string, modelId: string, tuple: TupleKey, contextual: TupleKey[]): Promise<boolean> {
  const response = await client.check({ ...tuple, contextualTuples: contextual }, { storeId, authorizationModelId: modelId });
  return response.allowed === true;
}

/** Runs one assertion; returns a failure description or undefined. */
async function runCheckAssertion(storeId: string, modelId: string, a: CheckAssertion, extra: TupleKey[]): Promise<string | undefined> {
  const contextual = [...shuffle(asTuples(a.contextualTuples)), ...extra];
  const label = `Check ${a.tuple.object}#${a.tuple.relation}@${a.tuple.user}`;
  try {
    const allowed = await checkAllowed(storeId, modelId, a.tuple, contextual);
    if (a.errorCode) return `${label}: expected error ${a.errorCode}, got allowed=${allowed}`;
    if (allowed !== (a.expectation ?? false)) return `${label}: expected ${a.expectation}, got ${allowed}`;
  } catch (error) {
    const code = errorCodeOf(error);
    if (!a.errorCode) return `${label}: unexpected error ${code}`;
    if (code !== a.errorCode) return `${label}: expected error ${a.errorCode}, got ${code}`;
  }
  return undefined;
}

async function runListObjectsAssertion(storeId: string, modelId: string, a: ListObjectsAssertion, extra: TupleKey[]): Promise<string | undefined> {
  const contextual = [...shuffle(asTuples(a.contextualTuples)), ...extra];
  const { user, type, relation } = a.request;
  const label = `ListObjects ${user} ${relation} ${type}`;
  const expected = a.expectation ?? [];
  const request = { user, relation, type, contextualTuples: contextual };
  const options = { storeId, authorizationModelId: modelId };
  let objects: string[];
  try {
    objects = (await client.listObjects(request, options)).objects;
    if (a.errorCode) return `${label}: expected error ${a.errorCode}, got ${JSON.stringify(objects)}`;
  } catch (error) {
    const code = errorCodeOf(error);
    if (!a.errorCode) return `${label}: unexpected error ${code}`;
    if (code !== a.errorCode) return `${label}: expected error ${a.errorCode}, got ${code}`;
    // The streamed variant must fail too (its body is a stream, so only the HTTP status is visible).
    try {
      for await (const _ of client.streamedListObjects(request, options)) void _;
      return `${label}: streamed-list-objects did not fail`;
    } catch (streamError) {
      const status = (streamError as { statusCode?: number }).statusCode;
      return status === 400 ? undefined : `${label}: streamed-list-objects failed with ${errorCodeOf(streamError)} (status ${status})`;
    }
  }
  if (!sameSet(objects, expected)) return `${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(objects)}`;
  const streamed: string[] = [];
  for await (const item of client.streamedListObjects(request, options)) streamed.push(item.object);
  if (!sameSet(streamed, expected)) return `${label}: streamed expected ${JSON.stringify(expected)}, got ${JSON.stringify(streamed)}`;
  for (const object of objects) {
    if (!(await checkAllowed(storeId, modelId, { object, relation, user }, contextual))) return `${label}: Check(${object}) is false for a listed object`;
  }
  return undefined;
}

async function runListUsersAssertion(storeId: string, modelId: string, a: ListUsersAssertion, extra: TupleKey[]): Promise<string | undefined> {
  const contextual = [...shuffle(asTuples(a.contextualTuples)), ...extra];
  const { filters, object, relation } = a.request;
  const label = `ListUsers ${object}#${relation} [${filters.join(", ")}]`;
  const expected = a.expectation ?? [];
  const [type = "", id = ""] = object.split(":");
  let users: string[];
  try {
    const response = await client.listUsers(
      {
        object: { type, id },
        relation,
        user_filters: filters.map((filter) => {
          const [filterType = "", filterRelation] = filter.split("#");
          return filterRelation ? { type: filterType, relation: filterRelation } : { type: filterType };
        }),
        contextualTuples: contextual,
      },
      { storeId, authorizationModelId: modelId },
    );
    users = response.users.map(renderUser);
    if (a.errorCode) return `${label}: expected error ${a.errorCode}, got ${JSON.stringify(users)}`;
  } catch (error) {
    const code = errorCodeOf(error);
    if (!a.errorCode) return `${label}: unexpected error ${code}`;
    return code === a.errorCode ? undefined : `${label}: expected error ${a.errorCode}, got ${code}`;
  }
  if (!sameSet(users, expected)) return `${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(users)}`;
  for (const user of users) {
    if (!(await checkAllowed(storeId, modelId, { object, relation, user }, contextual))) return `${label}: Check(${user}) is false for a listed user`;
  }
  return undefined;
}

async function runTest(t: SuiteTest, mode: Mode): Promise<string[]> {
  const failures: string[] = [];
  const storeName = (mode === "contextual" ? `ctx ${t.name}` : t.name).slice(0, 64);
  const { id: storeId } = await client.createStore({ name: storeName });
  try {
    for (const [stageNumber, stage] of t.stages.entries()) {
      const model = transformer.transformDSLToJSONObject(stage.model);
      const { authorization_model_id: modelId } = await client.writeAuthorizationModel(model, { storeId });
      const tuples = asTuples(stage.tuples);
      if (mode === "stored") {
        const shuffled = shuffle(tuples);
        for (let i = 0; i < shuffled.length; i += WRITE_CHUNK) {
          await client.write({ writes: shuffled.slice(i, i + WRITE_CHUNK) }, { storeId, authorizationModelId: modelId });
        }
      }
      const extra = mode === "contextual" ? tuples : [];
      const run = async (kind: Kind, assertion: Promise<string | undefined>) => {
        const failure = await assertion;
        tally[mode][kind].total++;
        if (failure) failures.push(`${mode} stage ${stageNumber}: ${failure}`);
        else tally[mode][kind].passed++;
      };
      await Promise.all([
        ...(stage.checkAssertions ?? []).map((a) => run("Check", runCheckAssertion(storeId, modelId, a, extra))),
        ...(stage.listObjectsAssertions ?? []).map((a) => run("ListObjects", runListObjectsAssertion(storeId, modelId, a, extra))),
        ...(stage.listUsersAssertions ?? []).map((a) => run("ListUsers", runListUsersAssertion(storeId, modelId, a, extra))),
      ]);
    }
  } finally {
    await client.deleteStore({ storeId });
  }
  return failures;
}

describe("OpenFGA conformance (consolidated_1_1_tests.yaml) through @openfga/sdk", () => {
  test.each(suite.tests)("$name", async (t) => {
    const failures = await runTest(t, "stored");
    // Upstream replays single-stage tests with the tuples as contextual tuples (at most 100 per request).
    if (t.stages.length === 1 && (t.stages[0]?.tuples?.length ?? 0) <= 100) failures.push(...(await runTest(t, "contextual")));
    if (failures.length > 0) failedCases.push(`${t.name}: ${failures.length} failing`);
    expect(failures).toEqual([]);
  });
});
