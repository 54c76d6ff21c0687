-- 0075_turn_text_hand_over: "nearly your turn" texts and referral messages record when their
-- request was handed to GOV.UK Notify (`handed_over_at`, as appointment messages do), kept while a
-- try may have reached it and cleared once a try ended with a sure answer. So a text left mid-send by a worker that
-- stopped before its request left is sent at once by the next worker, and only one that may
-- have left waits for the look-up. And a text no longer needed after a try that may have reached
-- Notify, whose look-up cannot say whether it did, is recorded 'uncertain' ("may have been
-- sent"), never 'cancelled' (as if it certainly was not).

CREATE TABLE turn_texts_0075 (
    id              INTEGER PRIMARY KEY,
    visit_id        INTEGER NOT NULL REFERENCES visits (id),
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('nearly', 'called')),
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled',
                                      'uncertain')),
    reference       TEXT    NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    provider_id     TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,
    handed_over_at  TEXT,
    UNIQUE (visit_id, kind)
) STRICT;

-- Texts left mid-send before this release could have been handed over: counted as handed over.
INSERT INTO turn_texts_0075 (id, visit_id, ticket_id, kind, status, reference, attempts,
    next_attempt_at, lease_until, last_error, provider_id, created_at, sent_at, handed_over_at)
SELECT id, visit_id, ticket_id, kind, status, reference, attempts, next_attempt_at, lease_until,
    last_error, provider_id, created_at, sent_at,
    CASE WHEN status = 'sending' OR attempts > 1 THEN coalesce(lease_until, created_at) END
FROM turn_texts;

DROP TABLE turn_texts;
ALTER TABLE turn_texts_0075 RENAME TO turn_texts;
CREATE INDEX turn_texts_due ON turn_texts (next_attempt_at) WHERE status IN ('pending', 'sending');

ALTER TABLE followup_messages ADD COLUMN handed_over_at TEXT;
UPDATE followup_messages SET handed_over_at = coalesce(lease_until, created_at)
WHERE via = 'notify' AND (status = 'sending' OR attempts > 1);
