import { beforeAll, describe, expect, it, vi } from "vitest";
import { listConnectedAccounts } from "@/lib/auth/my-account";
import { searchDocuments } from "@/lib/rag/retrieve";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { tuplesOn } from "@/tests/sandbox-readers";
import { session } from "./chat/harness-session";

// One user acting on another's chats and documents, through the real route handlers against the whole sandbox
// (Postgres, FGA, the identity server, the model). Each test makes its own chats and documents, and checks both
// the answer the user gets and what is stored.
vi.mock("@/lib/auth/session", () => import("./chat/harness-session"));

const harness = setUpChatRouteHarness();
let alice: SignedInUser;
let bob: SignedInUser;
let carol: SignedInUser;
let chatsRoute: typeof import("./chats/route");
let chatRoute: typeof import("./chats/[id]/route");
let documentsRoute: typeof import("./documents/route");
let documentRoute: typeof import("./documents/[id]/route");
let sharesRoute: typeof import("./documents/[id]/shares/route");
let connectionRoute: typeof import("./connections/[id]/route");

beforeAll(async () => {
  alice = await harness.sandbox.signIn("alice@example.com");
  bob = await harness.sandbox.signIn("bob@example.com");
  carol = await harness.sandbox.signIn("carol@example.com");
  chatsRoute = await import("./chats/route");
  chatRoute = await import("./chats/[id]/route");
  documentsRoute = await import("./documents/route");
  documentRoute = await import("./documents/[id]/route");
  sharesRoute = await import("./documents/[id]/shares/route");
  connectionRoute = await import("./connections/[id]/route");
});

function signedIn(user: SignedInUser) {
  session.current = user;
}

const byId = (id: string) => ({ params: Promise.resolve({ id }) });
const storedMessageCount = async (chatId: string) => (await harness.sql`select 1 from messages where chat_id = ${chatId}`).length;

async function startChat(user: SignedInUser, text: string) {
  signedIn(user);
  const chatId = crypto.randomUUID();
  expect((await harness.client.say(chatId, text)).status).toBe(200);
  return chatId;
}

async function listedChatIds(user: SignedInUser) {
  signedIn(user);
  const response = await chatsRoute.GET();
  expect(response.status).toBe(200);
  return ((await response.json()) as { chats: { id: string }[] }).chats.map((c) => c.id);
}

