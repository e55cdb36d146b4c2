import "server-only";
import { readPermissionRevision } from "@/db/queries/permission-revision";
import { listViewableDocuments } from "@/lib/fga/documents";

/**
 * The documents a user may view, as FGA last listed them, kept to choose the candidates of the user's next searches:
 * listing thousands of documents costs several times the search itself (`npm run bench:rag`). A listing only ever
 * narrows what is ranked; it never authorizes, as retrieval asks FGA afresh about the documents of the chunks it
 * returns (retrieve.ts). So a document unshared since the listing is never returned, and a listing is reused only
 * - while the permission revision has not moved since it was asked for (the caller reads it before ranking), so
 *   every change made through Delegate — an upload, a share, an unshare, a deletion — is seen at once on every server
 *   instance;
 * - for MAX_AGE_MS, after which a document shared outside Delegate (a group joined through FGA's own API) is found:
 *   OpenFGA's own check cache, when enabled, keeps answers for 10 s by default.
 */
export const MAX_AGE_MS = 30_000;
/** Document ids held by all listings together (some 100 bytes each with their set): 20 MB at most per instance. */
const MAX_HELD_IDS = 200_000;

export interface Listing {
  documents: string[];
  viewable: Set<string>;
  /** The permission revision read before FGA was asked. */
  revision: string;
  /** When FGA was asked, for the audit trail. */
  listedAt: Date;
  /** The same moment on the monotonic clock, which a change of the wall clock cannot make younger. */
  listedAtMs: number;
}

/** Most recently listed last, so the first is the one to drop. */
const listings = new Map<string, Listing>();
let heldIds = 0;

/** Asks FGA for the user's viewable documents, and keeps the answer for their next searches. */
export async function listViewable(userSub: string): Promise<Listing> {
  // Read first: a change FGA has after this read moves the revision after it too, so it cannot hide in the listing.
  const revision = await readPermissionRevision();
  const [listedAt, listedAtMs] = [new Date(), performance.now()];
  const documents = await listViewableDocuments(userSub);
  const listing = { documents, viewable: new Set(documents), revision, listedAt, listedAtMs };
  forgetListing(userSub);
  if (documents.length <= MAX_HELD_IDS) {
    listings.set(userSub, listing);
    heldIds += documents.length;
    for (const [oldest, { documents }] of listings) {
      if (heldIds <= MAX_HELD_IDS) break;
      listings.delete(oldest);
      heldIds -= documents.length;
    }
  }
  return listing;
}

/** The user's last listing while it is young enough to reuse; whether the revision has moved is the caller's to check. */
export function lastListing(userSub: string): Listing | undefined {
  const listing = listings.get(userSub);
  if (listing && performance.now() - listing.listedAtMs <= MAX_AGE_MS) return listing;
  forgetListing(userSub);
  return undefined;
}

export function forgetListing(userSub: string) {
  const listing = listings.get(userSub);
  if (!listing) return;
  listings.delete(userSub);
  heldIds -= listing.documents.length;
}
