"""The mail server and GOV.UK Notify as the worker last found them, the way a printer's state
is kept: each try through a sender is recorded (:func:`recorder`), and the team leader's status
line, ``doctor`` and ``alerts list`` say it (:func:`senders_said`), with the messages waiting
for another try: "Email: cannot reach the mail server (connection refused) since 01:13 (2
waiting)". A sender nobody has tried is "not tried yet (unknown)", never ok; with no worker
running, the worker's state is said instead (nobody is trying).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.calendar import local, time_said
from oss_desk.domain.send_faults import SENDER_LABELS, SenderWords, sender_words
from oss_desk.errors import OssDeskError
from oss_desk.storage.sender_states import record_sender, sender_states, waiting_again

if TYPE_CHECKING:
    from oss_desk.domain.delivery import WorkerState
    from oss_desk.services.senders import Found, SendFault
    from oss_desk.services.session import Session

log = logging.getLogger("oss_desk.worker")


def state_after(fault: SendFault | None) -> str:
    """A sender's state after one try: ``ok`` (accepted; or refused for this message alone,
    such as an address: the server answered), ``failed`` (a fault for staff: a refused login
    or key) or ``retrying`` (it could not be reached, or asked to be tried later)."""
    if fault is None:
        return "ok"
    if fault.alert:
        return "failed"
    return "retrying" if fault.retry else "ok"


_KEPT: dict[tuple[int, str], tuple[Session, str, str | None, str]] = {}
"""Senders' states the database could not take when found, by (thread, sender): the session,
status, detail and when; written with the thread's next outcome (:func:`write_kept`)."""


def recorder(session: Session, via: str) -> Found:
    """What a sender (``via``: ``smtp``, ``notify``) tells how each send went: kept as its
    state. A database that cannot take it now (locked by another process) has it kept and
    written once it can, with the send's outcome (:func:`write_kept`), never in the send's way:
    a message the server accepted must be recorded sent by its lane (raising here would have it
    sent again)."""

    def found(fault: SendFault | None) -> None:
        status = state_after(fault)
        detail = fault.reason if fault is not None and status != "ok" else None
        now = format_instant(session.clock.now())
        _KEPT[(threading.get_ident(), via)] = (session, status, detail, now)  # (the latest)
        write_kept()

    return found


def write_kept() -> None:
    """The senders' states this thread found and could not write yet, written now (as an
    outcome is: :func:`oss_desk.services.outcome_writes.write_until_taken` calls this once the
    database took it); refused again, kept (said in the log) for the next time."""
    thread = threading.get_ident()
    for key, (session, status, detail, now) in [(k, v) for k, v in _KEPT.items() if k[0] == thread]:
        via = key[1]
        try:
            with session.store.write() as conn:
                record_sender(conn, via=via, status=status, detail=detail, now=now)
        except sqlite3.ProgrammingError as exc:  # its session is closed: nothing to write with
            log.warning("%s: its state (%s) not recorded: %s", via, status, exc)
        except (sqlite3.Error, OssDeskError) as exc:
            log.warning(
                "%s: its state (%s) kept, written once the database takes it: %s", via, status, exc
            )
            continue
        if _KEPT.get(key, (None,))[1:] == (status, detail, now):
            del _KEPT[key]


def senders_said(
    conn: sqlite3.Connection,
    tz: str,
    now: datetime,
    worker: WorkerState | None = None,
    *,
    every: bool = False,
) -> list[tuple[str, SenderWords]]:
    """``[(label, words), ...]``: each sender the worker has tried or that has messages
    waiting (``every``: both, even when neither), as the worker last found it (``worker``:
    its owner now, when known); since when, with its day when that was not today."""
    states = sender_states(conn)
    waiting = waiting_again(conn)
    said: list[tuple[str, SenderWords]] = []
    for via, label in SENDER_LABELS.items():
        state, count = states.get(via), waiting.get(via, 0)
        if state is None and not count and not every:
            continue
        if worker is not None and not worker.alive and count:
            gone = f"{worker.describe()} ({count} waiting)"
            said.append((label, SenderWords(gone, gone, f"no worker, {count}", True, count)))
            continue
        since = None
        if state is not None:
            began, today = read_instant(state.since), local(now, tz).date()
            since = time_said(began, tz, today, dated=local(began, tz).date() != today)
        status, detail = (state.status, state.detail) if state is not None else (None, None)
        said.append((label, sender_words(status, detail, since, count)))
    return said


def senders_noted(session: Session) -> list[tuple[str, str]]:
    """The notes ``alerts list`` adds, each a sender with messages waiting for another try as
    ``(via, words)``: ``("smtp", "Email: cannot reach the mail server (connection refused)
    since 01:13 (2 waiting)")``, or "Email: no device worker running (2 waiting)" when no
    worker runs to try again, as the team leader's status line says it."""
    from oss_desk.services.delivery import worker_state  # the device owner's lease and beat

    tz = next((s.timezone for s in session.settings.sites), "Europe/London")  # one host's
    worker = worker_state(session.store)
    with session.store.read() as conn:
        found = senders_said(conn, tz, session.clock.now(), worker)
    via = {label: key for key, label in SENDER_LABELS.items()}
    return [(via[label], f"{label}: {words.text}") for label, words in found if words.worth_saying]


__all__ = ["recorder", "senders_noted", "senders_said", "state_after", "write_kept"]
