-- 0026_feedback_texts: "text me afterwards to ask how we did" (issue 15, item 4).
--
-- A resident's consent to one follow-up text after their visit is its own recorded fact, apart
-- from the "nearly your turn" number (visit_phones, deleted at the end of the day): the mobile
-- number given for it, who took it down (a member of staff's login) and when. Personal data: the
-- number is deleted retention.feedback_texts_days after the visit (the row stays without it, so
-- that who recorded the consent is still known). The event log records the consent too
-- (feedback_consent_given), without the number.
CREATE TABLE feedback_consents (
    visit_id     INTEGER PRIMARY KEY REFERENCES visits (id),
    site_id      TEXT    NOT NULL REFERENCES sites (id),
    business_day TEXT    NOT NULL,                 -- the visit's local date
    phone        TEXT,                             -- +447..., NULL once purged
    given_at     TEXT    NOT NULL,
    given_by     TEXT    NOT NULL,                 -- who recorded the consent
    source       TEXT    NOT NULL CHECK (source IN ('greet', 'appointment', 'cli')),
    purged_at    TEXT
) STRICT;
CREATE INDEX feedback_consents_day ON feedback_consents (business_day) WHERE phone IS NOT NULL;

-- The follow-up texts: an outbox like `messages` (claim, lease, hand-over, finish in
-- oss_desk/storage/outbox.py), at most one per visit (UNIQUE), queued when the visit finishes
-- and due feedback.text_delay_minutes later (within the sending hours). The number is read from
-- feedback_consents when sending, never copied here; the reference names nobody.
CREATE TABLE feedback_texts (
    id              INTEGER PRIMARY KEY,
    visit_id        INTEGER NOT NULL UNIQUE REFERENCES visits (id),
    via             TEXT    NOT NULL DEFAULT 'notify' CHECK (via IN ('notify')),
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    reference       TEXT    NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    owner           TEXT,
    handed_over_at  TEXT,
    unconfirmed     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    provider_id     TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,
    acknowledged_at TEXT,
    acknowledged_by TEXT
) STRICT;
CREATE INDEX feedback_texts_lane ON feedback_texts (via, next_attempt_at) WHERE status = 'pending';

-- A report email that failed for good is an alert (`oss-desk alerts`) until acknowledged.
ALTER TABLE report_mails ADD COLUMN acknowledged_at TEXT;
ALTER TABLE report_mails ADD COLUMN acknowledged_by TEXT;

-- An appointment's booking may carry the consent (with its mobile number, in
-- appointment_contacts.phone): who recorded it, and when. At check-in it becomes the visit's
-- consent (feedback_consents, source 'appointment').
ALTER TABLE appointment_contacts ADD COLUMN feedback_text_by TEXT;
ALTER TABLE appointment_contacts ADD COLUMN feedback_text_at TEXT;
