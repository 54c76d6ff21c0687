-- 0013_residents: what residents get beyond the paper ticket.
--
-- The phone page's key: a ticket's public link carries an HMAC of the ticket and its day under
-- this key (random, made once per database), so links cannot be guessed and stop working at
-- the end of the day. It identifies nobody.
CREATE TABLE resident_secret (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    key  BLOB    NOT NULL CHECK (length(key) = 32)
) STRICT;
INSERT INTO resident_secret (id, key) VALUES (1, randomblob(32));

-- "Nearly your turn": a mobile number a resident gave at meet-and-greet for texts while they
-- wait elsewhere in the building. Personal data: one row per visit, deleted once its day is
-- over (the device worker's hourly purge, `oss-desk db purge`). Nothing else holds it.
CREATE TABLE visit_phones (
    visit_id     INTEGER PRIMARY KEY REFERENCES visits (id),
    site_id      TEXT    NOT NULL REFERENCES sites (id),
    business_day TEXT    NOT NULL,                 -- the visit's local date
    phone        TEXT    NOT NULL,                 -- +44..., a mobile
    added_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX visit_phones_day ON visit_phones (business_day);

-- The texts themselves, an outbox sent by the device worker: at most one per visit and kind
-- (UNIQUE), so never twice, whatever happens. The reference sent to Notify names nobody;
-- the number is read from visit_phones when sending, never copied here.
CREATE TABLE turn_texts (
    id              INTEGER PRIMARY KEY,
    visit_id        INTEGER NOT NULL REFERENCES visits (id),
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('nearly', 'called')),
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    reference       TEXT    NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    provider_id     TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,
    UNIQUE (visit_id, kind)
) STRICT;
CREATE INDEX turn_texts_due ON turn_texts (next_attempt_at) WHERE status IN ('pending', 'sending');
