-- 0005_calls: calls imported from the telephone system's export, for the monthly call patterns.
--
-- Nothing personal is kept: no caller number, no agent, only when the call started, whether it
-- was answered or abandoned, how long the caller waited and talked.

-- One row per imported file. The same file (same SHA-256) is never imported twice.
CREATE TABLE call_imports (
    id           INTEGER PRIMARY KEY,
    imported_at  TEXT    NOT NULL,
    imported_by  TEXT    NOT NULL,
    site_id      TEXT    NOT NULL REFERENCES sites (id),
    file_name    TEXT    NOT NULL,                  -- the file's name, without its folder
    sha256       TEXT    NOT NULL UNIQUE CHECK (length(sha256) = 64),
    rows         INTEGER NOT NULL CHECK (rows >= 0),        -- calls read from the file
    imported     INTEGER NOT NULL DEFAULT 0 CHECK (imported >= 0),   -- new calls stored
    duplicates   INTEGER NOT NULL DEFAULT 0 CHECK (duplicates >= 0), -- already known, skipped
    first_day    TEXT,                              -- local date of the file's first call
    last_day     TEXT,                              -- and of its last
    mapping      TEXT    NOT NULL CHECK (json_valid(mapping))  -- columns and formats used
) STRICT;

CREATE TABLE calls (
    id           INTEGER PRIMARY KEY,
    site_id      TEXT    NOT NULL REFERENCES sites (id),
    started_at   TEXT    NOT NULL,                  -- UTC instant, like every other instant
    business_day TEXT    NOT NULL,                  -- the site's local date of the start
    local_hour   INTEGER NOT NULL CHECK (local_hour BETWEEN 0 AND 23),
    answered     INTEGER NOT NULL CHECK (answered IN (0, 1)),
    abandoned    INTEGER NOT NULL CHECK (abandoned IN (0, 1)),
    wait_seconds INTEGER NOT NULL CHECK (wait_seconds >= 0),   -- in the queue
    talk_seconds INTEGER CHECK (talk_seconds IS NULL OR talk_seconds >= 0),
    -- What makes a call the same call in two overlapping exports: 'id:' and the telephone
    -- system's call id when the export has one, else 'row:' and the call's figures.
    call_key     TEXT    NOT NULL,
    import_id    INTEGER NOT NULL REFERENCES call_imports (id),
    CHECK (answered + abandoned <= 1),
    UNIQUE (started_at, site_id, call_key)
) STRICT;
-- Month (and day) queries: business_day BETWEEN first AND last, per site.
CREATE INDEX calls_day ON calls (business_day, site_id);
CREATE INDEX calls_import ON calls (import_id);
