-- 0009_event_chain: every event records the operating-system (or sign-in) account as well as
-- the person, and carries a hash chained to the event before it (oss_desk/storage/chain.py),
-- so that editing, deleting, inserting or reordering events is found by `oss-desk db check`.
-- The events written before this migration are chained once, in id order, while the trigger
-- forbidding UPDATE is lifted for that one step (inside this migration's transaction).

ALTER TABLE events ADD COLUMN account TEXT;
ALTER TABLE events ADD COLUMN hash BLOB CHECK (hash IS NULL OR length(hash) = 32);

DROP TRIGGER events_no_update;

-- @python chain_existing_events

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: events cannot be changed');
END;

-- Every writer chains: an event without its hash is refused.
CREATE TRIGGER events_chained BEFORE INSERT ON events WHEN NEW.hash IS NULL
BEGIN
    SELECT RAISE(ABORT, 'an event must carry its hash (oss_desk.storage.chain)');
END;
