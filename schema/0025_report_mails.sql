-- 0025_report_mails: the daily summary and the monthly dashboard, emailed by themselves
-- (`oss-desk report send`, run by a systemd timer after closing).
--
-- An outbox like `messages`, delivered by the device worker through the same claim, lease,
-- hand-over and finish (oss_desk/storage/outbox.py). A row holds the report's text as it was
-- when queued: aggregate figures only (counts, percentages, waits), never a resident; the
-- recipient is a member of staff's work address from the configuration. At most one row per
-- report, office and recipient (UNIQUE), so running the command again queues nothing; `--again`
-- queues a further round on purpose.
CREATE TABLE report_mails (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('daily', 'monthly')),
    period          TEXT    NOT NULL,                    -- YYYY-MM-DD (daily) or YYYY-MM
    scope           TEXT    NOT NULL,                    -- a site id, or '*' for every site
    recipient       TEXT    NOT NULL,
    round           INTEGER NOT NULL DEFAULT 1 CHECK (round >= 1),
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    via             TEXT    NOT NULL DEFAULT 'smtp' CHECK (via IN ('smtp')),
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    reference       TEXT    NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    owner           TEXT,                                -- the device owner sending it
    handed_over_at  TEXT,                                -- the end of DATA is about to go
    unconfirmed     INTEGER NOT NULL DEFAULT 0,          -- sends the server never answered
    last_error      TEXT,
    provider_id     TEXT,                                -- the Message-ID the server accepted
    created_at      TEXT    NOT NULL,
    queued_by       TEXT    NOT NULL,                    -- who (or which timer's user) queued it
    sent_at         TEXT,                                -- the server accepted it (250)
    UNIQUE (kind, period, scope, recipient, round)
) STRICT;
CREATE INDEX report_mails_lane ON report_mails (via, next_attempt_at) WHERE status = 'pending';
