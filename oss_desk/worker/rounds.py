"""The worker's rounds that are not a device's lane (referral messages, "nearly your turn"
texts, and the housekeeping steps: appointments' no-shows, close of day, the daily rollup, the
retention purge): each runs in its own guard, so one step's fault never starves the others.
A fault is logged, never fatal: an expected one (a refusal, the database busy) in one line, an
unexpected one (a bug) with a fault report for the developers, written once per step and
place in this process; a database file replaced or removed under the worker stops it whole
(:meth:`oss_desk.worker.run.DeviceWorker._gone`)."""

from __future__ import annotations

import logging
import sqlite3
import traceback
from collections.abc import Callable
from typing import TypeVar

from oss_desk.domain.models import Actor
from oss_desk.errors import DatabaseGone, OssDeskError
from oss_desk.logs import write_fault_report
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.dbops import RetentionService
from oss_desk.services.followup_messages import FollowupMessageDelivery, Sent
from oss_desk.services.queue.day_end import close_due
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session
from oss_desk.services.turn_texts import TextReport, TurnTexts

log = logging.getLogger("oss_desk.worker")

T = TypeVar("T")

_reported: set[tuple[str, str]] = set()
"""(what was not done, where the fault arose) already written to a fault report."""


def never_fatal(what: str, default: T, work: Callable[[], T]) -> T:
    """``work()``; a fault is logged (``what``: what was not done) and ``default`` returned."""
    try:
        return work()
    except DatabaseGone:
        raise  # the whole worker stops (DeviceWorker._gone)
    except (OssDeskError, sqlite3.Error) as exc:
        log.warning("%s: %s", what, exc)
        return default
    except Exception as exc:  # a bug: the next step and the next round run all the same
        log.error("%s: internal error (%s)%s", what, type(exc).__name__, _fault_report(what, exc))
        return default


def _fault_report(what: str, exc: Exception) -> str:
    """ "; details in FILE": the fault report, written once per step and place (the log line
    is said every round; the file would otherwise be written again every minute)."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f"{type(exc).__name__} {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    if (what, place) in _reported:
        return " (reported before)"
    _reported.add((what, place))
    where = write_fault_report(exc, "worker")
    return f"; details in {where}" if where else ""


def no_shows(session: Session) -> int:
    """Appointments not checked in by the end of their grace minutes become no-shows."""
    return never_fatal(
        "appointments' no-shows not marked now",
        0,
        lambda: len(AppointmentService(session, Actor("worker")).auto_no_show()),
    )


def purge(session: Session) -> None:
    """The retention purge (personal data past its keeping time)."""
    never_fatal(
        "personal data past its keeping time not purged now",
        None,
        lambda: RetentionService(session, Actor("worker")).purge(),
    )


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
