import "server-only";
import { ClientWriteRequestOnDuplicateWrites, ClientWriteRequestOnMissingDeletes, type TupleKey } from "@openfga/sdk";
import pMap from "p-map";
import { movePermissionRevision } from "@/db/queries/permission-revision";
import { logError } from "@/lib/log";
import { ask, checkEach, FRESH, getFga, userRef } from "./client";

/**
 * Document permissions, asked of OpenFGA (lib/fga/model.fga). Any failure to get an answer throws
 * FgaUnavailableError, and callers refuse the action: authorization fails closed.
 */
export { FgaUnavailableError } from "./client";

export type DocumentPermission = "can_view" | "can_share" | "can_delete";
/** Someone a document can be shared with: a user (by Auth0 `sub`), a group's members, or every signed-in user. */
export type ShareSubject = { type: "user"; sub: string } | { type: "group"; name: string } | { type: "everyone" };

/** A document as FGA names it (lib/fga/model.fga); the audit trail records the same object. */
export const docRef = (id: string) => `doc:${id}`;

export function subjectRef(subject: ShareSubject): string {
  if (subject.type === "user") return userRef(subject.sub);
  if (subject.type === "group") return `group:${subject.name}#member`;
  return "user:*";
}

function parseSubject(user: string): ShareSubject | null {
  if (user === "user:*") return { type: "everyone" };
  const group = /^group:(.+)#member$/.exec(user);
  if (group) return { type: "group", name: group[1]! };
  return user.startsWith("user:") ? { type: "user", sub: user.slice(5) } : null;
}

export async function can(userSub: string, permission: DocumentPermission, documentId: string): Promise<boolean> {
  const { allowed } = await ask("check", () => getFga().check({ user: userRef(userSub), relation: permission, object: docRef(documentId) }, FRESH));
  return allowed === true;
}

/** Whether the user has `permission` on each document, in one batch-check, in the same order. */
export async function canEach(userSub: string, permission: DocumentPermission, documentIds: string[]): Promise<boolean[]> {
  return checkEach(documentIds.map((id) => ({ user: userRef(userSub), relation: permission, object: docRef(id) })));
}

/**
 * Every document on which the user has `permission`, by id, from streamed list-objects: list-objects stops at 1,000
 * results (OpenFGA's default), the stream does not. Only a whole stream is an answer: one that fails part-way —
 * cut, silent past the request timeout, or ending in an error line — throws FgaUnavailableError, never the documents
 * so far. (OpenFGA ends the stream as if complete when its own list-objects deadline runs out, 3 s by default; no
 * client can tell that apart, so a deployment with that many documents per user raises the deadline.)
 */
export async function listPermittedDocuments(userSub: string, permission: DocumentPermission): Promise<string[]> {
  return listObjectIds(userRef(userSub), permission, "doc");
}

export const listViewableDocuments = (userSub: string) => listPermittedDocuments(userSub, "can_view");

/** Every object of `type` on which `user` (a user, a userset such as `group:finance#member`, or `user:*`) has `relation`, by id; streamed as above. */
async function listObjectIds(user: string, relation: string, type: string): Promise<string[]> {
  return ask("streamed-list-objects", async () => {
    const ids: string[] = [];
    for await (const { object } of getFga().streamedListObjects({ user, relation, type }, FRESH)) ids.push(object.slice(type.length + 1));
    return ids;
  });
}

/**
 * Whom documents can be shared with as a whole that the user is one of: every signed-in user, and each group the user
 * is a member of (lib/fga/model.fga), as FGA names them in a tuple's user.
 */
export async function audiencesOf(userSub: string): Promise<string[]> {
  const groups = await listObjectIds(userRef(userSub), "member", "group");
  return ["user:*", ...groups.map((name) => subjectRef({ type: "group", name }))];
}

/** The documents an audience (as `audiencesOf` names it) may view, by id. */
export const listAudienceDocuments = (audience: string) => listObjectIds(audience, "can_view", "doc");

/**
 * Writes a change of who may view a document, then moves the permission revision on, so that no server instance ranks
 * a search by a listing from before it (lib/rag/viewable-listings.ts). It moves even if the write failed, which may
 * have changed some tuples of several writes. Should the database miss the move, the change stands: a listing never
 * authorizes, and listings expire.
 */
async function writeViewChange(write: () => Promise<unknown>) {
  try {
    await ask("write", write);
  } finally {
    await movePermissionRevision().catch((error: unknown) => logError("fga", "permission revision not moved", error));
  }
}

export async function recordOwner(userSub: string, documentId: string) {
  await writeViewChange(() => getFga().writeTuples([{ user: userRef(userSub), relation: "owner", object: docRef(documentId) }]));
}

export async function share(documentId: string, subject: ShareSubject) {
  await writeViewChange(() =>
    getFga().write(
      { writes: [{ user: subjectRef(subject), relation: "viewer", object: docRef(documentId) }] },
      { conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore } },
    ),
  );
}

export async function unshare(documentId: string, subject: ShareSubject) {
  await writeViewChange(() =>
    getFga().write(
      { deletes: [{ user: subjectRef(subject), relation: "viewer", object: docRef(documentId) }] },
      { conflict: { onMissingDeletes: ClientWriteRequestOnMissingDeletes.Ignore } },
    ),
  );
}

/** Who a document is shared with (its viewers), for the share dialog. */
export async function listShares(documentId: string): Promise<ShareSubject[]> {
  const tuples = await readAll({ object: docRef(documentId), relation: "viewer" });
  return tuples.flatMap((tuple) => parseSubject(tuple.user) ?? []);
}

/** Reads of FGA at once for listSharesOfEach: enough to overlap round trips, few enough not to flood FGA. */
const SHARE_READS_AT_ONCE = 8;

/**
 * Who each document is shared with. FGA has no read for the viewers of many objects at once, so it reads one
 * document at a time, SHARE_READS_AT_ONCE in flight; the first failure fails the whole answer.
 */
export async function listSharesOfEach(documentIds: string[]): Promise<Map<string, ShareSubject[]>> {
  const shares = await pMap(documentIds, listShares, { concurrency: SHARE_READS_AT_ONCE });
  return new Map(documentIds.map((id, i) => [id, shares[i]!]));
}

/** Removes every relationship of a deleted document, so no stale permission outlives it. */
export async function forgetDocument(documentId: string) {
  const tuples = await readAll({ object: docRef(documentId) });
  // One move of the revision for all the writes: each move makes every user's next search list again.
  await writeViewChange(async () => {
    for (let i = 0; i < tuples.length; i += 50) {
      await getFga().write({ deletes: tuples.slice(i, i + 50).map(({ user, relation, object }) => ({ user, relation, object })) });
    }
  });
}

async function readAll(filter: { object: string; relation?: string }): Promise<TupleKey[]> {
  const tuples: TupleKey[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await ask("read", () => getFga().read(filter, { continuationToken, pageSize: 100, ...FRESH }));
    tuples.push(...page.tuples.map((t) => t.key));
    continuationToken = page.continuation_token || undefined;
  } while (continuationToken);
  return tuples;
}
