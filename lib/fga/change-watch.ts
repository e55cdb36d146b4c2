import "server-only";
import type { TupleChange } from "@openfga/sdk";
import { getConfig } from "@/lib/config";
import { ask, getFga } from "./client";

/**
 * FGA's changelog (ReadChanges), read by this server instance, so that a stored listing of what a user may view can
 * stand as authorization without asking FGA about each search's results: the listing is trusted while this instance
 * has read every change since before it was asked, up to less than FGA_CHANGES_TRUSTED_MS ago (a second by default,
 * lib/config.ts), and none of them touches who may view a document for that user. It is FGA's "local index from the changes endpoint" (openfga.dev, Search with
 * permissions), trusted by its freshness as Auth0 FGA's Colocated Permissions Index is. Changes made through Delegate
 * also move the permission revision (lib/rag/viewable-listings.ts), which every instance sees at once; this catches
 * those made through FGA's own API, within FGA_CHANGES_TRUSTED_MS.
 *
 * Reads happen on demand, at most one at a time and one per half of that per instance: Auth0 FGA takes 10 ReadChanges
 * requests a second per store (docs.fga.dev, Read Changes), and a read that fails or is refused only means the search
 * checks its results with FGA, as before.
 */
/**
 * FGA's changelog records tuples, not a new authorization model, which can change anyone's permissions: a deployment
 * that does not pin FGA_MODEL_ID (so FGA answers by the store's latest model) never trusts a listing.
 */
const trustedForMs = () => {
  const config = getConfig();
  return config.FGA_MODEL_ID ? config.FGA_CHANGES_TRUSTED_MS : 0;
};
/**
 * The longest a search waits for a read under way (FGA slow, or retrying a refused request) before it checks its
 * results instead: about what ranking takes.
 */
const LONGEST_WAIT_MS = 50;
/**
 * Each read starts this long before the last one did, and a change touching a user this long before their listing, or
 * less, may or may not be in it: FGA stamps changes by its own clock, and a change written beside another may commit
 * after it, so appear behind where a read already went.
 */
export const MARGIN_MS = 5_000;
/**
 * The oldest listing a search trusts, if this instance has read FGA's changelog since before it (lib/rag/
 * viewable-listings.ts reuses none older). An instance's first read goes back only 2 × MARGIN_MS, as a busy store's
 * quarter of an hour of changes could take many requests, so it trusts listings asked after it started.
 */
export const COVERED_FOR_MS = 15 * 60_000;
/** ReadChanges' largest page (OpenFGA's default maximum), and how many a read takes before it gives up on coverage. */
const PAGE_SIZE = 100;
const MAX_PAGES = 20;

/**
 * Object types whose tuples decide nothing about who may view a document (lib/fga/model.fga; a test holds the model to
 * this): any other type's changes count, a type added later included.
 */
export const NOT_VIEWING_TYPES = ["tool", "organization"] as const;

interface Coverage {
  /** Every change from this time (epoch ms, FGA's clock give or take MARGIN_MS) has been read … */
  since: number;
  /** … up to a read that started at this time. */
  readAt: number;
}
let coverage: Coverage | undefined;
/** When the last read that gave up (more changes than it takes) started: of listings asked before it, nothing is known. */
let gaveUpAt = -Infinity;
let reading: Promise<void> | undefined;
let lastReadStartedAt = -Infinity;
/**
 * When the newest change touching each user's viewing was made (epoch ms); EVERYONE for changes touching anyone. A
 * change read twice, as consecutive reads overlap by MARGIN_MS, changes nothing here.
 */
const touched = new Map<string, number>();
const EVERYONE = "*";

/**
 * Whom a change can make able or unable to view a document: the user it names, or everyone. A tuple names its subject
 * on the left of an edge of the graph, and no relation is defined on `user` (the model test holds this), so a tuple
 * whose subject is one user changes no other user's permissions; a wildcard or a group's members (a userset) may
 * change anyone's.
 */
