"""`db check` after a restore of a backup that is not the newest: the heads written beside the
backups made after it are not in the restored log, and that is said as expected (an info
line, exit 0), while an event removed or rewritten with no restore still fails (before, the
restore itself failed `db check`, and the nightly backup-and-check, for two weeks)."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.services.restore_marks import marks_file

from .conftest import Cli, run_cli_process
from .test_chain import without_triggers

NOW = "2026-11-23T10:00:00Z"


def _ticket(cli: Cli) -> None:
    assert cli("ticket", "issue", "--service", "C", "--no-print", now=NOW).code == 0


def _backup(cli: Cli) -> Path:
    made = cli("db", "backup", "--json", now=NOW)
    assert made.code == 0, made.err
    return Path(made.json()["path"])


def _head(db: Path) -> tuple[int, str]:
    raw = sqlite3.connect(db)
    try:
        row = raw.execute("SELECT id, lower(hex(hash)) FROM events ORDER BY id DESC").fetchone()
    finally:
        raw.close()
    return int(row[0]), str(row[1])


def _two_backups_and_the_older_restored(cli: Cli) -> tuple[Path, Path]:
    _ticket(cli)
    older = _backup(cli)
    _ticket(cli)
    _ticket(cli)
    newer = _backup(cli)
    restored = cli("db", "restore", str(older), "--yes", now=NOW)
    assert restored.code == 0, restored.err
    return older, newer


def test_a_restore_of_an_older_backup_is_expected_not_tampering(cli: Cli) -> None:
    older, newer = _two_backups_and_the_older_restored(cli)
    for quick in ((), ("--quick",)):
        checked = cli("db", "check", *quick, now=NOW)
        assert checked.code == 0, checked.out
        assert checked.out.startswith("ok: ")
        assert "fail:" not in checked.out
        assert (
            f"info: event log: {newer.name} (head event" in checked.out
            and f"was made before the restore of {older.name} (head event " in checked.out
            and "(expected)" in checked.out
        ), checked.out
    # New events take the ids the newer backup's head named, with other hashes: still expected.
    for _ in range(3):
        _ticket(cli)
    _backup(cli)
    checked = cli("db", "check", "--json", now=NOW)
    assert checked.code == 0, checked.out
    found = checked.json()
    assert found["problems"] == [] and len(found["notes"]) == 1
    assert newer.name in found["notes"][0]


def test_a_restore_stopped_before_its_line_is_still_told_by_its_own_event(cli: Cli) -> None:
    """A review: a restore killed (or the power cut) after its copy was put in place and before
    its line was written beside it left `db check` calling the restore tampering, exit 4, and
    its advice is to restore again. The restored log records the restore itself (its
    `database_restored` event, chained): that is the restore, line or not."""
    older, newer = _two_backups_and_the_older_restored(cli)
    marks_file(cli.db).unlink()  # as if killed between putting the copy in place and the line
    _ticket(cli)
    checked = cli("db", "check", now=NOW)
    assert checked.code == 0, checked.out
    assert f"info: event log: {newer.name} (head event" in checked.out
    assert f"was made before the restore of {older.name} (head event " in checked.out


def test_without_any_record_of_the_restore_the_gone_head_still_fails(cli: Cli) -> None:
    """Neither the line nor the restore's own event (taken out of the log, its trigger
    dropped): the head gone is tampering, as before."""
    _older, newer = _two_backups_and_the_older_restored(cli)
    marks_file(cli.db).unlink()
    raw = sqlite3.connect(cli.db, isolation_level=None)
    try:
        statements: list[tuple[str, list[object]]] = [
            ("DELETE FROM events WHERE kind = 'database_restored'", [])
        ]
        without_triggers(raw, statements)
    finally:
        raw.close()
    checked = cli("db", "check", now=NOW)
    assert checked.code == 4
    assert f"{newer.name}" in checked.out


def test_events_removed_after_the_restore_still_fail(cli: Cli) -> None:
    """A backup made after the restore, then its head event deleted: tampering, said so, even
    though an earlier restore is on record."""
    _two_backups_and_the_older_restored(cli)
    _ticket(cli)
    after = _backup(cli)
    last = _delete_the_newest_event(cli.db)
    checked = cli("db", "check", now=NOW)
    assert checked.code == 4
    assert f"event {last}, the head when {after.name} was made, is gone" in checked.out


def _file_time(path: Path, seconds_from_now: float) -> None:
    at = time.time() + seconds_from_now
    os.utime(path, (at, at))


def test_a_restore_after_the_clock_was_stepped_back_is_still_expected(cli: Cli) -> None:
    """A flake hunt with the clock set back 40 minutes: backups written while the host's
    clock was ahead (an NTP step back since, or a wrong clock corrected) have file times later
    than the restore's, and `db check` called the restore of the older one tampering, exit 4.
    Which backups came before a restore is told by their own event logs, not by clocks."""
    older, newer = _two_backups_and_the_older_restored(cli)
    for backup in (older, newer):
        _file_time(backup, 2400)
    checked = cli("db", "check", now=NOW)
    assert checked.code == 0, checked.out
    assert f"info: event log: {newer.name} (head event" in checked.out
    assert f"was made before the restore of {older.name} (head event " in checked.out


def test_a_backup_after_the_restore_with_an_early_file_time_still_fails(cli: Cli) -> None:
    """The other way round: a backup made after the restore, its file time earlier than the
    restore's (a clock that was behind, or a copy that kept an old time), then its head event
    deleted: tampering, not excused by the restore before it."""
    _two_backups_and_the_older_restored(cli)
    _ticket(cli)
    after = _backup(cli)
    _file_time(after, -86400)
    last = _delete_the_newest_event(cli.db)
    checked = cli("db", "check", now=NOW)
    assert checked.code == 4, checked.out
    assert f"event {last}, the head when {after.name} was made, is gone" in checked.out


def test_a_line_that_names_a_head_the_log_does_not_hold_decides_nothing(cli: Cli) -> None:
    """A line beside the database whose head the log does not hold matches no restore; the
    restore the log records itself still explains the newer backup's head, and with that
    record taken out of the log the head fails as before (the line never decides)."""
    _older, newer = _two_backups_and_the_older_restored(cli)
    marks = marks_file(cli.db)
    words = marks.read_text(encoding="ascii").split()
    marks.write_text(" ".join([*words[:4], "0" * 64, *words[5:]]) + "\n", encoding="ascii")
    checked = cli("db", "check", now=NOW)
    assert checked.code == 0, checked.out
    raw = sqlite3.connect(cli.db, isolation_level=None)
    try:
        without_triggers(raw, [("DELETE FROM events WHERE kind = 'database_restored'", [])])
    finally:
        raw.close()
    checked = cli("db", "check", now=NOW)
    assert checked.code == 4
    assert newer.name in checked.out
    assert "info:" not in checked.out


def _remove_last(db: Path, n: int) -> None:
    raw = sqlite3.connect(db, isolation_level=None)
    try:
        last = int(raw.execute("SELECT max(id) FROM events").fetchone()[0])
        without_triggers(raw, [("DELETE FROM events WHERE id > ?", [last - n])])
    finally:
        raw.close()


def test_a_line_appended_by_hand_does_not_excuse_removed_events(cli: Cli) -> None:
    """review33: anyone who can write the database appended one line to `<db>.restores`
    naming the head left after deleting the last events, and `db check` called their loss
    expected. A line is a restore only with the restore's own event in the log."""
    _ticket(cli)
    _backup(cli)
    _ticket(cli)
    _ticket(cli)
    newer = _backup(cli)
    _remove_last(cli.db, 3)
    event, sha = _head(cli.db)
    for tail in ("", f" restore {event}"):
        stamp = datetime.now(UTC).isoformat(timespec="microseconds")
        marks_file(cli.db).write_text(f"{stamp} event {event} sha256 {sha}{tail}\n", "ascii")
        checked = cli("db", "check", now=NOW)
        assert checked.code == 4, checked.out
        assert f"the head when {newer.name} was made, is gone" in checked.out
        assert "info:" not in checked.out
        assert (
            "office.sqlite.restores: 1 line there matches no restore recorded in the event log"
        ) in checked.out, checked.out


