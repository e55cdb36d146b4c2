import express, { Router, type Request, type RequestHandler } from "express";
import { z } from "zod";

/**
 * Sandbox-only fault injection. `POST /__sandbox/faults` on a stand-in queues an answer it gives instead of its
 * own to the next matching request(s), so a test — or a developer with curl — can make the stand-in fail exactly
 * as the real service documents: Auth0's `too_many_requests`, Google's 403 `rateLimitExceeded`, GitHub's
 * secondary rate limit. Real services have no such endpoint; the app cannot tell an injected answer from a real
 * one, which is the point. `DELETE /__sandbox/faults` clears the queue.
 *
 *   curl -X POST localhost:4000/__sandbox/faults -H 'content-type: application/json' -d '{
 *     "path": "/oauth/token", "params": { "connection": "google-oauth2" },
 *     "status": 429, "headers": { "retry-after": "3" },
 *     "body": { "error": "too_many_requests", "error_description": "Rate limit exceeded" } }'
 */
export const FAULTS_PATH = "/__sandbox/faults";

export const faultSchema = z.strictObject({
  /** Any method when absent. */
  method: z.string().toUpperCase().optional(),
  /** The request path exactly as the service is addressed, e.g. "/oauth/token" or "/google/calendar/v3/freeBusy". */
  path: z.string().startsWith("/"),
  /** Query or form (or top-level JSON) parameters that must all be present with these values. */
  params: z.record(z.string(), z.string()).optional(),
  status: z.number().int().min(200).max(599),
  headers: z.record(z.string(), z.string()).optional(),
  /** Sent as JSON; absent for an empty body. */
  body: z.unknown().optional(),
  /** How many matching requests get this answer; then the service answers for itself again. */
  times: z.number().int().min(1).max(1000).default(1),
});

export type Fault = z.input<typeof faultSchema>;
type QueuedFault = z.output<typeof faultSchema>;

export class FaultQueue {
  private faults: QueuedFault[] = [];

  add(fault: Fault): void {
    this.faults.push(faultSchema.parse(fault));
  }

  clear(): void {
    this.faults = [];
  }

  /** The first queued fault the request matches, used up by one. */
  take(request: { method: string; path: string; params: URLSearchParams }): QueuedFault | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        (!fault.method || fault.method === request.method) &&
        fault.path === request.path &&
        Object.entries(fault.params ?? {}).every(([name, value]) => request.params.get(name) === value),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times -= 1;
    if (fault.times === 0) this.faults.splice(index, 1);
    return fault;
  }
}

/** Query parameters plus whatever body an earlier parser left: a form string or a JSON object. */
function requestParams(req: Request): URLSearchParams {
  const params = new URLSearchParams(req.originalUrl.split("?")[1] ?? "");
  const body: unknown = req.body;
  if (typeof body === "string") for (const [name, value] of new URLSearchParams(body)) params.append(name, value);
  else if (body && typeof body === "object") {
    for (const [name, value] of Object.entries(body)) if (typeof value === "string") params.append(name, value);
  }
  return params;
}

/**
 * The admin endpoint and the middleware that answers with queued faults. Mount it before the service's own
 * routes (after any body parser whose fields a fault should match on).
 */
export function faultRoutes(queue: FaultQueue = new FaultQueue()): Router {
  const router = Router();
  router.post(FAULTS_PATH, express.json({ limit: "64kb" }), (req, res) => {
    const parsed = faultSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: "invalid_fault", error_description: z.prettifyError(parsed.error) });
    queue.add(parsed.data);
    res.status(204).end();
  });
  router.delete(FAULTS_PATH, (_req, res) => {
    queue.clear();
    res.status(204).end();
  });
  const answerWithFault: RequestHandler = (req, res, next) => {
    const fault = queue.take({ method: req.method, path: req.originalUrl.split("?")[0]!, params: requestParams(req) });
    if (!fault) return next();
    res.locals.logNote = "injected fault";
    res.status(fault.status).set(fault.headers ?? {});
    if (fault.body === undefined) res.end();
    else res.json(fault.body);
  };
  router.use(answerWithFault);
  return router;
}

/** For tests: queues a fault on the stand-in at `origin`. */
export async function injectFault(origin: string | URL, fault: Fault): Promise<void> {
  const response = await fetch(new URL(FAULTS_PATH, origin), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  if (response.status !== 204) throw new Error(`fault refused: ${response.status} ${await response.text()}`);
}

/** For tests: clears every fault queued on the stand-in at `origin`. */
export async function clearFaults(origin: string | URL): Promise<void> {
  const response = await fetch(new URL(FAULTS_PATH, origin), { method: "DELETE" });
  if (response.status !== 204) throw new Error(`faults not cleared: ${response.status}`);
}
