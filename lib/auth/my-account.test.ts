import { NextRequest, NextResponse } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ToolContext } from "@/lib/auth/tool-context";
import { startSandboxHarness, type SandboxHarness, type SignedInUser } from "@/sandbox/test-harness";
import { explainConnectFailure } from "./connect-failure";
import { deleteConnectedAccount, listConnectedAccounts, MyAccountPolicyError, myAccountPolicyProblem } from "./my-account";
import { withTokenVault } from "./with-token-vault";

// A tenant whose application has no Multi-Resource Refresh Token policy for the My Account API: the login refresh
// token cannot mint My Account tokens, so nothing about connected accounts can work until an administrator adds it.
// Every place the user meets that must say so, instead of "Connect" or "try again".
const POLICY = "the administrator must enable the Multi-Resource Refresh Token policy for the My Account API on the application";

let sandbox: SandboxHarness;
let alice: SignedInUser;

beforeAll(async () => {
  sandbox = await startSandboxHarness({ refreshTokenPolicies: [] });
  alice = await sandbox.signIn("alice@example.com");
});

afterAll(async () => {
  await sandbox?.close();
});

describe("without the My Account refresh-token policy", () => {
  it("the connections list names the policy the administrator must enable", async () => {
    const failure = await listConnectedAccounts(alice.refreshToken).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MyAccountPolicyError);
    expect((failure as Error).message).toBe(
      `Connecting accounts is not set up for Delegate: ${POLICY} in Auth0 (audience ${sandbox.issuer}me/, scopes create:me:connected_accounts, read:me:connected_accounts, delete:me:connected_accounts).`,
    );
    expect(await myAccountPolicyProblem(alice.refreshToken)).toBeInstanceOf(MyAccountPolicyError);
  });

  it("disconnecting names it too", async () => {
    await expect(deleteConnectedAccount(alice.refreshToken, "cac_anything")).rejects.toThrow(POLICY);
  });

  it("a tool needing an account answers with the administrator's fix instead of a Connect prompt that could not work", async () => {
    const context: ToolContext = {
      user: { sub: alice.sub, name: alice.name, email: alice.email, picture: null },
      refreshToken: alice.refreshToken,
      chatId: crypto.randomUUID(),
      timeZone: "UTC",
    };
    let ran = false;
    const output = await withTokenVault(context, { connection: "google-oauth2", scopes: ["https://www.googleapis.com/auth/calendar.events.readonly"] }, async () => {
      ran = true;
      return {};
    })({});
    expect(output).not.toHaveProperty("interrupt");
    expect((output as { error: string }).error).toContain(POLICY);
    expect(ran).toBe(false);
  });

  it("/auth/connect sends the browser to /connections to explain, instead of the SDK's error page", async () => {
    const connectUrl = "http://localhost:3000/auth/connect?connection=github&scopes=repo&returnTo=%2Fconnections";
    const request = new NextRequest(connectUrl, { headers: { cookie: alice.session.appCookie } });
    const sdkAnswer = await sandbox.auth0.middleware(request);
    expect(sdkAnswer.status).toBeGreaterThanOrEqual(400);

    const answer = await explainConnectFailure(request, sdkAnswer);
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("http://localhost:3000/connections?connect_error=my_account_policy");
  });

  it("/auth/connect keeps the SDK's answer when the policy is not the cause", async () => {
    const signedOut = new NextRequest("http://localhost:3000/auth/connect?connection=github");
    const sdkAnswer = new NextResponse("The user does not have an active session.", { status: 401 });
    expect(await explainConnectFailure(signedOut, sdkAnswer)).toBe(sdkAnswer);
  });
});
