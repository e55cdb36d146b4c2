import { describe, expect, it } from "vitest";
import { PendingConnects, type ConnectRequest } from "./pending-connects";

const request: ConnectRequest = {
  sub: "auth0|alice",
  clientId: "delegate-app",
  connection: "github",
  redirectUri: "http://localhost:3000/auth/callback",
  state: "state",
  codeChallenge: "challenge",
  scopes: ["repo"],
};

function withClock() {
  const clock = { now: 1_000_000 };
  const pending = new PendingConnects({ ticketTtlSeconds: 300, codeTtlSeconds: 60, now: () => clock.now });
  return { clock, pending };
}

describe("pending connects", () => {
  it("show a ticket until it expires", () => {
    const { clock, pending } = withClock();
    const { ticket } = pending.start(request);

    clock.now += 299_000;
    expect(pending.peekTicket(ticket)?.connection).toBe("github");
    clock.now += 1_000;
    expect(pending.peekTicket(ticket)).toBeUndefined();
    expect(pending.takeTicket(ticket)).toBeUndefined();
  });

  it("accept a ticket's answer once", () => {
    const { pending } = withClock();
    const { ticket } = pending.start(request);

    expect(pending.takeTicket(ticket)).toBeDefined();
    expect(pending.takeTicket(ticket)).toBeUndefined();
    expect(pending.peekTicket(ticket)).toBeUndefined();
  });

  it("give the connect code a minute after the decision, and complete once, for its own user", () => {
    const { clock, pending } = withClock();
    const first = pending.start(request);
    pending.takeTicket(first.ticket);
    const decision = pending.decide(first.authSession, { kind: "allowed", accountId: "cac_1" });
    expect(decision).toEqual({ kind: "allowed", accountId: "cac_1", connectCode: expect.any(String) });

    expect(pending.takeSession(first.authSession, "auth0|bob")).toBeUndefined();
    expect(pending.takeSession(first.authSession, "auth0|alice")?.decision).toEqual(decision);
    expect(pending.takeSession(first.authSession, "auth0|alice")).toBeUndefined();

    const second = pending.start(request);
    pending.takeTicket(second.ticket);
    pending.decide(second.authSession, { kind: "cancelled" });
    clock.now += 60_000;
    expect(pending.takeSession(second.authSession, "auth0|alice")).toBeUndefined();
  });
});
