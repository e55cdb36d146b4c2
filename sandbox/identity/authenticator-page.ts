/**
 * The sandbox authenticator: the stand-in for the push approval Auth0 Guardian shows on the user's
 * phone. It says plainly that it is the sandbox, and shows what a CIBA request asks for: the binding
 * message, the authorization details as Guardian shows them, the requesting application and the time left.
 */
import type { BackchannelRequest } from "./backchannel-requests";
import { displayedProperties, type GuardianDetail } from "./guardian-details";
import { escapeHtml, renderPage } from "./html";
import type { SandboxUser } from "./users";

export const AUTHENTICATOR_PATH = "/authenticator";
export const AUTHENTICATOR_PATHS = {
  page: AUTHENTICATOR_PATH,
  pending: `${AUTHENTICATOR_PATH}/pending`,
  decision: `${AUTHENTICATOR_PATH}/decision`,
  signIn: `${AUTHENTICATOR_PATH}/sign-in`,
  signOut: `${AUTHENTICATOR_PATH}/sign-out`,
} as const;

const PENDING_SECTION_ID = "pending-requests";
const HEADING = "Delegate sandbox authenticator";

export const secondsLeft = (request: BackchannelRequest, now: number) =>
  Math.max(0, Math.ceil((request.expiresAt - now) / 1000));

/** As Guardian shows a request's details: the instruction, then each displayed property's name and value in order. */
function renderDetails(details: GuardianDetail | undefined): string {
  if (!details) return "";
  const items = displayedProperties(details)
    .map(({ name, value }) => `    <div><dt>${escapeHtml(name.replace(/:\s*$/, ""))}:</dt><dd>${escapeHtml(value)}</dd></div>`)
    .join("\n");
  return `  <p class="instruction">${escapeHtml(details.instruction)}</p>
${items ? `  <dl aria-label="Details">\n${items}\n  </dl>\n` : ""}`;
}

function renderAccess(request: BackchannelRequest): string {
  const apiScopes = request.scopes.filter((scope) => scope !== "openid");
  if (!request.resource && apiScopes.length === 0) return "";
  const scopes = apiScopes.length ? apiScopes.map((scope) => `<code>${escapeHtml(scope)}</code>`).join(" ") : "sign-in only";
  const api = request.resource ? ` for <code>${escapeHtml(request.resource)}</code>` : "";
  return `  <p class="note">Access: ${scopes}${api}</p>\n`;
}

function renderRequest(request: BackchannelRequest, csrfToken: string, now: number): string {
  const message = escapeHtml(request.bindingMessage);
  const left = secondsLeft(request, now);
  return `<article aria-label="${message}" data-request-id="${escapeHtml(request.id)}">
  <h3>${message}</h3>
  <p>Requested by <strong>${escapeHtml(request.clientName)}</strong></p>
${renderDetails(request.details)}${renderAccess(request)}  <p>Expires in <span class="countdown" data-seconds-left="${left}">${left}</span> seconds</p>
  <form method="post" action="${AUTHENTICATOR_PATHS.decision}">
    <input type="hidden" name="csrf" value="${escapeHtml(csrfToken)}">
    <input type="hidden" name="request" value="${escapeHtml(request.id)}">
    <div class="actions">
      <button type="submit" name="decision" value="approve">Approve</button>
      <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
    </div>
  </form>
</article>`;
}

/** The list of pending requests; also served alone, so the page can refresh it in place. */
export function renderPendingSection(requests: readonly BackchannelRequest[], csrfToken: string, now: number): string {
  const ids = requests.map(({ id }) => id).join(" ");
  const body = requests.length
    ? requests.map((request) => renderRequest(request, csrfToken, now)).join("\n")
    : `<p>No pending requests. New ones appear here by themselves.</p>`;
  return `<section id="${PENDING_SECTION_ID}" aria-labelledby="pending-heading" data-ids="${escapeHtml(ids)}">
<h2 id="pending-heading">Pending requests</h2>
${body}
</section>`;
}

// Counts down every second and swaps in the server's list every two, only when the set of requests
// changed, so a button is never replaced under the pointer for nothing. It keeps its deadlines on the
// browser's own clock, from the seconds the server rendered.
const refreshScript = `<script>
(() => {
  const sectionId = ${JSON.stringify(PENDING_SECTION_ID)};
  const arm = (root) => {
    for (const el of root.querySelectorAll("[data-seconds-left]")) {
      el.dataset.deadline = String(Date.now() + Number(el.dataset.secondsLeft) * 1000);
    }
  };
  const tick = () => {
    for (const el of document.querySelectorAll("#" + sectionId + " [data-deadline]")) {
      const left = Math.max(0, Math.ceil((Number(el.dataset.deadline) - Date.now()) / 1000));
      el.textContent = String(left);
      if (left === 0) el.closest("article")?.remove();
    }
  };
  const refresh = async () => {
    const current = document.getElementById(sectionId);
    const response = await fetch(${JSON.stringify(AUTHENTICATOR_PATHS.pending)}, { credentials: "same-origin" });
    if (response.status === 401) return location.reload();
    if (!response.ok || !current) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(sectionId);
    if (!fresh || fresh.dataset.ids === current.dataset.ids) return;
    const adopted = document.importNode(fresh, true);
    arm(adopted);
    current.replaceWith(adopted);
  };
  arm(document);
  setInterval(tick, 1000);
  setInterval(() => refresh().catch(() => {}), 2000);
})();
</script>`;

export interface AuthenticatorPageOptions {
  user: SandboxUser;
  requests: readonly BackchannelRequest[];
  csrfToken: string;
  /** What the user just did, e.g. "Approved: Buy 2 x Acme Widget for at most 39.98". */
  status?: string;
  now: number;
}

export function renderAuthenticatorPage({ user, requests, csrfToken, status, now }: AuthenticatorPageOptions): string {
  return renderPage(
    "Authenticator",
    `<h1>${HEADING}</h1>
<p class="note">Stands in for the push notification Auth0 would send to your phone. This is not Auth0 Guardian, and nothing here leaves your machine.</p>
<p>Signed in as <strong>${escapeHtml(user.name)}</strong> (<code>${escapeHtml(user.email)}</code>).</p>
${status ? `<p role="status">${escapeHtml(status)}</p>` : ""}
${renderPendingSection(requests, csrfToken, now)}
<form method="post" action="${AUTHENTICATOR_PATHS.signOut}">
  <input type="hidden" name="csrf" value="${escapeHtml(csrfToken)}">
  <button type="submit" class="secondary">Sign out</button>
</form>
${refreshScript}`,
  );
}

/** For a form that cannot be acted on: a stale anti-forgery token, or a request no longer open. */
export function renderAuthenticatorError(message: string): string {
  return renderPage(
    "Authenticator",
    `<h1>${HEADING}</h1>
<p role="alert">${escapeHtml(message)}</p>
<p><a href="${AUTHENTICATOR_PATH}">Back to the authenticator</a></p>`,
  );
}

export const AUTHENTICATOR_HEADING = HEADING;
