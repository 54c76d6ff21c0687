-- 0008_daily_rollup: the monthly dashboard's 12-month trend, counted once per office per
-- closed business day.
--
-- The trend re-read about 240,000 visits' waits for every monthly report (three quarters of its
-- 1 s over 3 years at 3 offices). Events are append-only and each carries the business day it
-- happened on, so once a day is over at a site (strictly before the site's today) its counts can
-- never change: the report service writes them here the first time a report needs them and reads
-- them back after that. Today (and any later day) is always counted live from the event log.
--
-- Only counts: no person, visit or ticket is identifiable from a row (nothing here to purge).
-- A row counts as missing (and is recomputed) when it was made with another target than
-- `queue.target_minutes` or by another version of the computation.
CREATE TABLE daily_rollup (
    site_id                 TEXT    NOT NULL,
    business_day            TEXT    NOT NULL,
    visits                  INTEGER NOT NULL CHECK (visits >= 0),       -- arrivals
    seen                    INTEGER NOT NULL CHECK (seen >= 0),         -- first contact that day
    seen_within_target      INTEGER NOT NULL CHECK (seen_within_target BETWEEN 0 AND seen),
    finished                INTEGER NOT NULL CHECK (finished >= 0),     -- with an outcome
    finished_first_contact  INTEGER NOT NULL
                            CHECK (finished_first_contact BETWEEN 0 AND finished),
    appointments_booked     INTEGER NOT NULL CHECK (appointments_booked >= 0),
    appointments_kept       INTEGER NOT NULL CHECK (appointments_kept >= 0),
    appointments_no_show    INTEGER NOT NULL CHECK (appointments_no_show >= 0),
    target_seconds          INTEGER NOT NULL CHECK (target_seconds > 0),
    version                 INTEGER NOT NULL CHECK (version > 0),
    PRIMARY KEY (site_id, business_day)
) STRICT, WITHOUT ROWID;
