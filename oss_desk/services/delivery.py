"""What staff are told about delivery: who owns the devices, what each device last said, print
jobs that need an answer at their desk, and turn texts not surely sent (the alerts:
:mod:`oss_desk.services.alerts`).

The desks' status area, the team leader's screen and ``doctor`` read these, and the rules come
from :mod:`oss_desk.domain.delivery`, so they agree.

A desk imports this module before its first frame (for its status line): the outbox, the queue
service and the message tables are imported by the functions that read them, when first called.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.access import Action
from oss_desk.domain.delivery import (
    NO_ANSWER_NEEDED,
    NO_PRINTER,
    DeviceReading,
    PrintState,
    WorkerState,
    device_word,
    just_queued_word,
    needing_answer_words,
    print_state,
    shorter_words,
    stale_ticket_job,
    ticket_print_word,
)
from oss_desk.domain.message_delivery import (
    TextsSaid,
)
from oss_desk.domain.models import Actor
from oss_desk.domain.print_questions import asked_elsewhere_words
from oss_desk.errors import OssDeskError, RuleViolation
from oss_desk.services.device_owner import state_of
from oss_desk.services.session import Session
from oss_desk.storage.database import Store
from oss_desk.storage.devices import DeviceState
from oss_desk.storage.lease import read_heartbeat

if TYPE_CHECKING:
    from oss_desk.storage import outbox as o
    from oss_desk.storage.print_state import StoredJob


ATTENTION_HOURS = 12
"""How far back print jobs needing an answer are shown at their desk."""


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
    asked_instead: Mapping[int, str] | None = None,
) -> list[StatusPart]:
    """The printer's part of a desk's status area: its own state (only what a working owner of
    the devices said), the jobs waiting for it, and this desk's jobs that need an answer, summed
    up (the desk asks about each one, with its reason); ``asked_instead``: of the jobs this
    desk is not asked about, who is (by job id:
    :func:`~oss_desk.domain.print_questions.asked_instead`), said with them."""
    parts: list[StatusPart] = []
    if printer_url is None and not waiting and not attention:
        return [device_part("Printer", NO_PRINTER, False)]
    text, fault = device_word(reading(printer), worker)
    if printer_url is None:
        text, fault = (worker.describe(), True) if not worker.alive else (NO_PRINTER, False)
    short, least = shorter_words(text)
    if waiting:  # (the shortest form keeps the count: "ok, 2")
        text, short = f"{text}, {waiting} to print", f"{short}, {waiting} to print"
        least = f"{least}, {waiting}"
    fault = fault or (waiting > 0 and not worker.alive)
    parts.append(StatusPart("Printer", text, fault, short, least))
    elsewhere = asked_instead or {}
    for asked in dict.fromkeys([elsewhere.get(j.id) for j in attention]):  # here first
        jobs = [j for j in attention if elsewhere.get(j.id) == asked]
        names = [f"ticket {j.code}" if j.code else j.kind.replace("_", " ") for j in jobs]
        forms = needing_answer_words(
            [n for n, j in zip(names, jobs, strict=True) if j.status != "uncertain"],
            [n for n, j in zip(names, jobs, strict=True) if j.status == "uncertain"],
        )
        full, short, least = forms if asked is None else asked_elsewhere_words(forms, asked)
        parts.append(StatusPart("Check", full, True, short, least))
    return parts


def printer_said(worker: WorkerState, printer: DeviceState | None) -> str:
    """A printer's state as a desk's status area says it ("ok", "cover open", "not checked
    yet"): the team leader's printer picker shows it beside each desk."""
    return device_word(reading(printer), worker)[0]


def office_printers_part(
    worker: WorkerState,
    devices: dict[str, DeviceState],
    printers: Iterable[tuple[str, str]],
) -> StatusPart | None:
    """For the team leader: each of the office's printers (``printers``: url and the name of a
    desk printing on it, in desk order) that is not working, named by its desks: "Reception
    cover open; Desk 2 unreachable (connection refused)". None when every one works, or none
    has been asked yet, or no worker drives them (the Printer part says that)."""
    if not worker.alive:
        return None
    named: dict[str, list[str]] = {}
    for url, name in printers:
        named.setdefault(url, []).append(name)
    faults = []
    for url, names in named.items():
        text, fault = device_word(reading(devices.get(url)), worker)
        if fault:
            faults.append((" / ".join(names), text))
    if not faults:
        return None
    full = "; ".join(f"{who} {text}" for who, text in faults)
    short = "; ".join(f"{who} {shorter_words(text)[0]}" for who, text in faults)
    least = f"{len(faults)} not working"
    return StatusPart("Printers", full, True, short, least)


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
    "queued to print (job 3)", "handed to the printer worker (job 3)", "queued behind the jobs
    waiting for the printer's next try (last try: paper out) (job 3)", "not printed yet
    (connection refused); the printer worker tries again (job 3)", "printed (job 3)"..."""
    from oss_desk.storage.print_state import job_state, waits_behind

    now = format_instant(session.clock.now())
    with session.store.read() as conn:
        found = job_state(conn, job_id)
        if found is None:  # pragma: no cover - the job was committed with the ticket
            return f"print job {job_id} not found"
        state = print_state(found.status, found.confirmed)
        tried = found.attempts > 0
        queued = state is PrintState.QUEUED and not tried
        behind = waits_behind(conn, job_id, now) if queued else None
    alive = tried and state is PrintState.QUEUED and current_worker(session).alive
    word = just_queued_word(state, found.error, tried=tried, worker_alive=alive, behind=behind)
    return f"{word} (job {job_id})"


def ticket_print(
    session: Session, ticket_id: int, site_id: str
) -> tuple[dict[str, str | int | None], str]:
    """A ticket's print state (``ticket show``): the JSON fields ``print_job`` (its latest
    print job; None: it never had one), ``print_state`` and who answered its "Reprint it?"
    and when (``print_answered_by``, ``print_answered_at``), and the words, as the desks say
    them ("print job 4: printed", "print job 3: not printed: connection refused", "no print
    job"; "print job 5: may not have printed; Lee Leader said it printed, 09:34")."""
    from oss_desk.storage.print_state import ticket_job

    with session.store.read() as conn:
        latest, printed_before = ticket_job(conn, ticket_id)
    return paper_said(session, latest, printed_before, site_id)


def slip_print(
    session: Session, reference: str, site_id: str
) -> tuple[dict[str, str | int | None], str]:
    """An appointment slip's print state (``appointment show``), as :func:`ticket_print` says a
    ticket's: its latest slip's print job, in the same words and fields."""
    from oss_desk.storage.print_state import slip_job

    with session.store.read() as conn:
        latest, printed_before = slip_job(conn, reference)
    return paper_said(session, latest, printed_before, site_id)


def slips_again(
    session: Session, appointment_id: int, site_id: str
) -> list[tuple[dict[str, object], str]]:
    """Each time an appointment's slip was printed again (``appointment show``), oldest first:
    its fields (who, ``by``; when, ``at``; the ``job``) and its words."""
    from oss_desk.domain.calendar import local, time_said
    from oss_desk.domain.print_questions import printed_again_said
    from oss_desk.storage.events import slip_reprints
    from oss_desk.storage.print_state import job_state

    with session.store.read() as conn:
        found = slip_reprints(conn, appointment_id)
        jobs = {int(e.data["job"]): job_state(conn, int(e.data["job"])) for e in found}
    tz, now = session.site_ever(site_id).timezone, session.clock.now()
    today = local(now, tz).date()
    said: list[tuple[dict[str, object], str]] = []
    for event in found:
        at = read_instant(event.at)
        when = time_said(at, tz, today, dated=local(at, tz).date() != today)
        job = int(event.data["job"])
        stored = jobs[job]
        state = None if stored is None else print_state(stored.status, stored.confirmed)
        word = "no such print job"  # (a database put back from before it)
        if stored is not None and state is not None:
            word = ticket_print_word(state, stored.error, printed_before=False)
        words = printed_again_said(session.name_of(event.actor), when, job, word)
        fields = {"by": event.actor, "at": event.at, "job": job}
        said.append((fields | {"print_state": state and state.value}, words))
    return said


def paper_said(
    session: Session, latest: StoredJob | None, printed_before: bool, site_id: str
) -> tuple[dict[str, str | int | None], str]:
    """The fields and words of a paper's latest print job (:func:`ticket_print`)."""
    from oss_desk.domain.calendar import local, time_said
    from oss_desk.domain.print_questions import answer_said
    from oss_desk.domain.site_change import settled_as_removed

    if latest is None:
        return {"print_job": None, "print_state": None}, "no print job"
    state = print_state(latest.status, latest.confirmed)
    word = ticket_print_word(state, latest.error, printed_before=printed_before)
    fields: dict[str, str | int | None] = {"print_job": latest.id, "print_state": state.value}
    if latest.answered_at is not None and latest.answered_by is not None:
        tz, now = session.site_ever(site_id).timezone, session.clock.now()
        answered = read_instant(latest.answered_at)
        dated = local(answered, tz).date() != local(now, tz).date()
        at = time_said(answered, tz, local(now, tz).date(), dated=dated)
        gone = settled_as_removed(latest.error)
        who = session.name_of(latest.answered_by)
        word = f"{word}; {answer_said(latest.status, who, at, printer_removed=gone)}"
        fields |= {"print_answered_by": latest.answered_by, "print_answered_at": latest.answered_at}
    return fields, f"print job {latest.id}: {word}"


def job_states(session: Session) -> dict[int, tuple[PrintState, str | None]]:
    """The honest state of the latest print jobs (and the reason of a failure), by job id."""
    from oss_desk.storage import outbox as o

    return {
        job_id: (print_state(status, confirmed), error)
        for job_id, status, confirmed, error in o.recent_jobs(session.store.conn)
    }


def jobs_needing_answer(session: Session) -> list[o.JobNeedingAnswer]:
    """The print jobs a desk asks about: those of the last hours that may not have printed, or
    failed, apart from a ticket's paper once the ticket is over (closed at close of day, served,
    cancelled: :func:`~oss_desk.domain.delivery.stale_ticket_job`): no reprint can help its
    resident now, and ``ticket reprint`` refuses it. ``doctor`` says them apart."""
    found = recent_jobs_needing_answer(session.store.conn, session.clock.now())
    return [job for job in found if not ticket_is_over(job)]


def ticket_is_over(job: o.JobNeedingAnswer) -> bool:
    """A ticket's paper whose ticket is over (:func:`~oss_desk.domain.delivery.stale_ticket_job`):
    no desk asks about it; ``doctor`` says it apart."""
    from oss_desk.domain.models import TicketStatus

    status = job.ticket_status
    return status is not None and stale_ticket_job(job.kind, TicketStatus(status)) is not None


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
    job, which says COPY when the first may have printed), or leave it (it did print). A
    reprint refused because the ticket is over (``TicketEnded``) still answers the question,
    then says why nothing was queued. An appointment slip is drawn afresh from its booking, as
    ``appointment slip`` draws it (a review: a copy of the old paper printed the day and time
    of a booking cancelled or moved since), and refused, the question answered all the same,
    when the booking is no longer booked."""
    from oss_desk.services.queue import QueueService
    from oss_desk.storage import outbox as o

    session.require(Action.REPRINT, actor)
    asked = recent_jobs_needing_answer(session.store.conn, session.clock.now())
    found = next((j for j in asked if j.id == job_id), None)  # (asked before its ticket ended)
    if found is None:
        raise RuleViolation(
            f"print job {job_id}: {NO_ANSWER_NEEDED}",
            title="No answer needed",
        )
    from oss_desk.services.queue.records import TicketEnded

    new_job: int | None = None
    ended: RuleViolation | None = None
    if reprint and found.ticket_id is not None:
        try:
            new_job = QueueService(session, actor).reprint(found.ticket_id).job
        except TicketEnded as refused:  # answered all the same: no paper can help it now
            ended = refused
    elif reprint and found.reference is not None:  # a slip: as its booking is now
        new_job, ended = slip_afresh(session, actor, found)
    with session.store.write() as conn:
        if reprint and found.ticket_id is None and found.reference is None:  # a summary
            new_job = print_again(session, conn, job_id)
        o.acknowledge_jobs(conn, [job_id], by=actor.person, now=format_instant(session.clock.now()))
    if ended is not None:
        raise ended
    return new_job


def slip_afresh(
    session: Session, actor: Actor, found: o.JobNeedingAnswer
) -> tuple[int | None, RuleViolation | None]:
    """The slip of the booking of print job ``found`` (a slip a desk was asked about) drawn
    and queued afresh, on the same printer (for the same desk, while that desk still has it):
    its new job; or why not (the booking is no longer booked)."""
    from oss_desk.services.slips import slip_again

    desk = session.directory.desks.get(found.desk_id or "")
    same = desk is not None and found.printer_url in (desk.printer_url, desk.fallback_printer_url)
    where = found.desk_id if same else found.printer_url
    try:
        return slip_again(session, found.reference or "", where, actor).job, None
    except RuleViolation as refused:  # answered all the same: the booking no longer holds
        return None, refused


def print_again(session: Session, conn: sqlite3.Connection, job_id: int) -> int | None:
    """Queue print job ``job_id`` of no ticket again (in ``conn``'s write transaction), as it
    was asked for: its new job's id (None: no such job)."""
    from oss_desk.services.device_owner import queue_print
    from oss_desk.storage.print_state import paper_again

    request = paper_again(conn, job_id)
    if request is None:
        return None
    return queue_print(conn, session.store.path, request, session.clock.now())


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
