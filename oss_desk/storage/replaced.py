"""What a restore replaces: the SQL of reading the database being replaced, and of carrying its
ticket numbering into the restored copy.

The restore reads the replaced database while it holds that database's write turn
(:func:`write_turn`, the ``flock`` every oss-desk write transaction takes before ``BEGIN
IMMEDIATE``) and keeps holding it until the restored copy is in place: a desk's ticket is either
committed before the read (and its number carried) or finds the path naming another file once it
has its turn, and writes nothing (:meth:`Store.write` checks the file under the turn).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from oss_desk.domain.models import EventKind
from oss_desk.errors import StorageBusy
from oss_desk.storage import chain, subject
from oss_desk.storage.faults import busy_timeout
from oss_desk.storage.incarnation import MAGIC, head_of
from oss_desk.storage.maintenance import connect_file
from oss_desk.storage.writelock import WriteLock

Counters = dict[tuple[str, str, str], int]
"""(site, service, business day) -> the last ticket number given out."""


@dataclass(frozen=True)
class LostBooking:
    """A booking the replaced database holds and the backup does not (made after it): gone
    from the restored database, its slot free again, though the resident may have been told."""

    ref: str
    starts_at: str
    """UTC, as stored."""
    timezone: str
    """Its site's, to say its time as the resident was told it."""
    status: str
    sent: tuple[tuple[str, str], ...]
    """(kind, channel) of each message already sent for it: ``("confirmation", "email")``."""
    slip: str = ""
    """What became of its printed slip, as a ``domain.delivery.PrintState`` value: ``printed``
    (the printer confirmed one), ``sent`` (all of one went to a printer that cannot report),
    ``uncertain`` (one may have printed); "": no slip reached a printer."""


@dataclass(frozen=True)
class ErasureMade:
    """A ``resident forget`` the replaced database recorded after the backup: which record
    (``appointment``, ``followup`` or ``visit``, by its reference) and the request's case
    reference (None: none given)."""

    record: str
    ref: str
    case: str | None
    cancelled_by: str | None = None
    """Of a booking the replaced database holds as cancelled: by whom (``resident`` or
    ``council``), so a backup that holds it as still to come has it cancelled again first."""
    cancelled_at: str | None = None
    """And when (UTC, as stored; None: not recorded): the cancellation made again is dated
    then, so the reports count it on the day it was made, not on the restore's."""
    made: tuple[int, str] | None = None
    """The event that made the record erased, (id, hash in hex) (:func:`subject.made_by`):
    a record of the backup is the one erased only if the same event made it. None: not
    known."""


@dataclass
class Replaced:
    """What the database being replaced holds beyond a backup. ``events`` and ``counters`` are
    None when it could not be read: not known, which is not the same as none."""

    events: int | None = 0
    """Its events the backup does not have (of another office's database: all its events)."""
    newest: str | None = None
    counters: Counters | None = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)
    """Site id -> its time zone, for the business day each site is on now."""
    forked_at: int | None = None
    """The first of ``events`` when the backup's log parts from this one there (it went on
    with events of its own): None when the backup holds the whole log up to them."""
    problem: str | None = None
    """Why it could not be read (SQLite's words), when it could not."""
    backup_copy: bool = False
    """It is a backup's copy put in its place by hand (its header says so) with no WAL beside
    it: it holds the backup's numbering, never the codes the office gave out after it, so its
    ``counters`` are None (not known) though it could be read (review 21)."""
    bookings: list[LostBooking] | None = field(default_factory=list)
    """Its bookings not in the backup (of the same office only); None: they could not be
    read."""
    erasures: list[ErasureMade] | None = field(default_factory=list)
    """The erasures it recorded after the backup, oldest first (of another office: none; of a
    copy of this office that parted from the backup's by ``init --replace-office``, those
    recorded before it parted). None: not known (it could not be read)."""
    shared: int | None = None
    """The last event of its log the backup shares, when the backup's log parts from it (only
    records made up to it are the ones ``erasures`` erased); None: the backup holds the
    whole log up to its events."""
    head: tuple[int, bytes] | None = None
    """Its event log's newest event, (id, hash); None: not known (or no database)."""


