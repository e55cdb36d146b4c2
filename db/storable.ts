/**
 * A JSON value as Postgres can store it. Its text and jsonb hold no U+0000, and jsonb refuses a lone UTF-16 surrogate
 * (JSON.parse makes one of "\ud800", so a model or a provider can send one) while text turns it into U+FFFD. So NUL
 * is dropped and a lone surrogate becomes U+FFFD, in keys and values, before a value is hashed or stored: what is
 * stored is then what was hashed, and one stray character cannot make a reply or an audit event unstorable.
 * Only plain objects and arrays are walked; anything else (a Date) is kept as it is.
 */
export function storable<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("\u0000", "").toWellFormed() as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [storable(key), storable(item)])) as T;
  return value;
}
