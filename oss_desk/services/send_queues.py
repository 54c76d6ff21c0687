"""What the two send queues without an owner (turn texts and referral messages,
:mod:`oss_desk.storage.sending`) share around a try through GOV.UK Notify: the moment its request
is handed over is committed before it goes, and kept until a try ends with a sure answer. So a
row a stopped worker left before its request went is sent again at once, and only one that may
have reached Notify waits to be looked up (:func:`oss_desk.domain.sending.look_up_wait`). And
the look-up that settles a message no longer wanted after such a try (:func:`looked_up`), for
these queues and appointment messages alike."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from oss_desk.clock import format_instant
from oss_desk.domain.sending import SendResult, after_look_up
from oss_desk.services.senders import NotifySender, SendFault
from oss_desk.services.session import Session
from oss_desk.storage.sending import hand_over, settle


class HandOver:
    """What the sender calls just before the request goes: from then on the provider may have
    it. ``at``: when, once committed (the stamp a note of the send names:
    :mod:`oss_desk.storage.accepted_notes`)."""

    def __init__(
        self, session: Session, queue: str, row_id: int, sent_as: str | None = None
    ) -> None:
        self.session, self.queue, self.row_id = session, queue, row_id
        self.sent_as = sent_as
        self.at: str | None = None

    def __call__(self) -> None:
        stamp = format_instant(self.session.clock.now())
        with self.session.store.write() as conn:
            hand_over(conn, self.queue, self.row_id, stamp, self.sent_as)
        self.at = stamp


def handed_over(session: Session, queue: str, row_id: int, sent_as: str | None = None) -> HandOver:
    """What the sender calls just before the request goes (:class:`HandOver`); ``sent_as``: an
    email's Message-ID, kept on its row from then on."""
    return HandOver(session, queue, row_id, sent_as)


def settle_try(
    conn: sqlite3.Connection,
    queue: str,
    row_id: int,
    result: SendResult,
    now: datetime,
    *,
    may_have_left: bool = False,
    error_chars: int | None = None,
) -> None:
    """Record how the try went (:func:`oss_desk.storage.sending.settle`). Not sent, and not
    ``may_have_left`` (the try had a sure answer: Notify does not have it), it is no longer
    counted as handed over."""
    settle(conn, queue, row_id, result, now, error_chars=error_chars)
    if not may_have_left and result.status in ("pending", "failed"):
        hand_over(conn, queue, row_id, None)


def looked_up(notify: NotifySender, reference: str, status: str, reason: str) -> SendResult:
    """A message ``status`` (``cancelled``: no longer wanted; ``failed``: past its deadline) for
    ``reason`` after a try that may have reached Notify: Notify is asked for its ``reference``
    (:func:`oss_desk.domain.sending.after_look_up`)."""
    try:
        found = notify.lookup(reference)
    except SendFault as fault:
        return after_look_up(status, reason, None, fault.reason)
    return after_look_up(status, reason, found)
