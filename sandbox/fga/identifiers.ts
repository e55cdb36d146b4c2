/**
 * The string forms OpenFGA uses for objects (`type:id`), relations and users (`type:id`, `type:*`,
 * `type:id#relation`), with the same acceptance rules as upstream's `pkg/tuple` so that "malformed"
 * means the same thing here as there.
 */

export interface TupleKey {
  object: string;
  relation: string;
  user: string;
}

/** A user split into its parts; `relation` is set for usersets, `id` is "*" for typed wildcards. */
export interface ParsedUser {
  type: string;
  id: string;
  relation?: string;
}

// Control characters, which OpenFGA also rejects in identifiers.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export const tupleKeyString = (t: TupleKey): string => `${t.object}#${t.relation}@${t.user}`;

export function splitObject(object: string): { type: string; id: string } {
  const i = object.indexOf(":");
  return i === -1 ? { type: "", id: object } : { type: object.slice(0, i), id: object.slice(i + 1) };
}

export const typeOf = (object: string): string => splitObject(object).type;

/** "group:x#member" → ["group:x", "member"]; no "#" → [value, ""]. Uses the last "#", like upstream. */
export function splitObjectRelation(value: string): [string, string] {
  const i = value.lastIndexOf("#");
  if (i === -1) return [value, ""];
  return [value.slice(0, i), value.slice(i + 1)];
}

/** `type:id` with exactly one ":", a non-empty type and id, no "#" and no spaces. */
export function isValidObject(s: string): boolean {
  if (CONTROL.test(s) || s.includes("#") || s.includes(" ")) return false;
  const i = s.indexOf(":");
  return i > 0 && s.indexOf(":", i + 1) === -1 && i < s.length - 1;
}

export function isValidRelation(s: string): boolean {
  return s.length > 0 && !CONTROL.test(s) && !/[#:@ ]/.test(s);
}

/** `type:id#relation` (the id may not be a wildcard). */
export function isValidUserset(s: string): boolean {
  if (CONTROL.test(s) || s.includes(" ")) return false;
  const hash = s.indexOf("#");
  if (hash === -1 || s.indexOf("#", hash + 1) !== -1) return false;
  const object = s.slice(0, hash);
  const relation = s.slice(hash + 1);
  if (relation.length === 0 || relation.includes(":")) return false;
  const colon = object.indexOf(":");
  if (colon <= 0 || object.indexOf(":", colon + 1) !== -1) return false;
  const id = object.slice(colon + 1);
  return id.length > 0 && !id.includes("*");
}

export const isTypedWildcard = (s: string): boolean => {
  const { type, id } = splitObject(s);
  return type !== "" && id === "*";
};

/**
 * Schema 1.1 users: an object, a typed wildcard or a userset. (Upstream's IsValidUser also accepts bare
 * ids like "anne"; those are then refused by the model check as not being an object, with the same code.)
 */
export function parseUser(user: string): ParsedUser | undefined {
  if (isValidUserset(user)) {
    const [object, relation] = splitObjectRelation(user);
    const { type, id } = splitObject(object);
    return { type, id, relation };
  }
  if (isValidObject(user)) return splitObject(user);
  return undefined;
}

export const isUserset = (user: string): boolean => isValidUserset(user);

/** Any of the three user forms (object, typed wildcard, userset). */
export const isValidUser = (user: string): boolean => parseUser(user) !== undefined;

export function formatUser(user: ParsedUser): string {
  return user.relation ? `${user.type}:${user.id}#${user.relation}` : `${user.type}:${user.id}`;
}
