import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { chatClient } from "@/app/(chat)/api/chat/test-client";
import { startSandboxHarness, type SandboxHarness, type SandboxHarnessOptions } from "@/sandbox/test-harness";

export interface HarnessOptions {
  /** How the sandbox starts, e.g. with the shop's API registered without something, to see the refusal. */
  sandbox?: SandboxHarnessOptions;
  /** The test's own database connection, e.g. `onnotice` for a file whose statements make Postgres chatty. */
  sql?: postgres.Options<Record<string, postgres.PostgresType>>;
}

export interface SandboxFixture {
  sandbox: SandboxHarness;
  /** One connection to the sandbox's database, for reading what the app stored (and setting up what it finds). */
  sql: postgres.Sql;
}

export interface ChatRouteFixture extends SandboxFixture {
  client: ReturnType<typeof chatClient>;
}

/**
 * The whole sandbox (sandbox/test-harness.ts) for the tests of one file: started before them, closed after them.
 * The fields are set once the sandbox runs, so read them in hooks and tests, not at the top of the file. Hooks the
 * file registers afterwards run after this one starts the sandbox, and their afterAll before it closes it.
 */
export function setUpSandboxHarness(options: HarnessOptions = {}): SandboxFixture {
  const fixture = {} as SandboxFixture;
  beforeAll(async () => {
    fixture.sandbox = await startSandboxHarness(options.sandbox);
    fixture.sql = postgres(fixture.sandbox.databaseUrl, { max: 1, ...options.sql });
  });
  afterAll(async () => {
    // Either may be missing when the sandbox failed to start; the start's error is the one to report.
    await fixture.sql?.end();
    await fixture.sandbox?.close();
  });
  return fixture;
}

/**
 * setUpSandboxHarness, plus a client of the chat route. The route is imported only once the sandbox runs, after the
 * file's `vi.mock` calls (hoisted above its imports) are in place, so the route sees the mocked session.
 * `bodies` collects every response body the client reads, as chatClient's does.
 */
export function setUpChatRouteHarness(options: HarnessOptions & { bodies?: string[] } = {}): ChatRouteFixture {
  const fixture = setUpSandboxHarness(options) as ChatRouteFixture;
  beforeAll(async () => {
    fixture.client = chatClient((await import("@/app/(chat)/api/chat/route")).POST, options.bodies);
  });
  return fixture;
}
