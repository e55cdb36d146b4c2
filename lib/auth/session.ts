import "server-only";
import { getAuth0 } from "./auth0";

/** The signed-in person as the app uses it. `sub` is the only identifier authorization decisions rely on. */
export interface CurrentUser {
  sub: string;
  name: string;
  email: string | null;
  picture: string | null;
  /** The identity provider's `email_verified`; absent means not verified, so checks on it fail closed. */
  emailVerified?: boolean;
}

export async function getCurrentUser(): Promise<CurrentUser | null> {
  return (await getAgentSession())?.user ?? null;
}

/** The user plus the refresh token the Token Vault exchange needs. Server-side only, never serialised. */
export interface AgentSession {
  user: CurrentUser;
  refreshToken: string | undefined;
}

export async function getAgentSession(): Promise<AgentSession | null> {
  const session = await getAuth0().getSession();
  if (!session) return null;
  const { sub, name, email, picture, email_verified } = session.user;
  return {
    user: { sub, name: name ?? email ?? sub, email: email ?? null, picture: picture ?? null, emailVerified: email_verified === true },
    refreshToken: session.tokenSet.refreshToken,
  };
}
