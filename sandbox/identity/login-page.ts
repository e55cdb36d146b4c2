import { escapeHtml, renderPage } from "./html";
import { SANDBOX_PASSWORD, sandboxUsers } from "./users";

export interface LoginPageOptions {
  /** Where the form posts: the login step of the interaction being shown. */
  action: string;
  email?: string;
  error?: string;
  /** The page's h1; the identity server's name unless another sandbox page signs the user in. */
  heading?: string;
  /** Why the user is asked to sign in, shown under the usual note. */
  intro?: string;
  /** Extra form fields, e.g. an anti-forgery token. */
  hiddenFields?: Record<string, string>;
}

export function renderLoginPage({
  action,
  email = "",
  error,
  heading = "Delegate sandbox identity server",
  intro,
  hiddenFields = {},
}: LoginPageOptions): string {
  const invalid = error ? ` aria-invalid="true" aria-describedby="login-error"` : "";
  const userRows = sandboxUsers
    .map((user) => {
      // Said on the page, so whoever tries the verified-email rule knows which user shows it.
      const unverified = user.email_verified ? "" : ` <span class="note">(unverified)</span>`;
      return `<tr><td>${escapeHtml(user.name)}</td><td><code>${escapeHtml(user.email)}</code>${unverified}</td></tr>`;
    })
    .join("\n");
  const hidden = Object.entries(hiddenFields)
    .map(([name, value]) => `  <input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">\n`)
    .join("");

  return renderPage(
    "Sign in",
    `<h1>${escapeHtml(heading)}</h1>
<p class="note">A local stand-in for Auth0 while you develop Delegate. This is not Auth0, and nothing you type here leaves your machine.</p>
${intro ? `<p>${escapeHtml(intro)}</p>` : ""}
${error ? `<p role="alert" id="login-error">${escapeHtml(error)}</p>` : ""}
<form method="post" action="${escapeHtml(action)}">
${hidden}  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}"${invalid}${email ? "" : " autofocus"}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${email ? " autofocus" : ""}>
  <button type="submit">Sign in</button>
</form>
<table>
  <caption>Sandbox users (password for all: <code>${escapeHtml(SANDBOX_PASSWORD)}</code>)</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Email</th></tr></thead>
  <tbody>
${userRows}
  </tbody>
</table>`,
  );
}
