import { tool } from "ai";
import { z } from "zod";
import type { CurrentUser } from "@/lib/auth/session";

/** Answers from the verified session, never from what the conversation claims about the user. */
export function getUserProfile({ user }: { user: CurrentUser }) {
  return tool({
    description:
      "Get the signed-in user's name and email address. Use when the user asks who they are or what their email is.",
    inputSchema: z.object({}),
    execute: async () => ({ name: user.name, email: user.email }),
  });
}
