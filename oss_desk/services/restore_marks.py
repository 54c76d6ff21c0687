"""What ``db restore`` leaves for ``db check``: the restores this database has been through.

A restore takes the event log back to a backup: the heads written beside the backups made
after that one (``NAME.sqlite.head``) name events the restored log does not hold, or holds
with other hashes once new events are added. That is expected, not tampering. So each restore
records itself in the restored copy's own log, before it is put in place (a
``database_restored`` event: the backup's file name and head, the replaced log's head, and
when by the real clock), and appends one line to ``<db>.restores`` beside the database
(``2026-12-07T07:27:30.123456+00:00 event 17 sha256 ab12... restore 15``: that time, the
restored log's head then, and the restore's event). ``db check`` reads a backup whose head is
gone as "made before a restore" when its own log does not hold that restore's event (a backup
made after it was copied from the restored log, so it does; told by the logs, never by clocks,
which a host's clock stepped back would mislead), of a restore whose line matches its event
(same time, the backup's head still in the log) and whose head the log still holds. A line
alone is not a restore (review33: one line appended by hand excused events deleted): a head
gone with no such restore is still tampering, an event removed or the chain rewritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from oss_desk.clock import Clock
from oss_desk.domain.models import EventKind
from oss_desk.domain.plurals import counted
from oss_desk.services.backup_files import backups_in
from oss_desk.services.events import record_event
from oss_desk.services.session import open_session
from oss_desk.storage import chain
from oss_desk.storage import maintenance as m
from oss_desk.storage.incarnation import head_file
from oss_desk.storage.maintenance import read_head_file
from oss_desk.storage.upgrade_mark import GONE, UpgradeMark, upgrade_mark

MARKS_SUFFIX = ".restores"


@dataclass(frozen=True)
class Restored:
    """A restore's own event in the restored copy's log, and when (real clock) it was."""

    event_id: int
    stamp: str


@dataclass(frozen=True)
class RestoreMark:
    """One restore: when (real clock), the event log's head it left and its own event."""

    at: datetime
    event_id: int
    sha256: str
    stamp: str = ""
    """``at`` as written (its event's ``restored_at``)."""
    restore_event: int | None = None
    """The restore's ``database_restored`` event (None: a line that names none)."""
    backup: str = ""
    """The file name of the backup restored, as its event says."""
    backup_head: int = 0
    """The backup's own head event (before the re-applied erasures), as its event says."""


@dataclass
class Anchors:
    """What the backups' heads say of the database's event log."""

    problems: list[str]
    """Heads the log no longer holds with no restore to explain it: tampering."""
    notes: list[str]
    """Heads of backups made before a restore that took the log back past them: expected."""


def marks_file(db: Path) -> Path:
    return db.with_name(db.name + MARKS_SUFFIX)


def record_restore(
    staged: Path, clock: Clock, person: str | None, backup: Path, replaced: tuple[int, bytes] | None
) -> Restored | None:
    """Record in the restored copy at ``staged`` (not yet in place) that ``backup`` is being
    restored over a database whose log's head was ``replaced`` (None: not known), recorded
    against ``person``. None: a file whose event log is not chained (nothing to record)."""
    head = m.event_head(staged, readonly=False)
    if head is None:
        return None
    stamp = datetime.now(UTC).isoformat(timespec="microseconds")
    data: dict[str, object] = {
        "backup": backup.name,
        "backup_head": {"event": head[0], "sha256": head[1].hex()},
        "replaced_head": None
        if replaced is None
        else {"event": replaced[0], "sha256": replaced[1].hex()},
        "restored_at": stamp,
    }
    session = open_session(db=staged, clock=clock, person=person, host=True, typed=True)
    try:
        with session.store.write() as conn:
            event = record_event(
                conn, None, clock.now(), EventKind.DATABASE_RESTORED, session.actor, data=data
            )
    finally:
        session.close()
    return Restored(event, stamp)


