import { beforeAll, describe, expect, it, vi } from "vitest";
import { getFga } from "@/lib/fga/client";
import { listDocuments } from "@/lib/rag/list-documents";
import { searchDocuments } from "@/lib/rag/retrieve";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { tuplesOn } from "@/tests/sandbox-readers";
import { session } from "../chat/harness-session";
import { streamChunks } from "../chat/test-client";

// Sharing a document with a group and with everyone, through the real routes against the whole sandbox, with users
// signed in at the sandbox identity server (whose `email_verified` claim is what the app trusts). Each test checks
// who can then download it, list it and find it by search — and who cannot.
vi.mock("@/lib/auth/session", () => import("../chat/harness-session"));

const harness = setUpChatRouteHarness();
let alice: SignedInUser;
let bob: SignedInUser;
let carol: SignedInUser;
let dave: SignedInUser;
let documentsRoute: typeof import("./route");
let documentRoute: typeof import("./[id]/route");
let sharesRoute: typeof import("./[id]/shares/route");

beforeAll(async () => {
  [alice, bob, carol, dave] = await Promise.all([
    harness.sandbox.signIn("alice@example.com"),
    harness.sandbox.signIn("bob@example.com"),
    harness.sandbox.signIn("carol@example.com"),
    harness.sandbox.signIn("dave@example.com"),
  ]);
  documentsRoute = await import("./route");
  documentRoute = await import("./[id]/route");
  sharesRoute = await import("./[id]/shares/route");
});

const byId = (id: string) => ({ params: Promise.resolve({ id }) });

async function upload(user: SignedInUser, name: string, text: string) {
  session.current = user;
  const form = new FormData();
  form.append("file", new File([text], name, { type: "text/markdown" }));
  const response = await documentsRoute.POST(new Request("http://localhost:3000/api/documents", { method: "POST", body: form }));
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function changeShare(user: SignedInUser, method: "POST" | "DELETE", id: string, withWhom: string) {
  session.current = user;
  const request = new Request(`http://localhost:3000/api/documents/${id}/shares`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ with: withWhom }),
  });
  return sharesRoute[method](request, byId(id));
}

async function downloadStatus(user: SignedInUser, id: string) {
  session.current = user;
  return (await documentRoute.GET(new Request(`http://localhost:3000/api/documents/${id}`), byId(id))).status;
}

/** Whether the user may read the document, asked every way the app offers: download, the list, and search. */
async function reads(user: SignedInUser, id: string, question: string) {
  const download = await downloadStatus(user, id);
  const listed = (await listDocuments(user.sub)).some((document) => document.id === id);
  const { chunks } = await searchDocuments({ userSub: user.sub, query: question, k: 50 });
  const found = chunks.some((chunk) => chunk.documentId === id);
  expect({ download, listed, found }, `${user.email} sees the document only partly`).toEqual(
    download === 200 ? { download: 200, listed: true, found: true } : { download: 403, listed: false, found: false },
  );
  return download === 200;
}

/** A group of its own for each test; membership is managed in FGA, outside the app, as an administrator would. */
async function groupOf(members: SignedInUser[]) {
  const name = `finance-${crypto.randomUUID().slice(0, 8)}`;
  await getFga().write({ writes: members.map((member) => ({ user: `user:${member.sub}`, relation: "member", object: `group:${name}` })) });
  return name;
}

describe("sharing with a group", () => {
  it("lets exactly the group's members read it, find it and ask about it, and stops when a member leaves", async () => {
    const group = await groupOf([alice, bob]);
    const marker = `budget-${crypto.randomUUID()}`;
    const id = await upload(carol, "Budget 2027 (Entwurf) – Reisekosten Q1–Q4.md", `# Reisekosten 2027\n\nThe travel budget for 2027 is 48,250.75 EUR (draft ${marker}); see https://intranet.example.com/budget?year=2027&v=3.`);
    const question = "What is the travel budget for 2027?";

    const shared = await changeShare(carol, "POST", id, `group:${group.toUpperCase()}`);
    expect(shared.status).toBe(200);
    expect(await shared.json()).toEqual({ message: `Members of group ${group} can now read it.` });
    expect(await tuplesOn(id)).toEqual([`owner@user:${carol.sub}`, `viewer@group:${group}#member`].sort());

    expect(await reads(alice, id, question)).toBe(true);
    expect(await reads(bob, id, question)).toBe(true);
    expect(await reads(dave, id, question)).toBe(false);
    const [aliceView] = (await listDocuments(alice.sub)).filter((document) => document.id === id);
    expect(aliceView?.owner).toBe("Carol Diaz (carol@example.com)");
    const [carolView] = (await listDocuments(carol.sub)).filter((document) => document.id === id);
    expect(carolView?.shares).toEqual([{ kind: "group", label: `Group ${group}`, reference: `group:${group}` }]);

    // In the chat the member's question is answered from it; a non-member's never reaches it.
    session.current = alice;
    const answered = streamChunks((await harness.client.say(crypto.randomUUID(), question)).text);
    expect(JSON.stringify(answered.find((chunk) => chunk.type === "tool-output-available"))).toContain(marker);
    session.current = dave;
    const refused = streamChunks((await harness.client.say(crypto.randomUUID(), question)).text);
    expect(refused.some((chunk) => chunk.type === "tool-input-available" && chunk.toolName === "search_documents")).toBe(true);
    expect(JSON.stringify(refused)).not.toContain(marker);

    // Membership is read at every request: a member who leaves loses access at once.
    await getFga().write({ deletes: [{ user: `user:${bob.sub}`, relation: "member", object: `group:${group}` }] });
    expect(await reads(bob, id, question)).toBe(false);
    expect(await reads(alice, id, question)).toBe(true);

    expect((await changeShare(carol, "DELETE", id, `group:${group}`)).status).toBe(204);
    expect(await reads(alice, id, question)).toBe(false);
    expect(await tuplesOn(id)).toEqual([`owner@user:${carol.sub}`]);
  });
});

