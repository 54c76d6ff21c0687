"""The queue's hot statements read only the live tickets, in the call order (EXPLAIN QUERY PLAN):
call next and the live queue stay as fast at the end of a busy day as at its start."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.storage import outbox as o
from oss_desk.storage import queue as q
from oss_desk.storage import reports_visits as rv
from oss_desk.storage import resident
from oss_desk.storage.reports_facts import FINISHES, SERVED, FactsKept, facts_kept

from .conftest import TRAINING
from .test_visit_facts import keep_by_the_rule_before_0056

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def office(tmp_path: Path) -> Path:
    config = tmp_path / "site.toml"
    config.write_text(
        TRAINING + '[[sites]]\nid = "hq"\nname = "HQ"\n'
        '[[sites]]\nid = "annex"\nname = "Annex"\n'
        '[[services]]\ncode = "C"\nname = "Council Tax"\n'
        '[[desks]]\nid = "greet-1"\nkind = "meet-and-greet"\nsite = "hq"\n'
        '[[desks]]\nid = "desk-1"\nsite = "hq"\n'
        '[[desks]]\nid = "desk-9"\nsite = "annex"\n'
    )
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(NOW), config_path=config)
    return db


def plan(conn: sqlite3.Connection, sql: str, params: Any) -> list[str]:
    return [str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


def test_call_next_walks_the_partial_index_in_call_order(tmp_path: Path) -> None:
    conn = sqlite3.connect(office(tmp_path))
    steps = plan(
        conn,
        q._CALL_NEXT,
        {"desk": "desk-1", "now": "", "site": "hq", "day": "d", "staffed_only": 1},
    )
    # The claim's choice of ticket: the partial index of waiting tickets, by (day, site), already
    # in the call order (no sort), so it stops at the first ticket the desk may call.
    assert "SEARCH t USING INDEX tickets_call_order (business_day=? AND site_id=?)" in steps, steps
    assert not any("TEMP B-TREE" in step for step in steps), steps
    # No table is scanned; json_each over one ticket's own needs (a short list) is no table.
    scans = [step for step in steps if step.startswith("SCAN")]
    assert all("VIRTUAL TABLE" in step for step in scans), steps


def test_the_live_queue_reads_only_live_tickets(tmp_path: Path) -> None:
    conn = sqlite3.connect(office(tmp_path))
    for sql, site in ((q._ACTIVE, "hq"), (q._ACTIVE_ALL_SITES, None)):
        steps = plan(conn, sql, {"day": "d", "site": site})
        reads = [step for step in steps if step.startswith(("SEARCH", "SCAN d"))]
        assert reads == [
            "SEARCH w USING INDEX tickets_call_order "
            + ("(business_day=? AND site_id=?)" if site else "(business_day=?)"),
            "SCAN d USING INDEX tickets_at_desk",
        ], steps


def test_the_days_tickets_of_a_site_are_read_by_day(tmp_path: Path) -> None:
    """Never every ticket the site ever issued (the waiting-room screen asks each refresh)."""
    conn = sqlite3.connect(office(tmp_path))
    sql = "SELECT id FROM tickets WHERE +site_id = ? AND business_day = ? ORDER BY id"
    assert sql in Path(resident.__file__).read_text().replace('"\n            "', "")
    steps = plan(conn, sql, ["hq", "d"])
    assert steps[0] == "SEARCH tickets USING INDEX tickets_by_day (business_day=?)", steps


def test_call_next_and_the_live_queue_still_find_the_right_tickets(tmp_path: Path) -> None:
    """The index leaves tickets out by status and site: what it must never leave out."""
    db = office(tmp_path)
    session = open_session(db=db, clock=FixedClock(NOW), person="lead")
    try:
        queue = QueueService(session)
        first = queue.issue("C", site_id="hq", print_ticket=False).ticket
        queue.issue("C", site_id="annex", print_ticket=False)
        queue.log_in("desk-1")  # only a staffed desk calls
        second = queue.issue("C", site_id="hq", print_ticket=False).ticket
        sent = queue.issue("C", site_id="hq", print_ticket=False, assigned_desk="desk-1").ticket
        called = queue.call_next("desk-1")
        assert called is not None and called.id == sent.id  # sent to this desk: first
        live = q.active_tickets(session.store.conn, site_id="hq", business_day="2026-11-23")
        assert [t.id for t in live] == [sent.id, first.id, second.id]
        queue.finish(sent.id, "resolved")
        live = q.active_tickets(session.store.conn, site_id="hq", business_day="2026-11-23")
        assert [t.id for t in live] == [first.id, second.id]
        both = q.active_tickets(session.store.conn, site_id=None, business_day="2026-11-23")
        assert len(both) == 3
    finally:
        session.close()


def test_the_reports_read_visits_in_the_order_they_add_up(tmp_path: Path) -> None:
    """The report tallies' reads of ``visit_facts`` (schema/0028, 0031): each walks an index in
    the order of its GROUP BY, so SQLite adds up as it reads, and never sorts a year's visits
    (the needs alone are sorted: the few visitors who stated any, each need of theirs); the
    visits and the finishes are read from the index alone, never each visit's row."""
    conn = sqlite3.connect(office(tmp_path))
    args = {"first": "2025-04-01", "last": "2026-03-31", "site": None, "low": 1, "high": 9}
    source = "WITH RECURSIVE " + rv._FROM_FACTS + "," + rv._DESCRIBED
    for sql, index, sorts in (
        (source + rv._ARRIVALS, "COVERING INDEX visit_facts_day", False),
        (source + rv._NEEDS, "COVERING INDEX visit_facts_day", True),
        (
            f"{source}, {rv._FACTS}, {rv._CLASSIFIED} {rv._ENDS}",
            "COVERING INDEX visit_facts_day",
            False,
        ),
        (FINISHES, "COVERING INDEX visit_facts_finish", False),
        (SERVED, "INDEX visit_facts_served", False),
    ):
        steps = plan(conn, sql, args)
        table = "SEARCH visit_facts USING "
        assert f"{table}{index} (business_day>? AND business_day<?)" in steps or (
            f"{table}{index} (finish_day>? AND finish_day<?)" in steps
        ), steps
        assert any("TEMP B-TREE" in step for step in steps) == sorts, steps


