-- 0056_visit_calls_reached_desk: a call followed by something a desk does only with the
-- resident there (started, parked, sent on to another desk, colleague or service, finished) is
-- a contact, whatever becomes of its ticket later. Before (schema/0030, 0033, 0049), every call
-- of a ticket with a 'cancelled' event was no contact. But a ticket keeps its id when it goes
-- back to the queue after its resident was served (sent to another desk or colleague in the
-- same service; parked, then sent back when its desk closed): when the office then closed with
-- it waiting, a resident served within 5 minutes counted as closed unseen, a miss of the
-- 15-minute standard.
--
-- The rule (oss_desk/domain/standards.py contact_times): a call is put back when a 'recycled'
-- event of its ticket follows it with no other call of that ticket between; it is unanswered
-- when its ticket is gone after it (a 'cancelled' event, or a 'no_show' with no
-- 'no_show_undone' of the ticket after it) with no 'serving', 'parked', 'transferred' or
-- 'finished' event of the ticket between the call and that end. first_call_ms is the earliest
-- call not put back; attended_ms the earliest call that is a contact (neither).
--
-- The view visit_calls spells the rule once: each call with whether it was put back and
-- whether it was a contact. The triggers read it, and so do the reports over an older copy
-- without it (oss_desk/storage/reports_visits.py makes it a TEMP view there from this file).
-- The trigger's new name tells the reports that visit_facts holds this rule (an older copy's
-- visit_facts, kept by the rule before, is read from its events).
-- tests/test_call_put_back.py relates these triggers, the reports' reading of the event log
-- alone and the domain's rule over arbitrary sequences of events.
DROP TRIGGER IF EXISTS visit_facts_contact;

DROP VIEW IF EXISTS visit_calls;

CREATE VIEW visit_calls AS
SELECT visit_id, at, put_back, NOT put_back AND NOT unanswered AS contact
FROM (
    SELECT c.visit_id, c.at,
        EXISTS (SELECT 1 FROM events r
                WHERE r.visit_id = c.visit_id AND r.kind = 'recycled'
                  AND r.ticket_id = c.ticket_id AND r.id > c.id
                  AND NOT EXISTS (SELECT 1 FROM events n
                                  WHERE n.visit_id = c.visit_id AND n.kind = 'called'
                                    AND n.ticket_id = c.ticket_id
                                    AND n.id > c.id AND n.id < r.id)) AS put_back,
        EXISTS (SELECT 1 FROM events x
                WHERE x.visit_id = c.visit_id AND x.ticket_id = c.ticket_id AND x.id > c.id
                  AND (x.kind = 'cancelled'
                       OR (x.kind = 'no_show'
                           AND NOT EXISTS (SELECT 1 FROM events u
                                           WHERE u.visit_id = x.visit_id
                                             AND u.kind = 'no_show_undone'
                                             AND u.ticket_id = x.ticket_id AND u.id > x.id)))
                  AND NOT EXISTS (SELECT 1 FROM events s
                                  WHERE s.visit_id = c.visit_id AND s.ticket_id = c.ticket_id
                                    AND s.kind IN ('serving', 'parked', 'transferred',
                                                   'finished')
                                    AND s.id > c.id AND s.id < x.id)) AS unanswered
    FROM events c
    WHERE c.kind = 'called');

CREATE TRIGGER visit_facts_reached AFTER INSERT ON events
WHEN NEW.kind IN ('no_show', 'cancelled', 'no_show_undone', 'recycled')
     AND NEW.visit_id IS NOT NULL AND NEW.ticket_id IS NOT NULL
BEGIN
    UPDATE visit_facts SET
        first_call_ms = (
            SELECT CAST(round((julianday(min(at)) - 2440587.5) * 86400000.0) AS INTEGER)
            FROM visit_calls WHERE visit_id = NEW.visit_id AND NOT put_back),
        attended_ms = (
            SELECT CAST(round((julianday(min(at)) - 2440587.5) * 86400000.0) AS INTEGER)
            FROM visit_calls WHERE visit_id = NEW.visit_id AND contact)
    WHERE visit_id = NEW.visit_id AND first_call_ms IS NOT NULL;
END;

-- The visits recorded before this migration with a ticket gone, worked out again (the same
-- values the trigger gives). The daily rollup's stored days are recounted by its version
-- (oss_desk/storage/rollup.py ROLLUP_VERSION 6).
UPDATE visit_facts SET
    first_call_ms = (
        SELECT CAST(round((julianday(min(at)) - 2440587.5) * 86400000.0) AS INTEGER)
        FROM visit_calls c WHERE c.visit_id = visit_facts.visit_id AND NOT put_back),
    attended_ms = (
        SELECT CAST(round((julianday(min(at)) - 2440587.5) * 86400000.0) AS INTEGER)
        FROM visit_calls c WHERE c.visit_id = visit_facts.visit_id AND contact)
WHERE visit_id IN (SELECT visit_id FROM events WHERE kind IN ('cancelled', 'no_show'));
