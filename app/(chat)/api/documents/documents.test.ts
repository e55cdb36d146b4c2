import { beforeAll, describe, expect, it, vi } from "vitest";
import { deleteDocument, insertDocumentWithChunks, StorageQuotaError, storageUsedBy } from "@/db/queries/documents";
import type { CurrentUser } from "@/lib/auth/session";
import { can } from "@/lib/fga/documents";
import { ingestDocument } from "@/lib/rag/ingest";
import { listDocuments } from "@/lib/rag/list-documents";
import { SHARED_BY_EMAIL_ANSWER } from "@/lib/rag/sharing";
import { setUpSandboxHarness } from "@/tests/harness-setup";
import { session } from "../chat/harness-session";

// The upload and share routes against the whole sandbox (Postgres, FGA, the identity server's Management API,
// the embedding model). Only the cookie session is replaced: whoever `session.current` is, is signed in.
vi.mock("@/lib/auth/session", () => import("../chat/harness-session"));

const person = (id: string, name: string, emailVerified = true): CurrentUser => ({ sub: `auth0|${id}`, name, email: `${id}@example.com`, picture: null, emailVerified });
const alice = person("alice", "Alice Martin");
const bob = person("bob", "Bob Chen");
const carol = person("carol", "Carol Diaz");
const dave = person("dave", "Dave Evans", false);
const erin = person("erin", "Erin Ford");
const MB = 1024 * 1024;

