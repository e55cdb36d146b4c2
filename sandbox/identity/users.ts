import { createHash, timingSafeEqual } from "node:crypto";

/** Every seeded user signs in with this password; the login page shows it on purpose. */
export const SANDBOX_PASSWORD = "delegate-demo";

export interface SandboxUser {
  /** Auth0-style user id ("<connection>|<id>"), stable so stored data keeps pointing at the same person. */
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  nickname: string;
  /** Path of the avatar on the identity server; claims make it absolute. */
  picture: string;
  avatarColor: string;
}

/**
 * The user's initials on a coloured disc, served by the identity server at `picture`. A URL, not a data URI:
 * the picture travels in the ID token, and nextjs-auth0 keeps that in the session cookie, which must stay small.
 */
export function initialsAvatar({ name, avatarColor: background }: Pick<SandboxUser, "name" | "avatarColor">): string {
  const initials = name
    .split(" ")
    .map((part) => part[0])
    .join("");
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" rx="32" fill="${background}"/>` +
    `<text x="32" y="41" font-family="sans-serif" font-size="24" fill="#fff" text-anchor="middle">${initials}</text>` +
    `</svg>`;
  return svg;
}

function seed(id: string, name: string, avatarColor: string, { emailVerified = true } = {}): SandboxUser {
  return {
    sub: `auth0|${id}`,
    email: `${id}@example.com`,
    email_verified: emailVerified,
    name,
    nickname: id,
    picture: `/avatars/${id}.svg`,
    avatarColor,
  };
}

/**
 * SANDBOX_EXTRA_USERS=<n> adds n more people, user1@example.com to user<n>@example.com with the same password, for
 * load tests that need many distinct signed-in users (`npm run bench:load`). They have no mail, events or documents
 * of their own; the samples shared with everyone are theirs to read.
 */
export function extraSandboxUsers(count: number): SandboxUser[] {
  if (!Number.isInteger(count) || count < 0 || count > 1000) throw new Error(`SANDBOX_EXTRA_USERS must be a whole number from 0 to 1000, not ${count}`);
  return Array.from({ length: count }, (_, i) => seed(`user${i + 1}`, `Test User ${i + 1}`, "#475569"));
}

export const sandboxUsers: readonly SandboxUser[] = [
  seed("alice", "Alice Martin", "#7c3aed"),
  seed("bob", "Bob Chen", "#0f766e"),
  seed("carol", "Carol Diaz", "#c2410c"),
  // Never clicked the verification link: Auth0 still lets him sign in, but his address proves nothing,
  // so the app must not treat it as his (e.g. to share a document with dave@example.com).
  seed("dave", "Dave Evans", "#be185d", { emailVerified: false }),
  ...extraSandboxUsers(Number(process.env.SANDBOX_EXTRA_USERS?.trim() || 0)),
];

export function findUserBySub(sub: string): SandboxUser | undefined {
  return sandboxUsers.find((user) => user.sub === sub);
}

// Hashing first gives equal-length buffers, so the comparison time says nothing about the password.
function passwordMatches(candidate: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(candidate), digest(SANDBOX_PASSWORD));
}

export function authenticate(email: string, password: string): SandboxUser | undefined {
  const normalized = email.trim().toLowerCase();
  const user = sandboxUsers.find((candidate) => candidate.email === normalized);
  return user && passwordMatches(password) ? user : undefined;
}
