const htmlEscapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);
}

// Inline and font-free: the sandbox must render with no network at all.
const styles = `
  :root { color-scheme: light dark; --accent: #4f46e5; --muted: #6b7280; --danger: #b91c1c; }
  /* Lighter shades on the dark canvas, so notes and errors keep WCAG AA contrast there too. */
  @media (prefers-color-scheme: dark) { :root { --muted: #9ca3af; --danger: #f87171; } }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 1.5rem;
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: Canvas; color: CanvasText; }
  main { width: 100%; max-width: 26rem; }
  h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
  p { margin: .5rem 0; }
  .note { color: var(--muted); font-size: .9rem; }
  form { display: grid; gap: .75rem; margin: 1.25rem 0; }
  label { font-weight: 600; font-size: .9rem; }
  input { width: 100%; padding: .55rem .7rem; font: inherit; border: 1px solid var(--muted); border-radius: .4rem;
    background: Field; color: FieldText; }
  input:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  button { padding: .6rem; font: inherit; font-weight: 600; border: 0; border-radius: .4rem; background: var(--accent);
    color: #fff; cursor: pointer; }
  button.secondary { background: transparent; color: CanvasText; border: 1px solid var(--muted); }
  .actions { display: flex; gap: .75rem; }
  .actions button, .actions form { flex: 1; }
  .actions form { margin: .5rem 0; }
  .user-code { font-size: 1.6rem; letter-spacing: .15em; }
  h2 { font-size: 1.1rem; margin: 1.25rem 0 .25rem; }
  h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
  ul { margin: .25rem 0 .75rem; padding-left: 1.25rem; }
  li { margin: .25rem 0; }
  li code { overflow-wrap: anywhere; }
  dl { margin: .25rem 0 .75rem; }
  dl div { display: flex; gap: .5rem; margin: .2rem 0; }
  dt { font-weight: 600; flex: none; }
  dd { margin: 0; overflow-wrap: anywhere; }
  [role="alert"] { color: var(--danger); font-weight: 600; }
  table { width: 100%; border-collapse: collapse; font-size: .9rem; }
  caption { text-align: left; font-weight: 600; margin-bottom: .25rem; }
  th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid color-mix(in srgb, CanvasText 15%, transparent); }
  code { font-size: .9em; }
  article { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: .5rem; padding: 0 1rem;
    margin: .75rem 0; }
  article form { margin: 1rem 0; }
`;

/** Wraps trusted markup in the shared page chrome; callers escape every value they interpolate. */
export function renderPage(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Delegate sandbox identity server</title>
<style>${styles}</style>
</head>
<body>
<main>
${bodyHtml}
</main>
</body>
</html>`;
}
