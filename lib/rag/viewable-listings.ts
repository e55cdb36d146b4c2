import "server-only";
import { readPermissionRevisionAt } from "@/db/queries/permission-revision";
import { deleteListing, deleteListings, deleteOldListings, newestListing, storeListing, type StoredListing } from "@/db/queries/viewable-listings";
import { COVERED_FOR_MS, watchChanges } from "@/lib/fga/change-watch";
import { listViewableDocuments } from "@/lib/fga/documents";
import { keepRunning } from "@/lib/http/keep-running";
import { logError } from "@/lib/log";
import { setRecent } from "./recent";

/**
 * The documents a user may view, as FGA last listed them, kept in the database to choose the candidates of the user's
 * next searches: listing thousands of documents costs several times the search itself (`npm run bench:rag`), and the
 * database filters the index scan by a stored listing. A listing is reused only while the permission revision has not
 * moved since it was asked for, so every change made through Delegate — an upload, a share, an unshare, a deletion —
 * is seen at once on every server instance. Beyond that, retrieval (retrieve.ts) trusts it as FGA's answer only while
 * this instance has read FGA's changelog since before it, less than a second ago, and found no change touching the
 * user (lib/fga/change-watch.ts), for up to COVERED_FOR_MS. Otherwise it is a guess at what may be ranked: for
 * MAX_AGE_MS, the documents of what it yields are checked afresh with FGA, so a document unshared since is never
 * returned; after that, a new listing finds a document shared outside Delegate (a group joined through FGA's own
 * API): OpenFGA's own check cache, when enabled, keeps answers for 10 s by default.
 */
export const MAX_AGE_MS = 30_000;
/**
 * The most documents a stored listing holds, which bounds the rows one search writes. A larger one is answered,
 * ranked from memory, and not kept (no figure measured for where storing stops paying).
 */
export const MAX_STORED_DOCUMENTS = 100_000;
/** Listings are swept this long after they were stored, a few at a time after each new one. */
const SWEPT_AFTER_MS = 2 * COVERED_FOR_MS;

export interface Listing {
  /** The stored listing's id, for one reused from the database; undefined for one just asked of FGA. */
  id: number | undefined;
  documentCount: number;
  /** Some of its documents (at most `someCount`), for the audit trail. */
  someDocuments: string[];
  /** All its documents, for a listing just asked of FGA. */
  viewable?: ReadonlySet<string>;
  /** When FGA was asked, for the audit trail. */
  listedAt: Date;
}

export interface FreshListing extends Listing {
  id: undefined;
  viewable: ReadonlySet<string>;
  /** Where the permission revision stood before FGA was asked. */
  revision: string;
  /**
   * Settles once the listing is kept for the user's next searches, with its id: undefined when it is too large to keep
   * or could not be written (logged; the next search lists again).
   */
  stored: Promise<number | undefined>;
}

/** Whether an FGA object id can name a stored document: others are left out, as a uuid column could not hold them. */
export const isDocumentId = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/**
 * Asks FGA for the user's viewable documents, and starts keeping the answer for their next searches: this search
 * ranks by the answer in memory meanwhile, so the write costs it nothing it would not spend ranking.
 */
export async function listViewable(userSub: string, someCount: number): Promise<FreshListing> {
  // Read first: a change FGA has after this read moves the revision after it too, so it cannot hide in the listing. And
  // the listing is dated then, on the database's clock, a little before FGA was asked: were it dated later (the
  // write waiting for a connection, say), a change made in between would pass for one the listing has.
  const { revision, at: listedAt } = await readPermissionRevisionAt();
  watchChanges();
  const documents = (await listViewableDocuments(userSub)).filter(isDocumentId);
  const answer = { id: undefined, documentCount: documents.length, someDocuments: documents.slice(0, someCount), viewable: new Set(documents), listedAt, revision };
  if (documents.length > MAX_STORED_DOCUMENTS) return { ...answer, stored: Promise.resolve(undefined) };
  const stored = storeListing(userSub, { revision, listedAt, documentIds: documents }).then(
    (id) => {
      know(userSub, { id, listedAt, documentCount: documents.length, someDocuments: answer.someDocuments, revision });
      keepRunning(sweepListings());
      return id;
    },
    (error: unknown) => {
      logError("rag", "listing not kept", error);
      return undefined;
    },
  );
  return { ...answer, stored };
}

/**
 * The user's newest listing young enough to be trusted, whether the permission revision has moved since (then it must
 * not be reused), and whether it is young enough to reuse checked (MAX_AGE_MS).
 */
export async function lastListing(userSub: string, someCount: number): Promise<StoredListing | undefined> {
  const listing = await newestListing(userSub, { maxAgeMs: COVERED_FOR_MS, youngMs: MAX_AGE_MS, someCount });
  if (listing?.current) know(userSub, listing);
  return listing;
}

/** A listing this instance stored or read, as it was then: whether the revision still stands is not known. */
export type KnownListing = Pick<StoredListing, "id" | "listedAt" | "documentCount" | "someDocuments" | "revision">;
/**
 * The newest listing of each user this instance stored or found current (the most recent 10,000 users), so that a
 * search which FGA's changelog says nothing has changed since can rank by it without reading it again: the ranking
 * checks in the same statement that the permission revision has not moved (db/queries/documents.ts, DocumentScope).
 */
const known = new Map<string, KnownListing>();
const know = (userSub: string, { id, listedAt, documentCount, someDocuments, revision }: KnownListing) =>
  setRecent(known, userSub, { id, listedAt, documentCount, someDocuments, revision });

export const knownListing = (userSub: string): KnownListing | undefined => known.get(userSub);

/** Drops a listing FGA contradicted. Only that one: a search of the same user running meanwhile may rank by a newer one. */
export async function dropListing(userSub: string, listing: { id: number }) {
  if (known.get(userSub)?.id === listing.id) known.delete(userSub);
  await deleteListing(listing.id);
}

/** Drops all the user's listings, so that their next search lists afresh. */
export async function forgetListing(userSub: string) {
  known.delete(userSub);
  await deleteListings(userSub);
}

async function sweepListings() {
  try {
    await deleteOldListings({ olderThanMs: SWEPT_AFTER_MS, limit: 10 });
  } catch (error) {
    logError("rag", "old listings not swept", error);
  }
}
