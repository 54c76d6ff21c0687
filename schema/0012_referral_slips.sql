-- 0012_referral_slips: print jobs may be referral slips (the reference a resident quotes for a
-- referral to a back office: "quote R-0042"; never a name).
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt with the same
-- columns, rows and indexes. (A later migration that rebuilds print_jobs again must keep
-- 'referral_slip' among the kinds.)

CREATE TABLE print_jobs_0012 (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('ticket', 'appointment_slip', 'daily_summary',
                                                     'test', 'referral_slip')),
    ticket_id       INTEGER REFERENCES tickets (id),
    desk_id         TEXT    REFERENCES desks (id),
    printer_url     TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'printing', 'done', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    payload         TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    printed_at      TEXT
) STRICT;

INSERT INTO print_jobs_0012 (id, created_at, kind, ticket_id, desk_id, printer_url, status,
                             attempts, next_attempt_at, lease_until, last_error, payload,
                             printed_at)
SELECT id, created_at, kind, ticket_id, desk_id, printer_url, status, attempts,
       next_attempt_at, lease_until, last_error, payload, printed_at
FROM print_jobs;

DROP TABLE print_jobs;
ALTER TABLE print_jobs_0012 RENAME TO print_jobs;

CREATE INDEX print_jobs_due ON print_jobs (next_attempt_at) WHERE status IN ('pending', 'printing');
CREATE INDEX print_jobs_ticket ON print_jobs (ticket_id);
