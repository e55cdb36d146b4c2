import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_GOOGLE_SCOPES, GOOGLE_SCOPES, startTestProviders, type TestProviders } from "./test-support";

let sandbox: TestProviders;
let alice: string;
let bob: string;

beforeAll(async () => {
  sandbox = await startTestProviders({ now: new Date("2025-03-10T16:00:00Z"), timeZone: "America/New_York" });
  alice = await sandbox.issuer.mint({ sub: "auth0|alice", aud: "google-oauth2", scopes: ALL_GOOGLE_SCOPES });
  bob = await sandbox.issuer.mint({ sub: "auth0|bob", aud: "google-oauth2", scopes: ALL_GOOGLE_SCOPES });
});

afterAll(async () => {
  await sandbox?.close();
});

async function gmail(path: string, token: string, init: RequestInit = {}) {
  const response = await fetch(`${sandbox.apis.baseUrls.google}/gmail/v1/users/${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
  });
  return { status: response.status, body: await response.json() };
}

async function search(q: string, token = alice): Promise<string[]> {
  const { body } = await gmail(`me/messages?${new URLSearchParams({ q })}`, token);
  const subjects: string[] = [];
  for (const { id } of body.messages ?? []) {
    const message = await gmail(`me/messages/${id}?format=metadata&metadataHeaders=Subject`, token);
    subjects.push(message.body.payload.headers[0].value);
  }
  return subjects;
}

const decode = (data: string) => Buffer.from(data, "base64url").toString("utf8");

describe("Gmail messages", () => {
  it("finds the Acme invoice with q=invoice, and messages.get returns its Subject header", async () => {
    const list = await gmail("me/messages?q=invoice&maxResults=10", alice);
    expect(list.status).toBe(200);
    expect(list.body.resultSizeEstimate).toBe(1);
    const [{ id, threadId }] = list.body.messages;
    expect(id).toMatch(/^[0-9a-f]{16}$/);

    const metadata = await gmail(`me/messages/${id}?format=metadata&metadataHeaders=Subject&metadataHeaders=From`, alice);
    expect(metadata.body).toMatchObject({ id, threadId, labelIds: expect.arrayContaining(["INBOX", "UNREAD"]) });
    expect(metadata.body.payload.headers).toEqual([
      { name: "From", value: "Acme Supplies Billing <billing@acme-supplies.example>" },
      { name: "Subject", value: "Invoice #1042 from Acme Supplies" },
    ]);
    expect(metadata.body.snippet).toMatch(/^Hi Alice, Thank you for your order\. Here is invoice #1042\./);
    expect(Number(metadata.body.internalDate)).toBeLessThanOrEqual(Date.parse("2025-03-10T16:00:00Z"));
  });

  it("returns the full MIME tree with base64url bodies, the amount and the due date", async () => {
    const [{ id }] = (await gmail("me/messages?q=invoice", alice)).body.messages;
    const { body } = await gmail(`me/messages/${id}`, alice);
    expect(body.payload).toMatchObject({ partId: "", mimeType: "multipart/alternative", body: { size: 0 } });
    const [text, html] = body.payload.parts;
    expect(text).toMatchObject({ partId: "0", mimeType: "text/plain" });
    expect(html).toMatchObject({ partId: "1", mimeType: "text/html" });
    const plain = decode(text.body.data);
    expect(plain).toContain("Amount due: $1,284.50 (USD)");
    expect(plain).toContain("Due date: Monday, March 24, 2025");
    expect(text.body.size).toBe(Buffer.byteLength(plain));
    const date = body.payload.headers.find((header: { name: string }) => header.name === "Date");
    expect(date.value).toBe("Mon, 10 Mar 2025 07:42:00 -0400");
  });

  it("supports the basics of Gmail search", async () => {
    expect(await search("from:acme-supplies.example")).toEqual(["Invoice #1042 from Acme Supplies"]);
    expect(await search('"flight confirmation"')).toEqual(["Flight confirmation LH 401"]);
    expect(await search('subject:"LH 401"')).toEqual(["Flight confirmation LH 401"]);
    expect(await search("is:unread")).toEqual(["Lunch on Friday?", "Invoice #1042 from Acme Supplies"]);
    expect(await search("newer_than:1d")).toEqual(["Lunch on Friday?", "Invoice #1042 from Acme Supplies"]);
    expect(await search("to:alice@example.com -invoice -flight -lunch")).toEqual(["Your weekly digest: 5 autumn hikes near you"]);
    expect(await search("invoice OR flight")).toEqual(["Invoice #1042 from Acme Supplies", "Flight confirmation LH 401"]);
    expect(await search("voice")).toEqual([]);
    expect(await search("invoice", bob)).toEqual(["Invoice #2207 from Northwind Cloud"]);
  });

  it("leaves `messages` out of an empty result, as Gmail does", async () => {
    const { body } = await gmail("me/messages?q=nothing-matches-this", alice);
    expect(body).toEqual({ resultSizeEstimate: 0 });
  });

  it("answers unknown and malformed ids with 404 and 400", async () => {
    const missing = await gmail("me/messages/0123456789abcdef", alice);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" });
    expect((await gmail("me/messages/not-an-id", alice)).status).toBe(400);
  });

  it("does not show one user's mail to another", async () => {
    const [{ id }] = (await gmail("me/messages?q=invoice", alice)).body.messages;
    expect((await gmail(`me/messages/${id}`, bob)).status).toBe(404);
    const delegated = await gmail("alice@example.com/messages", bob);
    expect(delegated.status).toBe(403);
    expect(delegated.body.error.message).toBe("Delegation denied for alice@example.com");
  });
});

describe("Gmail drafts", () => {
  const rfc2822 = [
    "To: billing@acme-supplies.example",
    "Subject: =?UTF-8?B?" + Buffer.from("Re: Invoice #1042 — paid").toString("base64") + "?=",
    "Content-Type: text/plain; charset=UTF-8",
    "",
    "Hello, invoice #1042 was paid today. Regards, Alice",
  ].join("\r\n");

  it("stores a draft, lists it and serves its message", async () => {
    const created = await gmail("me/drafts", alice, {
      method: "POST",
      body: JSON.stringify({ message: { raw: Buffer.from(rfc2822).toString("base64url") } }),
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^r\d+$/), message: { labelIds: ["DRAFT"] } });
    const { id, message } = created.body;

    const drafts = await gmail("me/drafts", alice);
    expect(drafts.body).toEqual({ drafts: [{ id, message: { id: message.id, threadId: message.threadId } }], resultSizeEstimate: 1 });

    const stored = await gmail(`me/messages/${message.id}?format=full`, alice);
    expect(stored.body.labelIds).toEqual(["DRAFT"]);
    expect(stored.body.payload.headers).toContainEqual({ name: "Subject", value: "Re: Invoice #1042 — paid" });
    expect(decode(stored.body.payload.body.data)).toContain("was paid today");
    expect(await search("in:drafts")).toEqual(["Re: Invoice #1042 — paid"]);

    expect(await gmail("me/drafts", bob)).toMatchObject({ body: { resultSizeEstimate: 0 } });
  });

  it("needs gmail.compose to create and a message to store", async () => {
    const readOnly = await sandbox.issuer.mint({ sub: "auth0|alice", aud: "google-oauth2", scopes: [GOOGLE_SCOPES.gmailRead] });
    const refused = await gmail("me/drafts", readOnly, { method: "POST", body: JSON.stringify({ message: { raw: "SGk" } }) });
    expect(refused.status).toBe(403);
    const empty = await gmail("me/drafts", alice, { method: "POST", body: JSON.stringify({}) });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe("Missing draft message");
  });
});
