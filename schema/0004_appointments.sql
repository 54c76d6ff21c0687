-- 0004_appointments: appointments, the advisers' and rooms' held time, absences, and the
-- message outbox (confirmations, reminders, change and cancellation notices).

CREATE TABLE appointments (
    id               INTEGER PRIMARY KEY,
    ref              TEXT    NOT NULL UNIQUE,           -- booking reference, e.g. K7M-3QX
    site_id          TEXT    NOT NULL REFERENCES sites (id),
    service_code     TEXT    NOT NULL REFERENCES services (code),
    adviser_id       TEXT    NOT NULL REFERENCES staff (id),
    room_id          TEXT    REFERENCES desks (id),
    starts_at        TEXT    NOT NULL,
    ends_at          TEXT    NOT NULL,
    business_day     TEXT    NOT NULL,                  -- the local date of the start
    status           TEXT    NOT NULL DEFAULT 'booked'
                     CHECK (status IN ('booked', 'checked_in', 'attended', 'incomplete',
                                       'no_show', 'cancelled')),
    channel          TEXT    NOT NULL CHECK (channel IN ('email', 'text', 'slip')),
    needs            TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(needs)),
    booked_at        TEXT    NOT NULL,
    booked_by        TEXT    NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,        -- bumped by each move (iCalendar SEQUENCE)
    cancelled_at     TEXT,
    cancelled_by     TEXT    CHECK (cancelled_by IN ('council', 'resident')),
    cancel_reason    TEXT,
    notice_days      INTEGER,                           -- working days of notice given
    notice_breach    INTEGER NOT NULL DEFAULT 0 CHECK (notice_breach IN (0, 1)),
    visit_id         INTEGER REFERENCES visits (id),
    ticket_id        INTEGER REFERENCES tickets (id),
    checklist_ticked TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(checklist_ticked)),
    rebooked_from    INTEGER REFERENCES appointments (id)
) STRICT;
CREATE INDEX appointments_day ON appointments (site_id, business_day, starts_at);
CREATE INDEX appointments_due ON appointments (starts_at) WHERE status = 'booked';

-- The resident's contact details: personal data, kept apart and deleted on schedule.
CREATE TABLE appointment_contacts (
    appointment_id INTEGER PRIMARY KEY REFERENCES appointments (id),
    name           TEXT,
    email          TEXT,
    phone          TEXT,
    purged_at      TEXT
) STRICT;

-- Held time: one row per 5-minute unit of each adviser and room an appointment takes. The
-- primary key makes a double booking impossible, whatever desks book at the same moment.
CREATE TABLE resource_units (
    resource       TEXT    NOT NULL,                    -- 'adviser:ben' or 'room:room-1'
    unit           INTEGER NOT NULL,                    -- minutes since the epoch / 5
    appointment_id INTEGER NOT NULL REFERENCES appointments (id),
    PRIMARY KEY (resource, unit)
) STRICT, WITHOUT ROWID;
CREATE INDEX resource_units_appointment ON resource_units (appointment_id);

-- Annual leave, training and other absences of advisers (whole days).
CREATE TABLE staff_absences (
    id         INTEGER PRIMARY KEY,
    staff_id   TEXT    NOT NULL REFERENCES staff (id),
    first_day  TEXT    NOT NULL,
    last_day   TEXT    NOT NULL,
    reason     TEXT    NOT NULL CHECK (reason IN ('annual leave', 'training', 'sickness', 'other')),
    created_at TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    CHECK (last_day >= first_day)
) STRICT;
CREATE INDEX staff_absences_days ON staff_absences (staff_id, first_day, last_day);

-- Messages to residents, committed with the booking or change that causes them. The recipient
-- is read from appointment_contacts when sending; the reference holds nothing personal.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    appointment_id  INTEGER NOT NULL REFERENCES appointments (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('confirmation', 'reminder', 'change',
                                                     'cancellation')),
    channel         TEXT    NOT NULL CHECK (channel IN ('email', 'text')),
    via             TEXT    NOT NULL CHECK (via IN ('smtp', 'notify')),
    for_version     INTEGER NOT NULL,                   -- the appointment version it speaks of
    due_at          TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled',
                                      'expired')),
    reference       TEXT    NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    provider_id     TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
) STRICT;
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX messages_appointment ON messages (appointment_id);

-- Appointment events (booked, moved, cancelled, checked in, no-show, messages) name the
-- appointment they belong to.
ALTER TABLE events ADD COLUMN appointment_id INTEGER REFERENCES appointments (id);
CREATE INDEX events_appointment ON events (appointment_id) WHERE appointment_id IS NOT NULL;
