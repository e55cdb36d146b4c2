-- Hand-written (drizzle-kit does not generate triggers).
-- An event is appended by inserting it: this trigger moves its chain's head onto it in the same statement, and only
-- if the event follows the head (the next sequence, linked to the head's hash). So an event can be written in one
-- statement without a lock (db/queries/audit.ts): a writer that lost a race to another is refused here, or by the
-- unique (user_id, sequence) index, and nothing of its statement stays. It also means no event can be inserted
-- anywhere but at the end of its chain, whoever inserts it.
CREATE FUNCTION audit_events_advance_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE audit_chains SET head_sequence = NEW.sequence, head_hash = NEW.hash
    WHERE user_id = NEW.user_id AND head_sequence = NEW.sequence - 1 AND head_hash IS NOT DISTINCT FROM NEW.prev_hash;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit event % of % does not follow its chain''s head', NEW.sequence, NEW.user_id
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_events_advance_chain AFTER INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_advance_chain();
