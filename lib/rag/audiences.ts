import "server-only";
import pMap from "p-map";
import { buildAudienceGraph, chunksInIndex, decideListingAudiences, findAudience, listingChunksInIndex, storeAudience } from "@/db/queries/audiences";
import { audiencesOf, FgaUnavailableError, listAudienceDocuments } from "@/lib/fga/documents";
import { logError } from "@/lib/log";
import { isDocumentId } from "./viewable-listings";

/**
 * Audience graphs, for readers of many documents. Such a reader usually reads most of them through a few audiences —
 * a group they are in, or everyone — each shared with many documents. Scanning the graph of all chunks' signs for
 * the reader's chunks passes several others' for each of theirs (a company-wide group's member reads one chunk in
 * seven in `npm run bench:rag`), and that count is what the scan costs. So each audience whose documents have more
 * chunks than retrieval ranks exactly gets a graph of its own (db/schema.ts, audienceChunkSigns), and a listing of
 * such a reader is scanned in the graphs of the audiences it holds most of, its other documents among the rest
 * (migration 0020's `nearest_listed_chunks`).
 *
 * FGA says who the reader's audiences are and what documents each has; neither answer authorizes anything: the
 * listing, FGA's answer for the reader, decides every chunk a search returns, so a graph that holds a document the
 * reader may no longer read (or lacks one shared since, which the listing then has among its other documents) costs
 * a little time, never a leak.
 */

/** An audience's documents are listed again, and those shared with it since added to its graph, after this long. */
export const AUDIENCE_MAX_AGE_MS = 10 * 60_000;

/** The work under way on this instance, so that two listings needing the same audience wait for one refresh. */
const refreshing = new Map<string, Promise<number | undefined>>();
const underWay = new Set<Promise<void>>();

/**
 * Decides, once the listing is stored, which audience graphs its searches scan: for a listing whose documents have
 * more than `exactLimit` chunks in the index (fewer are ranked exactly), its user's audiences are refreshed from FGA
 * (and a graph built for any that has grown past `exactLimit` chunks), then those built and at least half in the
 * listing are chosen. Searches meanwhile scan the graph of all chunks. Never rejects: failures are logged, and the
 * listing is then scanned as before.
 */
export function takeUpAudiences(userSub: string, listingId: number, exactLimit: number): Promise<void> {
  const work = (async () => {
    try {
      if ((await listingChunksInIndex(listingId, exactLimit + 1)) <= exactLimit) return;
      const subjects = await audiencesOf(userSub);
      // A few at a time: a user in many groups must not send FGA a burst of listings.
      const ready = await pMap(subjects, (subject) => refreshAudience(subject, exactLimit), { concurrency: 4 });
      await decideListingAudiences(listingId, ready.filter((id) => id !== undefined), exactLimit + 1);
    } catch (error) {
      if (!(error instanceof FgaUnavailableError)) logError("rag", "audiences not taken up", error);
    }
  })();
  underWay.add(work);
  void work.finally(() => underWay.delete(work));
  return work;
}

/** Settles when the audience work under way on this instance has, for the benchmark and tests. */
export async function audienceWorkDone(): Promise<void> {
  while (underWay.size > 0) await Promise.all(underWay);
}

/**
 * The audience's id if its graph is built (after refreshing it, if its listing is old), otherwise undefined, as also
 * when that fails (logged): one audience's trouble leaves the others to be taken up.
 */
function refreshAudience(subject: string, exactLimit: number): Promise<number | undefined> {
  const running = refreshing.get(subject);
  if (running) return running;
  const refresh = (async () => {
    try {
      const stored = await findAudience(subject);
      if (stored && Date.now() - stored.listedAt.getTime() < AUDIENCE_MAX_AGE_MS) return stored.graphReady ? stored.id : undefined;
      // FGA object ids that cannot name a stored document are left out, as for a user's listing.
      const documents = (await listAudienceDocuments(subject)).filter(isDocumentId);
      // Too few chunks to need a graph: noted as listed, so that it is not asked about again for a while.
      if (!stored?.graphReady && (await chunksInIndex(documents, exactLimit + 1)) <= exactLimit) {
        await storeAudience(subject, []);
        return undefined;
      }
      const id = await storeAudience(subject, documents);
      return stored?.graphReady || (await buildAudienceGraph(id)) ? id : undefined;
    } catch (error) {
      if (!(error instanceof FgaUnavailableError)) logError("rag", "audience not refreshed", error);
      return undefined;
    } finally {
      refreshing.delete(subject);
    }
  })();
  refreshing.set(subject, refresh);
  return refresh;
}
