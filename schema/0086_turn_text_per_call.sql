-- 0086_turn_text_per_call: a turn text's row names one text for ever. Before, a come-to-the-desk
-- text that had failed (or gone) was queued again for the ticket's next call by rewriting its
-- row in place, and a "nearly your turn" text held back and then let go again was deleted; so
-- an alert's id (`t12` in `oss-desk alerts list`) could later name another failure.
--
-- Now each call's come-to-the-desk text is a row of its own (`call_at`: the ticket's called_at
-- it is about; '' for the other kinds), and a held-back text let go again keeps its row
-- (`released_at`: when). One row per visit, kind and call that still counts, the UNIQUE index
-- its backstop; the latest row of a visit and kind is the one that says how it went.

CREATE TABLE turn_texts_0086 (
    id              INTEGER PRIMARY KEY,
    visit_id        INTEGER NOT NULL REFERENCES visits (id),
    ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('nearly', 'called', 'closed')),
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
    call_at         TEXT    NOT NULL DEFAULT '',
    released_at     TEXT,
    CHECK ((kind = 'called') = (call_at <> ''))
) STRICT;

-- A come-to-the-desk text kept from before names the call its ticket last had when it was
-- queued, or (a ticket called since, or no longer called) the time it was queued.
INSERT INTO turn_texts_0086 (id, visit_id, ticket_id, kind, status, reference, attempts,
    next_attempt_at, lease_until, last_error, provider_id, created_at, sent_at, handed_over_at,
    call_at)
SELECT x.id, x.visit_id, x.ticket_id, x.kind, x.status, x.reference, x.attempts,
    x.next_attempt_at, x.lease_until, x.last_error, x.provider_id, x.created_at, x.sent_at,
    x.handed_over_at,
    CASE WHEN x.kind <> 'called' THEN ''
         ELSE coalesce((SELECT t.called_at FROM tickets t WHERE t.id = x.ticket_id
                        AND t.called_at <= x.created_at), x.created_at) END
FROM turn_texts x;

DROP TABLE turn_texts;
ALTER TABLE turn_texts_0086 RENAME TO turn_texts;
CREATE INDEX turn_texts_due ON turn_texts (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX turn_texts_of_visit ON turn_texts (visit_id, kind);
CREATE UNIQUE INDEX turn_texts_one_per_call ON turn_texts (visit_id, kind, call_at)
    WHERE released_at IS NULL;
