"""Upgrades: a database that already holds an office's data, taken through every migration one at
a time, ends with exactly the schema of a fresh database and with its data intact.

A fresh database shows that the ``schema/`` files are valid; it cannot show that a migration
works on a database in use (a ``NOT NULL`` column without a default, a new ``UNIQUE`` index or
``CHECK`` that existing rows break, a rebuilt table that drops rows). So for every point in the
schema's history we build the database an office would have had there: the tables that existed
then, holding the rows of a populated demo office (the columns that existed then), and upgrade
it one migration at a time, each in its own transaction as ``oss-desk init`` would.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from oss_desk.storage.migrations import build_migrations, schema_files

from .conftest import Cli, isolate_env

NAMES = [name for name, _ in schema_files()]

# Rows a migration rewrites on purpose, as (migration, table, column): compared before and after
# everything else, but not these. 0057 gives the appointments whose visit had ended their state
# (test_the_appointments_whose_visit_ended_before_0050_take_the_state_the_rule_gives).
BACK_FILL = "0057_appointment_ends_back_fill"
REWRITTEN: set[tuple[str, str, str]] = {(BACK_FILL, "appointments", "status")}

# Values a later version introduced, as an office before them stored the same thing: a
# checked-in appointment whose ticket ended unseen stayed 'checked_in' (0041 'not_seen', 0050
# 'left_unseen'). Copied so, its row is kept, with the events that point at it.
AS_OLDER: dict[tuple[str, str], str] = {
    ("appointments", "status"): (
        "CASE WHEN \"status\" IN ('not_seen', 'left_unseen') THEN 'checked_in' ELSE \"status\" END"
    ),
}


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo office with two days of history, residents waiting and appointments booked."""
    path = tmp_path_factory.mktemp("populated") / "office.sqlite"
    with pytest.MonkeyPatch.context() as monkeypatch:  # built as `oss-desk demo` builds it
        monkeypatch.setenv("HOME", str(path.parent))
        isolate_env(monkeypatch, path.parent)
        built = Cli(path, monkeypatch)(
            *("--db", str(path), "demo", "--days", "2", "--no-app"),
            now="2026-11-24T10:30:00+00:00",
        )
    assert built.code == 0, built.err
    return path


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str]]:
    """The schema of a fresh database (every migration applied to an empty file): what every
    upgrade must end with. Read only, so made once for the module rather than once per case."""
    fresh = at_migration(tmp_path_factory.mktemp("fresh") / "fresh.sqlite", None)
    try:
        return schema(fresh.conn)
    finally:
        fresh.close()


@pytest.fixture(scope="module")
def empty_at(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """An empty database at every point of the schema's history, by ``start`` (the first
    ``start`` migrations applied): one chain of migrations applied one at a time, copied at
    each point, instead of every case migrating an empty file afresh up to its start."""
    folder = tmp_path_factory.mktemp("empty-at")
    db = unsynced(folder / "chain.sqlite")
    made: dict[int, Path] = {}
    try:
        for start in range(1, len(NAMES)):
            build_migrations().apply(db, stop_before=NAMES[start])
            made[start] = folder / f"{start}.sqlite"
            with closing(sqlite3.connect(made[start])) as copy:
                db.conn.backup(copy)
    finally:
        db.close()
    return made


def schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """Every table, index, trigger and view as (type, name, SQL with whitespace normalised)."""
    rows = conn.execute(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    ).fetchall()
    return [(t, n, re.sub(r"\s+", " ", s).strip()) for t, n, s in rows]


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info('{table}')")]


def tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations' ORDER BY name"
        )
    ]


def unsynced(path: Path) -> sqlite_utils.Database:
    """The test's own copy of a database, its commits not waited on to reach the disk
    (``synchronous = OFF``): every migration still runs in its own transaction, as ``oss-desk
    init`` runs it, and what each leaves is read back from the same file; only the fsyncs of
    each commit (a crash-safety nothing here tests) are skipped."""
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA synchronous = OFF")
    return db


def at_migration(path: Path, stop_before: str | None) -> sqlite_utils.Database:
    db = unsynced(path)
    build_migrations().apply(db, stop_before=stop_before)
    return db


Copied = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def fill_from(db: sqlite_utils.Database, source: Path) -> Copied:
    """Copy the source's rows into the tables and columns this older schema has; rows its
    constraints refuse (values a later version introduced) are left out. Returns what went in:
    per table, the columns copied and the rows as they stand."""
    conn = db.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("ATTACH DATABASE ? AS source", [f"file:{source}?mode=ro"])
    kept: Copied = {}
    with conn:
        for table in tables(conn):
            there = set(source_columns(conn, table))
            shared = [c for c in columns(conn, table) if c in there]
            if not shared:
                continue
            names = quoted(shared)
            values = ", ".join(AS_OLDER.get((table, c), f'"{c}"') for c in shared)
            conn.execute(
                f'INSERT OR IGNORE INTO main."{table}" ({names}) '
                f'SELECT {values} FROM source."{table}"'
            )
            rows = conn.execute(f'SELECT {names} FROM main."{table}"').fetchall()
            kept[table] = (shared, rows)
    conn.execute("DETACH DATABASE source")
    conn.execute("PRAGMA foreign_keys = ON")
    return kept


def quoted(names: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in names)


