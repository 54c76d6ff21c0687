-- 0018_scorecard: the council's scorecard (issue 15): the daily rollup holds each closed day's
-- whole tally, residents' ratings of their visit, and the appointment of a visit.
--
-- The daily rollup (0008) stored a few counts per site and day for the monthly trend. The
-- scorecard's figures (the 15-minute figure with its walk-outs, appointment punctuality, the
-- council's flags, satisfaction) and the quarterly and annual reports need more, and their
-- percentiles need every raw wait: a row now holds the day's whole tally (counts and raw waits
-- and service times, no person and no visit: nothing here to purge) as JSON, made once from the
-- event log and recounted when the computation's version changes. The old rows are dropped:
-- they are recounted when next needed.
DROP TABLE daily_rollup;
CREATE TABLE daily_rollup (
    site_id       TEXT    NOT NULL,
    business_day  TEXT    NOT NULL,
    version       INTEGER NOT NULL CHECK (version > 0),
    tally         TEXT    NOT NULL CHECK (json_valid(tally)),
    PRIMARY KEY (site_id, business_day)
) STRICT;

-- The 15-minute clock of an appointment starts at the later of check-in and the booked time:
-- the reports find a visit's appointment by its visit.
CREATE INDEX appointments_visit ON appointments (visit_id) WHERE visit_id IS NOT NULL;

-- A resident's own rating of a visit (1 to 5; NULL: they declined to say), at most one per visit
-- (the primary key refuses a second), given at the desk, on the counter's tablet or by text.
-- The event log records it too (rating_recorded, with the rating and no words).
CREATE TABLE visit_ratings (
    visit_id     INTEGER PRIMARY KEY REFERENCES visits (id),
    site_id      TEXT    NOT NULL REFERENCES sites (id),
    business_day TEXT    NOT NULL,                -- the local day it was given
    rating       INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    source       TEXT    NOT NULL CHECK (source IN ('desk', 'tablet', 'text')),
    desk_id      TEXT    REFERENCES desks (id),
    given_at     TEXT    NOT NULL,
    recorded_by  TEXT    NOT NULL
) STRICT;
CREATE INDEX visit_ratings_day ON visit_ratings (business_day, site_id);

-- What the resident wrote with it: their own words may hold personal data, so kept apart and
-- deleted retention.comments_days after (the row stays, its text goes).
CREATE TABLE rating_comments (
    visit_id    INTEGER PRIMARY KEY REFERENCES visit_ratings (visit_id),
    text        TEXT,
    written_at  TEXT    NOT NULL,
    purged_at   TEXT
) STRICT;