def mark_restore(db: Path, restored: Restored | None) -> None:
    """Record beside ``db``, just put in place by a restore, the restore's event and its event
    log's head. Nothing when the restore recorded no event (a log not chained)."""
    if restored is None:
        return
    try:
        head = m.event_head(db, readonly=False)
    except sqlite3.Error:
        return
    if head is None:
        return
    line = f"{restored.stamp} event {head[0]} sha256 {head[1].hex()} restore {restored.event_id}\n"
    fd = os.open(marks_file(db), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_marks(db: Path) -> list[RestoreMark]:
    """The restores recorded beside ``db``, oldest first (unreadable lines left out; a line
    that names no restore event is read, but matches none)."""
    try:
        lines = marks_file(db).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    found: list[RestoreMark] = []
    for line in lines:
        words = line.split()
        if len(words) not in (5, 7) or words[1] != "event" or not words[2].isdigit():
            continue
        restore = int(words[6]) if len(words) == 7 and words[6].isdigit() else None
        try:
            at = datetime.fromisoformat(words[0]).astimezone(UTC)
        except ValueError:
            continue
        found.append(RestoreMark(at, int(words[2]), words[4], words[0], restore))
    return found


def _recorded(db: Path, mark: RestoreMark) -> RestoreMark | None:
    """``mark`` with its backup's name and head, when the log still holds the head it names
    and the restore's own event before it: a ``database_restored`` event of the same time
    whose backup's head the log holds. None: no such restore."""
    if mark.restore_event is None or mark.restore_event > mark.event_id:
        return None
    try:
        with contextlib.closing(m.connect_file(db, readonly=True)) as conn:
            head = chain.hash_at(conn, mark.event_id)
            event = chain.event_at(conn, mark.restore_event)
            if head is None or head.hex() != mark.sha256 or event is None:
                return None
            kind, data, _ = event
            said = json.loads(data or "{}")
            if kind != EventKind.DATABASE_RESTORED or said.get("restored_at") != mark.stamp:
                return None
            backup = int(said["backup_head"]["event"])
            held = chain.hash_at(conn, backup)
            if held is None or held.hex() != said["backup_head"]["sha256"]:
                return None
            return replace(mark, backup=str(said.get("backup", "")), backup_head=backup)
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        return None


def _logged(db: Path) -> list[RestoreMark]:
    """The restores the log of ``db`` records itself (its ``database_restored`` events whose
    backup's head it still holds), oldest first, as marks left at their own event: a restore
    stopped after its copy was put in place and before its line was written beside it (a
    kill -9, a power cut) is still a restore (a review: ``db check`` called it tampering)."""
    found: list[RestoreMark] = []
    try:
        with contextlib.closing(m.connect_file(db, readonly=True)) as conn:
            rows = conn.execute(
                "SELECT id, data FROM events WHERE kind = ? ORDER BY id",
                [EventKind.DATABASE_RESTORED.value],
            ).fetchall()
            for event_id, data in rows:
                said = json.loads(data or "{}")
                backup = int(said["backup_head"]["event"])
                held = chain.hash_at(conn, backup)
                own = chain.hash_at(conn, event_id)
                if held is None or own is None or held.hex() != said["backup_head"]["sha256"]:
                    continue
                stamp = str(said["restored_at"])
                at = datetime.fromisoformat(stamp).astimezone(UTC)
                found.append(
                    RestoreMark(
                        at,
                        event_id,
                        own.hex(),
                        stamp,
                        event_id,
                        str(said.get("backup", "")),
                        backup,
                    )
                )
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        return []
    return found


def _since(db: Path) -> UpgradeMark | None:
    """The upgrade's mark of ``db`` (:mod:`oss_desk.storage.upgrade_mark`); None: an older
    release's database, not yet upgraded. :data:`GONE` (no line predates it) when the mark was
    removed or cannot be read, or when the log no longer holds the event it names: a restore
    under an older release came before the upgrade, so every event the upgrade saw is still in
    the log. A restore since brings its backup's own mark (a backup from before the upgrade is
    upgraded as it is restored, marked at its own head), so no restore explains that event
    gone either."""
    try:
        with contextlib.closing(m.connect_file(db, readonly=True)) as conn:
            since = upgrade_mark(conn)
    except sqlite3.Error:
        return GONE
    if since is None or since.event_id == 0 or m.event_hash(db, since.event_id) is not None:
        return since
    return GONE


def _older(
    db: Path,
    heads: dict[Path, tuple[int, str] | None],
    since: UpgradeMark | None,
    mark: RestoreMark,
) -> RestoreMark | None:
    """``mark`` when it is a line an older release wrote (no restore event named), before this
    release first ran here (``since``: :func:`_since`), of a head at or before the newest event
    then, and the log still holds that head: with the backup whose head it is, when that backup
    is still there. None: not such a line."""
    if mark.restore_event is not None:
        return None
    if since is not None and (mark.event_id > since.event_id or mark.at >= since.at):
        return None
    held = m.event_hash(db, mark.event_id)
    if held is None or held.hex() != mark.sha256:
        return None
    named = next((b for b, h in heads.items() if h == (mark.event_id, mark.sha256)), None)
    return replace(mark, backup="" if named is None else named.name, backup_head=mark.event_id)


def _older_said(db: Path, mark: RestoreMark) -> str:
    return (
        f"{marks_file(db).name}: the restore at {mark.at:%Y-%m-%d %H:%M}Z was made by a release "
        "before restores recorded themselves in the event log, so only its line tells of it: "
        f"the log still holds the head the line names (event {mark.event_id}, same hash) and "
        "the line was written before this release first ran here; more cannot be checked"
    )


def anchors(db: Path, folder: Path) -> Anchors:
    """The heads written beside the backups of ``db`` in ``folder`` that its event log no
    longer holds: a problem, or a note when a later restore explains it."""
    found = Anchors([], [])
    heads = {b: read_head_file(head_file(b)) for b in backups_in(folder, db.stem)}
    lines = read_marks(db)
    held = [k for k in map(partial(_recorded, db), lines) if k is not None]
    older = [k for k in map(partial(_older, db, heads, _since(db)), lines) if k is not None]
    found.notes += [_older_said(db, k) for k in older]
    held += older
    stray = len(lines) - len(held)
    lined = {k.restore_event for k in held if k.restore_event is not None}
    held += [k for k in _logged(db) if k.restore_event not in lined]
    for backup, recorded in heads.items():
        if recorded is None:
            continue
        event_id, wanted = recorded
        stored = m.event_hash(db, event_id)
        if stored is not None and stored.hex() == wanted:
            continue
        mark = next((k for k in held if _made_before(db, backup, k)), None)
        if mark is not None:
            found.notes.append(_before_restore(backup, event_id, mark))
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
    if found.problems and stray:
        one = stray == 1
        found.problems.append(
            f"{marks_file(db).name}: {counted(stray, 'line')} there "
            f"{'matches' if one else 'match'} no restore recorded in the event log (each "
            "restore records itself there): written by hand, or by a release before restores "
            f"did, {'it explains' if one else 'they explain'} nothing"
        )
    return found


def _before_restore(backup: Path, event_id: int, mark: RestoreMark) -> str:
    return (
        f"event log: {backup.name} (head event {event_id}) was made before the restore of "
        f"{mark.backup or 'a backup'} (head event {mark.backup_head}) at "
        f"{mark.at:%Y-%m-%d %H:%M}Z, which left the log at event {mark.event_id}: the log was "
        "taken back to that backup, so its head is not in it (expected)"
    )


def _made_before(db: Path, backup: Path, mark: RestoreMark) -> bool:
    """Whether ``backup`` was made before the restore ``mark``: told by its own event log, not
    by clocks (a review: after the host's clock was stepped back, a backup's file time was later
    than the restore's, and the restore was called tampering). A backup made after a restore
    was copied from the restored log, so it holds the restore's own event with the hash this
    log holds there; one made before it does not. A line an older release wrote names no
    event: by the backup's file time then, as that release's restores were told."""
    if mark.restore_event is None:
        made = _made(backup)
        return made is not None and mark.at.timestamp() > made
    ours = m.event_hash(db, mark.restore_event)
    try:
        with contextlib.closing(m.connect_file(backup)) as conn:  # rw: a WAL file left as is
            theirs = chain.hash_at(conn, mark.restore_event)
    except (sqlite3.Error, OSError):
        made = _made(backup)  # a backup that cannot be read: by its file time
        return made is not None and mark.at.timestamp() > made
    return ours is None or theirs != ours


def _made(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


__all__ = [
    "Anchors",
    "RestoreMark",
    "Restored",
    "anchors",
    "mark_restore",
    "marks_file",
    "read_marks",
    "record_restore",
]