def test_a_printer_lane_finds_the_jobs_handed_to_it_by_index(tmp_path: Path) -> None:
    """Never every print job kept: the few being delivered, by owner and printer, in order."""
    conn = sqlite3.connect(office(tmp_path))
    steps = plan(conn, o.handed_sql(o.PRINT_JOBS), {"owner": "w", "lane": "tcp://p:9100"})
    assert steps == [
        "SEARCH print_jobs USING INDEX print_jobs_sending (owner=? AND printer_url=?)"
    ], steps


def test_the_printers_with_work_are_found_without_reading_every_job_kept(tmp_path: Path) -> None:
    """The worker asks after every change which printers have jobs: the queued jobs (the partial
    index print_jobs_due, schema/0032) and the jobs being sent by this owner (print_jobs_sending),
    never a scan of every print job the office has kept."""
    conn = sqlite3.connect(office(tmp_path))
    captured: list[str] = []
    conn.set_trace_callback(captured.append)
    assert o.lanes(conn, o.PRINT_JOBS, "w") == []
    conn.set_trace_callback(None)
    steps = plan(conn, captured[-1], {"owner": "w"})
    assert "SEARCH print_jobs USING INDEX print_jobs_sending (owner=?)" in steps, steps
    assert "SCAN print_jobs USING INDEX print_jobs_due" in steps, steps
    assert "SCAN print_jobs" not in steps, steps


