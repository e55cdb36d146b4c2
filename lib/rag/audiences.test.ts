import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getFga } from "@/lib/fga/client";
import * as fgaDocuments from "@/lib/fga/documents";
import { FgaUnavailableError } from "@/lib/fga/documents";
import { decideListingAudiences } from "@/db/queries/audiences";
import { setUpSandboxHarness } from "@/tests/harness-setup";
import { SyntheticEmbeddings, vectorText } from "@/tests/synthetic-embeddings";
import { AUDIENCE_MAX_AGE_MS, audienceWorkDone, takeUpAudiences } from "./audiences";
import { listViewable } from "./viewable-listings";

// Audience graphs (audiences.ts) on a small corpus: retrieval's exact limit is an argument, so a few chunks stand for
// the thousands that make a graph worth its keep.
const harness = setUpSandboxHarness();
const EXACT_LIMIT = 10;
const READER = "audiences|reader";
const OTHER_READER = "audiences|colleague";
const GROUP = "group:eng-ops";
const corpus = new SyntheticEmbeddings(11, 8);

async function addDocument(name: string, { owner = "audiences|author", sharedWith }: { owner?: string; sharedWith?: string } = {}) {
  const id = crypto.randomUUID();
  await harness.sql`insert into documents (id, owner_id, name, mime_type, size_bytes, content) values (${id}, ${owner}, ${name}, 'text/markdown', 1, ${Buffer.from("x")})`;
  await harness.sql`insert into document_chunks (document_id, ordinal, content, embedding, indexed) values (${id}, 0, ${name}, ${vectorText(corpus.chunk(corpus.document()))}, true)`;
  const tuples = [{ user: `user:${owner}`, relation: "owner", object: `doc:${id}` }];
  if (sharedWith) tuples.push({ user: sharedWith, relation: "viewer", object: `doc:${id}` });
  await getFga().writeTuples(tuples);
  return id;
}

/** A listing of the user's documents as a search stores one, its id. */
async function storedListing(userSub: string) {
  const id = await (await listViewable(userSub, 5)).stored;
  return id!;
}

const listingRow = async (id: number) =>
  (await harness.sql<{ audiences: number[] | null; uncovered: number | null; covered: number }[]>`
    select audience_ids as audiences, uncovered_chunks as uncovered,
      (select count(*)::int from viewable_listing_documents where listing_id = ${id} and covered) as covered
    from viewable_listings where id = ${id}`)[0]!;

const audience = async (subject: string) =>
  (await harness.sql<{ id: number; ready: boolean; documents: number; copies: number }[]>`
    select a.id, a.graph_ready as ready,
      (select count(*)::int from audience_documents d where d.audience_id = a.id) as documents,
      (select count(*)::int from audience_chunk_signs s where s.audience_id = a.id) as copies
    from audiences a where a.subject = ${subject}`)[0];

const groupDocuments: string[] = [];

beforeAll(async () => {
  await getFga().writeTuples([
    { user: `user:${READER}`, relation: "member", object: GROUP },
    { user: `user:${OTHER_READER}`, relation: "member", object: GROUP },
  ]);
  for (let i = 0; i < 15; i++) groupDocuments.push(await addDocument(`Runbook ${i} (v1.${i}) — «ops».md`, { sharedWith: `${GROUP}#member` }));
  for (let i = 0; i < 3; i++) await addDocument(`Reader's own notes ${i}.md`, { owner: READER });
  for (let i = 0; i < 2; i++) await addDocument(`Handbook ${i}.md`, { sharedWith: "user:*" });
  // Not a document id: FGA holds it, a listing or an audience leaves it out.
  await getFga().writeTuples([{ user: `${GROUP}#member`, relation: "viewer", object: "doc:legacy-wiki-page" }]);
  firstListing = await storedListing(READER);
  await takeUpAudiences(READER, firstListing, EXACT_LIMIT);
});
let firstListing: number;

afterEach(() => vi.restoreAllMocks());

