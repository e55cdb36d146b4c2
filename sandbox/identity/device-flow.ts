/**
 * The Device Authorization Flow (RFC 8628) on oidc-provider's `features.deviceFlow`, in Auth0's shape: the CLI
 * asks at `POST /oauth/device/code`, the user opens `/activate`, enters (or confirms) the code, signs in with the
 * sandbox login, and the CLI polls `/oauth/token`. This module holds the pages and the `interval` Auth0 sends.
 */
import type { Client, KoaContextWithOIDC, ProviderMiddlewareContext } from "oidc-provider";
import { escapeHtml, renderPage } from "./html";

export const DEVICE_AUTHORIZATION_PATH = "/oauth/device/code";
export const DEVICE_VERIFICATION_PATH = "/activate";
export const DEVICE_CODE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";
/** Auth0 answers /oauth/device/code with `interval: 5` (and RFC 8628 §3.2 makes 5 the default). */
export const DEFAULT_DEVICE_INTERVAL_SECONDS = 5;
/** Auth0's device codes live 15 minutes (`expires_in: 900`). */
export const DEFAULT_DEVICE_CODE_TTL_SECONDS = 900;

const HEADING = "Delegate sandbox identity server";

// oidc-provider builds the forms; the pages here only need the anti-forgery token it put in them.
function xsrfOf(form: string): string {
  const xsrf = /name="xsrf" value="([^"]*)"/.exec(form)?.[1];
  if (xsrf === undefined) throw new Error("oidc-provider's device form carries no xsrf field");
  return xsrf;
}

// The code the user typed, which oidc-provider puts back into its form (HTML-escaped already) when it re-renders
// the page with an error.
const typedCode = (form: string) => /value="([^"]*)" [^>]*name="user_code"/.exec(form)?.[1];

const clientLabel = (client: Client | undefined) => client?.clientName ?? client?.clientId ?? "an application";

// oidc-provider re-renders the input page with one of these errors (lib/helpers/re_render_errors.js).
function problemOf(error: (Error & { userCode?: string }) | undefined): string | undefined {
  if (!error) return undefined;
  if (error.userCode !== undefined || error.name === "NoCodeError") {
    return "That code is not valid: it may be mistyped, used already, or expired. Check the code your device shows and try again.";
  }
  if (error.name === "AbortedError") return "The sign-in was cancelled. The device will be told it was denied.";
  return "Something went wrong with this request. Start again from your device.";
}

async function userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out?: unknown, error?: Error): Promise<void> {
  const problem = problemOf(error);
  const invalid = problem ? ` aria-invalid="true" aria-describedby="device-error"` : "";
  const code = typedCode(form);
  ctx.type = "html";
  ctx.body = renderPage(
    "Activate a device",
    `<h1>${HEADING}</h1>
<p class="note">A local stand-in for Auth0 while you develop Delegate. This is not Auth0.</p>
<h2>Activate a device</h2>
${problem ? `<p role="alert" id="device-error">${escapeHtml(problem)}</p>` : ""}
<form method="post" action="${escapeHtml(ctx.oidc.urlFor("code_verification"))}">
  <input type="hidden" name="xsrf" value="${escapeHtml(xsrfOf(form))}">
  <label for="user_code">Code shown on your device</label>
  <input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus placeholder="ABCD-EFGH"${code ? ` value="${code}"` : ""}${invalid}>
  <button type="submit">Continue</button>
</form>`,
  );
}

async function userCodeConfirmSource(
  ctx: KoaContextWithOIDC,
  form: string,
  client: Client,
  _deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  const action = escapeHtml(ctx.oidc.urlFor("code_verification"));
  const hidden = `<input type="hidden" name="xsrf" value="${escapeHtml(xsrfOf(form))}">
  <input type="hidden" name="user_code" value="${escapeHtml(userCode)}">`;
  ctx.type = "html";
  ctx.body = renderPage(
    "Confirm the device",
    `<h1>${HEADING}</h1>
<h2>Confirm the device</h2>
<p><strong>${escapeHtml(clientLabel(client))}</strong> asks to sign in as you.</p>
<p>Check that your device shows this code:</p>
<p><code class="user-code" aria-label="Device code ${escapeHtml(userCode.split("").join(" "))}">${escapeHtml(userCode)}</code></p>
<p class="note">If you did not start this, or the code differs, choose Deny.</p>
<div class="actions">
  <form method="post" action="${action}">
  ${hidden}
  <input type="hidden" name="confirm" value="yes">
  <button type="submit">Confirm</button>
  </form>
  <form method="post" action="${action}">
  ${hidden}
  <input type="hidden" name="abort" value="yes">
  <button type="submit" class="secondary">Deny</button>
  </form>
</div>`,
  );
}

async function successSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = "html";
  ctx.body = renderPage(
    "Device signed in",
    `<h1>${HEADING}</h1>
<h2>Device signed in</h2>
<p role="status">${escapeHtml(clientLabel(ctx.oidc.client))} is signed in. You can close this page and go back to your device.</p>`,
  );
}

export const deviceFlowPages = { userCodeInputSource, userCodeConfirmSource, successSource };

/** oidc-provider's device authorization answer has no `interval`; Auth0's has one, and the CLI polls by it. */
export function auth0DeviceResponses({ intervalSeconds }: { intervalSeconds: number }) {
  return async (ctx: ProviderMiddlewareContext, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== "device_authorization" || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (body && typeof body.device_code === "string") ctx.body = { ...body, interval: intervalSeconds };
  };
}
