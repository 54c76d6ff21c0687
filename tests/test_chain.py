"""The event log cannot be rewritten unseen: every event chains to the one before by SHA-256, and
`oss-desk db check` recomputes the chain and names the first broken link.

Each tampering is done the way someone holding the file would: with SQL after dropping the
append-only triggers (and recreating them, so the trigger check passes), or by editing the
file's bytes with SQLite closed.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Actor, EventKind
from oss_desk.services import doctor
from oss_desk.services.dbops import RetentionService
from oss_desk.services.session import open_session
from oss_desk.storage import chain
from oss_desk.storage.database import open_store
from oss_desk.storage.events import append_event
from oss_desk.storage.migrations import MIGRATION_SET, build_migrations

from .conftest import MONDAY_0930, Cli, CliResult, make_db

NOW = "2026-11-23T10:00:00Z"
TRIGGERS = {
    "events_no_update": "BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'no'); END",
    "events_no_delete": "BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'no'); END",
}


@pytest.fixture
def day(cli: Cli) -> Cli:
    """A morning: tickets issued, called, finished (a few dozen events)."""
    for code in ("C", "B", "C", "W", "C"):
        assert cli("ticket", "issue", "--service", code, now=NOW).code == 0
    for ref, desk in (("C001", "desk-1"), ("B001", "desk-2"), ("C002", "desk-3")):
        assert cli("ticket", "call", ref, "--desk", desk, now=NOW).code == 0
        assert cli("ticket", "finish", ref, "--outcome", "resolved", now=NOW).code == 0
    return cli


@pytest.fixture
def raw(day: Cli) -> Iterator[sqlite3.Connection]:
    """A plain connection to the same file, as a tamperer would use."""
    conn = sqlite3.connect(day.db, isolation_level=None)
    yield conn
    conn.close()


def without_triggers(conn: sqlite3.Connection, statements: list[tuple[str, list[object]]]) -> None:
    """Drop the append-only triggers, change the log, put the triggers back (so that only the
    chain can tell)."""
    conn.execute("BEGIN IMMEDIATE")
    for name in TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    for sql, args in statements:
        conn.execute(sql, args)
    for name, body in TRIGGERS.items():
        conn.execute(f"CREATE TRIGGER {name} {body}")
    conn.execute("COMMIT")


def broken_at(result: CliResult) -> int:
    assert result.code == 4, (result.out, result.err)
    found = re.search(r"the hash chain breaks at event (\d+)", result.out)
    assert found, result.out
    return int(found.group(1))


def event_ids(conn: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT id FROM events ORDER BY id")]


def test_a_healthy_log_checks_and_names_its_head(day: Cli, raw: sqlite3.Connection) -> None:
    result = day("db", "check", now=NOW)
    assert result.code == 0, result.out
    last_id, last_hash = raw.execute("SELECT id, hash FROM events ORDER BY id DESC").fetchone()
    count = raw.execute("SELECT count(*) FROM events").fetchone()[0]
    assert f"chained ({count} events, head event {last_id} sha256 {last_hash.hex()})" in result.out
    as_json = day("db", "check", "--json", now=NOW).json()
    assert as_json["ok"] is True and as_json["broken_event"] is None
    assert as_json["head"] == {"event": last_id, "sha256": bytes(last_hash).hex()}
    # Every event carries the account of the process that wrote it, covered by its hash.
    accounts = {r[0] for r in raw.execute("SELECT account FROM events")}
    assert None not in accounts and "" not in accounts


def test_an_edited_event_is_named(day: Cli, raw: sqlite3.Connection) -> None:
    ids = event_ids(raw)
    target = ids[len(ids) // 2]
    assert day("db", "check", now=NOW).code == 0
    without_triggers(raw, [("UPDATE events SET actor = 'someone-else' WHERE id = ?", [target])])
    assert day("db", "check", "--quick", now=NOW).out.count("fail: ") == 1
    assert broken_at(day("db", "check", now=NOW)) == target


def test_a_deleted_event_is_named_by_the_one_after_it(day: Cli, raw: sqlite3.Connection) -> None:
    ids = event_ids(raw)
    target = ids[5]
    without_triggers(raw, [("DELETE FROM events WHERE id = ?", [target])])
    result = day("db", "check", now=NOW)
    assert broken_at(result) == target + 1
    assert f"does not follow event {target - 1}" in result.out


def test_an_inserted_event_is_named(day: Cli, raw: sqlite3.Connection) -> None:
    # In place of a removed one, with a hash correctly linked to the event before it: the
    # event after it no longer follows.
    ids = event_ids(raw)
    target = ids[4]
    content = raw.execute(
        f"SELECT {chain.COLUMN_LIST} FROM events WHERE id = ?", [target]
    ).fetchone()
    forged = (*content[:6], "forger", *content[7:])
    previous = bytes(
        raw.execute("SELECT hash FROM events WHERE id = ?", [target - 1]).fetchone()[0]
    )
    without_triggers(
        raw,
        [
            ("DELETE FROM events WHERE id = ?", [target]),
            (
                f"INSERT INTO events ({chain.COLUMN_LIST}, hash) VALUES "
                f"({', '.join('?' * (len(chain.COLUMNS) + 1))})",
                [*forged, chain.link(previous, forged)],
            ),
        ],
    )
    assert broken_at(day("db", "check", now=NOW)) == target + 1
    # At the end, with a made-up hash: it is itself the broken link.
    last = event_ids(raw)[-1]
    row: list[object] = [last + 1, NOW, None, None, None, "note_added", "x", "x"]
    row += [None, None, None, None, None, "{}", None, bytes(32)]
    raw.execute(
        f"INSERT INTO events ({chain.COLUMN_LIST}, hash) VALUES "
        f"({', '.join('?' * (len(chain.COLUMNS) + 1))})",
        row,
    )
    assert broken_at(day("db", "check", now=NOW)) == target + 1  # the first one still


def test_reordered_events_are_named(day: Cli, raw: sqlite3.Connection) -> None:
    ids = event_ids(raw)
    first, second = ids[3], ids[7]
    # Two events change places (each keeps its content and its hash).
    without_triggers(
        raw,
        [
            ("UPDATE events SET id = -1 WHERE id = ?", [first]),
            ("UPDATE events SET id = ? WHERE id = ?", [first, second]),
            ("UPDATE events SET id = ? WHERE id = -1", [second]),
        ],
    )
    assert broken_at(day("db", "check", now=NOW)) == first


def test_editing_the_files_bytes_is_named(day: Cli, raw: sqlite3.Connection) -> None:
    """SQLite keeps no checksums: the account an event was written from, changed in the file's
    bytes, passes its integrity check. The chain does not."""
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target, stored, account = raw.execute(
        "SELECT id, hash, account FROM events WHERE kind = 'finished' ORDER BY id LIMIT 1"
    ).fetchone()
    raw.close()
    data = bytearray(day.db.read_bytes())
    # The event's record ends with the account and the hash (the columns added last).
    end = data.find(bytes(stored))
    at = data.rfind(account.encode(), end - 200, end)
    assert end > 0 and at > 0
    data[at] = ord("X")
    day.db.write_bytes(bytes(data))
    check = sqlite3.connect(day.db)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    changed = check.execute("SELECT account FROM events WHERE id = ?", [target]).fetchone()[0]
    check.close()
    assert changed == "X" + account[1:]
    result = day("db", "check", now=NOW)
    assert result.out.count("fail: ") == 1
    assert broken_at(result) == target


def test_a_chain_rewritten_after_a_backup_is_caught_by_the_backups_head(
    day: Cli, raw: sqlite3.Connection
) -> None:
    """Someone who recomputes every hash after an edit makes the chain whole again: the head
    written beside the backup (and printed on the daily summary) no longer matches."""
    made = day("db", "backup", "--json", now=NOW).json()
    head_file = Path(made["path"] + ".head")
    assert head_file.read_text() == (
        f"event {made['head']['event']} sha256 {made['head']['sha256']}\n"
    )
    assert oct(head_file.stat().st_mode & 0o777) == "0o600"
    target = event_ids(raw)[2]
    rows = raw.execute(f"SELECT {chain.COLUMN_LIST} FROM events ORDER BY id").fetchall()
    previous = chain.GENESIS
    statements: list[tuple[str, list[object]]] = []
    for row in rows:
        content = (*row[:6], "rewritten", *row[7:]) if row[0] == target else tuple(row)
        previous = chain.link(previous, content)
        statements.append(
            ("UPDATE events SET actor = ?, hash = ? WHERE id = ?", [content[6], previous, row[0]])
        )
    without_triggers(raw, statements)
    result = day("db", "check", now=NOW)
    assert result.code == 4
    assert "the hash chain breaks" not in result.out  # the chain itself holds now
    assert f"event {made['head']['event']} no longer has the hash recorded beside" in result.out


def test_the_retention_purge_never_breaks_the_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events hold no personal data: deleting it touches no event, and the chain holds."""
    from .test_purge_bytes import book_canaries

    db = make_db(tmp_path)
    book_canaries(db)
    before = chain.verify(sqlite3.connect(db))
    session = open_session(db=db, clock=FixedClock(MONDAY_0930.replace(year=2029)), person="tl")
    try:
        purged = RetentionService(session).purge()
    finally:
        session.close()
    assert purged.counts["contacts"] > 0 and purged.counts["notes"] > 0
    after = chain.verify(sqlite3.connect(db))
    assert after.ok and after.events == before.events + 1  # the purge's own record
    assert Cli(db, monkeypatch)("db", "check", now="2029-11-23T10:00:00Z").code == 0