describe("audience graphs", () => {
  it("builds a graph for a group with more chunks than are ranked exactly, and a listing reading it is scanned there", async () => {
    const listing = firstListing;
    const group = await audience(`${GROUP}#member`);
    expect(group).toMatchObject({ ready: true, documents: 15, copies: 15 });
    expect(await harness.sql`select 1 from pg_index where indexrelid = to_regclass(${`audience_chunk_signs_${group!.id}_idx`}) and indisvalid`).toHaveLength(1);
    // Everyone's two documents are too few for a graph: noted as listed, with none of them kept.
    expect(await audience("user:*")).toMatchObject({ ready: false, documents: 0 });
    // The reader's own three and everyone's two are the listing's other documents.
    expect(await listingRow(listing)).toEqual({ audiences: [group!.id], uncovered: 5, covered: 15 });
  });

  it("asks FGA nothing for a listing whose documents have no more chunks than are ranked exactly", async () => {
    const asked = vi.spyOn(fgaDocuments, "audiencesOf");
    const listing = await storedListing(READER);
    await takeUpAudiences(READER, listing, 100);
    expect(asked).not.toHaveBeenCalled();
    expect(await listingRow(listing)).toMatchObject({ audiences: null, uncovered: null });
  });

  it("lists an audience's documents again only once its listing is old, then adds those shared since and keeps those unshared", async () => {
    const listed = vi.spyOn(fgaDocuments, "listAudienceDocuments");
    await takeUpAudiences(READER, await storedListing(READER), EXACT_LIMIT);
    expect(listed).not.toHaveBeenCalled();

    const added = await addDocument("Postmortem: 2026-11-30 outage.md", { sharedWith: `${GROUP}#member` });
    await getFga().deleteTuples([{ user: `${GROUP}#member`, relation: "viewer", object: `doc:${groupDocuments[0]}` }]);
    await harness.sql`update audiences set listed_at = now() - make_interval(secs => ${AUDIENCE_MAX_AGE_MS / 1000 + 1})`;
    try {
      const listing = await storedListing(READER);
      await takeUpAudiences(READER, listing, EXACT_LIMIT);
      expect(listed).toHaveBeenCalledWith(`${GROUP}#member`);
      const group = await audience(`${GROUP}#member`);
      expect(group).toMatchObject({ ready: true, documents: 16, copies: 16 });
      expect(await harness.sql`select 1 from audience_documents where audience_id = ${group!.id} and document_id = ${groupDocuments[0]!}`).toHaveLength(1);
      // The reader's new listing lacks the unshared one, and covers the new one.
      expect(await listingRow(listing)).toEqual({ audiences: [group!.id], uncovered: 5, covered: 15 });
      expect(await harness.sql`select 1 from viewable_listing_documents where listing_id = ${listing} and document_id = ${added} and covered`).toHaveLength(1);
    } finally {
      await getFga().writeTuples([{ user: `${GROUP}#member`, relation: "viewer", object: `doc:${groupDocuments[0]}` }]);
    }
  });

  it("copies the signs of a chunk that enters the index after its document joined the audience, and drops those that leave it", async () => {
    const group = await audience(`${GROUP}#member`);
    const [chunk] = await harness.sql<{ id: string }[]>`select id from document_chunks where document_id = ${groupDocuments[1]!}`;
    await harness.sql`update document_chunks set indexed = false where id = ${chunk!.id}`;
    expect(await harness.sql`select 1 from audience_chunk_signs where chunk_id = ${chunk!.id}`).toHaveLength(0);
    await harness.sql`update document_chunks set indexed = true where id = ${chunk!.id}`;
    expect(await harness.sql`select audience_id from audience_chunk_signs where chunk_id = ${chunk!.id}`).toEqual([{ audience_id: group!.id }]);
  });

  it("refreshes an audience once for two listings that need it at the same time", async () => {
    await harness.sql`update audiences set listed_at = now() - make_interval(secs => ${AUDIENCE_MAX_AGE_MS / 1000 + 1})`;
    const listed = vi.spyOn(fgaDocuments, "listAudienceDocuments");
    const [mine, theirs] = await Promise.all([storedListing(READER), storedListing(OTHER_READER)]);
    await Promise.all([takeUpAudiences(READER, mine, EXACT_LIMIT), takeUpAudiences(OTHER_READER, theirs, EXACT_LIMIT)]);
    expect(listed.mock.calls.filter(([subject]) => subject === `${GROUP}#member`)).toHaveLength(1);
    const group = await audience(`${GROUP}#member`);
    expect((await listingRow(theirs)).audiences).toEqual([group!.id]);
  });

  it("decides nothing when FGA does not answer, and the listing is scanned as before", async () => {
    vi.spyOn(fgaDocuments, "audiencesOf").mockRejectedValue(new FgaUnavailableError("down"));
    const listing = await storedListing(READER);
    await expect(takeUpAudiences(READER, listing, EXACT_LIMIT)).resolves.toBeUndefined();
    expect(await listingRow(listing)).toMatchObject({ audiences: null, uncovered: null, covered: 0 });
    await audienceWorkDone();
  });

  it("decides a listing once: a later decision changes nothing, and of two at the same time one decides it whole", async () => {
    const group = await audience(`${GROUP}#member`);
    // Decided with no audience: a later decision that would choose the group marks none of its documents covered,
    // which would leave them in neither the group's scan nor the rest.
    const listing = await storedListing(READER);
    expect(await decideListingAudiences(listing, [], EXACT_LIMIT + 1)).toEqual([]);
    expect(await decideListingAudiences(listing, [group!.id], EXACT_LIMIT + 1)).toEqual([]);
    expect(await listingRow(listing)).toEqual({ audiences: [], uncovered: EXACT_LIMIT + 1, covered: 0 });
    const raced = await storedListing(READER);
    const decisions = await Promise.all([decideListingAudiences(raced, [group!.id], EXACT_LIMIT + 1), decideListingAudiences(raced, [], EXACT_LIMIT + 1)]);
    const decided = await listingRow(raced);
    // The group's 16 documents (one shared above) covered exactly when the decision that stood chose it.
    expect(decided.covered).toBe(decided.audiences!.length > 0 ? 16 : 0);
    expect(decisions[0]!.length + decisions[1]!.length).toBe(decided.audiences!.length);
  });

  it("takes up no graph whose index is not valid, and builds it again once its build is given up on, not while claimed", async () => {
    const group = await audience(`${GROUP}#member`);
    const index = `audience_chunk_signs_${group!.id}_idx`;
    const valid = async () => (await harness.sql`select 1 from pg_index where indexrelid = to_regclass(${index}) and indisvalid`).length === 1;
    // Marked ready, its index made invalid since: not taken up.
    await harness.sql`update pg_index set indisvalid = false where indexrelid = to_regclass(${index})`;
    const invalid = await storedListing(READER);
    await takeUpAudiences(READER, invalid, EXACT_LIMIT);
    expect(await listingRow(invalid)).toMatchObject({ audiences: [], covered: 0, uncovered: EXACT_LIMIT + 1 });
    // Being built by another instance: left to it.
    await harness.sql`update audiences set graph_ready = false, build_claimed_at = now(), listed_at = now() - make_interval(secs => ${AUDIENCE_MAX_AGE_MS / 1000 + 1}) where id = ${group!.id}`;
    await takeUpAudiences(READER, await storedListing(READER), EXACT_LIMIT);
    expect(await valid()).toBe(false);
    // That build given up on, half an hour on: built again, and taken up.
    await harness.sql`update audiences set build_claimed_at = now() - interval '31 minutes', listed_at = now() - make_interval(secs => ${AUDIENCE_MAX_AGE_MS / 1000 + 1}) where id = ${group!.id}`;
    const listing = await storedListing(READER);
    await takeUpAudiences(READER, listing, EXACT_LIMIT);
    expect(await valid()).toBe(true);
    expect(await audience(`${GROUP}#member`)).toMatchObject({ ready: true });
    expect((await listingRow(listing)).audiences).toEqual([group!.id]);
  });
});
