import { z } from "zod";
import { getCurrentUser } from "@/lib/auth/session";
import { answerOutsideApproval } from "@/lib/chat/outside-approvals";
import { apiError } from "@/lib/errors";

const answerSchema = z.object({ chatId: z.uuid(), toolCallId: z.string().min(1).max(200), approved: z.boolean() });

/** The user's answer to an MCP client's approval request (the approval page). Only the decision comes from here. */
export async function POST(request: Request) {
  const user = await getCurrentUser();
  if (!user) return apiError("unauthorized", "Your session has expired. Sign in again.");
  const body = answerSchema.safeParse(await request.json().catch(() => null));
  if (!body.success) return apiError("bad_request", "Send { chatId, toolCallId, approved }.");
  const refusal = await answerOutsideApproval({ userId: user.sub, ...body.data });
  if (refusal) return apiError("conflict", refusal);
  return Response.json({ approved: body.data.approved });
}
