"""A resident asks what the council holds about them (a subject access request), or to be
forgotten (erasure): ``oss-desk resident find`` and ``oss-desk resident forget``.

Finding reads every record that holds the resident's personal data now, by their email, phone
(in its stored +44 form, however it is typed) or name; forgetting clears the personal fields of
named records with the very statements the retention purge runs (``oss_desk.storage.subject``),
so nothing a report counts changes. Both are team leaders' and admins' work, and both are
recorded in the event log: who, when, by which kind of key or which record (never the key,
never the values).
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass, replace
from datetime import date, datetime

from oss_desk.clock import FixedClock, format_instant, parse_instant, read_instant
from oss_desk.domain.access import Action
from oss_desk.domain.appointments import (
    AppointmentStatus,
    normalise_email,
    parse_reference,
)
from oss_desk.domain.calendar import day_said, when_said
from oss_desk.domain.event_data import KEPT_FOR_GOOD, details_in, for_event
from oss_desk.domain.followups import parse_ref as parse_followup_ref
from oss_desk.domain.models import EventKind
from oss_desk.domain.names import letters_typed
from oss_desk.domain.phones import normalise_phone
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.events import record_event
from oss_desk.services.session import Session
from oss_desk.storage import appointments as a
from oss_desk.storage import maintenance as m
from oss_desk.storage import subject
from oss_desk.storage.replaced import ErasureMade
from oss_desk.storage.subject import Held, Key

CANCELLED_AGAIN = "cancelled before a restore of an older backup; cancelled again"
"""The reason a booking cancelled again by a restore's re-apply is given (a council's
cancellation at short notice needs one)."""

FORGOTTEN = "the resident asked to be forgotten"
"""The error text a message cancelled by ``resident forget --cancel-messages`` is left with."""


@dataclass(frozen=True)
class Erased:
    """One record whose personal fields were cleared: which, what, and messages cancelled."""

    kind: str
    ref: str
    fields: tuple[str, ...]
    messages_cancelled: int
    not_texted: str | None = None
    """The ticket code of a visit still in the queue whose turn texts stopped with its mobile
    number (``--cancel-messages``): nobody will text that resident when their turn comes."""
    made_at_event: int | None = None
    """The event that recorded the record's making (None: not found): a backup whose log
    ends before it cannot hold the record."""
    cancelled_again: bool = False
    """A booking the backup held as still to come, cancelled again first (as the replaced
    database had it) by a re-apply after a restore."""
    still_booked: bool = False
    """A booking still to come (or checked in) when it was erased: only a re-apply after a
    restore erases one (the backup was made before it was cancelled); its slot stays held
    until it is cancelled."""


def search_value(key: Key, text: str) -> str:
    """The key as it is stored: an email as given (matched without case), a phone as +44...,
    a name's words with single spaces (matched as part of a name, without case)."""
    if key == "email":
        return normalise_email(text, to_send=False)
    if key == "phone":
        return normalise_phone(text)
    words = " ".join(text.split())
    if letters_typed(words) < 2:  # (punctuation alone would find every name with one letter)
        raise InvalidInput("a name to find needs at least 2 letters", cli_hint="--name")
    return words


def case_reference(text: str | None) -> str | None:
    """``--reason``: the council's reference for the request (``IG-2026-114``), kept in the
    event log, which can never be changed: so never a name, an email or a phone number."""
    if text is None:
        return None
    return for_event(text, what="the request's case reference", hint="--reason")


