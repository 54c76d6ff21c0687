-- 0001_core: the site, the live queue and the append-only visit event log.
--
-- Rules (see schema/README.md): instants are UTC ISO 8601 text written by the application
-- ("2026-11-23T09:30:00.000Z", fixed width, so text order is time order); business_day is the
-- site's local date computed in Python; every table is STRICT; the event log is append-only.

-- The configuration documents loaded with `oss-desk init`, newest last.
CREATE TABLE config_snapshots (
    id          INTEGER PRIMARY KEY,
    loaded_at   TEXT    NOT NULL,
    loaded_by   TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    document    TEXT    NOT NULL CHECK (json_valid(document))
) STRICT;

CREATE TABLE sites (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    timezone    TEXT    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE services (
    code                TEXT    PRIMARY KEY CHECK (length(code) = 1 AND code GLOB '[A-Z]'),
    name                TEXT    NOT NULL,
    label               TEXT    NOT NULL,
    appointment_minutes INTEGER CHECK (appointment_minutes IS NULL OR appointment_minutes > 0),
    private_room        INTEGER NOT NULL DEFAULT 0 CHECK (private_room IN (0, 1)),
    checklist           TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(checklist)),
    typical_minutes     REAL,
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE desks (
    id                   TEXT    PRIMARY KEY,
    site_id              TEXT    NOT NULL REFERENCES sites (id),
    name                 TEXT    NOT NULL,
    kind                 TEXT    NOT NULL
                         CHECK (kind IN ('meet-and-greet', 'adviser', 'interview-room')),
    private_room         INTEGER NOT NULL DEFAULT 0 CHECK (private_room IN (0, 1)),
    printer_url          TEXT,
    fallback_printer_url TEXT,
    status               TEXT    NOT NULL DEFAULT 'open'
                         CHECK (status IN ('open', 'break', 'closed')),
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE desk_services (
    desk_id      TEXT NOT NULL REFERENCES desks (id),
    service_code TEXT NOT NULL REFERENCES services (code),
    PRIMARY KEY (desk_id, service_code)
) STRICT, WITHOUT ROWID;

CREATE TABLE staff (
    id      TEXT    PRIMARY KEY,
    name    TEXT    NOT NULL,
    role    TEXT    NOT NULL CHECK (role IN ('meet-and-greet', 'adviser', 'team-leader', 'admin')),
    login   TEXT    UNIQUE,
    active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- A person's visit: starts when meet-and-greet first records them (arrival).
CREATE TABLE visits (
    id           INTEGER PRIMARY KEY,
    site_id      TEXT    NOT NULL REFERENCES sites (id),
    business_day TEXT    NOT NULL,
    arrived_at   TEXT    NOT NULL,
    channel      TEXT    NOT NULL DEFAULT 'walk_in' CHECK (channel IN ('walk_in', 'appointment')),
    needs        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(needs)),
    status       TEXT    NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'done', 'no_show', 'cancelled')),
    outcome      TEXT    CHECK (outcome IN ('resolved', 'signposted', 'referred', 'appointment', 'callback')),
    finished_at  TEXT
) STRICT;
CREATE INDEX visits_site_day ON visits (site_id, business_day);

-- One counter row per (site, service, business day): allocation is one UPSERT ... RETURNING.
CREATE TABLE ticket_counters (
    site_id      TEXT    NOT NULL,
    service_code TEXT    NOT NULL,
    business_day TEXT    NOT NULL,
    last_number  INTEGER NOT NULL CHECK (last_number >= 1),
    PRIMARY KEY (site_id, service_code, business_day)
) STRICT, WITHOUT ROWID;

CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY,
    visit_id           INTEGER NOT NULL REFERENCES visits (id),
    site_id            TEXT    NOT NULL REFERENCES sites (id),
    service_code       TEXT    NOT NULL REFERENCES services (code),
    business_day       TEXT    NOT NULL,
    number             INTEGER NOT NULL CHECK (number >= 1),
    status             TEXT    NOT NULL DEFAULT 'waiting'
                       CHECK (status IN ('waiting', 'called', 'serving', 'done', 'no_show',
                                         'transferred', 'cancelled')),
    priority           INTEGER NOT NULL DEFAULT 0,
    needs_private_room INTEGER NOT NULL DEFAULT 0 CHECK (needs_private_room IN (0, 1)),
    needs              TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(needs)),  -- the visit's
    channel            TEXT    NOT NULL DEFAULT 'walk_in' CHECK (channel IN ('walk_in', 'appointment')),
    queued_at          TEXT    NOT NULL,   -- arrival: the queue order, kept across transfers
    issued_at          TEXT    NOT NULL,
    assigned_desk_id   TEXT    REFERENCES desks (id),
    desk_id            TEXT    REFERENCES desks (id),
    called_at          TEXT,
    serving_at         TEXT,
    finished_at        TEXT,
    outcome            TEXT    CHECK (outcome IN ('resolved', 'signposted', 'referred', 'appointment', 'callback')),
    recalls            INTEGER NOT NULL DEFAULT 0 CHECK (recalls >= 0),
    transferred_from   INTEGER REFERENCES tickets (id),
    printed_at         TEXT,
    UNIQUE (site_id, service_code, business_day, number),
    CHECK (status = 'waiting' OR status = 'cancelled' OR desk_id IS NOT NULL
           OR status = 'transferred'),
    CHECK ((status = 'done') = (outcome IS NOT NULL))
) STRICT;
-- Call next reads only today's waiting tickets of a site.
CREATE INDEX tickets_waiting ON tickets (site_id, business_day, priority DESC, queued_at, id)
    WHERE status = 'waiting';
-- A desk's current ticket.
CREATE INDEX tickets_at_desk ON tickets (desk_id) WHERE status IN ('called', 'serving');
CREATE INDEX tickets_visit ON tickets (visit_id);
CREATE INDEX tickets_day ON tickets (site_id, business_day, service_code);
-- Recent service times per service (wait estimates).
CREATE INDEX tickets_finished ON tickets (service_code, finished_at) WHERE status = 'done';

-- The append-only visit event log: one row per change, with who, which desk and when.
-- Reports are computed from it; it is also the audit trail.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    at            TEXT    NOT NULL,
    business_day  TEXT,                 -- local date at the site (NULL for site-less events)
    local_hour    INTEGER CHECK (local_hour IS NULL OR local_hour BETWEEN 0 AND 23),
    site_id       TEXT,
    kind          TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    desk_id       TEXT,
    visit_id      INTEGER REFERENCES visits (id),
    ticket_id     INTEGER REFERENCES tickets (id),
    service_code  TEXT,
    outcome       TEXT,
    data          TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(data))
) STRICT;
CREATE INDEX events_day ON events (business_day, kind, site_id);
CREATE INDEX events_visit ON events (visit_id, kind, at);
-- A visit arrives once and finishes once.
CREATE UNIQUE INDEX events_one_arrival ON events (visit_id) WHERE kind = 'arrived';
CREATE UNIQUE INDEX events_one_finish ON events (visit_id) WHERE kind = 'finished';

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: events cannot be changed');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: events cannot be deleted');
END;

-- Print jobs: committed with the change that causes them, delivered by the device worker.
CREATE TABLE print_jobs (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('ticket', 'appointment_slip', 'daily_summary', 'test')),
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
CREATE INDEX print_jobs_due ON print_jobs (next_attempt_at) WHERE status IN ('pending', 'printing');
CREATE INDEX print_jobs_ticket ON print_jobs (ticket_id);
