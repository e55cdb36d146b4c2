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

export const asyncAuthorizationPendingSchema = z.object({
  name: z.literal(INTERRUPT_NAME),
  code: z.literal("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING"),
  /** What the user sees on their device, word for word. */
  bindingMessage: z.string(),
  /** Rich Authorization Request details, shown so the user knows exactly what they approve. */
  authorizationDetails: z.array(z.record(z.string(), z.unknown())),
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
