"""The rules of delivery: who owns the devices, what a print job's state means, how long a
serial line takes, when to retry, and what a desk is told (when a message is too late:
:mod:`oss_desk.domain.message_delivery`).

Pure: no I/O. The worker, ``doctor`` and the desks all ask these functions, so they agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from oss_desk.domain.counter import TICKET_PAST_WORDS
from oss_desk.domain.device_faults import device_words, said_with
from oss_desk.domain.models import TicketStatus

# Who owns the devices -------------------------------------------------------------------------

HEARTBEAT_SECONDS = 5.0
"""How often the owner of the devices writes its heartbeat."""
ALIVE_SECONDS = 3 * HEARTBEAT_SECONDS
"""A heartbeat older than this means the owner is not working (three missed beats)."""
PRINT_LEASE_SECONDS = 60.0
"""How long a claim of a print job is leased for (recorded with the claim)."""
PRINTER_READY_SECONDS = 1.0
"""How long a printer's lane keeps a connection it opened because a desk said a job for that
printer was about to be committed (its status asked): the job goes out on it the moment the
commit can be seen; a commit that failed, or came later than this, leaves it closed, nothing
sent on it."""
TAKEOVER_POLL_SECONDS = 1.0
"""How often a standby (a desk app, or `oss-desk worker` waiting) tries to take the lease."""


@dataclass(frozen=True, slots=True)
class WorkerState:
    """What is known of the owner of the devices."""

    held: bool | None
    """Whether a process holds the device lease (None: cannot be told from here)."""
    seen_seconds: float | None
    """Seconds since the owner's last heartbeat in this database (None: never)."""

    @property
    def alive(self) -> bool:
        """Working: it holds the lease (when that can be told) and beat lately."""
        fresh = self.seen_seconds is not None and self.seen_seconds <= ALIVE_SECONDS
        return fresh and self.held is not False

    def describe(self) -> str:
        """What a desk says of the owner of the devices, and so of every device it drives: a
        worker that holds the lease but stopped beating is not answering, and what its
        devices are doing is not known (nobody asked them since)."""
        if self.alive:
            return "running"
        if self.held:
            return NOT_ANSWERING + _ago(self.seen_seconds)
        return NO_WORKER


NO_WORKER = "no device worker running"
NOT_ANSWERING = "state unknown, device worker not answering"
NO_ANSWER_NEEDED = (
    "no answer needed now (answered at a desk, a later copy was made, or the ticket is over)"
)
"""A print question settled meanwhile: answered elsewhere, superseded by a later copy of the
ticket (printed, or queued: then that copy is the one asked about if it fails), or its ticket
over (served, cancelled, closed: no paper can help its resident now)."""


def holder_said(pid: int | None, role: str | None = None) -> str:
    """Who holds the devices' lock, as doctor and every command say it: "desk app desk-1,
    process 16315" (``role``: from that very process's heartbeat), "process 16315", or "a
    process" when the lock does not say which."""
    if pid is None:
        return "a process"
    return f"{role}, process {pid}" if role else f"process {pid}"


def hand_over_to(
    state: WorkerState, owner: str | None, *, printer_waited_on: bool = False
) -> str | None:
    """The owner a print job is handed to as it is queued (claimed in the same durable
    transaction, so that owner's lane sends it at once, with no durable commit of its own before
    the first byte): the owner of the devices while it is alive and has not stepped down
    (``owner`` None: it stepped down, or none ever ran). None: the job waits, unclaimed, for
    whoever owns the devices next. A job handed to an owner that dies before sending it is
    adopted by the next owner and printed once: as the original when its record shows that no
    byte left (:func:`stopped_worker_said`), else marked COPY (bytes may have left): never
    lost, never twice unmarked.

    ``printer_waited_on``: jobs queued before it wait for their printer's next try (it was off,
    or could not print): the job is not handed over, it waits for that same try, after them. A
    ticket issued then is not tried at once on its own (a connection to the printer for every
    ticket, each a timeout on one that does not answer): one try for them all, and when the
    printer is back they print in the order they were queued."""
    return owner if owner and state.alive and not printer_waited_on else None


