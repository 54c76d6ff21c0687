"""The clock: real time, or the simulated instant from ``OSS_DESK_NOW``.

Every command takes "now" from a :class:`Clock`, never from ``datetime.now()`` directly, so a
whole day can be scripted, trained on or tested with a fixed instant.
"""

from __future__ import annotations

import os
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


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(f"{instant.isoformat()} has no UTC offset")
    return instant.astimezone(UTC)


def parse_instant(text: str, what: str = "time") -> datetime:
    """Parse an ISO 8601 instant that carries an offset (``Z`` or ``+01:00``)."""
    value = text.strip()
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{what} {text!r} is not an ISO 8601 instant (expected e.g. 2026-11-23T09:30:00+00:00)"
        ) from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(
            f"{what} {text!r} has no UTC offset (add Z or +00:00, e.g. 2026-11-23T09:30:00Z)"
        )
    return instant.astimezone(UTC)


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
