-- 0051_demo_clock: the demo's running clock, kept in the demo's own database (it was a
-- `.clock` file beside it, which outlived a demo removed by hand and was then read by a new
-- database made at the same path). One row, written only by `oss-desk demo`: the instant the
-- demo office was at (`at`) at the real instant `since`, from which it runs on at the real
-- pace; `since` NULL: stopped at `at` (the demo was left and nobody has it open). It dies with
-- the database, and a copy or backup of the demo carries its time with it.
CREATE TABLE demo_clock (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    at    TEXT    NOT NULL,
    since TEXT
) STRICT;
