"""`db check` of an office that restored under a release before restores recorded themselves
in the event log: that release's line beside the database (time, event, hash: no restore
event) is read for what it is, a restore made before the upgrade, said in a note, and the
newer backups' heads it took the log back past are expected (before: exit 4, "1 line there
matches no restore recorded in the event log", the nightly backup-and-check failing). A line
of that form written after the upgrade still excuses nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oss_desk.services.restore_marks import marks_file

from .conftest import Cli
from .test_chain import without_triggers
from .test_restore_check import NOW, _backup, _head, _remove_last, _ticket

OLDER_SAID = "was made by a release before restores recorded themselves in the event log"


def _older_line(db: Path, at: datetime) -> None:
    """The line an older release's restore appended: its time and the log's head then."""
    event, sha = _head(db)
    with marks_file(db).open("a", encoding="ascii") as f:
        f.write(f"{at.isoformat(timespec='microseconds')} event {event} sha256 {sha}\n")


def _restored_by_an_older_release_then_upgraded(cli: Cli) -> tuple[Path, Path]:
    """Two backups and the older restored, as an older release left it (no restore event in
    the log, one line beside it of the time and the head), then this release's `init` run."""
    _ticket(cli)
    older = _backup(cli)
    _ticket(cli)
    _ticket(cli)
    newer = _backup(cli)
    assert cli("db", "restore", str(older), "--yes", now=NOW).code == 0
    at = marks_file(cli.db).read_text(encoding="ascii").split()[0]
    marks_file(cli.db).unlink()
    # The older release's database: no restore event, and without this release's migration.
    raw = sqlite3.connect(cli.db, isolation_level=None)
    try:
        statements: list[tuple[str, list[object]]] = [
            ("DELETE FROM events WHERE kind = 'database_restored'", []),
            ("DROP TABLE IF EXISTS restores_recorded_since", []),
            ("DELETE FROM _sqlite_migrations WHERE name = '0092_restores_recorded_since'", []),
        ]
        without_triggers(raw, statements)
    finally:
        raw.close()
    _older_line(cli.db, datetime.fromisoformat(at))
    upgraded = cli("init", "--config", str(cli.db.parent / "site.toml"), now=NOW)
    assert upgraded.code == 0, upgraded.err
    return older, newer


def test_a_restore_under_an_older_release_is_noted_not_tampering(cli: Cli) -> None:
    older, newer = _restored_by_an_older_release_then_upgraded(cli)
    head, _ = _head(older)
    for _ in range(2):  # and again once new events take the ids the newer head named
        checked = cli("db", "check", now=NOW)
        assert checked.code == 0, checked.out
        assert "fail:" not in checked.out
        assert "info: office.sqlite.restores: the restore at " in checked.out, checked.out
        assert OLDER_SAID in checked.out
        assert (
            f"(event {head}, same hash)" in checked.out and "more cannot be checked" in checked.out
        )
        assert (
            f"info: event log: {newer.name} (head event {_head(newer)[0]}) was made before the "
            f"restore of {older.name} (head event {head}) at "
        ) in checked.out
        for _ in range(3):
            _ticket(cli)
        _backup(cli)


def test_a_line_of_the_older_form_written_after_the_upgrade_excuses_nothing(cli: Cli) -> None:
    """After the upgrade, events removed and a line of the older form naming the head left,
    with the time now or a time before the upgrade: neither is a restore of an older release
    (the head it names came after the upgrade)."""
    _restored_by_an_older_release_then_upgraded(cli)
    _ticket(cli)
    _ticket(cli)
    after = _backup(cli)
    _remove_last(cli.db, 2)
    kept = marks_file(cli.db).read_text(encoding="ascii")
    for at in (datetime.now(UTC), datetime.now(UTC) - timedelta(days=1)):
        marks_file(cli.db).write_text(kept, encoding="ascii")
        _older_line(cli.db, at)
        checked = cli("db", "check", now=NOW)
        assert checked.code == 4, checked.out
        assert f"the head when {after.name} was made, is gone" in checked.out
        assert "office.sqlite.restores: 1 line there matches no restore" in checked.out
