"""What becomes of an appointment's message that has not gone: the one rule
(:func:`oss_desk.domain.appointments.message_fate`) asked by the worker when the message's turn
comes and by a change to the booking (moved, cancelled, a no-show, checked in) as it is made.

A message that was due and never delivered has failed (its alert stays until someone
acknowledges it), whatever happened to the booking after its deadline; one the booking no longer
needs is not sent, and says why. After a try that may have reached the resident neither is said
on a guess: an email may have been sent; a message through Notify is looked up first, when the
worker's turn for it comes after the look-up wait (:func:`oss_desk.domain.sending.dropped_unsure`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.appointments import TOLD_KINDS, Appointment, message_fate, reminder_wait
from oss_desk.domain.message_delivery import (
    message_deadline,
)
from oss_desk.domain.models import Actor, EventKind
from oss_desk.domain.sending import LOOK_UP_FIRST, dropped_unsure
from oss_desk.domain.slip_paper import STILL_TRUE, stale_slip
from oss_desk.services.events import record_event
from oss_desk.services.session import Session
from oss_desk.storage import appointments as ap
from oss_desk.storage.print_state import settle_slip_questions, settle_slips


def deadline_of(session: Session, message: ap.Message, appt: Appointment) -> datetime:
    """When ``message`` of ``appt`` (as the booking was when it was queued) stops mattering."""
    settings = session.settings.messages
    return message_deadline(
        message.kind,
        read_instant(message.created_at),
        appt.starts_at,
        notice_hours=settings.notice_hours,
        reminder_until_minutes=settings.reminder_until_minutes,
    )


def fate_of(
    session: Session, message: ap.Message, appt: Appointment, now: datetime, deadline: datetime
) -> tuple[str, str] | None:
    """None: send it; else the status it is settled with (``failed``, ``cancelled``) and why."""
    told = None
    if message.kind == "reminder":  # covered by a confirmation that went out after it was due?
        conn = session.store.conn
        told = ap.told_at(conn, appt.id, message.for_version, message.channel, TOLD_KINDS)
    return message_fate(
        message.kind,
        message.for_version,
        appt,
        deadline,
        now,
        notice_hours=session.settings.messages.notice_hours,
        last_error=message.last_error,
        due=read_instant(message.due_at),
        told_at=told,
    )


def held_until(
    session: Session, message: ap.Message, appt: Appointment, now: datetime
) -> datetime | None:
    """When a reminder due ``now`` is tried instead, while its confirmation (or change notice)
    is still being tried (:func:`oss_desk.domain.appointments.reminder_wait`); None: send it."""
    if message.kind != "reminder":
        return None
    conn = session.store.conn
    telling = ap.telling_next(conn, appt.id, message.for_version, message.channel, TOLD_KINDS)
    return reminder_wait(telling, now)


def record_settled(
    conn: sqlite3.Connection,
    session: Session,
    appt: Appointment,
    message: ap.Message,
    now: datetime,
    *,
    sent: bool,
    reason: str | None,
) -> None:
    """The event log's line for a message sent or failed for good."""
    record_event(
        conn,
        session.site_ever(appt.site_id),  # one that left the configuration too
        now,
        EventKind.MESSAGE_SENT if sent else EventKind.MESSAGE_FAILED,
        Actor("worker"),
        service_code=appt.service,
        appointment_id=appt.id,
        data={
            "kind": message.kind,
            "channel": message.channel,
            "via": message.via,
            **({"reason": reason} if reason and not sent else {}),
        },
    )


class Settled(NamedTuple):
    """What a change to a booking settled as it was made."""

    failed: int
    """Its messages that failed (their deadline had passed)."""
    slips: list[int]
    """The print jobs of its slips settled unprinted (their paper no longer held)."""


def settle_on_change(
    conn: sqlite3.Connection,
    session: Session,
    before: Appointment,
    after: Appointment,
    kinds: Iterable[str],
    now: datetime,
) -> Settled:
    """The booking changed from ``before`` to ``after`` at ``now`` (in ``conn``'s transaction):
    its messages of ``kinds`` still waiting are no longer needed, or, past their deadline
    already, have failed (the worker was down, or could not deliver them in time); a slip of
    it still queued that no longer holds is settled unprinted (:func:`stale_slip`), and, the
    booking over, nobody is asked any more to print its slip again."""
    slips: list[int] = []
    if (stale := stale_slip(before, after)) is not None:  # its paper says what no longer holds
        slips = settle_slips(conn, before.ref, stale)
    if after.status not in STILL_TRUE:  # nor is anyone asked to print it again
        settle_slip_questions(conn, before.ref, format_instant(now))
    failed = 0
    for message in ap.unsent_messages(conn, before.id, kinds):
        fate = fate_of(session, message, after, now, deadline_of(session, message, before))
        if fate is None:
            continue
        status, why = fate
        if message.unconfirmed:  # an earlier try may have reached the resident
            known = dropped_unsure(status, why, message.via)
            if known is None:  # Notify is asked first, when the worker's turn comes
                continue
            status, why = known.status, known.error or why
        if ap.settle_unsent(conn, message.id, status, why) and status == "failed":
            record_settled(conn, session, after, message, now, sent=False, reason=why)
            failed += 1
    return Settled(failed, slips)


def awaiting_look_up(
    session: Session, message: ap.Message, appt: Appointment, now: datetime
) -> str | None:
    """What ``appointment show`` says of a message still pending that is no longer needed (or
    past its deadline) after a try that may have reached Notify: it is not sent again, it
    waits for its look-up (None: not such a message)."""
    if message.status != "pending" or not message.unconfirmed or message.via != "notify":
        return None
    fate = fate_of(session, message, appt, now, deadline_of(session, message, appt))
    if fate is None:
        return None
    status, why = fate
    state = "no longer needed" if status == "cancelled" else "not delivered in time"
    return f"{state} ({why}); {LOOK_UP_FIRST}"
