/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, "CIMD"), which the MCP
 * authorization specification (2025-11-25, "Client Registration") prefers over Dynamic Client Registration and
 * which Auth0 supports for MCP clients (auth0.com/ai/docs/mcp/guides/registering-your-mcp-client-application).
 * The client_id is an https URL, and the JSON document served there is the client's registration.
 *
 * oidc-provider implements the mechanism (features.clientIdMetadataDocument): it fetches the document without
 * following redirects, with a 2.5 s timeout and a socket-level refusal of special-use IP addresses (the draft's
 * "Server Side Request Forgery" section), requires the document's client_id to equal the URL by simple string
 * comparison, refuses client_secret and shared-secret authentication methods, and caches documents by their HTTP
 * caching headers. This module adds what Auth0 and this sandbox demand on top:
 * - the URL rules of Auth0's "CIMD Validation Rules" (auth0.com/docs/get-started/auth0-overview/create-applications/
 *   cimd-validation-rules), checked before anything is fetched;
 * - Auth0's 5 KB document limit (the draft's "Maximum Response Size" recommends 5 KB too) and a JSON content type;
 * - a public client for the authorization code flow only, with exact redirect URIs (draft "Client Metadata":
 *   the authorization server validates redirect_uri against the document's redirect_uris);
 * - a way for tests to serve documents from a local https server, which the SSRF rules would otherwise refuse.
 * Failures are OAuth errors: invalid_client, with what went wrong, on the sandbox's error page.
 */
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";
import { Readable } from "node:stream";
import { errors, type Adapter, type Client, type Configuration, type ProviderMiddlewareContext } from "oidc-provider";
import { redirectUriProblem } from "./registration";

/** Where a test serves metadata documents from: hosts (`localhost:8443`) exempt from the SSRF rules, and the CA their certificate chains to. */
export interface ClientMetadataTestHosts {
  hosts: readonly string[];
  ca: string;
}

/** Auth0: "Maximum of 120 bytes". */
const MAX_URL_BYTES = 120;
/** Auth0: "the CIMD document [is] subject to [a] 5KB size limit"; the draft recommends 5 kilobytes as well. */
export const MAX_DOCUMENT_BYTES = 5 * 1024;
/**
 * Seconds a fetched document is trusted: its Cache-Control max-age (or Expires) within these bounds. The draft's
 * "Metadata Caching" lets the authorization server cache by HTTP caching headers and bound the time; the floor keeps
 * one sign-in (authorize, consent, token) on one version of the document, the ceiling picks up edits within a day.
 */
const CACHE_SECONDS = { min: 30, max: 24 * 60 * 60 };

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);
// Special-use ranges (RFC 6890) an IP-literal client_id must not point into; hostnames that resolve into them are
// refused by oidc-provider when the socket connects.
const SPECIAL_USE = new BlockList();
for (const [network, prefix] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.168.0.0", 16], ["224.0.0.0", 4], ["240.0.0.0", 4]] as const) {
  SPECIAL_USE.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [["::", 127], ["fc00::", 7], ["fe80::", 10], ["::ffff:0:0", 96]] as const) {
  SPECIAL_USE.addSubnet(network, prefix, "ipv6");
}

function specialUseAddress(hostname: string): boolean {
  const address = hostname.replace(/^\[|\]$/g, "");
  const family = isIP(address);
  return family !== 0 && SPECIAL_USE.check(address, family === 4 ? "ipv4" : "ipv6");
}

const URL_SHAPED = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Why a URL-shaped client_id cannot be a Client ID Metadata Document URL, or undefined when it can. The draft's
 * "Client Identifier" section: https, a path, no dot segments, no fragment, no username or password; Auth0 adds no
 * query, at most 120 bytes, no port 0, and no loopback host.
 */
