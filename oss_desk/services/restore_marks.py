"""What ``db restore`` leaves for ``db check``: the restores this database has been through.

A restore takes the event log back to a backup: the heads written beside the backups made
after that one (``NAME.sqlite.head``) name events the restored log does not hold, or holds
with other hashes once new events are added. That is expected, not tampering. So each restore
appends one line to ``<db>.restores`` beside the database (``2026-12-07T07:27:30.123456+00:00
event 17 sha256 ab12...``: when, by the real clock, and the restored log's head then), and
``db check`` reads a backup whose head is gone as "made before a restore" when it was made
(its file's time, the one rule :func:`oss_desk.services.backups.prune` uses) before a restore
whose head the log still holds. A head gone with no such restore is still tampering: an event
removed, or the chain rewritten.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.services.backup_files import backups_in
from oss_desk.storage import maintenance as m
from oss_desk.storage.incarnation import head_file
from oss_desk.storage.maintenance import read_head_file

MARKS_SUFFIX = ".restores"


@dataclass(frozen=True)
class RestoreMark:
    """One restore: when (real clock) and the event log's head it left."""

    at: datetime
    event_id: int
    sha256: str


@dataclass
class Anchors:
    """What the backups' heads say of the database's event log."""

    problems: list[str]
    """Heads the log no longer holds with no restore to explain it: tampering."""
    notes: list[str]
    """Heads of backups made before a restore that took the log back past them: expected."""


def marks_file(db: Path) -> Path:
    return db.with_name(db.name + MARKS_SUFFIX)


def mark_restore(db: Path) -> None:
    """Record beside ``db``, just put in place by a restore, that it was restored now and its
    event log's head. A file made before the event log was chained has no head: nothing to
    say."""
    try:
        head = m.event_head(db, readonly=False)
    except sqlite3.Error:
        return
    if head is None:
        return
    stamp = datetime.now(UTC).isoformat(timespec="microseconds")
    line = f"{stamp} event {head[0]} sha256 {head[1].hex()}\n"
    fd = os.open(marks_file(db), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_marks(db: Path) -> list[RestoreMark]:
    """The restores recorded beside ``db``, oldest first (unreadable lines left out)."""
    try:
        lines = marks_file(db).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    found: list[RestoreMark] = []
    for line in lines:
        words = line.split()
        if len(words) != 5 or words[1] != "event" or not words[2].isdigit():
            continue
        try:
            at = datetime.fromisoformat(words[0]).astimezone(UTC)
        except ValueError:
            continue
        found.append(RestoreMark(at, int(words[2]), words[4]))
    return found


def anchors(db: Path, folder: Path) -> Anchors:
    """The heads written beside the backups of ``db`` in ``folder`` that its event log no
    longer holds: a problem, or a note when a later restore explains it."""
    found = Anchors([], [])
    heads = {b: read_head_file(head_file(b)) for b in backups_in(folder, db.stem)}
    held = [k for k in read_marks(db) if _holds(db, k.event_id, k.sha256)]
    for backup, recorded in heads.items():
        if recorded is None:
            continue
        event_id, wanted = recorded
        stored = m.event_hash(db, event_id)
        if stored is not None and stored.hex() == wanted:
            continue
        made = _made(backup)
        mark = next((k for k in held if made is not None and k.at.timestamp() > made), None)
        if mark is not None:
            found.notes.append(_before_restore(backup, event_id, mark, heads))
        elif stored is None:
            found.problems.append(
                f"event log: event {event_id}, the head when {backup.name} was made, is gone "
                "(events were removed since)"
            )
        else:
            found.problems.append(
                f"event log: event {event_id} no longer has the hash recorded beside "
                f"{backup.name} (the log was rewritten since that backup)"
            )
    return found


def _before_restore(
    backup: Path, event_id: int, mark: RestoreMark, heads: dict[Path, tuple[int, str] | None]
) -> str:
    restored = next(
        (b.name for b, h in heads.items() if h == (mark.event_id, mark.sha256)),
        f"a backup whose newest event is {mark.event_id}",
    )
    return (
        f"event log: {backup.name} (head event {event_id}) was made before the restore of "
        f"{restored} at {mark.at:%Y-%m-%d %H:%M}Z: the log was taken back to that backup, so "
        "its head is not in it (expected)"
    )


def _holds(db: Path, event_id: int, sha256: str) -> bool:
    stored = m.event_hash(db, event_id)
    return stored is not None and stored.hex() == sha256


def _made(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


__all__ = ["Anchors", "RestoreMark", "anchors", "mark_restore", "marks_file", "read_marks"]
