"""What an owner of the devices (a :class:`oss_desk.worker.run.DeviceWorker`) takes over from
earlier owners as it starts, and what it records and delivers as it steps down."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from oss_desk.clock import format_instant
from oss_desk.domain.devices import PrinterURL
from oss_desk.errors import OssDeskError
from oss_desk.hardware.printers import Transport
from oss_desk.services.session import Session
from oss_desk.services.turn_texts import release_left as turn_texts_left
from oss_desk.storage.lease import step_down
from oss_desk.worker.board import BoardDelivery
from oss_desk.worker.printing import PrintDelivery
from oss_desk.worker.rounds import WorkerReport
from oss_desk.worker.sends_left import recover_sends

log = logging.getLogger("oss_desk.worker")

Transports = Callable[[PrinterURL], Transport]


def wall_clock() -> str:
    """The real time (heartbeats are about this process, not the simulated office day)."""
    return format_instant(datetime.now(UTC))


def recover(
    session: Session, transports: Transports, owner: str, counts: WorkerReport | None = None
) -> int:
    """What earlier owners left mid-way, taken over by ``owner``; what it recorded (print jobs'
    outcomes, messages noted accepted as their owner stopped, now recorded sent...) is added to
    ``counts`` (a pass's summary), as the pass's own deliveries are."""
    recovered = turn_texts_left(session)  # texts an earlier owner left mid-send
    recovered += PrintDelivery(session, transports, owner).recover(counts)
    recovered += recover_sends(session, owner, counts)  # and notes left over
    board = BoardDelivery(session, owner)
    try:
        recovered += board.recover()
    finally:
        board.close()
    return recovered


def step_down_owner(session: Session, owner: str) -> bool:
    """Record that ``owner`` stops; False: it could not, or another owner took over."""
    try:
        with session.store.write() as conn:
            return step_down(conn, owner=owner, now=wall_clock())
    except (OssDeskError, sqlite3.Error) as exc:
        log.warning("could not record stepping down: %s", exc)
        return False


def deliver_handed(session: Session, transports: Transports, owner: str) -> None:
    """The print jobs desks handed to ``owner`` that it has not delivered (a fault is logged:
    the next owner prints them, marked COPY)."""
    try:
        PrintDelivery(session, transports, owner).deliver_handed()
    except (OssDeskError, sqlite3.Error) as exc:
        log.warning("print jobs handed to this worker left to the next: %s", exc)


__all__ = ["deliver_handed", "recover", "step_down_owner", "wall_clock"]
