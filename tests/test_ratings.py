"""The resident's own rating of a finished visit, given at the desk (``oss-desk ticket rate``):
once per visit, only once finished, 1 to 5 or declined; the report's satisfaction figure counts
4 and 5 of those who answered."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .conftest import Cli

DAY = "2026-11-23"


def at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00Z"


def serve(cli: Cli, code: str, when: str) -> None:
    assert cli("ticket", "issue", "--service", code, now=at(when)).code == 0
    called = cli("ticket", "call-next", "--desk", "desk-1", "--json", now=at(when))
    assert called.code == 0, called.err
    ref = called.json()["code"]
    assert cli("ticket", "start", ref, now=at(when)).code == 0
    assert cli("ticket", "finish", ref, "--outcome", "resolved", now=at(when)).code == 0


def test_ratings_at_the_desk_make_the_satisfaction_figure(cli: Cli) -> None:
    # Five visits: rated 5, 4, 3 and declined; one not asked. Satisfied: 2 of the 3 answers.
    for n, code in enumerate(("C", "C", "B", "B", "W")):
        serve(cli, code, f"10:{n:02d}")
    given = [("C001", "5"), ("C002", "4"), ("B001", "3"), ("B002", "declined")]
    for ref, rating in given:
        result = cli("ticket", "rate", ref, rating, "--json", now=at("10:30"))
        assert result.code == 0, result.err
    assert result.json()["rating"] is None and result.json()["source"] == "desk"
    text = cli("ticket", "rate", "W001", "2", now=at("10:31"))
    assert (text.code, text.out) == (0, "W001: rated 2 out of 5\n")

    report = cli("report", "daily", "--date", DAY, "--json", now=at("12:00")).json()
    s = report["satisfaction"]
    # Answers 5, 4, 3, 2 (declined is not an answer): satisfied 2 of 4 = 50.0%.
    assert (s["answers"], s["satisfied"], s["satisfied_pct"], s["declined"]) == (4, 2, 50.0, 1)
    assert s["by_rating"] == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1}
    satisfied = next(x for x in report["standards"] if x["key"] == "satisfied")
    assert (satisfied["value"], satisfied["target"], satisfied["status"]) == (50.0, 80, "red")


def test_a_second_rating_an_open_visit_and_bad_input_are_refused(cli: Cli) -> None:
    serve(cli, "C", "10:00")
    assert cli("ticket", "rate", "C001", "4", now=at("10:05")).code == 0
    again = cli("ticket", "rate", "C001", "5", now=at("10:06"))
    assert (again.code, again.err) == (
        6,
        "oss-desk: this visit has been rated already: a rating is given once\n",
    )
    assert cli("ticket", "issue", "--service", "C", now=at("10:07")).code == 0
    waiting = cli("ticket", "rate", "C002", "4", now=at("10:08"))
    assert waiting.code == 6 and "has not finished" in waiting.err and waiting.out == ""
    for bad in ("7", "0", "four", "4.5", ""):
        refused = cli("ticket", "rate", "C001", bad, now=at("10:09"))
        assert refused.code == 2, (bad, refused.err)
        assert refused.err.startswith("oss-desk: rating") and refused.err.count("\n") == 1


def test_the_event_log_holds_the_number_never_words(cli: Cli, db_path: Path) -> None:
    serve(cli, "C", "10:00")
    assert cli("ticket", "rate", "C001", "5", now=at("10:05")).code == 0
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT data FROM events WHERE kind = 'rating_recorded'").fetchall()
    finally:
        conn.close()
    assert [json.loads(r[0]) for r in rows] == [{"source": "desk", "rating": 5}]