@contextlib.contextmanager
def write_turn(db: Path) -> Iterator[None]:
    """Hold the write turn of the database at ``db`` (waiting at most the busy timeout): no
    oss-desk process commits to it meanwhile. Only this lock is taken, and no SQLite lock is
    held while waiting for it, so it cannot deadlock."""
    turn = WriteLock(db)
    try:
        timeout = busy_timeout()
        try:
            held = turn.acquire(timeout)
        except TimeoutError:
            raise StorageBusy(
                f"database locked: other processes held {db} for more than {timeout:g} s "
                "(nothing was restored): try again"
            ) from None
        try:
            yield
        finally:
            if held:
                turn.release()
    finally:
        turn.close()


def read_replaced(
    db: Path, backup: Path, *, same: bool, parted: tuple[str, int] | None = None
) -> Replaced:
    """In one read transaction: the events of ``db`` the ``backup`` does not have (all of them
    unless ``same``), its ticket counters (only of the same office) and its sites' time zones.

    What the backup has is told by the event log's hash chain, not by the clock: the events of
    ``db`` from the first one whose hash the backup does not hold (a backup then used on its
    own, with its clock moved, parts from this log there, and its events may be dated later
    than all of these). ``parted``: the two are copies of the same office, one of which became
    another office after their logs parted (:func:`office_replaced_after_parting`): the
    erasures ``db`` recorded after the shared part of the log, and before it parted if it is the
    one that did, concern the backup's own residents."""
    if not db.exists():
        return Replaced()
    copied = _backup_copy_alone(db)
    try:
        with (
            contextlib.closing(connect_file(db, readonly=True)) as conn,
            contextlib.closing(connect_file(backup, readonly=True)) as theirs,
        ):
            conn.execute("BEGIN")
            common = shared_events(conn, theirs) if same or parted else 0
            count, newest = conn.execute(
                "SELECT count(*), max(at) FROM events WHERE id > ?", [common if same else 0]
            ).fetchone()
            counters = _counters(conn) if same else {}
            zones = {
                str(site): str(tz) for site, tz in conn.execute("SELECT id, timezone FROM sites")
            }
            backup_head = chain.head(theirs)[0]
            bookings = lost_bookings(conn, theirs) if same and not copied else []
            until = parted[1] if parted is not None and parted[0] == "database" else None
            erasures = erasures_after(conn, common, until) if same or parted else []
            head = chain.head(conn)
            conn.execute("ROLLBACK")
    except sqlite3.Error as exc:  # damaged or unreadable: what it holds is not known
        return Replaced(events=None, counters=None, problem=str(exc), erasures=None)
    forked = common + 1 if same and common < backup_head and count else None
    shared = common if (forked is not None or parted is not None) else None
    if copied:
        return Replaced(
            int(count),
            newest,
            None,
            zones,
            forked,
            backup_copy=True,
            erasures=erasures,
            shared=shared,
            head=head,
        )
    return Replaced(
        int(count),
        newest,
        counters,
        zones,
        forked,
        bookings=bookings,
        erasures=erasures,
        shared=shared,
        head=head,
    )


def erasures_after(
    conn: sqlite3.Connection, common: int, until: int | None = None
) -> list[ErasureMade]:
    """The erasures recorded after event ``common`` (the last the backup shares), and before
    event ``until`` if given, oldest first."""
    found = []
    for (data,) in conn.execute(
        "SELECT data FROM events WHERE id > ? AND id < coalesce(?, id + 1) AND kind = ? "
        "ORDER BY id",
        [common, until, EventKind.RESIDENT_ERASED.value],
    ):
        said = json.loads(data or "{}")
        if said.get("record") and said.get("ref"):
            case = said.get("case")
            record, ref = str(said["record"]), str(said["ref"])
            by, at = _cancelled(conn, ref) if record == "appointment" else (None, None)
            made = _made(said.get("made")) or subject.made_by_ref(conn, record, ref)
            found.append(ErasureMade(record, ref, case and str(case), by, at, made=made))
    return found


def _made(said: object) -> tuple[int, str] | None:
    """The making event an erasure carried through a restore names (its record may not be
    in that database)."""
    if isinstance(said, dict) and isinstance(said.get("event"), int):
        return int(said["event"]), str(said.get("sha256", ""))
    return None


def _cancelled(conn: sqlite3.Connection, ref: str) -> tuple[str | None, str | None]:
    """Who cancelled booking ``ref``, and when; (None, None): it is not cancelled."""
    row = conn.execute(
        "SELECT cancelled_by, cancelled_at FROM appointments WHERE ref = ? "
        "AND status = 'cancelled'",
        [ref],
    ).fetchone()
    if row is None or not row[0]:
        return None, None
    return str(row[0]), (str(row[1]) if row[1] else None)


