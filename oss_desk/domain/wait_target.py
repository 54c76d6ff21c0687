"""The wait rule and the clock it runs on, which the live queue and the reports both ask (the
reports' other standards: :mod:`oss_desk.domain.standards`).

- **The wait rule** (:func:`within_target`): a visitor is seen within the target
  (``queue.target_minutes``, 15 by default) when the first contact comes no later than the
  target after the clock started: exactly 15:00 counts as within. The live queue's "over the
  target" (:func:`over_target`) is the same rule from the other side.
- **The clock** (:func:`clock_start`): it starts at arrival (when meet-and-greet records the
  visitor); for an appointment, at the later of check-in and the booked time.
- **Wait colours** (:func:`wait_band`): amber from ``queue.amber_minutes``, red past the target,
  the same on every screen.

A module of its own: every desk's live queue colours its waits from its first frame, without
the reports' standards.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oss_desk.domain.models import QueueEntry


def within_target(wait_ms: int, target_ms: int) -> bool:
    """The wait rule: clock start to first contact within the target (the target itself
    counts)."""
    return wait_ms <= target_ms


def over_target(wait_seconds: int, target_seconds: int) -> bool:
    """A visitor still waiting past the target (the live queue's warning)."""
    return not within_target(wait_seconds * 1000, target_seconds * 1000)


class WaitBand(StrEnum):
    """How long a waiting resident has waited, as every screen colours it."""

    OK = "ok"
    AMBER = "amber"
    """From ``queue.amber_minutes`` (10 by default)."""
    RED = "red"
    """Past the target (``queue.target_minutes``, 15 by default): the standard is missed."""


def wait_band(wait_seconds: int, amber_seconds: int, target_seconds: int) -> WaitBand:
    """THE wait colour: red past the target, amber from ``amber_seconds``, else ok."""
    if over_target(wait_seconds, target_seconds):
        return WaitBand.RED
    if wait_seconds >= amber_seconds:
        return WaitBand.AMBER
    return WaitBand.OK


def clock_start(arrived_ms: int, booked_ms: int | None) -> int:
    """When the 15-minute clock starts: arrival; for an appointment, the later of check-in and
    the booked time (a resident who checks in early is not kept waiting by the office)."""
    return arrived_ms if booked_ms is None else max(arrived_ms, booked_ms)  # CLOCK_STARTS


def entry_band(entry: QueueEntry, amber_seconds: int, target_seconds: int) -> WaitBand:
    """The colour of ``entry``'s wait: red only past the target
    (:func:`~oss_desk.domain.wait_clock.past_target`); amber from ``amber_seconds`` (a resident
    sent on who has waited long in all is amber, not red)."""
    band = wait_band(entry.wait_seconds, amber_seconds, target_seconds)
    return WaitBand.AMBER if band is WaitBand.RED and entry.seen else band
