"""The queue display board: shows the site's latest calls, and says when it is not there.

Every call and recall commits a board update; the board's lane claims them all, shows the whole
state (boards redraw from a full frame) and marks them done. When nothing changes, the board is
checked every ``board.poll_seconds`` without disturbing its display, so an unplugged board shows
as offline within that time; when it comes back, the whole state is sent again. When the business
day turns (a desk left open across midnight), or the day closes (its closing time passes, though
the close then closed no ticket), the next check redraws it: the calls before the close leave.

A bilingual office's board whose rows cannot hold a desk's Welsh and English names side by side
shows the calls with the Welsh names, then with the English, turned every ``board.page_seconds``
(:meth:`BoardDelivery.turn`; an Alpha sign turns them itself); a new call starts again at the
Welsh page.

A board that does not open or take a frame is tried again after a growing wait (the one retry
rule, :func:`oss_desk.domain.delivery.board_backoff`): updates that come meanwhile wait, pending,
for that try. Its state is logged once per change, not per try. A frame that went out makes it
"sent", not "ok": no board replies, so nothing more is known (a capture file is ok).
"""

from __future__ import annotations

import logging
import sqlite3
import time

from oss_desk.clock import format_instant
from oss_desk.domain.delivery import board_backoff, board_status
from oss_desk.domain.devices import parse_board_url
from oss_desk.hardware.boards import (
    BoardFault,
    BoardLink,
    BoardState,
    geometry_for,
    pages_turned,
)
from oss_desk.services.printouts import board_state
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import calls_cleared
from oss_desk.services.resident import board_message
from oss_desk.services.session import Session
from oss_desk.storage import devices as d
from oss_desk.storage import outbox as o
from oss_desk.storage.outbox import BOARD_UPDATES
from oss_desk.worker.owner import new_owner

log = logging.getLogger("oss_desk.worker")


