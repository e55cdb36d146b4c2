import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("the chat API answers 401 JSON without a session", async ({ request }) => {
  const response = await request.post("/api/chat", { data: { id: crypto.randomUUID(), message: userMessage("hi") } });
  expect(response.status()).toBe(401);
  expect((await response.json()).error.code).toBe("unauthorized");
  expect((await request.get("/api/chats")).status()).toBe(401);
});

test("bad input gets a clear 400 or 404", async ({ page }) => {
  await signIn(page, "alice@example.com");
  const api = page.request;
  const post = (data: unknown) => api.post("/api/chat", { data: data as object });

  const malformed = await api.post("/api/chat", { data: Buffer.from("{not json"), headers: { "content-type": "application/json" } });
  expect(malformed.status()).toBe(400);
  expect((await malformed.json()).error.message).toBe("Request body must be JSON.");

  const empty = await post({ id: crypto.randomUUID(), message: userMessage("   ") });
  expect(empty.status()).toBe(400);
  expect((await empty.json()).error.message).toBe("Message is empty.");

  const long = await post({ id: crypto.randomUUID(), message: userMessage("x".repeat(8_001)) });
  expect(long.status()).toBe(400);
  expect((await long.json()).error.message).toContain("too long");

  const badId = await post({ id: "not-a-uuid", message: userMessage("hi") });
  expect(badId.status()).toBe(400);

  expect((await api.delete(`/api/chats/${crypto.randomUUID()}`)).status()).toBe(404);
  expect((await page.goto(`/chat/${crypto.randomUUID()}`))?.status()).toBe(404);
});

function userMessage(text: string) {
  return { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] };
}
