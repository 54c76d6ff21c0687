"""The worker's rounds that are not a device's lane (referral messages, "nearly your turn"
texts, close of day, the daily rollup): each one's fault is logged, never fatal, except a
database file replaced or removed under the worker, which stops it whole
(:meth:`oss_desk.worker.run.DeviceWorker._gone`)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from oss_desk.domain.models import Actor
from oss_desk.errors import DatabaseGone, OssDeskError
from oss_desk.services.followup_messages import FollowupMessageDelivery, Sent
from oss_desk.services.queue.day_end import close_due
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session
from oss_desk.services.turn_texts import TextReport, TurnTexts

log = logging.getLogger("oss_desk.worker")

T = TypeVar("T")


def never_fatal(what: str, default: T, work: Callable[[], T]) -> T:
    """``work()``; a fault is logged (``what``: what was not done) and ``default`` returned."""
    try:
        return work()
    except DatabaseGone:
        raise  # the whole worker stops (DeviceWorker._gone)
    except (OssDeskError, sqlite3.Error) as exc:
        log.warning("%s: %s", what, exc)
        return default


def referral_messages(session: Session) -> Sent:
    """Referral references by email or text, sent and retried like appointment messages."""
    # Built inside the guard too (its senders come from the settings), as every round's work.
    return never_fatal(
        "referral messages not sent now",
        Sent(),
        lambda: FollowupMessageDelivery(session).deliver_due(),
    )


def turn_texts(session: Session) -> TextReport:
    """\"Nearly your turn\" texts: queue what the queue now calls for, send what is due."""

    def work() -> TextReport:
        texts = TurnTexts(session, Actor("worker"))
        texts.queue_due()
        return texts.deliver_due()

    return never_fatal("texts to residents not sent now", TextReport(), work)


def close_day(session: Session) -> int:
    """Close the days that are over (tickets left waiting or called at closing time), so the
    queue is empty the morning after whether or not anyone acted after closing."""

    def work() -> int:
        return len(close_due(session, Actor("worker")))

    return never_fatal("the day's tickets not closed now", 0, work)


def fill_rollup(session: Session) -> None:
    """Store the days that ended since the last report in the daily rollup (so that the next
    monthly report reads them instead of counting them)."""
    never_fatal(
        "daily rollup not filled",
        None,
        lambda: ReportService(session, Actor("worker")).fill_rollup(),
    )
