import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/lib/auth/session";
import { ingestDocument } from "@/lib/rag/ingest";
import { startFaultProxy, type FaultProxy } from "@/sandbox/fault-proxy";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { storedMessages } from "@/tests/sandbox-readers";
import { session } from "./chat/harness-session";
import { streamChunks, streamedText } from "./chat/test-client";

// The permission service (FGA) going away and coming back while the app runs: the app reaches the sandbox FGA
// through a TCP proxy that refuses or stalls connections. Authorization fails closed (503; no tool is offered whole,
// and a call is refused by the tool permission check), the user is told why, nothing is lost, and once FGA answers
// again everything works without a restart.
vi.mock("@/lib/auth/session", () => import("./chat/harness-session"));

const alice: CurrentUser = { sub: "auth0|alice", name: "Alice Martin", email: "alice@example.com", picture: null, emailVerified: true };
const bob: CurrentUser = { sub: "auth0|bob", name: "Bob Chen", email: "bob@example.com", picture: null, emailVerified: true };
const HANDBOOK = "Vacation policy (2026): every employee gets 27 vacation days a year — 2.25 days per month, rounded up.";
const FGA_DOWN = "The permission service is not answering, so nothing was done. Try again.";
const SEARCH_REFUSED = 'The permission service did not answer, so "Search your documents" was not used and nothing was done. Try again in a moment.';

const harness = setUpChatRouteHarness();
let fga: FaultProxy;
let documentId: string;
let documentRoute: typeof import("./documents/[id]/route");
let upload: typeof import("./documents/route").POST;
let shares: typeof import("./documents/[id]/shares/route");

beforeAll(async () => {
  fga = await startFaultProxy(process.env.FGA_API_URL!);
  process.env.FGA_API_URL = fga.url;
  ({ id: documentId } = await ingestDocument({ owner: alice, name: "Team handbook.md", type: "text/markdown", bytes: new TextEncoder().encode(HANDBOOK) }));
  documentRoute = await import("./documents/[id]/route");
  upload = (await import("./documents/route")).POST;
  shares = await import("./documents/[id]/shares/route");
});

afterAll(async () => {
  await fga?.close();
});

beforeEach(async () => {
  session.current = alice;
  await fga.restore();
});

const params = (id: string) => ({ params: Promise.resolve({ id }) });
const download = () => documentRoute.GET(new Request(`http://localhost:3000/api/documents/${documentId}`), params(documentId));
const shareWithBob = () =>
  shares.POST(
    new Request(`http://localhost:3000/api/documents/${documentId}/shares`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ with: "bob@example.com" }) }),
    params(documentId),
  );
const remove = () => documentRoute.DELETE(new Request(`http://localhost:3000/api/documents/${documentId}`, { method: "DELETE" }), params(documentId));

async function expectRefused(response: Response) {
  expect(response.status).toBe(503);
  const body = await response.text();
  expect(JSON.parse(body)).toEqual({ error: { code: "unavailable", message: FGA_DOWN } });
  expect(body).not.toContain("27 vacation days");
}

it("FGA down: document routes answer 503, search refuses and the reply says so; all recovers without a restart", async () => {
  await fga.down();
  await expectRefused(await download());
  await expectRefused(await remove());
  await expectRefused(await shareWithBob());
  session.current = bob;
  await expectRefused(await download());
  session.current = alice;
  expect(await harness.sql`select id from documents where id = ${documentId}`).toEqual([{ id: documentId }]);

  // An upload is refused whole: no document row and no chunk is left behind without its owner in FGA.
  const form = new FormData();
  form.append("file", new File(["Payroll (2026): 3.5% raise, see https://example.com/pay?y=2026."], "Payroll – Zoë's notes.md", { type: "text/markdown" }));
  const refusedUpload = await upload(new Request("http://localhost:3000/api/documents", { method: "POST", body: form }));
  expect(refusedUpload.status).toBe(503);
  expect(await refusedUpload.json()).toEqual({ error: { code: "unavailable", message: "The permission service is not answering; the document was not saved." } });
  expect(await harness.sql`select id from documents where id <> ${documentId}`).toEqual([]);
  expect(await harness.sql`select document_id from document_chunks where document_id <> ${documentId}`).toEqual([]);

  const chatId = crypto.randomUUID();
  const refused = await harness.client.say(chatId, "How many vacation days do we get?");
  expect(refused.status).toBe(200);
  const call = streamChunks(refused.text).find((c) => c.type === "tool-output-available");
  expect(call).toMatchObject({ output: { error: SEARCH_REFUSED } });
  expect(streamedText(refused.text)).toContain(SEARCH_REFUSED);
  expect(refused.text).not.toContain("27 vacation days");
  const stored = await storedMessages(harness.sql, chatId);
  expect(stored.map((m) => m.role)).toEqual(["user", "assistant"]);
  expect(JSON.stringify(stored[1]!.parts)).toContain(JSON.stringify(SEARCH_REFUSED).slice(1, -1));

  // Back up: the same process, the same FGA client, no restart.
  await fga.restore();
  const downloaded = await download();
  expect(downloaded.status).toBe(200);
  expect(await downloaded.text()).toBe(HANDBOOK);
  session.current = bob;
  expect((await download()).status).toBe(403);
  session.current = alice;
  // Nothing was shared while FGA was away.
  const { listShares } = await import("@/lib/fga/documents");
  expect(await listShares(documentId)).toEqual([]);
  const answered = await harness.client.say(chatId, "How many vacation days do we get?");
  expect(streamedText(answered.text)).toContain("27 vacation days");
  expect((await storedMessages(harness.sql, chatId)).map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
});

it("FGA stalled: requests are given up on within the client's timeout and refused, then work when it answers", async () => {
  await fga.stall();
  const started = performance.now();
  await expectRefused(await download());
  // Three attempts of 3 s each, plus the SDK's short backoff: not the platform's minute.
  expect(performance.now() - started).toBeLessThan(15_000);

  const chatId = crypto.randomUUID();
  const refused = await harness.client.say(chatId, "How many vacation days do we get?");
  expect(streamChunks(refused.text).find((c) => c.type === "tool-output-available")).toMatchObject({ output: { error: SEARCH_REFUSED } });
  expect((await storedMessages(harness.sql, chatId)).map((m) => m.role)).toEqual(["user", "assistant"]);

  await fga.restore();
  expect((await download()).status).toBe(200);
}, 60_000);
