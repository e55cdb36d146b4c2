import type { ErrorOut, KoaContextWithOIDC, OIDCProviderError } from "oidc-provider";
import { escapeHtml, renderPage } from "./html";

/** `detail` says what went wrong beyond the OAuth error, e.g. why a client's metadata document could not be read. */
export function renderErrorPage(out: ErrorOut & { detail?: string }): string {
  return renderPage(
    "Error",
    `<h1>Delegate sandbox identity server</h1>
<p role="alert"><code>${escapeHtml(out.error)}</code></p>
${out.error_description ? `<p>${escapeHtml(out.error_description)}</p>` : ""}
${out.detail ? `<p>Details: ${escapeHtml(out.detail)}</p>` : ""}
<p class="note">Start again from the app's sign-in link.</p>`,
  );
}

/**
 * The OAuth error an authorization request gets for oidc-provider's own codes, which RFC 6749 §4.1.2.1 does not
 * have: a client whose metadata document cannot be accepted is an invalid client, and a redirect_uri the client
 * never registered is an invalid request, as Auth0 answers a callback URL mismatch.
 */
const AUTHORIZATION_ERRORS: Readonly<Record<string, string>> = {
  InvalidClientMetadata: "invalid_client",
  InvalidRedirectUri: "invalid_request",
};

/**
 * oidc-provider's `renderError` hook, for failures that cannot be redirected back to the app. The page is for the
 * developer in front of the sandbox, so it also shows the detail oidc-provider keeps from the client.
 */
export function renderError(ctx: KoaContextWithOIDC, out: ErrorOut, error?: Error): void {
  const detail = (error as Partial<OIDCProviderError> | undefined)?.error_detail;
  const code = (error && Object.hasOwn(AUTHORIZATION_ERRORS, error.name) && AUTHORIZATION_ERRORS[error.name]) || out.error;
  // oidc-provider's schema errors ("redirect_uris must contain members") do not say whose metadata they are about.
  const description =
    error?.name === "InvalidClientMetadata" && !out.error_description?.startsWith("client_id metadata document")
      ? `client_id metadata document: ${out.error_description}`
      : out.error_description;
  ctx.type = "html";
  ctx.body = renderErrorPage({ ...out, error: code, error_description: description, detail });
}

/**
 * RP-initiated logout confirmation. Auth0 signs the user out without asking, so the form submits
 * itself. `logout=yes` ends the whole sandbox session rather than only the app's share of it, so
 * the next sign-in shows the login form again and another user can be chosen.
 */
export function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  const confirmedForm = form.replace("</form>", `<input type="hidden" name="logout" value="yes"/></form>`);
  ctx.type = "html";
  ctx.body = renderPage(
    "Signing out",
    `<h1>Delegate sandbox identity server</h1>
<p>Signing you out…</p>
${confirmedForm}
<noscript><button type="submit" form="op.logoutForm">Sign out</button></noscript>
<script>document.getElementById("op.logoutForm").submit();</script>`,
  );
}

/** Shown only when the app sent no post_logout_redirect_uri. */
export function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  ctx.type = "html";
  ctx.body = renderPage(
    "Signed out",
    `<h1>Delegate sandbox identity server</h1>
<p>You are signed out.</p>`,
  );
}
