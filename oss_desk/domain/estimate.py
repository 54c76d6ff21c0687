"""Estimated wait for every waiting ticket.

A small list-scheduling simulation: desks that are open and serve the service become free when
their current ticket is expected to end; waiting tickets are taken in call order (priority, then
arrival) and each goes to the earliest free desk that serves it, which then stays busy for that
service's typical duration. No open desk for a service means "unknown", never a made-up number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DeskLoad:
    desk_id: str
    services: frozenset[str]
    free_in_seconds: float
    """0 when idle; otherwise the expected time left on the current ticket."""


@dataclass(frozen=True, slots=True)
class WaitingItem:
    ticket_id: int
    service: str
    assigned_desk: str | None = None
    private_room_only: bool = False


def estimate_waits(
    waiting: Sequence[WaitingItem],
    desks: Sequence[DeskLoad],
    service_seconds: Mapping[str, float],
    default_seconds: float,
    private_room_desks: frozenset[str] = frozenset(),
) -> dict[int, float | None]:
    """Seconds until each waiting ticket is expected to be called (None: no desk can)."""
    free_at = {d.desk_id: max(0.0, d.free_in_seconds) for d in desks}
    serves = {d.desk_id: d.services for d in desks}
    result: dict[int, float | None] = {}
    for item in waiting:
        candidates = [
            d
            for d in free_at
            if item.service in serves[d]
            and (item.assigned_desk is None or item.assigned_desk == d)
            and (not item.private_room_only or d in private_room_desks)
        ]
        if not candidates:
            result[item.ticket_id] = None
            continue
        best = min(candidates, key=lambda d: (free_at[d], d))
        start = free_at[best]
        result[item.ticket_id] = start
        free_at[best] = start + service_seconds.get(item.service, default_seconds)
    return result
