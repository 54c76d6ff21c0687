"""Queue a visit's follow-up text in the transaction that finishes it (the resident consented:
:mod:`oss_desk.services.feedback_texts`). Apart from that module so that finishing a visit needs
nothing of the rest."""

from __future__ import annotations

import secrets
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

from oss_desk.clock import format_instant
from oss_desk.domain.feedback_texts import text_due
from oss_desk.domain.models import Actor, Site, Ticket
from oss_desk.storage import feedback_texts as ft

if TYPE_CHECKING:
    from oss_desk.config import Settings


def queue_after_finish(
    conn: sqlite3.Connection, settings: Settings, site: Site, visit_id: int, now: datetime
) -> int:
    """In the transaction that finishes a visit: queue its follow-up text when the resident
    consented (nothing otherwise). Returns 1 when a text was queued."""
    feedback = settings.feedback
    due = text_due(
        now,
        site.timezone,
        delay_minutes=feedback.text_delay_minutes,
        earliest_hour=feedback.text_earliest_hour,
        latest_hour=feedback.text_latest_hour,
    )
    return ft.queue_text(
        conn,
        visit_id=visit_id,
        reference=f"oss-f-{secrets.token_hex(8)}",
        due=format_instant(due),
        now=format_instant(now),
    )


def consent_at_check_in(
    conn: sqlite3.Connection, site: Site, appointment_id: int, ticket: Ticket, actor: Actor
) -> bool:
    """In the check-in's transaction (by ``actor``, issuing ``ticket``): a booking that carries
    the consent gives the visit its consent (recorded as taken by whoever recorded it at
    booking). True when it did."""
    from oss_desk.domain.models import EventKind
    from oss_desk.services.events import record_event

    found = ft.booking_consent(conn, appointment_id)
    if found is None:
        return False
    phone, by = found
    now = ticket.issued_at
    ft.give_consent(conn, ticket, phone=phone, now=format_instant(now), by=by, source="appointment")
    data = {"source": "appointment", "booked_by": by}
    record_event(
        conn,
        site,
        now,
        EventKind.FEEDBACK_CONSENT_GIVEN,
        actor,
        desk_id=actor.desk_id,
        visit_id=ticket.visit_id,
        appointment_id=appointment_id,
        data=data,
    )
    return True


NOT_SET_UP = (
    "follow-up texts are not set up for this office (notify.api_key_file, notify.sms_template"
    " and screen.public_url for the answer link)"
)


def notify_sends_texts(settings: Settings) -> bool:
    """Texts can be sent (:func:`oss_desk.services.channels.texts_set_up`)."""
    from oss_desk.services.channels import texts_set_up

    return texts_set_up(settings)


def follow_ups_possible(settings: Settings) -> bool:
    """Texts can be sent and their link answered (the screen's public address)."""
    return notify_sends_texts(settings) and bool(settings.screen.public_url)


def check_follow_up(settings: Settings, phone: str | None) -> str:
    """The mobile number a follow-up text would go to, checked (InvalidInput: none, or not a
    mobile; RuleViolation: the office has not set the texts up)."""
    from oss_desk.domain.phones import normalise_mobile
    from oss_desk.errors import InvalidInput, RuleViolation

    if not phone:
        raise InvalidInput("a follow-up text needs the resident's mobile number")
    number = normalise_mobile(phone)
    if not follow_ups_possible(settings):
        raise RuleViolation(NOT_SET_UP)
    return number
