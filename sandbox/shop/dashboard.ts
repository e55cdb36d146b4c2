/**
 * The sandbox-only merchant view: every user's orders in one read-only table. End-to-end tests read
 * it to check that a purchase produced exactly one order; nothing like it is reachable at a real shop.
 */
import { CURRENCY, toAmount } from "./catalog";
import type { Order } from "./orders";

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (character) => escapes[character] ?? character);

export const TITLE = "Delegate sandbox shop — not a real store";

const styles = `
  :root { color-scheme: light dark; --muted: #6b7280; }
  body { margin: 0; padding: 1.5rem; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
    background: Canvas; color: CanvasText; }
  main { max-width: 60rem; margin: 0 auto; }
  h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
  .note { color: var(--muted); font-size: .9rem; }
  table { width: 100%; border-collapse: collapse; font-size: .9rem; margin-top: 1rem; }
  caption { text-align: left; font-weight: 600; margin-bottom: .25rem; }
  th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid color-mix(in srgb, CanvasText 15%, transparent); }
  td.number { text-align: right; font-variant-numeric: tabular-nums; }
`;

function orderRow(order: Order): string {
  const cells = [
    `<td><code>${escapeHtml(order.sub)}</code></td>`,
    `<td>${escapeHtml(order.number)}</td>`,
    `<td>${escapeHtml(order.product.name)}</td>`,
    `<td class="number">${order.quantity}</td>`,
    `<td class="number">${toAmount(order.totalCents).toFixed(2)} ${CURRENCY}</td>`,
    `<td><time datetime="${escapeHtml(order.createdAt)}">${escapeHtml(order.createdAt)}</time></td>`,
  ];
  return `    <tr>${cells.join("")}</tr>`;
}

export function renderDashboard(orders: readonly Order[]): string {
  const table = orders.length
    ? `<table>
  <caption>Orders (${orders.length})</caption>
  <thead><tr><th scope="col">User</th><th scope="col">Order</th><th scope="col">Product</th><th scope="col">Quantity</th><th scope="col">Total</th><th scope="col">Time</th></tr></thead>
  <tbody>
${orders.map(orderRow).join("\n")}
  </tbody>
</table>`
    : `<p>No orders yet.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(TITLE)}</title>
<style>${styles}</style>
</head>
<body>
<main>
<h1>${escapeHtml(TITLE)}</h1>
<p class="note">A local stand-in for a merchant's order list, for developing and testing Delegate. Nothing is sold, charged or shipped, and a restart empties it.</p>
${table}
</main>
</body>
</html>`;
}
