-- 0016_referral_slips: print jobs may be referral slips (the reference a resident quotes for a
-- referral to a back office: "quote R-0042"; never a name or number).
--
-- SQLite cannot change a CHECK constraint in place, so print_jobs is rebuilt exactly as
-- 0014_delivery left it, with 'referral_slip' among the kinds: the same columns, rows and
-- indexes. (A later migration that rebuilds print_jobs again must keep 'referral_slip'.)

CREATE TABLE print_jobs_0016 (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT    NOT NULL,
    kind            TEXT    NOT NULL
                    CHECK (kind IN ('ticket', 'appointment_slip', 'daily_summary', 'test',
                                    'referral_slip')),
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

INSERT INTO print_jobs_0016 (id, created_at, kind, ticket_id, desk_id, printer_url, status,
                             attempts, next_attempt_at, lease_until, last_error, payload,
                             printed_at, owner, started_at, sent_at, auto_reprints,
                             acknowledged_at, acknowledged_by)
SELECT id, created_at, kind, ticket_id, desk_id, printer_url, status, attempts, next_attempt_at,
       lease_until, last_error, payload, printed_at, owner, started_at, sent_at, auto_reprints,
       acknowledged_at, acknowledged_by
FROM print_jobs;

DROP TABLE print_jobs;
ALTER TABLE print_jobs_0016 RENAME TO print_jobs;
CREATE INDEX print_jobs_due ON print_jobs (next_attempt_at) WHERE status IN ('pending', 'printing');
CREATE INDEX print_jobs_ticket ON print_jobs (ticket_id);
CREATE INDEX print_jobs_lane ON print_jobs (printer_url, id) WHERE status = 'pending';
CREATE INDEX print_jobs_attention ON print_jobs (desk_id)
    WHERE status IN ('uncertain', 'failed') AND acknowledged_at IS NULL;
