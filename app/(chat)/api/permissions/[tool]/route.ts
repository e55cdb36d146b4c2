import { z } from "zod";
import { offeredDeclarations } from "@/lib/ai/tools";
import { audited, recordAuditEvent } from "@/lib/audit/record";
import { getCurrentUser } from "@/lib/auth/session";
import { apiError } from "@/lib/errors";
import { FgaUnavailableError } from "@/lib/fga/client";
import { toolRef } from "@/lib/fga/organization";
import { chooseToolUse, mayChangeToolDefault, setToolDefault } from "@/lib/fga/tool-permissions";
import { capBody } from "@/lib/http/capped-body";
import { rateLimitedResponse, takeRateLimit } from "@/lib/rate-limit";

/**
 * `PUT /api/permissions/<tool>`: `{ "for": "me", "choice": "on" | "off" | "default" }` sets the user's own choice;
 * `{ "for": "everyone", "on": true | false }` sets the organisation's default (administrators only, FGA decides).
 * The change applies from the user's next message: each turn asks FGA afresh.
 */
const bodySchema = z.discriminatedUnion("for", [
  z.object({ for: z.literal("me"), choice: z.enum(["on", "off", "default"]) }),
  z.object({ for: z.literal("everyone"), on: z.boolean() }),
]);
const MAX_BODY_BYTES = 1024;

export async function PUT(request: Request, { params }: { params: Promise<{ tool: string }> }) {
  const user = await getCurrentUser();
  if (!user) return apiError("unauthorized", "Your session has expired. Sign in again.");
  const { tool } = await params;
  const declaration = offeredDeclarations().find((offered) => offered.name === tool);
  if (!declaration) return apiError("not_found", "Delegate has no such tool.");
  const allowance = await takeRateLimit(user.sub, "permission_change");
  if (!allowance.allowed) return rateLimitedResponse(allowance);
  const { body, exceeded } = capBody(request, MAX_BODY_BYTES);
  const parsed = bodySchema.safeParse(await body.json().catch(() => undefined));
  if (exceeded()) return apiError("payload_too_large", `The request is larger than ${MAX_BODY_BYTES} bytes.`);
  if (!parsed.success) return apiError("bad_request", 'Send { "for": "me", "choice": "on" | "off" | "default" } or { "for": "everyone", "on": true | false }.');
  const change = parsed.data;
  try {
    if (change.for === "everyone") {
      if (!(await mayChangeToolDefault(user.sub, tool))) {
        // A refused attempt at a privileged change is part of the record too (best effort: it changed nothing).
        await recordAuditEvent({
          userId: user.sub,
          action: "permission.change_default",
          evidence: { tool, fga: { relation: "can_change_default", object: toolRef(tool), allowed: false }, on: change.on },
          input: change,
          summary: `Tried to switch "${declaration.title}" ${change.on ? "on" : "off"} by default for everyone, without being an administrator`,
          outcome: "denied",
        }).catch(() => {});
        return apiError("forbidden", "Only an administrator can change what Delegate may do for everyone.");
      }
      return await audited(
        {
          userId: user.sub,
          action: "permission.change_default",
          evidence: { tool, fga: { relation: "can_change_default", object: toolRef(tool), allowed: true }, on: change.on },
          input: change,
          summary: `Switched "${declaration.title}" ${change.on ? "on" : "off"} by default for everyone`,
        },
        async () => {
          await setToolDefault(tool, change.on);
          return new Response(null, { status: 204 });
        },
      );
    }
    const choice = change.choice === "default" ? null : change.choice;
    return await audited(
      {
        userId: user.sub,
        action: "permission.change",
        evidence: { tool, object: toolRef(tool), choice: change.choice },
        input: change,
        summary: choice ? `Switched "${declaration.title}" ${choice} for Delegate` : `Returned "${declaration.title}" to the organisation's default`,
      },
      async () => {
        await chooseToolUse(user.sub, tool, choice);
        return new Response(null, { status: 204 });
      },
    );
  } catch (error) {
    if (error instanceof FgaUnavailableError) return apiError("unavailable", "The permission service is not answering, so nothing changed. Try again in a moment.");
    throw error;
  }
}