function clientIdUrlProblem(id: string, testHosts: ReadonlySet<string> = new Set()): string | undefined {
  if (id.trim() !== id || /\s/.test(id)) return "a client_id URL must not contain whitespace";
  if (!id.toLowerCase().startsWith("https://")) return `a client_id URL must use https (${id.split(":")[0]} is not accepted)`;
  if (Buffer.byteLength(id) > MAX_URL_BYTES) return `a client_id URL must be at most ${MAX_URL_BYTES} bytes`;
  if (/%(?![0-9a-f]{2})/i.test(id)) return "a client_id URL must percent-encode with two hex digits after every %";
  let url: URL;
  try {
    url = new URL(id);
  } catch {
    return "the client_id is not a valid URL";
  }
  if (url.username || url.password) return "a client_id URL must not contain a username or password";
  if (id.includes("#")) return "a client_id URL must not contain a fragment";
  if (id.includes("?")) return "a client_id URL must not contain a query string";
  if (url.port === "0") return "a client_id URL must not use port 0";
  const rawPath = id.slice(url.protocol.length + 2).replace(/^[^/]*/, "");
  if (rawPath.split("/").some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) {
    return "a client_id URL must not contain . or .. path segments";
  }
  if (url.pathname === "/" || url.pathname === "") return "a client_id URL must have a path after the host, e.g. https://app.example/client.json";
  if (testHosts.has(url.host)) return undefined;
  if (LOOPBACK_NAMES.has(url.hostname) || url.hostname.endsWith(".localhost") || specialUseAddress(url.hostname)) {
    return `a client_id URL must not point to a loopback or private address (${url.hostname})`;
  }
  return undefined;
}

/**
 * The Client adapter, refusing URL-shaped client_ids that cannot name a metadata document before oidc-provider
 * looks any further. oidc-provider itself treats a URL it does not accept (http, say) as an unknown client, and
 * calls `allowFetch` only for the ones it does, so this is where every refusal gets its reason.
 */
export function guardClientIdUrls(adapter: Adapter, testHosts: ReadonlySet<string>): Adapter {
  return {
    async find(id) {
      if (!URL_SHAPED.test(id)) return adapter.find(id);
      const problem = clientIdUrlProblem(id, testHosts);
      if (problem) throw new errors.InvalidClient(problem);
      return undefined;
    },
    upsert: (id, payload, expiresIn) => adapter.upsert(id, payload, expiresIn),
    findByUid: (uid) => adapter.findByUid(uid),
    findByUserCode: (userCode) => adapter.findByUserCode(userCode),
    consume: (id) => adapter.consume(id),
    destroy: (id) => adapter.destroy(id),
    revokeByGrantId: (grantId) => adapter.revokeByGrantId(grantId),
  };
}

const ALLOWED_GRANT_TYPES = new Set(["authorization_code", "refresh_token"]);

/** Why a document's client may not sign users in here, or undefined when it may. */
function clientProblem(client: Client): string | undefined {
  if (client.tokenEndpointAuthMethod !== "none") {
    return "token_endpoint_auth_method must be none: a client identified by a metadata document is a public client here";
  }
  const grantTypes = client.grantTypes ?? [];
  if (!grantTypes.includes("authorization_code") || grantTypes.some((grant) => !ALLOWED_GRANT_TYPES.has(grant))) {
    return "grant_types may only be authorization_code and refresh_token, and must include authorization_code";
  }
  if ((client.responseTypes ?? []).join(" ") !== "code") return `response_types must be ["code"]`;
  // oidc-provider lets a native client's loopback redirect URI match on any port (RFC 8252 §7.3); a redirect URI
  // from a document is compared exactly, so the document must name the port it listens on.
  if (client.applicationType === "native") {
    return "application_type native is not accepted: redirect URIs are matched exactly, so list them as web ones";
  }
  for (const uri of client.redirectUris ?? []) {
    const problem = redirectUriProblem(uri);
    if (problem) return problem;
  }
  return undefined;
}

