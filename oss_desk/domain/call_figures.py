"""The telephone figures of a period, from imported calls (:mod:`oss_desk.domain.calls` reads the
exports): how many were answered, within the standard's limits (20 and 45 seconds by default,
``calls.answer_within``), abandoned, the average wait and talk time, by hour and by day.

Counts add up across sites and databases (:class:`CallCounts`); the answered calls' waits are
kept to the second, so every "within N seconds" share is exact for any N, at the boundaries
too (:func:`oss_desk.domain.standards.answered_within`: exactly 20 seconds is within 20).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from oss_desk.domain.scorecard import DEFAULT_CALL_TARGETS
from oss_desk.domain.standards import answered_within
from oss_desk.domain.stats import pct

DEFAULT_LIMITS = tuple(seconds for seconds, _ in DEFAULT_CALL_TARGETS)
"""The seconds of the default telephone standards (20 and 45)."""


K = TypeVar("K")


def _add(a: Mapping[K, int], b: Mapping[K, int]) -> dict[K, int]:
    out = dict(a)
    for key, n in b.items():
        out[key] = out.get(key, 0) + n
    return out


@dataclass(frozen=True, slots=True)
class CallCounts:
    """Raw call figures of a period: they add up across sites and databases."""

    total: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_wait_seconds: int = 0
    """Sum of the waits of answered calls (the average speed of answer's numerator)."""
    by_hour: Mapping[int, int] = field(default_factory=dict)
    by_day: Mapping[str, int] = field(default_factory=dict)
    answered_waits: Mapping[tuple[int, int], int] = field(default_factory=dict)
    """(local hour, seconds waited) -> answered calls."""
    abandoned_by_hour: Mapping[int, int] = field(default_factory=dict)
    talk_seconds: int = 0
    """Sum of the talk times given (answered calls)."""
    talked: int = 0
    """Answered calls with a talk time."""

    def __add__(self, other: CallCounts) -> CallCounts:
        return CallCounts(
            total=self.total + other.total,
            answered=self.answered + other.answered,
            abandoned=self.abandoned + other.abandoned,
            answered_wait_seconds=self.answered_wait_seconds + other.answered_wait_seconds,
            by_hour=_add(self.by_hour, other.by_hour),
            by_day=_add(self.by_day, other.by_day),
            answered_waits=_add(self.answered_waits, other.answered_waits),
            abandoned_by_hour=_add(self.abandoned_by_hour, other.abandoned_by_hour),
            talk_seconds=self.talk_seconds + other.talk_seconds,
            talked=self.talked + other.talked,
        )

    def within(self, limit: int, hour: int | None = None) -> int:
        """Answered calls that waited no longer than ``limit`` seconds (in ``hour``, or all)."""
        return sum(
            n
            for (h, wait), n in self.answered_waits.items()
            if (hour is None or h == hour) and answered_within(True, wait, limit)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CallHour:
    """One local hour's calls."""

    calls: int
    answered: int
    abandoned: int
    abandoned_pct: float | None
    within_pct: Mapping[str, float | None]
    """Seconds (``20``, ``45``) -> answered within them, of the hour's calls."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallFigures:
    """The telephone figures of a period (the monthly report's ``calls``)."""

    total: int
    answered: int
    abandoned: int
    answered_pct: float | None
    """Of all calls."""
    average_wait_seconds: float | None
    """The mean queue time of the answered calls (the average speed of answer), one decimal;
    None when none was answered."""
    by_hour: Mapping[str, int]
    """The local hours (``09``) that had calls."""
    by_day: Mapping[str, int]
    """Every day of the period, zero-filled."""
    answered_within: Mapping[str, int] = field(default_factory=dict)
    """Seconds (``20``, ``45``: ``calls.answer_within``) -> calls answered within them."""
    answered_within_pct: Mapping[str, float | None] = field(default_factory=dict)
    """The same as a share of all calls (abandoned calls were not answered within anything)."""
    abandoned_pct: float | None = None
    """Of all calls."""
    average_talk_seconds: float | None = None
    """The mean talk time of the answered calls that have one, one decimal."""
    hours: Mapping[str, CallHour] = field(default_factory=dict)
    """The hours that had calls, each with its own figures."""


def _mean(total: int, count: int) -> float | None:
    if not count:
        return None
    return float((Decimal(total) / count).quantize(Decimal("0.1"), ROUND_HALF_UP))


def call_figures(
    counts: CallCounts, first_day: date, last_day: date, limits: Iterable[int] = DEFAULT_LIMITS
) -> CallFigures | None:
    """The period's telephone figures, or None when there were no calls in it."""
    if counts.total == 0:
        return None
    limits = tuple(limits)
    days: dict[str, int] = {}
    day = first_day
    while day <= last_day:
        days[day.isoformat()] = counts.by_day.get(day.isoformat(), 0)
        day += timedelta(days=1)
    answered_by_hour: Counter[int] = Counter()
    for (hour, _wait), n in counts.answered_waits.items():
        answered_by_hour[hour] += n
    hours = {
        f"{h:02d}": CallHour(
            calls=n,
            answered=answered_by_hour.get(h, 0),
            abandoned=counts.abandoned_by_hour.get(h, 0),
            abandoned_pct=pct(counts.abandoned_by_hour.get(h, 0), n),
            within_pct={str(s): pct(counts.within(s, h), n) for s in limits},
        )
        for h, n in sorted(counts.by_hour.items())
        if n
    }
    within = {str(s): counts.within(s) for s in limits}
    return CallFigures(
        total=counts.total,
        answered=counts.answered,
        abandoned=counts.abandoned,
        answered_pct=pct(counts.answered, counts.total),
        average_wait_seconds=_mean(counts.answered_wait_seconds, counts.answered),
        by_hour={f"{h:02d}": n for h, n in sorted(counts.by_hour.items()) if n},
        by_day=days,
        answered_within=within,
        answered_within_pct={s: pct(n, counts.total) for s, n in within.items()},
        abandoned_pct=pct(counts.abandoned, counts.total),
        average_talk_seconds=_mean(counts.talk_seconds, counts.talked),
        hours=hours,
    )