def test_the_jobs_due_are_read_by_the_index_of_queued_jobs(tmp_path: Path) -> None:
    """print_jobs_due states the condition the queries state (status = 'pending', schema/0032):
    it is read, where before its condition named 'printing' too and no query could use it."""
    conn = sqlite3.connect(office(tmp_path))
    captured: list[str] = []
    conn.set_trace_callback(captured.append)
    o.next_due(conn, o.PRINT_JOBS)
    conn.set_trace_callback(None)
    assert plan(conn, captured[-1], {"lane": None}) == [
        "SEARCH print_jobs USING INDEX print_jobs_due"
    ]
    index = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'print_jobs_due'").fetchone()
    assert "WHERE status = 'pending'" in index[0], index


ALLOWED_SCANS = ("SCAN span", "SCAN CONSTANT ROW", "SCAN lives", "SCAN need VIRTUAL TABLE")
"""What the visits' reads of an older copy may scan: the range's days, the range's visits
(once, in the outer loop) and one visit's needs. Anything else scanned is scanned again for
each visit."""


@pytest.mark.parametrize("kept", [FactsKept.OLDER_CONTACT, FactsKept.NONE])
def test_an_older_copy_s_visits_are_read_a_visit_at_a_time(tmp_path: Path, kept: FactsKept) -> None:
    """Review 14 (1): an office's copy made before schema/0056, included in a report, took
    more than 12 minutes for a monthly report (a year's trend), where its migrated copy took
    6 s: its visits' ends were listed once and scanned again for every arrival (``SCAN e
    LEFT-JOIN``), so a day of 4,140 visits took 2.1 s and a year never finished. Each visit's
    events are now sought by its id (``events_visit``), its recounted calls joined through an
    index: the work grows with the visits."""
    db = office(tmp_path)
    conn = sqlite3.connect(db)
    if kept is FactsKept.NONE:
        conn.execute("DROP TABLE visit_facts")
        conn.commit()
    else:
        keep_by_the_rule_before_0056(conn)
    assert facts_kept(conn) is kept
    rv._calls_view(conn)
    args = {"first": "2025-12-01", "last": "2026-11-30", "site": None}
    source = "WITH RECURSIVE " + rv._SOURCES[kept] + "," + rv._DESCRIBED
    for sql in (
        source + rv._ARRIVALS,
        source + rv._NEEDS,
        f"{source}, {rv._FACTS}, {rv._CLASSIFIED} {rv._ENDS}",
    ):
        steps = plan(conn, sql, args)
        scans = [s for s in steps if s.startswith("SCAN") and not s.startswith(ALLOWED_SCANS)]
        assert scans == [], steps
        for step in steps:
            if " events_" in step:  # every read of the log seeks a visit or a day's kind
                assert "(visit_id=?" in step or "(business_day=? AND kind=?)" in step, steps
        joined = [s for s in steps if s.endswith("LEFT-JOIN")]
        assert joined and all(" USING " in s for s in joined), steps
    conn.close()


def test_a_site_s_open_tickets_of_every_day_read_only_the_open_tickets(tmp_path: Path) -> None:
    """Whether a site that leaves still holds tickets (review 14, 2): the waiting tickets' and
    the desks' partial indexes, never the whole history of the site's tickets."""
    conn = sqlite3.connect(office(tmp_path))
    steps = plan(conn, q._OPEN_AT_SITE, {"site": "annex"})
    assert "SCAN tickets USING INDEX tickets_call_order" in steps, steps
    assert "SCAN tickets USING INDEX tickets_at_desk" in steps, steps
    assert not any("autoindex" in step or step == "SCAN tickets" for step in steps), steps


def test_a_visit_served_past_midnight_is_found_by_the_index_of_tickets_at_desks(
    tmp_path: Path,
) -> None:
    """The desks' snapshot looks for tickets still at a desk from an earlier day on every poll:
    only the partial index of tickets at desks is read, never a day's tickets."""
    conn = sqlite3.connect(office(tmp_path))
    steps = plan(conn, q._AT_DESKS_BEFORE, {"site": "hq", "day": "2026-11-23"})
    assert steps[0] == "SCAN tickets USING INDEX tickets_at_desk", steps
