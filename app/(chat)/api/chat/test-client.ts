/** Calls the chat route handler the way the browser does (same origin, JSON), for integration tests. */
export function chatClient(POST: (request: Request) => Promise<Response>, bodies: string[] = []) {
  const post = async (body: object) => {
    const response = await POST(
      new Request("http://localhost:3000/api/chat", { method: "POST", headers: { "content-type": "application/json", origin: "http://localhost:3000" }, body: JSON.stringify(body) }),
    );
    const text = await response.text();
    bodies.push(text);
    return { status: response.status, headers: response.headers, text };
  };
  return {
    post,
    say: (chatId: string, text: string) =>
      post({ id: chatId, message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] } }),
    resume: (chatId: string, toolCallId: string, cancel?: boolean) => post({ id: chatId, resume: { toolCallId, cancel } }),
    answer: (chatId: string, approvalId: string, approved: boolean) => post({ id: chatId, approvals: [{ approvalId, approved }] }),
    retry: (chatId: string, messageId: string) => post({ id: chatId, retry: { messageId } }),
    edit: (chatId: string, messageId: string, text: string) =>
      post({ id: chatId, edit: { message: { id: messageId, role: "user", parts: [{ type: "text", text }] } } }),
  };
}

/** The chunks of a UI message stream (SSE lines of JSON). */
export function streamChunks(sse: string): Record<string, unknown>[] {
  return sse
    .split("\n")
    .filter((line) => line.startsWith("data: {"))
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

/** The assistant text a UI message stream carried. */
export function streamedText(sse: string): string {
  return streamChunks(sse)
    .filter((chunk) => chunk.type === "text-delta")
    .map((chunk) => chunk.delta)
    .join("");
}

/** Resolves once `time` has passed: for deadlines the protocol sets (an approval's expiry, its polling interval). */
export async function untilPast(time: Date | string): Promise<void> {
  const wait = new Date(time).getTime() - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 10));
}

/**
 * Points the app's configuration at a model and a database, for route tests whose session is mocked: the identity
 * service is never reached, but its variables are part of a valid configuration. Without `fga`, the permission
 * service is unreachable, so every tool is offered as unavailable (fail closed); tests that run tools pass one
 * (`startPermissionService` in sandbox/test-harness.ts).
 */
export function configureModelAndDatabase({
  databaseUrl,
  modelUrl,
  auth0Domain = "http://127.0.0.1:9",
  fga = { url: "http://127.0.0.1:9", storeId: "01JABCDEFGHJKMNPQRSTVWXYZ0" },
}: {
  databaseUrl: string;
  modelUrl: string;
  auth0Domain?: string;
  fga?: { url: string; storeId: string };
}) {
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    OPENAI_API_KEY: "sandbox",
    OPENAI_BASE_URL: modelUrl,
    OPENAI_MODEL: "delegate-sandbox",
    AUTH0_DOMAIN: auth0Domain,
    AUTH0_CLIENT_ID: "unused",
    AUTH0_CLIENT_SECRET: "unused",
    AUTH0_SECRET: "9d2f6b1e8c4a7035e1b9f2d6c8a40e57b3c9d1f0a6e2847b5c3d9e1f07a2b6c4",
    APP_BASE_URL: "http://localhost:3000",
    FGA_API_URL: fga.url,
    FGA_STORE_ID: fga.storeId,
  });
}
