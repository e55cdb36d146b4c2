-- The Activity page's filters on an action, a tool and a decision, its lists of the actions, tools and decisions a
-- user's events hold, and the in-chat approval's look-up of one call's recorded answer each read every event of the
-- user's history without these. The evidence expressions (db/schema.ts, auditEvidence) must stay exactly as the
-- queries write them, or the planner does not match them. Plain CREATE INDEX, as migrations run in a transaction: on
-- a large existing table, audit writes (and so audited actions) wait until the indexes are built.
CREATE INDEX "audit_events_user_action_idx" ON "audit_events" USING btree ("user_id","action","occurred_at");--> statement-breakpoint
CREATE INDEX "audit_events_user_tool_idx" ON "audit_events" USING btree ("user_id",(evidence ->> 'tool'),"occurred_at");--> statement-breakpoint
CREATE INDEX "audit_events_user_decision_idx" ON "audit_events" USING btree ("user_id",(coalesce(evidence ->> 'authorizer', case when jsonb_typeof(evidence -> 'fga') = 'object' then 'fga' end)),"occurred_at");--> statement-breakpoint
CREATE INDEX "audit_events_user_tool_call_idx" ON "audit_events" USING btree ("user_id","chat_id","tool_call_id");