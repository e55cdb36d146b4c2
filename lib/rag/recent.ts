/** The most entries a per-instance memory of users keeps: the most recently set. */
const MOST = 10_000;

/** Sets `key` as the most recent entry of `entries`, dropping the least recent past MOST. */
export function setRecent<K, V>(entries: Map<K, V>, key: K, value: V): void {
  entries.delete(key);
  entries.set(key, value);
  if (entries.size > MOST) entries.delete(entries.keys().next().value!);
}
