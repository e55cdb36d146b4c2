import "server-only";
import { inArray, sql } from "drizzle-orm";
import { getDb } from "../client";
import { people } from "../schema";

/** Someone the app has seen, for showing names instead of Auth0 ids. Never used to decide access. */
export interface Person {
  sub: string;
  name: string;
  email: string | null;
}

/** Records (or refreshes) people by `sub`; the latest name and email win. */
export async function rememberPeople(persons: Person[]) {
  // One row per sub: an upsert may not touch the same row twice.
  const bySub = new Map(persons.map(({ sub, name, email }) => [sub, { sub, name, email }]));
  if (bySub.size === 0) return;
  await getDb()
    .insert(people)
    .values([...bySub.values()])
    .onConflictDoUpdate({ target: people.sub, set: { name: sql`excluded.name`, email: sql`excluded.email`, updatedAt: sql`now()` } });
}

/** The known people among `subs`, by sub; unknown subs are simply absent. */
export async function getPeople(subs: string[]): Promise<Map<string, Person>> {
  const unique = [...new Set(subs)];
  if (unique.length === 0) return new Map();
  const rows = await getDb().select({ sub: people.sub, name: people.name, email: people.email }).from(people).where(inArray(people.sub, unique));
  return new Map(rows.map((row) => [row.sub, row]));
}
