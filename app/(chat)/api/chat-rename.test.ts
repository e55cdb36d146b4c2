import { beforeAll, describe, expect, it, vi } from "vitest";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./chat/harness-session";

// Renaming a chat through the real route handlers against the sandbox (Postgres, the identity server, the model):
// what is stored, what the list shows, and that the chat's own automatic title never comes back.
vi.mock("@/lib/auth/session", () => import("./chat/harness-session"));

const harness = setUpChatRouteHarness();
let dave: SignedInUser;
let chatsRoute: typeof import("./chats/route");
let chatRoute: typeof import("./chats/[id]/route");

beforeAll(async () => {
  dave = await harness.sandbox.signIn("dave@example.com");
  chatsRoute = await import("./chats/route");
  chatRoute = await import("./chats/[id]/route");
});

const UNTIDY = "Trip to Zürich (Q3) — 1,250.50 € budget";

/** A PATCH as the browser sends it: same origin, JSON; `body` as a string is sent as it is. */
function rename(chatId: string, body: unknown) {
  const request = new Request(`http://localhost:3000/api/chats/${chatId}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", origin: "http://localhost:3000" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return chatRoute.PATCH(request, { params: Promise.resolve({ id: chatId }) });
}

const storedTitle = async (chatId: string) => (await harness.sql<{ title: string }[]>`select title from chats where id = ${chatId}`)[0]?.title;

async function startChat(text: string, messageId = crypto.randomUUID()) {
  session.current = dave;
  const chatId = crypto.randomUUID();
  const started = await harness.client.post({ id: chatId, message: { id: messageId, role: "user", parts: [{ type: "text", text }] } });
  expect(started.status).toBe(200);
  return chatId;
}

describe("PATCH /api/chats/<id>", () => {
  it("renames the chat to the trimmed name, which the list then shows", async () => {
    const chatId = await startChat("Who am I?");
    expect(await storedTitle(chatId)).toBe("Who am I?");

    const renamed = await rename(chatId, { title: `  ${UNTIDY}\u00a0 ` });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toEqual({ id: chatId, title: UNTIDY });
    expect(await storedTitle(chatId)).toBe(UNTIDY);
    const { chats } = (await (await chatsRoute.GET()).json()) as { chats: { id: string; title: string }[] };
    expect(chats.find((listed) => listed.id === chatId)?.title).toBe(UNTIDY);
  });

  it("refuses a bad name with a 400 that says why, and keeps the old name", async () => {
    const chatId = await startChat("What's on my calendar today?");
    const refusals: Array<[unknown, string]> = [
      [{ title: "   " }, "Enter a name for the chat."],
      [{ title: "x".repeat(101) }, "A chat name can be at most 100 characters; this one has 101."],
      [{ title: "Budget\n2026" }, "A chat name cannot contain line breaks, tabs or other control characters."],
      [{ title: 42 }, "Send the chat's new name as text."],
      [{}, "Send the chat's new name as text."],
      [["Trip"], 'Send { "title": "…" } with the chat\'s new name.'],
      ["{not json", 'Send { "title": "…" } with the chat\'s new name.'],
    ];
    for (const [body, message] of refusals) {
      const refused = await rename(chatId, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(await refused.json()).toEqual({ error: { code: "bad_request", message } });
    }
    expect(await storedTitle(chatId)).toBe("What's on my calendar today?");
  });

  it("refuses a body over 4 KB with 413, whatever it holds", async () => {
    const chatId = await startChat("List my GitHub repositories");
    const refused = await rename(chatId, { title: `${" ".repeat(5000)}Repositories` });
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect(await storedTitle(chatId)).toBe("List my GitHub repositories");
  });

  it("answers a malformed or unknown id, or no session, without renaming anything", async () => {
    session.current = dave;
    for (const id of ["not-a-chat-id", crypto.randomUUID()]) {
      const refused = await rename(id, { title: UNTIDY });
      expect(refused.status, id).toBe(404);
      expect(await refused.json()).toEqual({ error: { code: "not_found", message: "Chat not found." } });
    }
    const chatId = await startChat("Who am I?");
    session.current = null;
    expect((await rename(chatId, { title: UNTIDY })).status).toBe(401);
    expect(await storedTitle(chatId)).toBe("Who am I?");
  });

  it("keeps the name through later turns, an edit of the first question and a retry", async () => {
    const firstMessageId = crypto.randomUUID();
    const chatId = await startChat("Who am I?", firstMessageId);
    expect((await rename(chatId, { title: UNTIDY })).status).toBe(200);

    // Editing the message the automatic title came from is where a title would most likely be made again.
    expect((await harness.client.edit(chatId, firstMessageId, "What is my email address?")).status).toBe(200);
    expect((await harness.client.retry(chatId, firstMessageId)).status).toBe(200);
    expect((await harness.client.say(chatId, "Who am I, again?")).status).toBe(200);
    expect(await storedTitle(chatId)).toBe(UNTIDY);
    expect(await harness.sql`select 1 from messages where chat_id = ${chatId}`).toHaveLength(4);
  });
});
