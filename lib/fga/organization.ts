import type { TupleKey } from "@openfga/sdk";

/**
 * The deployment's one organisation (lib/fga/model.fga): its administrators set every tool's default. They are
 * users named one by one, not a group: groups are also what documents are shared with, and whoever manages document
 * groups must not thereby manage administrators. Free of server-only imports, as `npm run fga:write-model` and the
 * sandbox seed use it too.
 */
export const ORGANIZATION = "organization:default";

export const toolRef = (name: string) => `tool:${name}`;

/** Makes a user an administrator (sandbox seed: carol; `npm run fga:write-model -- --administrator <sub>`). */
export const administratorTuples = (userSub: string): TupleKey[] => [{ user: `user:${userSub}`, relation: "administrator", object: ORGANIZATION }];
