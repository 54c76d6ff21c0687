"""Notes beside the database of messages a provider accepted whose outcome a stopping worker
could not write.

The worker stops (SIGTERM) while the database is locked past the busy timeout and a message's
"sent" is known only in memory. Lost, the next owner finds the row handed over and sends it
again. So as the stop is seen the worker notes it, before it tries the write again for a short
grace (:mod:`oss_desk.services.outcome_writes`): one small file per message,
``<database>.accepted.<table>.<row>``, written whole (a temporary file, fsync, rename, fsync of
the folder), so a power cut after the stop cannot lose it either. It holds what was accepted
(the provider's id), the row's hand-over stamp and the row's own reference (random, given to the
provider), so that a note never speaks for another row that has the same id (a database
restored from a backup, or put in place by hand). The next owner reads it before it treats the
row as maybe accepted (:meth:`oss_desk.worker.leased.LeasedDelivery.recover`): it records the
message sent, never sends it again, and removes the note. A note whose outcome was written
after all is removed by the writer; one left over (the process ended first), or of a send its
row no longer holds, is removed by the next owner as it takes over (:func:`sweep`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

INFIX = ".accepted."


@dataclass(frozen=True)
class AcceptedNote:
    """The note of one accepted message (row ``row_id`` of ``table``) beside database ``db``."""

    db: Path
    table: str
    row_id: int
    handed_over_at: str | None
    provider: str | None
    reference: str | None = None
    """The row's reference (random): the send this note speaks for, whatever the row's id."""

    @property
    def path(self) -> Path:
        return note_path(self.db, self.table, self.row_id)

    def leave(self) -> bool:
        """Written durably (True); False: the disk refused (the next owner's rule applies)."""
        data = json.dumps(
            {
                "status": "sent",
                "provider": self.provider,
                "handed_over_at": self.handed_over_at,
                "reference": self.reference,
            }
        ).encode("utf-8")
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            try:
                if os.write(fd, data) != len(data):
                    raise OSError("short write")
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, self.path)
            folder = os.open(self.path.parent, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()
            return False
        return True

    def forget(self) -> None:
        forget(self.db, self.table, self.row_id)


def note_path(db: Path, table: str, row_id: int) -> Path:
    return db.with_name(f"{db.name}{INFIX}{table}.{row_id}")


def accepted(
    db: Path, table: str, row_id: int, handed_over_at: str | None, reference: str | None = None
) -> str | None:
    """The provider's id noted for row ``row_id`` of ``table`` with ``reference`` handed over at
    ``handed_over_at`` ("" where the provider gave none); None: no note of that hand-over (none,
    unreadable, or of another row that had the same id: another reference). A note that names
    no reference (left by an earlier version) goes by the hand-over stamp alone."""
    try:
        given = json.loads(note_path(db, table, row_id).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(given, dict) or given.get("status") != "sent":
        return None
    if given.get("handed_over_at") != handed_over_at:
        return None
    if given.get("reference", reference) != reference:
        return None
    provider = given.get("provider")
    return provider if isinstance(provider, str) else ""


def forget(db: Path, table: str, row_id: int) -> None:
    with contextlib.suppress(OSError):
        note_path(db, table, row_id).unlink()


def set_aside(db: Path, kept: Path | None) -> int:
    """The notes of database ``db``, as another file takes its place (a restore): they speak of
    its rows, not of the new one's rows that may have the same ids, so they go with the copy
    kept of it (``kept``), or are dropped where none is kept. Returns how many."""
    moved = 0
    for note in db.parent.glob(f"{db.name}{INFIX}*"):
        with contextlib.suppress(OSError):
            if kept is None:
                note.unlink()
            else:
                os.replace(note, kept.with_name(kept.name + note.name[len(db.name) :]))
            moved += 1
    return moved


SENT_TABLES = frozenset({"messages", "report_mails", "feedback_texts", "followup_messages"})
"""The outboxes whose accepted sends are noted (their rows have a status and a reference)."""


@dataclass(frozen=True)
class NoteFound:
    """A note beside the database: of row ``row_id`` of ``table``, left at ``left_at`` (the
    file's time, seconds since the epoch); ``waiting``: its row is still to be recorded (not
    yet settled), else it is left over (its message recorded already)."""

    path: Path
    table: str
    row_id: int
    left_at: float
    waiting: bool
    """Its row is still to be recorded (pending, or being sent) and the note is of that row's
    own hand-over (:func:`accepted`): the next owner records it from the note. Else the note
    speaks for no send to record (one recorded already, a row gone, another send in the row)."""


def found_beside(db: Path, conn: sqlite3.Connection) -> list[NoteFound]:
    """The notes beside database ``db`` (read through ``conn``), oldest first."""
    found = []
    for path in db.parent.glob(f"{db.name}{INFIX}*"):
        table, _, row = path.name[len(db.name) + len(INFIX) :].rpartition(".")
        if table not in SENT_TABLES or not row.isdigit():
            continue  # (a temporary file mid-write, or not one of ours)
        try:
            left_at = path.stat().st_mtime
        except OSError:
            continue  # (recorded and removed meanwhile)
        held = conn.execute(
            f"SELECT status, handed_over_at, reference FROM {table} "  # noqa: S608 - SENT_TABLES
            "WHERE id = ?",
            [int(row)],
        ).fetchone()
        waiting = (
            held is not None
            and held[0] in ("pending", "sending")
            and accepted(db, table, int(row), held[1], held[2]) is not None
        )
        found.append(NoteFound(path, table, int(row), left_at, waiting))
    return sorted(found, key=lambda note: note.left_at)


def sweep(db: Path, conn: sqlite3.Connection) -> list[str]:
    """Remove the notes beside database ``db`` that speak for no send still to be recorded
    (:attr:`NoteFound.waiting`): one whose worker ended after recording its send and before
    removing it, or of a send its row no longer holds. Nothing would ever read them; left,
    each stayed beside the database for ever. The owner of the devices does this as it takes
    over, after recording what the notes still waiting say. Returns the names removed."""
    removed = []
    for note in found_beside(db, conn):
        if not note.waiting:
            with contextlib.suppress(FileNotFoundError):
                note.path.unlink()
            removed.append(note.path.name)
    return removed


__all__ = [
    "AcceptedNote",
    "NoteFound",
    "accepted",
    "forget",
    "found_beside",
    "note_path",
    "set_aside",
    "sweep",
]
