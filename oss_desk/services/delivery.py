"""What staff are told about delivery: who owns the devices, what each device last said, print
jobs that need an answer at their desk, and messages that are late or failed (the alerts).

The desks' status area, the team leader's screen, ``doctor``, ``report daily`` and ``oss-desk
alerts`` all read these, and the rules come from :mod:`oss_desk.domain.delivery`, so they agree.

A desk imports this module before its first frame (for its status line): the outbox, the queue
service and the message tables are imported by the functions that read them, when first called.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.access import Action
from oss_desk.domain.appointments import Appointment, untold_said
from oss_desk.domain.delivery import (
    NO_ANSWER_NEEDED,
    DeviceReading,
    PrintState,
    WorkerState,
    device_word,
    just_queued_word,
    needing_answer_words,
    print_state,
    shorter_words,
    ticket_print_word,
)
from oss_desk.domain.message_delivery import (
    AlertKind,
    TextsSaid,
    message_alert,
    message_deadline,
    turn_text_failed_said,
)
from oss_desk.domain.models import Actor, Ticket
from oss_desk.errors import NotFound, OssDeskError, RuleViolation
from oss_desk.services.device_owner import state_of
from oss_desk.services.session import Session
from oss_desk.storage.database import Store
from oss_desk.storage.devices import DeviceState
from oss_desk.storage.lease import read_heartbeat

if TYPE_CHECKING:
    from oss_desk.config_delivery import MessageSettings
    from oss_desk.storage import outbox as o


ATTENTION_HOURS = 12
"""How far back print jobs needing an answer are shown at their desk."""
ALERT_DAYS = 14
"""How far back undelivered messages are looked for."""


def worker_state(store: Store, real_now: datetime | None = None) -> WorkerState:
    """The owner of the devices as it is now: its lease (on this host) and heartbeat (real
    time, even under OSS_DESK_NOW)."""
    return state_of(read_heartbeat(store.conn), store.path, real_now)


def current_worker(session: Session) -> WorkerState:
    return worker_state(session.store)


def reading(state: DeviceState | None, real_now: datetime | None = None) -> DeviceReading | None:
    if state is None:
        return None
    now = real_now or datetime.now(UTC)
    age = max(0.0, (now - read_instant(state.checked_at)).total_seconds())
    return DeviceReading(state.status, state.detail, age)


@dataclass(frozen=True, slots=True)
class StatusPart:
    label: str
    text: str
    fault: bool = False
    short: str = ""
    """A shorter form for a narrow status bar (empty: the text)."""
    least: str = ""
    """The shortest form that still says it (empty: the short form)."""
    optional: bool = False
    """May be left out of a status bar too narrow for every part (never a device's state)."""

    @property
    def forms(self) -> tuple[str, str, str]:
        """Longest first: the text, the short form, the least."""
        short = self.short or self.text
        return self.text, short, self.least or short


def device_part(label: str, text: str, fault: bool) -> StatusPart:
    """A device's part of the status area, with its shorter forms."""
    short, least = shorter_words(text)
    return StatusPart(label, text, fault, short, least)


def printing_parts(
    *,
    worker: WorkerState,
    printer_url: str | None,
    printer: DeviceState | None,
    waiting: int,
    attention: list[o.JobNeedingAnswer],
) -> list[StatusPart]:
    """The printer's part of a desk's status area: its own state (only what a working owner of
    the devices said), the jobs waiting for it, and this desk's jobs that need an answer, summed
    up (the desk asks about each one, with its reason)."""
    parts: list[StatusPart] = []
    if printer_url is None and not waiting and not attention:
        return [StatusPart("Printer", "none at this desk")]
    text, fault = device_word(reading(printer), worker)
    if printer_url is None:
        text, fault = (
            (worker.describe(), True) if not worker.alive else ("none at this desk", False)
        )
    short, least = shorter_words(text)
    if waiting:  # (the shortest form keeps the count: "ok, 2")
        text, short = f"{text}, {waiting} to print", f"{short}, {waiting} to print"
        least = f"{least}, {waiting}"
    fault = fault or (waiting > 0 and not worker.alive)
    parts.append(StatusPart("Printer", text, fault, short, least))
    if attention:
        names = {
            job.id: f"ticket {job.code}" if job.code else job.kind.replace("_", " ")
            for job in attention
        }
        full, short, least = needing_answer_words(
            [names[j.id] for j in attention if j.status != "uncertain"],
            [names[j.id] for j in attention if j.status == "uncertain"],
        )
        parts.append(StatusPart("Check", full, True, short, least))
    return parts


def board_part(worker: WorkerState, board: DeviceState | None) -> StatusPart:
    text, fault = device_word(reading(board), worker)
    return device_part("Board", text, fault)


# Print jobs ------------------------------------------------------------------------------------


def print_job_state(session: Session, job_id: int) -> tuple[PrintState, str | None] | None:
    """The honest state of print job ``job_id`` now (and the reason of a failure); None: no
    such job."""
    from oss_desk.storage.print_state import job_state

    with session.store.read() as conn:
        found = job_state(conn, job_id)
    if found is None:
        return None
    return print_state(found.status, found.confirmed), found.error


def print_job_fields(session: Session, job_id: int | None) -> dict[str, str | int | None]:
    """A command's JSON of the print job it just queued: ``print_job`` (None: nothing printed)
    and, with a job, its ``print_state`` now (``ticket issue``, ``appointment check-in``)."""
    if job_id is None:
        return {"print_job": None}
    known = print_job_state(session, job_id)
    return {"print_job": job_id, "print_state": known[0].value if known is not None else None}


def print_job_said(session: Session, job_id: int) -> str:
    """What is seen of print job ``job_id`` now, for the line after an issue or a transfer:
    "queued to print (job 3)", "handed to the printer worker (job 3)", "not printed yet
    (connection refused); the printer worker tries again (job 3)", "printed (job 3)"..."""
    from oss_desk.storage.print_state import job_state

    with session.store.read() as conn:
        found = job_state(conn, job_id)
    if found is None:  # pragma: no cover - the job was committed with the ticket
        return f"print job {job_id} not found"
    state = print_state(found.status, found.confirmed)
    tried = found.attempts > 0
    alive = tried and state is PrintState.QUEUED and current_worker(session).alive
    word = just_queued_word(state, found.error, tried=tried, worker_alive=alive)
    return f"{word} (job {job_id})"


def ticket_print(session: Session, ticket_id: int) -> tuple[dict[str, str | int | None], str]:
    """A ticket's print state (``ticket show``): the JSON fields ``print_job`` (its latest
    print job; None: it never had one) and ``print_state``, and the words, as the desks say
    them ("print job 4: printed", "print job 3: not printed: connection refused", "no print
    job")."""
    from oss_desk.storage.print_state import ticket_job

    with session.store.read() as conn:
        latest, printed_before = ticket_job(conn, ticket_id)
    if latest is None:
        return {"print_job": None, "print_state": None}, "no print job"
    state = print_state(latest.status, latest.confirmed)
    word = ticket_print_word(state, latest.error, printed_before=printed_before)
    return {"print_job": latest.id, "print_state": state.value}, f"print job {latest.id}: {word}"


def job_states(session: Session) -> dict[int, tuple[PrintState, str | None]]:
    """The honest state of the latest print jobs (and the reason of a failure), by job id."""
    from oss_desk.storage import outbox as o

    return {
        job_id: (print_state(status, confirmed), error)
        for job_id, status, confirmed, error in o.recent_jobs(session.store.conn)
    }


def jobs_needing_answer(session: Session) -> list[o.JobNeedingAnswer]:
    return recent_jobs_needing_answer(session.store.conn, session.clock.now())


def recent_jobs_needing_answer(conn: sqlite3.Connection, now: datetime) -> list[o.JobNeedingAnswer]:
    from oss_desk.storage import outbox as o

    since = format_instant(now - timedelta(hours=ATTENTION_HOURS))
    return o.jobs_needing_answer(conn, since)


def recent_jobs_retrying(conn: sqlite3.Connection, now: datetime) -> tuple[int, str | None]:
    """Print jobs of the last hours waiting for another try after a failed one, and the newest
    one's reason: not failed yet, but not printing either."""
    from oss_desk.storage.print_state import retrying_jobs

    return retrying_jobs(conn, format_instant(now - timedelta(hours=ATTENTION_HOURS)))


def answer_job(session: Session, actor: Actor, job_id: int, *, reprint: bool) -> int | None:
    """A desk answers "may not have printed" (or "not printed"): reprint it (returns the new
    job, which says COPY when the first may have printed), or leave it (it did print)."""
    from oss_desk.services.queue import QueueService
    from oss_desk.storage import outbox as o

    session.require(Action.REPRINT, actor)
    found = next((j for j in jobs_needing_answer(session) if j.id == job_id), None)
    if found is None:
        raise RuleViolation(
            f"print job {job_id}: {NO_ANSWER_NEEDED}",
            title="No answer needed",
        )
    new_job = None
    if reprint and found.ticket_id is not None:
        new_job = QueueService(session, actor).reprint(found.ticket_id).job
    with session.store.write() as conn:
        o.acknowledge_jobs(conn, [job_id], by=actor.person, now=format_instant(session.clock.now()))
    return new_job


# Message alerts -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageAlert:
    """A message to a resident that wants the team leader's attention (late, or failed for
    good) until someone acknowledges it."""

    id: int
    alert: AlertKind
    kind: str
    """confirmation, reminder, change or cancellation"""
    channel: str
    via: str
    site_id: str
    business_day: str
    """The appointment's day."""
    starts_at: datetime
    deadline: datetime
    reason: str | None
    appointment_ref: str
    """The booking reference, to find the booking and tell the resident another way (no name,
    email or phone in an alert)."""

    def describe(self, today: str | None = None) -> str:
        """``confirmation (email) for the appointment on Fri 11 Dec (ref K7M-3QX) failed: ...``"""
        day = date.fromisoformat(self.business_day)
        when = (
            "today's appointment"
            if self.business_day == today
            else f"the appointment on {day:%a %d %b}"
        )
        state = "failed" if self.alert is AlertKind.FAILED else "not sent yet"
        why = f": {self.reason}" if self.reason else ""
        return f"{self.kind} ({self.channel}) for {when} (ref {self.appointment_ref}) {state}{why}"


def message_alerts(session: Session, site_id: str | None = None) -> list[MessageAlert]:
    """Messages late (not delivered ``messages.alert_minutes`` before they stop mattering) or
    failed for good, not yet acknowledged."""
    return alerts_in(session.store.conn, session.settings.messages, session.clock.now(), site_id)


def alerts_in(
    conn: sqlite3.Connection,
    settings: MessageSettings,
    now: datetime,
    site_id: str | None = None,
) -> list[MessageAlert]:
    from oss_desk.storage import message_alerts as ma

    since = format_instant(now - timedelta(days=ALERT_DAYS))
    found = []
    for m in ma.messages_undelivered(conn, since):
        if site_id is not None and m.site_id != site_id:
            continue
        starts = read_instant(m.starts_at)
        deadline = message_deadline(
            m.kind,
            read_instant(m.created_at),
            starts,
            notice_hours=settings.notice_hours,
            reminder_until_minutes=settings.reminder_until_minutes,
        )
        alert = message_alert(m.status, deadline, now, settings.alert_minutes)
        if alert is not None:
            found.append(
                MessageAlert(
                    m.id,
                    alert,
                    m.kind,
                    m.channel,
                    m.via,
                    m.site_id,
                    m.business_day,
                    starts,
                    deadline,
                    m.reason,
                    m.appointment_ref,
                )
            )
    return found


def not_sent_lines(alerts: list[MessageAlert], day: str, today: str | None = None) -> list[str]:
    """``["2 reminders for today not sent"]``: alerts about appointments on ``day``, by kind."""
    counts = Counter(a.kind for a in alerts if a.business_day == day)
    when = "today" if day == today else day
    return [
        f"{n} {kind}{'s' if n != 1 else ''} for {when} not sent"
        for kind, n in sorted(counts.items())
    ]


@dataclass(frozen=True, slots=True)
class ReportMailAlert:
    """A report email (the daily summary, the monthly dashboard) that failed for good."""

    id: int
    kind: str
    period: str
    scope: str
    reason: str | None

    def describe(self) -> str:
        where = "every office" if self.scope == "*" else self.scope
        why = f": {self.reason}" if self.reason else ""
        return f"{self.kind} report email for {self.period} ({where}) failed{why}"


def report_mail_alerts(session: Session) -> list[ReportMailAlert]:
    """Report emails failed for good, not yet acknowledged (the recipient is staff's address,
    not shown here)."""
    from oss_desk.storage import outbox as o
    from oss_desk.storage.report_mails import ReportMail

    since = format_instant(session.clock.now() - timedelta(days=ALERT_DAYS))
    return [
        ReportMailAlert(m.id, m.kind, m.period, m.scope, m.last_error)
        for m in map(
            ReportMail.of, o.failed_unacknowledged(session.store.conn, o.REPORT_MAILS, since)
        )
    ]


@dataclass(frozen=True, slots=True)
class FollowupTextAlert:
    """A follow-up text (asking a resident how their visit went) that failed for good: named by
    its visit, never by the resident or the number."""

    id: int
    visit_id: int
    site_id: str | None
    reason: str | None

    def describe(self) -> str:
        why = f": {self.reason}" if self.reason else ""
        return f"follow-up text for visit {self.visit_id} failed{why}"


def followup_text_alerts(session: Session) -> list[FollowupTextAlert]:
    """Follow-up texts failed for good, not yet acknowledged."""
    from oss_desk.storage import feedback_texts as ft
    from oss_desk.storage import outbox as o

    conn = session.store.conn
    since = format_instant(session.clock.now() - timedelta(days=ALERT_DAYS))
    found = []
    for row in o.failed_unacknowledged(conn, o.FEEDBACK_TEXTS, since):
        consent = ft.consent_of(conn, row["visit_id"])
        site = consent.site_id if consent is not None else None
        found.append(FollowupTextAlert(row["id"], row["visit_id"], site, row["last_error"]))
    return found


@dataclass(frozen=True, slots=True)
class TurnTextAlert:
    """A turn text that failed for good while its ticket is still open (the resident was not
    told to come, or where to go): listed until the ticket ends, and said at the desk that
    called. Named by the ticket, never by the resident or the number."""

    id: int
    ticket: Ticket
    kind: str
    reason: str | None

    def describe(self) -> str:
        at = f", at {self.ticket.desk}" if self.ticket.desk else ""
        said = turn_text_failed_said(self.kind, self.reason)
        return f"ticket {self.ticket.code}{at}: {said} (listed while the ticket is open)"


def turn_text_alerts(session: Session, site_id: str | None = None) -> list[TurnTextAlert]:
    """Turn texts failed for good whose tickets are still open."""
    from oss_desk.storage import queue as q
    from oss_desk.storage.resident import open_failed_turn_texts

    found = []
    with session.store.read() as conn:
        for text_id, ticket_id, kind, why in open_failed_turn_texts(conn, site_id):
            ticket = q.get_ticket(conn, ticket_id)
            if ticket is not None:
                found.append(TurnTextAlert(text_id, ticket, kind, why))
    return found


def turn_texts_said(conn: sqlite3.Connection, visit_ids: Iterable[int]) -> dict[int, TextsSaid]:
    """The visits' turn texts that failed for good, apart from those that may have been sent,
    in words, by visit id (``ticket show``, and the desk serving the resident: one rule)."""
    from oss_desk.storage.resident import failed_turn_texts

    visits = list(visit_ids)
    failed = failed_turn_texts(conn, visits)
    unsure = failed_turn_texts(conn, visits, "uncertain")
    return {
        visit: TextsSaid.of(failed.get(visit, []), unsure.get(visit, []))
        for visit in failed.keys() | unsure.keys()
    }


@dataclass(frozen=True, slots=True)
class UntoldAlert:
    """A council move or cancellation whose resident has no email or phone and has not been
    told (``domain.appointments.owes_notice_by_hand``): listed until someone records that
    they told them (``appointment told``). Named by the booking reference only."""

    id: int
    appointment: Appointment
    reachable: bool = True
    """The booking holds a phone or an email (else: tell them when they come in)."""

    @property
    def site_id(self) -> str:
        return self.appointment.site_id

    def describe(self) -> str:
        appt = self.appointment
        day = date.fromisoformat(appt.business_day)
        said = untold_said(appt, reachable=self.reachable)
        return f"appointment {appt.ref} on {day:%a %d %b}: {said}"


def untold_alerts(session: Session, site_id: str | None = None) -> list[UntoldAlert]:
    """Council changes not yet told to residents booked by slip (oldest first)."""
    from oss_desk.storage.appointments import reachable, untold

    with session.store.read() as conn:
        owed = [a for a in untold(conn) if site_id in (None, a.site_id)]
        held = reachable(conn, [a.id for a in owed])
    return [UntoldAlert(a.id, a, a.id in held) for a in owed]


OutboxAlert = ReportMailAlert | FollowupTextAlert | TurnTextAlert | UntoldAlert
"""An alert about a row of an outbox of its own (report emails, follow-up texts, turn texts),
or a notice owed by hand."""

ALERT_LETTERS: dict[type[OutboxAlert], str] = {
    ReportMailAlert: "r",
    FollowupTextAlert: "f",
    TurnTextAlert: "t",
    UntoldAlert: "h",
}
"""Each kind's letter in the alerts' ids (a message's alert has none: its id alone)."""


def alert_key(alert: OutboxAlert) -> str:
    """Its id among the alerts: its kind's letter and its row's id (``r12``, ``f3``, ``t7``)."""
    return f"{ALERT_LETTERS[type(alert)]}{alert.id}"


def acknowledge_alerts(
    session: Session,
    actor: Actor,
    ids: list[int] | None = None,
    mail_ids: list[int] | None = None,
    text_ids: list[int] | None = None,
) -> int:
    """Someone has seen to these alerts (messages ``ids``, report emails ``mail_ids``, follow-up
    texts ``text_ids``; all None: every current one); they stop showing."""
    from oss_desk.storage import message_alerts as ma
    from oss_desk.storage import outbox as o

    session.require(Action.ACKNOWLEDGE_ALERT, actor)
    everything = ids is None and mail_ids is None and text_ids is None
    current = {a.id for a in message_alerts(session)}
    mails = {a.id for a in report_mail_alerts(session)}
    texts = {a.id for a in followup_text_alerts(session)}
    wanted = sorted(current if everything else set(ids or ()))
    wanted_mails = sorted(mails if everything else set(mail_ids or ()))
    wanted_texts = sorted(texts if everything else set(text_ids or ()))
    unknown = [str(i) for i in wanted if i not in current]
    mail, text = ALERT_LETTERS[ReportMailAlert], ALERT_LETTERS[FollowupTextAlert]
    unknown += [f"{mail}{i}" for i in wanted_mails if i not in mails]
    unknown += [f"{text}{i}" for i in wanted_texts if i not in texts]
    if unknown:
        raise NotFound(f"no alert {unknown[0]}", cli_hint="see `oss-desk alerts list`")
    now = format_instant(session.clock.now())
    who = actor.person
    with session.store.write() as conn:
        count = ma.acknowledge_messages(conn, wanted, by=who, now=now)
        count += o.acknowledge_failed(conn, o.REPORT_MAILS, wanted_mails, by=who, now=now)
        return count + o.acknowledge_failed(conn, o.FEEDBACK_TEXTS, wanted_texts, by=who, now=now)


def printer_label(url: str) -> str:
    from oss_desk.domain.devices import parse_printer_url

    try:
        return parse_printer_url(url).label
    except OssDeskError:
        return url[:40]


def board_driven_by(db: str | None, config: str | None, target: str) -> str | None:
    """Who drives the office's board now, when that board is the one at ``target`` (a device
    path or serial server) and the owner of the devices is alive: "the device worker (process
    1234)" or "a desk app ...". None: no office database here, another board, or nobody drives
    it (a test frame would stay until the next call, or until the worker takes over)."""
    from oss_desk.domain.devices import parse_board_url
    from oss_desk.services.session import resolve_config_path, resolve_db_path, settings_for
    from oss_desk.storage.database import open_store

    path = resolve_db_path(db)
    if not path.exists():
        return None
    try:
        store = open_store(path, create=False, migrate=False, check=False)
    except (OssDeskError, sqlite3.Error):
        return None
    try:
        settings, _ = settings_for(store, resolve_config_path(config))
        url = settings.board.url
        if not url or parse_board_url(url).target != target:
            return None
        beat = read_heartbeat(store.conn)
        if beat is None or not worker_state(store).alive:
            return None
    except (OssDeskError, sqlite3.Error):
        return None
    finally:
        store.close()
    if beat.role and beat.role.startswith("desk app"):
        return beat.role
    return f"the device worker (process {beat.pid})"