def test_a_real_restore_s_line_copied_with_a_later_time_excuses_nothing(cli: Cli) -> None:
    """After a real restore, events removed and a copy of its line with a later time
    appended: the time is the restore event's own, so the copy matches no restore."""
    _two_backups_and_the_older_restored(cli)
    _ticket(cli)
    _ticket(cli)
    after = _backup(cli)
    _remove_last(cli.db, 2)
    marks = marks_file(cli.db)
    words = marks.read_text(encoding="ascii").split()
    event, sha = _head(cli.db)
    later = datetime.now(UTC).isoformat(timespec="microseconds")
    with marks.open("a", encoding="ascii") as f:
        f.write(" ".join([later, "event", str(event), "sha256", sha, *words[5:]]) + "\n")
    checked = cli("db", "check", now=NOW)
    assert checked.code == 4, checked.out
    assert f"the head when {after.name} was made, is gone" in checked.out


def test_a_file_that_is_not_a_backup_is_a_mistaken_argument(cli: Cli, tmp_path: Path) -> None:
    """`db restore site.toml`: exit 2 and one line saying so, nothing asked or changed (before:
    exit 4, "the database cannot be used")."""
    toml = tmp_path / "site.toml"
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    for given, what in ((toml, "not an SQLite database file"), (other, "of something else")):
        before = cli.db.read_bytes()
        refused = cli("db", "restore", str(given), "--yes", now=NOW)
        assert refused.code == 2, refused.err
        assert refused.err.startswith(f"oss-desk: {given} is not an oss-desk backup ("), refused.err
        assert what in refused.err and refused.err.count("\n") == 1
        assert cli.db.read_bytes() == before
    assert not list(tmp_path.glob("office.sqlite.before-restore-*"))


