/**
 * The consent screen a third-party application gets, as Auth0 shows one: the application's name, each API it
 * asks for by name, and what every permission allows in plain words, with Allow and Deny.
 */
import { escapeHtml, renderPage } from "./html";

/** What the OpenID Connect scopes give an application, in words. */
export const OIDC_SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: "Know who you are (your user id)",
  profile: "See your name, nickname and picture",
  email: "See your email address and whether it is verified",
  offline_access: "Keep this access while you are away, until you revoke it",
};

export interface ConsentApi {
  /** The API's name, e.g. "Delegate tools (MCP)". */
  name: string;
  /** Its identifier (audience), shown so the user can tell it from a look-alike. */
  audience: string;
  /** The permissions asked for, each with its description (or the permission itself when it has none). */
  scopes: { scope: string; description: string }[];
}

export interface ConsentPageOptions {
  action: string;
  clientName: string;
  /**
   * For a client identified by a metadata document: the host of its client_id URL, the one part of the name a
   * look-alike cannot copy (the CIMD draft's security considerations: show the client_id's hostname).
   */
  clientHost?: string;
  /** Whom the user is signed in as. */
  userEmail: string;
  oidcScopes: readonly string[];
  apis: readonly ConsentApi[];
}

function scopeList(id: string, items: { scope: string; description: string }[]): string {
  const rows = items.map(({ scope, description }) => `  <li>${escapeHtml(description)} <code>${escapeHtml(scope)}</code></li>`);
  return `<ul aria-labelledby="${id}">\n${rows.join("\n")}\n</ul>`;
}

export function renderConsentPage({ action, clientName, clientHost, userEmail, oidcScopes, apis }: ConsentPageOptions): string {
  const account = oidcScopes.length
    ? `<h2 id="consent-account">Your account</h2>
${scopeList("consent-account", oidcScopes.map((scope) => ({ scope, description: OIDC_SCOPE_WORDS[scope] ?? scope })))}`
    : "";
  const apiSections = apis
    .map(
      (api, index) => `<h2 id="consent-api-${index}">${escapeHtml(api.name)}</h2>
<p class="note">API <code>${escapeHtml(api.audience)}</code></p>
${api.scopes.length ? scopeList(`consent-api-${index}`, api.scopes) : `<p>No permissions, only access to the API.</p>`}`,
    )
    .join("\n");
  return renderPage(
    "Authorize application",
    `<h1>Authorize ${escapeHtml(clientName)}</h1>
<p class="note">Delegate sandbox identity server: a local stand-in for Auth0. This is not Auth0.</p>
<p><strong>${escapeHtml(clientName)}</strong> is a third-party application${clientHost ? `, published by <strong>${escapeHtml(clientHost)}</strong>` : ""}. It asks to act as you (<code>${escapeHtml(userEmail)}</code>) and to:</p>
${clientHost ? `<p class="note">Its details come from a document on ${escapeHtml(clientHost)}; allow only if you trust that site.</p>` : ""}
${account}
${apiSections}
<form method="post" action="${escapeHtml(action)}" class="actions" aria-label="Your decision">
  <button type="submit" name="decision" value="allow">Allow</button>
  <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  );
}
