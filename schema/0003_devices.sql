-- 0003_devices: the device worker's state: what it last knew of each device, board updates to
-- send, and a heartbeat so that desks can tell when no worker is running.

-- One row per device URL (printer or board), written by the worker.
CREATE TABLE device_status (
    url        TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('printer', 'board', 'mail', 'notify')),
    status     TEXT    NOT NULL,
    detail     TEXT,
    checked_at TEXT    NOT NULL,
    ok_at      TEXT
) STRICT;

-- Committed with each call and recall; the worker shows the site's latest calls, then marks them.
CREATE TABLE board_updates (
    id         INTEGER PRIMARY KEY,
    created_at TEXT    NOT NULL,
    site_id    TEXT    NOT NULL REFERENCES sites (id),
    ticket_id  INTEGER REFERENCES tickets (id),
    reason     TEXT    NOT NULL CHECK (reason IN ('called', 'recalled', 'test')),
    status     TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    done_at    TEXT
) STRICT;
CREATE INDEX board_updates_pending ON board_updates (site_id, id) WHERE status = 'pending';

-- The running device worker (one at a time: it holds a lock file next to the database).
CREATE TABLE worker_heartbeat (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    pid        INTEGER NOT NULL,
    host       TEXT    NOT NULL,
    started_at TEXT    NOT NULL,
    seen_at    TEXT    NOT NULL
) STRICT;
