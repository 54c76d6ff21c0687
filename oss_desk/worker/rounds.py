"""The worker's rounds that are not a device's lane (referral messages, "nearly your turn"
texts, and the housekeeping steps: appointments' no-shows, close of day, the daily rollup, the
retention purge): each runs in its own guard (:class:`Steps`), so one step's fault never
starves the others. A fault is logged, never fatal: an expected one (a refusal, the database
busy) in one line, an unexpected one (a bug) with a fault report for the developers, written
once per step and place in this process; the step then pauses before it is tried again, and
says a fault that lasts only now and then. A database file replaced or removed under the
worker stops it whole (:meth:`oss_desk.worker.run.DeviceWorker._gone`)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from oss_desk.domain.models import Actor, EventKind
from oss_desk.domain.sending import SendTally
from oss_desk.errors import DatabaseGone, OssDeskError
from oss_desk.logs import write_fault_report
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.followup_messages import FollowupMessageDelivery, Sent
from oss_desk.services.queue.day_end import close_due
from oss_desk.services.reports import ReportService
from oss_desk.services.retention import RetentionService
from oss_desk.services.session import Session
from oss_desk.services.turn_texts import TextReport, TurnTexts, texts_possible
from oss_desk.storage.changes import Changes
from oss_desk.storage.faults import describe_sqlite_error
from oss_desk.storage.resident import next_turn_text_due, phone_visits
from oss_desk.worker.print_counts import PrintCounts

log = logging.getLogger("oss_desk.worker")

T = TypeVar("T")

_reported: set[tuple[str, str]] = set()
"""(what was not done, where the fault arose) already written to a fault report."""

NO_SHOWS = "appointments' no-shows not marked now"
REFERRALS = "referral messages not sent now"
TURN_TEXTS = "turn texts not sent now"
PRINTING = "print jobs not delivered now"
PRINTERS = "printers not asked how they are now"
BOARD = "the board not updated now"
MESSAGES_STEP = "appointment messages not sent now"
REPORT_EMAILS = "report emails not sent now"
FEEDBACK_TEXTS = "follow-up texts not sent now"
CONFIGURATION = "the configuration not reread now"
DUE_NOT_READ = "the next message's due time not read now"
TEXTS_WANTED = "whether turn texts are needed not checked now"
"""What is not done when the step fails (the start of its log line, and of ``worker --once``'s
"Failed:" line): the steps' names, each naming what it leaves undone as ``worker --once``'s
summary names it ("turn texts sent failed; ... Failed: turn texts not sent now")."""
UNKNOWN_AFTER: dict[str, tuple[str, ...]] = {
    PRINTING: ("printed", "sent", "retried", "uncertain", "failed"),
    PRINTERS: ("printers",),
    BOARD: ("board_frames",),
    MESSAGES_STEP: ("messages_sent", "messages_retried", "messages_failed"),
    REFERRALS: ("messages_sent", "messages_retried", "messages_failed"),
    NO_SHOWS: ("no_shows",),
    TURN_TEXTS: ("turn_texts_sent",),
    REPORT_EMAILS: ("report_emails_sent", "report_emails_failed"),
    FEEDBACK_TEXTS: ("feedback_texts_sent",),
}
"""A step of ``worker --once`` (what is not done when it fails) -> the counts it leaves unknown."""


@dataclass
class WorkerReport(PrintCounts):
    board_frames: int = 0
    printers: dict[str, str] = field(default_factory=dict)
    messages_sent: int = 0
    messages_retried: int = 0  # not sent this time, to be tried again (the log says why)
    messages_failed: int = 0
    no_shows: int = 0
    recovered: int = 0
    turn_texts_sent: int = 0
    report_emails_sent: int = 0
    report_emails_failed: int = 0
    """Report emails given up on this pass (failed for good: an alert until acknowledged)."""
    feedback_texts_sent: int = 0
    steps_failed: dict[str, OssDeskError | None] = field(default_factory=dict)
    """The steps that failed (what was not done), with the expected fault (None: a bug)."""

    def count_report_emails(self, sent: SendTally) -> None:
        """Adds a round's (or a take-over's) report emails: sent, and failed for good."""
        self.report_emails_sent += sent.sent
        self.report_emails_failed += sent.failed

    def count_messages(self, sent: SendTally) -> None:
        """Adds a round's (or a take-over's) appointment or referral messages."""
        self.messages_sent += sent.sent
        self.messages_retried += sent.retried
        self.messages_failed += sent.failed

    @property
    def unknown(self) -> set[str]:
        """The counts a failed step leaves unknown (the report's field names)."""
        return {name for what in self.steps_failed for name in UNKNOWN_AFTER.get(what, ())}


FIRST_PAUSE = 2.0
"""After a step's fault, it is not tried again for this long (then twice as long, each time)."""
LONGEST_PAUSE = 60.0
STILL_FAILING_EVERY = 900.0
"""A step that keeps failing with the same fault says so again (with a count) this often."""


@dataclass
class _Fault:
    """A step failing: with what (its log line's text), since when, how often; its pause."""

    said: str
    since: float  # wall time (time.time())
    times: int = 1
    pause: float = FIRST_PAUSE
    retry_at: float = 0.0  # time.monotonic()
    said_at: float = 0.0  # time.monotonic()


class Steps:
    """One thread's steps, each never fatal: a fault is logged (``what``: what was not done)
    and the step's default returned. A failing step waits before it is tried again (2 s, then
    twice as long each time, up to a minute), so that a fault with its work still due (a
    message that makes the lane fail) is not retried every poll; and a fault is said once,
    then every quarter of an hour as a count ("still failing, 41 times since 09:12"), never
    every try. The thread's other steps carry on meanwhile."""

    def __init__(self) -> None:
        self._faults: dict[str, _Fault] = {}
        self.failed: dict[str, OssDeskError | None] = {}
        """The steps that failed (``what``), with the expected fault (None: a bug)."""

    def run(self, what: str, default: T, work: Callable[[], T]) -> T:
        fault = self._faults.get(what)
        if fault is not None and time.monotonic() < fault.retry_at:
            return default  # pausing after a fault
        try:
            result = work()
        except DatabaseGone:
            raise  # the whole worker stops (DeviceWorker._gone)
        except (OssDeskError, sqlite3.Error) as exc:
            expected = exc if isinstance(exc, OssDeskError) else describe_sqlite_error(exc)
            self.failed[what] = expected
            self._failing(what, str(exc), expected, bug=False)
            return default
        except Exception as exc:  # a bug: the thread's next step and next round run all the same
            self.failed[what] = None
            said = f"internal error ({type(exc).__name__})"
            self._failing(what, said, exc, bug=True)
            return default
        if fault is not None:
            del self._faults[what]
            log.info("%s: working again (failed %s)", what, _count(fault))
        return result

    def pause(self) -> float:
        """Seconds until a failing step may be tried again (0: none is waiting)."""
        now = time.monotonic()
        return max((f.retry_at - now for f in self._faults.values()), default=0.0)

    def _failing(self, what: str, said: str, exc: Exception, *, bug: bool) -> None:
        now = time.monotonic()
        fault = self._faults.get(what)
        if fault is None or fault.said != said:  # a new fault: said now
            fault = self._faults[what] = _Fault(said, since=time.time(), pause=FIRST_PAUSE)
            details = _fault_report(what, exc) if bug else ""
            (log.error if bug else log.warning)("%s: %s%s", what, said, details)
            fault.said_at = now
        else:
            fault.times += 1
            fault.pause = min(fault.pause * 2, LONGEST_PAUSE)
            if now - fault.said_at >= STILL_FAILING_EVERY:
                (log.error if bug else log.warning)(
                    "%s: %s: still failing, %s", what, said, _count(fault)
                )
                fault.said_at = now
        fault.retry_at = now + fault.pause


def _count(fault: _Fault) -> str:
    """ "41 times since 09:12" (since Sat 5 Dec 09:12 on an earlier day; host time)."""
    since, today = time.localtime(fault.since), time.localtime()
    same_day = since[:3] == today[:3]
    day = (
        ""
        if same_day
        else time.strftime("%a ", since) + f"{since.tm_mday} " + time.strftime("%b ", since)
    )
    times = "once" if fault.times == 1 else f"{fault.times} times"
    return f"{times} since {day}{time.strftime('%H:%M', since)}"


def _fault_report(what: str, exc: Exception) -> str:
    """ "; details in FILE": the fault report, written once per step and place in this process
    (a fault said again after it cleared would otherwise write another file each time)."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f"{type(exc).__name__} {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    if (what, place) in _reported:
        return " (reported before)"
    _reported.add((what, place))
    where = write_fault_report(exc, "worker")
    return f"; details in {where}" if where else ""


def no_shows(
    session: Session, steps: Steps | None = None, report: WorkerReport | None = None
) -> int:
    """Appointments not checked in by the end of their grace minutes become no-shows; their
    messages not sent in time fail (counted in ``report``'s failed messages)."""

    def work() -> int:
        service = AppointmentService(session, Actor("worker"))
        marked = len(service.auto_no_show())
        if report is not None:
            report.messages_failed += service.messages_failed
        return marked

    return (steps or Steps()).run(NO_SHOWS, 0, work)


def purge(session: Session, steps: Steps | None = None) -> None:
    """The retention purge (personal data past its keeping time)."""
    (steps or Steps()).run(
        "personal data past its keeping time not purged now",
        None,
        lambda: RetentionService(session, Actor("worker")).purge(),
    )


def referral_messages(
    session: Session, steps: Steps | None = None, stop: threading.Event | None = None
) -> Sent:
    """Referral references by email or text, sent and retried like appointment messages
    (``stop``: the running worker's, until which an outcome not written yet is kept)."""
    # Built inside the guard too (its senders come from the settings), as every round's work.
    return (steps or Steps()).run(
        REFERRALS,
        Sent(),
        lambda: FollowupMessageDelivery(session, stop=stop).deliver_due(),
    )


def turn_texts(
    session: Session, steps: Steps | None = None, stop: threading.Event | None = None
) -> TextReport:
    """\"Nearly your turn\" texts: queue what the queue now calls for, send what is due
    (``stop``: the running worker's, until which an outcome not written yet is kept)."""

    def work() -> TextReport:
        texts = TurnTexts(session, Actor("worker"), stop)
        texts.queue_due()
        return texts.deliver_due()

    return (steps or Steps()).run(TURN_TEXTS, TextReport(), work)


TEXT_EVENTS = frozenset({EventKind.PHONE_GIVEN.value, EventKind.CONFIG_LOADED.value})
"""The changes that can make a text needed while none is: a number given, settings loaded."""


class TurnTextsLane:
    """When the \"nearly your turn\" texts' thread looks: when a text comes due, and after a
    change that can need one. In an office that sends no texts, or while no number was given
    today, only a number given or a configuration loaded can: the thread sleeps through every
    other change (each woke it before: 0.7 ms of processor time and a write transaction a
    ticket, in an office that sends no texts)."""

    def __init__(self, stop: threading.Event | None = None) -> None:
        self.stop = stop
        """The running worker's stop (:func:`turn_texts`)."""
        self.listening = threading.Event()
        self.listening.set()  # until its first round has looked

    def wants(self, changes: Changes) -> bool:
        return self.listening.is_set() or any(e.kind in TEXT_EVENTS for e in changes.events)

    def round(self, session: Session, steps: Steps) -> None:
        listening = steps.run(TEXTS_WANTED, True, lambda: _texts_wanted(session))
        (self.listening.set if listening else self.listening.clear)()
        conn = session.store.conn
        if listening or steps.run(DUE_NOT_READ, None, lambda: next_turn_text_due(conn)):
            turn_texts(session, steps, self.stop)


def _texts_wanted(session: Session) -> bool:
    """The office sends texts (its configuration read again if one was loaded since) and a
    number was given today at one of its sites."""
    session.refresh_directory()
    if not texts_possible(session):
        return False
    with session.store.read() as conn:
        return any(
            phone_visits(conn, site.id, session.today(site))
            for site in session.directory.sites.values()
        )


def close_day(session: Session, steps: Steps | None = None) -> int:
    """Close the days that are over (tickets left waiting or called at closing time), so the
    queue is empty the morning after whether or not anyone acted after closing."""

    def work() -> int:
        return len(close_due(session, Actor("worker")))

    return (steps or Steps()).run("the day's tickets not closed now", 0, work)


def fill_rollup(session: Session, steps: Steps | None = None) -> None:
    """Store the days that ended since the last report in the daily rollup (so that the next
    monthly report reads them instead of counting them)."""
    (steps or Steps()).run(
        "daily rollup not filled",
        None,
        lambda: ReportService(session, Actor("worker")).fill_rollup(),
    )


def day_end(
    session: Session, steps: Steps | None = None, report: WorkerReport | None = None
) -> int:
    """The day's end steps, in the one order every worker runs them (the running worker's
    housekeeping and ``worker --once``), before anything is delivered: appointments past their
    grace become no-shows, then the days that are over close, so a pass after closing time
    never prints or sends for a ticket the same pass then closes. Returns the no-shows."""
    marked = no_shows(session, steps, report)
    close_day(session, steps)
    return marked
