import { z } from "zod";

/**
 * The interrupt protocol, one definition for server and browser. A tool that cannot run until the user acts
 * (connects an account, approves a purchase) finishes with an `InterruptedOutput` instead of a result; the
 * agent loop stops there, the chat renders a prompt from it, and resuming re-runs the same call — by id only.
 * Names and codes follow Auth0's `@auth0/ai` so the concepts match Auth0's documentation.
 */
export const INTERRUPT_NAME = "AUTH0_AI_INTERRUPT";

export const tokenVaultInterruptSchema = z.object({
  name: z.literal(INTERRUPT_NAME),
  code: z.literal("TOKEN_VAULT_ERROR"),
  /** Why a connection is needed: never connected, too few permissions, or the provider rejected the token. */
  reason: z.enum(["not_connected", "missing_scopes", "token_rejected"]),
  connection: z.string(),
  /** Only the scopes the user still has to grant. */
  requiredScopes: z.array(z.string()),
  message: z.string(),
});

/** The URN prefix of Auth0's own authorization_details schema; the part after it names the kind of request. */
export const GUARDIAN_DETAILS_TYPE_PREFIX = "urn:auth0:schemas:authorization-details:v1:";

/**
 * One property of a Guardian authorization detail: a labelled value the approving user reads. The docs' example is
 * `{ "display": true, "name": "A String:", "display_order": "1", "value": "Value 1" }`; this follows it exactly
 * (display_order a string of digits, value a string). Auth0 caps every property value at 255 characters.
 */
const guardianPropertySchema = z.strictObject({
  display: z.boolean(),
  name: z.string().min(1).max(255),
  display_order: z.string().regex(/^\d+$/),
  value: z.string().max(255),
});

/**
 * An authorization detail in the schema the Auth0 Guardian app requires of a push approval: exactly one such
 * object per request, with an instruction for the user and the properties shown under it
 * (https://auth0.com/docs/get-started/apis/configure-rich-authorization-requests, "Auth0 Guardian app"). Property
 * names use only the characters Auth0 allows in authorization_details: a-z, A-Z, 0-9, `_`, `.` and `-`.
 */
const guardianAuthorizationDetailSchema = z.strictObject({
  type: z.string().regex(new RegExp(`^${GUARDIAN_DETAILS_TYPE_PREFIX}[A-Za-z0-9_.-]+$`)),
  instruction: z.string().min(1).max(255),
  properties: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/), guardianPropertySchema),
});

export type GuardianAuthorizationDetail = z.infer<typeof guardianAuthorizationDetailSchema>;

/** What Guardian lists under the instruction: the displayed properties, in display_order. */
export function displayedProperties(detail: GuardianAuthorizationDetail): { key: string; name: string; value: string }[] {
  return Object.entries(detail.properties)
    .filter(([, property]) => property.display)
    .sort(([, a], [, b]) => Number(a.display_order) - Number(b.display_order))
    .map(([key, { name, value }]) => ({ key, name, value }));
}

export const asyncAuthorizationPendingSchema = z.object({
  name: z.literal(INTERRUPT_NAME),
  code: z.literal("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING"),
  /** What the user sees on their device, word for word. */
  bindingMessage: z.string(),
  /** The Rich Authorization Request's one detail, in Guardian's schema, shown so the user knows exactly what they approve. */
  authorizationDetails: z.tuple([guardianAuthorizationDetailSchema]),
  request: z.object({
    expiresAt: z.iso.datetime(),
    /** Seconds between polls, raised when the identity server says slow_down. */
    interval: z.number().int().positive(),
  }),
  message: z.string(),
  /** Where the user approves, when the deployment names one (the sandbox's authenticator page). */
  approvalUrl: z.url().optional(),
});

export const interruptSchema = z.discriminatedUnion("code", [tokenVaultInterruptSchema, asyncAuthorizationPendingSchema]);

export type TokenVaultInterrupt = z.infer<typeof tokenVaultInterruptSchema>;
export type AsyncAuthorizationPending = z.infer<typeof asyncAuthorizationPendingSchema>;
export type Interrupt = z.infer<typeof interruptSchema>;

export interface InterruptedOutput {
  interrupt: Interrupt;
}

export function isInterruptedOutput(output: unknown): output is InterruptedOutput {
  return (
    typeof output === "object" &&
    output !== null &&
    "interrupt" in output &&
    interruptSchema.safeParse((output as { interrupt: unknown }).interrupt).success
  );
}

/** How the browser reports the end of a connect-account popup to the chat that opened it. */
export const CONNECT_RESULT_MESSAGE = "delegate:connect-result";
export interface ConnectResult {
  type: typeof CONNECT_RESULT_MESSAGE;
  toolCallId: string;
  status: "connected" | "failed";
}
