-- 0099_lines_said: what a recurring run last said of a standing state, so that it says it once
-- per change and not at every run: `report send due`'s line on working days older than the week
-- it catches up that have no daily summary (the timer runs it every hour: the journal, and the
-- alerts read from it, repeated the same line each hour while nothing changed). One row per
-- topic; the row goes when there is nothing to say. No personal data: counts, days, commands.

CREATE TABLE lines_said (
    topic   TEXT PRIMARY KEY CHECK (topic IN ('older_unsent')),
    line    TEXT NOT NULL,
    said_at TEXT NOT NULL
) STRICT;
