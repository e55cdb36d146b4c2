import type { Page } from "@playwright/test";

/**
 * The sandbox model writes neither code nor tables, so this answer comes from a stand-in for /api/chat speaking the
 * AI SDK's UI message stream: everything after the network — parsing, Markdown, highlighting, the copy button, the
 * page's real Content-Security-Policy — is the app's own.
 */
export const CODE_AND_TABLE_ANSWER = [
  "Here is the function:",
  "",
  "```ts",
  "export function orderTotal(price: number, quantity: number): number {",
  "  return Math.round(price * quantity * 100) / 100; // rounded to cents, so 2 × 19.99 is 39.98 and never 39.980000000000004",
  "}",
  "```",
  "",
  "| Product | Quantity | Unit price | Total | Order number | Status | Delivery address |",
  "| --- | ---: | ---: | ---: | --- | --- | --- |",
  "| Acme Widget | 2 | 19.99 USD | 39.98 USD | ORD-100234 | confirmed | 1 Infinite Loop, Cupertino, CA 95014, United States |",
].join("\n");

function uiMessageStream(text: string): string {
  const chunks = [
    { type: "start", messageId: "answer-with-code" },
    { type: "start-step" },
    { type: "text-start", id: "text-1" },
    ...text.match(/[\s\S]{1,40}/g)!.map((delta) => ({ type: "text-delta", id: "text-1", delta })),
    { type: "text-end", id: "text-1" },
    { type: "finish-step" },
    { type: "finish" },
  ];
  return [...chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`), "data: [DONE]\n\n"].join("");
}

/** The chat's next request is answered by `text`, streamed as the app's own route would (nothing is stored). */
export async function answerNextWith(page: Page, text: string) {
  await page.route(
    "**/api/chat",
    (route) => route.fulfill({ status: 200, headers: { "content-type": "text/event-stream", "x-vercel-ai-ui-message-stream": "v1" }, body: uiMessageStream(text) }),
    { times: 1 },
  );
}
