/**
 * The third-party services a sandbox user can connect, named as Auth0 names its social connections so
 * that app code passes the same `connection` value to either issuer. Each lists only the scopes the
 * sandbox provider APIs understand, with the words the consent page shows for them.
 */
export interface ConnectionScope {
  scope: string;
  /** What the permission lets the app do, in the user's words; shown on the consent page. */
  description: string;
}

export interface Connection {
  name: string;
  displayName: string;
  scopes: readonly ConnectionScope[];
}

const connection = (name: string, displayName: string, scopes: Record<string, string>): Connection => ({
  name,
  displayName,
  scopes: Object.entries(scopes).map(([scope, description]) => ({ scope, description })),
});

export const connections: readonly Connection[] = [
  connection("google-oauth2", "Google", {
    openid: "Confirm who you are on Google",
    email: "See your email address",
    profile: "See your name and profile picture",
    "https://www.googleapis.com/auth/calendar.events.readonly": "See the events on your calendars",
    "https://www.googleapis.com/auth/calendar.freebusy": "See when you are free or busy",
    "https://www.googleapis.com/auth/gmail.readonly": "Read your email",
    "https://www.googleapis.com/auth/gmail.compose": "Create email drafts and send email",
  }),
  connection("github", "GitHub", {
    "read:user": "Read your profile",
    repo: "Read and write your repositories, including private ones",
  }),
  connection("sign-in-with-slack", "Slack", {
    "channels:read": "See your public channels",
    "groups:read": "See your private channels",
  }),
];

/**
 * Auth0 asks apps to list `offline_access` among a connection's scopes so the provider issues a
 * refresh token. Every sandbox connection is offline already, so the scope is accepted and dropped.
 */
export const IMPLIED_SCOPES: ReadonlySet<string> = new Set(["offline_access"]);

export function findConnection(name: string): Connection | undefined {
  return connections.find((candidate) => candidate.name === name);
}

/** The requested scopes the connection does not support, in request order. */
export function unsupportedScopes(target: Connection, scopes: readonly string[]): string[] {
  const supported = new Set(target.scopes.map(({ scope }) => scope));
  return scopes.filter((scope) => !supported.has(scope) && !IMPLIED_SCOPES.has(scope));
}

/** Describes each scope for people, falling back to the raw scope for one the catalogue lacks. */
export function describeScopes(target: Connection, scopes: readonly string[]): ConnectionScope[] {
  return scopes.map(
    (scope) => target.scopes.find((known) => known.scope === scope) ?? { scope, description: scope },
  );
}
