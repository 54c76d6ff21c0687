"""`db check` relates what the reports read (``visit_facts``) to the event log: a row edited by
hand, which would change a report's figures while the hash chain stays whole, is named by visit
and field (exit 4, as a broken chain is)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .cli_here import run_cli_here
from .conftest import Cli
from .test_scorecard_day import monday

__all__ = ["monday"]  # the scripted day's fixture, used below


def _check(cli: Cli) -> tuple[int, str]:
    done = run_cli_here("db", "check", env={"OSS_DESK_DB": str(cli.db)})
    return done.returncode, done.stdout + done.stderr


def test_a_report_row_edited_by_hand_is_named_by_db_check(monday: Cli) -> None:
    code, said = _check(monday)
    assert code == 0, said
    # The IT administrator's trial: the full check said nothing of the report figures, while
    # --quick said they were not checked.
    assert said.rstrip().endswith(
        "; report figures: worked out again from the events and compared (each visit's row, "
        "each closed day's totals)"
    ), said
    conn = sqlite3.connect(monday.db)
    try:
        (visit,) = conn.execute(
            "SELECT min(visit_id) FROM visit_facts WHERE outcome = 'resolved'"
        ).fetchone()
        booked = conn.execute(
            "SELECT min(visit_id) FROM visit_facts WHERE booked_ms IS NOT NULL"
        ).fetchone()[0]
        with conn:
            conn.execute("UPDATE visit_facts SET outcome = 'referred' WHERE visit_id = ?", [visit])
            conn.execute(
                "UPDATE visit_facts SET booked_ms = booked_ms + 60000 WHERE visit_id = ?", [booked]
            )
    finally:
        conn.close()
    code, said = _check(monday)
    assert code == 4, said
    assert (
        f"report figures: visit {visit} in visit_facts outcome is 'referred' where its events "
        "say 'resolved'"
    ) in said
    assert f"visit {booked} in visit_facts booked_ms is " in said
    assert "event log append-only and chained" not in said  # the chain itself is whole


def _remove_last_report_row(db: Path) -> int:
    """The newest visit's row of what the reports read, deleted by hand; its visit."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            (visit,) = conn.execute("SELECT max(visit_id) FROM visit_facts").fetchone()
            conn.execute("DELETE FROM visit_facts WHERE visit_id = ?", [visit])
    finally:
        conn.close()
    return int(visit)


def test_a_report_row_removed_by_hand_is_named_by_db_check(monday: Cli) -> None:
    visit = _remove_last_report_row(monday.db)
    code, said = _check(monday)
    assert code == 4, said
    assert f"visit {visit} in visit_facts has no row, though its events say it arrived" in said


def test_a_closed_day_s_stored_figures_edited_by_hand_are_named_by_db_check(monday: Cli) -> None:
    """The daily rollup: a closed day's tally, stored once and read by every later report."""
    monthly = monday("report", "monthly", "--month", "2026-11", now="2026-11-24T08:00:00Z")
    assert monthly.code == 0, monthly.err
    conn = sqlite3.connect(monday.db)
    try:
        stored = conn.execute(
            "SELECT count(*) FROM daily_rollup WHERE business_day = '2026-11-23'"
        ).fetchone()
        assert stored[0] >= 1
        code, said = _check(monday)
        assert code == 0, said  # what the report stored is what the events say
        with conn:
            conn.execute(
                "UPDATE daily_rollup SET tally = json_set(tally, '$.no_shows', 0,"
                " '$.outcomes.resolved', 40) WHERE business_day = '2026-11-23'"
            )
    finally:
        conn.close()
    code, said = _check(monday)
    assert code == 4, said
    assert "report figures: the daily rollup's 2026-11-23 at " in said
    assert "differs from its events in no_shows, outcomes" in said


def test_db_check_quick_says_it_skips_the_report_figures(monday: Cli) -> None:
    """``db check --quick`` worked the whole event log through again as the full check does
    (the report figures), and said nothing of it either way: it now skips that, and says so;
    doctor says it does not check them (``db check`` does)."""
    visit = _remove_last_report_row(monday.db)
    env = {"OSS_DESK_DB": str(monday.db)}
    quick = run_cli_here("db", "check", "--quick", env=env)
    assert quick.returncode == 0, quick.stdout + quick.stderr
    assert quick.stdout.startswith("ok: "), quick.stdout
    assert quick.stdout.rstrip().endswith(
        "; report figures: not checked (--quick; without it they are)"
    ), quick.stdout
    code, said = _check(monday)
    assert code == 4 and f"visit {visit} in visit_facts has no row" in said, said
    doctor = run_cli_here("doctor", env=env).stdout
    (line,) = [x for x in doctor.splitlines() if x[6:].startswith("integrity: ")]
    assert line.startswith("ok    ") and (
        "report figures: not checked here (`db check` does)" in line
    ), line
