import "server-only";

/**
 * The request's body counted as it streams: past `maxBytes` the stream errors, whatever `content-length` claimed
 * (it may be absent with chunked encoding, or lie). Read it with `body.formData()` or `body.json()`; when that
 * fails, `exceeded()` tells a body over the cap from a malformed one.
 */
export function capBody(request: Request, maxBytes: number): { body: Response; exceeded: () => boolean } {
  let received = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > maxBytes) controller.error(new RangeError(`request body over ${maxBytes} bytes`));
      else controller.enqueue(chunk);
    },
  });
  const headers = { "content-type": request.headers.get("content-type") ?? "" };
  return { body: new Response(request.body?.pipeThrough(counter) ?? null, { headers }), exceeded: () => received > maxBytes };
}
