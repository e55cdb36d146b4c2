import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { share } from "@/lib/fga/documents";
import { ingestDocument } from "@/lib/rag/ingest";
import { approveBackchannelRequest } from "@/sandbox/identity/test-authenticator";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { startModelProxy, startRecordingProxy } from "./recording-proxy";
import { streamChunks, streamedText } from "./test-client";

// What the model is told, recorded on the wire: every request the app sends to the model passes a recording proxy,
// and so do the app's calls to Google, GitHub, Slack and the shop, which is where the real provider and CIBA access
// tokens of the run are collected. No token of any kind, and nothing of a document the user may not read, may ever
// be in a model request.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const GOOGLE_SCOPES = [
  "https://www.googleapis.com/auth/calendar.events.readonly",
  "https://www.googleapis.com/auth/calendar.freebusy",
  "https://www.googleapis.com/auth/gmail.readonly",
  "https://www.googleapis.com/auth/gmail.compose",
];
/** Compact JWS (and the first parts of a JWE): base64url of a JSON header, a dot, more base64url. */
const JWT = /eyJ[\w-]{8,}\.[\w-]{8,}/;
const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

const harness = setUpChatRouteHarness();
let model: Awaited<ReturnType<typeof startModelProxy>>;
/** In front of Google, GitHub, Slack and the shop: every bearer token the app presented there. */
let services: Awaited<ReturnType<typeof startRecordingProxy>>[];

beforeAll(async () => {
  model = await startModelProxy(process.env.OPENAI_BASE_URL!);
  process.env.OPENAI_BASE_URL = model.url;
  const proxied = ["GOOGLE_API_URL", "GITHUB_API_URL", "SLACK_API_URL", "SHOP_API_URL"] as const;
  services = await Promise.all(proxied.map((name) => startRecordingProxy(process.env[name]!)));
  proxied.forEach((name, index) => (process.env[name] = services[index]!.url));
});

afterAll(async () => {
  await Promise.all([model, ...(services ?? [])].map((proxy) => proxy?.close()));
});

async function say(user: SignedInUser, text: string, chatId: string = crypto.randomUUID()) {
  session.current = user;
  const reply = await harness.client.post({ id: chatId, timeZone: TIME_ZONE, message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] } });
  expect(reply.status, reply.text).toBe(200);
  return { chatId, ...reply, chunks: streamChunks(reply.text) };
}

function toolOutput(chunks: Record<string, unknown>[]) {
  return chunks.find((chunk) => chunk.type === "tool-output-available") as { toolCallId: string; output: Record<string, unknown> } | undefined;
}

/** The bearer tokens the app presented to the providers and the shop since request number `from` of each. */
function presentedTokens(from: number[]): string[] {
  return services.flatMap((proxy, index) =>
    proxy.recorded.slice(from[index]).flatMap((request) => (request.authorization ? [request.authorization.replace(/^Bearer /i, "")] : [])),
  );
}

/** Marks where a flow starts, then checks everything the model was sent since. */
function recordFrom() {
  const modelFrom = model.recorded.length;
  const servicesFrom = services.map((proxy) => proxy.recorded.length);
  return {
    /** Every request body (chat completions and embeddings) the model got since the mark. */
    sentToModel: () => model.recorded.slice(modelFrom).map((request) => request.body),
    tokensPresented: () => presentedTokens(servicesFrom),
  };
}

/**
 * Pieces of 20 characters every 10: any 29 consecutive characters of a secret contain one, so a token that is cut,
 * split at its dots or quoted in part is caught as well as a whole one.
 */
function pieces(secret: string): string[] {
  const found = [];
  for (let start = 0; start + 20 <= secret.length; start += 10) found.push(secret.slice(start, start + 20));
  return found;
}