const harness = setUpSandboxHarness();
let upload: (request: Request) => Promise<Response>;
let shares: Record<"POST" | "DELETE", (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>>;

beforeAll(async () => {
  Object.assign(process.env, { DOCUMENT_QUOTA_MB: "1", RATE_LIMIT_UPLOADS_PER_HOUR: "3", RATE_LIMIT_SHARES_PER_HOUR: "6" });
  upload = (await import("./route")).POST;
  shares = await import("./[id]/shares/route");
});

function uploadRequest(name: string, text: string) {
  const form = new FormData();
  form.append("file", new File([text], name, { type: "text/plain" }));
  return new Request("http://localhost:3000/api/documents", { method: "POST", body: form });
}

/** A body that is produced only as it is read, and counts how much was read. */
function streamedBody(totalBytes: number) {
  const boundary = "----delegate-test";
  const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\nContent-Type: text/plain\r\n\r\n`);
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = produced === 0 ? head : chunk;
      produced += next.byteLength;
      controller.enqueue(next);
      if (produced >= totalBytes) controller.close();
    },
  });
  return { stream, contentType: `multipart/form-data; boundary=${boundary}`, produced: () => produced };
}

const shareRequest = (method: "POST" | "DELETE", who: string) =>
  new Request("http://localhost:3000/api/documents/x/shares", { method, headers: { "content-type": "application/json" }, body: JSON.stringify({ with: who }) });
const changeShare = (method: "POST" | "DELETE", documentId: string, who: string) =>
  shares[method](shareRequest(method, who), { params: Promise.resolve({ id: documentId }) });

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

async function ownDocument(user: CurrentUser, name: string) {
  const { id } = await ingestDocument({ owner: user, name, type: "text/plain", bytes: new TextEncoder().encode(`${name}: a short note.`) });
  return id;
}

const storedNames = async (user: CurrentUser) => (await harness.sql<{ name: string }[]>`select name from documents where owner_id = ${user.sub}`).map((r) => r.name);

describe("uploads", () => {
  it("checks the session before reading a byte of the body", async () => {
    session.current = null;
    const body = streamedBody(20 * MB);
    const response = await upload(new Request("http://localhost:3000/api/documents", { method: "POST", body: body.stream, headers: { "content-type": body.contentType }, duplex: "half" } as RequestInit));
    expect(response.status).toBe(401);
    expect(body.produced()).toBeLessThanOrEqual(64 * 1024 + 200);
  });

  it("refuses an upload from another origin, and a body that is not multipart, before reading it", async () => {
    session.current = alice;
    const form = new FormData();
    form.append("file", new File(["Planted text."], "planted.txt", { type: "text/plain" }));
    const crossSite = await upload(new Request("http://localhost:3000/api/documents", { method: "POST", body: form, headers: { origin: "https://evil.example" } }));
    expect(crossSite.status).toBe(403);
    const plain = await upload(new Request("http://localhost:3000/api/documents", { method: "POST", body: "file=x", headers: { "content-type": "text/plain" } }));
    expect(plain.status).toBe(415);
    expect(await storedNames(alice)).not.toContain("planted.txt");
  });

  it("refuses an 11 MB body sent without a content-length, once 10 MB have streamed in, and stores nothing", async () => {
    session.current = alice;
    const body = streamedBody(11 * MB);
    const response = await upload(new Request("http://localhost:3000/api/documents", { method: "POST", body: body.stream, headers: { "content-type": body.contentType }, duplex: "half" } as RequestInit));
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toBe("The file is larger than the 10 MB upload limit.");
    // Reading stopped at the cap (plus what the pipe had buffered), not at the end of the body.
    expect(body.produced()).toBeLessThan(10 * MB + 64 * 1024 * 8);
    expect(await storedNames(alice)).not.toContain("huge.txt");
  });

  it("stores an upload, remembering who uploaded it, and then adds its chunks to the search index", async () => {
    session.current = alice;
    const response = await upload(uploadRequest("Budget (draft) – Ärger ![x](http://127.0.0.1:9/x).txt", "The budget is 4.2 million USD."));
    expect(response.status).toBe(201);
    expect(await storedNames(alice)).toContain("Budget (draft) – Ärger ![x](http://127.0.0.1:9/x).txt");
    expect(await harness.sql`select name, email from people where sub = ${alice.sub}`).toEqual([{ name: "Alice Martin", email: "alice@example.com" }]);
    // Stored outside the HNSW index; the pass the route starts as it answers adds them (lib/rag/chunk-indexing.ts).
    const { id } = (await response.json()) as { id: string };
    await vi.waitFor(async () => expect(await harness.sql`select indexed from document_chunks where document_id = ${id}`).toEqual([{ indexed: true }]));
  });

  it("refuses names that are too long or contain control characters", async () => {
    session.current = dave;
    const long = await upload(uploadRequest(`${"n".repeat(252)}.txt`, "text"));
    expect(long.status).toBe(400);
    expect((await errorOf(long)).message).toBe("File names can be at most 255 characters long.");
    const control = await upload(uploadRequest("two\nlines.txt", "text"));
    expect(control.status).toBe(400);
  });

  it("refuses an upload past the storage quota, naming the quota and the current use", async () => {
    session.current = carol;
    await harness.sql`insert into documents (id, owner_id, name, mime_type, size_bytes, content) values (${crypto.randomUUID()}, ${carol.sub}, 'archive.txt', 'text/plain', ${900 * 1024}, ${Buffer.from("x")})`;
    const response = await upload(uploadRequest("more.txt", "y".repeat(200 * 1024)));
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toBe(
      "Your documents use 900.0 KB of your 1 MB storage quota, and this 200.0 KB file does not fit. Delete documents you no longer need to make room.",
    );
    expect(await storedNames(carol)).toEqual(["archive.txt"]);

    // Full: refused before the body is read.
    await harness.sql`update documents set size_bytes = ${MB} where owner_id = ${carol.sub}`;
    const body = streamedBody(20 * MB);
    const full = await upload(new Request("http://localhost:3000/api/documents", { method: "POST", body: body.stream, headers: { "content-type": body.contentType }, duplex: "half" } as RequestInit));
    expect(full.status).toBe(413);
    expect((await errorOf(full)).message).toBe("Your documents use 1 MB of your 1 MB storage quota, so nothing more can be uploaded. Delete documents you no longer need to make room.");
    expect(body.produced()).toBeLessThanOrEqual(64 * 1024 + 200);
    await harness.sql`delete from documents where owner_id = ${carol.sub}`;
  });

  it("lets only one of two concurrent uploads take the last room in the quota", async () => {
    const document = () => ({ id: crypto.randomUUID(), ownerId: "auth0|racer", name: "half.txt", mimeType: "text/plain", sizeBytes: 600 * 1024, content: Buffer.from("x") });
    const results = await Promise.allSettled([0, 1, 2].map(() => insertDocumentWithChunks(document(), [], { quotaBytes: MB })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as StorageQuotaError);
    expect(refused.map((e) => [e.constructor, e.usedBytes, e.quotaBytes])).toEqual([
      [StorageQuotaError, 600 * 1024, MB],
      [StorageQuotaError, 600 * 1024, MB],
    ]);
  });

  describe("storing a document's chunks", () => {
    const document = (ownerId: string, sizeBytes = 1024) => ({ id: crypto.randomUUID(), ownerId, name: "long (Ærø).md", mimeType: "text/markdown", sizeBytes, content: Buffer.from("x") });
    // One vector for all, as the vectors do not matter here.
    const embedding = Array.from({ length: 1536 }, (_, d) => (d % 7) / 10);
    const chunk = (i: number) => ({ content: `Passage ${i}: 12.5% of https://example.com/(a)`, start: i * 10, end: i * 10 + 9, embedding });
    const chunksOf = (id: string) => harness.sql<{ ordinal: number; content: string }[]>`select ordinal, content from document_chunks where document_id = ${id} order by ordinal`;

    it("stores every chunk of a document too large for one statement, in order, and then marks it stored", async () => {
      const stored = document("auth0|large");
      await insertDocumentWithChunks(stored, Array.from({ length: 1_050 }, (_, i) => chunk(i)), { quotaBytes: MB });
      const rows = await chunksOf(stored.id);
      expect(rows.map((row) => row.ordinal)).toEqual(Array.from({ length: 1_050 }, (_, i) => i));
      expect(rows[1_049]!.content).toBe("Passage 1049: 12.5% of https://example.com/(a)");
      expect(await harness.sql`select storing_heartbeat from documents where id = ${stored.id}`).toEqual([{ storing_heartbeat: null }]);
    });

    it("when one statement fails, throws and leaves the document marked as storing, for its caller to remove", async () => {
      const failing = document("auth0|failing");
      const chunks = Array.from({ length: 1_050 }, (_, i) => chunk(i));
      chunks[1_020] = { ...chunks[1_020]!, start: 5, end: 2 }; // breaks document_chunks_offsets_check, in the third statement
      await expect(insertDocumentWithChunks(failing, chunks, { quotaBytes: MB })).rejects.toMatchObject({ cause: { constraint_name: "document_chunks_offsets_check" } });
      const [row] = await harness.sql<{ storing: boolean }[]>`select storing_heartbeat is not null as storing from documents where id = ${failing.id}`;
      expect(row).toEqual({ storing: true });
      expect((await chunksOf(failing.id)).length).toBeGreaterThan(0);
      await deleteDocument(failing.id);
      expect(await chunksOf(failing.id)).toEqual([]);
    });

    it("counts an upload in progress against the quota but not one its server abandoned, which the next upload, anyone's, removes", async () => {
      const owner = "auth0|abandoner";
      const leftBehind = async (ownerId: string, name: string, sizeBytes: number, heartbeat: string) => {
        const id = crypto.randomUUID();
        await harness.sql`insert into documents (id, owner_id, name, mime_type, size_bytes, content, storing_heartbeat)
          values (${id}, ${ownerId}, ${name}, 'text/markdown', ${sizeBytes}, ${Buffer.from("x")}, now() - ${heartbeat}::interval)`;
        await harness.sql`insert into document_chunks (document_id, ordinal, content, start_offset, end_offset, embedding)
          values (${id}, 0, 'left behind', 0, 11, ${`[${embedding.join(",")}]`})`;
        return id;
      };
      const abandoned = await leftBehind(owner, "abandoned.md", 900 * 1024, "6 minutes");
      const someoneElses = await leftBehind("auth0|someone-else", "abandoned too.md", 1024, "2 hours");
      await leftBehind(owner, "in-progress.md", 300 * 1024, "4 minutes");
      expect(await storageUsedBy(owner)).toBe(300 * 1024);
      await expect(insertDocumentWithChunks(document(owner, 800 * 1024), [chunk(0)], { quotaBytes: MB })).rejects.toMatchObject({ usedBytes: 300 * 1024 });
      await insertDocumentWithChunks(document(owner, 600 * 1024), [chunk(0)], { quotaBytes: MB });
      expect(await harness.sql`select name from documents where owner_id = ${owner} order by name`).toEqual([{ name: "in-progress.md" }, { name: "long (Ærø).md" }]);
      expect(await harness.sql`select id from documents where id in (${abandoned}, ${someoneElses})`).toEqual([]);
      expect(await chunksOf(abandoned)).toEqual([]);
    });
  });

  it("limits uploads per user per hour: 429 with Retry-After and a polite message", async () => {
    session.current = bob;
    for (let i = 0; i < 3; i++) expect((await upload(uploadRequest(`note-${i}.txt`, `Note ${i}.`))).status).toBe(201);
    const refused = await upload(uploadRequest("note-3.txt", "Note 3."));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await errorOf(refused)).message).toMatch(/^You have reached the limit of 3 uploads an hour\. Try again in \d+ (minutes?|seconds?)\.$/);
    expect(await storedNames(bob)).not.toContain("note-3.txt");
  });
});