def source_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA source.table_info('{table}')")]


def test_every_migration_has_a_populated_database_to_upgrade(populated: Path) -> None:
    """The demo office fills most tables, so the upgrades below really carry data."""
    conn = sqlite3.connect(populated)
    try:
        empty = [t for t in tables(conn) if not conn.execute(f'SELECT 1 FROM "{t}"').fetchone()]
    finally:
        conn.close()
    assert len(empty) <= len(tables(sqlite3.connect(populated))) // 3, empty


@pytest.mark.parametrize("start", range(1, len(NAMES)), ids=lambda k: f"from-{NAMES[k - 1]}")
def test_upgrade_one_migration_at_a_time(
    populated: Path,
    fresh_schema: list[tuple[str, str, str]],
    empty_at: dict[int, Path],
    tmp_path: Path,
    start: int,
) -> None:
    """The office's data at migration ``start``, upgraded one migration at a time, ends with a
    fresh database's schema and its rows. The migration ``start`` itself, the first applied to
    the populated office, leaves no broken foreign key and a sound file (checked right after
    it: every migration is the first of one case, so each is checked so on its own data); and
    so does the whole upgrade (checked at the end)."""
    shutil.copyfile(empty_at[start], tmp_path / "old.sqlite")
    db = unsynced(tmp_path / "old.sqlite")
    assert [m.name for m in build_migrations().applied(db)] == NAMES[:start]
    before = fill_from(db, populated)
    assert sum(len(rows) for rows in before.values()) > 0
    for index in range(start, len(NAMES)):
        following = NAMES[index + 1] if index + 1 < len(NAMES) else None
        build_migrations().apply(db, stop_before=following)
        assert build_migrations().applied(db)[-1].name == NAMES[index]
        if index == start or following is None:
            assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == [], NAMES[index]
            assert db.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], NAMES[index]

    assert schema(db.conn) == fresh_schema
    for table, (copied, rows) in before.items():
        still = set(columns(db.conn, table))
        compared = [
            c
            for c in copied
            if c in still and not any((m, table, c) in REWRITTEN for m in NAMES[start:])
        ]
        now = db.conn.execute(f'SELECT {quoted(compared)} FROM "{table}"').fetchall()
        positions = [copied.index(c) for c in compared]
        then = [tuple(row[i] for i in positions) for row in rows]
        assert sorted(map(repr, now)) == sorted(map(repr, then)), table
    db.close()


def test_a_database_upgraded_before_the_event_chain_was_numbered_still_gets_it(
    populated: Path, fresh_schema: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    """0009 landed after 0011-0016: an office already at 0016 has every migration but 0009.
    Migrations are applied by name, not by the highest number, so the upgrade applies 0009 then
    (last), and ends with a fresh database's schema and an unbroken chain over its events."""
    from oss_desk.storage.chain import verify

    chain = "0009_event_chain"
    assert chain in NAMES and NAMES.index(chain) < len(NAMES) - 1
    db = unsynced(tmp_path / "main.sqlite")
    migrations = build_migrations()
    migrations.ensure_migrations_table(db)
    for migration in migrations._migrations:  # every one but the chain, in order
        if migration.name != chain:
            with db.atomic():
                migration.fn(db)
                migrations._record_applied(db, migration.name)
    assert chain not in {m.name for m in migrations.applied(db)}
    fill_from(db, populated)
    events = db.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert events > 0

    assert [m.name for m in migrations.pending(db)] == [chain]
    migrations.apply(db)
    assert migrations.pending(db) == []
    assert schema(db.conn) == fresh_schema
    check = verify(db.conn)
    assert check.broken_id is None and check.problem == "" and check.events == events
    db.close()


def statuses(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("SELECT id, status FROM appointments"))


def test_the_appointments_whose_visit_ended_before_0050_take_the_state_the_rule_gives(
    populated: Path, tmp_path: Path
) -> None:
    """An office at 0049 kept a checked-in appointment whose ticket ended unseen as
    'checked_in' (copied so: AS_OLDER), and said "checked in (here)" for ever after 0050. The
    upgrade gives each the state the rule gives today, as the demo office built by this version
    has it; one wrongly set 'not seen' whose resident was seen (before the 'seen, then
    transferred' fix) is attended; one whose visit is still in the queue is left checked in."""
    source = sqlite3.connect(populated)
    try:
        expected = statuses(source)
    finally:
        source.close()
    assert "left_unseen" in expected.values() and "checked_in" in expected.values()
    db = at_migration(tmp_path / "old.sqlite", "0050_appointment_left_unseen")
    fill_from(db, populated)
    older = statuses(db.conn)
    assert "left_unseen" not in older.values()
    seen = db.conn.execute(
        "SELECT a.id FROM appointments a JOIN tickets t ON t.visit_id = a.visit_id "
        "WHERE a.status = 'attended' AND t.status = 'done' LIMIT 1"
    ).fetchone()[0]
    with db.conn:
        db.conn.execute("UPDATE appointments SET status = 'not_seen' WHERE id = ?", [seen])
    build_migrations().apply(db, stop_before=BACK_FILL)
    assert statuses(db.conn) == older | {seen: "not_seen"}  # 0050 changes no row
    build_migrations().apply(db)
    assert statuses(db.conn) == expected
    db.close()