def lost_bookings(ours: sqlite3.Connection, theirs: sqlite3.Connection) -> list[LostBooking] | None:
    """The bookings in ``ours`` that ``theirs`` (the backup) does not have, still on (not
    cancelled), soonest first, with the messages already sent for each; None when they cannot
    be read (the rest of what is read does not depend on them)."""
    try:
        return _lost_bookings(ours, theirs)
    except sqlite3.Error:
        return None


_SLIP = (
    "SELECT CASE max(CASE WHEN status = 'done' AND printed_at IS NOT NULL THEN 3 "
    "WHEN status = 'done' THEN 2 WHEN status = 'uncertain' "
    "OR (status = 'printing' AND started_at IS NOT NULL) THEN 1 END) "
    "WHEN 3 THEN 'printed' WHEN 2 THEN 'sent' WHEN 1 THEN 'uncertain' END "
    "FROM print_jobs WHERE kind = 'appointment_slip' AND ticket_id IS NULL "
    "AND json_extract(payload, '$.reference') = ?"
)
"""What became of booking ``?``'s slip: the most the resident may hold (a slip the printer
confirmed, one sent whole to a printer that cannot report, one that may have printed)."""


def _lost_bookings(ours: sqlite3.Connection, theirs: sqlite3.Connection) -> list[LostBooking]:
    have = {str(ref) for (ref,) in theirs.execute("SELECT ref FROM appointments")}
    found = []
    for aid, ref, starts, tz, status in ours.execute(
        "SELECT a.id, a.ref, a.starts_at, s.timezone, a.status FROM appointments a "
        "JOIN sites s ON s.id = a.site_id WHERE a.status != 'cancelled' ORDER BY a.starts_at"
    ):
        if ref in have:
            continue
        sent = ours.execute(
            "SELECT kind, channel FROM messages WHERE appointment_id = ? AND status = 'sent' "
            "ORDER BY id",
            [aid],
        ).fetchall()
        (slip,) = ours.execute(_SLIP, [ref]).fetchone()
        found.append(
            LostBooking(
                str(ref), str(starts), str(tz), str(status), tuple(map(tuple, sent)), slip or ""
            )
        )
    return found


WAL_HEADER_BYTES = 32
"""A WAL file no longer than its header holds no frames."""


def _backup_copy_alone(db: Path) -> bool:
    """The file at ``db`` is a backup's copy (its header's two stamps differ: only
    ``oss-desk db restore`` makes a copy live) and no WAL with frames is beside it: nothing of
    the office's own after that backup can be read from it."""
    try:
        with open(db, "rb") as f:
            head = head_of(f.fileno())
    except OSError:
        return False
    if head is None or head[0] != MAGIC or head[2] == head[3]:
        return False
    wal = db.with_name(db.name + "-wal")
    try:
        return wal.stat().st_size <= WAL_HEADER_BYTES
    except FileNotFoundError:
        return True


def shared_events(ours: sqlite3.Connection, theirs: sqlite3.Connection) -> int:
    """The id of the last event two logs have in common (0: none), by the hash chain: an
    event's hash covers every event before it, so the logs are the same up to the last id
    whose hashes match and differ after it (a binary search: a few reads of each)."""

    def same(event_id: int) -> bool:
        mine = chain.hash_at(ours, event_id)
        return mine is not None and mine == chain.hash_at(theirs, event_id)

    low, high = 0, min(chain.head(ours)[0], chain.head(theirs)[0])
    if high and same(high):
        return high
    while low < high - 1:  # same(low) (or low == 0); not same(high)
        middle = (low + high) // 2
        if same(middle):
            low = middle
        else:
            high = middle
    return low


def office_replaced_after_parting(db: Path, backup: Path) -> tuple[str, int] | None:
    """Whether one of two copies of the same office became another office after their logs
    parted (``init --replace-office``, which keeps the office id): ("backup" or "database",
    the id of its ``office_replaced`` event), else None (also when either cannot be read: the
    office id judges alone)."""
    try:
        with (
            contextlib.closing(connect_file(db, readonly=True)) as ours,
            contextlib.closing(connect_file(backup, readonly=True)) as theirs,
        ):
            common = shared_events(ours, theirs)
            for which, conn in (("backup", theirs), ("database", ours)):
                row = conn.execute(
                    "SELECT min(id) FROM events WHERE id > ? AND kind = ?",
                    [common, EventKind.OFFICE_REPLACED.value],
                ).fetchone()
                if row and row[0] is not None:
                    return which, int(row[0])
    except sqlite3.Error:
        return None
    return None


