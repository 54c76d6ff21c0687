-- 0092_restores_recorded_since: from when restores record themselves in the event log.
--
-- A release before that recorded a restore only in one line beside the database
-- (`<db>.restores`: its time and the log's head then), and `db check` now asks every line for
-- the restore's own `database_restored` event: an office that restored under that release
-- failed `db check` as if events had been removed. This row is the upgrade's mark: the newest
-- event when this release first ran here (`event_id`) and when (`at`, UTC). A line that names
-- no event can only have been written before it, of a head at or before that event.

CREATE TABLE restores_recorded_since (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    event_id INTEGER NOT NULL CHECK (event_id >= 0),
    at       TEXT    NOT NULL
) STRICT;

INSERT INTO restores_recorded_since (id, event_id, at)
VALUES (1, (SELECT coalesce(max(id), 0) FROM events), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TRIGGER restores_recorded_since_no_update BEFORE UPDATE ON restores_recorded_since
BEGIN
    SELECT RAISE(ABORT, 'the upgrade''s mark cannot be changed');
END;

CREATE TRIGGER restores_recorded_since_no_delete BEFORE DELETE ON restores_recorded_since
BEGIN
    SELECT RAISE(ABORT, 'the upgrade''s mark cannot be deleted');
END;
