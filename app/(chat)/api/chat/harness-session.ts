import type { SignedInUser } from "@/sandbox/test-harness";

/**
 * Stands in for the cookie session in route tests: whoever is `current` is signed in, with the real refresh
 * token the sandbox harness obtained for them. Use with
 * `vi.mock("@/lib/auth/session", () => import("./harness-session"))`.
 */
export const session = { current: null as SignedInUser | null };

export async function getAgentSession() {
  const user = session.current;
  return user && { user: { sub: user.sub, name: user.name, email: user.email, picture: null, emailVerified: user.emailVerified }, refreshToken: user.refreshToken };
}

export async function getCurrentUser() {
  return (await getAgentSession())?.user ?? null;
}
