-- 0033_closed_days_no_show_taken_back: two changes.
--
-- 1. The team leader's close of day, kept, so that a day closed by hand takes
-- no more arrivals (meet-and-greet's tickets, appointments' check-ins) until a team leader
-- reopens it (oss_desk/domain/closed_day.py). Closing time by itself closes nothing to arrivals
-- (an evening event is still served).
--
-- One row per close; a reopen fills in its reopened_* columns (who and when), so that both
-- are attributable. A day is closed while its latest row has no reopened_at.
CREATE TABLE IF NOT EXISTS day_closures (
    id           INTEGER PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites (id),
    business_day TEXT NOT NULL,
    closed_at    TEXT NOT NULL,
    closed_by    TEXT NOT NULL,
    reopened_at  TEXT,
    reopened_by  TEXT,
    CHECK ((reopened_at IS NULL) = (reopened_by IS NULL))
) STRICT;

CREATE INDEX IF NOT EXISTS day_closures_day ON day_closures (site_id, business_day);

-- 2. A no-show taken back (its 'no_show_undone' event: the resident came after all) does not
-- make its ticket gone: a ticket is gone when it has a 'cancelled' event, or a 'no_show' event
-- with no 'no_show_undone' of the same ticket after it (the rule the daily no-show count has
-- used since issue 17; oss_desk/domain/standards.py VisitFacts.seen_ms). Before, a no-show
-- taken back kept its ticket's calls out of visit_facts.attended_ms (schema/0030), so the
-- visit counted as seen only at its finish, not at the call the resident answered.
DROP TRIGGER visit_facts_called;

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
            WHEN gone AND EXISTS (
                SELECT 1 FROM events x
                WHERE x.visit_id = NEW.visit_id AND x.kind IN ('no_show', 'cancelled')
                  AND x.ticket_id = NEW.ticket_id
                  AND NOT EXISTS (SELECT 1 FROM events u
                                  WHERE u.visit_id = x.visit_id AND u.kind = 'no_show_undone'
                                    AND u.ticket_id = x.ticket_id AND u.id > x.id))
            THEN attended_ms
            ELSE min(coalesce(attended_ms, excluded.attended_ms), excluded.attended_ms) END;
END;

DROP TRIGGER visit_facts_gone;

-- A ticket found gone, or a no-show taken back: the visit's attended calls again.
CREATE TRIGGER visit_facts_gone AFTER INSERT ON events
WHEN NEW.kind IN ('no_show', 'cancelled', 'no_show_undone') AND NEW.visit_id IS NOT NULL
     AND NEW.ticket_id IS NOT NULL
BEGIN
    UPDATE visit_facts SET attended_ms = (
        SELECT CAST(round((julianday(min(c.at)) - 2440587.5) * 86400000.0) AS INTEGER)
        FROM events c
        WHERE c.visit_id = NEW.visit_id AND c.kind = 'called'
          AND NOT EXISTS (
              SELECT 1 FROM events x
              WHERE x.visit_id = c.visit_id AND x.kind IN ('no_show', 'cancelled')
                AND x.ticket_id = c.ticket_id
                AND NOT EXISTS (SELECT 1 FROM events u
                                WHERE u.visit_id = x.visit_id AND u.kind = 'no_show_undone'
                                  AND u.ticket_id = x.ticket_id AND u.id > x.id)))
    WHERE visit_id = NEW.visit_id AND first_call_ms IS NOT NULL;
END;

-- The visits recorded before this migration with a no-show taken back, recomputed (the same
-- values the triggers give), and the stored daily tallies of their days dropped so that they
-- are counted again (the rollup is derived data: schema/0018).
UPDATE visit_facts SET attended_ms = (
    SELECT CAST(round((julianday(min(c.at)) - 2440587.5) * 86400000.0) AS INTEGER)
    FROM events c
    WHERE c.visit_id = visit_facts.visit_id AND c.kind = 'called'
      AND NOT EXISTS (
          SELECT 1 FROM events x
          WHERE x.visit_id = c.visit_id AND x.kind IN ('no_show', 'cancelled')
            AND x.ticket_id = c.ticket_id
            AND NOT EXISTS (SELECT 1 FROM events u
                            WHERE u.visit_id = x.visit_id AND u.kind = 'no_show_undone'
                              AND u.ticket_id = x.ticket_id AND u.id > x.id)))
WHERE first_call_ms IS NOT NULL
  AND visit_id IN (SELECT visit_id FROM events WHERE kind = 'no_show_undone');

DELETE FROM daily_rollup
WHERE (site_id, business_day) IN (SELECT site_id, business_day FROM events
                                  WHERE kind = 'no_show_undone');
