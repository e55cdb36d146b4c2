import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, recordOwner } from "@/lib/fga/documents";
import { SHARED_BY_EMAIL_ANSWER, shareWith } from "@/lib/rag/sharing";
import { startSandboxHarness, type SandboxHarness } from "@/sandbox/test-harness";
import { findUsersByEmail } from "./directory";

// Auth0's users-by-email matches exactly, case included, and stores database users' addresses lowercased; the
// stand-in does the same. What a person types must still reach the account it names, and no other.
let sandbox: SandboxHarness;

beforeAll(async () => {
  sandbox = await startSandboxHarness();
});

afterAll(async () => {
  await sandbox?.close();
});

describe("findUsersByEmail", () => {
  it("finds bob however the address is capitalized, once", async () => {
    for (const typed of ["bob@example.com", "Bob@Example.COM", "BOB@EXAMPLE.COM"]) {
      expect(await findUsersByEmail(typed)).toEqual([{ sub: "auth0|bob", email: "bob@example.com", emailVerified: true, name: "Bob Chen" }]);
    }
  });

  it("finds nobody for an address that only resembles one", async () => {
    for (const typed of ["bob@example.co", "bob@example.com.evil.test", "bob+1@example.com", "b0b@example.com", "bób@example.com"]) {
      expect(await findUsersByEmail(typed)).toEqual([]);
    }
  });
});

describe("sharing by email", () => {
  it("reaches bob when the owner types Bob@Example.COM, and nobody else, with the one uniform answer", async () => {
    const alice = await sandbox.signIn("alice@example.com");
    const documentId = randomUUID();
    await recordOwner(alice.sub, documentId);
    const started = performance.now();
    expect(await shareWith(documentId, { type: "email", email: "Bob@Example.COM" })).toBe(SHARED_BY_EMAIL_ANSWER);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(await can("auth0|bob", "can_view", documentId)).toBe(true);
    expect(await can("auth0|carol", "can_view", documentId)).toBe(false);
  });
});