const MEDIA_TYPE_JSON = "application/json";
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** A GET over node:https trusting `ca`, for test hosts only: what `fetch` would do, minus the SSRF refusal. */
function fetchTrusting(ca: string) {
  return (url: string, init: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(init.headers));
      const request = httpsRequest(url, { method: init.method ?? "GET", headers, ca, signal: init.signal ?? undefined }, (answer) => {
        const status = answer.statusCode ?? 500;
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(answer.headers)) {
          for (const item of [value ?? []].flat()) responseHeaders.append(name, item);
        }
        const body = NULL_BODY_STATUSES.has(status) ? null : (Readable.toWeb(answer) as ReadableStream<Uint8Array>);
        resolve(new Response(body, { status, headers: responseHeaders }));
      });
      request.on("error", reject);
      request.end();
    });
}

const reasonOf = (error: unknown): string => {
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
};

/**
 * The body of a 200 answer, refused past MAX_DOCUMENT_BYTES. oidc-provider counts bytes too, but its refusal of a
 * body without Content-Length fails on its own locked stream and reports that instead of the size.
 */
async function cappedBody(url: string, response: Response): Promise<Buffer> {
  const tooLarge = () => new Error(`${url} is larger than the ${MAX_DOCUMENT_BYTES} bytes a metadata document may have`);
  if (Number(response.headers.get("content-length")) > MAX_DOCUMENT_BYTES) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
    size += read.value.byteLength;
    if (size > MAX_DOCUMENT_BYTES) {
      await reader?.cancel();
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks);
}

/**
 * oidc-provider's `fetch`: how the sandbox fetches documents, which here are only metadata documents. A failure
 * says why (the provider reports it as the error's detail); a 200 answer must be JSON of at most 5 KB.
 */
export function documentFetch(testHosts?: ClientMetadataTestHosts): NonNullable<Configuration["fetch"]> {
  const trusted = new Set(testHosts?.hosts ?? []);
  const fetchTest = testHosts && fetchTrusting(testHosts.ca);
  return async (url, init) => {
    const target = new URL(url);
    if (target.protocol !== "https:") throw new Error(`${url} is not an https URL`);
    let response: Response;
    try {
      response = fetchTest && trusted.has(target.host) ? await fetchTest(url, init) : await fetch(url, init);
    } catch (error) {
      throw new Error(`${url} could not be fetched: ${reasonOf(error)}`, { cause: error });
    }
    const type = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (response.status !== 200) return response;
    if (type !== MEDIA_TYPE_JSON) {
      await response.body?.cancel();
      throw new Error(`${url} was served as ${type || "no content type"}, not ${MEDIA_TYPE_JSON}`);
    }
    return new Response(new Uint8Array(await cappedBody(url, response)), { status: 200, headers: response.headers });
  };
}

/** features.clientIdMetadataDocument, with the sandbox's client policy. */
export function clientIdMetadataDocumentFeature(): NonNullable<NonNullable<Configuration["features"]>["clientIdMetadataDocument"]> {
  return {
    enabled: true,
    // oidc-provider marks the feature experimental and names the draft revision it implements.
    ack: "draft-02",
    cacheDuration: CACHE_SECONDS,
    allowClient: (_ctx, client) => {
      const problem = clientProblem(client);
      if (problem) throw new errors.InvalidClient(`client_id metadata document: ${problem}`);
      return true;
    },
  };
}

/** RFC 7591's registration error codes, which oidc-provider also uses for a metadata document it cannot accept. */
const REGISTRATION_ERRORS = new Set(["invalid_client_metadata", "invalid_redirect_uri"]);

/**
 * Outside registration, a client whose metadata document is unacceptable is an invalid client (RFC 6749 §5.2 has no
 * registration codes), so that is what the token, revocation and device endpoints answer; a redirect URI mismatch
 * there is invalid_grant, never one of these. The error page does the same for /authorize (provider-pages.ts).
 */
export function clientMetadataErrors() {
  return async (ctx: ProviderMiddlewareContext, next: () => Promise<void>): Promise<void> => {
    await next();
    const body = ctx.body as { error?: unknown } | undefined;
    if (ctx.oidc?.route === "registration" || typeof body?.error !== "string" || !REGISTRATION_ERRORS.has(body.error)) return;
    ctx.body = { ...body, error: "invalid_client" };
  };
}