describe("sharing with everyone", () => {
  it("lets every signed-in user read and find it, including an unverified account, until it is withdrawn", async () => {
    const id = await upload(alice, `Office handbook – Ümzug nach Lisboa ${"(v2) ".repeat(3)}${crypto.randomUUID()}.md`, "The office moves to Rua Augusta 27, Lisboa, on 14 March; parking costs 7.50 EUR a day.");
    const question = "Where does the office move to?";
    expect(await reads(bob, id, question)).toBe(false);

    const published = await changeShare(alice, "POST", id, "Everyone");
    expect(await published.json()).toEqual({ message: "Everyone signed in can now read it." });
    expect(await tuplesOn(id)).toEqual([`owner@user:${alice.sub}`, "viewer@user:*"].sort());
    for (const user of [bob, carol, dave]) expect(await reads(user, id, question)).toBe(true);

    // A reader may not pass it on or withdraw it.
    expect((await changeShare(bob, "DELETE", id, "everyone")).status).toBe(403);
    expect((await changeShare(bob, "POST", id, `group:${await groupOf([carol])}`)).status).toBe(403);
    expect(await tuplesOn(id)).toEqual([`owner@user:${alice.sub}`, "viewer@user:*"].sort());

    expect((await changeShare(alice, "DELETE", id, "everyone")).status).toBe(204);
    expect(await tuplesOn(id)).toEqual([`owner@user:${alice.sub}`]);
    for (const user of [bob, carol, dave]) expect(await reads(user, id, question)).toBe(false);
    expect(await reads(alice, id, question)).toBe(true);
  });

  it("deleting a document published to everyone and to a group removes every tuple, row and chunk, and search stops finding it", async () => {
    const group = await groupOf([bob]);
    const id = await upload(carol, "Garden sensors – calibration.md", "Calibrate the BME680 humidity sensor at 55.5 % relative humidity.");
    const question = "How do I calibrate the humidity sensor?";
    for (const target of ["everyone", `group:${group}`]) expect((await changeShare(carol, "POST", id, target)).status).toBe(200);
    expect(await tuplesOn(id)).toEqual([`owner@user:${carol.sub}`, `viewer@group:${group}#member`, "viewer@user:*"].sort());
    expect(await reads(alice, id, question)).toBe(true);

    session.current = carol;
    expect((await documentRoute.DELETE(new Request(`http://localhost:3000/api/documents/${id}`, { method: "DELETE" }), byId(id))).status).toBe(204);
    expect(await tuplesOn(id)).toEqual([]);
    expect(await harness.sql`select 1 from documents where id = ${id}`).toHaveLength(0);
    expect(await harness.sql`select 1 from document_chunks where document_id = ${id}`).toHaveLength(0);
    for (const user of [alice, bob, carol]) expect(await reads(user, id, question)).toBe(false);
  });
});

describe("an account whose email is not verified", () => {
  it("is refused publishing, by the identity server's own claim, and may still share with a person", async () => {
    expect(dave.emailVerified).toBe(false);
    expect(alice.emailVerified).toBe(true);
    const id = await upload(dave, "Dave – notes on the move.md", "Moving boxes arrive on Monday at 08:30.");
    const question = "When do the moving boxes arrive?";
    for (const target of ["everyone", `group:${await groupOf([alice])}`]) {
      const refused = await changeShare(dave, "POST", id, target);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/^Verify your email address before sharing with everyone or with a group/);
    }
    expect(await tuplesOn(id)).toEqual([`owner@user:${dave.sub}`]);
    expect(await reads(alice, id, question)).toBe(false);

    // A person by email is not publishing; the reader sees who shared it, without the unverified address.
    expect((await changeShare(dave, "POST", id, "alice@example.com")).status).toBe(200);
    expect(await reads(alice, id, question)).toBe(true);
    const [view] = (await listDocuments(alice.sub)).filter((document) => document.id === id);
    expect(view?.owner).toBe(dave.name);
    expect(view?.owner).not.toContain("dave@example.com");
  });
});
