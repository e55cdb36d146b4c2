import type { Sql } from "postgres";

/**
 * The FGA sandbox keeps its own tables (prefixed `fga_`) in whatever Postgres it is given and creates them
 * itself on start: they are the stand-in service's storage, not part of the app's drizzle schema.
 *
 * Tuples are keyed by object then user. The indexes serve the evaluator's reads and the Read API:
 * - primary key (store, object type, object id, relation, user): exact tuples, "users of object#relation",
 *   and reads by object;
 * - a partial index on the same prefix for userset users only: a Check expanding `doc#viewer` usersets does
 *   not scan the document's thousands of plain viewers;
 * - (store, user, object type, relation, object id): reverse expansion for list-objects ("tuples naming this
 *   user / userset");
 * - (store, object type, relation, object id, user): reads by type and relation.
 * The last two span every key column on purpose: PGlite has no autovacuum, so the planner often has no
 * statistics, and it may pick either for an exact lookup. With a shorter (store, object type, relation) index it
 * scanned a whole type; with a shorter (store, user) index it scanned every tuple of a user who owns 10,000
 * documents, for each exact tuple a Check looked up (about 10 ms a check instead of 2).
 *
 * The changelog (ReadChanges) holds one row per tuple written or deleted, as OpenFGA's `changelog` table does.
 * ReadChanges reads it in ulid order after a ulid, for the whole store or for one object type: the primary key
 * (store, ulid) serves the first, (store, object type, ulid) the second, each as an ordered scan that stops at the
 * page size. The ulid is compared bytewise (`COLLATE "C"`), as ULIDs sort, whatever the database's collation.
 */
export const FGA_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS fga_stores (
    id text PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE IF NOT EXISTS fga_authorization_models (
    store_id text NOT NULL,
    id text NOT NULL,
    model jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
  )`,
  `CREATE TABLE IF NOT EXISTS fga_tuples (
    store_id text NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    relation text NOT NULL,
    user_key text NOT NULL,
    user_is_userset boolean NOT NULL,
    inserted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, object_type, object_id, relation, user_key)
  )`,
  `CREATE INDEX IF NOT EXISTS fga_tuples_usersets ON fga_tuples (store_id, object_type, object_id, relation) WHERE user_is_userset`,
  // The shorter indexes that earlier versions of this service created (see above).
  `DROP INDEX IF EXISTS fga_tuples_by_user`,
  `DROP INDEX IF EXISTS fga_tuples_by_type_relation`,
  `CREATE INDEX IF NOT EXISTS fga_tuples_by_user_object ON fga_tuples (store_id, user_key, object_type, relation, object_id)`,
  `CREATE INDEX IF NOT EXISTS fga_tuples_by_type_relation_object ON fga_tuples (store_id, object_type, relation, object_id, user_key)`,
  `CREATE TABLE IF NOT EXISTS fga_changelog (
    store_id text NOT NULL,
    ulid text COLLATE "C" NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    relation text NOT NULL,
    user_key text NOT NULL,
    operation text NOT NULL CHECK (operation IN ('write', 'delete')),
    inserted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, ulid)
  )`,
  `CREATE INDEX IF NOT EXISTS fga_changelog_by_type ON fga_changelog (store_id, object_type, ulid)`,
];

export async function ensureFgaSchema(sql: Sql): Promise<void> {
  for (const statement of FGA_SCHEMA) await sql.unsafe(statement);
}