def test_a_pipe_given_as_the_backup_is_a_mistaken_argument_not_a_wait(
    cli: Cli, tmp_path: Path
) -> None:
    """`db restore <a named pipe>` waited forever for a writer (found by the command-line fuzz
    test): now exit 2 and one line, the pipe never opened, nothing changed."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    before = cli.db.read_bytes()
    refused = run_cli_process(
        "db", "restore", str(pipe), "--yes", env={"OSS_DESK_DB": str(cli.db)}, timeout=60
    )
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr == (
        f"oss-desk: {pipe} is not an oss-desk backup (not a file but a pipe, socket or device): "
        "give a file `oss-desk db backup` made\n"
    )
    assert cli.db.read_bytes() == before


def test_the_info_line_names_the_backup_s_own_head_when_an_erasure_was_made_again(
    cli: Cli,
) -> None:
    """review33: with an erasure re-applied (events added to the restored log), the line said
    "a backup whose newest event is 4" of a backup whose head is 3, and named no backup."""
    made = cli("--user", "amina", "followup", "add", "--kind", "ringback", "--name", "Bea Beta",
               "--phone", "07700 900222", "--service", "C", "--json", now=NOW)  # fmt: skip
    assert made.code == 0, made.err
    ref = str(made.json()["ref"])
    assert cli("--user", "amina", "followup", "done", ref, now=NOW).code == 0
    older = _backup(cli)
    _ticket(cli)
    newer = _backup(cli)
    forgot = cli("--user", "amina", "resident", "forget", ref, "--yes", now=NOW)
    assert forgot.code == 0, forgot.err
    restored = cli("db", "restore", str(older), "--yes", now=NOW)
    assert restored.code == 0, restored.err
    assert "Re-applied 1 erasure" in restored.out
    own, _ = _head(older)
    left, _ = _head(cli.db)
    assert left == own + 2  # the restore's own event, then the erasure made again
    checked = cli("db", "check", now=NOW)
    assert checked.code == 0, checked.out
    assert (
        f"info: event log: {newer.name} (head event {_head(newer)[0]}) was made before the "
        f"restore of {older.name} (head event {own}) at "
    ) in checked.out and f", which left the log at event {left}: " in checked.out, checked.out


def _delete_the_newest_event(db: Path) -> int:
    """Tampering: the log's newest event deleted by hand, its guard triggers put back after;
    the id it had."""
    raw = sqlite3.connect(db, isolation_level=None)
    try:
        last = int(raw.execute("SELECT max(id) FROM events").fetchone()[0])
        without_triggers(raw, [("DELETE FROM events WHERE id = ?", [last])])
    finally:
        raw.close()
    return last
