import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { session } from "@/app/(chat)/api/chat/harness-session";
import { approveBackchannelRequest } from "@/sandbox/identity/test-authenticator";
import { completeAuthorization } from "@/sandbox/identity/test-oauth";
import { setUpSandboxHarness } from "@/tests/harness-setup";
import { MemoryOAuthClient } from "@/tests/memory-oauth-client";
import { gmailDraftCount, requestsOnDevice, shopOrders } from "@/tests/sandbox-readers";

// The approval page's answer is given by a signed-in browser: only that cookie session is replaced.
vi.mock("@/lib/auth/session", () => import("@/app/(chat)/api/chat/harness-session"));

// Delegate's MCP server as an MCP client meets it: the MCP SDK's own client and OAuth flow (protected resource
// metadata, Dynamic Client Registration, PKCE with `resource`, consent) against the sandbox identity server, and
// the app's routes for /mcp and its metadata. Only the HTTP hop to the app is replaced: requests to APP_BASE_URL go
// straight to the route handlers.
const harness = setUpSandboxHarness();
const APP = "http://localhost:3000";
const MCP_URL = new URL("/mcp", APP);

let routes: {
  mcp: typeof import("@/app/mcp/route");
  metadata: typeof import("@/app/.well-known/oauth-protected-resource/[[...path]]/route");
  chat: typeof import("@/app/(chat)/api/chat/route");
  approvals: typeof import("@/app/(chat)/api/approvals/route");
};
beforeAll(async () => {
  routes = {
    mcp: await import("@/app/mcp/route"),
    metadata: await import("@/app/.well-known/oauth-protected-resource/[[...path]]/route"),
    chat: await import("@/app/(chat)/api/chat/route"),
    approvals: await import("@/app/(chat)/api/approvals/route"),
  };
});

/** fetch as the client sees the world: the app's routes at APP_BASE_URL, the real sandbox everywhere else. */
const appFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  if (url.origin !== APP) return fetch(request);
  if (url.pathname === "/mcp") {
    const handler = { POST: routes.mcp.POST, GET: routes.mcp.GET, DELETE: routes.mcp.DELETE, OPTIONS: routes.mcp.OPTIONS }[request.method];
    return handler ? handler(request) : new Response(null, { status: 405 });
  }
  if (url.pathname.startsWith("/.well-known/oauth-protected-resource")) {
    const path = url.pathname.split("/").slice(3).filter(Boolean);
    return routes.metadata.GET(request, { params: Promise.resolve({ path }) });
  }
  return new Response("not found", { status: 404 });
};

const REDIRECT_URL = "http://127.0.0.1:33418/oauth/callback";

/**
 * Connects as the SDK does: 401, metadata, registration (or, with `clientMetadataUrl`, its metadata document's URL as
 * client_id), the user signs in and allows, the code is exchanged.
 */
async function connectAs(email: string, { urlElicitation = false, name = "Zoë's editor (MCP)", clientMetadataUrl = undefined as string | undefined } = {}) {
  const provider = new MemoryOAuthClient(name, REDIRECT_URL, clientMetadataUrl);
  const capabilities = urlElicitation ? { elicitation: { url: {} } } : {};
  const first = new Client({ name: "test-client", version: "1.0.0" }, { capabilities });
  await expect(first.connect(new StreamableHTTPClientTransport(MCP_URL, { authProvider: provider, fetch: appFetch }))).rejects.toBeInstanceOf(UnauthorizedError);
  expect(provider.authorizationUrl?.searchParams.get("resource")).toBe(MCP_URL.href);
  const { code, consentPage } = await completeAuthorization(provider.authorizationUrl!, { email, redirectUri: provider.redirectUrl });
  if (!code) throw new Error("the authorization returned no code");
  const transport = new StreamableHTTPClientTransport(MCP_URL, { authProvider: provider, fetch: appFetch });
  await transport.finishAuth(code);
  const client = new Client({ name: "test-client", version: "1.0.0" }, { capabilities });
  await client.connect(transport);
  return { client, provider, consentPage, accessToken: provider.tokens()!.access_token };
}

