"""The ninth new-user trial, P4: the printed daily summary's 15-minute block did not add up to
the visits (``counted 22``, ``walked out >15 min 0``, ``closed unseen 0``, ``left <15 min 1`` of
31 visits: no "seen", no "not seen yet"). Paper now lists the parts the text report says, from
one source (``render.rows.counted_rows``): the counted (seen, walked out after the target,
still waiting at closing), left before the target, not seen yet, and the tickets issued in
error (no visitors). A real office's morning, real SQLite, the printer's real bytes decoded."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.reports import ReportNames
from oss_desk.hardware.templates import render
from oss_desk.render.receipt import daily_summary
from oss_desk.render.text import report_text
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session

from .appointments_site import NOW, make_office
from .escpos_decoder import decode, text_lines

NAMES = ReportNames(council="Test Council", site_name="Civic Centre", service_names={})


def _queue(db: Path, minutes: int, desk: str = "greet-1") -> QueueService:
    session = open_session(db=db, clock=FixedClock(NOW + timedelta(minutes=minutes)),
                           person="tl", desk_id=desk)  # fmt: skip
    return QueueService(session)


def test_the_printed_summary_s_parts_add_up_to_the_visits(tmp_path: Path) -> None:
    db = make_office(tmp_path)
    greet = _queue(db, 0)
    served, left, _waiting = (greet.issue(code, print_ticket=False).ticket for code in "CWC")
    error = greet.issue("W", print_ticket=False).ticket
    greet.cancel(error.id, "error")  # no visitor
    desk = _queue(db, 5, "desk-1")
    desk.call(served.id, "desk-1")
    desk.finish(served.id, "resolved")
    _queue(db, 6).cancel(left.id, "left")  # left after 6 minutes: not counted
    desk.s.close()
    greet.s.close()
    session = open_session(db=db, clock=FixedClock(NOW + timedelta(minutes=20)), person="tl")
    report = ReportService(session, rollup=False).daily("2026-11-23")
    session.close()
    paper = [line.strip() for line in text_lines(decode(render(daily_summary(report, NAMES))))]

    def on_paper(label: str) -> int:
        found = [line for line in paper if re.fullmatch(rf"{re.escape(label)} +\d+", line)]
        assert len(found) == 1, (label, paper)
        return int(found[0].rsplit(" ", 1)[1])

    visits = on_paper("Visits (arrivals)")
    counted = on_paper("counted")
    parts = {
        "seen": on_paper("seen"),
        "walked out": on_paper("walked out after 15 minutes"),
        "closing": on_paper("still waiting at closing"),
    }
    left_before = on_paper("left before 15 minutes (not counted)")
    not_yet = on_paper("not seen yet")
    assert on_paper("issued in error (no visitors)") == 1
    assert (visits, counted, left_before, not_yet) == (3, 1, 1, 1)
    assert parts == {"seen": 1, "walked out": 0, "closing": 0}
    assert sum(parts.values()) == counted
    assert counted + left_before + not_yet == visits
    # The text report says the same parts.
    text = report_text(report, NAMES)
    assert "counted: 1 seen, 0 walked out after 15 minutes, 0 still waiting at closing" in text
    assert "left before 15 minutes: 1 (not counted); issued in error: 1; not seen yet: 1" in text