describe("sharing", () => {
  it("answers sharing by email the same way for a verified account, an unverified one and no account at all", async () => {
    session.current = alice;
    const id = await ownDocument(alice, "plan.txt");
    const answers = [];
    for (const email of ["bob@example.com", "dave@example.com", "nobody@example.com", "Nobody.Else+x@Example.org"]) {
      const started = performance.now();
      const response = await changeShare("POST", id, email);
      answers.push({ status: response.status, body: await response.text(), headers: [...response.headers.keys()].sort(), ms: performance.now() - started });
    }
    for (const answer of answers) {
      expect({ status: answer.status, body: answer.body, headers: answer.headers }).toEqual({
        status: 200,
        body: JSON.stringify({ message: SHARED_BY_EMAIL_ANSWER }),
        headers: answers[0]!.headers,
      });
      expect(answer.ms).toBeGreaterThanOrEqual(1_000);
    }
    const times = answers.map((a) => a.ms);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(250);
    // Only the verified account got access.
    expect(await can(bob.sub, "can_view", id)).toBe(true);
    expect(await can(dave.sub, "can_view", id)).toBe(false);
  });

  it("shows shares and owners by name and email, never by Auth0 id, and unshares by the list's reference", async () => {
    const [aliceView] = (await listDocuments(alice.sub)).filter((d) => d.name === "plan.txt");
    expect(aliceView!.owner).toBeNull();
    expect(aliceView!.shares.map((s) => s.label)).toEqual(["Bob Chen (bob@example.com)"]);
    expect(JSON.stringify(aliceView!.shares.map((s) => s.label))).not.toContain("auth0|");

    const [bobView] = (await listDocuments(bob.sub)).filter((d) => d.name === "plan.txt");
    expect(bobView!.owner).toBe("Alice Martin (alice@example.com)");

    // Someone the app has no record of is not shown by id.
    await changeShare("POST", aliceView!.id, "carol@example.com");
    await harness.sql`delete from people where sub = ${carol.sub}`;
    const [again] = (await listDocuments(alice.sub)).filter((d) => d.name === "plan.txt");
    expect(again!.shares.map((s) => s.label).sort()).toEqual(["Bob Chen (bob@example.com)", "Someone (no longer known)"]);

    const bobShare = again!.shares.find((s) => s.label.startsWith("Bob"))!;
    expect((await changeShare("DELETE", aliceView!.id, bobShare.reference)).status).toBe(204);
    expect(await can(bob.sub, "can_view", aliceView!.id)).toBe(false);
  });

  it("tells two documents of the same name apart by owner", async () => {
    const mine = await ownDocument(bob, "Q3 forecast.md");
    const theirs = await ownDocument(carol, "Q3 forecast.md");
    session.current = carol;
    await changeShare("POST", theirs, "bob@example.com");
    const views = (await listDocuments(bob.sub)).filter((d) => d.name === "Q3 forecast.md");
    expect(views.map((v) => [v.id, v.owner]).sort()).toEqual(
      [
        [mine, null],
        [theirs, "Carol Diaz (carol@example.com)"],
      ].sort(),
    );
  });

  it("lets only accounts with a verified email publish to everyone or a group", async () => {
    session.current = dave;
    const id = await ownDocument(dave, "dave's memo.txt");
    for (const target of ["everyone", "group:finance"]) {
      const refused = await changeShare("POST", id, target);
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).message).toMatch(/^Verify your email address before sharing with everyone or with a group/);
    }
    expect(await can(bob.sub, "can_view", id)).toBe(false);
    // A person by email is still allowed, and so is withdrawing a publication.
    expect((await changeShare("POST", id, "bob@example.com")).status).toBe(200);
    expect(await can(bob.sub, "can_view", id)).toBe(true);
    expect((await changeShare("DELETE", id, "everyone")).status).toBe(204);

    session.current = carol;
    const published = await ownDocument(carol, "handbook.txt");
    expect(await (await changeShare("POST", published, "everyone")).json()).toEqual({ message: "Everyone signed in can now read it." });
    expect(await can(dave.sub, "can_view", published)).toBe(true);
  });

  it("limits sharing changes per user per hour", async () => {
    session.current = erin;
    const id = await ownDocument(erin, "erin.txt");
    for (let i = 0; i < 6; i++) expect((await changeShare(i % 2 ? "DELETE" : "POST", id, "everyone")).status).toBeLessThan(300);
    const refused = await changeShare("POST", id, "everyone");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await errorOf(refused)).message).toMatch(/^You have reached the limit of 6 sharing changes an hour\./);
  });

  it("refuses a share body over 4 KB", async () => {
    session.current = bob;
    const id = await ownDocument(bob, "big-body.txt");
    const response = await changeShare("POST", id, `${"a".repeat(5_000)}@example.com`);
    expect(response.status).toBe(413);
  });
});