/** A chat-API token as the terminal client gets one: the device flow, confirmed by the user on /activate. */
async function terminalToken(email: string): Promise<string> {
  const tokenUrl = new URL("oauth/token", harness.sandbox.issuer);
  const client_id = harness.sandbox.cliClientId;
  const start = await fetch(new URL("oauth/device/code", harness.sandbox.issuer), { method: "POST", body: new URLSearchParams({ client_id, scope: "openid chat", audience: harness.sandbox.chatApiAudience }) });
  const { device_code, user_code } = (await start.json()) as { device_code: string; user_code: string };
  await harness.sandbox.approveDeviceCode(user_code, email);
  const grant = await fetch(tokenUrl, { method: "POST", body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code, client_id }) });
  const body = (await grant.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no chat-API token: ${JSON.stringify(body)}`);
  return body.access_token;
}

const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
const post = (path: string, init: RequestInit) => appFetch(new URL(path, APP), { method: "POST", ...init });
const initialize = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } } });
const mcpHeaders = { "content-type": "application/json", accept: "application/json, text/event-stream" };

describe("the MCP server's door", () => {
  it("answers a request without a token with 401 and where to read how to get one", async () => {
    const response = await post("/mcp", { headers: mcpHeaders, body: initialize });
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate")!;
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${APP}/.well-known/oauth-protected-resource/mcp"`);
    const metadata = await (await appFetch(`${APP}/.well-known/oauth-protected-resource/mcp`)).json();
    expect(metadata).toMatchObject({ resource: MCP_URL.href, authorization_servers: [harness.sandbox.issuer], scopes_supported: ["tools:read", "tools:write", "tools:spend"] });
    expect((await appFetch(`${APP}/.well-known/oauth-protected-resource/elsewhere`)).status).toBe(404);
  });

  it("never takes the browser's session cookie, and refuses a forged or malformed token", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    const withCookie = await post("/mcp", { headers: { ...mcpHeaders, cookie: alice.session.appCookie }, body: initialize });
    expect(withCookie.status).toBe(401);
    const forged = await post("/mcp", { headers: { ...mcpHeaders, authorization: "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdXRoMHxhbGljZSJ9.c2lnbmF0dXJl" }, body: initialize });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const malformed = await post("/mcp", { headers: { ...mcpHeaders, authorization: "Basic YWxpY2U6c2VjcmV0" }, body: initialize });
    expect(malformed.status).toBe(401);
  });

  it("keeps the two APIs apart: a chat-API token is refused at /mcp, and an MCP token at the chat API", async () => {
    const { accessToken: mcpToken } = await connectAs("alice@example.com");
    const chatToken = await terminalToken("alice@example.com");
    const atMcp = await post("/mcp", { headers: { ...mcpHeaders, authorization: `Bearer ${chatToken}` }, body: initialize });
    expect(atMcp.status).toBe(401);
    expect(atMcp.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const chatBody = JSON.stringify({ id: crypto.randomUUID(), message: { id: "m1", role: "user", parts: [{ type: "text", text: "Who am I?" }] } });
    const atChat = await routes.chat.POST(new Request(`${APP}/api/chat`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${mcpToken}` }, body: chatBody }));
    expect(atChat.status).toBe(401);
    // The chat API's own token holds a turn, kept as a terminal conversation of the same user.
    const chatId = JSON.parse(chatBody).id as string;
    const answered = await routes.chat.POST(new Request(`${APP}/api/chat`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${chatToken}` }, body: chatBody }));
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain("alice@example.com");
    const [chat] = await harness.sql<{ origin: string; user_id: string }[]>`select origin, user_id from chats where id = ${chatId}`;
    expect(chat).toEqual({ origin: "terminal", user_id: (await harness.sandbox.signIn("alice@example.com")).sub });
  });
});

