import type postgres from "postgres";
import { getFga } from "@/lib/fga/client";
import { readAuthenticator, signInToAuthenticator } from "@/sandbox/identity/test-authenticator";
import type { SandboxHarness, SignedInUser } from "@/sandbox/test-harness";

// What the app stored and what the sandbox's services hold after it acted, read the way tests check that something
// was (or was not) done: the database directly, the services with the user's own credentials or their test listings.

/** A chat's stored messages, oldest first. */
export function storedMessages(sql: postgres.Sql, chatId: string) {
  return sql<{ id: string; role: string; parts: { type: string; text?: string }[] }[]>`
    select id, role, parts from messages where chat_id = ${chatId} order by created_at`;
}

/** The user's orders at the sandbox shop, oldest first. */
export async function shopOrders(sandbox: SandboxHarness, user: Pick<SignedInUser, "sub">) {
  const response = await fetch(`${sandbox.shopUrl}/sandbox/orders?sub=${encodeURIComponent(user.sub)}`);
  if (!response.ok) throw new Error(`the sandbox shop did not list the orders: HTTP ${response.status}`);
  return ((await response.json()) as { orders: { number: string; quantity: number }[] }).orders;
}

/** How many Gmail drafts the user has, read from Google (the app's GOOGLE_API_URL) with a Token Vault token of theirs. */
export async function gmailDraftCount(sandbox: SandboxHarness, user: SignedInUser): Promise<number> {
  const token = await sandbox.providerToken(user, "google-oauth2");
  const response = await fetch(`${process.env.GOOGLE_API_URL}/gmail/v1/users/me/drafts`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`Gmail did not list the drafts: HTTP ${response.status}`);
  return ((await response.json()) as { resultSizeEstimate: number }).resultSizeEstimate;
}

/** The approval requests waiting on the user's phone, as the sandbox authenticator shows them. */
export async function requestsOnDevice(sandbox: SandboxHarness, user: Pick<SignedInUser, "email">) {
  return (await readAuthenticator(await signInToAuthenticator({ issuer: sandbox.issuer, email: user.email }))).requests;
}

/** Who may do what with a document, as FGA (the app's FGA_API_URL) stores it: "relation@user", sorted. */
export async function tuplesOn(documentId: string): Promise<string[]> {
  const { tuples } = await getFga().read({ object: `doc:${documentId}` }, { pageSize: 100 });
  return tuples.map(({ key }) => `${key.relation}@${key.user}`).sort();
}
