-- A call put back in the queue (the resident did not hear it) updates the board at once: the
-- board drops that call from its latest calls, so nobody coming back to read it is sent to a
-- desk that is now calling others. The board update's reason gains 'put_back'.

CREATE TABLE board_updates_0040 (
    id         INTEGER PRIMARY KEY,
    created_at TEXT    NOT NULL,
    site_id    TEXT    NOT NULL REFERENCES sites (id),
    ticket_id  INTEGER REFERENCES tickets (id),
    reason     TEXT    NOT NULL CHECK (reason IN ('called', 'recalled', 'put_back', 'test')),
    status     TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'done')),
    done_at    TEXT,
    owner      TEXT
) STRICT;

INSERT INTO board_updates_0040 (id, created_at, site_id, ticket_id, reason, status, done_at, owner)
SELECT id, created_at, site_id, ticket_id, reason, status, done_at, owner FROM board_updates;

DROP TABLE board_updates;
ALTER TABLE board_updates_0040 RENAME TO board_updates;
CREATE INDEX board_updates_pending ON board_updates (site_id, id) WHERE status = 'pending';
