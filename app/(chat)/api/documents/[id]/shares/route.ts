import { z } from "zod";
import { findUserByEmail } from "@/lib/auth/directory";
import { IssuerUnavailableError } from "@/lib/auth/oauth";
import { apiError } from "@/lib/errors";
import { FgaUnavailableError, share, unshare, type ShareSubject } from "@/lib/fga/documents";
import { authorizeDocument } from "@/lib/rag/permissions";

type Params = { params: Promise<{ id: string }> };

/** `with`: a person's email, a group as `group:<name>`, or `everyone` (every signed-in user). */
const bodySchema = z.object({ with: z.string().trim().min(1, "Say whom to share with.").max(320) });

async function change(request: Request, { params }: Params, apply: typeof share, unsharing: boolean) {
  const { id } = await params;
  const gate = await authorizeDocument(id, "can_share");
  if ("response" in gate) return gate.response;
  const parsed = bodySchema.safeParse(await request.json().catch(() => undefined));
  if (!parsed.success) return apiError("bad_request", parsed.error.issues[0]?.message ?? "Say whom to share with.");
  try {
    const subject = await resolveSubject(parsed.data.with, unsharing);
    if ("error" in subject) return apiError("bad_request", subject.error);
    await apply(id, subject);
    return new Response(null, { status: 204 });
  } catch (error) {
    if (error instanceof FgaUnavailableError || error instanceof IssuerUnavailableError)
      return apiError("unavailable", "A service needed for sharing is not answering, so nothing changed. Try again.");
    throw error;
  }
}

export const POST = (request: Request, context: Params) => change(request, context, share, false);
export const DELETE = (request: Request, context: Params) => change(request, context, unshare, true);

/** Unsharing may name an existing share exactly (`user:<sub>`); sharing with a person always goes by email. */
async function resolveSubject(input: string, unsharing: boolean): Promise<ShareSubject | { error: string }> {
  if (input.toLowerCase() === "everyone") return { type: "everyone" };
  if (unsharing && input.startsWith("user:") && input.length > 5) return { type: "user", sub: input.slice(5) };
  const group = /^group:([a-z0-9_-]{1,64})$/i.exec(input);
  if (group) return { type: "group", name: group[1]!.toLowerCase() };
  if (!z.email().safeParse(input).success) return { error: "Enter an email address, group:<name>, or everyone." };
  const user = await findUserByEmail(input);
  if (!user) return { error: `No user with the email ${input} was found.` };
  // Only a verified address proves who is behind it: sharing to an unverified one could reach a stranger.
  if (!user.emailVerified) return { error: `${input} has not verified their email address, so it cannot be shared with.` };
  return { type: "user", sub: user.sub };
}
