import type { AgentSession, CurrentUser } from "@/lib/auth/session";
import type { SignedInUser } from "@/sandbox/test-harness";

/** A user the sandbox harness signed in, with the real refresh token it obtained, or one a test makes up. */
type SessionUser = SignedInUser | (CurrentUser & { refreshToken?: string });

/**
 * Stands in for the cookie session in route tests: whoever is `current` is signed in, with their refresh token if
 * they have one (a made-up user has none, so it suits routes that reach no Token Vault or CIBA). Use with
 * `vi.mock("@/lib/auth/session", () => import("./harness-session"))`.
 */
export const session = { current: null as SessionUser | null };

export async function getAgentSession(): Promise<AgentSession | null> {
  const user = session.current;
  if (!user) return null;
  const picture = "picture" in user ? user.picture : null;
  return { user: { sub: user.sub, name: user.name, email: user.email, picture, emailVerified: user.emailVerified }, refreshToken: user.refreshToken };
}

export async function getCurrentUser() {
  return (await getAgentSession())?.user ?? null;
}
