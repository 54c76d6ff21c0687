-- 0030_visit_facts_contact: two more facts of each visit on its visit_facts row (schema/0024),
-- kept by triggers in the same transaction as the rows they come from, so that the reports'
-- count of what became of each visit reads one row a visit and joins nothing.
--
--   booked_ms: the booked start of the first appointment (lowest id) the visit checked in for
--     (appointments.visit_id), in epoch milliseconds; kept when an appointment is linked to a
--     visit, unlinked or moved.
--   attended_ms: the earliest call of a ticket the resident came to: a call whose ticket has no
--     'no_show' or 'cancelled' event (a call without a ticket always counts). For a visit with
--     no such event it is its first call (first_call_ms).
--
-- Measured on generated history (3 years x 3 offices: `python -m tests.benchmarks annual`), the
-- annual report's two years (496,000 visits): the count of what became of each visit took
-- 870 ms of CPU joining each visit's appointment and attended call; from these columns about
-- 600 ms. A desk's call sets attended_ms in the same row update that sets first_call_ms; only a
-- no-show or cancellation of a ticket looks at the visit's calls again (through events_visit).
-- `tests/test_visit_facts.py` checks the triggers' values against the backfill below.
ALTER TABLE visit_facts ADD COLUMN booked_ms INTEGER;
ALTER TABLE visit_facts ADD COLUMN attended_ms INTEGER;

DROP TRIGGER visit_facts_called;

-- A call counts as attended unless its ticket has already been found gone (then the
-- visit_facts_gone trigger below has taken that ticket's calls out, and keeps them out).
CREATE TRIGGER visit_facts_called AFTER INSERT ON events
WHEN NEW.kind = 'called' AND NEW.visit_id IS NOT NULL
BEGIN
    INSERT INTO visit_facts (visit_id, first_call_ms, attended_ms)
    VALUES (NEW.visit_id,
            CAST(round((julianday(NEW.at) - 2440587.5) * 86400000.0) AS INTEGER),
            CAST(round((julianday(NEW.at) - 2440587.5) * 86400000.0) AS INTEGER))
    ON CONFLICT (visit_id) DO UPDATE SET
        first_call_ms = min(coalesce(first_call_ms, excluded.first_call_ms),
                            excluded.first_call_ms),
        attended_ms = CASE
            WHEN gone AND EXISTS (SELECT 1 FROM events x
                                  WHERE x.visit_id = NEW.visit_id
                                    AND x.kind IN ('no_show', 'cancelled')
                                    AND x.ticket_id = NEW.ticket_id)
            THEN attended_ms
            ELSE min(coalesce(attended_ms, excluded.attended_ms), excluded.attended_ms) END;
END;

-- A ticket found gone: its calls were not attended; the earliest call of the visit's other
-- tickets (if any) is.
CREATE TRIGGER visit_facts_gone AFTER INSERT ON events
WHEN NEW.kind IN ('no_show', 'cancelled') AND NEW.visit_id IS NOT NULL
     AND NEW.ticket_id IS NOT NULL
BEGIN
    UPDATE visit_facts SET attended_ms = (
        SELECT CAST(round((julianday(min(c.at)) - 2440587.5) * 86400000.0) AS INTEGER)
        FROM events c
        WHERE c.visit_id = NEW.visit_id AND c.kind = 'called'
          AND NOT EXISTS (SELECT 1 FROM events x
                          WHERE x.visit_id = c.visit_id AND x.kind IN ('no_show', 'cancelled')
                            AND x.ticket_id = c.ticket_id))
    WHERE visit_id = NEW.visit_id AND attended_ms IS NOT NULL;
END;

CREATE TRIGGER visit_facts_booked AFTER INSERT ON appointments
WHEN NEW.visit_id IS NOT NULL
BEGIN
    INSERT INTO visit_facts (visit_id, booked_ms)
    SELECT NEW.visit_id, CAST(round((julianday(a.starts_at) - 2440587.5) * 86400000.0) AS INTEGER)
    FROM appointments a WHERE a.visit_id = NEW.visit_id ORDER BY a.id LIMIT 1
    ON CONFLICT (visit_id) DO UPDATE SET booked_ms = excluded.booked_ms;
END;

CREATE TRIGGER visit_facts_booked_changed AFTER UPDATE OF visit_id, starts_at ON appointments
WHEN NEW.visit_id IS NOT NULL OR OLD.visit_id IS NOT NULL
BEGIN
    UPDATE visit_facts SET booked_ms = (
        SELECT CAST(round((julianday(a.starts_at) - 2440587.5) * 86400000.0) AS INTEGER)
        FROM appointments a WHERE a.visit_id = OLD.visit_id ORDER BY a.id LIMIT 1)
    WHERE visit_id = OLD.visit_id AND OLD.visit_id IS NOT NEW.visit_id;
    INSERT INTO visit_facts (visit_id, booked_ms)
    SELECT NEW.visit_id, CAST(round((julianday(a.starts_at) - 2440587.5) * 86400000.0) AS INTEGER)
    FROM appointments a WHERE a.visit_id = NEW.visit_id ORDER BY a.id LIMIT 1
    ON CONFLICT (visit_id) DO UPDATE SET booked_ms = excluded.booked_ms;
END;

-- The visits recorded before this migration, from their appointments and events (the same
-- values the triggers give).
INSERT INTO visit_facts (visit_id, booked_ms)
SELECT visit_id, booked_ms FROM (
    SELECT visit_id, min(id),
        CAST(round((julianday(starts_at) - 2440587.5) * 86400000.0) AS INTEGER) AS booked_ms
    FROM appointments WHERE visit_id IS NOT NULL GROUP BY visit_id)
WHERE true
ON CONFLICT (visit_id) DO UPDATE SET booked_ms = excluded.booked_ms;

UPDATE visit_facts SET attended_ms = (
    SELECT CAST(round((julianday(min(c.at)) - 2440587.5) * 86400000.0) AS INTEGER)
    FROM events c
    WHERE c.visit_id = visit_facts.visit_id AND c.kind = 'called'
      AND NOT EXISTS (SELECT 1 FROM events x
                      WHERE x.visit_id = c.visit_id AND x.kind IN ('no_show', 'cancelled')
                        AND x.ticket_id = c.ticket_id))
WHERE first_call_ms IS NOT NULL;
