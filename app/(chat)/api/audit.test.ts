import { NextRequest } from "next/server";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { canonicalJson, sha256Hex, verifyAllChains } from "@/db/audit-chain";
import type { AuditEventRow } from "@/db/schema";
import type { CurrentUser } from "@/lib/auth/session";
import { exportAuditEvents } from "@/lib/audit/export";
import { parseCsv, withFailingAuditWrites as failingAuditWrites } from "@/lib/audit/test-support";
import { can } from "@/lib/fga/documents";
import { listConnectedAccounts } from "@/lib/auth/my-account";
import { connectAccount, signInWithSandbox, type AppRoutes } from "@/sandbox/identity/test-login";
import { setUpSandboxHarness } from "@/tests/harness-setup";
import { session } from "./chat/harness-session";

// Every document action and sign-in/out against the whole sandbox writes exactly one audit event, and none runs
// when its event cannot be written. Document routes see a replaced cookie session (as in documents/documents.test.ts);
// sign-in and sign-out go through proxy.ts and nextjs-auth0's real routes.
vi.mock("@/lib/auth/session", () => import("./chat/harness-session"));

const person = (id: string, name: string): CurrentUser => ({ sub: `auth0|audit-${id}`, name, email: `${id}@example.com`, picture: null, emailVerified: true });
const alice = person("alice", "Alice Martin");
const SECRET_NOTE = "The vault code is QX-4711 (ünïcödé, https://example.com/x?y=1)";

const harness = setUpSandboxHarness({ sql: { onnotice: () => {} } });
let upload: (request: Request) => Promise<Response>;
let documentRoute: typeof import("./documents/[id]/route");
let shares: typeof import("./documents/[id]/shares/route");
let connectionRoute: typeof import("./connections/[id]/route");
let proxyApp: AppRoutes;

beforeAll(async () => {
  upload = (await import("./documents/route")).POST;
  documentRoute = await import("./documents/[id]/route");
  shares = await import("./documents/[id]/shares/route");
  connectionRoute = await import("./connections/[id]/route");
  const { proxy } = await import("@/proxy");
  proxyApp = (url, cookie) => proxy(new NextRequest(url, { headers: cookie ? { cookie } : {} }));
});

beforeEach(() => {
  session.current = alice;
});

const context = (id: string) => ({ params: Promise.resolve({ id }) });

function uploadRequest(name: string, text: string) {
  const form = new FormData();
  form.append("file", new File([text], name, { type: "text/plain" }));
  return new Request("http://localhost:3000/api/documents", { method: "POST", body: form });
}
const shareRequest = (method: "POST" | "DELETE", who: string) =>
  new Request("http://localhost:3000/api/documents/x/shares", { method, headers: { "content-type": "application/json" }, body: JSON.stringify({ with: who }) });

async function eventsOf(userId: string): Promise<AuditEventRow[]> {
  const rows = await harness.sql`select * from audit_events where user_id = ${userId} order by sequence`;
  return rows.map((row) => ({ action: row.action, evidence: row.evidence, inputDigest: row.input_digest, summary: row.summary, outcome: row.outcome, agentId: row.agent_id }) as unknown as AuditEventRow);
}

/** Runs `action` and returns the events it added to the user's chain. */
async function newEvents(userId: string, action: () => Promise<unknown>) {
  const before = (await eventsOf(userId)).length;
  await action();
  return (await eventsOf(userId)).slice(before);
}

