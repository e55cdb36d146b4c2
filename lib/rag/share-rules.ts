import { regexes } from "zod";

/**
 * What sharing accepts, for the server (lib/rag/sharing.ts) and the share picker alike, so the page can point at a
 * mistake before anything is sent.
 */

/** A group's name as it follows `group:` (FGA's `group:<name>` object id). */
export const GROUP_NAME = /^[a-z0-9_-]{1,64}$/i;

/** The address rule of zod's `z.email()`: plain ASCII letters only, no quoted or internationalised forms. */
export const isShareableEmail = (text: string) => regexes.email.test(text);

/** Whom the owner picks in the share picker. */
export type ShareAudience = "person" | "group" | "everyone";

/** What the share route takes as `with` for the picker's choice and the typed value, or why it cannot be sent. */
export function shareRequest(audience: ShareAudience, typed: string): { with: string } | { problem: string } {
  if (audience === "everyone") return { with: "everyone" };
  const value = typed.trim();
  if (audience === "group") {
    // The old syntax still works: "group:finance" names the group finance.
    const name = value.replace(/^group:/i, "");
    if (!name) return { problem: "Enter the group’s name." };
    if (!GROUP_NAME.test(name))
      return { problem: "A group name has only letters a–z, digits, hyphens and underscores (at most 64), like finance or team-eu." };
    return { with: `group:${name}` };
  }
  if (!value) return { problem: "Enter the person’s email address." };
  if (!isShareableEmail(value)) {
    const unusual = /[^\x20-\x7e]/u.exec(value)?.[0];
    return {
      problem: unusual
        ? `Enter an email address like name@example.com. Letters such as “${unusual}” cannot be used in it.`
        : "Enter an email address like name@example.com.",
    };
  }
  return { with: value };
}
