import type { ErrorOut, KoaContextWithOIDC } from "oidc-provider";
import { escapeHtml, renderPage } from "./html";

export function renderErrorPage(out: ErrorOut): string {
  return renderPage(
    "Error",
    `<h1>Delegate sandbox identity server</h1>
<p role="alert"><code>${escapeHtml(out.error)}</code></p>
${out.error_description ? `<p>${escapeHtml(out.error_description)}</p>` : ""}
<p class="note">Start again from the app's sign-in link.</p>`,
  );
}

/** oidc-provider's `renderError` hook, for failures that cannot be redirected back to the app. */
export function renderError(ctx: KoaContextWithOIDC, out: ErrorOut): void {
  ctx.type = "html";
  ctx.body = renderErrorPage(out);
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