class SubjectAccessService:
    """Find and erase a resident's personal data on request."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def find(self, key: Key, text: str) -> list[Held]:
        """Every record holding the resident's personal data now; the search is recorded."""
        self.s.require(Action.RESIDENT_DATA)
        value = search_value(key, text)
        # Read apart from the record of the search: scanning every note and comment may take
        # seconds on a long history, and no desk waits for the write lock meanwhile.
        with self.s.store.read() as conn:
            found = subject.find(conn, key, value)
        with self.s.store.write() as conn:
            record_event(
                conn,
                None,
                self.s.clock.now(),
                EventKind.RESIDENT_SEARCHED,
                self.s.actor,
                data={"by": key, "records": len(found)},
            )
        return found

    def forget(
        self, refs: list[str], *, reason: str | None = None, cancel_messages: bool = False
    ) -> list[Erased]:
        """Clear the personal fields of the records named, all or none: a record a message
        still waiting needs is refused (``cancel_messages``: cancel those first), as is a
        booking still to come or a follow-up still open (its work needs the details)."""
        self.s.require(Action.RESIDENT_DATA)
        case = case_reference(reason)
        now = self.s.clock.now()
        m.set_secure_delete(self.s.store.conn, on=True)
        with self.s.store.write() as conn:
            held = [self._held(conn, ref) for ref in dict.fromkeys(refs)]
            for record in held:
                _refuse_details_in(case, record)
                self._refuse_if_needed(conn, record, cancel_messages)
            erased = [self._erase(conn, record, case, cancel_messages, now) for record in held]
        if any(e.fields for e in erased):
            m.checkpoint_truncate(self.s.store.conn)
        return erased

    def reapply(self, erasures: list[ErasureMade], shared: int | None = None) -> list[Erased]:
        """Erase again what ``resident forget`` erased in a database since replaced by an
        older backup (``db restore``): each record the backup holds with details still in it,
        by the same statements, its unsent messages cancelled (the resident asked to be
        forgotten; nothing may wait on the details), recorded against the person restoring
        with the request's own case reference. A record the backup does not hold, or holds
        nothing of its resident, needs nothing now, but the erasure is recorded all the same
        (with no fields), so that a restore of another backup over this database, one that
        holds the record, makes it again (review33). A record is the one erased only if the
        same event made it (:func:`_same_record`): one the backup made after its log parted
        from the replaced one, under the same reference, is another, and is left alone."""
        again = {made.ref for made in erasures if self._cancel_again(made, shared)}
        now = self.s.clock.now()
        m.set_secure_delete(self.s.store.conn, on=True)
        erased = []
        carried: set[tuple[str, str, tuple[int, str] | None]] = set()
        with self.s.store.write() as conn:
            for made in erasures:
                record = _held_now(conn, made.record, made.ref)
                if record is not None and not _same_record(conn, record, made, shared):
                    record = None
                if record is not None and record.fields:
                    booked = _still_booked(conn, record)
                    done = self._erase(
                        conn, record, made.case, True, now, made_by=made.made, again=True
                    )
                    cancelled = made.ref in again
                    erased.append(replace(done, still_booked=booked, cancelled_again=cancelled))
                elif (made.record, made.ref, made.made) not in carried:
                    _carry(conn, made, self.s, now)
                carried.add((made.record, made.ref, made.made))
        if erased:
            m.checkpoint_truncate(self.s.store.conn)
        return erased

    def _cancel_again(self, made: ErasureMade, shared: int | None) -> bool:
        """Cancel again, as the replaced database recorded it, a booking it cancelled and
        then forgot that the restored copy holds as still to come (``resident forget``
        erases no booking still to come: its slot would be held for nobody), dated when it
        recorded it (:meth:`_as_then`). Whether it was."""
        if made.record != "appointment" or made.cancelled_by not in ("council", "resident"):
            return False
        with self.s.store.read() as conn:
            record = _held_now(conn, made.record, made.ref)
            if record is None or not _still_booked(conn, record):
                return False
            if not _same_record(conn, record, made, shared):
                return False  # another booking under the same reference
        try:
            AppointmentService(self._as_then(made)).cancel(
                made.ref, made.cancelled_by, CANCELLED_AGAIN
            )
        except (InvalidInput, NotFound, RuleViolation):
            return False  # not cancelled as it was (its site gone): erased, named still booked
        return True

    def _as_then(self, made: ErasureMade) -> Session:
        """This session at the moment the replaced database recorded ``made``'s booking
        cancelled, when it is known (and not after now): the cancellation made again is dated
        then, with the notice given then, and the reports count it in that day's figures (dated
        at the restore, it counted in the restore's month). Else this session, at now."""
        if made.cancelled_at is None:
            return self.s
        now = self.s.clock.now()
        then = min(read_instant(made.cancelled_at), now)
        return replace(self.s, clock=FixedClock(then))

    def _erase(
        self,
        conn: sqlite3.Connection,
        record: Held,
        case: str | None,
        cancel_messages: bool,
        now: datetime,
        *,
        made_by: tuple[int, str] | None = None,
        again: bool = False,
    ) -> Erased:
        """Clear one record's personal fields and record it (``again``: an erasure made
        before a restore, re-applied to the restored database; ``made_by``: the event that
        made the record, as the erasure re-applied named it)."""
        cancelled = 0
        if cancel_messages:
            cancelled = subject.cancel_unsent(conn, record.kind, record.id, FORGOTTEN)
        to_come = record.kind == "visit" and subject.turn_texts_to_come(conn, record.id)
        _clear(conn, record, format_instant(now))
        data: dict[str, object] = {
            "record": record.kind,
            "ref": record.ref,
            "fields": record.fields,
        }
        if case is not None:
            data["case"] = case
        if cancelled:
            data["messages_cancelled"] = cancelled
        if again:
            data["reapplied_after_restore"] = True
            if made_by is not None:
                data["made"] = {"event": made_by[0], "sha256": made_by[1]}
        record_event(
            conn,
            self.s.site_ever(record.site_id),
            now,
            EventKind.RESIDENT_ERASED,
            self.s.actor,
            data=data,
            appointment_id=record.id if record.kind == "appointment" else None,
            visit_id=record.id if record.kind == "visit" else None,
        )
        made = subject.made_at_event(conn, record.kind, record.id)
        not_texted = record.what if to_come else None
        return Erased(record.kind, record.ref, tuple(record.fields), cancelled, not_texted, made)

    def _held(self, conn: sqlite3.Connection, text: str) -> Held:
        """The record a reference names, with what it holds now."""
        value = text.strip()
        if value.lower().startswith(subject.VISIT_PREFIX):
            held = _held_now(conn, "visit", value)
            if held is None:
                raise NotFound(f"no visit {shown(text)!r}", cli_hint="see `oss-desk resident find`")
            return held
        with contextlib.suppress(InvalidInput):
            followup_ref = parse_followup_ref(value)
            if isinstance(followup_ref, str):
                followup = subject.followup_held(conn, followup_ref)
                if followup is None:
                    raise NotFound(f"no follow-up {followup_ref}")
                return followup
        try:
            ref = parse_reference(value)
        except InvalidInput:
            raise InvalidInput(
                f"{shown(text)!r} is not a record's reference: a booking (K7M-3QX), a follow-up "
                "(CB-0001, R-0001, OTR-0001) or a visit (visit-123), as `resident find` says"
            ) from None
        appointment = a.get_appointment(conn, ref=ref)
        if appointment is None:
            raise NotFound(f"no booking {ref}")
        found = subject.appointment_held(conn, appointment.id)
        assert found is not None  # the booking exists
        return found

    def _refuse_if_needed(
        self, conn: sqlite3.Connection, record: Held, cancel_messages: bool
    ) -> None:
        if record.kind == "appointment":
            appointment = a.get_appointment(conn, id=record.id)
            assert appointment is not None
            if _still_booked(conn, record):
                site = self.s.site_ever(record.site_id)
                today = date.fromisoformat(self.s.today(site))
                day = day_said(date.fromisoformat(record.day), today)
                raise RuleViolation(
                    f"{record.ref} is still {appointment.status.value.replace('_', ' ')} for "
                    f"{day}: its resident needs its details until it is over; cancel it "
                    "first",
                    cli_hint=f"oss-desk appointment cancel {record.ref} --by resident",
                )
        if record.kind == "followup" and record.open:
            close = (
                f"oss-desk followup done {record.ref}"
                if record.what in ("ringback", "referral")
                else f"oss-desk followup respond {record.ref} ..."
            )
            raise RuleViolation(
                f"{record.ref} is still open and its work needs the resident's details: close it "
                f"first ({close}), then forget it"
            )
        waiting = subject.unsent(conn, record.kind, record.id)
        sending = [what for what, status, _ in waiting if status == "sending"]
        if sending:
            raise RuleViolation(
                f"{record.ref}: its {sending[0]} is being sent now: try again in a minute"
            )
        if waiting and (record.kind == "followup" or not cancel_messages):
            what, _, due = waiting[0]
            raise RuleViolation(self._still_to_send(record, what, parse_instant(due)))
        to_come = record.kind == "visit" and subject.turn_texts_to_come(conn, record.id)
        if to_come and not cancel_messages:
            code = record.what
            raise RuleViolation(
                f'{record.ref}: {code} is still in the queue and its turn texts ("nearly your '
                'turn", "please go to") need the resident\'s mobile until they are served: '
                f"forget it once {code} is served, or cancel them now and they will never come",
                cli_hint="--cancel-messages",
            )

    def _still_to_send(self, record: Held, what: str, due: datetime) -> str:
        """Why a record whose message is still to go is not forgotten, and when it goes. A
        resident asking to be forgotten is first offered ``--cancel-messages`` (a message
        not due yet would hold their details until it went); a referral's reference, which
        cannot be cancelled so, goes first."""
        site = self.s.site_ever(record.site_id)
        today = date.fromisoformat(self.s.today(site))
        cancel = "add --cancel-messages to cancel it unsent (it will never come)"
        if due > self.s.clock.now():
            when = when_said(due, site.timezone, today)
            said = (
                f"{record.ref}: its {what} goes {when} and needs the resident's details till then"
            )
            if record.kind == "followup":
                return f"{said}: forget it once it has gone"
            return f"{said}: {cancel}, or forget it once it has gone"
        said = f"{record.ref}: its {what} is due now and needs the resident's details until it goes"
        send = "let the device worker send it (oss-desk worker --once sends what is due)"
        if record.kind == "followup":
            return f"{said}: {send}, then forget it"
        return f"{said}: {cancel}, or {send}, then forget it"