async function uploadNote(name: string) {
  const response = await upload(uploadRequest(name, SECRET_NOTE));
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const withFailingAuditWrites = (run: () => Promise<void>) => failingAuditWrites(harness.sql, run);

describe("document actions are audited", () => {
  it("each action writes exactly one event with its decision, digest and summary, and no secret", async () => {
    const name = "Q3 plan (draft) — «final».md";
    let id = "";
    const [uploaded] = await newEvents(alice.sub, async () => (id = await uploadNote(name)));
    const content = sha256Hex(new TextEncoder().encode(SECRET_NOTE));
    const uploadInput = { documentId: id, name, type: "text/markdown", sizeBytes: new TextEncoder().encode(SECRET_NOTE).byteLength, contentSha256: content };
    expect(uploaded).toEqual({
      action: "document.upload",
      evidence: uploadInput,
      inputDigest: sha256Hex(canonicalJson(uploadInput)),
      summary: `Uploaded ${JSON.stringify(name)}`,
      outcome: "done",
      agentId: "delegate-app",
    });

    const steps: [string, () => Promise<Response>, number, Record<string, unknown>][] = [
      ["document.download", () => documentRoute.GET(new Request("http://localhost:3000"), context(id)), 200, { relation: "can_view" }],
      ["document.share", () => shares.POST(shareRequest("POST", "bob@example.com"), context(id)), 200, { relation: "can_share" }],
      ["document.unshare", () => shares.DELETE(shareRequest("DELETE", "bob@example.com"), context(id)), 204, { relation: "can_share" }],
      ["document.publish", () => shares.POST(shareRequest("POST", "everyone"), context(id)), 200, { relation: "can_share" }],
      ["document.delete", () => documentRoute.DELETE(new Request("http://localhost:3000"), context(id)), 204, { relation: "can_delete" }],
    ];
    for (const [action, run, status, fga] of steps) {
      const events = await newEvents(alice.sub, async () => expect((await run()).status).toBe(status));
      expect(events, action).toHaveLength(1);
      // The object as FGA names it (lib/fga/model.fga's type `doc`), so the evidence can be checked against FGA.
      expect(events[0]).toMatchObject({ action, outcome: "done", evidence: { documentId: id, fga: { ...fga, object: `doc:${id}`, allowed: true } } });
    }
    const [shared] = (await eventsOf(alice.sub)).filter((event) => event.action === "document.share");
    expect(shared!.evidence).toMatchObject({ target: { type: "email", email: "bob@example.com" } });
    expect(shared!.inputDigest).toBe(sha256Hex(canonicalJson({ documentId: id, with: "bob@example.com" })));

    const stored = JSON.stringify(await harness.sql`select * from audit_events`);
    for (const secret of [SECRET_NOTE, "QX-4711", process.env.AUTH0_CLIENT_SECRET!, process.env.AUTH0_SECRET!]) expect(stored).not.toContain(secret);
    expect(await verifyAllChains(harness.sql)).toMatchObject({ breaks: [] });
  });

  it("an action that fails after its event was written is followed by an error event naming it", async () => {
    const events = await newEvents(alice.sub, async () => expect((await upload(uploadRequest("blank.txt", "   "))).status).toBe(400));
    const rows = await harness.sql`select id, action, outcome, evidence, duration_ms from audit_events where user_id = ${alice.sub} order by sequence desc limit 2`;
    expect(events.map((event) => [event.action, event.outcome])).toEqual([["document.upload", "done"], ["document.upload", "error"]]);
    expect(rows[0]!.evidence).toMatchObject({ failureOf: rows[1]!.id, status: 400, name: "blank.txt" });
    expect(rows[0]!.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it("an action whose event cannot be written does not run, and the user is told", async () => {
    const id = await uploadNote("kept.txt");
    const bob = person("bob", "Bob Chen");
    const [documents] = await harness.sql<{ count: number }[]>`select count(*)::int as count from documents`;
    const before = await harness.sql`select count(*)::int as count from audit_events`;
    await withFailingAuditWrites(async () => {
      const answers = [
        await upload(uploadRequest("never-stored.txt", "nothing")),
        await documentRoute.GET(new Request("http://localhost:3000"), context(id)),
        await shares.POST(shareRequest("POST", "everyone"), context(id)),
        await documentRoute.DELETE(new Request("http://localhost:3000"), context(id)),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(await answer.json()).toEqual({ error: { code: "unavailable", message: "The activity record is not available, so nothing was done. Try again in a moment." } });
      }
    });
    expect(await harness.sql`select count(*)::int as count from audit_events`).toEqual(before);
    expect(await harness.sql`select count(*)::int as count from documents`).toEqual([{ count: documents!.count }]);
    expect(await harness.sql`select id from documents where id = ${id}`).toHaveLength(1);
    expect(await can(bob.sub, "can_view", id)).toBe(false);
    expect(await verifyAllChains(harness.sql)).toMatchObject({ breaks: [] });
  });
});

describe("document actions FGA refuses are audited", () => {
  const NAME = "Gehaltsliste (vertraulich) — Zoë O'Brien.md";
  const mallory = person("mallory", "Mallory «M» Ng");

  async function alicesDocument() {
    session.current = alice;
    return uploadNote(NAME);
  }

  const attempts = (id: string): [string, string, () => Promise<Response>][] => [
    ["document.download", "can_view", () => documentRoute.GET(new Request("http://localhost:3000"), context(id))],
    ["document.share", "can_share", () => shares.POST(shareRequest("POST", "mallory@example.com"), context(id))],
    ["document.unshare", "can_share", () => shares.DELETE(shareRequest("DELETE", "bob@example.com"), context(id))],
    ["document.delete", "can_delete", () => documentRoute.DELETE(new Request("http://localhost:3000"), context(id))],
  ];

  it("records each refusal as a denied event with FGA's relation, object and answer, without the document's name", async () => {
    const id = await alicesDocument();
    session.current = mallory;
    for (const [action, relation, attempt] of attempts(id)) {
      const events = await newEvents(mallory.sub, async () => expect((await attempt()).status).toBe(403));
      expect(events, action).toEqual([
        expect.objectContaining({ action, outcome: "denied", evidence: { documentId: id, fga: { relation, object: `doc:${id}`, allowed: false } }, inputDigest: sha256Hex(canonicalJson({ documentId: id })) }),
      ]);
      expect(events[0]!.summary).not.toContain("Gehaltsliste");
    }
    expect(await can(mallory.sub, "can_view", id)).toBe(false);
    expect(await verifyAllChains(harness.sql)).toMatchObject({ breaks: [] });
  });

  it("still refuses when the refusal cannot be recorded", async () => {
    const id = await alicesDocument();
    session.current = mallory;
    const before = await eventsOf(mallory.sub);
    await withFailingAuditWrites(async () => {
      for (const [action, , attempt] of attempts(id)) expect((await attempt()).status, action).toBe(403);
    });
    expect(await eventsOf(mallory.sub)).toEqual(before);
    session.current = alice;
    expect((await documentRoute.GET(new Request("http://localhost:3000"), context(id))).status).toBe(200);
  });
});

describe("document actions name the document as the user saw it", () => {
  // Long (the 255-character limit), non-ASCII, quotes and commas, and a spreadsheet formula at the start.
  const HOSTILE = `=cmd|' /C calc'!A0, "Ünïcødé" 東京 ${"x".repeat(250)}`.slice(0, 251) + ".txt";

  it("shows the name in share, unshare, publish and delete summaries, keeps the id in evidence, and the CSV export stays inert", async () => {
    expect(HOSTILE).toHaveLength(255);
    const bob = person("names-bob", "Bob");
    session.current = bob;
    const id = await uploadNote(HOSTILE);
    const events = await newEvents(bob.sub, async () => {
      expect((await shares.POST(shareRequest("POST", "carol@example.com"), context(id))).status).toBe(200);
      expect((await shares.DELETE(shareRequest("DELETE", "carol@example.com"), context(id))).status).toBe(204);
      expect((await shares.POST(shareRequest("POST", "everyone"), context(id))).status).toBe(200);
      expect((await documentRoute.DELETE(new Request("http://localhost:3000"), context(id))).status).toBe(204);
    });
    const quoted = JSON.stringify(HOSTILE);
    expect(events.map((event) => [event.action, event.summary])).toEqual([
      ["document.share", `Shared ${quoted} with carol@example.com`],
      ["document.unshare", `Stopped sharing ${quoted} with carol@example.com`],
      ["document.publish", `Shared ${quoted} with everyone signed in`],
      ["document.delete", `Deleted ${quoted}`],
    ]);
    for (const event of events) {
      expect(event.summary).not.toContain(id);
      expect(event.evidence).toMatchObject({ documentId: id });
    }

    const csv = await new Response(exportAuditEvents(bob.sub, {}, "csv")).text();
    const [header, ...rows] = parseCsv(csv.replace(/^\uFEFF/, ""));
    const summaries = rows.map((row) => row[header!.indexOf("summary")]);
    expect(summaries).toEqual(expect.arrayContaining(events.map((event) => event.summary)));
    // No field a spreadsheet reads starts a formula, whatever the name held.
    for (const field of rows.flat()) expect(field).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe("sign-in and sign-out are audited", () => {
  it("records one event each through the app's real routes", async () => {
    const signedIn = await signInWithSandbox(proxyApp, { email: "carol@example.com" });
    const data = await harness.sandbox.auth0.getSession(new NextRequest("http://localhost:3000", { headers: { cookie: signedIn.appCookie } }));
    const sub = data!.user.sub;
    expect(await eventsOf(sub)).toEqual([expect.objectContaining({ action: "auth.sign_in", outcome: "done", summary: "Signed in" })]);
    const events = await newEvents(sub, () => proxyApp(new URL("http://localhost:3000/auth/logout"), signedIn.appCookie));
    expect(events).toEqual([expect.objectContaining({ action: "auth.sign_out", outcome: "done", summary: "Signed out" })]);
    expect(JSON.stringify(await harness.sql`select * from audit_events where user_id = ${sub}`)).not.toContain(data!.tokenSet.refreshToken!);
  });

  it("still signs out when the sign-out cannot be recorded: a session is never kept alive for the record's sake", async () => {
    const signedIn = await signInWithSandbox(proxyApp, { email: "bob@example.com" });
    await withFailingAuditWrites(async () => {
      const response = await proxyApp(new URL("http://localhost:3000/auth/logout"), signedIn.appCookie);
      expect(response.status).toBeGreaterThanOrEqual(300);
      expect(response.status).toBeLessThan(400);
      expect(response.headers.getSetCookie().some((cookie) => /^__session=;/.test(cookie))).toBe(true);
    });
  });

  it("refuses the sign-in when it cannot be recorded, and sets no session", async () => {
    await withFailingAuditWrites(async () => {
      await expect(signInWithSandbox(proxyApp, { email: "dave@example.com" })).rejects.toThrow(/HTTP 503: Signing in is not possible right now/);
    });
  });
});

describe("connecting and disconnecting an account are audited", () => {
  const CALENDAR = "https://www.googleapis.com/auth/calendar.events.readonly";
  const connectGoogle = async (signedIn: Awaited<ReturnType<typeof signInWithSandbox>>) =>
    (await connectAccount(proxyApp, signedIn, { connection: "google-oauth2", scopes: [CALENDAR], decision: "allow", returnTo: "/connections" })).callback;

  /** Signs in through the app's routes and takes that session for the routes called directly. */
  async function signIn(email: string) {
    const signedIn = await signInWithSandbox(proxyApp, { email });
    const data = await harness.sandbox.auth0.getSession(new NextRequest("http://localhost:3000", { headers: { cookie: signedIn.appCookie } }));
    const { sub, name = email } = data!.user;
    const refreshToken = data!.tokenSet.refreshToken!;
    session.current = { sub, name, email, picture: null, emailVerified: true, refreshToken };
    return { signedIn, sub, refreshToken };
  }
  const disconnect = (accountId: string) => connectionRoute.DELETE(new Request("http://localhost:3000"), context(accountId));
  const googleAccounts = async (refreshToken: string) => (await listConnectedAccounts(refreshToken)).filter((account) => account.connection === "google-oauth2");

  it("records the connect with its connection and scopes, and the disconnect with its outcome, never a token", async () => {
    const { signedIn, sub, refreshToken } = await signIn("alice@example.com");
    const connected = await newEvents(sub, async () => expect((await connectGoogle(signedIn)).headers.get("location")).toBe("http://localhost:3000/connections"));
    const [account] = await googleAccounts(refreshToken);
    const evidence = { connection: "google-oauth2", scopes: [CALENDAR], accountId: account!.id };
    expect(connected).toEqual([expect.objectContaining({ action: "account.connect", outcome: "done", summary: "Connected Google (See the events on your calendars)", evidence })]);

    const disconnected = await newEvents(sub, async () => expect((await disconnect(account!.id)).status).toBe(204));
    expect(disconnected).toEqual([expect.objectContaining({ action: "account.disconnect", outcome: "done", summary: "Disconnected Google (See the events on your calendars)", evidence })]);
    const trail = JSON.stringify(await harness.sql`select * from audit_events where user_id = ${sub}`);
    expect(trail).not.toContain(refreshToken);
    expect(trail).not.toMatch(/access_token|eyJ[\w-]+\./);
    expect(await verifyAllChains(harness.sql)).toMatchObject({ breaks: [] });
  });

  it("undoes a connect that cannot be recorded and says so, but still disconnects when that cannot be recorded", async () => {
    const { signedIn, sub, refreshToken } = await signIn("carol@example.com");
    await withFailingAuditWrites(async () => {
      const location = new URL((await connectGoogle(signedIn)).headers.get("location")!);
      expect(location.pathname).toBe("/connections");
      expect(location.searchParams.get("connect_error")).toBe("audit_unavailable");
    });
    expect(await googleAccounts(refreshToken)).toEqual([]);

    await connectGoogle(signedIn);
    const [account] = await googleAccounts(refreshToken);
    const recorded = (await eventsOf(sub)).length;
    // Refusing would keep the agent's authority over the account alive for the record's sake.
    await withFailingAuditWrites(async () => expect((await disconnect(account!.id)).status).toBe(204));
    expect(await googleAccounts(refreshToken)).toEqual([]);
    expect(await eventsOf(sub)).toHaveLength(recorded);
  });
});
