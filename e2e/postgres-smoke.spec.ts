import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { postgresSmoke } from "../playwright.config";
import { setSharing, upload } from "./documents-helpers";
import { ask, ensureConnected, lastReply, newChat, signIn } from "./helpers";
import { answerOnDevice, askToBuy, orders } from "./purchase-helpers";

/**
 * The whole app once on a real PostgreSQL (pgvector 0.8, many connections) instead of PGlite: the "postgres"
 * project in playwright.config.ts, present only when TEST_DIRECT_DATABASE_URL names a server. Every step is checked
 * on screen and then in the database itself.
 */
const NOTE = "Gym allowance (2026).md";
const PASSAGE = "The company pays up to 480.75 EUR a year toward a gym membership; claim it at https://intranet.example.com/gym?form=3.";
const QUESTION = "How much does the company pay toward a gym membership?";

test("sign-in, chat, connect, purchase, upload, share and retrieval work on a real PostgreSQL, and the rows are there", async ({ browser }) => {
  test.setTimeout(180_000);
  const { identityURL, shopURL, databaseUrl } = postgresSmoke!;

  const aliceContext = await browser.newContext();
  const alice = await aliceContext.newPage();
  await signIn(alice, "alice@example.com");
  await expect(await ask(alice, "Who am I?")).toContainText("alice@example.com");

  await ensureConnected(alice, "Google");
  await newChat(alice);
  const calendar = await ask(alice, "What's on my calendar today?");
  await expect(calendar.getByRole("region", { name: "Tool: Read your calendar" })).toContainText("Done");
  await expect(calendar).toContainText("Dentist appointment");

  await newChat(alice);
  const ordersBefore = await orders(alice, "auth0|alice", shopURL);
  await askToBuy(alice, "Buy 2 Acme Widgets");
  await answerOnDevice(aliceContext, "Buy 2 x Acme Widget for at most 39.98", "Approve", identityURL);
  await expect(lastReply(alice)).toContainText(/ORD-\d+/, { timeout: 30_000 });
  const orderNumber = (await lastReply(alice).innerText()).match(/ORD-\d+/)![0];
  expect(await orders(alice, "auth0|alice", shopURL)).toHaveLength(ordersBefore.length + 1);

  await upload(alice, NOTE, `# Gym allowance\n\n${PASSAGE}\n\nClasses booked through the office are free (ask reception).\n`);
  await setSharing(alice, NOTE, "bob@example.com", "Share");

  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, "bob@example.com");
  const answer = await ask(bob, QUESTION);
  await expect(answer.getByRole("region", { name: "Tool: Search your documents" })).toContainText("Done");
  await expect(answer.getByRole("blockquote")).toHaveText(PASSAGE);
  await expect(answer).toContainText(NOTE);

  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    // Every turn stored: alice's three chats, the purchase answered with its order, bob's answer quoting the note.
    const stored = await sql<{ user_id: string; role: string; text: string }[]>`
      select c.user_id, m.role, m.parts::text as text from messages m join chats c on c.id = m.chat_id`;
    const said = (userId: string, role: string, text: string) => stored.some((m) => m.user_id === userId && m.role === role && m.text.includes(text));
    expect(said("auth0|alice", "user", "Who am I?")).toBe(true);
    expect(said("auth0|alice", "assistant", "Dentist appointment")).toBe(true);
    expect(said("auth0|alice", "user", "Buy 2 Acme Widgets")).toBe(true);
    expect(said("auth0|alice", "assistant", orderNumber)).toBe(true);
    expect(said("auth0|bob", "assistant", "480.75 EUR")).toBe(true);

    const [document] = await sql<{ id: string; owner_id: string }[]>`select id, owner_id from documents where name = ${NOTE}`;
    expect(document?.owner_id).toBe("auth0|alice");
    const chunks = await sql<{ content: string; dimensions: number }[]>`
      select content, vector_dims(embedding) as dimensions from document_chunks where document_id = ${document!.id} order by ordinal`;
    expect(chunks.map((c) => c.content).join("\n")).toContain(PASSAGE);
    expect(chunks.every((c) => c.dimensions === 1536)).toBe(true);
    // The share is a tuple of the FGA stand-in, which keeps its store in the same database.
    const [share] = await sql`
      select 1 from fga_tuples where object_type = 'doc' and object_id = ${document!.id} and relation = 'viewer' and user_key = 'user:auth0|bob'`;
    expect(share).toBeDefined();

    // The upload's chunks were stored outside the HNSW index; the pass its route starts after answering adds them.
    await expect.poll(async () => (await sql`select 1 from document_chunks where document_id = ${document!.id} and not indexed`).length).toBe(0);
    // The global ranking (lib/rag/retrieve.ts, users who may read many documents) walks the HNSW index with
    // pgvector 0.8's iterative scans, set per transaction as db/queries/documents.ts does. The smoke's tables are
    // tiny, where the planner rightly prefers a sort, so sequential scans are ruled out to see the index serve it.
    const { plan, nearest } = await sql.begin(async (tx) => {
      await tx`select set_config('hnsw.iterative_scan', 'strict_order', true), set_config('hnsw.ef_search', '40', true)`;
      await tx`set local enable_seqscan = off`;
      const probe = () => tx`
        select c.document_id, c.content from document_chunks c join documents d on d.id = c.document_id
        where c.indexed order by c.embedding <=> (select embedding from document_chunks where document_id = ${document!.id} order by ordinal limit 1)
        limit 5`;
      const [explained] = await tx<{ "QUERY PLAN": unknown }[]>`explain (format json) ${probe()}`;
      return { plan: JSON.stringify(explained!["QUERY PLAN"]), nearest: await probe() };
    });
    expect(plan).toContain('"Index Name":"document_chunks_embedding_idx"');
    expect(nearest[0]?.document_id).toBe(document!.id);
    // Same connection (max: 1): set_config(…, true) lasted only for its transaction, so nothing leaks through a pool.
    const [after] = await sql<{ setting: string }[]>`select current_setting('hnsw.iterative_scan') as setting`;
    expect(after?.setting).toBe("off");
  } finally {
    await sql.end();
  }
});
