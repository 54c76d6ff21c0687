"""The rules behind the standards, each asked from one home: the wait target (the daily figures,
the trend and the daily rollup all count it from the same raw waits: they agree to the
millisecond at the boundary), who the 15-minute figure counts, and which outcomes are first
contact (one definition decides every figure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain import standards
from oss_desk.domain.calendar import REPEAT
from oss_desk.domain.models import Outcome
from oss_desk.domain.reports import MonthlyReport, ReportNames
from oss_desk.domain.standards import (
    CLOSED_REASONS,
    FIRST_CONTACT_OUTCOMES,
    NOT_VISITORS,
    LoggedEvent,
    VisitEnd,
    VisitFacts,
    classify_visit,
    contact_times,
    is_first_contact,
)
from oss_desk.domain.tally import signposted_flag
from oss_desk.domain.wait_target import over_target, within_target
from oss_desk.render.html import daily_html
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session, open_session
from oss_desk.storage.rollup import ROLLUP_VERSION

from .conftest import make_db, site_toml

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # GMT: local time is UTC
WAITS_MS = (899_999, 900_000, 900_001)
"""Just under, exactly and just over the 15-minute target."""
OUTCOMES = (Outcome.RESOLVED, Outcome.SIGNPOSTED, Outcome.REFERRED)


def _classified(**facts: object) -> tuple[str, int]:
    end, wait = classify_visit(VisitFacts(arrived_ms=0, **facts))  # type: ignore[arg-type]
    return end.value, wait


def test_a_new_definition_recounts_the_stored_days() -> None:
    """The daily rollup stores tallies made with these rules: changing one (which outcomes are
    first contact, whether the target itself is within it, when the clock starts, what counts
    as seen, walked out or closed) must bump its version, so that the stored days are counted
    again."""
    assert (
        ROLLUP_VERSION,
        NOT_VISITORS,
        FIRST_CONTACT_OUTCOMES,
        within_target(900_000, 900_000),
        CLOSED_REASONS,
        _classified(seen_ms=5, first_call_ms=5, ended="finished", ended_ms=9),
        _classified(booked_ms=60, seen_ms=70, ended="finished", ended_ms=80),
        _classified(first_call_ms=20, ended="no_show", ended_ms=90),
        _classified(ended="cancelled", ended_reason="left", ended_ms=30),
        _classified(ended="cancelled", ended_reason="office_closed", ended_ms=40),
        _classified(ended="cancelled", ended_reason="error", ended_ms=40),
        _classified(first_call_ms=20),
        contact_times(
            [
                LoggedEvent("called", 1, 5),
                LoggedEvent("recycled", 1, 6),
                LoggedEvent("called", 1, 20),
            ]
        ),
        contact_times(
            [
                LoggedEvent("called", 1, 5),
                LoggedEvent("serving", 1, 6),
                LoggedEvent("transferred", 1, 7),
                LoggedEvent("cancelled", 1, 90),
            ]
        ),
        signposted_flag("signposted", None),
        signposted_flag("referred", "dwp"),
        REPEAT,
    ) == (
        9,
        frozenset({VisitEnd.ERROR}),
        ("resolved", "signposted"),
        True,
        ("office_closed", "end_of_day"),
        ("seen", 5),
        ("seen", 10),  # from the booked time, not the earlier check-in
        ("walked_out", 20),  # until the call they were not there for
        ("walked_out", 30),
        ("closed", 40),
        ("error", 0),
        ("open", 0),
        (20, 20),  # a call put back (not heard) is neither the first call nor contact
        (5, 5),  # served, sent on, closed later: the call was a contact
        "signposted:not_recorded",  # signposted without saying where: a row of its own
        None,  # a visit finished otherwise is not among the signposted, wherever one went
        24,  # an hour's second time round (the clocks went back) is keyed apart, hour + 24
    ), "the definitions changed: bump storage.rollup.ROLLUP_VERSION and this test"


def test_the_rules_in_python() -> None:
    assert tuple(o.value for o in Outcome if o.first_contact) == FIRST_CONTACT_OUTCOMES
    assert FIRST_CONTACT_OUTCOMES == ("resolved", "signposted")
    assert [is_first_contact(o) for o in Outcome] == [o.first_contact for o in Outcome]
    assert not is_first_contact(None) and not is_first_contact("unknown")
    assert [within_target(w, 900_000) for w in WAITS_MS] == [True, True, False]
    assert [over_target(s, 900) for s in (899, 900, 901)] == [False, False, True]


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, FixedClock]:
    """Three tickets called at 14:59.999, 15:00.000 and 15:00.001 after arriving and finished
    resolved, signposted and referred; one visitor signposted at meet-and-greet at once."""
    db = make_db(tmp_path, site_toml())
    clock = FixedClock(MONDAY)
    greet = open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")
    desk = open_session(db=db, clock=clock, person="adviser", desk_id="desk-1")
    try:
        tickets = [QueueService(greet).issue("C", print_ticket=False) for _ in WAITS_MS]
        for issued, wait, outcome in zip(tickets, WAITS_MS, OUTCOMES, strict=True):
            clock.set(MONDAY + timedelta(milliseconds=wait))
            called = QueueService(desk).call_next()
            assert called is not None and called.id == issued.ticket.id
            QueueService(desk).finish(called.id, outcome)
        clock.set(MONDAY + timedelta(minutes=20))
        QueueService(greet).quick_visit("W", Outcome.SIGNPOSTED)
    finally:
        greet.close()
        desk.close()
    return db, clock


def _reports(db: Path, when: datetime) -> tuple[Session, ReportService]:
    session = open_session(db=db, clock=FixedClock(when), person="tl")
    return session, ReportService(session)


def _month(db: Path, when: datetime) -> MonthlyReport:
    session, reports = _reports(db, when)
    try:
        return reports.monthly("2026-11")
    finally:
        reports.close()
        session.close()


def test_the_wait_target_is_the_same_live_and_stored(
    office: tuple[Path, FixedClock],
) -> None:
    db, _ = office
    session, reports = _reports(db, MONDAY + timedelta(hours=8))
    try:
        day = reports.daily("2026-11-23").figures  # counted live
    finally:
        reports.close()
        session.close()
    assert (day.seen, day.seen_within_target, day.within_15_min_pct) == (4, 3, 75.0)
    today = _month(db, MONDAY + timedelta(hours=8))  # the trend counted live
    tomorrow = _month(db, MONDAY + timedelta(days=1))  # the day closed: stored in the rollup
    again = _month(db, MONDAY + timedelta(days=1))  # and read back from it
    for month in (today, tomorrow, again):
        assert month.figures.seen_within_target == 3
        assert month.trend[-1].within_15_min_pct == 75.0


def test_one_definition_of_first_contact_decides_every_figure(
    office: tuple[Path, FixedClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With signposting no longer first contact, the day's figures, the trend (live and from
    the rollup) and the page's wording all follow."""
    db, _ = office
    before = _month(db, MONDAY + timedelta(hours=8))
    assert before.figures.finished_first_contact == 3  # resolved, signposted, signposted
    monkeypatch.setattr(standards, "FIRST_CONTACT_OUTCOMES", ("resolved",))
    session, reports = _reports(db, MONDAY + timedelta(hours=8))
    try:
        daily = reports.daily("2026-11-23")
    finally:
        reports.close()
        session.close()
    assert (daily.figures.finished, daily.figures.finished_first_contact) == (4, 1)
    assert daily.figures.first_contact_resolution_pct == 25.0
    for when in (MONDAY + timedelta(hours=8), MONDAY + timedelta(days=1)):
        month = _month(db, when)
        assert month.figures.first_contact_resolution_pct == 25.0
        assert month.trend[-1].first_contact_resolution_pct == 25.0
    page = daily_html(daily, ReportNames(council="C", site_name="S", service_names={}))
    assert "Resolved at first contact 25.0% (1 of 4 finished)" in page
