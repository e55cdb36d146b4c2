import { escapeHtml, renderPage } from "./html";
import { SANDBOX_PASSWORD, sandboxUsers } from "./users";

export interface LoginPageOptions {
  /** Where the form posts: the login step of the interaction being shown. */
  action: string;
  email?: string;
  error?: string;
}

export function renderLoginPage({ action, email = "", error }: LoginPageOptions): string {
  const invalid = error ? ` aria-invalid="true" aria-describedby="login-error"` : "";
  const userRows = sandboxUsers
    .map((user) => `<tr><td>${escapeHtml(user.name)}</td><td><code>${escapeHtml(user.email)}</code></td></tr>`)
    .join("\n");

  return renderPage(
    "Sign in",
    `<h1>Delegate sandbox identity server</h1>
<p class="note">A local stand-in for Auth0 while you develop Delegate. This is not Auth0, and nothing you type here leaves your machine.</p>
${error ? `<p role="alert" id="login-error">${escapeHtml(error)}</p>` : ""}
<form method="post" action="${escapeHtml(action)}">
  <label for="email">Email</label>
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
