import type { BrowserContext, CDPSession, Page, Response } from "@playwright/test";

export interface RecordedResponse {
  url: string;
  method: string;
  status: number;
  contentType: string;
  /** The headers the page can read (all but Set-Cookie, which holds the encrypted session) and the body. */
  text: string;
  /**
   * Where the body came from: the browser's copy; the bytes as they streamed in (server-sent events); or a
   * second identical request, when Chromium had already dropped its copy; `lost` when none of these worked.
   */
  source: "browser" | "stream" | "replayed" | "lost";
}

/**
 * Records every response the pages of `context` (popups included) receive from `origin`, with its body.
 *
 * Chromium keeps a response body for DevTools only until the request ends, and drops it when the request is
 * cancelled or its page navigates away. Two things in this app do that routinely: full page loads cut prefetches
 * short, and the chat's fetch of a server-sent event stream is cancelled by the browser right after the final
 * `[DONE]` event arrives (`canceled: true` in Network.loadingFailed). So event streams are recorded as their bytes
 * arrive (Network.streamResourceContent), and a GET whose body is gone is replayed with the same request and cookies.
 */
export async function recordResponses(context: BrowserContext, origin: string) {
  const pending: Promise<RecordedResponse>[] = [];
  const streams = new Map<string, { chunks: Buffer[]; ended: Promise<void> }>(); // by request body (unique per chat turn)

  async function watchStreams(page: Page) {
    let cdp: CDPSession;
    try {
      cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
    } catch {
      return; // the page closed at once
    }
    const keys = new Map<string, string>();
    const ends = new Map<string, () => void>();
    cdp.on("Network.requestWillBeSent", ({ requestId, request }) => {
      if (new URL(request.url).origin === origin) keys.set(requestId, `${request.method} ${request.url} ${request.postData ?? ""}`);
    });
    cdp.on("Network.responseReceived", ({ requestId, response }) => {
      const key = keys.get(requestId);
      if (key === undefined || response.mimeType !== "text/event-stream") return;
      const chunks: Buffer[] = [];
      streams.set(key, { chunks, ended: new Promise((resolve) => ends.set(requestId, resolve)) });
      cdp.on("Network.dataReceived", ({ requestId: id, data }) => {
        if (id === requestId && data) chunks.push(Buffer.from(data, "base64"));
      });
      // What arrived before streaming was switched on comes first.
      cdp
        .send("Network.streamResourceContent", { requestId })
        .then(({ bufferedData }) => chunks.unshift(Buffer.from(bufferedData, "base64")))
        .catch(() => ends.get(requestId)?.());
    });
    const end = ({ requestId }: { requestId: string }) => ends.get(requestId)?.();
    cdp.on("Network.loadingFinished", end);
    cdp.on("Network.loadingFailed", end);
  }

  async function capture(response: Response): Promise<RecordedResponse> {
    const request = response.request();
    const headers = response.headers();
    const readable = Object.entries(headers)
      .filter(([name]) => name !== "set-cookie")
      .map(([name, value]) => `${name}: ${value}`)
      .join("\n");
    const status = response.status();
    const contentType = headers["content-type"] ?? "";
    const base = { url: response.url(), method: request.method(), status, contentType };
    const result = (body: string, source: RecordedResponse["source"]) => ({ ...base, text: `${readable}\n\n${body}`, source });
    // Redirects and 204s have no body.
    if ((status >= 300 && status < 400) || status === 204) return result("", "browser");
    try {
      return result(await response.text(), "browser");
    } catch (error) {
      const stream = contentType.startsWith("text/event-stream")
        ? streams.get(`${request.method()} ${request.url()} ${request.postData() ?? ""}`)
        : undefined;
      if (stream) {
        await stream.ended;
        return result(Buffer.concat(stream.chunks).toString("utf8"), "stream");
      }
      if (request.method() === "GET") {
        const again = await context.request.fetch(request, { maxRedirects: 0 });
        return result(await again.text(), "replayed");
      }
      return result(`<body lost: ${(error as Error).message}>`, "lost");
    }
  }

  const onResponse = (response: Response) => {
    if (new URL(response.url()).origin === origin) pending.push(capture(response));
  };
  const onPage = (page: Page) => void watchStreams(page);
  await Promise.all(context.pages().map(watchStreams));
  context.on("page", onPage);
  context.on("response", onResponse);

  return {
    /** Stops recording and returns every response recorded, once all bodies are in. */
    async stop(): Promise<RecordedResponse[]> {
      context.off("response", onResponse);
      context.off("page", onPage);
      return Promise.all(pending);
    },
  };
}
