"""Instants as the event log stores them: whole milliseconds since the Unix epoch (UTC). The
one home of the epoch every count of milliseconds is taken from (the live queue's wait clock,
the call order, the reports' facts, appointment slots)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)
"""Made once: every waiting ticket's wait is computed on every look at the live queue (and on
every ticket printed)."""


def epoch_ms(instant: datetime) -> int:
    """``instant`` in epoch milliseconds (whole, rounded down), as the event log stores it."""
    return (instant - EPOCH) // MILLISECOND


def from_epoch_ms(ms: int) -> datetime:
    """The UTC instant of epoch milliseconds (:func:`epoch_ms` reads it back exactly)."""
    return EPOCH + timedelta(milliseconds=ms)
