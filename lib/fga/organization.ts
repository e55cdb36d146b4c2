import type { TupleKey } from "@openfga/sdk";

/**
 * The deployment's one organisation (lib/fga/model.fga): its administrators, the members of one group, set every
 * tool's default. Free of server-only imports, as `npm run fga:write-model` and the sandbox seed use it too.
 */
export const ORGANIZATION = "organization:default";
const ADMINISTRATORS_GROUP = "group:administrators";

export const toolRef = (name: string) => `tool:${name}`;

/** Makes a user an administrator (sandbox seed: carol; `npm run fga:write-model -- --administrator <sub>`). */
export const administratorTuples = (userSub: string): TupleKey[] => [
  { user: `${ADMINISTRATORS_GROUP}#member`, relation: "administrator", object: ORGANIZATION },
  { user: `user:${userSub}`, relation: "member", object: ADMINISTRATORS_GROUP },
];
