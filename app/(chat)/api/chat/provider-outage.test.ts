import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { CALENDAR_EVENTS_SCOPE } from "@/lib/ai/tools/get-calendar-events";
import { clearFaults, injectFault } from "@/sandbox/faults";
import { startFaultProxy, type FaultProxy } from "@/sandbox/fault-proxy";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { streamChunks, streamedText } from "./test-client";

// Google failing and Google not answering, seen through a whole chat turn: the tool reports it, the reply says
// it, both are stored, and asking again once Google is back works. The app reaches the Google stand-in through a
// TCP proxy that can stall it.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const EVENTS = "/google/calendar/v3/calendars/primary/events";
const QUESTION = "What's on my calendar today?";

const harness = setUpChatRouteHarness();
let google: FaultProxy;
let providers: string;

beforeAll(async () => {
  providers = new URL(process.env.GOOGLE_API_URL!).origin;
  google = await startFaultProxy(providers);
  process.env.GOOGLE_API_URL = `${google.url}/google`;
  const alice = await harness.sandbox.signIn("alice@example.com");
  await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR_EVENTS_SCOPE]);
  session.current = alice;
});

afterEach(async () => {
  await google.restore();
  await clearFaults(providers);
});

afterAll(async () => {
  await google?.close();
});

async function storedRoles(chatId: string) {
  const { getMessages } = await import("@/db/queries/chats");
  return (await getMessages({ chatId })).map((m) => m.role);
}

function calendarOutput(sse: string) {
  return streamChunks(sse).find((c) => c.type === "tool-output-available")?.output as Record<string, unknown> | undefined;
}

async function expectCalendarWorks(chatId: string) {
  const retried = await harness.client.say(chatId, QUESTION);
  expect(calendarOutput(retried.text)).toMatchObject({ events: expect.arrayContaining([expect.objectContaining({ title: "Dentist appointment" })]) });
  expect(streamedText(retried.text)).toContain("Dentist appointment");
}

it("Google failing (503 on every retry): the reply says Google is not answering; asking again later works", async () => {
  // Google's error model for a 503 (https://cloud.google.com/apis/design/errors#handling_errors), on each of the
  // three attempts lib/integrations/http.ts makes for a GET.
  await injectFault(providers, {
    method: "GET",
    path: EVENTS,
    status: 503,
    body: { error: { code: 503, message: "The service is currently unavailable.", status: "UNAVAILABLE" } },
    times: 3,
  });
  const chatId = crypto.randomUUID();
  const failed = await harness.client.say(chatId, QUESTION);
  expect(failed.status).toBe(200);
  const explanation = "Google is not answering right now (HTTP 503). Try again later.";
  expect(calendarOutput(failed.text)).toEqual({ error: explanation });
  expect(streamedText(failed.text)).toContain(explanation);
  expect(await storedRoles(chatId)).toEqual(["user", "assistant"]);

  await expectCalendarWorks(chatId);
  expect(await storedRoles(chatId)).toEqual(["user", "assistant", "user", "assistant"]);
});

it("Google not answering at all: the call is given up on after its timeout and the reply says so; asking again works", async () => {
  await google.stall();
  const chatId = crypto.randomUUID();
  const started = performance.now();
  const failed = await harness.client.say(chatId, QUESTION);
  // lib/integrations/http.ts waits 10 s for an answer; a turn is not held for the platform's minute.
  expect(performance.now() - started).toBeLessThan(20_000);
  const explanation = "Google is not answering right now. Try again later.";
  expect(calendarOutput(failed.text)).toEqual({ error: explanation });
  expect(streamedText(failed.text)).toContain(explanation);
  expect(await storedRoles(chatId)).toEqual(["user", "assistant"]);

  await google.restore();
  await expectCalendarWorks(chatId);
  expect(await storedRoles(chatId)).toEqual(["user", "assistant", "user", "assistant"]);
}, 60_000);