describe("chats", () => {
  it("another user deleting a chat gets 404, and the chat and its messages stay", async () => {
    const bobs = await startChat(bob, "Who am I?");
    const messagesBefore = await storedMessageCount(bobs);
    expect(messagesBefore).toBe(2);

    signedIn(alice);
    const refused = await chatRoute.DELETE(new Request(`http://localhost:3000/api/chats/${bobs}`, { method: "DELETE" }), byId(bobs));
    expect(refused.status).toBe(404);
    expect(await harness.sql`select user_id from chats where id = ${bobs}`).toEqual([{ user_id: bob.sub }]);
    expect(await storedMessageCount(bobs)).toBe(messagesBefore);
    expect(await listedChatIds(bob)).toContain(bobs);

    // The owner can, which is what makes the 404 above a refusal and not a broken route.
    const deleted = await chatRoute.DELETE(new Request(`http://localhost:3000/api/chats/${bobs}`, { method: "DELETE" }), byId(bobs));
    expect(deleted.status).toBe(204);
    expect(await harness.sql`select 1 from chats where id = ${bobs}`).toHaveLength(0);
    expect(await storedMessageCount(bobs)).toBe(0);
  });

  it("another user renaming a chat gets the same 404 as for a chat that does not exist, and the name stays", async () => {
    const bobs = await startChat(bob, "Who am I?");
    const renameAs = (user: SignedInUser, id: string) => {
      signedIn(user);
      const body = JSON.stringify({ title: "Carol’s now (🙂)" });
      const request = new Request(`http://localhost:3000/api/chats/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body });
      return chatRoute.PATCH(request, byId(id));
    };

    const refused = await renameAs(carol, bobs);
    const missing = await renameAs(carol, crypto.randomUUID());
    expect(refused.status).toBe(404);
    expect(await refused.json()).toEqual(await missing.json());
    expect(await harness.sql`select title from chats where id = ${bobs}`).toEqual([{ title: "Who am I?" }]);

    // The owner can, which is what makes the 404 above a refusal and not a broken route.
    expect((await renameAs(bob, bobs)).status).toBe(200);
    expect(await harness.sql`select title from chats where id = ${bobs}`).toEqual([{ title: "Carol’s now (🙂)" }]);
  });

  it("lists only the signed-in user's own chats", async () => {
    const alices = await startChat(alice, "Who am I?");
    const bobs = await startChat(bob, "Who am I?");
    const carols = await startChat(carol, "Who am I?");

    const aliceSees = await listedChatIds(alice);
    expect(aliceSees).toContain(alices);
    expect(aliceSees).not.toContain(bobs);
    expect(aliceSees).not.toContain(carols);
    const stored = await harness.sql<{ id: string }[]>`select id from chats where user_id = ${alice.sub}`;
    expect(aliceSees.sort()).toEqual(stored.map((row) => row.id).sort());

    const bobSees = await listedChatIds(bob);
    expect(bobSees).toContain(bobs);
    expect(bobSees).not.toContain(alices);
  });
});

async function upload(user: SignedInUser, name: string, text: string) {
  signedIn(user);
  const form = new FormData();
  form.append("file", new File([text], name, { type: "text/plain" }));
  const response = await documentsRoute.POST(new Request("http://localhost:3000/api/documents", { method: "POST", body: form }));
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function changeShareAs(user: SignedInUser, method: "POST" | "DELETE", documentId: string, withWhom: string) {
  signedIn(user);
  const request = new Request(`http://localhost:3000/api/documents/${documentId}/shares`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ with: withWhom }),
  });
  return sharesRoute[method](request, byId(documentId));
}

const shareAs = (user: SignedInUser, documentId: string, withWhom: string) => changeShareAs(user, "POST", documentId, withWhom);

async function deleteAs(user: SignedInUser, documentId: string) {
  signedIn(user);
  return documentRoute.DELETE(new Request(`http://localhost:3000/api/documents/${documentId}`, { method: "DELETE" }), byId(documentId));
}

const storedChunkCount = async (documentId: string) => (await harness.sql`select 1 from document_chunks where document_id = ${documentId}`).length;

async function searchFinds(user: SignedInUser, query: string, documentId: string) {
  const { chunks } = await searchDocuments({ userSub: user.sub, query, k: 50 });
  return chunks.some((c) => c.documentId === documentId);
}

describe("documents", () => {
  it("a person a document is shared with may neither share it onward nor delete it", async () => {
    const id = await upload(alice, `Offsite plan ${crypto.randomUUID()}.txt`, "The offsite is in Lisbon (3–5 June), budget 12,500.75 EUR.");
    expect((await shareAs(alice, id, "bob@example.com")).status).toBe(200);
    const tuplesBefore = await tuplesOn(id);
    expect(tuplesBefore).toEqual([`owner@user:${alice.sub}`, `viewer@user:${bob.sub}`].sort());
    const chunksBefore = await storedChunkCount(id);
    expect(chunksBefore).toBeGreaterThan(0);

    const onward = await shareAs(bob, id, "carol@example.com");
    expect(onward.status).toBe(403);
    expect((await changeShareAs(bob, "DELETE", id, "bob@example.com")).status).toBe(403);
    const deleted = await deleteAs(bob, id);
    expect(deleted.status).toBe(403);

    expect(await tuplesOn(id)).toEqual(tuplesBefore);
    expect(await harness.sql`select owner_id from documents where id = ${id}`).toEqual([{ owner_id: alice.sub }]);
    expect(await storedChunkCount(id)).toBe(chunksBefore);
    expect(await searchFinds(carol, "Where is the offsite?", id)).toBe(false);
    expect(await searchFinds(bob, "Where is the offsite?", id)).toBe(true);
  });

  it("an owner deleting a document removes its row, chunks and every tuple, and search stops returning it for everyone", async () => {
    const id = await upload(bob, `Salary bands ${crypto.randomUUID()}.txt`, "Salary band L4: 92,000–110,000 USD. Ask hr@example.com (Ärger? call +1 555 0100).");
    expect((await shareAs(bob, id, "alice@example.com")).status).toBe(200);
    expect((await shareAs(bob, id, "carol@example.com")).status).toBe(200);
    expect(await tuplesOn(id)).toEqual([`owner@user:${bob.sub}`, `viewer@user:${alice.sub}`, `viewer@user:${carol.sub}`].sort());
    expect(await storedChunkCount(id)).toBeGreaterThan(0);
    for (const user of [bob, alice, carol]) expect(await searchFinds(user, "What is the salary band for L4?", id)).toBe(true);

    expect((await deleteAs(bob, id)).status).toBe(204);

    expect(await harness.sql`select 1 from documents where id = ${id}`).toHaveLength(0);
    expect(await storedChunkCount(id)).toBe(0);
    expect(await tuplesOn(id)).toEqual([]);
    for (const user of [bob, alice, carol]) expect(await searchFinds(user, "What is the salary band for L4?", id)).toBe(false);
    // Deleting again, or downloading, is refused: nothing of it is left to act on.
    expect((await deleteAs(bob, id)).status).toBe(403);
    signedIn(alice);
    expect((await documentRoute.GET(new Request(`http://localhost:3000/api/documents/${id}`), byId(id))).status).toBe(403);
  });
});

describe("connected accounts", () => {
  async function disconnectAs(user: SignedInUser, accountId: string) {
    signedIn(user);
    return connectionRoute.DELETE(new Request(`http://localhost:3000/api/connections/${accountId}`, { method: "DELETE" }), byId(accountId));
  }

  it("another user disconnecting an account by its id gets 404, and the account and its tokens keep working", async () => {
    await harness.sandbox.connect(carol, "github", ["read:user"]);
    const [account] = (await listConnectedAccounts(carol.refreshToken)).filter((a) => a.connection === "github");
    expect(account?.id).toBeTruthy();

    const refused = await disconnectAs(bob, account!.id);
    expect(refused.status).toBe(404);
    expect((await listConnectedAccounts(carol.refreshToken)).map((a) => a.id)).toContain(account!.id);
    await expect(harness.sandbox.providerToken(carol, "github")).resolves.toMatch(/^eyJ/);

    // The owner can, which is what makes the 404 above a refusal and not a broken route.
    expect((await disconnectAs(carol, account!.id)).status).toBe(204);
    expect((await listConnectedAccounts(carol.refreshToken)).map((a) => a.id)).not.toContain(account!.id);
    await expect(harness.sandbox.providerToken(carol, "github")).rejects.toThrow("Token Vault exchange failed: HTTP 401");
  });
});
