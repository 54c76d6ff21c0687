"""Looking after the database: checks, restores and the retention purge (backups:
:mod:`oss_desk.services.backups`).

* ``check``: integrity, foreign keys, the event log's triggers and the schema, one line per
  problem.
* ``restore``: verifies the backup, refuses while the database is in use, keeps the replaced
  database as ``<db>.before-restore-<stamp>`` and puts the backup in its place atomically.
* ``RetentionService.purge``: deletes personal data past its retention period, and records
  what it did (counts only) in the event log (:mod:`oss_desk.services.retention`; given here
  too).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from oss_desk import errors, files
from oss_desk.clock import Clock, format_instant
from oss_desk.config_cache import cache_path
from oss_desk.domain.calendar import business_day
from oss_desk.domain.codes import numbering_floor, parse_last_code
from oss_desk.domain.delivery import holder_said, print_state
from oss_desk.domain.models import format_code
from oss_desk.errors import InvalidInput, NotFound, RuleViolation, StorageError
from oss_desk.paths import default_backup_folder
from oss_desk.services.backup_files import BACKUP_NAME
from oss_desk.services.backups import stamp_of
from oss_desk.services.identity_refusal import not_kept
from oss_desk.services.kept_copies import (
    hold_staging,
    release_staging,
    remove_leftovers,
    staged_path,
)
from oss_desk.services.report_days import rollup_problems
from oss_desk.services.restore_erasures import check_person, erase_again
from oss_desk.services.restore_marks import Restored, anchors, mark_restore, record_restore
from oss_desk.services.restore_result import RestoreResult
from oss_desk.services.retention import DAY_PERIODS as DAY_PERIODS  # (the purge: its own module)
from oss_desk.services.retention import PurgeResult as PurgeResult
from oss_desk.services.retention import RetentionService as RetentionService
from oss_desk.services.retention import open_followups_due as open_followups_due
from oss_desk.services.retention import purge_followup_details as purge_followup_details
from oss_desk.services.session import IdentityRefused
from oss_desk.storage import maintenance as m
from oss_desk.storage import replaced
from oss_desk.storage.accepted_notes import set_aside
from oss_desk.storage.database import upgrade_copy
from oss_desk.storage.facts_check import facts_problems
from oss_desk.storage.holders import server_of
from oss_desk.storage.incarnation import copy_problems, stamp_file
from oss_desk.storage.lease import WorkerLock, lock_held
from oss_desk.storage.wal_frames import wal_ticket_counters
from oss_desk.storage.writelock import lock_path

# Check --------------------------------------------------------------------------------------------


def check(db: Path, *, quick: bool = False, folder: Path | None = None) -> m.Inspection:
    """Problems with the database file (never changes it): integrity, foreign keys, the event
    log's triggers and hash chain, the schema; and whether the heads written beside this
    database's backups (in ``folder``, by default ``backups/`` beside it) are still in its
    chain: a chain rewritten from an edited event onwards, or cut short, no longer holds them;
    and (not with ``quick``) that what the reports read is what the events say."""
    if not db.exists():
        found = m.Inspection(db)
        found.problems.append(f"{db}: no such file")
        return found
    # First, and then read-only: a writer's close would fold in a stale WAL beside a copy.
    copied = copy_problems(db) if BACKUP_NAME.match(db.name) is None else []
    # What the reports read, related to the event log: in a second thread while SQLite's
    # integrity check runs in this one (neither holds Python's lock while SQLite works); not
    # with ``quick``, which says so (the whole event log is worked through again).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="facts") as pool:
        facts = None if quick else pool.submit(_facts, db)
        found = m.inspect(db, quick=quick, counts=False, readonly=bool(copied))
    found.problems[:0] = copied
    if found.chain is not None and found.chain.ok:
        held = anchors(db, folder or default_backup_folder(db))
        found.problems.extend(held.problems)
        found.notes.extend(held.notes)
    if found.integrity == "ok" and facts is not None:
        found.problems.extend(facts.result())
    return found


def _facts(db: Path) -> list[str]:
    """:func:`facts_problems` and :func:`rollup_problems`, or none when the file cannot be
    read so (the inspection says what is wrong with it)."""
    try:
        return facts_problems(db) + rollup_problems(db)
    except sqlite3.Error:
        return []


def anchor_problems(db: Path, folder: Path) -> list[str]:
    """The backups' recorded heads that the database's event log no longer holds, with no
    restore to explain it (:func:`oss_desk.services.restore_marks.anchors`)."""
    return anchors(db, folder).problems


# Restore ------------------------------------------------------------------------------------------


def in_use(db: Path, *, server: bool = False) -> str | None:
    """Who is using the database, if this can be told: the device worker's lock, another
    process holding the database open, or (``server``) a running ``oss-desk serve``, which
    opens it only for a moment but starts desks on it. None: nobody that we can see."""
    if lock_held(db):
        holder = WorkerLock.holder(db)
        # The holder of the devices' lock: the worker, or a desk app standing in for it.
        who = "the device worker, or a desk app standing in for it"
        return who + (f" ({holder_said(holder)})" if holder else "")
    pid = m.shm_holder(db)
    if pid is not None:
        return f"another process (process {pid})"
    pid = server_of(db) if server else None
    if pid is not None:
        return f"`oss-desk serve`, the browser desks' server (process {pid})"
    return None


def restore(
    db: Path,
    source: Path,
    clock: Clock,
    *,
    force: bool = False,
    last_codes: Sequence[str] = (),
    skip_ahead: int | None = None,
    person: str | None = None,
) -> RestoreResult:
    """Put a verified backup in place of the database, keeping the old one beside it.

    Today's numbering carries on after the last codes the replaced database gave out; when
    they cannot be read, only after the operator's word: ``last_codes`` (the last code on paper
    of a service, ``C028``) or ``skip_ahead`` (every service that many numbers past the
    backup's), and without either nothing is restored. The erasures made after the backup are
    made again on the restored database, recorded against ``person``."""
    given: dict[str, int] = {}
    for code in last_codes:
        service, number = parse_last_code(code)
        if service in given:  # review 21: the later one silently won, even a lower one
            raise InvalidInput(
                f"--last-code {code}: service {service} given twice (once per service: its last "
                "code on paper)"
            )
        given[service] = number
    if skip_ahead is not None and skip_ahead < 0:
        raise InvalidInput(f"--skip-ahead {skip_ahead}: give a number of tickets, 0 or more")
    source = source.expanduser()
    db = db.expanduser()
    if not source.is_file():
        what = "a folder, not a backup file" if source.is_dir() else "no such backup file"
        raise (InvalidInput if source.exists() else NotFound)(f"{source}: {what}")
    if source.resolve() == db.resolve():
        raise InvalidInput("that is the database itself: give a backup file")
    found = m.inspect(source, readonly=False)
    # An older release's backup: restored through an upgraded copy (the file stays as it is).
    older = [p for p in found.problems if p.startswith("schema: migrations not applied")]
    if len(older) < len(found.problems):
        raise StorageError(f"{source} is not a usable backup: {found.problems[0]}")
    # (beside its .head, its older schema is a note, not a problem: told from the schema)
    older_schema = bool(found.schema) and not set(m.known_migrations()) <= set(found.schema)
    hand_copy = db.exists() and bool(copy_problems(db))  # before anything opens it
    current = m.office_id_of(db) if db.exists() else None
    same = found.office_id == current
    parted = replaced.office_replaced_after_parting(db, source) if same and db.exists() else None
    same = same and parted is None
    if not force and current is not None and not same:
        raise RuleViolation(
            (
                f"{source} is another office's database, not a backup of this one"
                if parted is None
                else f"{source} is a copy of this office that became another office "
                f"(`init --replace-office`, event {parted[1]} of the {parted[0]})"
            )
            + ": add --force to replace this office with it"
        )
    if not force:
        user = in_use(db)
        if user is not None:
            raise RuleViolation(
                f"the database is in use by {user}: stop the desks and the worker first "
                "(or add --force)"
            )
    checked = check_person(db, clock, person)  # before anything is copied
    stamp = stamp_of(clock.now())
    folder = db.parent
    files.make_private_dir(folder)
    remove_leftovers(db)  # of restores stopped before they finished: whole copies, for good
    staged = staged_path(db, stamp)
    removed: list[Path] = []
    kept: Path | None = None
    upgraded: list[str] = []
    running = hold_staging(staged)  # the copy is this restore's while it runs, not a leftover
    try:
        staged.unlink(missing_ok=True)
        m.create_private(staged)
        try:
            shutil.copyfile(source, staged)
        except OSError as exc:  # a full disk is the database's, not the backup's it names
            raise errors.full_disk_at(exc, f"the database's folder {folder}") from None
        os.chmod(staged, 0o600)
        m.set_journal_mode(staged, "WAL")
        stamp_file(staged, live=True)  # the live database from now on
        if older_schema:
            upgraded = upgrade_copy(staged)
        m.forget_device_owner(staged, format_instant(datetime.now(UTC)))
        again = m.inspect(staged, quick=True, counts=False, chain=older_schema)
        if again.problems:
            raise StorageError(f"the restored copy did not verify ({again.problems[0]})")
        if not checked:  # by the backup's configuration: the database's could not be read
            try:
                check_person(staged, clock, person)
            except IdentityRefused as refused:  # recorded in the copy, which is deleted
                refused.message = not_kept(refused.message)
                refused.args = (refused.message,)
                raise
        # From the read of what the database gave out until the copy is in its place, no desk
        # commits to it (see oss_desk.storage.replaced): every code it gave is carried.
        with replaced.write_turn(db):
            gone = replaced.read_replaced(db, staged if older else source, same=same, parted=parted)
            restored = replaced.ticket_counters(staged)
            carried = {k: n for k, n in (gone.counters or {}).items() if n > restored.get(k, 0)}
            zones, services = replaced.sites_and_services(staged)
            if unknown := sorted(set(given) - set(services)):
                raise InvalidInput(f"--last-code: no service {', '.join(unknown)} at this office")
            days = {site: business_day(clock.now(), tz) for site, tz in zones.items()}
            seen: dict[tuple[str, str, str], int] = {}
            if gone.counters is None:  # what its old WAL still shows of today's numbering
                wal = db.with_name(db.name + "-wal")
                shown = wal_ticket_counters(wal, set(zones), set(services))
                seen = {
                    k: n
                    for k, n in shown.items()
                    if days.get(k[0]) == k[2] and n > restored.get(k, 0)
                }
                if not given and skip_ahead is None:
                    raise RuleViolation(
                        codes_not_known(db, gone.problem, seen, len(zones), gone.backup_copy)
                    )
                carried.update(seen)
            for key, n in numbering_floor(days, services, restored, given, skip_ahead).items():
                if n > max(restored.get(key, 0), carried.get(key, 0)):
                    carried[key] = n
            replaced.raise_ticket_counters(staged, carried)
            settled: dict[str, int] | None = {}
            if db.exists() and (same or current is None):
                if gone.counters is not None:
                    settled = _settle_print_jobs(db, staged)
                elif replaced.jobs_to_print(staged):
                    settled = None  # they may have printed since: not known
            # Recorded in the copy's own log, for `db check` to trust the line beside it.
            restored_event = record_restore(staged, clock, person, source, gone.head)
            # Made on the copy before it is in place: never at the path without them.
            erasures = erase_again(staged, gone, clock, person)
            m.wal_checkpoint(staged)  # closes cleanly: no -wal/-shm left beside the staged copy
            m.fsync_file(staged)
            # Fold the old WAL in, so the kept copy is one file (a damaged database cannot:
            # its -wal is kept beside it instead). A WAL folded in and left empty (a process
            # still had it open, with --force) holds nothing: it goes with the stale files.
            # Not into a copy put over it by hand: that WAL holds the overwritten one's pages.
            if db.exists() and not hand_copy:
                with contextlib.suppress(Exception):
                    m.wal_checkpoint(db)
            kept = _swap(db, staged, folder, stamp, removed, restored_event)
            set_aside(db, kept)  # notes of sends accepted speak of the replaced rows
    finally:
        for leftover in (
            staged,
            staged.with_name(staged.name + "-wal"),
            staged.with_name(staged.name + "-shm"),
            lock_path(staged),  # of the session that made the erasures again on it
            cache_path(staged),
        ):
            leftover.unlink(missing_ok=True)
        release_staging(staged, running)
    today = {site: business_day(clock.now(), tz) for site, tz in (zones | gone.zones).items()}
    return RestoreResult(
        db,
        source,
        kept,
        removed,
        again.schema or found.schema,
        found.counts,
        gone.events,
        gone.newest,
        carried,
        other_office=current is not None and not same,
        today=today,
        forked_at=gone.forked_at,
        upgraded=upgraded,
        codes_known=gone.counters is not None,
        given=given,
        skipped_ahead=skip_ahead,
        print_jobs_settled=settled,
        seen_in_wal=seen,
        lost_bookings=gone.bookings if gone.counters is not None else None,
        erasures=erasures,
    )


def _settle_print_jobs(db: Path, staged: Path) -> dict[str, int] | None:
    """The backup's waiting print jobs that were delivered after it, settled as the replaced
    database recorded them: what was said of them (a :class:`PrintState`) -> how many. None:
    the replaced database's print jobs could not be read."""
    try:
        found = replaced.settle_print_jobs(db, staged)
    except sqlite3.Error:
        return None
    said: dict[str, int] = {}
    for status, confirmed in found:
        state = print_state(status, confirmed).value
        said[state] = said.get(state, 0) + 1
    return said


def codes_said(codes: dict[tuple[str, str, str], int], sites: int) -> str:
    """``C028, W003`` (with each one's site at an office of several sites)."""
    return ", ".join(
        format_code(service, n) + (f" at {site}" if sites > 1 else "")
        for (site, service, _), n in sorted(codes.items())
    )


def codes_not_known(
    db: Path,
    problem: str | None,
    seen: dict[tuple[str, str, str], int],
    sites: int,
    backup_copy: bool = False,
) -> str:
    """Why a restore over a database that cannot be read (or that is only a backup's copy put
    there by hand) waits for the operator's word."""
    why = f" ({problem})" if problem else ""
    what = (
        f"{db} is a backup's copy put in place by hand (its header says so, and no log of what "
        "the office saved after that backup is beside it)"
        if backup_copy
        else f"{db} could not be read{why}"
    )
    wal = (
        f" (its WAL still shows {codes_said(seen, sites)} given out today; a later one may be "
        "on paper)"
        if seen
        else ""
    )
    return (
        f"{what}, so the codes it gave out today are not known{wal} and "
        "numbering must not start again from the backup's (nothing was restored): give the "
        "last ticket code on paper of each service with --last-code (e.g. --last-code C028, "
        "once per service), or add --skip-ahead N to carry every service's numbering today "
        "N past the backup's"
    )


def _swap(
    db: Path,
    staged: Path,
    folder: Path,
    stamp: str,
    removed: list[Path],
    restored: Restored | None = None,
) -> Path | None:
    """Keep the database aside (``<db>.before-restore-<stamp>``, returned) and put ``staged``
    in its place so that the path always names a file: the database is hard-linked to the kept
    name first and its WAL moved beside that, then one ``os.replace`` puts the restored copy
    over it (a desk still open, with --force, finds its file replaced, never missing); then
    the folder made durable. The restore is recorded beside the database for ``db check``
    (:func:`oss_desk.services.restore_marks.mark_restore`)."""
    kept: Path | None = None
    wal, shm = db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")
    if db.exists():
        kept = folder / f"{db.name}.before-restore-{stamp}"
        n = 1
        while kept.exists():
            n += 1
            kept = folder / f"{db.name}.before-restore-{stamp}-{n}"
        try:
            os.link(db, kept)
        except OSError:  # a file system without hard links: moved aside, a moment with none
            os.replace(db, kept)
        if wal.exists() and wal.stat().st_size > 0:
            os.replace(wal, kept.with_name(kept.name + "-wal"))
    # Before the restored copy is at the path: SQLite would read a WAL or index left beside
    # it as its own.
    for stale in (wal, shm, db.with_name(db.name + "-journal")):
        if stale.exists():
            stale.unlink()
            removed.append(stale)
    os.replace(staged, db)
    with contextlib.suppress(OSError):  # restored all the same; `db check` would then say so
        mark_restore(db, restored)
    m.fsync_dir(folder)
    return kept
