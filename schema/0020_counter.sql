-- 0020_counter: the adviser's counter.
--
-- Parking: a ticket at a desk set aside ("gone to fetch a document") is waiting again, still
-- at its desk (desk_id), with parked_at and a neutral reason (a key of
-- oss_desk.domain.counter.PARK_REASONS: never personal). Call next never takes it; its desk
-- resumes it. It keeps its arrival time (queued_at).
ALTER TABLE tickets ADD COLUMN parked_at TEXT;
ALTER TABLE tickets ADD COLUMN park_reason TEXT;
-- Sent to a named colleague (a staff id): only the desk they are logged in to calls it.
ALTER TABLE tickets ADD COLUMN assigned_person TEXT;
-- What a desk must offer to meet the ticket's needs (oss_desk.domain.needs.requirements):
-- 'bsl', 'language:<name>', 'hearing-loop', 'step-free'. Routes call next.
ALTER TABLE tickets ADD COLUMN requires TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(requires));

-- Several services in one visit: the services added at the desk to the ticket's own, each
-- finished with its own outcome when the visit finishes.
CREATE TABLE visit_services (
    id           INTEGER PRIMARY KEY,
    visit_id     INTEGER NOT NULL REFERENCES visits (id),
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id),   -- at the desk when it was added
    service_code TEXT    NOT NULL REFERENCES services (code),
    added_at     TEXT    NOT NULL,
    added_by     TEXT    NOT NULL,
    desk_id      TEXT    REFERENCES desks (id),
    outcome      TEXT    CHECK (outcome IS NULL OR outcome IN
                                ('resolved', 'signposted', 'referred', 'appointment', 'callback')),
    finished_at  TEXT,
    CHECK ((outcome IS NULL) = (finished_at IS NULL)),
    UNIQUE (visit_id, service_code)
) STRICT;

-- Who is logged in to which desk (one desk per person). A desk calls and counts in the wait
-- estimates only while someone is logged in to it (queue.staffed_desks_only).
CREATE TABLE desk_sessions (
    desk_id  TEXT PRIMARY KEY REFERENCES desks (id),
    person   TEXT NOT NULL UNIQUE,
    since    TEXT NOT NULL
) STRICT;

-- When each desk last changed what it was doing (logged in, a break, its resident left): the
-- team leader's "idle for 6 min".
ALTER TABLE desks ADD COLUMN state_since TEXT;

-- What each desk offers ([[desks]] facilities) and each person can do ([[staff]] skills), as
-- requirements ('hearing-loop', 'step-free', 'bsl', 'language:<name>'); loaded by init.
CREATE TABLE desk_capabilities (
    desk_id    TEXT NOT NULL REFERENCES desks (id),
    capability TEXT NOT NULL,
    PRIMARY KEY (desk_id, capability)
) STRICT, WITHOUT ROWID;

CREATE TABLE staff_capabilities (
    person     TEXT NOT NULL REFERENCES staff (id),
    capability TEXT NOT NULL,
    PRIMARY KEY (person, capability)
) STRICT, WITHOUT ROWID;

-- An appointment booked at a desk during a visit (finishing it with "needs an appointment"):
-- the visit that arranged it (visit_id is the visit its check-in makes).
ALTER TABLE appointments ADD COLUMN arranged_in_visit INTEGER REFERENCES visits (id);
CREATE INDEX appointments_arranged ON appointments (arranged_in_visit)
    WHERE arranged_in_visit IS NOT NULL;
