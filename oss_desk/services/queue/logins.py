"""Who is at which desk: staff log in to a desk (one desk each), a desk someone else holds is
refused to an adviser and may be taken over by a team leader (recorded), and a desk opens when
someone logs in and closes when they log out."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from oss_desk.clock import format_instant
from oss_desk.domain.access import LOGGING_OUT_ANOTHER, Action
from oss_desk.domain.counter import LoginAnswer, login_answer
from oss_desk.domain.logins import DeskLogin
from oss_desk.domain.models import Desk, DeskStatus, EventKind, Ticket
from oss_desk.errors import InvalidInput, RuleViolation
from oss_desk.services.queue.records import Records
from oss_desk.storage import queue as q
from oss_desk.storage.counter import log_in, log_out, login_at, login_of
from oss_desk.storage.site import set_desk_status


class DeskHeld(RuleViolation):
    """Someone else is logged in to the desk. ``may_take_over``: this person may take it over
    (asked first); otherwise the refusal says who to ask."""

    title = "Desk in use"

    def __init__(self, message: str, held: DeskLogin, holder: str, may_take_over: bool) -> None:
        super().__init__(message)
        self.held = held
        self.holder = holder
        self.may_take_over = may_take_over


@dataclass(frozen=True, slots=True)
class LoggedIn:
    desk_id: str
    person: str
    took_over_from: str | None = None
    moved_from: str | None = None
    """The desk the person was logged in to before (they are logged out there)."""
    already: bool = False
    sent_back: tuple[Ticket, ...] = ()
    """Tickets sent to the desk left behind, or to the person taken over from, that went back
    to the queue (nobody would call them there now)."""


@dataclass(frozen=True, slots=True)
class LoggedOut:
    gone: DeskLogin | None
    """Who was logged in (None: nobody was)."""
    sent_back: tuple[Ticket, ...] = ()
    """The tickets sent to the desk, or to the person, that went back to the queue."""


class Logins(Records):
    def log_in(self, desk_id: str | None = None, *, take_over: bool = False) -> LoggedIn:
        """Log the acting person in to a desk (this terminal's). A desk someone else holds is
        refused (:class:`DeskHeld`, saying who) unless this person may take it over and
        ``take_over`` says so; then the other person is logged out and the takeover recorded."""
        desk = self._login_desk(desk_id)
        self._require(Action.DESK_STATUS)
        me = self.actor.person
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            held = login_at(conn, desk.id)
            answer = login_answer(held, me, self.s.role_of(me))
            if answer is LoginAnswer.ALREADY:
                return LoggedIn(desk.id, me, already=True)
            if held is not None and (answer is LoginAnswer.REFUSED or not take_over):
                raise self._held_by(desk, held, answer is LoginAnswer.TAKE_OVER)
            if held is None:
                self._require(Action.DESK_STATUS, own=self.owns_desk(desk))
            moved_from = self._leave_other_desk(conn, desk, now)
            if held is not None:
                log_out(conn, desk.id)
                self._desk_event(conn, desk, EventKind.DESK_LOGOUT, now, {"taken_over_by": me})
            log_in(conn, desk.id, me, format_instant(now))
            data: dict[str, object] = {}
            if held is not None:
                data["took_over_from"] = held.person
            if moved_from is not None:
                data["from_desk"] = moved_from
            self._desk_event(conn, desk, EventKind.DESK_LOGIN, now, data)
            self._status(conn, desk, DeskStatus.OPEN, now)
            left = self.s.directory.desks.get(moved_from or desk.id, desk)
            back = tuple(
                t
                for site_id in dict.fromkeys((desk.site_id, left.site_id))
                for t in self.send_back(conn, self.s.directory.sites[site_id], now)
            )
        return LoggedIn(desk.id, me, held.person if held else None, moved_from, sent_back=back)

    def log_out(self, desk_id: str | None = None) -> LoggedOut:
        """Nobody at the desk any more: it closes, and the tickets sent to it (or to the person
        leaving) go back to the queue at their place. Refused while a resident is at it."""
        desk = self._login_desk(desk_id)
        self._require(Action.DESK_STATUS)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            held = login_at(conn, desk.id)
            if held is None:  # closing a desk nobody is at: as `desks close` would
                self._require(Action.DESK_STATUS, own=self.owns_desk(desk, terminal=False))
            elif held.person != self.actor.person:  # the terminal's desk is not theirs then
                self.s.require(Action.DESK_STATUS, self.actor, own=False, doing=LOGGING_OUT_ANOTHER)
            self._check_no_resident(conn, desk, "logging out")
            gone = log_out(conn, desk.id)
            if gone is not None:
                data: dict[str, object] = (
                    {} if gone.person == self.actor.person else {"person": gone.person}
                )
                self._desk_event(conn, desk, EventKind.DESK_LOGOUT, now, data)
            self._status(conn, desk, DeskStatus.CLOSED, now)
            back = self.send_back(conn, self.s.directory.sites[desk.site_id], now)
        return LoggedOut(gone, back)

    def login_of(self, person: str | None = None) -> DeskLogin | None:
        """The desk a person (the acting person) is logged in to."""
        return login_of(self.s.store.conn, person or self.actor.person)

    # Helpers -----------------------------------------------------------------------------------

    def _login_desk(self, desk_id: str | None) -> Desk:
        desk = self._desk(desk_id)
        if desk is None:
            raise InvalidInput("say which desk")
        return desk

    def _held_by(self, desk: Desk, held: DeskLogin, may_take_over: bool) -> DeskHeld:
        holder = self.s.name_of(held.person)
        since = self._local(held.since)
        if may_take_over:
            message = f"{holder} is logged in to {desk.name} since {since}: take it over?"
        else:
            message = (
                f"{holder} is logged in to {desk.name} since {since}: ask them to log out, or "
                "a team leader to take the desk over"
            )
        return DeskHeld(message, held, holder, may_take_over)

    def _local(self, instant: datetime) -> str:
        from oss_desk.domain.calendar import local

        site = next(iter(self.s.directory.sites.values()), None)
        return local(instant, site.timezone).strftime("%H:%M") if site else "earlier"

    def _leave_other_desk(self, conn: sqlite3.Connection, desk: Desk, now: datetime) -> str | None:
        """The acting person leaves the desk they are logged in to elsewhere (one desk each)."""
        other = login_of(conn, self.actor.person)
        if other is None or other.desk_id == desk.id:
            return None
        elsewhere = self.s.directory.desks.get(other.desk_id)
        if elsewhere is not None:
            self._check_no_resident(conn, elsewhere, f"moving to {desk.name}")
        log_out(conn, other.desk_id)
        if elsewhere is not None:
            self._desk_event(conn, elsewhere, EventKind.DESK_LOGOUT, now, {"to_desk": desk.id})
            self._status(conn, elsewhere, DeskStatus.CLOSED, now)
        return other.desk_id

    def _check_no_resident(self, conn: sqlite3.Connection, desk: Desk, doing: str) -> None:
        current = q.desk_ticket(conn, desk.id)
        if current is not None:
            raise RuleViolation(
                f"{desk.name} still has {current.code}: finish it, park it or transfer it "
                f"before {doing}"
            )

    def _status(
        self, conn: sqlite3.Connection, desk: Desk, wanted: DeskStatus, now: datetime
    ) -> None:
        previous = set_desk_status(conn, desk.id, wanted)
        if previous is not wanted:
            self._desk_event(
                conn, desk, EventKind.DESK_STATUS, now, {"from": previous.value, "to": wanted.value}
            )
            if wanted is DeskStatus.CLOSED:
                self._desk_closed(conn, desk, now)
        self._mark_desk(conn, desk.id, now)

    def _desk_event(
        self,
        conn: sqlite3.Connection,
        desk: Desk,
        kind: EventKind,
        now: datetime,
        data: dict[str, object],
    ) -> None:
        site = self.s.directory.sites[desk.site_id]
        self._event(conn, site, kind, now, desk_id=desk.id, data=data or None)
