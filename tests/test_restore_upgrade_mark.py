"""The upgrade's mark (migration 0092's row: the newest event, and when this release first ran
on the database) against a line of an older release's form (time, event, hash: no restore
event) written by hand beside the database. A review: events recorded after the upgrade
deleted, and one such line dated before the upgrade, naming an event the log still holds,
passed `db check` (exit 0); and with the mark's table dropped, a line of any date passed, "was
written before this release first ran here", while `doctor` said the database was ok. An
older release's restore came before the upgrade, so every event the upgrade saw is still in
the log; and a database whose migrations list the mark has it."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oss_desk.services.backup_files import backups_in
from oss_desk.services.restore_marks import marks_file
from oss_desk.storage.incarnation import head_file
from oss_desk.storage.maintenance import read_head_file

from .conftest import Cli
from .test_chain import without_triggers
from .test_restore_check import NOW, _backup, _ticket

MARK_GONE = "the upgrade's mark (table restores_recorded_since, migration 0092) is gone"


def _hash_of(db: Path, event: int) -> str:
    raw = sqlite3.connect(db)
    try:
        row = raw.execute("SELECT lower(hex(hash)) FROM events WHERE id = ?", [event]).fetchone()
    finally:
        raw.close()
    return str(row[0])


def _run(db: Path, *statements: str) -> None:
    raw = sqlite3.connect(db, isolation_level=None)
    try:
        raw.executescript(";".join(statements))
    finally:
        raw.close()


def _upgraded_from_an_older_release(cli: Cli) -> tuple[int, datetime]:
    """Backups made under an older release (one without the mark), then this release's
    `init`: the mark's event and real time. The backups are dated an hour before it."""
    _ticket(cli)
    _ticket(cli)
    _backup(cli)
    _run(
        cli.db,
        "DROP TABLE restores_recorded_since",
        "DELETE FROM _sqlite_migrations WHERE name = '0092_restores_recorded_since'",
    )
    upgraded = cli("init", "--config", str(cli.db.parent / "site.toml"), now=NOW)
    assert upgraded.code == 0, upgraded.err
    raw = sqlite3.connect(cli.db)
    try:
        event, at = raw.execute("SELECT event_id, at FROM restores_recorded_since").fetchone()
    finally:
        raw.close()
    made = datetime.fromisoformat(str(at)) - timedelta(hours=1)
    for backup in backups_in(cli.db.parent / "backups", cli.db.stem):
        os.utime(backup, (made.timestamp(), made.timestamp()))
    return int(event), datetime.fromisoformat(str(at))


def _line(db: Path, at: datetime, event: int) -> None:
    with marks_file(db).open("a", encoding="ascii") as f:
        stamp = at.isoformat(timespec="microseconds")
        f.write(f"{stamp} event {event} sha256 {_hash_of(db, event)}\n")


def test_a_line_dated_before_the_upgrade_excuses_no_event_the_upgrade_saw(cli: Cli) -> None:
    """The review's steps: the events from one before the backups' head on deleted (those the
    upgrade saw among them), then a line dated before the upgrade naming the event left."""
    since, at = _upgraded_from_an_older_release(cli)
    for _ in range(3):
        _ticket(cli)
    head = read_head_file(head_file(backups_in(cli.db.parent / "backups", cli.db.stem)[0]))
    assert head is not None and head[0] <= since
    kept = head[0] - 1
    raw = sqlite3.connect(cli.db, isolation_level=None)
    try:
        without_triggers(raw, [("DELETE FROM events WHERE id > ?", [kept])])
    finally:
        raw.close()
    gone = f"event {head[0]}, the head when"
    assert gone in cli("db", "check", "--quick", now=NOW).out
    _line(cli.db, at - timedelta(minutes=5), kept)
    checked = cli("db", "check", "--quick", now=NOW)  # --quick: not the report figures
    assert checked.code == 4, checked.out
    assert "was made by a release before restores recorded themselves" not in checked.out
    assert gone in checked.out and "(events were removed since)" in checked.out
    assert "office.sqlite.restores: 1 line there matches no restore" in checked.out, checked.out


def test_the_upgrades_mark_dropped_is_tampering_and_excuses_nothing(cli: Cli) -> None:
    """The mark's table dropped (its migration still recorded): said as tampering, and a line
    of any date, here now, is no older release's restore."""
    _upgraded_from_an_older_release(cli)
    _ticket(cli)
    _run(cli.db, "DROP TABLE restores_recorded_since")
    checked = cli("db", "check", now=NOW)
    assert checked.code == 4, checked.out
    said = [line for line in checked.out.splitlines() if MARK_GONE in line]
    assert len(said) == 1 and said[0].startswith("fail: "), checked.out
    doctor = cli("doctor", now=NOW)
    assert doctor.code != 0 and MARK_GONE in doctor.out, doctor.out
    head = read_head_file(head_file(backups_in(cli.db.parent / "backups", cli.db.stem)[0]))
    assert head is not None
    raw = sqlite3.connect(cli.db, isolation_level=None)
    try:
        without_triggers(raw, [("DELETE FROM events WHERE id >= ?", [head[0]])])
    finally:
        raw.close()
    _line(cli.db, datetime.now(UTC), head[0] - 1)
    checked = cli("db", "check", "--quick", now=NOW)
    assert checked.code == 4, checked.out
    assert "was written before this release first ran here" not in checked.out
    assert f"event {head[0]}, the head when" in checked.out, checked.out
