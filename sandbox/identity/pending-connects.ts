import { randomBytes } from "node:crypto";

/** What `POST /me/v1/connected-accounts/connect` asked for, checked before it gets here. */
export interface ConnectRequest {
  sub: string;
  clientId: string;
  connection: string;
  redirectUri: string;
  state: string;
  /** S256 PKCE challenge; `complete` must bring its verifier. */
  codeChallenge: string;
  /** Provider scopes to add to the user's connected account. */
  scopes: string[];
}

export type ConnectDecision = { kind: "allowed"; connectCode: string; accountId: string } | { kind: "cancelled" };

export interface PendingConnect extends ConnectRequest {
  authSession: string;
  ticket: string;
  /** Epoch milliseconds; the ticket's deadline until a decision, then the connect code's. */
  expiresAt: number;
  decision?: ConnectDecision;
}

export interface PendingConnectsOptions {
  /** How long the consent page stays usable; the `expires_in` of the connect response. */
  ticketTtlSeconds?: number;
  /** How long the app has to complete after the user decided, like an authorization code. */
  codeTtlSeconds?: number;
  now?: () => number;
}

const secret = () => randomBytes(24).toString("base64url");

/**
 * Connect attempts between `connect` and `complete`. They live in memory: each lasts minutes, and a
 * restart only means the user presses Connect again. Every lookup that spends a ticket or a session
 * is synchronous, so two concurrent requests can never both spend the same one.
 */
export class PendingConnects {
  readonly #bySession = new Map<string, PendingConnect>();
  readonly #sessionByTicket = new Map<string, string>();
  readonly #ticketTtlMs: number;
  readonly #codeTtlMs: number;
  readonly #now: () => number;

  constructor({ ticketTtlSeconds = 300, codeTtlSeconds = 60, now = Date.now }: PendingConnectsOptions = {}) {
    this.#ticketTtlMs = ticketTtlSeconds * 1000;
    this.#codeTtlMs = codeTtlSeconds * 1000;
    this.#now = now;
  }

  get ticketTtlSeconds(): number {
    return this.#ticketTtlMs / 1000;
  }

  start(request: ConnectRequest): PendingConnect {
    this.#prune();
    const pending: PendingConnect = {
      ...request,
      authSession: secret(),
      ticket: secret(),
      expiresAt: this.#now() + this.#ticketTtlMs,
    };
    this.#bySession.set(pending.authSession, pending);
    this.#sessionByTicket.set(pending.ticket, pending.authSession);
    return structuredClone(pending);
  }

  /** The attempt a consent page shows, without spending its ticket, so reloading the page works. */
  peekTicket(ticket: string): PendingConnect | undefined {
    this.#prune();
    const authSession = this.#sessionByTicket.get(ticket);
    const pending = authSession === undefined ? undefined : this.#bySession.get(authSession);
    return pending && structuredClone(pending);
  }

  /** Spends the ticket: the consent page's answer is accepted once. */
  takeTicket(ticket: string): PendingConnect | undefined {
    const pending = this.peekTicket(ticket);
    this.#sessionByTicket.delete(ticket);
    return pending;
  }

  /** Records the user's answer for a taken ticket and starts the connect code's shorter clock. */
  decide(
    authSession: string,
    decision: { kind: "allowed"; accountId: string } | { kind: "cancelled" },
  ): ConnectDecision {
    const pending = this.#bySession.get(authSession);
    if (!pending) throw new Error("the connect attempt expired before it was decided");
    pending.decision = decision.kind === "allowed" ? { ...decision, connectCode: secret() } : decision;
    pending.expiresAt = this.#now() + this.#codeTtlMs;
    return structuredClone(pending.decision);
  }

  /** Spends the user's attempt: `complete` gets one try, as with an authorization code. */
  takeSession(authSession: string, sub: string): PendingConnect | undefined {
    this.#prune();
    const pending = this.#bySession.get(authSession);
    if (!pending || pending.sub !== sub) return undefined;
    this.#bySession.delete(authSession);
    this.#sessionByTicket.delete(pending.ticket);
    return pending;
  }

  #prune(): void {
    const now = this.#now();
    for (const [authSession, pending] of this.#bySession) {
      if (pending.expiresAt <= now) {
        this.#bySession.delete(authSession);
        this.#sessionByTicket.delete(pending.ticket);
      }
    }
  }
}
