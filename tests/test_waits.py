"""One rule for the minutes of a wait (domain.waits): time waited is rounded down, an estimate
rounded up; the leader's longest wait in minutes is the largest of the list's waits in minutes."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from oss_desk.domain.models import QueueEntry, Ticket, TicketStatus
from oss_desk.domain.wait_target import within_target
from oss_desk.domain.waits import estimate_minutes, waited_minutes
from oss_desk.services.desk_view import service_line

from .conftest import MONDAY_0930


def waiting(number: int, seconds: int) -> QueueEntry:
    arrived = MONDAY_0930 - timedelta(seconds=seconds)
    ticket = Ticket(
        id=number,
        visit_id=number,
        site_id="main",
        service="W",
        business_day="2026-11-23",
        number=number,
        status=TicketStatus.WAITING,
        priority=0,
        needs=(),
        queued_at=arrived,
        issued_at=arrived,
    )
    return QueueEntry(ticket, position=number, wait_seconds=seconds, estimated_wait_seconds=None)


def test_a_wait_is_whole_minutes_waited_and_an_estimate_is_rounded_up() -> None:
    assert [waited_minutes(s) for s in (0, 10, 59, 60, 9 * 60 + 50, 10 * 60)] == [0, 0, 0, 1, 9, 10]
    assert [estimate_minutes(s) for s in (None, 0, 10, 60, 61)] == [None, 0, 1, 1, 2]
    # The standard compares durations, not the minutes shown: 15:00 is within, 15:01 is not,
    # though both are shown as "15 min".
    assert within_target(15 * 60 * 1000, 15 * 60 * 1000)
    assert not within_target((15 * 60 + 1) * 1000, 15 * 60 * 1000)
    assert waited_minutes(15 * 60) == waited_minutes(15 * 60 + 1) == 15


@given(st.lists(st.integers(min_value=0, max_value=6 * 3600), min_size=1, max_size=30))
def test_the_longest_wait_shown_is_the_largest_wait_shown(waits: list[int]) -> None:
    entries = [waiting(i, s) for i, s in enumerate(waits, start=1)]
    line = service_line("W", "Waste", entries, 15 * 60)
    assert waited_minutes(line.longest_wait_seconds) == max(
        waited_minutes(e.wait_seconds) for e in entries
    )


@given(st.one_of(st.none(), st.integers(0, 4 * 3600)))
def test_an_estimate_is_said_one_way(seconds: int | None) -> None:
    """The ticket view (F7) and the lists say an estimate the same way: "now" for nothing to
    wait, never "about 0 min"; "no open desk serves this now" without an estimate."""
    from oss_desk.domain.waits import NEXT, NO_OPEN_DESK, estimate_said
    from oss_desk.ui.widgets.queue_table import minutes_text

    said = estimate_said(seconds)
    assert "about 0 min" not in said
    if seconds is None:
        assert said == NO_OPEN_DESK
    elif seconds == 0:
        assert said == NEXT == minutes_text(seconds)
    else:
        assert said == f"about {minutes_text(seconds)}"