def _held_now(conn: sqlite3.Connection, kind: str, ref: str) -> Held | None:
    """The record of this kind and reference (as an erasure's event names it), with what it
    holds now; None: no such record."""
    if kind == "visit":
        number = ref[len(subject.VISIT_PREFIX) :]
        return subject.visit_held(conn, int(number)) if number.isdigit() else None
    if kind == "followup":
        return subject.followup_held(conn, ref)
    appointment = a.get_appointment(conn, ref=ref)
    return subject.appointment_held(conn, appointment.id) if appointment is not None else None


def _same_record(
    conn: sqlite3.Connection, record: Held, made: ErasureMade, shared: int | None
) -> bool:
    """``record`` (of the restored copy) is the one ``made`` erased: made by the same event
    (same id, same hash: the logs are the same up to it). Of an erasure whose record's making
    is not known: made no later than ``shared``, the last event the two logs share (None: the
    backup holds the replaced log whole up to its events)."""
    if made.made is not None:
        return subject.made_by(conn, record.kind, record.id) == made.made
    if shared is None:
        return True
    at = subject.made_at_event(conn, record.kind, record.id)
    return at is not None and at <= shared


def _carry(conn: sqlite3.Connection, made: ErasureMade, s: Session, now: datetime) -> None:
    """Record in the restored copy an erasure it needed nothing of (it does not hold the
    record, or holds nothing of its resident, or another record under its reference): which
    record, by the event that made it, so a later restore of a backup that holds it erases it
    again."""
    data: dict[str, object] = {"record": made.record, "ref": made.ref, "fields": []}
    if made.case is not None:
        data["case"] = made.case
    data["reapplied_after_restore"] = True
    if made.made is not None:
        data["made"] = {"event": made.made[0], "sha256": made.made[1]}
    record_event(conn, None, now, EventKind.RESIDENT_ERASED, s.actor, data=data)


