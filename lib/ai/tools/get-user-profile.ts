import { z } from "zod";
import { declareTool } from "./pipeline";

/** Answers from the verified session, never from what the conversation claims about the user. */
export const getUserProfile = declareTool({
  name: "get_user_profile",
  title: "See your name and email",
  about: "Reads your name and email address from your sign-in.",
  description: "Get the signed-in user's name and email address. Use when the user asks who they are or what their email is.",
  risk: "read",
  inputSchema: z.object({}),
  authorizers: [],
  summary: () => "Read the signed-in user's name and email",
  run: async (_input, { context: { user } }) => ({ name: user.name, email: user.email }),
});
