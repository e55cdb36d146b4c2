import "server-only";
import { rememberPeople } from "@/db/queries/people";
import { findUsersByEmail } from "@/lib/auth/directory";
import { share, unshare, type ShareSubject } from "@/lib/fga/documents";
import { GROUP_NAME, isShareableEmail } from "./share-rules";

/**
 * Whom a document is shared with, as the share route takes it: `everyone` (every signed-in user), a group as
 * `group:<name>`, a person by email, or, to unshare, a person by the opaque reference the share list gives.
 */
export type ShareTarget = ShareSubject | { type: "email"; email: string };

/** The one answer to sharing by email, so it never tells whether an account uses the address. */
export const SHARED_BY_EMAIL_ANSWER = "If a verified account uses that address, it now has access.";
/** Sharing by email takes at least this long, found or not, so its timing does not tell either. */
const EMAIL_SHARE_ANSWER_MS = 1_000;

export function parseShareTarget(input: string, { unsharing }: { unsharing: boolean }): ShareTarget | null {
  if (input.toLowerCase() === "everyone") return { type: "everyone" };
  if (unsharing && input.startsWith("user:") && input.length > 5) return { type: "user", sub: input.slice(5) };
  const group = /^group:(.*)$/i.exec(input)?.[1];
  if (group !== undefined && GROUP_NAME.test(group)) return { type: "group", name: group.toLowerCase() };
  return isShareableEmail(input) ? { type: "email", email: input } : null;
}

/** Publishing reaches people the owner does not name, so it is only for accounts with a verified email. */
export const isPublishing = (target: ShareTarget) => target.type === "everyone" || target.type === "group";

/** Grants view access and returns what to tell the owner. */
export async function shareWith(documentId: string, target: ShareTarget): Promise<string> {
  if (target.type === "email") {
    await shareByEmail(documentId, target.email);
    return SHARED_BY_EMAIL_ANSWER;
  }
  await share(documentId, target);
  if (target.type === "everyone") return "Everyone signed in can now read it.";
  if (target.type === "group") return `Members of group ${target.name} can now read it.`;
  return "Shared.";
}

/** Withdraws view access; unsharing by email withdraws it from every account using the address. */
export async function unshareWith(documentId: string, target: ShareTarget) {
  if (target.type !== "email") return unshare(documentId, target);
  for (const account of await findUsersByEmail(target.email)) await unshare(documentId, { type: "user", sub: account.sub });
}

/**
 * The directory is asked in every case, and the answer waits out the same minimum time, whether the address
 * belongs to no one, to an unverified account, or to someone who now has access.
 */
async function shareByEmail(documentId: string, email: string) {
  const started = performance.now();
  try {
    // Only a verified address proves who is behind it: sharing to an unverified one could reach a stranger.
    const accounts = (await findUsersByEmail(email)).filter((account) => account.emailVerified);
    for (const account of accounts) await share(documentId, { type: "user", sub: account.sub });
    await rememberPeople(accounts.map(({ sub, name, email: address }) => ({ sub, name, email: address })));
  } finally {
    const remaining = EMAIL_SHARE_ANSWER_MS - (performance.now() - started);
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
  }
}
