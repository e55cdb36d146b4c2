import "server-only";
import { getConfig, issuerUrl } from "@/lib/config";
import { IssuerUnavailableError, OAuthError, requestToken } from "./oauth";

/**
 * Auth0's My Account API (Connected Accounts), called server-side with a short-lived token minted from the
 * user's refresh token for the `<issuer>me/` audience. The browser never holds that token.
 */
export interface ConnectedAccount {
  id: string;
  connection: string;
  scopes: string[];
  created_at: string;
  expires_at?: string;
}

export const MY_ACCOUNT_SCOPES = {
  create: "create:me:connected_accounts",
  read: "read:me:connected_accounts",
  delete: "delete:me:connected_accounts",
} as const;
type MyAccountScope = (typeof MY_ACCOUNT_SCOPES)[keyof typeof MY_ACCOUNT_SCOPES];

export class MyAccountError extends Error {
  override name = "MyAccountError";
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * The login refresh token cannot mint My Account tokens. At Auth0 that takes a Multi-Resource Refresh Token
 * policy on the application listing the My Account API and its scopes; without one the audience is silently
 * ignored and a token for the sign-in's own audience comes back, which the My Account API then refuses
 * (auth0.com/docs/secure/tokens/refresh-tokens/multi-resource-refresh-token). Only an administrator can fix it.
 */
export class MyAccountPolicyError extends Error {
  override name = "MyAccountPolicyError";
  /** Where the connect flow sends the browser to explain it (`/connections?connect_error=…`). */
  static readonly code = "my_account_policy";
  constructor() {
    super(
      `Connecting accounts is not set up for Delegate: the administrator must enable the Multi-Resource Refresh Token policy for the My Account API on the application in Auth0 (audience ${myAccountAudience()}, scopes ${Object.values(MY_ACCOUNT_SCOPES).join(", ")}).`,
    );
  }
}

/** The login refresh token is unknown, expired or revoked (`invalid_grant`): only signing in again helps. */
export class MyAccountSignInError extends Error {
  override name = "MyAccountSignInError";
  constructor() {
    super("Your Delegate sign-in has expired or was revoked. Sign out and sign in again to manage your connections.");
  }
}

const myAccountAudience = () => `${issuerUrl(getConfig())}me/`;

/** A My Account token with `scope`, or MyAccountPolicyError when the answer shows the policy does not allow it. */
async function myAccountToken(refreshToken: string, scope: MyAccountScope): Promise<string> {
  let response;
  try {
    response = await requestToken({ grant_type: "refresh_token", refresh_token: refreshToken, audience: myAccountAudience(), scope });
  } catch (error) {
    if (error instanceof OAuthError && error.error === "invalid_grant") throw new MyAccountSignInError();
    throw error;
  }
  if (response.scope !== undefined && !response.scope.split(" ").includes(scope)) throw new MyAccountPolicyError();
  return response.access_token;
}

async function myAccountFetch(refreshToken: string, scope: MyAccountScope, path: string, init: RequestInit = {}) {
  const accessToken = await myAccountToken(refreshToken, scope);
  let response: Response;
  try {
    response = await fetch(new URL(`v1/connected-accounts/${path}`, myAccountAudience()), {
      ...init,
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new IssuerUnavailableError(`My Account API unreachable: ${(error as Error).message}`);
  }
  // A token minted a moment ago is refused only when it is not for this API or lacks the scope: the policy again.
  if (response.status === 401 || response.status === 403) throw new MyAccountPolicyError();
  if (!response.ok) throw new MyAccountError(response.status, `My Account API answered HTTP ${response.status}`);
  return response;
}

/** Auth0's largest page (`take` is 1–20); a user with more accounts than fit in 50 pages is not expected. */
const MAX_PAGE_SIZE = 20;
const MAX_PAGES = 50;

/**
 * Every connected account of the user, page by page: `take` accounts at a time, each next page asked `from` the
 * cursor the previous answer gave as `next` (auth0.com/docs/api/myaccount/connected-accounts/get-a-list-of-connected-accounts).
 */
export async function listConnectedAccounts(refreshToken: string, { pageSize = MAX_PAGE_SIZE } = {}): Promise<ConnectedAccount[]> {
  const accounts: ConnectedAccount[] = [];
  const query = new URLSearchParams({ take: String(pageSize) });
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = (await (await myAccountFetch(refreshToken, MY_ACCOUNT_SCOPES.read, `accounts?${query}`)).json()) as {
      accounts?: ConnectedAccount[];
      next?: string;
    };
    accounts.push(...(body.accounts ?? []));
    if (!body.next || body.next === query.get("from")) return accounts;
    query.set("from", body.next);
  }
  throw new MyAccountError(200, `My Account API kept paging past ${MAX_PAGES} pages`);
}

export async function deleteConnectedAccount(refreshToken: string, id: string): Promise<void> {
  await myAccountFetch(refreshToken, MY_ACCOUNT_SCOPES.delete, `accounts/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/**
 * Whether the user's refresh token can start a connect (`/auth/connect` asks for exactly this token): null when it
 * can, MyAccountPolicyError when the application lacks the policy. Other failures say nothing about the policy.
 */
export async function myAccountPolicyProblem(refreshToken: string): Promise<MyAccountPolicyError | null> {
  try {
    await myAccountToken(refreshToken, MY_ACCOUNT_SCOPES.create);
    return null;
  } catch (error) {
    if (error instanceof MyAccountPolicyError) return error;
    return null;
  }
}
