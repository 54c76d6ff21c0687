"""\"Nearly your turn\": texts to residents waiting elsewhere in the building.

At meet-and-greet a resident may give a mobile number (``give_phone``). The device worker then
looks at the queue after every change while a number given today waits (``queue_due``;
``oss_desk.worker.rounds.TurnTextsLane``): a resident whose ticket is
``turn_texts.position``-th in line, as its paper counts the people ahead (2nd by default),
gets a text once it moves into that place (one already there when the number is given is
still at meet-and-greet: none, :func:`oss_desk.domain.waits.nearly_close`), and another
when called, with the desk to go to (``turn_texts.when_called``),
and one if close of day closes their ticket (``closed``, queued by the close:
:func:`oss_desk.services.queue.day_end.tell_closed`).
Each is a row of the ``turn_texts`` outbox, one per visit and kind (a come-to-the-desk text is
queued again, as a row of its own, for each new call, never twice for one call; a row's id
names one text for ever); the sender
checks again just before sending that it is still true (a cancelled ticket, one called
meanwhile, a number deleted: nothing is sent). A try Notify did not answer for sure is looked
up after the look-up wait (:func:`oss_desk.domain.sending.look_up_wait`) and sent again only
when Notify does not have it and it is still true: a "called" text goes late rather than twice,
and not at all once the ticket is no longer called (the board has the call either way). The
number is read from ``visit_phones`` when sending and deleted once its day is over; the
reference sent to Notify names nobody.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.channel_words import TEXTS_NOT_SET_UP
from oss_desk.domain.codes import TicketRef
from oss_desk.domain.counter import HELD_TEXT_KEY
from oss_desk.domain.models import Actor, EventKind, Ticket, TicketStatus
from oss_desk.domain.phones import normalise_mobile
from oss_desk.domain.sending import (
    MAY_HAVE_BEEN_SENT,
    SendResult,
    SendTally,
    look_up_wait,
    next_try,
    send_lease,
    send_round,
)
from oss_desk.domain.waits import NEARLY_NOT_NEEDED, nearly_close
from oss_desk.errors import RuleViolation
from oss_desk.services.current_senders import CurrentSenders
from oss_desk.services.events import of_ticket, record_event
from oss_desk.services.feedback_queue import notify_sends_texts
from oss_desk.services.messages import Composed
from oss_desk.services.outcome_writes import write_until_taken
from oss_desk.services.resident import desk_names, site_names
from oss_desk.services.send_queues import handed_over, looked_up, settle_try
from oss_desk.services.senders import NotifySender, SendFault
from oss_desk.services.session import Session
from oss_desk.services.wording import record_wording
from oss_desk.storage import queue as q
from oss_desk.storage import resident as r
from oss_desk.storage.followups import release_stale_messages
from oss_desk.storage.print_state import code_on_paper
from oss_desk.storage.sending import TURN_TEXTS

log = logging.getLogger("oss_desk.turn_texts")

LEASE_SECONDS = 120
ATTEMPTS = 8


def release_left(session: Session) -> int:
    """At start-up (the worker lock is ours): the turn texts and referral messages an earlier
    owner left mid-send are due again: a turn text whose request never left, at once; one
    whose request was handed to Notify (and a referral's by text), once it can be looked up:
    the request may be on its way to Notify (:func:`oss_desk.domain.sending.look_up_wait`; a
    referral by mail, at once)."""
    now = session.clock.now()
    wait = look_up_wait(session.settings.notify.timeout)
    due = format_instant(next_try(now, 0.0, wait))
    with session.store.write() as conn:
        texts = r.release_stale_turn_texts(conn, format_instant(now), due)
        return texts + release_stale_messages(conn, due)


def texts_possible(session: Session) -> bool:
    return notify_sends_texts(session.settings)


@dataclass
class TextReport(SendTally):
    """A round of turn texts (``queued``: the texts that came due and were queued)."""

    queued: int = 0


class TurnTexts:
    def __init__(
        self,
        session: Session,
        actor: Actor | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.s = session
        self.actor = actor or session.actor
        self.stop = stop
        """The worker's stop: an outcome the database cannot take yet is written again until
        then (None: ``worker --once``; :mod:`oss_desk.services.outcome_writes`)."""

    # At meet-and-greet -----------------------------------------------------------------------

    def give_phone(self, ref: str | int | TicketRef, phone: str) -> Ticket:
        """The resident's mobile number for this visit's texts (kept until the day is over)."""
        from oss_desk.services.queue import QueueService

        self.s.require(Action.ISSUE_TICKET, self.actor)
        number = normalise_mobile(phone)
        if not texts_possible(self.s):
            raise RuleViolation(TEXTS_NOT_SET_UP)
        now = self.s.clock.now()
        queue = QueueService(self.s, self.actor)
        with self.s.store.write() as conn:
            ticket = queue.ticket(ref)
            if ticket.status is not TicketStatus.WAITING:
                raise RuleViolation(f"{ticket.code} is not waiting: no text is needed")
            r.set_phone(
                conn,
                visit_id=ticket.visit_id,
                site_id=ticket.site_id,
                business_day=ticket.business_day,
                phone=number,
                now=format_instant(now),
            )
            site = self.s.site_ever(ticket.site_id)
            self._hold_back_nearly(conn, ticket, now)
            record_event(
                conn,
                site,
                now,
                EventKind.PHONE_GIVEN,
                self.actor,
                desk_id=self.actor.desk_id,
                **of_ticket(ticket),
            )
        return ticket

    def nearly_held_back(self, ticket: Ticket) -> bool:
        """Whether the ticket's "nearly your turn" text was held back: it was already close to
        the front when the number was given (:func:`_hold_back_nearly`)."""
        with self.s.store.read() as conn:
            return bool(r.held_back_nearly(conn, [ticket.visit_id], NEARLY_NOT_NEEDED))

    def nearly_close_now(self, ticket: Ticket) -> bool:
        """Whether a number given now would hold back the ticket's "nearly your turn" text:
        it is already that close to the front (what meet-and-greet's Ctrl+N box offers)."""
        with self.s.store.read() as conn:
            return self._close(conn, ticket, self.s.clock.now())

    def _close(self, conn: sqlite3.Connection, ticket: Ticket, now: datetime) -> bool:
        """The ticket is waiting, already close to the front
        (:func:`~oss_desk.domain.waits.nearly_close`)."""
        from oss_desk.services.queue.view import read_live_queue

        site = self.s.site(ticket.site_id)
        live = read_live_queue(self.s, conn, site, now, only=ticket.id)
        entry = next((e for e in live.entries if e.ticket.id == ticket.id), None)
        return entry is not None and nearly_close(entry.ahead, self.s.settings.turn_texts.position)

    def _hold_back_nearly(self, conn: sqlite3.Connection, ticket: Ticket, now: datetime) -> None:
        """A ticket already close to the front as its number is given is not texted "nearly
        your turn" (:func:`_close`): the resident is still here."""
        if self._close(conn, ticket, now):
            r.hold_back_nearly(
                conn,
                visit_id=ticket.visit_id,
                ticket_id=ticket.id,
                reference=f"oss-t{ticket.id}-nearly-{secrets.token_hex(4)}",
                now=format_instant(now),
                why=NEARLY_NOT_NEEDED,
            )

    # The device worker -----------------------------------------------------------------------

    def queue_due(self) -> int:
        """Queue the texts the queue now calls for (each visit's at most once per kind, and
        once more for each new call: ``queue_turn_text``).

        Places come from the live queue (``QueueService.queue``): a ticket is n-th in line when
        n - 1 people are ahead of it, as its paper ticket counts them (the one call order and
        the open desks that may call it: ``oss_desk.domain.queue.plan_calls``)."""
        from oss_desk.services.queue import QueueService

        settings = self.s.settings.turn_texts
        queued = 0
        now = format_instant(self.s.clock.now())
        for site in self.s.directory.sites.values():
            day = self.s.today(site)
            with self.s.store.read() as conn:
                visits = set(r.phone_visits(conn, site.id, day))
                held_back = r.held_back_nearly(conn, visits, NEARLY_NOT_NEEDED) if visits else set()
            if not visits:
                continue
            entries = QueueService(self.s, Actor("worker")).queue(site.id)
            due: list[tuple[Ticket, str]] = []
            fell_back: list[int] = []  # held back when given, and no longer close: may go again
            for entry in entries:
                ticket = entry.ticket
                if ticket.visit_id not in visits:
                    continue
                if ticket.status is TicketStatus.WAITING:
                    if nearly_close(entry.ahead, settings.position):
                        due.append((ticket, "nearly"))
                    elif entry.ahead is not None and ticket.visit_id in held_back:
                        fell_back.append(ticket.visit_id)
                elif ticket.status is TicketStatus.CALLED and settings.when_called:
                    due.append((ticket, "called"))
            if not due and not fell_back:
                continue
            with self.s.store.write() as conn:
                for visit_id in fell_back:
                    r.release_nearly(conn, visit_id, NEARLY_NOT_NEEDED, now)
                for ticket, kind in due:
                    reference = f"oss-t{ticket.id}-{kind}-{secrets.token_hex(4)}"
                    queued += r.queue_turn_text(
                        conn,
                        visit_id=ticket.visit_id,
                        ticket_id=ticket.id,
                        kind=kind,
                        reference=reference,
                        now=now,
                        called_at=format_instant(ticket.called_at) if ticket.called_at else None,
                    )
        return queued

    def deliver_due(self, notify: NotifySender | None = None, limit: int = 1000) -> TextReport:
        sender = notify or CurrentSenders(self.s).notify
        return send_round(lambda report: self._deliver_one(sender, report), TextReport(), limit)

    def _deliver_one(self, notify: NotifySender, report: TextReport) -> bool:
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            lease = send_lease(self.s.settings.notify.timeout, LEASE_SECONDS)
            text = r.claim_turn_text(
                conn, format_instant(now), format_instant(now + timedelta(seconds=lease))
            )
        if text is None:
            return False
        with self.s.store.read() as conn:
            phone = r.phone_of(conn, text.visit_id)
            current = r.visit_ticket(conn, text.visit_id)
            ticket = q.get_ticket(conn, current) if current is not None else None
        reason = self._unwanted(text, ticket, phone)
        if reason is not None or ticket is None or phone is None:
            self._finish(text, ticket, self._dropped(notify, text, reason or "no ticket"), report)
            return True
        try:
            # Checked just above that it is still true (still called, the same day); an earlier
            # try that may have reached Notify is looked up first, and only sent again when
            # Notify does not have it (the retry came after the look-up wait: see _retry).
            provider = notify.send_once(
                "text",
                phone,
                lambda: self._compose_for(text, ticket),
                text.reference,
                tried=text.handed_over_at is not None,
                on_handover=handed_over(self.s, TURN_TEXTS, text.id),
            )
        except SendFault as fault:
            retry = self._retry(text, fault)
            result = SendResult.unsent(fault.reason, retry)
            self._finish(text, ticket, result, report, may_have_left=fault.uncertain)
            return True
        self._finish(text, ticket, SendResult("sent", provider=provider), report)
        return True

    def _dropped(self, notify: NotifySender, text: r.TurnText, reason: str) -> SendResult:
        """A text no longer wanted (``reason``). When an earlier try may have reached Notify
        (its turn came after the look-up wait), Notify is asked: found, it was sent; not found,
        it never was (cancelled); Notify not answering, it may have been sent
        (:func:`~oss_desk.domain.sending.may_have_been_sent`), never said cancelled."""
        if text.handed_over_at is None:
            return SendResult("cancelled", reason)
        return looked_up(notify, text.reference, "cancelled", reason)

    def _retry(self, text: r.TurnText, fault: SendFault) -> datetime | None:
        """When a text not sent is tried again (None: it has failed): 2, 4, 8... s up to a
        minute, and after a try that may have reached Notify, once it can be looked up
        (:func:`oss_desk.domain.sending.next_try`)."""
        if not fault.retry or text.attempts >= ATTEMPTS:
            return None
        backoff = min(60, 2**text.attempts)
        return next_try(self.s.clock.now(), backoff, fault.look_up_after)

    def _unwanted(self, text: r.TurnText, ticket: Ticket | None, phone: str | None) -> str | None:
        """Why the text is no longer wanted (None: send it)."""
        if phone is None:
            return "no number (deleted at the end of the day)"
        if ticket is None:
            return "no ticket"
        if ticket.business_day != self.s.today(self.s.site_ever(ticket.site_id)):
            return "the day is over"
        if text.kind == "nearly" and ticket.status is not TicketStatus.WAITING:
            return f"the ticket is {ticket.status.value} now"
        if text.kind == "called" and ticket.status is not TicketStatus.CALLED:
            return f"the ticket is {ticket.status.value} now"
        if text.kind == "closed" and ticket.status is not TicketStatus.CANCELLED:
            return f"the ticket is {ticket.status.value} now"
        return None

    def _compose_for(self, text: r.TurnText, ticket: Ticket) -> Composed:
        """The text as it is sent now, its row stamped with the call it names (the ticket's
        call at this moment: a later call than the one it was queued for, when the resident
        was sent on meanwhile), so that call is never texted again."""
        if text.kind == "called" and ticket.called_at is not None:
            with self.s.store.write() as conn:
                r.stamp_turn_text_call(conn, text.id, format_instant(ticket.called_at))
        return self.compose(text.kind, ticket)

    def compose(self, kind: str, ticket: Ticket) -> Composed:
        """The text, Welsh first in a bilingual office: the code (and the one the resident
        holds, when a transfer printed nowhere left them holding another) and, once called,
        the desk."""
        wording = record_wording(self.s, ticket.site_id)
        desks = desk_names(self.s, wording, ticket.desk)
        with self.s.store.read() as conn:
            held = code_on_paper(conn, ticket.id)

        def code(language: str) -> str:
            """The code called, and the one they hold when that is another (a transfer printed
            nowhere): "C003 (your ticket H001)" on paper, "C003 (you were given H001)" when no
            paper of it was confirmed."""
            if held.code in ("", ticket.code):
                return ticket.code
            key = HELD_TEXT_KEY[held.on_paper]
            return wording.one(language, key, code=ticket.code, held=held.code)

        lines = [
            wording.one(
                language,
                f"text.{kind}",
                code=code(language),
                desk=desks[min(n, len(desks) - 1)],
            )
            for n, language in enumerate(wording.languages)
        ]
        body = "\n".join(dict.fromkeys(lines))
        heading = " / ".join(site_names(self.s, wording, ticket.site_id))
        return Composed(heading=heading, subject=heading, body=body, sms=body, ics=None)

    def _finish(
        self,
        text: r.TurnText,
        ticket: Ticket | None,
        result: SendResult,
        report: TextReport,
        *,
        may_have_left: bool = False,
    ) -> None:
        """Record how the try went (``may_have_left``: the try ended without a sure answer, so
        Notify may have its request: it stays marked handed over). Written until the database
        takes it: Notify's answer is known only here (given up as the worker stops, the row is
        left handed over, and the next owner looks it up: :func:`release_left`)."""
        now = self.s.clock.now()

        def write() -> None:
            with self.s.store.write() as conn:
                settle_try(
                    conn,
                    TURN_TEXTS,
                    text.id,
                    result,
                    now,
                    may_have_left=may_have_left,
                    error_chars=200,
                )
                if result.settled and ticket is not None:
                    site = self.s.site_ever(ticket.site_id)  # one that left: as it was
                    reason = {"reason": result.error} if result.error else {}
                    record_event(
                        conn,
                        site,
                        now,
                        EventKind.TURN_TEXT_SENT if result.sent else EventKind.TURN_TEXT_FAILED,
                        Actor("worker"),
                        **of_ticket(ticket),
                        data={"kind": text.kind, **reason},
                    )

        write_until_taken(write, f"{text.kind} text {text.id}", result.status, self.stop)
        report.count(result.status)
        if result.sent:
            log.info("sent the %s text for ticket %s", text.kind, text.ticket_id)
        elif result.status == "failed":
            log.warning("a %s text failed: %s", text.kind, result.error)
        elif result.status == "uncertain":
            said = f"{MAY_HAVE_BEEN_SENT}: {result.error}"
            log.warning("the %s text for ticket %s %s", text.kind, text.ticket_id, said)