def test_events_are_appended_only_inside_a_write_transaction(db_path: Path) -> None:
    store = open_store(db_path)
    try:
        with pytest.raises(RuntimeError, match="inside a write transaction"):
            append_event(
                store.conn,
                at=MONDAY_0930,
                timezone=None,
                site_id=None,
                kind=EventKind.NOTE_ADDED,
                actor=Actor("tl"),
            )
        # An event written without its hash (a writer that skips the chain) is refused.
        with (
            pytest.raises(sqlite3.IntegrityError, match="must carry its hash"),
            store.write() as conn,
        ):
            conn.execute(
                "INSERT INTO events (at, kind, actor, data) VALUES (?, 'note_added', 'x', '{}')",
                ["2026-11-23T09:30:00.000Z"],
            )
    finally:
        store.close()


def test_the_migration_chains_existing_events_once(tmp_path: Path) -> None:
    """A database from before the chain: its events get their hashes, in order, once."""
    db = tmp_path / "old.sqlite"
    import sqlite_utils

    conn = sqlite3.connect(db)
    migrations = build_migrations()
    before = sqlite_utils.Database(conn)
    migrations.apply(before, stop_before="0009_event_chain")
    for n in range(1, 6):
        conn.execute(
            "INSERT INTO events (at, kind, actor, data) VALUES (?, 'config_loaded', ?, '{}')",
            [f"2026-11-2{n}T09:00:00.000Z", f"p{n}"],
        )
    conn.commit()
    applied = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
        )
    }
    assert "0009_event_chain" not in applied
    conn.close()
    store = open_store(db, migrate=True)  # what init does
    try:
        found = chain.verify(store.conn)
        assert found.ok and found.events == 5 and found.head_id == 5
        hashes = [bytes(r[0]) for r in store.conn.execute("SELECT hash FROM events ORDER BY id")]
        previous = chain.GENESIS
        for row, stored in zip(
            store.conn.execute(f"SELECT {chain.COLUMN_LIST} FROM events ORDER BY id"),
            hashes,
            strict=True,
        ):
            previous = chain.link(previous, row)
            assert stored == previous
    finally:
        store.close()
    again = open_store(db)  # nothing pending: the hashes are left as they are
    try:
        assert [bytes(r[0]) for r in again.conn.execute("SELECT hash FROM events ORDER BY id")] == (
            hashes
        )
    finally:
        again.close()


