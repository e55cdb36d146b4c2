import "server-only";
import { ClientWriteRequestOnDuplicateWrites, ClientWriteRequestOnMissingDeletes, type TupleKey } from "@openfga/sdk";
import { ask, checkEach, getFga, userRef, type Check } from "./client";
import { ORGANIZATION, toolRef } from "./organization";

/**
 * Which tools a user lets the agent use, asked of FGA (the `tool` and `organization` types in lib/fga/model.fga).
 * A tool is usable when the user switched it on, or when the organisation's administrators leave it on by default
 * and the user did not switch it off. Any failure to get an answer throws FgaUnavailableError: fail closed.
 */

/** The user's own choice for a tool: on, off, or none (the default applies). */
export type ToolChoice = "on" | "off" | null;

export interface ToolPermission {
  tool: string;
  /** Whether the agent may use the tool for this user now. */
  usable: boolean;
  choice: ToolChoice;
  /** The organisation's default for everyone. */
  onByDefault: boolean;
}

export interface ToolPermissions {
  tools: ToolPermission[];
  /** Whether this user may change the organisation's defaults. */
  administrator: boolean;
}

/** The evidence of one permission check, as the audit trail records it. */
export interface ToolPermissionCheck {
  relation: "can_use";
  object: string;
  allowed: boolean;
  /** Whether the user's own choice is "off" (else a refusal is the organisation's default). */
  switchedOffByUser: boolean;
}

/** The answers of one batch check, looked up by who was asked about what. */
type Answers = (user: string, relation: string, tool: string) => boolean;

const check = (user: string, relation: string, tool: string): Check => ({ user, relation, object: toolRef(tool) });
const key = ({ user, relation, object }: Check) => `${user} ${relation} ${object}`;

async function batchCheck(checks: Check[]): Promise<Answers> {
  const answers = await checkEach(checks);
  const allowed = new Set(checks.filter((_, i) => answers[i]).map(key));
  return (user, relation, tool) => allowed.has(key(check(user, relation, tool)));
}

/**
 * Gives tools FGA has never seen their organisation and their audience (every signed-in user), so a tool a developer
 * adds is on for everyone from its first use. Neither tuple carries a choice: writing them again (two servers at
 * once, or a tool wrongly taken for new) never undoes an administrator's "off", which is a tuple of its own.
 */
async function introduce(tools: string[]) {
  const writes: TupleKey[] = tools.flatMap((tool) => [
    { user: ORGANIZATION, relation: "organization", object: toolRef(tool) },
    { user: "user:*", relation: "signed_in", object: toolRef(tool) },
  ]);
  for (let i = 0; i < writes.length; i += 50)
    await ask("write", () => getFga().write({ writes: writes.slice(i, i + 50) }, { conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore } }));
}

/**
 * Asks FGA each of `relations` of the user on each tool, in one batch check. A tool FGA has never seen is introduced
 * first (and asked again, once), so every question, whichever path asks it first, has the tool's default behind it.
 */
async function askAboutTools(userSub: string, tools: readonly string[], relations: readonly string[]): Promise<(relation: string, tool: string) => boolean> {
  const user = userRef(userSub);
  // A tool whose default does not reach every signed-in user yet is one FGA has not been introduced to.
  const checkAll = () => batchCheck(tools.flatMap((tool) => [...relations.map((relation) => check(user, relation, tool)), check(user, "signed_in", tool)]));
  let answers = await checkAll();
  const unknown = tools.filter((tool) => !answers(user, "signed_in", tool));
  if (unknown.length > 0) {
    await introduce(unknown);
    answers = await checkAll();
  }
  const final = answers;
  return (relation, tool) => final(user, relation, tool);
}

/** The tools among `tools` the user lets the agent use now. */
export async function usableTools(userSub: string, tools: readonly string[]): Promise<Set<string>> {
  const answer = await askAboutTools(userSub, tools, ["can_use"]);
  return new Set(tools.filter((tool) => answer("can_use", tool)));
}

/** Whether the agent may run this tool for the user, asked at the moment of the call. */
export async function checkToolUse(userSub: string, tool: string): Promise<ToolPermissionCheck> {
  const answer = await askAboutTools(userSub, [tool], ["can_use", "switched_off"]);
  return { relation: "can_use", object: toolRef(tool), allowed: answer("can_use", tool), switchedOffByUser: answer("switched_off", tool) };
}

/** Everything the permissions page shows: each tool's state for the user, and whether they administer defaults. */
export async function toolPermissionsOf(userSub: string, tools: readonly string[]): Promise<ToolPermissions> {
  const answer = await askAboutTools(userSub, tools, ["can_use", "switched_on", "switched_off", "on_by_default", "can_change_default"]);
  return {
    administrator: tools.length > 0 && tools.every((tool) => answer("can_change_default", tool)),
    tools: tools.map((tool) => ({
      tool,
      usable: answer("can_use", tool),
      choice: answer("switched_on", tool) ? "on" : answer("switched_off", tool) ? "off" : null,
      onByDefault: answer("on_by_default", tool),
    })),
  };
}

/** Records the user's own choice for a tool, replacing the previous one; `null` returns to the default. */
export async function chooseToolUse(userSub: string, tool: string, choice: ToolChoice) {
  const user = userRef(userSub);
  const tuple = (relation: string) => ({ user, relation, object: toolRef(tool) });
  const writes = choice === "on" ? [tuple("switched_on")] : choice === "off" ? [tuple("switched_off")] : [];
  const deletes = ["switched_on", "switched_off"].filter((relation) => relation !== `switched_${choice}`).map(tuple);
  await ask("write", () =>
    getFga().write(
      { writes, deletes },
      { conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore, onMissingDeletes: ClientWriteRequestOnMissingDeletes.Ignore } },
    ),
  );
}

/** Whether the user may change the tool's default for everyone: FGA decides (can_change_default), asked fresh. */
export async function mayChangeToolDefault(userSub: string, tool: string): Promise<boolean> {
  return (await askAboutTools(userSub, [tool], ["can_change_default"]))("can_change_default", tool);
}

/** Sets a tool's default for everyone; callers have asked mayChangeToolDefault first. */
export async function setToolDefault(tool: string, on: boolean) {
  const off = { user: "user:*", relation: "off_by_default", object: toolRef(tool) };
  await ask("write", () =>
    getFga().write(
      on ? { deletes: [off] } : { writes: [off] },
      { conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore, onMissingDeletes: ClientWriteRequestOnMissingDeletes.Ignore } },
    ),
  );
}
