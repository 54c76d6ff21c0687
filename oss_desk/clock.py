"""The clock: real time, or the simulated instant from ``OSS_DESK_NOW``.

Every command takes "now" from a :class:`Clock`, never from ``datetime.now()`` directly, so a
whole day can be scripted, trained on or tested with a fixed instant.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from oss_desk.errors import InvalidInput

NOW_ENV = "OSS_DESK_NOW"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one instant (``OSS_DESK_NOW``); tests may move it with :meth:`set`."""

    def __init__(self, instant: datetime) -> None:
        self._now = _require_aware(instant)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = _require_aware(instant)


class RunningClock:
    """A clock that reads ``at`` at the real instant ``since`` and runs on from there at the
    real pace (the demo's: its office as on its last opening day, time passing as it does)."""

    def __init__(self, at: datetime, since: datetime) -> None:
        self.at = _require_aware(at)
        self.since = _require_aware(since)

    def now(self) -> datetime:
        return self.at + (datetime.now(UTC) - self.since)


class HeldClock:
    """A clock that follows the real one (``inner``) but never goes back before the office's
    newest record as ``hold`` gives it (the instant to record, given the real clock's): a clock
    stepped back a few minutes by NTP dates nothing before what was already recorded
    (:mod:`oss_desk.domain.clock_steps`)."""

    def __init__(self, inner: Clock, hold: Callable[[datetime], datetime]) -> None:
        self.inner = inner
        self._hold = hold

    def now(self) -> datetime:
        return self._hold(self.inner.now())


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(f"{instant.isoformat()} has no UTC offset")
    return instant.astimezone(UTC)


FIRST_YEAR = 1970
YEARS_AHEAD = 100


def parse_instant(text: str, what: str = "time") -> datetime:
    """Parse an ISO 8601 instant that carries an offset (``Z`` or ``+01:00``), from 1970 to
    100 years after the real clock's today (the office's own span is checked by its users)."""
    value = text.strip()
    # What was typed, shortened and made printable for the message (the domain's shown(), which
    # the clock sits beside and may not import).
    shown_text = "".join(ch if ch.isprintable() else "?" for ch in text[:40])
    try:
        if not value.isascii():
            raise ValueError(value)
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{what} {shown_text!r} is not an ISO 8601 instant (expected e.g. "
            "2026-11-23T09:30:00+00:00)"
        ) from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(
            f"{what} {shown_text!r} has no UTC offset (add Z or +00:00, e.g. 2026-11-23T09:30:00Z)"
        )
    last_year = datetime.now(UTC).year + YEARS_AHEAD
    if not FIRST_YEAR <= instant.year <= last_year:
        raise InvalidInput(f"{what} {shown_text!r} is outside {FIRST_YEAR} to {last_year}")
    try:
        return instant.astimezone(UTC)
    except OverflowError:  # pragma: no cover - the years above keep clear of it
        raise InvalidInput(f"{what} {shown_text!r} is out of range") from None


def clock_from_env(environ: dict[str, str] | None = None) -> Clock:
    env = os.environ if environ is None else environ
    value = env.get(NOW_ENV)
    if value is None or value.strip() == "":
        return SystemClock()
    return FixedClock(parse_instant(value, NOW_ENV))


def format_instant(instant: datetime) -> str:
    """UTC, fixed width, millisecond precision: sorts correctly as text (``...T09:30:00.000Z``)."""
    if instant.tzinfo is not UTC:
        instant = _require_aware(instant)
    return instant.isoformat(timespec="milliseconds")[:23] + "Z"


def read_instant(text: str) -> datetime:
    """Read back an instant written by :func:`format_instant`."""
    return datetime.fromisoformat(text).astimezone(UTC)
