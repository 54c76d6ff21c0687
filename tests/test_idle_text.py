"""The adviser panel's "free for ..." line: minutes within the hour, a time later the same day,
a date when the desk last changed on an earlier day (a database opened days later once showed
"free for 16854 min")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oss_desk.domain.counter import idle_text

NOW = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (NOW, "free for 0 min"),
        (NOW - timedelta(minutes=59, seconds=59), "free for 59 min"),
        (NOW - timedelta(minutes=60), "free since 14:30"),
        (datetime(2026, 12, 4, 0, 0, tzinfo=UTC), "free since 00:00"),
        (datetime(2026, 12, 3, 23, 59, tzinfo=UTC), "free since Thu 3 Dec"),
        (NOW - timedelta(minutes=16854), "free since Sun 22 Nov"),
        (NOW + timedelta(minutes=3), "free for 0 min"),
    ],
)
def test_idle_text(since: datetime, expected: str) -> None:
    assert idle_text("free", since, NOW) == expected


def test_on_a_break_reads_the_same_way() -> None:
    assert idle_text("on a break", NOW - timedelta(minutes=5), NOW) == "on a break for 5 min"
