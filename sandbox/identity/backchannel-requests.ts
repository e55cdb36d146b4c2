/**
 * CIBA requests waiting for the user, as the authenticator page lists them. oidc-provider keeps the
 * requests themselves (and answers the app's polls from them); this is the index it lacks: by user,
 * with what the page shows. Each entry gets its own id for the page's forms, so the `auth_req_id`,
 * which is the app's credential, never appears in HTML.
 *
 * It lives in memory: a request lasts at most five minutes, and after a restart the app's poll ends
 * as it would had the user not answered: expired, which Auth0 answers `access_denied`.
 */
import { randomBytes } from "node:crypto";
import type { GuardianDetail } from "./guardian-details";

export interface BackchannelRequest {
  /** The page's id for the request; not the auth_req_id. */
  id: string;
  authReqId: string;
  /** The user who must answer, as a `sub`. */
  accountId: string;
  clientId: string;
  /** The requesting application as the user knows it. */
  clientName: string;
  bindingMessage: string;
  /** Every scope requested, OpenID Connect and API scopes alike. */
  scopes: string[];
  /** The API (audience) the access token is for, if any. */
  resource?: string;
  /** What the user approves, in the Guardian schema every request here is held to. */
  details?: GuardianDetail;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export class BackchannelRequests {
  readonly #byId = new Map<string, BackchannelRequest>();
  readonly #now: () => number;

  constructor({ now = Date.now }: { now?: () => number } = {}) {
    this.#now = now;
  }

  add(request: Omit<BackchannelRequest, "id">): BackchannelRequest {
    this.#prune();
    const entry = { ...request, id: `bcr_${randomBytes(12).toString("base64url")}` };
    this.#byId.set(entry.id, entry);
    return structuredClone(entry);
  }

  /** The user's unexpired, unanswered requests, oldest first. */
  pendingFor(accountId: string): BackchannelRequest[] {
    this.#prune();
    return [...this.#byId.values()]
      .filter((request) => request.accountId === accountId)
      .sort((a, b) => a.expiresAt - b.expiresAt)
      .map((request) => structuredClone(request));
  }

  /**
   * Removes and returns the request for an answer, only if it is the user's own and still open. It is
   * synchronous, so two answers racing for one request cannot both get it.
   */
  take(id: string, accountId: string): BackchannelRequest | undefined {
    this.#prune();
    const request = this.#byId.get(id);
    if (!request || request.accountId !== accountId) return undefined;
    this.#byId.delete(id);
    return request;
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, request] of this.#byId) {
      if (request.expiresAt <= now) this.#byId.delete(id);
    }
  }
}
