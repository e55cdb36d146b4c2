CREATE TABLE "audit_chains" (
	"user_id" text PRIMARY KEY NOT NULL,
	"head_sequence" integer NOT NULL,
	"head_hash" text,
	"anchor_sequence" integer NOT NULL,
	"anchor_hash" text
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"sequence" integer NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"agent_id" text NOT NULL,
	"model_id" text,
	"chat_id" uuid,
	"turn_id" text,
	"tool_call_id" text,
	"action" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"input_digest" text,
	"summary" text NOT NULL,
	"outcome" text NOT NULL,
	"duration_ms" integer,
	"prev_hash" text,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_user_sequence_idx" ON "audit_events" USING btree ("user_id","sequence");--> statement-breakpoint
CREATE INDEX "audit_events_user_occurred_idx" ON "audit_events" USING btree ("user_id","occurred_at");--> statement-breakpoint
-- Hand-written below (drizzle-kit does not generate triggers).
-- Retention pruning without a back door: there is no session setting or privileged function that switches the
-- guard off. A user's events may be deleted only below their chain's anchor, and the anchor may move only forward
-- and only onto an existing event's hash. So pruning is "advance the anchor to just after the last expired event,
-- then delete what lies below it", and the kept chain still verifies from the recorded anchor hash. Anything else —
-- an UPDATE, a DELETE in the middle or at the end, a TRUNCATE, moving an anchor or head backwards — is refused.
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
    SELECT 1 FROM audit_chains c WHERE c.user_id = OLD.user_id AND OLD.sequence < c.anchor_sequence
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % is refused (only events below the chain anchor may be pruned)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
--> statement-breakpoint
CREATE FUNCTION audit_chains_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit_chains rows are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.user_id <> OLD.user_id OR NEW.head_sequence < OLD.head_sequence OR NEW.anchor_sequence < OLD.anchor_sequence
     OR NEW.anchor_sequence > NEW.head_sequence + 1 THEN
    RAISE EXCEPTION 'an audit chain only moves forward' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.head_sequence, NEW.head_hash) IS DISTINCT FROM (OLD.head_sequence, OLD.head_hash) AND NOT EXISTS (
    SELECT 1 FROM audit_events e WHERE e.user_id = NEW.user_id AND e.sequence = NEW.head_sequence AND e.hash = NEW.head_hash
  ) THEN
    RAISE EXCEPTION 'an audit chain head must name a stored event' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.anchor_sequence, NEW.anchor_hash) IS DISTINCT FROM (OLD.anchor_sequence, OLD.anchor_hash) AND NOT EXISTS (
    SELECT 1 FROM audit_events e WHERE e.user_id = NEW.user_id AND e.sequence = NEW.anchor_sequence - 1 AND e.hash = NEW.anchor_hash
  ) THEN
    RAISE EXCEPTION 'an audit chain anchor must be the hash of the last pruned event' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_chains_forward_only BEFORE UPDATE OR DELETE ON audit_chains
  FOR EACH ROW EXECUTE FUNCTION audit_chains_forward_only();
--> statement-breakpoint
CREATE TRIGGER audit_chains_no_truncate BEFORE TRUNCATE ON audit_chains
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chains_forward_only();