def _refuse_details_in(case: str | None, record: Held) -> None:
    """Refuse a case reference holding the name, email or phone of a record being erased: the
    event log would keep for good what the erasure clears."""
    what = case and details_in(case, name=record.name, email=record.email, phone=record.phone)
    if what:
        raise InvalidInput(
            f"the reason given names the resident of {record.ref} (their {what}): {KEPT_FOR_GOOD}"
        )


def _clear(conn: sqlite3.Connection, record: Held, stamp: str) -> None:
    """The record's personal fields cleared by the purge's own statements."""
    args = {"id": record.id, "now": stamp}
    if record.kind == "appointment":
        subject.clear(conn, "contacts", "SELECT :id", args, dry_run=False)
        subject.clear(conn, "cancel_reasons", "SELECT :id", args, dry_run=False)
    elif record.kind == "followup":
        subject.clear(conn, "followup_details", "SELECT :id", args, dry_run=False)
        subject.clear(conn, "officers", "SELECT :id", args, dry_run=False)
    else:
        why = "the number was deleted on the resident's request"
        subject.delete_turn_phones(conn, "SELECT :id", args, why, dry_run=False)
        subject.clear_feedback_numbers(conn, "SELECT :id", args, why, dry_run=False)
        notes = "SELECT id FROM visit_notes WHERE visit_id = :id"
        subject.clear(conn, "notes", notes, args, dry_run=False)
        subject.clear(conn, "comments", "SELECT :id", args, dry_run=False)


def _still_booked(conn: sqlite3.Connection, record: Held) -> bool:
    """``record`` is a booking still to come or checked in (``resident forget`` refuses one:
    see :meth:`SubjectAccessService._refuse_if_needed`)."""
    if record.kind != "appointment":
        return False
    appointment = a.get_appointment(conn, id=record.id)
    return appointment is not None and appointment.status in (
        AppointmentStatus.BOOKED,
        AppointmentStatus.CHECKED_IN,
    )
