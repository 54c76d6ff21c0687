-- 0014_delivery: honest print states, an owner for every claimed outbox row, and the device
-- lease's heartbeat.
--
-- A print job is 'pending' (queued), 'printing' (sending: bytes may be leaving), 'done' (all
-- bytes left; printed_at is set only when the printer confirmed), 'uncertain' (all or part of it
-- left and nothing confirmed it: the desk that queued it is asked), 'failed' (with its reason) or
-- 'cancelled'. SQLite cannot change a CHECK constraint in place, so print_jobs and board_updates
-- are rebuilt (nothing references either table).

CREATE TABLE print_jobs_0014 (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT    NOT NULL,
    kind            TEXT    NOT NULL
                    CHECK (kind IN ('ticket', 'appointment_slip', 'daily_summary', 'test')),
    ticket_id       INTEGER REFERENCES tickets (id),
    desk_id         TEXT    REFERENCES desks (id),
    printer_url     TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'printing', 'done', 'uncertain', 'failed',
                                      'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    payload         TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    printed_at      TEXT,                              -- the printer confirmed it printed
    owner           TEXT,                              -- the device owner that claimed it
    started_at      TEXT,                              -- bytes of it first began to leave
    sent_at         TEXT,                              -- the last byte left (latest try)
    auto_reprints   INTEGER NOT NULL DEFAULT 0,        -- sent again by itself after a cut-off
    acknowledged_at TEXT,                              -- a desk answered "may not have printed"
    acknowledged_by TEXT
) STRICT;

INSERT INTO print_jobs_0014 (id, created_at, kind, ticket_id, desk_id, printer_url, status,
                             attempts, next_attempt_at, lease_until, last_error, payload,
                             printed_at, sent_at)
SELECT id, created_at, kind, ticket_id, desk_id, printer_url, status, attempts, next_attempt_at,
       lease_until, last_error, payload, printed_at,
       CASE WHEN status = 'done' THEN printed_at END
FROM print_jobs;

DROP TABLE print_jobs;
ALTER TABLE print_jobs_0014 RENAME TO print_jobs;
CREATE INDEX print_jobs_due ON print_jobs (next_attempt_at) WHERE status IN ('pending', 'printing');
CREATE INDEX print_jobs_ticket ON print_jobs (ticket_id);
CREATE INDEX print_jobs_lane ON print_jobs (printer_url, id) WHERE status = 'pending';
CREATE INDEX print_jobs_attention ON print_jobs (desk_id)
    WHERE status IN ('uncertain', 'failed') AND acknowledged_at IS NULL;

CREATE TABLE board_updates_0014 (
    id         INTEGER PRIMARY KEY,
    created_at TEXT    NOT NULL,
    site_id    TEXT    NOT NULL REFERENCES sites (id),
    ticket_id  INTEGER REFERENCES tickets (id),
    reason     TEXT    NOT NULL CHECK (reason IN ('called', 'recalled', 'test')),
    status     TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'done')),
    done_at    TEXT,
    owner      TEXT
) STRICT;

INSERT INTO board_updates_0014 (id, created_at, site_id, ticket_id, reason, status, done_at)
SELECT id, created_at, site_id, ticket_id, reason, status, done_at FROM board_updates;

DROP TABLE board_updates;
ALTER TABLE board_updates_0014 RENAME TO board_updates;
CREATE INDEX board_updates_pending ON board_updates (site_id, id) WHERE status = 'pending';

-- The owner of the devices: who holds the lease (the lock file next to the database) and when it
-- last beat (real time, even under OSS_DESK_NOW). A new owner takes a new token and term.
ALTER TABLE worker_heartbeat ADD COLUMN owner TEXT;
ALTER TABLE worker_heartbeat ADD COLUMN role TEXT;
ALTER TABLE worker_heartbeat ADD COLUMN term INTEGER NOT NULL DEFAULT 0;
ALTER TABLE worker_heartbeat ADD COLUMN stopped_at TEXT;

-- When each device last answered at all (ok or a fault), beside when it was last asked.
ALTER TABLE device_status ADD COLUMN answered_at TEXT;
