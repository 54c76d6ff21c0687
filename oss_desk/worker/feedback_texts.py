"""Delivering the follow-up texts asking residents how their visit went (``feedback_texts``),
through GOV.UK Notify, in the one life of :mod:`oss_desk.worker.leased`.

Queued when a visit finishes (with the resident's consent), due ``feedback.text_delay_minutes``
later within the sending hours. Just before sending it is checked again: a visit rated meanwhile
(at the desk or on the tablet), or a number deleted, sends nothing. "Sent" only when Notify
accepted it; retried with the message backoff through an outage for ``messages.notice_hours``;
a try that may have reached Notify (a timeout, a worker killed while waiting) is looked up by
its reference, after the look-up wait (:func:`oss_desk.domain.sending.look_up_wait`), before
any further send, and sent again only when Notify does not have it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from oss_desk.clock import read_instant
from oss_desk.domain.models import Actor, EventKind
from oss_desk.domain.sending import SendResult
from oss_desk.services.events import record_event
from oss_desk.services.feedback_texts import FeedbackTexts
from oss_desk.storage import feedback_texts as ft
from oss_desk.storage.outbox import FEEDBACK_TEXTS
from oss_desk.storage.ratings import has_rating
from oss_desk.worker.leased import LeasedDelivery


class FeedbackTextDelivery(LeasedDelivery[ft.FeedbackText]):
    box = FEEDBACK_TEXTS
    lease_seconds = 5 * 60
    LANE = "notify"
    WHAT = "follow-up text"
    LIMIT_UNCONFIRMED = False  # looked up by its reference before any further send

    _consent: ft.Consent | None = None
    """The consent of the text claimed last (read by :meth:`unwanted`)."""

    def row(self, claimed: dict[str, Any]) -> ft.FeedbackText:
        return ft.FeedbackText.of(claimed)

    def deadline(self, item: ft.FeedbackText) -> datetime:
        settings = self.s.settings
        delay = settings.feedback.text_delay_minutes
        # Queued at the finish; due at most a night later: then retried for notice_hours.
        late = timedelta(minutes=delay, hours=24 + settings.messages.notice_hours)
        return read_instant(item.created_at) + late

    def unwanted(self, item: ft.FeedbackText) -> str | None:
        with self.s.store.read() as conn:
            self._consent = ft.consent_of(conn, item.visit_id)
            rated = has_rating(conn, item.visit_id)
        if rated:
            return "rated already (at the desk or on the tablet)"
        if self._consent is None or self._consent.phone is None:
            return "no number (deleted)"
        if self._consent.site_id not in self.s.directory.sites:
            return "a visit of another office"
        return None

    def send(self, item: ft.FeedbackText, now: datetime, handed_over: Callable[[], None]) -> str:
        consent = self._consent
        assert consent is not None and consent.phone is not None
        # An earlier try that may have reached Notify (a timeout, a worker killed while
        # waiting) is looked up by its reference first, after the look-up wait: never twice.
        return self.senders.notify.send_once(
            "text",
            consent.phone,
            lambda: FeedbackTexts(self.s, Actor("worker")).compose(
                consent.site_id, item.visit_id, consent.business_day
            ),
            item.reference,
            tried=bool(item.unconfirmed) or item.attempts > 1,
            on_handover=handed_over,
        )

    def recorded(self, conn: sqlite3.Connection, item: ft.FeedbackText, result: SendResult) -> None:
        consent = ft.consent_of(conn, item.visit_id)
        if result.settled and consent is not None:
            record_event(
                conn,
                self.s.site_ever(consent.site_id),  # one that left the configuration too
                self.s.clock.now(),
                EventKind.FEEDBACK_TEXT_SENT if result.sent else EventKind.FEEDBACK_TEXT_FAILED,
                Actor("worker"),
                visit_id=item.visit_id,
                data={"reason": result.error} if result.error and not result.sent else None,
            )