describe("tools over MCP", () => {
  it("signs in through registration and consent, lists the tools, and tells the user who they are", async () => {
    const { client } = await connectAs("alice@example.com");
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["get_user_profile", "get_calendar_events", "search_documents", "buy_product"]));
    expect(tools.find((tool) => tool.name === "get_user_profile")?.title).toBe("See your name and email");
    const profile = (await client.callTool({ name: "get_user_profile", arguments: {} })) as CallToolResult;
    expect(profile.isError).toBeFalsy();
    expect(textOf(profile)).toContain("alice@example.com");
    // The call is in the user's audit trail, naming the MCP client.
    const [event] = await harness.sql<{ evidence: { via?: { channel: string } } }[]>`
      select evidence from audit_events where user_id = ${(await harness.sandbox.signIn("alice@example.com")).sub} and action = 'tool.call' order by occurred_at desc limit 1`;
    expect(event?.evidence.via?.channel).toBe("mcp");
  });

  it("signs in with a Client ID Metadata Document instead of registering, and tells the user who they are", async () => {
    const name = "Zoë's terminal (CIMD)";
    const provider = new MemoryOAuthClient(name, REDIRECT_URL);
    const clientMetadataUrl = harness.sandbox.clientMetadataHost.serve("/mcp/zoe-terminal.json", (url) => ({
      body: { ...provider.clientMetadata, client_id: url },
    }));
    const registrationsBefore = harness.sandbox.served.filter((line) => line.includes("POST /oidc/register")).length;
    const { client, consentPage, accessToken } = await connectAs("alice@example.com", { name, clientMetadataUrl });
    expect(harness.sandbox.served.filter((line) => line.includes("POST /oidc/register")).length).toBe(registrationsBefore);
    expect(decodeJwt(accessToken).client_id).toBe(clientMetadataUrl);
    expect(consentPage).toContain(`published by <strong>${new URL(clientMetadataUrl).host}</strong>`);
    const profile = (await client.callTool({ name: "get_user_profile", arguments: {} })) as CallToolResult;
    expect(profile.isError).toBeFalsy();
    expect(textOf(profile)).toContain("alice@example.com");
  });

  it("sends the user to connect their calendar, by URL elicitation or in the error, and works once connected", async () => {
    const bob = await harness.sandbox.signIn("bob@example.com");
    const { client } = await connectAs("bob@example.com", { urlElicitation: true });
    const elicited = await client.callTool({ name: "get_calendar_events", arguments: {} }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(elicited).toBeInstanceOf(McpError);
    expect((elicited as McpError).code).toBe(ErrorCode.UrlElicitationRequired);
    const [elicitation] = ((elicited as McpError).data as { elicitations: { mode: string; url: string; message: string }[] }).elicitations;
    expect(elicitation?.mode).toBe("url");
    expect(elicitation?.message).toContain("Google");
    const connectUrl = new URL(elicitation!.url);
    expect(connectUrl.origin + connectUrl.pathname).toBe(`${APP}/auth/login`);
    expect(connectUrl.searchParams.get("returnTo")).toMatch(/^\/auth\/connect\?connection=google-oauth2/);

    const plain = await connectAs("bob@example.com");
    const refused = (await plain.client.callTool({ name: "get_calendar_events", arguments: {} })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain(`${APP}/auth/login?`);

    await harness.sandbox.connect(bob, "google-oauth2", ["https://www.googleapis.com/auth/calendar.events.readonly"]);
    const events = (await client.callTool({ name: "get_calendar_events", arguments: {} })) as CallToolResult;
    expect(events.isError, textOf(events)).toBeFalsy();
    expect(textOf(events)).toContain("events");
  });

  it("buys only after approval on the user's phone, exactly once", async () => {
    const carol = await harness.sandbox.signIn("carol@example.com");
    const before = await shopOrders(harness.sandbox, carol);
    const { client } = await connectAs("carol@example.com");
    const call = client.callTool({ name: "buy_product", arguments: { product: "Acme Widget", quantity: 2 } }) as Promise<CallToolResult>;
    let request;
    for (let attempt = 0; attempt < 100 && !request; attempt++) {
      request = (await requestsOnDevice(harness.sandbox, carol)).find((entry) => entry.bindingMessage.startsWith("Buy 2 x Acme Widget"));
      if (!request) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(request, "the purchase never reached the phone").toBeDefined();
    expect(await shopOrders(harness.sandbox, carol)).toEqual(before);
    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: carol.email, bindingMessage: request!.bindingMessage, decision: "approve" });
    const result = await call;
    expect(result.isError, textOf(result)).toBeFalsy();
    const placed = await shopOrders(harness.sandbox, carol);
    expect(placed).toHaveLength(before.length + 1);
    expect(textOf(result)).toContain(placed.at(-1)!.number);
  });

  it("refuses a tool the user switched off in Agent permissions, and a tool its token has no scope for", async () => {
    const dave = await harness.sandbox.signIn("dave@example.com");
    const { chooseToolUse } = await import("@/lib/fga/tool-permissions");
    await chooseToolUse(dave.sub, "get_user_profile", "off");
    const { client } = await connectAs("dave@example.com");
    const refused = (await client.callTool({ name: "get_user_profile", arguments: {} })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("Agent permissions");
    expect(textOf(refused)).not.toContain("dave@example.com");

    const readOnly = await harness.sandbox.authorizeWithPkce({
      clientId: (await harness.sandbox.registerClient({ client_name: "Read-only viewer", redirect_uris: ["http://127.0.0.1:9/cb"], token_endpoint_auth_method: "none" })).client_id,
      redirectUri: "http://127.0.0.1:9/cb",
      resource: harness.sandbox.mcpAudience,
      scopes: ["tools:read"],
      email: "dave@example.com",
    });
    const call = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "buy_product", arguments: { product: "Acme Widget", quantity: 1 } } });
    const response = await post("/mcp", { headers: { ...mcpHeaders, authorization: `Bearer ${readOnly.tokens!.access_token}`, "mcp-protocol-version": "2025-06-18" }, body: call });
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(response.headers.get("www-authenticate")).toContain('scope="tools:spend"');
  });

  it("asks the user's yes for a draft on Delegate's own page, and runs exactly what was approved, once", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    await harness.sandbox.connect(alice, "google-oauth2", ["https://www.googleapis.com/auth/gmail.compose"]);
    const before = await gmailDraftCount(harness.sandbox, alice);
    const { client } = await connectAs("alice@example.com");
    const draft = { to: "juergen.oneill+budget@example.com", subject: "Budget (Q3) — 12.5% over?", body: "Hi Jürgen,\n\nsee https://example.com/budget?q=3&x=1 — numbers attached.\n\nZoë" };

    const approvalPage = (result: CallToolResult) => new URL(/http:\/\/localhost:3000\/auth\/login\?\S+/.exec(textOf(result))![0]).searchParams.get("returnTo")!;
    const asked = (await client.callTool({ name: "create_gmail_draft", arguments: draft })) as CallToolResult;
    expect(asked.isError).toBe(true);
    const page = approvalPage(asked);
    const [, chatId, encodedCallId] = /^\/approve\/([^/]+)\/([^/]+)$/.exec(page)!;
    const toolCallId = decodeURIComponent(encodedCallId!);
    expect(await gmailDraftCount(harness.sandbox, alice)).toBe(before);

    // Calling again before answering names the same page and does nothing.
    const again = (await client.callTool({ name: "create_gmail_draft", arguments: draft })) as CallToolResult;
    expect(approvalPage(again)).toBe(page);
    expect(await gmailDraftCount(harness.sandbox, alice)).toBe(before);

    const answer = (approved: boolean) =>
      routes.approvals.POST(new Request(`${APP}/api/approvals`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ chatId, toolCallId, approved }) }));
    // Nobody else can answer it: another signed-in user finds nothing waiting.
    session.current = await harness.sandbox.signIn("bob@example.com");
    expect((await answer(true)).status).toBe(409);
    session.current = alice;
    expect((await answer(true)).status).toBe(200);
    expect((await answer(true)).status).toBe(409);

    // Different arguments are a different call: not approved.
    const other = (await client.callTool({ name: "create_gmail_draft", arguments: { ...draft, body: "Something else" } })) as CallToolResult;
    expect(other.isError).toBe(true);
    expect(await gmailDraftCount(harness.sandbox, alice)).toBe(before);

    const done = (await client.callTool({ name: "create_gmail_draft", arguments: draft })) as CallToolResult;
    expect(done.isError, textOf(done)).toBeFalsy();
    expect(await gmailDraftCount(harness.sandbox, alice)).toBe(before + 1);
    // Once used, the same call asks again rather than drafting twice.
    const reuse = (await client.callTool({ name: "create_gmail_draft", arguments: draft })) as CallToolResult;
    expect(reuse.isError).toBe(true);
    expect(await gmailDraftCount(harness.sandbox, alice)).toBe(before + 1);
  });

  it("never lets two requests carry out the same waiting purchase at once: one waits, the other is told to check again", async () => {
    const bob = await harness.sandbox.signIn("bob@example.com");
    const before = await shopOrders(harness.sandbox, bob);
    const { client } = await connectAs("bob@example.com", { name: "Two tabs (MCP)" });
    const buy = () => client.callTool({ name: "buy_product", arguments: { product: "Acme Widget", quantity: 3 } }) as Promise<CallToolResult>;
    const first = buy();
    let request;
    for (let attempt = 0; attempt < 100 && !request; attempt++) {
      request = (await requestsOnDevice(harness.sandbox, bob)).find((entry) => entry.bindingMessage.startsWith("Buy 3 x Acme Widget"));
      if (!request) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const second = await buy();
    expect(second.isError).toBe(true);
    expect(textOf(second)).toContain("still being carried out");
    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: bob.email, bindingMessage: request!.bindingMessage, decision: "approve" });
    expect((await first).isError, textOf(await first)).toBeFalsy();
    expect(await shopOrders(harness.sandbox, bob)).toHaveLength(before.length + 1);
    // No second request for the same purchase reached the phone.
    expect((await requestsOnDevice(harness.sandbox, bob)).filter((entry) => entry.bindingMessage.startsWith("Buy 3 x Acme Widget"))).toEqual([]);
  });

  it("keeps an MCP client's conversation its user's: an id someone else holds is never used", async () => {
    const { mcpChatFor } = await import("@/lib/mcp/chat");
    const alice = await harness.sandbox.signIn("alice@example.com");
    const bob = await harness.sandbox.signIn("bob@example.com");
    const id = await mcpChatFor(alice.sub, "squatted-client");
    expect(await mcpChatFor(alice.sub, "squatted-client")).toBe(id);
    expect(await mcpChatFor(bob.sub, "squatted-client")).not.toBe(id);
    // No chat turn runs in it: the chat route answers as for a chat that does not exist.
    session.current = alice;
    const turn = await routes.chat.POST(new Request(`${APP}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id, message: { id: "m1", role: "user", parts: [{ type: "text", text: "Hello?" }] } }) }));
    expect(turn.status).toBe(404);
    await harness.sql`update chats set user_id = ${bob.sub} where id = ${id}`;
    await expect(mcpChatFor(alice.sub, "squatted-client")).rejects.toThrow(/not this user's MCP conversation/);
  });

  it("refuses a body over a megabyte as it streams, chunked and without a length", async () => {
    const { accessToken } = await connectAs("carol@example.com");
    const chunk = new TextEncoder().encode(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"${"x".repeat(64 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength;
        if (sent > 64 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const response = await routes.mcp.POST(new Request(MCP_URL, { method: "POST", headers: { ...mcpHeaders, authorization: `Bearer ${accessToken}` }, body, duplex: "half" } as RequestInit));
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(4 * 1024 * 1024);
  });

  it("lets a yes lapse with its request: approved in time but used after the deadline, the call asks again", async () => {
    const carol = await harness.sandbox.signIn("carol@example.com");
    await harness.sandbox.connect(carol, "google-oauth2", ["https://www.googleapis.com/auth/gmail.compose"]);
    const before = await gmailDraftCount(harness.sandbox, carol);
    const { client } = await connectAs("carol@example.com", { name: "Slow editor (MCP)" });
    const draft = { to: "dana@example.com", subject: "Late", body: "Approved on Monday, used on Friday." };
    const asked = (await client.callTool({ name: "create_gmail_draft", arguments: draft })) as CallToolResult;
    const page = new URL(/http:\/\/localhost:3000\/auth\/login\?\S+/.exec(textOf(asked))![0]).searchParams.get("returnTo")!;
    const [, chatId, encodedCallId] = /^\/approve\/([^/]+)\/([^/]+)$/.exec(page)!;
    const toolCallId = decodeURIComponent(encodedCallId!);
    session.current = carol;
    const answered = await routes.approvals.POST(new Request(`${APP}/api/approvals`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ chatId, toolCallId, approved: true }) }));
    expect(answered.status).toBe(200);
    await harness.sql`update tool_interrupts set expires_at = now() - interval '1 minute' where chat_id = ${chatId!} and tool_call_id = ${toolCallId}`;
    const late = (await client.callTool({ name: "create_gmail_draft", arguments: draft })) as CallToolResult;
    expect(late.isError).toBe(true);
    expect(textOf(late)).toContain("needs your yes");
    expect(await gmailDraftCount(harness.sandbox, carol)).toBe(before);
  });
});
