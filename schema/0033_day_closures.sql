-- 0033_day_closures: the team leader's close of day, kept, so that a day closed by hand takes
-- no more arrivals (meet-and-greet's tickets, appointments' check-ins) until a team leader
-- reopens it (oss_desk/domain/closed_day.py). Closing time by itself closes nothing to arrivals
-- (an evening event is still served).
--
-- One row per close; a reopen fills in its reopened_* columns (who and when), so that both
-- are attributable. A day is closed while its latest row has no reopened_at.
CREATE TABLE day_closures (
    id           INTEGER PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites (id),
    business_day TEXT NOT NULL,
    closed_at    TEXT NOT NULL,
    closed_by    TEXT NOT NULL,
    reopened_at  TEXT,
    reopened_by  TEXT,
    CHECK ((reopened_at IS NULL) = (reopened_by IS NULL))
) STRICT;

CREATE INDEX day_closures_day ON day_closures (site_id, business_day);
