-- Hand-written. The audit triggers' functions (0006, 0012) name their tables without a schema, so they looked them up
-- through whatever search_path the writer had: under pg_restore's empty one, a data-only restore failed on "relation
-- audit_chains does not exist" instead of the triggers' own refusal, and a session's search_path could point them at
-- another schema's tables of the same name. They now look in the app's schema only (pg_temp last, never first).
ALTER FUNCTION audit_events_refuse_change() SET search_path = public, pg_temp;
--> statement-breakpoint
ALTER FUNCTION audit_chains_forward_only() SET search_path = public, pg_temp;
--> statement-breakpoint
ALTER FUNCTION audit_events_advance_chain() SET search_path = public, pg_temp;