def _ago(seconds: float | None) -> str:
    """How long ago the last heartbeat was, in steps a desk can keep true: whole heartbeats
    (5 s) for the first minute, then whole minutes, rounded down. A desk looks every second
    and redraws when these words change, so what it shows is never more than a step old."""
    if seconds is None:
        return ""
    if seconds < 60:
        step = int(seconds // HEARTBEAT_SECONDS * HEARTBEAT_SECONDS)
        return f" (last heartbeat {step} s ago)"
    return f" (last heartbeat {int(seconds // 60)} min ago)"


# Print jobs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrintRequest:
    """A print job to be queued: what to print (``kind``, a key of
    :data:`oss_desk.domain.printouts.KINDS`, and its ``payload``), on which printer, and for
    which ticket and desk when it has them. A ticket's printout is drawn from the ticket when it
    prints (its place in the queue as it is then), so its payload says only what the ticket
    cannot (a reprint, the ticket it moved from).
    """

    kind: str
    printer_url: str
    ticket_id: int | None = None
    desk_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


class PrintState(StrEnum):
    """What the desk is told about a print job (the stored status, honestly named)."""

    QUEUED = "queued"
    SENDING = "sending"
    PRINTED = "printed"
    """The printer confirmed: its status after the job says it is idle and fine."""
    SENT = "sent"
    """Every byte left, to a printer that cannot report (a file, CUPS, ``status=off``)."""
    UNCERTAIN = "uncertain"
    """Every byte left but nothing confirmed it printed (or the worker stopped mid-job)."""
    FAILED = "failed"
    CANCELLED = "cancelled"


_STORED = {
    "pending": PrintState.QUEUED,
    "printing": PrintState.SENDING,
    "uncertain": PrintState.UNCERTAIN,
    "failed": PrintState.FAILED,
    "cancelled": PrintState.CANCELLED,
}


def print_state(status: str, confirmed: bool) -> PrintState:
    """The state of a job stored with ``status`` (``done`` is printed only when confirmed)."""
    if status == "done":
        return PrintState.PRINTED if confirmed else PrintState.SENT
    return _STORED[status]


JOB_WORDS = {
    PrintState.QUEUED: "waiting to print",
    PrintState.SENDING: "printing",
    PrintState.PRINTED: "printed",
    PrintState.SENT: "sent to the printer",
    PrintState.UNCERTAIN: "may not have printed",
    PrintState.FAILED: "not printed",
    PrintState.CANCELLED: "not printed (cancelled)",
}
"""What staff are told of a print job's state: the desks, ``ticket show``, ``doctor``."""

JUST_QUEUED_WORDS = {
    PrintState.QUEUED: "queued to print",
    PrintState.SENDING: "handed to the printer worker",
}
"""What a command that has just queued a print job says of it: queued (nobody has taken it
yet: no worker is running, or it has not claimed it), handed to the worker that owns the
printer (claimed, not yet confirmed), and "printed" only once the printer confirmed."""


def job_word(state: PrintState, reason: str | None = None) -> str:
    """``printed``, ``may not have printed``, ``not printed: paper out``, ``not printed: the
    ticket is cancelled``..."""
    if state in (PrintState.FAILED, PrintState.CANCELLED) and reason:
        return f"{JOB_WORDS[PrintState.FAILED]}: {reason}"
    return JOB_WORDS[state]


PAPER_AGAIN = "its paper never printed"
"""What a desk and ``ticket undo-no-show`` add when a no-show taken back has its paper queued
again (the no-show had settled it unprinted: ``storage.print_state.settled_by_end``), before
what became of it: "its paper never printed: queued to print (job 2)"."""
AT_THE_DESK_INSTEAD = "the ticket was a no-show, then its resident came to the desk"
"""Why a ticket's paper settled unprinted at its no-show is not printed when the no-show is
taken back with the ticket called at its desk again (the resident is there: a paper at the
printer would wait for nobody); ``ticket show``: "print job 1: not printed: ..."."""


CLOSED_TICKET_JOB = "the ticket is closed"
"""Why close of day settles the print jobs still queued for a ticket it closes unprinted, in
the closing transaction (the printer down all day, no worker running): no paper for a resident
gone home, no tries, no "failed" to ask about, no reprint (:func:`stale_ticket_job`)."""


NOT_REPRINTED = "not reprinted (a ticket is printed only while its resident waits to be seen)"
"""Why ``ticket reprint`` (and the desks' Ctrl+R and P) refuses a ticket that is over, after
"C001 is finished: " (:func:`stale_ticket_job`: a copy queued for it would never print)."""


def stale_ticket_job(kind: str, ticket: TicketStatus | None) -> str | None:
    """Why a print job is not printed when its turn comes (None: print it). A ticket is paper
    for a resident still to be called: once it is no longer waiting or called (cancelled as
    issued in error, finished, a no-show...), a job for it that was still queued (no worker
    running, the printer down) is settled unprinted with this reason, never handed out late.
    Asked by the printer's lane before it connects, as it draws the ticket (a job handed to it
    as it was queued too) and in the transaction that claims the job; and by ``ticket reprint``
    (:data:`NOT_REPRINTED`). Slips and other jobs always print."""
    if kind != "ticket" or ticket is None or ticket in (TicketStatus.WAITING, TicketStatus.CALLED):
        return None
    return f"the ticket is {TICKET_PAST_WORDS[ticket]}"


def followed_job_word(states: Mapping[int, tuple[PrintState, str | None]], job_id: int) -> str:
    """A print job a desk follows, in the desks' words, from the states it polls (the
    snapshot's): "waiting to print" until they hold it. The line under a ticket shown large,
    the check-in box and the new-code box say it alike, and change as it does."""
    found = states.get(job_id)
    return job_word(*found) if found is not None else JOB_WORDS[PrintState.QUEUED]


WAITS_BEHIND = "queued behind the jobs waiting for the printer's next try"
"""A job never tried that waits for its printer's next try with the jobs queued before it
(:func:`hand_over_to`: the printer was off, or could not print)."""


def just_queued_word(
    state: PrintState,
    reason: str | None,
    *,
    tried: bool,
    worker_alive: bool,
    behind: str | None = None,
) -> str:
    """What is seen of a print job a moment after a command queued it (``ticket issue``,
    ``appointment check-in``, ``ticket transfer``): only what the database shows. ``tried``: an
    owner of the devices began a try of it; a job waiting after a try did not print, and says
    why and who tries again (the worker that owns the printer, while one runs). ``behind``: a
    job never tried that waits behind jobs queued before it for the printer's next try, what
    the printer's last try of those said ("": not known)."""
    if state is PrintState.QUEUED and tried:
        again = "the printer worker tries again" if worker_alive else "queued to print again"
        return f"{said_with('not printed yet', reason)}; {again}"
    if state is PrintState.QUEUED and behind is not None:
        return said_with(WAITS_BEHIND, f"last try: {behind}" if behind else None)
    if state in JUST_QUEUED_WORDS:
        return JUST_QUEUED_WORDS[state]
    return job_word(state, reason)


def ticket_print_word(state: PrintState, reason: str | None, *, printed_before: bool) -> str:
    """A ticket's print state in ``ticket show``: its latest print job's state in the desks'
    words, and whether an earlier copy went to the printer when this one has not (yet)."""
    word = JUST_QUEUED_WORDS[state] if state is PrintState.SENDING else job_word(state, reason)
    if state is PrintState.QUEUED and reason:
        word = said_with(word, f"last try: {reason}")
    if printed_before and state not in (PrintState.PRINTED, PrintState.SENT):
        return f"{word} (an earlier copy went to the printer)"
    return word


def resident_paper_said(
    job_id: int | None,
    state: PrintState | None,
    reason: str | None,
    *,
    printed_before: bool,
    recorded: int | None,
) -> str:
    """What the resident's view (F10) says above the ticket it shows: the ticket's latest print
    job in ``ticket show``'s words, then what the paper below is. ``recorded``: the print job
    whose drawing was kept when it went to the printer (shown as printed); else the ticket is
    drawn as it would print now, and when nothing went to a printer the resident has no paper
    ticket: it says so."""
    if job_id is None or state is None:
        return (
            "Not printed: no print job was made for this ticket; the resident has no paper "
            "ticket. Below: how it would print now."
        )
    said = f"Print job {job_id}: {ticket_print_word(state, reason, printed_before=printed_before)}."
    if recorded is not None:
        return f"{said} Below: the ticket as print job {recorded} sent it to the printer."
    if printed_before or state in (PrintState.PRINTED, PrintState.SENT, PrintState.UNCERTAIN):
        return f"{said} Below: drawn again now (what the printed copy said was not kept)."
    return f"{said} The resident has no paper ticket yet. Below: how it will print."


CONNECTION_RESET = "was reset"
CONNECTION_CLOSED = "was closed at the printer's end"
"""What became of a printer's connection instead of the printer taking a job or confirming it
(the only things a socket can tell: it took so many bytes, then it was reset or closed)."""


def write_cut_said(how: str, took: int) -> str:
    """A job's write stopped by the connection (``how``: :data:`CONNECTION_RESET`...) after it
    took ``took`` of the job's bytes: none ("the connection was reset before it took any of the
    job": nothing of it left, so it did not print, and is tried again not marked COPY), or some
    ("the connection was reset", and the worker says after how many bytes)."""
    if took <= 0:
        return f"the connection {how} before it took any of the job"
    return f"the connection {how}"


def unconfirmed_said(
    size: int | None, *, said: str | None = None, lost: str | None = None, stopped: bool = False
) -> str:
    """Why a job the connection took whole is not known to have printed, saying only what was
    seen: the connection took all ``size`` bytes (None: the whole job, size not known), which
    is not the printer saying it received them ("all of it was sent" said more than was known);
    then the printer said ``said`` (a fault), or the connection ``lost``
    (:data:`CONNECTION_RESET`...), or the worker ``stopped`` before the printer confirmed the
    job; else the printer did not confirm it. The worker's log, the desks' question
    and ``doctor`` carry these words."""
    took = f"the connection took all {size} bytes" if size else "the connection took the whole job"
    if said is not None:
        return f"{took}, then the printer said {said}: check it printed"
    if lost is not None:
        return f"{took}, then {lost}; no confirmation came"
    if stopped:
        return f"{took}, but the worker stopped before the printer confirmed it"
    return f"{took}, but the printer did not confirm it"


WORKER_STOPPED = "the worker that had it stopped"
LANE_STOPPED = "the printer's lane stopped"
"""Who left a job mid-print: its owner, which died (:data:`WORKER_STOPPED`); or, in the
worker, the job's lane, stopped by a fault (the database busy, the disk full) before it
could write what became of the job, and started again (:data:`LANE_STOPPED`)."""


def left_mid_print(*, sent: bool, marked: bool, same_boot: bool | None, earlier: bool) -> str:
    """What becomes of a print job its owner's lane left mid-print without writing its outcome:
    ``"uncertain"`` when all of it had left (``sent``) and no confirmation is known (the desk is
    asked); ``"original"`` when certainly nothing of it left (its lane did not note it begun,
    ``marked``, on this very boot) and no ``earlier`` try was cut short: printed now, not marked
    COPY; else ``"copy"``: bytes may have left, so it is printed again once, marked COPY."""
    if sent:
        return "uncertain"
    return "original" if same_boot is True and not marked and not earlier else "copy"


def stopped_worker_said(
    *, marked: bool, same_boot: bool | None, earlier: bool = False, who: str = WORKER_STOPPED
) -> str:
    """Why a job an owner of the devices left mid-print (it died, or ``who`` says the lane
    stopped) is printed again, saying only what is known: its lane noted it begun (bytes may
    have left: some, all or none reached the printer); or not, on this boot (``same_boot``:
    nothing left this time, so it prints as the original, :data:`STOPPED_BEFORE_SENDING`, unless
    an ``earlier`` try was cut short); or not, but since a restart or where the notes are not
    known (None), when a note may be lost."""
    if marked:
        return f"{who} while sending it: some, all or none of it may have reached the printer"
    if same_boot and earlier:
        return f"{who} before sending any of it this time (an earlier try was cut short)"
    if same_boot:
        return f"{who} before sending any of it; printing it now, not marked COPY"
    since = ", and the computer restarted since" if same_boot is False else ""
    return f"{who}{since}: whether any of it reached the printer is not known"


STOPPED_BEFORE_SENDING = stopped_worker_said(marked=False, same_boot=True)


MAX_AUTO_REPRINTS = 1
"""A job whose bytes may have left is never printed again by itself more than once."""


def after_cut_short(auto_reprints: int) -> str:
    """A job cut short after some bytes left (no whole ticket can have come out, but a part may
    have): ``"reprint"`` (once, marked COPY) or ``"uncertain"`` (ask the desk)."""
    return "reprint" if auto_reprints < MAX_AUTO_REPRINTS else "uncertain"


def is_copy(bytes_left_before: bool) -> bool:
    """Every copy after the first says COPY on paper: a job is a copy when bytes of this ticket
    (this job's earlier tries, or another job) may already have reached a printer."""
    return bytes_left_before


STILL_TO_PRINT = (PrintState.QUEUED, PrintState.SENDING)
"""A ticket's print job in these states will put the ticket on paper by itself."""


def reprint_adds_copy(latest: PrintState | None) -> bool:
    """Whether a reprint of a ticket queues another copy, by the state of the ticket's latest
    print job (None: it never had one). A job still waiting to print, waiting for its next try,
    or printing now prints the ticket when the printer is back: a second job would hand the
    resident two tickets. Only once that job printed, failed for good, may not have printed or
    was cancelled does a reprint add paper (marked COPY when bytes may have reached a printer:
    :func:`is_copy`). The desks and ``ticket reprint`` ask this, and ``appointment slip`` of a
    booking's latest slip job."""
    return latest not in STILL_TO_PRINT


@dataclass(frozen=True, slots=True)
class Reprint:
    """What a reprint did: queued a copy as print job ``job`` (``added``), or left the ticket to
    its own job ``job``, still to print (in ``state``), and added no paper."""

    code: str
    job: int
    added: bool
    state: PrintState | None = None
    reason: str | None = None
    """The waiting job's last error (None: none)."""
    tried: bool = False
    """An owner of the devices tried the waiting job before."""
    worker_alive: bool = True
    """A printer worker runs now (it tries the waiting job at once)."""

    @property
    def said(self) -> str:
        if self.added:
            return f"{self.code}: reprint queued (job {self.job})"
        if self.state is PrintState.SENDING:
            return f"{self.code} is printing now (job {self.job}): no second copy"
        word = waiting_job_said(self.reason, tried=self.tried, worker_alive=self.worker_alive)
        return f"{self.code} is still waiting to print (job {self.job}): {word}"


def waiting_job_said(reason: str | None, *, tried: bool, worker_alive: bool) -> str:
    """A print job waiting to print, told again to print now (``ticket reprint`` of a ticket
    whose job has not printed): what its tries and the worker show, as :func:`just_queued_word`
    says a job a command just queued, and who tries it next. Never "the printer is back" or
    "trying again" unless a worker runs to try it."""
    word = just_queued_word(PrintState.QUEUED, reason, tried=tried, worker_alive=worker_alive)
    if not worker_alive:
        return f"{word}; no printer worker is running, so it prints once one starts"
    return word if tried else f"{word}; the printer worker tries it now"


def backoff(attempts: int, first: float, cap: float) -> float:
    """Seconds before the next try after ``attempts`` failed tries: ``first``, then doubled each
    time, never more than ``cap``. The one retry rule of printers, the board and messages."""
    return float(min(cap, first * 2 ** max(0, attempts - 1)))


def print_backoff(attempts: int, first: float = 2.0, cap: float = 60.0) -> float:
    """Seconds before the next try on a printer: 2, 4, 8... up to a minute."""
    return backoff(attempts, first, cap)


WAITING_TICKET_RETRY_SECONDS = 30.0
"""The longest pause between tries of a ticket's paper once its printer's tries
(``printing.attempts``) are spent and no fallback printer takes it: it is tried again at this
pause for as long as its ticket waits or is called, so it prints by itself once the printer is
back, as the desks are told (a slip or a summary fails then, and the team leader is asked). A
ticket that ends meanwhile has its paper settled unprinted, never printed late."""


def waiting_ticket_retry(attempts: int, first: float) -> float:
    """Seconds before the next try of a waiting ticket's paper after ``attempts`` failed tries,
    its printer's tries spent (:data:`WAITING_TICKET_RETRY_SECONDS`)."""
    return min(print_backoff(attempts, first), WAITING_TICKET_RETRY_SECONDS)


BOARD_RETRY_CAP = 60.0
"""The longest wait between tries on a board that does not open or take a frame: its retries
start at ``board.poll_seconds`` and double up to this."""


def board_backoff(failures: int, poll_seconds: float) -> float:
    """Seconds before the next try on a board after ``failures`` failed tries in a row."""
    return backoff(failures, poll_seconds, max(poll_seconds, BOARD_RETRY_CAP))


# Serial lines -----------------------------------------------------------------------------------


def bits_per_byte(bytesize: int = 8, parity: str = "N", stopbits: float = 1) -> int:
    """Bits on the line per byte: start bit, data, parity, stop bits (8N1: 10)."""
    return 1 + bytesize + (0 if parity.upper().startswith("N") else 1) + math.ceil(stopbits)


def line_seconds(size: int, baudrate: float, bits: int = 10) -> float:
    """How long ``size`` bytes take on the line: bytes x bits / baud (8N1: bytes x 10 / baud)."""
    return size * bits / baudrate


def serial_timeouts(
    size: int, baudrate: float, margin: float, bits: int = 10
) -> tuple[float, float]:
    """``(write, reply)`` timeouts for a job of ``size`` bytes: writing may take the job's line
    time (and a quarter more for a printer that pauses its flow) plus the margin; the status
    reply comes after the printer took the whole job, so it too waits the line time plus the
    margin."""
    transfer = line_seconds(size, baudrate, bits)
    return transfer * 1.25 + margin, transfer + margin


# What a desk is told ----------------------------------------------------------------------------

DEVICE_OK = ("ok", "paper near end")
NOT_CHECKED = "not checked yet"
"""A device its working owner has not asked yet (nor sent to): neither fine nor a fault."""
NO_PRINTER = "none at this desk"
SHORTEST_DEVICE_WORDS = {
    NOT_CHECKED: "unchecked",
    NO_PRINTER: "none",
    "paper near end": "paper low",
    "printer error": "error",
    "not answering": "no answer",
    "cannot tell": "unknown",
}
"""The shortest form of each of a printer's or board's words that has a shorter one, for a
narrow status bar (with the device's label before it: "Printer: unchecked"); the others
("ok", "sent", "paper out", "offline", "unreachable") are short already."""

BOARD_SENT = "sent"
"""A serial board's state once a frame went out to its port. Boards never answer (no protocol
we use has a reply), so a write that worked is all that is known: never "ok", which is kept for
a device that answered (a capture file is the device itself: written is ok)."""
BOARD_UNANSWERED = "a board does not reply"
"""Why a board that took a frame is "sent" and not "ok": said by the desks and by doctor."""


def board_status(transport: str) -> str:
    """The status recorded once a frame went out on ``transport``."""
    return "ok" if transport == "capture" else BOARD_SENT


@dataclass(frozen=True, slots=True)
class DeviceReading:
    """The owner's last word on one device, from the database."""

    status: str
    detail: str | None
    checked_seconds: float
    """Seconds since it was last asked (or sent to)."""


def device_word(reading: DeviceReading | None, worker: WorkerState) -> tuple[str, bool]:
    """``(text, fault)`` for a printer or board in a desk's status area. Nothing is called fine
    unless a working owner of the devices said so: with no worker, the state is unknown."""
    if not worker.alive:
        return worker.describe(), True
    if reading is None:
        return NOT_CHECKED, False
    if reading.status in DEVICE_OK:
        return reading.status, reading.status != "ok"
    if reading.status == BOARD_SENT:
        return f"{BOARD_SENT} ({BOARD_UNANSWERED})", False
    return device_words(reading.status, reading.detail), reading.status != "unknown"


def shorter_words(text: str) -> tuple[str, str]:
    """Shorter forms of a device's words for a narrow status bar: without the detail in
    brackets ("unreachable (connection refused)": "unreachable"), then the fewest words that
    still say it ("no device worker running": "no worker"; "not checked yet": "unchecked")."""
    short = text.partition(" (")[0].partition(": ")[0]
    least = "no worker" if short.startswith(NO_WORKER) else short.partition(", ")[0]
    if short.startswith(NOT_ANSWERING):
        least = "worker not answering"
    return short, SHORTEST_DEVICE_WORDS.get(least, least)


def needing_answer_words(failed: list[str], uncertain: list[str]) -> tuple[str, str, str]:
    """A desk's print jobs that need an answer, summed up for its status bar (the question at
    the desk gives each one's detail), from the longest form to the shortest: "ticket T001 not
    printed" or "2 not printed, 1 may not have printed"; "2 not printed, 1 unsure"; "3"."""

    def said(names: list[str], words: str) -> str:
        return f"{names[0]} {words}" if len(names) == 1 else f"{len(names)} {words}"

    not_printed = JOB_WORDS[PrintState.FAILED]
    full = [said(failed, not_printed)] if failed else []
    full += [said(uncertain, JOB_WORDS[PrintState.UNCERTAIN])] if uncertain else []
    short = [f"{len(failed)} {not_printed}"] if failed else []
    short += [f"{len(uncertain)} unsure"] if uncertain else []
    return ", ".join(full), ", ".join(short), str(len(failed) + len(uncertain))
