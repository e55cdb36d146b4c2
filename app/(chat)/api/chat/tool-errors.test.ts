import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { listen } from "@/sandbox/http";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { startRecordingProxy } from "./recording-proxy";
import { streamChunks, streamedText } from "./test-client";

// A provider that answers garbage makes the tool throw. The model and the browser get a fixed text; the
// exception's own text stays out of the stream, the model's request and the log.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const CALENDAR = "https://www.googleapis.com/auth/calendar.events.readonly";
const GENERIC = "The action failed unexpectedly. Nothing more was done.";

const servers: Server[] = [];
let model: Awaited<ReturnType<typeof startRecordingProxy>>;
const logged: string[] = [];

/** Serves `handler` on a random local port; closed after the file. */
async function serve(handler: Parameters<typeof createServer>[1]) {
  const server = createServer(handler);
  servers.push(server);
  return `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
}

// Before the sandbox starts, so everything logged from then on is searched for the exception's text.
beforeAll(() => {
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
});

const harness = setUpChatRouteHarness();

beforeAll(async () => {
  // Google's calendar answers well-formed JSON of the wrong shape: an event that is null.
  process.env.GOOGLE_API_URL = await serve((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ items: [null] }));
  });
  // The model is reached through a recorder, so the test sees exactly what the model was told.
  model = await startRecordingProxy(process.env.OPENAI_BASE_URL!);
  process.env.OPENAI_BASE_URL = model.url;
  const alice = await harness.sandbox.signIn("alice@example.com");
  await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR]);
  session.current = alice;
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await model?.close();
});

it("a tool that throws gives the model and the browser a generic text, never the exception's", async () => {
  const reply = await harness.client.say(crypto.randomUUID(), "What's on my calendar today?");
  expect(reply.status).toBe(200);

  const chunks = streamChunks(reply.text);
  expect(chunks.some((c) => c.type === "tool-output-error")).toBe(false);
  expect(chunks.find((c) => c.type === "tool-output-available")).toMatchObject({ output: { error: GENERIC } });
  expect(streamedText(reply.text)).toContain(GENERIC);

  // What the model got for the call: the generic text inside the untrusted-data envelope.
  const modelRequests = model.recorded.map((request) => request.body);
  const toolMessages = modelRequests
    .flatMap((body) => (JSON.parse(body) as { messages?: { role: string; content: unknown }[] }).messages ?? [])
    .filter((message) => message.role === "tool");
  expect(toolMessages).toHaveLength(1);
  expect(JSON.parse(String(toolMessages[0]!.content))).toMatchObject({ untrusted_data: { error: GENERIC } });

  const raw = /Cannot read properties|reading 'status'|TypeError: /;
  expect(reply.text).not.toMatch(raw);
  expect(modelRequests.join("\n")).not.toMatch(raw);
  expect(logged.join("\n")).toMatch(/\[tool:get_calendar_events\] execution failed ref=\w+ name=TypeError/);
  expect(logged.join("\n")).not.toMatch(/Cannot read properties/);
});
