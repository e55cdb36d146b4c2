/**
 * The JSON error body every API route answers with, and the client's view of it. One shape, so the UI can
 * tell "sign in again" (401) from "not found" (404) from bad input (400) without parsing prose.
 */
export type ApiErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "internal"
  | "unavailable";

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

const statusByCode: Record<ApiErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export function apiError(code: ApiErrorCode, message: string, headers?: Record<string, string>): Response {
  const body: ApiErrorBody = { error: { code, message } };
  return Response.json(body, { status: statusByCode[code], headers });
}

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }

  static async fromResponse(response: Response): Promise<ApiError> {
    const body = (await response.json().catch(() => null)) as Partial<ApiErrorBody> | null;
    const code = body?.error?.code ?? (response.status === 401 ? "unauthorized" : "internal");
    return new ApiError(response.status, code, body?.error?.message ?? `Request failed (${response.status}).`);
  }
}

/** `fetch` that turns non-2xx answers into an ApiError carrying the server's code and message. */
export async function fetchOrThrow(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (!response.ok) throw await ApiError.fromResponse(response);
  return response;
}
