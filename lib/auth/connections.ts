/**
 * The third-party services Delegate acts on, as Auth0 connections. Shared by the server (which scopes each
 * tool needs) and the browser (what to tell the user a permission means).
 */
export const connections = {
  "google-oauth2": {
    label: "Google",
    scopes: {
      "https://www.googleapis.com/auth/calendar.events.readonly": "See the events on your calendars",
      "https://www.googleapis.com/auth/calendar.freebusy": "See when you are free or busy",
      "https://www.googleapis.com/auth/gmail.readonly": "Read your email",
      "https://www.googleapis.com/auth/gmail.compose": "Create email drafts",
    },
  },
  github: {
    label: "GitHub",
    scopes: {
      "read:user": "Read your profile and activity",
      repo: "Read your repositories, including private ones",
    },
  },
  "sign-in-with-slack": {
    label: "Slack",
    scopes: {
      "channels:read": "See your public channels",
    },
  },
} as const satisfies Record<string, { label: string; scopes: Record<string, string> }>;

export type ConnectionName = keyof typeof connections;

export function isConnectionName(name: string): name is ConnectionName {
  return Object.hasOwn(connections, name);
}

/** "See the events on your calendars" for a known scope; the raw scope otherwise (never hidden). */
export function describeScope(connection: ConnectionName, scope: string): string {
  const scopes: Record<string, string> = connections[connection].scopes;
  return scopes[scope] ?? scope;
}

export const allScopes = (connection: ConnectionName): string[] => Object.keys(connections[connection].scopes);

/**
 * Where someone outside the browser chat (an MCP client, the terminal) sends the user to connect an account: sign in
 * to Delegate first, since their token is not a browser session, then Auth0's Connected Accounts flow for exactly
 * the permissions the tool needs, then the Connections page. Relative to the app's origin.
 */
export function signInAndConnectPath({ connection, requiredScopes }: { connection: string; requiredScopes: readonly string[] }): string {
  const connect = new URLSearchParams({ connection, returnTo: "/connections" });
  for (const scope of requiredScopes) connect.append("scopes", scope);
  return `/auth/login?${new URLSearchParams({ returnTo: `/auth/connect?${connect}` })}`;
}