def test_the_daily_summary_prints_the_days_head(day: Cli, raw: sqlite3.Connection) -> None:
    last_id, last_hash = raw.execute(
        "SELECT id, hash FROM events WHERE business_day = '2026-11-23' ORDER BY id DESC"
    ).fetchone()
    text = day("report", "daily", now=NOW).out
    assert f"Event log head: event {last_id} sha256 {bytes(last_hash).hex()}" in text
    as_json = day("report", "daily", "--json", now=NOW).json()
    assert as_json["event_log_head"] == {"event": last_id, "sha256": bytes(last_hash).hex()}
    page = day("report", "daily", "--format", "html", now=NOW).out
    assert bytes(last_hash).hex() in page
    csv_rows = day("report", "daily", "--format", "csv", now=NOW).out.splitlines()
    assert f"event_log_head,sha256,{bytes(last_hash).hex()}" in csv_rows
    # A day with no events says so (asked the day after: a day after today has no figures).
    empty = day("report", "daily", "--date", "2026-11-24", now="2026-11-25T10:00:00Z").out
    assert "Event log: no events that day" in empty


def _integrity_line(day: Cli) -> str:
    result = day("doctor", now=NOW)
    (line,) = [x for x in result.out.splitlines() if x[6:].startswith("integrity: ")]
    return line


def test_doctor_checks_the_newest_events_chain_and_says_how_much(
    day: Cli, raw: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trial 19: doctor said "integrity ok ... event log append-only" (exit 0) over events
    edited, deleted or reordered: it did not look at the chain, and did not say so."""
    ids = event_ids(raw)
    line = _integrity_line(day)
    assert line.endswith(f"; chain holds ({len(ids)} events)"), line
    monkeypatch.setattr(doctor, "RECENT_EVENTS", 5)
    line = _integrity_line(day)
    assert line.endswith("chain holds over the newest 5 events (`db check` checks all)"), line
    older, newer = ids[len(ids) // 2], ids[-3]
    without_triggers(raw, [("UPDATE events SET actor = 'someone-else' WHERE id = ?", [older])])
    line = _integrity_line(day)  # before the newest 5: said as not checked here, not "all ok"
    assert line.startswith("ok    ") and "newest 5 events (`db check` checks all)" in line
    without_triggers(raw, [("DELETE FROM events WHERE id = ?", [newer])])
    line = _integrity_line(day)
    assert line.startswith(
        f"fail  integrity: event log: the hash chain breaks at event {newer + 1}"
    )
    assert line.endswith("(`db check` checks the whole log): restore from a backup"), line
    monkeypatch.setattr(doctor, "RECENT_EVENTS", 20_000)
    assert f"breaks at event {older} " in _integrity_line(day)
