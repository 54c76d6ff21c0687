-- 0011_followups: the follow-up register: ring-backs, referrals to a back office, and comments,
-- compliments and complaints "On The Record", each with its working-day deadlines.
--
-- Nothing personal is in `followups` (nor in the event log that records every change): the
-- resident's name, phone and email, the topic and the free text of an action taken live in
-- `followup_details` alone, so that the retention purge (`oss-desk db purge`) can delete them
-- while every report figure, computed from `followups`, stays the same. Days (`*_day`) are the
-- office's local dates, computed in Python like every business day.

-- One counter row per reference prefix (CB, R, OTR): allocation is one UPSERT ... RETURNING.
CREATE TABLE followup_counters (
    prefix      TEXT    PRIMARY KEY CHECK (prefix IN ('CB', 'R', 'OTR')),
    last_number INTEGER NOT NULL CHECK (last_number >= 1)
) STRICT, WITHOUT ROWID;

CREATE TABLE followups (
    id               INTEGER PRIMARY KEY,
    ref              TEXT    NOT NULL UNIQUE,          -- R-0042: what the resident quotes
    kind             TEXT    NOT NULL
                     CHECK (kind IN ('ringback', 'referral', 'comment', 'compliment', 'complaint')),
    site_id          TEXT    NOT NULL REFERENCES sites (id),
    service_code     TEXT    REFERENCES services (code),
    status           TEXT    NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'received', 'acknowledged', 'done', 'unreachable')),
    received_at      TEXT    NOT NULL,
    received_day     TEXT    NOT NULL,                 -- which month and quarter it counts in
    start_day        TEXT    NOT NULL,                 -- the working day its clock starts
    due_day          TEXT    NOT NULL,                 -- returned / done / answered by
    ack_due_day      TEXT,                             -- records: acknowledged by
    created_by       TEXT    NOT NULL,
    desk_id          TEXT,
    owner            TEXT,                             -- who took it (a staff id)
    visit_id         INTEGER REFERENCES visits (id),   -- the visit it came from
    back_office      TEXT,                             -- referrals: the back office's id
    sla_days         INTEGER CHECK (sla_days IS NULL OR sla_days >= 0),
    send_by          TEXT    CHECK (send_by IN ('slip', 'email', 'text')),
    via              TEXT    CHECK (via IN ('in-person', 'phone', 'letter', 'email', 'web')),
    category         TEXT,
    stage            INTEGER CHECK (stage IN (1, 2)),
    acknowledged_at  TEXT,
    acknowledged_day TEXT,
    acknowledged_by  TEXT,
    closed_at        TEXT,
    closed_day       TEXT,
    closed_by        TEXT,
    officer          TEXT,                             -- records: the officer who answered
    finding          TEXT    CHECK (finding IN ('justified', 'partly', 'not-justified')),
    action_taken     INTEGER CHECK (action_taken IN (0, 1)),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    CHECK ((kind = 'referral') = (back_office IS NOT NULL)),
    CHECK ((kind IN ('comment', 'compliment', 'complaint'))
           = (ack_due_day IS NOT NULL AND category IS NOT NULL AND via IS NOT NULL
              AND stage IS NOT NULL)),
    CHECK (finding IS NULL OR kind = 'complaint'),
    CHECK ((status IN ('done', 'unreachable')) = (closed_at IS NOT NULL)),
    CHECK (status != 'unreachable' OR kind = 'ringback'),
    CHECK (status != 'received' OR kind = 'referral'),
    CHECK (status != 'acknowledged' OR kind IN ('comment', 'compliment', 'complaint'))
) STRICT;
-- The lists of work to do: open ones by due day.
CREATE INDEX followups_open ON followups (site_id, due_day) WHERE status NOT IN ('done', 'unreachable');
-- Monthly and quarterly figures: by the day received.
CREATE INDEX followups_received ON followups (received_day, site_id);

-- The personal part: purged on the retention schedule (every column but the key set to NULL).
CREATE TABLE followup_details (
    followup_id INTEGER PRIMARY KEY REFERENCES followups (id),
    name        TEXT    CHECK (name IS NULL OR length(name) BETWEEN 1 AND 80),
    phone       TEXT    CHECK (phone IS NULL OR length(phone) BETWEEN 1 AND 40),
    email       TEXT    CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    topic       TEXT    CHECK (topic IS NULL OR length(topic) BETWEEN 1 AND 200),
    action_text TEXT    CHECK (action_text IS NULL OR length(action_text) BETWEEN 1 AND 500),
    purged_at   TEXT
) STRICT;

-- Ring-back attempts: when, who, and what happened (never the number dialled).
CREATE TABLE followup_attempts (
    id          INTEGER PRIMARY KEY,
    followup_id INTEGER NOT NULL REFERENCES followups (id),
    at          TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    desk_id     TEXT,
    result      TEXT    NOT NULL
                CHECK (result IN ('no-answer', 'voicemail', 'busy', 'wrong-number', 'reached'))
) STRICT;
CREATE INDEX followup_attempts_followup ON followup_attempts (followup_id, id);

-- A referral's reference sent by email or text (the resident's choice; a slip is printed
-- instead through print_jobs). Like `messages`: no recipient and no text are stored (both are
-- read from the follow-up when sending); the reference sent to the provider is random, never
-- personal; provider_id and last_error are purged after retention.messages_days.
CREATE TABLE followup_messages (
    id              INTEGER PRIMARY KEY,
    followup_id     INTEGER NOT NULL REFERENCES followups (id),
    channel         TEXT    NOT NULL CHECK (channel IN ('email', 'text')),
    via             TEXT    NOT NULL CHECK (via IN ('smtp', 'notify')),
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    reference       TEXT    NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    provider_id     TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
) STRICT;
CREATE INDEX followup_messages_due ON followup_messages (next_attempt_at)
    WHERE status IN ('pending', 'sending');
CREATE INDEX followup_messages_followup ON followup_messages (followup_id);
