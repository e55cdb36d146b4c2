import type { ConnectionScope } from "./connections";
import { escapeHtml, renderPage } from "./html";

export interface ConsentPageOptions {
  /** Where the form posts. */
  action: string;
  ticket: string;
  appName: string;
  serviceName: string;
  user: { name: string; email: string };
  /** Permissions the app asks for that the user has not given yet. */
  newScopes: readonly ConnectionScope[];
  /** Permissions from an earlier connection, which the account keeps; undefined when not connected yet. */
  grantedScopes?: readonly ConnectionScope[];
}

function permissionList(id: string, heading: string, scopes: readonly ConnectionScope[]): string {
  const items = scopes
    .map(
      ({ scope, description }) =>
        `  <li>${escapeHtml(description)} <code class="note">${escapeHtml(scope)}</code></li>`,
    )
    .join("\n");
  return `<h3 id="${id}">${escapeHtml(heading)}</h3>
<ul aria-labelledby="${id}">
${items}
</ul>`;
}

/**
 * The sandbox's stand-in for a provider's consent screen. It says plainly that it is the sandbox, so
 * nobody mistakes it for Google, GitHub or Slack, and it lists what the app would be allowed to do.
 */
export function renderConsentPage(options: ConsentPageOptions): string {
  const { appName, serviceName, newScopes, grantedScopes } = options;
  const sections: string[] = [];
  if (grantedScopes === undefined) {
    sections.push(
      newScopes.length > 0
        ? permissionList("new-permissions", `${appName} will be able to:`, newScopes)
        : `<p>${escapeHtml(appName)} asks for no specific permissions, only to connect your account.</p>`,
    );
  } else {
    sections.push(`<p>You already connected ${escapeHtml(serviceName)} to ${escapeHtml(appName)}.</p>`);
    sections.push(
      newScopes.length > 0
        ? permissionList("new-permissions", `New permissions ${appName} asks for:`, newScopes)
        : `<p>No new permissions: ${escapeHtml(appName)} already has everything it asks for.</p>`,
    );
    if (grantedScopes.length > 0) {
      sections.push(permissionList("granted-permissions", `Permissions ${appName} already has:`, grantedScopes));
    }
  }

  const service = escapeHtml(serviceName);
  return renderPage(
    `Connect ${serviceName}`,
    `<h1>Delegate sandbox identity server</h1>
<p class="note">A local stand-in for ${service}'s consent screen. This is not ${service}: nothing is sent to ${service}
and no real account is connected.</p>
<h2>Connect your ${service} account to ${escapeHtml(appName)}</h2>
<p>Signed in as ${escapeHtml(options.user.name)} (<code>${escapeHtml(options.user.email)}</code>).</p>
${sections.join("\n")}
<form method="post" action="${escapeHtml(options.action)}">
  <input type="hidden" name="ticket" value="${escapeHtml(options.ticket)}">
  <div class="actions">
    <button type="submit" name="decision" value="allow">Allow</button>
    <button type="submit" name="decision" value="cancel" class="secondary">Cancel</button>
  </div>
</form>`,
  );
}

/** For a ticket that is unknown, expired or already answered. */
export function renderConnectErrorPage(message: string): string {
  return renderPage(
    "Connection request not found",
    `<h1>Delegate sandbox identity server</h1>
<p role="alert">${escapeHtml(message)}</p>
<p class="note">Start again from the app's Connect button.</p>`,
  );
}
