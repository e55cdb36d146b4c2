import { z } from "zod";
import { getDocumentsByIds } from "@/db/queries/documents";
import { audited, quotedDocumentName } from "@/lib/audit/record";
import { IssuerUnavailableError } from "@/lib/auth/oauth";
import { apiError } from "@/lib/errors";
import { FgaUnavailableError } from "@/lib/fga/documents";
import { capBody } from "@/lib/http/capped-body";
import { authorizeDocument, documentDecision } from "@/lib/rag/permissions";
import { isPublishing, parseShareTarget, shareWith, unshareWith, type ShareTarget } from "@/lib/rag/sharing";
import { rateLimitedResponse, takeRateLimit } from "@/lib/rate-limit";

type Params = { params: Promise<{ id: string }> };

/** `with`: a person's email, a group as `group:<name>`, or `everyone`; to unshare, also a share list reference. */
const bodySchema = z.object({ with: z.string().trim().min(1, "Say whom to share with.").max(320) });
const MAX_BODY_BYTES = 4 * 1024;

async function change(request: Request, { params }: Params, unsharing: boolean) {
  const { id } = await params;
  const gate = await authorizeDocument(id, "can_share", unsharing ? "document.unshare" : "document.share");
  if ("response" in gate) return gate.response;
  const allowance = await takeRateLimit(gate.user.sub, "share");
  if (!allowance.allowed) return rateLimitedResponse(allowance);
  const { body, exceeded } = capBody(request, MAX_BODY_BYTES);
  const parsed = bodySchema.safeParse(await body.json().catch(() => undefined));
  if (exceeded()) return apiError("payload_too_large", `The request is larger than ${MAX_BODY_BYTES / 1024} KB.`);
  if (!parsed.success) return apiError("bad_request", parsed.error.issues[0]?.message ?? "Say whom to share with.");
  const target = parseShareTarget(parsed.data.with, { unsharing });
  if (!target) return apiError("bad_request", "Enter an email address, group:<name>, or everyone.");
  if (!unsharing && isPublishing(target) && !gate.user.emailVerified)
    return apiError(
      "forbidden",
      "Verify your email address before sharing with everyone or with a group: publishing needs an account whose email is confirmed. You can still share with a person by email.",
    );
  const [document] = await getDocumentsByIds([id]);
  if (!document) return apiError("not_found", "Document not found.");
  const event = {
    userId: gate.user.sub,
    action: unsharing ? "document.unshare" : isPublishing(target) ? "document.publish" : "document.share",
    evidence: { ...documentDecision(id, "can_share"), target },
    input: { documentId: id, with: parsed.data.with },
    summary: `${unsharing ? "Stopped sharing" : "Shared"} ${quotedDocumentName(document.name)} with ${describeTarget(target)}`,
  } as const;
  return audited(event, async () => {
    try {
      if (unsharing) {
        await unshareWith(id, target);
        return new Response(null, { status: 204 });
      }
      return Response.json({ message: await shareWith(id, target) });
    } catch (error) {
      if (error instanceof FgaUnavailableError || error instanceof IssuerUnavailableError)
        return apiError("unavailable", "A service needed for sharing is not answering, so nothing changed. Try again.");
      throw error;
    }
  });
}

function describeTarget(target: ShareTarget): string {
  if (target.type === "everyone") return "everyone signed in";
  if (target.type === "group") return `group ${target.name}`;
  if (target.type === "email") return target.email;
  return target.sub;
}

export const POST = (request: Request, context: Params) => change(request, context, false);
export const DELETE = (request: Request, context: Params) => change(request, context, true);
