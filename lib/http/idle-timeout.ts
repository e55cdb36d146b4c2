/** An answer whose bytes stopped coming: no headers, or a silent body, for longer than the wait allowed. */
export class StalledAnswerError extends Error {
  override name = "StalledAnswerError";
  constructor(waitMs: number) {
    super(`No data for ${waitMs} ms; the answer was given up on`);
  }
}

/**
 * `fetch` for streamed answers that gives up on one whose bytes stop coming: the headers, or the next piece of the
 * body, not there within `waitMs`. The request is aborted with a StalledAnswerError, which callers see like a
 * dropped connection (deliberately not an AbortError, which would read as the user pressing Stop). A steady stream
 * runs as long as it keeps sending.
 */
export function fetchWithIdleTimeout(waitMs: number): typeof fetch {
  return async (input, init) => {
    const stalled = new AbortController();
    const signal = init?.signal ? AbortSignal.any([init.signal, stalled.signal]) : stalled.signal;
    const giveUp = () => stalled.abort(new StalledAnswerError(waitMs));
    let timer = setTimeout(giveUp, waitMs);
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
    if (!response.body) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        timer = setTimeout(giveUp, waitMs);
        try {
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          controller.error(error);
        } finally {
          clearTimeout(timer);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