def _counters(conn: sqlite3.Connection) -> Counters:
    rows = conn.execute(
        "SELECT site_id, service_code, business_day, last_number FROM ticket_counters"
    ).fetchall()
    return {(site, service, day): int(number) for site, service, day, number in rows}


def ticket_counters(path: Path) -> Counters:
    """The last ticket number given per (site, service, business day) in the database at
    ``path`` (a verified copy: an error is raised, not hidden)."""
    with contextlib.closing(connect_file(path, readonly=True)) as conn:
        return _counters(conn)


def sites_and_services(path: Path) -> tuple[dict[str, str], list[str]]:
    """The sites (id -> time zone) and the service codes of the database at ``path``."""
    with contextlib.closing(connect_file(path, readonly=True)) as conn:
        zones = {str(site): str(tz) for site, tz in conn.execute("SELECT id, timezone FROM sites")}
        services = [
            str(code) for (code,) in conn.execute("SELECT code FROM services ORDER BY code")
        ]
    return zones, services


def raise_ticket_counters(path: Path, counters: Counters) -> None:
    """Numbering in the database at ``path`` carries on after ``counters`` where they are
    higher (its next ticket of that service that day gets the next number): no code already
    given out is given again."""
    conn = connect_file(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO ticket_counters (site_id, service_code, business_day, last_number) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (site_id, service_code, business_day) "
            "DO UPDATE SET last_number = max(last_number, excluded.last_number)",
            [(site, service, day, n) for (site, service, day), n in counters.items()],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


_JOB = ("created_at", "kind", "ticket_id", "printer_url")
"""What makes a print job the same job in two copies of the office's database."""
_DELIVERY = (
    "status",
    "attempts",
    "next_attempt_at",
    "lease_until",
    "last_error",
    "printed_at",
    "owner",
    "started_at",
    "sent_at",
    "auto_reprints",
    "acknowledged_at",
    "acknowledged_by",
    "boot",
)
"""What happened to a print job: its delivery, as the worker recorded it."""
_JOBS = f"SELECT id, {', '.join(_JOB)}, {', '.join(_DELIVERY)} FROM print_jobs "  # noqa: S608
_MOVED_ON = (
    _JOBS + "WHERE id IN (SELECT value FROM json_each(?)) "  # noqa: S608 (column names only)
    "AND (status NOT IN ('pending', 'printing') OR started_at IS NOT NULL)"
)
_SETTLE = (
    f"UPDATE print_jobs SET ({', '.join(_DELIVERY)}) "  # noqa: S608 (column names only)
    f"= ({', '.join('?' * len(_DELIVERY))}) WHERE id = ?"
)


def settle_print_jobs(db: Path, staged: Path) -> list[tuple[str, bool]]:
    """The print jobs ``staged`` (a backup being restored over ``db``, of the same office)
    still holds as to print, whose delivery ``db`` had since moved on (printed, may not have
    printed, failed, cancelled, or bytes of it on their way): their delivery as ``db``
    recorded it, so none is printed again as if it never had been. Of each one settled: its
    status and whether the printer confirmed it."""
    settled: list[tuple[str, bool]] = []
    conn = connect_file(staged)
    try:
        conn.execute("BEGIN IMMEDIATE")
        waiting = {
            int(row[0]): tuple(row[1:])
            for row in conn.execute(_JOBS + "WHERE status IN ('pending', 'printing')")
        }
        if waiting:
            with contextlib.closing(connect_file(db, readonly=True)) as theirs:
                found = theirs.execute(_MOVED_ON, [json.dumps(sorted(waiting))]).fetchall()
            for job_id, *row in found:
                ours = waiting[int(job_id)]
                if ours == tuple(row) or ours[: len(_JOB)] != tuple(row[: len(_JOB)]):
                    continue  # no news, or another job under the same id (a backup gone on)
                delivery = row[len(_JOB) :]
                conn.execute(_SETTLE, [*delivery, job_id])
                settled.append(
                    (str(delivery[0]), delivery[_DELIVERY.index("printed_at")] is not None)
                )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return settled


def jobs_to_print(path: Path) -> int:
    """How many print jobs the database at ``path`` holds as still to print."""
    with contextlib.closing(connect_file(path, readonly=True)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM print_jobs WHERE status IN ('pending', 'printing')"
        ).fetchone()
    return int(row[0])
