import "server-only";
import { isToolFailure, type ToolContext, type ToolFailure } from "@/lib/auth/tool-context";
import { waitInWords } from "@/lib/http/retry";
import { ProviderError } from "@/lib/integrations/provider-error";
import { logError } from "@/lib/log";
import type { Authorizer } from "./authorizer";
import { connections, type ConnectionName } from "./connections";
import { isInterruptedOutput, type InterruptedOutput } from "./interrupts";
import {
  forgetConnectionToken,
  getConnectionToken,
  TokenVaultInterruptError,
  TokenVaultRefusedError,
  TokenVaultUnavailableError,
  tokenVaultInterrupt,
} from "./token-vault";

/**
 * The Token Vault authorizer: wraps a tool's work so that it runs only with a provider token obtained for
 * the signed-in user. Anything the user must do (connect, grant more, reconnect) becomes an interrupt; a
 * provider or identity outage becomes an error the model can explain. Without a token the work never runs.
 */
export function withTokenVault<INPUT, OUTPUT>(
  context: ToolContext,
  { connection, scopes }: { connection: ConnectionName; scopes: string[] },
  work: (input: INPUT, accessToken: string) => Promise<OUTPUT>,
): (input: INPUT) => Promise<OUTPUT | InterruptedOutput | ToolFailure> {
  const label = connections[connection].label;
  const userId = context.user.sub;
  return async (input) => {
    try {
      const accessToken = await getConnectionToken({ userId, refreshToken: context.refreshToken, apiAccess: context.apiAccess, connection, scopes });
      return await work(input, accessToken);
    } catch (error) {
      if (error instanceof TokenVaultInterruptError) return { interrupt: error.interrupt };
      // Connecting would not help (sign in again, an administrator's setting, a wait): the model relays the message.
      if (error instanceof TokenVaultRefusedError) {
        logError("token-vault", `${connection}: Token Vault refused (${error.code})`);
        return { error: error.message };
      }
      if (error instanceof TokenVaultUnavailableError) {
        logError("token-vault", `${connection}: the identity service did not answer`, error);
        return { error: `Could not get access to your ${label} account: the identity service did not answer. Nothing was done.` };
      }
      if (!(error instanceof ProviderError)) throw error;
      logError("token-vault", `${connection}: the provider refused the call`, error);
      switch (error.failure) {
        case "unauthorized":
          await forgetConnectionToken(userId, connection);
          return { interrupt: tokenVaultInterrupt("token_rejected", connection, scopes).interrupt };
        case "insufficient_scope":
          return { interrupt: tokenVaultInterrupt("missing_scopes", connection, scopes).interrupt };
        case "forbidden":
          return { error: `${label} refused this${error.status ? ` (HTTP ${error.status})` : ""}: your ${label} account or its administrator does not allow it, and more permissions for Delegate would not change that.` };
        case "rate_limited":
          return { error: `${label} is limiting requests right now. Try again in ${waitInWords(error.retryAfterSeconds)}.` };
        case "unavailable":
        case "timeout":
          return { error: `${label} is not answering right now${error.status ? ` (HTTP ${error.status})` : ""}. Try again later.` };
        case "not_found":
          return { error: `${label} could not find what was asked for.` };
        case "bad_request":
          return { error: `${label} refused the request as invalid.` };
      }
    }
  };
}

/**
 * Token Vault as an authorizer of the pipeline: the call goes on with a token for `connection` holding `scopes`.
 * The exchange is recorded (connection and scopes, never the token) before the token is used.
 */
export function tokenVault(connection: ConnectionName, scopes: string[]): Authorizer {
  return {
    kind: "token-vault",
    label: `your connected ${connections[connection].label} account`,
    async authorize(call, next) {
      const evidence = { connection, scopes };
      let exchanged = false;
      const answer = await withTokenVault(call.context, evidence, async (input: typeof call.input, accessToken) => {
        exchanged = true;
        await call.decide({ authorizer: "token-vault", decision: "granted", evidence });
        return next({ input, accessToken });
      })(call.input);
      if (isInterruptedOutput(answer) && answer.interrupt.code === "TOKEN_VAULT_ERROR")
        await call.decide({ authorizer: "token-vault", decision: "interrupted", evidence: { ...evidence, reason: answer.interrupt.reason, requiredScopes: answer.interrupt.requiredScopes } });
      else if (!exchanged && isToolFailure(answer)) await call.decide({ authorizer: "token-vault", decision: "refused", evidence: { ...evidence, message: answer.error } });
      return answer;
    },
  };
}