function whoseViewing(change: TupleChange): string | undefined {
  const { object, user } = change.tuple_key;
  const type = object.slice(0, object.indexOf(":"));
  if ((NOT_VIEWING_TYPES as readonly string[]).includes(type)) return undefined;
  return user.startsWith("user:") && user !== "user:*" && !user.includes("#") ? user.slice("user:".length) : EVERYONE;
}

/** What FGA's changelog says of a listing: whether a change touching its user came after it, read at `readAt`. */
export interface SinceListing {
  changed: boolean;
  readAt: Date;
}

/**
 * Whether a change touching the user came after their listing asked of FGA at `listedAt`, or nothing did; undefined
 * when that is not known: the last read is too old, did not reach back before the listing, or a change came too close
 * to it (within MARGIN_MS before) to tell whether the listing has it. Starts a read if the last is getting old, and
 * waits a little for one under way (it runs beside the search's own work).
 */
export async function changesSince(userSub: string, listedAt: Date): Promise<SinceListing | undefined> {
  if (trustedForMs() === 0) return undefined;
  watchChanges();
  if (!isFresh() && reading) await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, LONGEST_WAIT_MS))]);
  if (!coverage || !isFresh()) return undefined;
  const asked = listedAt.getTime();
  if (coverage.since > asked - MARGIN_MS || gaveUpAt >= asked - MARGIN_MS) return undefined;
  const last = Math.max(touched.get(EVERYONE) ?? -Infinity, touched.get(userSub) ?? -Infinity);
  if (last >= asked - MARGIN_MS && last <= asked) return undefined;
  return { changed: last > asked, readAt: new Date(coverage.readAt) };
}

const isFresh = () => coverage !== undefined && Date.now() - coverage.readAt < trustedForMs();

/**
 * Reads the changelog unless a read is under way or began less than half the trusted time ago: called as a listing
 * is asked too, so that an instance's reads cover it from the start.
 */
export function watchChanges(): void {
  if (reading || trustedForMs() === 0 || Date.now() - lastReadStartedAt < trustedForMs() / 2) return;
  lastReadStartedAt = Date.now();
  reading = read()
    .catch(() => {}) // logged by ask(); the searches meanwhile check their results with FGA
    .finally(() => (reading = undefined));
}

async function read() {
  const readAt = Date.now();
  const since = coverage ? coverage.readAt - MARGIN_MS : readAt - 2 * MARGIN_MS;
  let continuationToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { changes, continuation_token } = await ask("read-changes", () =>
      // Every object type (an empty type is none): doc and group changes both matter, in one request rather than two.
      getFga().readChanges({ type: "", startTime: new Date(since).toISOString() }, { pageSize: PAGE_SIZE, continuationToken }),
    );
    // A page with no `changes` at all is an empty one, not an error to stop on.
    for (const change of changes ?? []) note(change);
    if ((changes?.length ?? 0) < PAGE_SIZE) {
      coverage = { since: forgetBefore(readAt - COVERED_FOR_MS, coverage?.since ?? since), readAt };
      return;
    }
    continuationToken = continuation_token;
  }
  // More changes than a read takes, all of them made before it: nothing is known of a listing asked before it (give or
  // take MARGIN_MS), so what it did not read need not be, and the next read starts from it.
  gaveUpAt = readAt;
  coverage = { since: coverage?.since ?? since, readAt };
}

function note(change: TupleChange) {
  const who = whoseViewing(change);
  if (who === undefined) return;
  const at = Date.parse(change.timestamp);
  // An unreadable time counts as now: the change is newer than any listing.
  const when = Number.isFinite(at) ? at : Date.now();
  touched.set(who, Math.max(touched.get(who) ?? -Infinity, when));
}

/**
 * Forgets the changes made before `time`, and answers where what is remembered now begins: no listing asked before it
 * (give or take MARGIN_MS) is vouched for, however long it stays in use.
 */
function forgetBefore(time: number, since: number): number {
  for (const [who, at] of touched) if (at < time) touched.delete(who);
  return Math.max(since, time);
}
