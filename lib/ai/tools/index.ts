import type { CurrentUser } from "@/lib/auth/session";
import { getUserProfile } from "./get-user-profile";

/** The agent's tools for one request, bound to the signed-in user. Keys are the names the model sees. */
export function createTools(context: { user: CurrentUser }) {
  return {
    get_user_profile: getUserProfile(context),
  };
}

export type ChatTools = ReturnType<typeof createTools>;
