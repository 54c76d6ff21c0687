-- 0049_visit_facts_call_put_back: a call the resident did not hear, put back in the queue (its
-- ticket's 'recycled' event: the adviser's "not heard", `oss-desk ticket recycle`), is no
-- contact. Before, visit_facts.attended_ms (schema/0030, 0033) took the earliest call of a
-- ticket not found gone, so a resident whose first call was put back counted as seen at that
-- call however long they then waited (a resident called at 10 minutes, put back, and reached
-- the desk at 26 minutes counted as seen within 15), and first_call_ms (the call a no-show was
-- not there for) was that unheard call too.
--
-- The rule (oss_desk/domain/standards.py contact_times): a call is put back when a 'recycled'
-- event of its ticket follows it with no other call of that ticket between. first_call_ms is
-- the earliest call not put back; attended_ms the earliest call not put back whose ticket is
-- not gone (no 'cancelled' event, and no 'no_show' without a 'no_show_undone' after it).
--
-- The view visit_calls spells the rule once: each call with whether it was put back and
-- whether its ticket is gone. A new call is never put back when it is written (only a later
-- 'recycled' puts it back), so visit_facts_called (schema/0033) stays; a put-back, like a
-- ticket found gone or a no-show taken back, works the visit's two calls out again from its
-- events (through events_visit: the view is read for one visit at a time).
-- tests/test_call_put_back.py relates these triggers, the reports' reading of the event log
-- alone and the domain's rule over arbitrary sequences of events.
DROP TRIGGER visit_facts_gone;

DROP VIEW IF EXISTS visit_calls;

CREATE VIEW visit_calls AS
SELECT c.visit_id, c.at,
    EXISTS (SELECT 1 FROM events r
            WHERE r.visit_id = c.visit_id AND r.kind = 'recycled'
              AND r.ticket_id = c.ticket_id AND r.id > c.id
              AND NOT EXISTS (SELECT 1 FROM events n
                              WHERE n.visit_id = c.visit_id AND n.kind = 'called'
                                AND n.ticket_id = c.ticket_id
                                AND n.id > c.id AND n.id < r.id)) AS put_back,
    EXISTS (SELECT 1 FROM events x
            WHERE x.visit_id = c.visit_id AND x.kind IN ('no_show', 'cancelled')
              AND x.ticket_id = c.ticket_id
              AND NOT EXISTS (SELECT 1 FROM events u
                              WHERE u.visit_id = x.visit_id AND u.kind = 'no_show_undone'
                                AND u.ticket_id = x.ticket_id AND u.id > x.id)) AS gone
FROM events c
WHERE c.kind = 'called';

CREATE TRIGGER visit_facts_contact AFTER INSERT ON events
WHEN NEW.kind IN ('no_show', 'cancelled', 'no_show_undone', 'recycled')
     AND NEW.visit_id IS NOT NULL AND NEW.ticket_id IS NOT NULL
BEGIN
    UPDATE visit_facts SET
        first_call_ms = (
            SELECT CAST(round((julianday(min(at)) - 2440587.5) * 86400000.0) AS INTEGER)
            FROM visit_calls WHERE visit_id = NEW.visit_id AND NOT put_back),
        attended_ms = (
            SELECT CAST(round((julianday(min(at)) - 2440587.5) * 86400000.0) AS INTEGER)
            FROM visit_calls WHERE visit_id = NEW.visit_id AND NOT put_back AND NOT gone)
    WHERE visit_id = NEW.visit_id AND first_call_ms IS NOT NULL;
END;

-- The visits recorded before this migration with a call put back, worked out again (the same
-- values the trigger gives). The daily rollup's stored days are recounted by its version
-- (oss_desk/storage/rollup.py ROLLUP_VERSION 5).
UPDATE visit_facts SET
    first_call_ms = (
        SELECT CAST(round((julianday(min(at)) - 2440587.5) * 86400000.0) AS INTEGER)
        FROM visit_calls c WHERE c.visit_id = visit_facts.visit_id AND NOT put_back),
    attended_ms = (
        SELECT CAST(round((julianday(min(at)) - 2440587.5) * 86400000.0) AS INTEGER)
        FROM visit_calls c WHERE c.visit_id = visit_facts.visit_id AND NOT put_back AND NOT gone)
WHERE visit_id IN (SELECT visit_id FROM events WHERE kind = 'recycled');
