import { afterEach, describe, expect, it, vi } from "vitest";

/** users.ts reads SANDBOX_EXTRA_USERS when it loads, so each case loads a fresh copy. */
async function loadUsers(extra?: string) {
  vi.resetModules();
  if (extra !== undefined) vi.stubEnv("SANDBOX_EXTRA_USERS", extra);
  return import("./users");
}

afterEach(() => vi.unstubAllEnvs());

describe("SANDBOX_EXTRA_USERS", () => {
  it("adds that many distinct, verified people after the four seeded ones, who sign in with the sandbox password", async () => {
    const { authenticate, findUserBySub, sandboxUsers, SANDBOX_PASSWORD } = await loadUsers("3");
    expect(sandboxUsers.slice(4).map(({ sub, email, email_verified }) => ({ sub, email, email_verified }))).toEqual([
      { sub: "auth0|user1", email: "user1@example.com", email_verified: true },
      { sub: "auth0|user2", email: "user2@example.com", email_verified: true },
      { sub: "auth0|user3", email: "user3@example.com", email_verified: true },
    ]);
    expect(authenticate("User3@example.com ", SANDBOX_PASSWORD)?.sub).toBe("auth0|user3");
    expect(authenticate("user3@example.com", "wrong")).toBeUndefined();
    expect(findUserBySub("auth0|user2")?.name).toBe("Test User 2");
  });

  it("adds nobody when unset, so only the four seeded people can sign in", async () => {
    const { authenticate, sandboxUsers, SANDBOX_PASSWORD } = await loadUsers();
    expect(sandboxUsers.map((user) => user.email)).toEqual(["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]);
    expect(authenticate("user1@example.com", SANDBOX_PASSWORD)).toBeUndefined();
  });

  it("refuses a count that is not a whole number from 0 to 1000", async () => {
    for (const bad of ["-1", "2.5", "many", "1001"]) await expect(loadUsers(bad)).rejects.toThrow(/SANDBOX_EXTRA_USERS must be a whole number/);
  });
});
