"""The one place that decides a change alters what the display board shows: a call, a recall,
a ticket put back or moved, a no-show taken back, a parked resident resumed (a call back on the
board: :func:`oss_desk.domain.public.board_moved_by`), a desk closing, close of day closing
called tickets. Each queues a board update in the transaction that records the change; the
worker's board lane redraws only on a queued update (and when the business day turns,
:mod:`oss_desk.worker.board`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from oss_desk.clock import format_instant
from oss_desk.domain.models import Ticket
from oss_desk.services.session import Session


def board_changed(
    session: Session,
    conn: sqlite3.Connection,
    site_id: str,
    reason: str,
    now: datetime,
    ticket_id: int | None = None,
) -> bool:
    """Queue a board update for ``site_id`` in the caller's transaction when the board shows
    that site's calls. ``reason``: ``called``, ``recalled`` or ``put_back`` (a call leaves the
    board). True: queued."""
    if session.settings.board_site() != site_id:
        return False
    # Imported here: the queue's readers (`oss-desk queue`) import this module and never write.
    from oss_desk.storage.devices import queue_board_update

    queue_board_update(
        conn, site_id=site_id, ticket_id=ticket_id, reason=reason, now=format_instant(now)
    )
    return True


def tickets_left_board(
    session: Session, conn: sqlite3.Connection, tickets: Iterable[Ticket], now: datetime
) -> None:
    """Tickets closed together (close of day): one board update for their site, so their
    calls leave the board in one redraw."""
    for site_id in sorted({ticket.site_id for ticket in tickets}):
        board_changed(session, conn, site_id, "put_back", now)