class BoardDelivery:
    """Keeps the display board in step with the calls of its site (one session, one thread)."""

    def __init__(self, session: Session, owner: str | None = None) -> None:
        self.s = session
        self.owner = owner or new_owner()
        self.site = QueueService(session).board_site()
        url = session.settings.board.url
        self.url = url
        """The board's address as configured when this was made (none: no board)."""
        self.link = BoardLink(parse_board_url(url)) if url else None
        self._shown: BoardState | None = None
        self._next_retry = 0.0
        self._next_check = 0.0
        self._recorded: tuple[str, str | None] | None = None
        self._failures = 0
        self._page = 0
        self._turned = 0.0
        self._raw: str | None = None
        self._period: tuple[str, str] | None = None  # the day, and its close, shown
        self.frames_sent = 0
        self.tries = 0

    @property
    def poll_seconds(self) -> float:
        return self.s.settings.board.poll_seconds

    @property
    def page_seconds(self) -> float:
        return self.s.settings.board.page_seconds

    def state(self) -> BoardState:
        assert self.site is not None
        assert self.link is not None
        return board_state(self.s, self.site, geometry_for(self.link.url).rows)

    def _now_period(self) -> tuple[str, str]:
        """The business day whose calls the board lists, and the instant its calls before are
        cleared by the day's close (:func:`calls_cleared`)."""
        assert self.site is not None
        site = self.s.directory.sites[self.site]
        day = self.s.today(site)
        return day, calls_cleared(self.s, self.s.store.conn, site, day)

    def deliver(self, force: bool = False) -> bool:
        """Show the current state if something changed (or the board came back). True: sent."""
        if self.link is None or self.site is None:
            return False
        if self._shown is None and time.monotonic() < self._next_retry:
            return False  # offline: the pending updates wait for the next try (no claim)
        now = format_instant(self.s.clock.now())
        with self.s.store.write() as conn:
            claimed = o.claim(
                conn, BOARD_UPDATES, owner=self.owner, now=now, lane=self.site, everything=True
            )
        back_soon = self._shown is None and time.monotonic() >= self._next_retry
        if not claimed and not force and not back_soon:
            return False
        period = self._now_period()  # before the state: a close between them redraws again
        state = self.state()
        self.tries += 1
        try:
            self.link.show(state)
        except BoardFault as fault:
            self._offline(fault, [row["id"] for row in claimed])
            return False
        self._shown, self._period = state, period
        self._failures = 0
        self.frames_sent += 1
        self._page, self._turned = 0, time.monotonic()
        self._next_check = time.monotonic() + self.poll_seconds
        with self.s.store.write() as conn:
            for row in claimed:
                o.finish(
                    conn, BOARD_UPDATES, row["id"], owner=self.owner, status="done", done_at=now
                )
            self._mark(conn, board_status(self.link.url.transport), None, now)
        return True

    def turn(self) -> bool:
        """On a board that names the desks in Welsh, then in English, in turn: the next page,
        once the page has been up ``board.page_seconds``. True: a page was sent (which shows
        the board is still there as a check would)."""
        if self.link is None or self._shown is None:
            return False
        pages = pages_turned(self.link.url, self._shown)
        if pages < 2 or time.monotonic() - self._turned < self.page_seconds:
            return False
        page = (self._page + 1) % pages
        try:
            self.link.show(self._shown, page)
        except BoardFault as fault:
            self._offline(fault, [])
            return False
        self.frames_sent += 1
        self._page, self._turned = page, time.monotonic()
        self._next_check = time.monotonic() + self.poll_seconds
        return True

    def check(self) -> bool:
        """Is the board still there? (Every ``board.poll_seconds`` when nothing was sent.)
        False: it is offline (recorded, and the state is resent when it answers again)."""
        if self.link is None or self.site is None:
            return True
        if time.monotonic() < self._next_check:
            return self._shown is not None
        self._next_check = time.monotonic() + self.poll_seconds
        if self._shown is None or self._period != self._now_period() or self._message_changed():
            # Back, or a new day (yesterday's calls leave), or the day closed (by hand or at
            # closing time: its calls leave) or reopened: the board's message follows it, with
            # no update committed.
            return self.deliver(force=True)
        try:
            self.link.check()
        except BoardFault as fault:
            self._offline(fault, [])
            return False
        return True

    def _message_changed(self) -> bool:
        """The message shown is no longer the board's ("Office closed" once the day is over,
        "take a ticket" again after a reopen or at opening time:
        :func:`~oss_desk.services.resident.board_message`; indexed reads)."""
        assert self._shown is not None and self.site is not None
        return self._shown.message != board_message(self.s, self.site)

    def _offline(self, fault: BoardFault, claimed: list[int]) -> None:
        """Recorded in staff's words; the port's own error goes to the log (once a change)."""
        self._shown = None
        self._raw = fault.raw
        self._failures += 1
        self._next_retry = time.monotonic() + board_backoff(self._failures, self.poll_seconds)
        self._next_check = self._next_retry
        now = format_instant(self.s.clock.now())
        with self.s.store.write() as conn:
            for row_id in claimed:  # shown when the board is back: the whole state is resent
                o.finish(conn, BOARD_UPDATES, row_id, owner=self.owner, status="pending")
            self._mark(conn, "offline", str(fault), now)

    def _mark(self, conn: sqlite3.Connection, status: str, detail: str | None, now: str) -> None:
        if self._recorded == (status, detail) and status != "offline":
            return
        assert self.link is not None
        d.record_device(
            conn,
            url=self.link.url.url,
            kind="board",
            status=status,
            detail=detail,
            now=now,
            answered=status == "ok",
        )
        before = self._recorded[0] if self._recorded else None
        if status != before:  # the log says each change of state once, not each try
            if status == "offline":
                log.warning("board offline: %s (%s)", detail, self._raw or "no error text")
            elif before is not None:
                log.info("board back: %s", status)
        self._recorded = (status, detail)

    def recover(self) -> int:
        """Updates an earlier owner left mid-show: shown again with the whole state."""
        with self.s.store.write() as conn:
            left = o.orphans(conn, BOARD_UPDATES, owner=self.owner)
            for row in left:
                o.adopt(conn, BOARD_UPDATES, row["id"], owner=self.owner)
                o.finish(conn, BOARD_UPDATES, row["id"], owner=self.owner, status="pending")
        return len(left)

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
