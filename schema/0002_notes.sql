-- 0002_notes: short adviser notes on a visit.
--
-- Notes are free text typed by staff, so they may hold personal data: they live here alone
-- (never in events, tickets or logs) so that the retention job can purge them. The event log
-- records only that a note was added, by whom and where.

CREATE TABLE visit_notes (
    id         INTEGER PRIMARY KEY,
    visit_id   INTEGER NOT NULL REFERENCES visits (id),
    ticket_id  INTEGER REFERENCES tickets (id),
    at         TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    desk_id    TEXT,
    text       TEXT,                       -- NULL once purged
    purged_at  TEXT,
    CHECK (text IS NOT NULL OR purged_at IS NOT NULL),
    CHECK (text IS NULL OR length(text) BETWEEN 1 AND 500)
) STRICT;
CREATE INDEX visit_notes_visit ON visit_notes (visit_id);