function expectNothingSecret(bodies: string[], secrets: string[]) {
  expect(bodies.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(29);
  const searched = secrets.flatMap(pieces);
  for (const body of bodies) {
    expect(body).not.toMatch(JWT);
    const leaked = searched.find((piece) => body.includes(piece));
    expect(leaked, `part of a secret reached the model: ${leaked}`).toBeUndefined();
  }
}

describe("requests to the model carry no token", () => {
  it("through Token Vault: Google Calendar, Gmail, free/busy, GitHub and Slack, including an interrupted call resumed", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    const run = recordFrom();

    const interrupted = await say(alice, "What's on my calendar today?");
    const pending = toolOutput(interrupted.chunks);
    expect(pending?.output).toMatchObject({ interrupt: { code: "TOKEN_VAULT_ERROR" } });
    await harness.sandbox.connect(alice, "google-oauth2", GOOGLE_SCOPES);
    const resumed = await harness.client.resume(interrupted.chatId, pending!.toolCallId);
    expect(streamedText(resumed.text)).toContain("Team standup");

    const mail = await say(alice, "Search my email for invoice");
    expect(toolOutput(mail.chunks)?.output).toMatchObject({ query: "invoice" });
    await say(alice, "Am I free today at 12:30?");
    await harness.sandbox.connect(alice, "github", ["read:user", "repo"]);
    await say(alice, "List my GitHub repositories");
    await say(alice, "Show my recent GitHub activity");
    await harness.sandbox.connect(alice, "sign-in-with-slack", ["channels:read"]);
    await say(alice, "List my Slack channels");

    const tokens = run.tokensPresented();
    // The tokens are JWTs, so the pattern alone would catch them too.
    for (const token of tokens) expect(token).toMatch(JWT);
    // Google (events, search and one read per message, free/busy), GitHub (user, repos, user, events), Slack.
    expect(new Set(tokens).size).toBeGreaterThanOrEqual(3);
    const sent = run.sentToModel();
    // The recorder sees what the tools returned: the results did reach the model, only without the tokens.
    for (const result of ["Invoice #1042 from Acme Supplies", "trip-planner", "équipe-paris"]) expect(sent.join("\n")).toContain(result);
    expectNothingSecret(sent, [alice.refreshToken, alice.session.appCookie, ...tokens]);
  });

  it("for a Gmail draft approved in the chat", async () => {
    const bob = await harness.sandbox.signIn("bob@example.com");
    await harness.sandbox.connect(bob, "google-oauth2", GOOGLE_SCOPES);
    const run = recordFrom();
    const asked = await say(bob, 'Create a Gmail draft to carol@example.com with subject "Q3 – Zahlen (final)" saying "See https://example.com/q3?v=2"');
    const approval = asked.chunks.find((chunk) => chunk.type === "tool-approval-request");
    expect(approval, asked.text).toBeDefined();
    const approved = await harness.client.answer(asked.chatId, String(approval!.approvalId), true);
    expect(JSON.stringify(toolOutput(streamChunks(approved.text))?.output)).toContain("draftId");

    const tokens = run.tokensPresented();
    expect(tokens).toHaveLength(1);
    expectNothingSecret(run.sentToModel(), [bob.refreshToken, bob.session.appCookie, ...tokens]);
  });

  it("for a purchase approved on the user's device (CIBA), from the request to the order", async () => {
    const carol = await harness.sandbox.signIn("carol@example.com");
    const run = recordFrom();
    const asked = await say(carol, "Buy 2 Acme Widgets");
    const pending = toolOutput(asked.chunks) as { toolCallId: string; output: { interrupt: { code: string; bindingMessage: string } } } | undefined;
    expect(pending?.output.interrupt.code, asked.text).toBe("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");
    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: carol.email, bindingMessage: pending!.output.interrupt.bindingMessage, decision: "approve" });
    let done = "";
    for (let attempt = 0; attempt < 20 && !done.includes("ORD-"); attempt++) {
      // The sandbox CIBA interval is 1 s: an earlier poll is answered slow_down, not approved.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      done = streamedText((await harness.client.resume(asked.chatId, pending!.toolCallId)).text);
    }
    expect(done).toMatch(/ORD-/);

    const [authorization] = await harness.sql<{ auth_req_id: string }[]>`select auth_req_id from async_authorizations where chat_id = ${asked.chatId}`;
    const tokens = run.tokensPresented();
    // The CIBA access token, presented to the shop when the order was placed.
    expect(tokens).toHaveLength(1);
    expectNothingSecret(run.sentToModel(), [carol.refreshToken, carol.session.appCookie, authorization!.auth_req_id, ...tokens]);
  });
});

describe("requests to the model carry no document the user may not read", () => {
  it("a question that another user's private document answers best sends none of it, while the asker's own is sent", async () => {
    const [alice, bob, carol] = [
      await harness.sandbox.signIn("alice@example.com"),
      await harness.sandbox.signIn("bob@example.com"),
      await harness.sandbox.signIn("carol@example.com"),
    ];
    const secret = `PRIVATE-${crypto.randomUUID()}`;
    const own = `OWN-${crypto.randomUUID()}`;
    const person = (user: SignedInUser) => ({ sub: user.sub, name: user.name, email: user.email });
    const bytes = (text: string) => new TextEncoder().encode(text);
    const bobs = await ingestDocument({
      owner: person(bob),
      name: "Parking permits (Bob) – privé.txt",
      type: "text/plain",
      bytes: bytes(`Parking permits policy: permits cost 42.50 EUR a month and are renewed every January. Reference ${secret}.`),
    });
    await ingestDocument({
      owner: person(alice),
      name: "My parking notes.txt",
      type: "text/plain",
      bytes: bytes(`Parking permits: I applied for a permit for the garage on Müllerstraße in March. Reference ${own}.`),
    });
    // Bob lets Carol read his, so the same question provably finds it for someone who may.
    await share(bobs.id, { type: "user", sub: carol.sub });

    const asAlice = recordFrom();
    const answer = await say(alice, "What does the parking permits policy say?");
    expect(answer.chunks.some((chunk) => chunk.type === "tool-input-available" && chunk.toolName === "search_documents")).toBe(true);
    const sentForAlice = asAlice.sentToModel();
    expect(sentForAlice.join("\n")).toContain(own);
    for (const body of sentForAlice) {
      expect(body).not.toContain(secret);
      expect(body).not.toContain("42.50 EUR");
    }

    const asCarol = recordFrom();
    await say(carol, "What does the parking permits policy say?");
    expect(asCarol.sentToModel().join("\n")).toContain(secret);
  });
});
