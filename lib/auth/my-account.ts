import "server-only";
import { getConfig, issuerUrl } from "@/lib/config";
import { IssuerUnavailableError, requestToken } from "./oauth";

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

export class MyAccountError extends Error {
  override name = "MyAccountError";
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function myAccountFetch(refreshToken: string, scope: string, path: string, init: RequestInit = {}) {
  const audience = `${issuerUrl(getConfig())}me/`;
  const { access_token } = await requestToken({ grant_type: "refresh_token", refresh_token: refreshToken, audience, scope });
  let response: Response;
  try {
    response = await fetch(new URL(`v1/connected-accounts/${path}`, audience), {
      ...init,
      headers: { authorization: `Bearer ${access_token}`, accept: "application/json" },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new IssuerUnavailableError(`My Account API unreachable: ${(error as Error).message}`);
  }
  if (!response.ok) throw new MyAccountError(response.status, `My Account API answered HTTP ${response.status}`);
  return response;
}

export async function listConnectedAccounts(refreshToken: string): Promise<ConnectedAccount[]> {
  const accounts: ConnectedAccount[] = [];
  let path = "accounts";
  for (let page = 0; page < 20; page++) {
    const body = (await (await myAccountFetch(refreshToken, "read:me:connected_accounts", path)).json()) as {
      accounts?: ConnectedAccount[];
      next?: string;
    };
    accounts.push(...(body.accounts ?? []));
    if (!body.next) break;
    path = `accounts?${new URLSearchParams({ next: body.next })}`;
  }
  return accounts;
}

export async function deleteConnectedAccount(refreshToken: string, id: string): Promise<void> {
  await myAccountFetch(refreshToken, "delete:me:connected_accounts", `accounts/${encodeURIComponent(id)}`, { method: "DELETE" });
}
