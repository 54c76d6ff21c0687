"""The ordered ``schema/NNNN_*.sql`` files as a sqlite-utils ``Migrations`` set.

In a wheel the files live in ``oss_desk/_schema`` (see ``pyproject.toml``); in a source checkout
they are read from the repository's ``schema/`` folder.

Every process opens the database and asks whether anything is pending; that question is answered
from the file names and one query (:func:`pending_names`), so sqlite-utils (about a third of a
short command's start-up with its plugin machinery) is imported only when a migration runs.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from oss_desk.errors import StorageError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import sqlite_utils
    from sqlite_utils import Migrations

MIGRATION_SET = "oss_desk"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def table_names(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def is_ours(conn: sqlite3.Connection, tables: set[str]) -> bool:
    """Whether oss-desk's migrations ran in this database (``tables``: its table names)."""
    if "_sqlite_migrations" not in tables:
        return False
    found = conn.execute(
        "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
    ).fetchone()[0]
    return bool(found > 0)


def schema_dir() -> Traversable:
    # The package is a folder on disk (never imported from a zip file): its own path, without
    # importlib.resources and the readers it imports.
    packaged = Path(__file__).resolve().parents[1] / "_schema"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[2] / "schema"
    if source.is_dir():
        return source
    raise RuntimeError("oss-desk is installed without its schema/ files")


def schema_files() -> list[tuple[str, str]]:
    """``[(name, sql), ...]`` in order, e.g. ``("0001_core", "CREATE TABLE ...")``."""
    folder = schema_dir()
    return [(name, (folder / f"{name}.sql").read_text(encoding="utf-8")) for name in schema_names()]


@lru_cache(maxsize=1)
def schema_names() -> tuple[str, ...]:
    """The migrations' names in order, e.g. ``("0001_core", ...)``, from the file names alone."""
    found = sorted(entry.name[:-4] for entry in schema_dir().iterdir() if _NAME.match(entry.name))
    numbers = [int(name[:4]) for name in found]
    # Numbers are assigned ahead to work in progress, so one may be missing for a while (e.g.
    # 0007 before 0006); two files with one number would be applied in an arbitrary order.
    if len(set(numbers)) != len(numbers) or (numbers and numbers[0] != 1):
        raise RuntimeError(f"schema files must be numbered from 0001, each number once: {numbers}")
    return tuple(found)


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """The migrations recorded in the database, in the order they were applied (sqlite-utils'
    own ``_sqlite_migrations`` table, read directly)."""
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone():
        return []
    rows = conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
        [MIGRATION_SET],
    )
    return [row[0] for row in rows]


def pending_names(conn: sqlite3.Connection) -> list[str]:
    """The migrations not yet applied to this database, in order (what
    ``build_migrations().pending(db)`` names, without importing sqlite-utils)."""
    done = set(applied_names(conn))
    return [name for name in schema_names() if name not in done]


@lru_cache(maxsize=4)
def view_sql(name: str) -> str:
    """The ``SELECT`` of view ``name`` as the latest schema file that creates it spells it (for
    a TEMP view over an older copy read-only, which lacks it or holds an older one: the view
    is spelt once, in its migration)."""
    pattern = re.compile(rf"^CREATE VIEW {re.escape(name)} AS\s*\n(.*?);\s*$", re.M | re.S)
    for _file, sql in reversed(schema_files()):
        found = pattern.search(sql)
        if found is not None:
            return found.group(1)
    raise RuntimeError(f"no schema file creates the view {name}")


@lru_cache(maxsize=1)
def build_migrations() -> Migrations:
    from sqlite_utils import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, sql in schema_files():
        migrations(name=name)(_runner(name, sql))
    return migrations


PYTHON_STEP = re.compile(r"^-- @python ([a-z_]+)\s*$", re.MULTILINE)
"""A line ``-- @python NAME`` in a schema file runs :data:`PYTHON_STEPS` [NAME] there, in the
same transaction (for what SQL cannot compute, such as SHA-256)."""


def _chain_existing_events(db: sqlite_utils.Database) -> None:
    from oss_desk.storage.chain import chain_unchained

    chain_unchained(db.conn)


def _check_list(sql: str, column: str) -> re.Match[str] | None:
    """The value list of ``CHECK (column IN (...))`` in a table's stored text, spacing free."""
    pattern = rf"CHECK\s*\(\s*{re.escape(column)}\s+IN\s*\(([^()]*)\)\s*\)"
    return re.search(pattern, sql, re.IGNORECASE)


def _admitted(sql: str, column: str) -> list[str]:
    found = _check_list(sql, column)
    return re.findall(r"'([^']*)'", found.group(1)) if found else []


def _table_sql(conn: sqlite3.Connection, table: str) -> str:
    """The table's stored ``CREATE TABLE`` text ("" when there is no such table)."""
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    return str(row[0]) if row else ""


def _allow_schema_edits(conn: sqlite3.Connection) -> None:
    """Turn SQLite's defensive mode off for this connection where Python can (3.12's
    ``setconfig``): some builds turn it on, and it refuses every edit of the stored schema."""
    setconfig = getattr(conn, "setconfig", None)
    defensive = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
    if setconfig is not None and defensive is not None:
        setconfig(defensive, False)


def admit_value(conn: sqlite3.Connection, table: str, column: str, value: str, step: str) -> None:
    """Widen ``table``'s ``CHECK (column IN (...))`` to admit ``value`` in the stored schema
    (SQLite's documented procedure for loosening a constraint: no stored row can break it),
    whatever the spacing of the stored text; then prove it: the stored text must now list
    ``value`` and, when the table has a row, setting one to it (undone at once) must pass.
    Otherwise the upgrade ``step`` fails in plain words and nothing of it is kept (it never
    records success and leaves the office to fail on the constraint later)."""
    advice = (
        "nothing was changed; go back to the previous oss-desk version for now and send the "
        f"output of `sqlite3 DATABASE '.schema {table}'` to your oss-desk support"
    )
    sql = _table_sql(conn, table)
    found = _check_list(sql, column)
    if found is None:
        raise StorageError(
            f"cannot upgrade the database ({step}): the {table} table's {column} check is not "
            f"in the form this version knows, so {value!r} cannot be added to it: {advice}"
        )
    if value not in _admitted(sql, column):
        widened = f"{sql[: found.end(1)].rstrip()}, '{value}'{sql[found.end(1) :]}"
        _allow_schema_edits(conn)
        conn.execute("PRAGMA writable_schema = ON")
        try:
            conn.execute(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                [widened, table],
            )
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                f"cannot upgrade the database ({step}): this SQLite refuses to change a stored "
                f"table definition ({exc}; its defensive mode, which this Python cannot turn "
                f"off; Python 3.12 or later can): {advice}"
            ) from None
        finally:
            conn.execute("PRAGMA writable_schema = RESET")
    _prove_admits(conn, table, column, value, step, advice)


def _prove_admits(
    conn: sqlite3.Connection, table: str, column: str, value: str, step: str, advice: str
) -> None:
    refused = value not in _admitted(_table_sql(conn, table), column)
    some = conn.execute(f"SELECT rowid FROM {table} LIMIT 1").fetchone()  # noqa: S608
    if some is not None and not refused:
        conn.execute("SAVEPOINT oss_desk_admits")
        try:
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", [value, some[0]])  # noqa: S608
        except sqlite3.IntegrityError:
            refused = True
        finally:
            conn.execute("ROLLBACK TO SAVEPOINT oss_desk_admits")
            conn.execute("RELEASE SAVEPOINT oss_desk_admits")
    if refused:
        raise StorageError(
            f"cannot upgrade the database ({step}): the {table} table's {column} check still "
            f"refuses {value!r} after it was widened: {advice}"
        )


def _appointments_admit_not_seen(db: sqlite_utils.Database) -> None:
    admit_value(db.conn, "appointments", "status", "not_seen", "0041_appointment_not_seen")


def _appointments_admit_left_unseen(db: sqlite_utils.Database) -> None:
    admit_value(db.conn, "appointments", "status", "left_unseen", "0050_appointment_left_unseen")


def _messages_admit_uncertain(db: sqlite_utils.Database) -> None:
    admit_value(db.conn, "messages", "status", "uncertain", "0081_message_may_have_been_sent")


def _followup_messages_admit_cancelled(db: sqlite_utils.Database) -> None:
    step = "0082_message_cancel_closed_text"
    admit_value(db.conn, "followup_messages", "status", "cancelled", step)


def _followup_messages_admit_uncertain(db: sqlite_utils.Database) -> None:
    step = "0082_message_cancel_closed_text"
    admit_value(db.conn, "followup_messages", "status", "uncertain", step)


def _turn_texts_admit_closed(db: sqlite_utils.Database) -> None:
    admit_value(db.conn, "turn_texts", "kind", "closed", "0082_message_cancel_closed_text")


def _report_mails_admit_cancelled(db: sqlite_utils.Database) -> None:
    admit_value(db.conn, "report_mails", "status", "cancelled", "0085_report_mail_cancelled")


def _settle_ended_visits(db: sqlite_utils.Database) -> None:
    from oss_desk.storage.appointment_ends import settle_ended_visits

    settle_ended_visits(db.conn)


PYTHON_STEPS = {
    "chain_existing_events": _chain_existing_events,
    "appointments_admit_not_seen": _appointments_admit_not_seen,
    "appointments_admit_left_unseen": _appointments_admit_left_unseen,
    "settle_ended_visits": _settle_ended_visits,
    "messages_admit_uncertain": _messages_admit_uncertain,
    "followup_messages_admit_cancelled": _followup_messages_admit_cancelled,
    "followup_messages_admit_uncertain": _followup_messages_admit_uncertain,
    "turn_texts_admit_closed": _turn_texts_admit_closed,
    "report_mails_admit_cancelled": _report_mails_admit_cancelled,
}


def statements(script: str) -> list[str]:
    """``script``'s statements, one by one, as sqlite3 reads them (a ``;`` inside a string, a
    comment or a trigger's body does not end one). sqlite-utils' ``executescript`` inside a
    transaction splits a script the same way but checks after every character, which made the
    migrations most of the time it takes to create a database (measured with cProfile: 0.8 of
    1.0 s); this checks only where a ``;`` may end a statement."""
    found: list[str] = []
    pending = ""
    *pieces, last = script.split(";")
    for piece in pieces:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                found.append(pending.strip())
            pending = ""
    if (pending + last).strip():
        found.append((pending + last).strip())  # what follows the last ``;``, as it stands
    return found


def _runner(name: str, sql: str):  # type: ignore[no-untyped-def]
    parts = PYTHON_STEP.split(sql)  # [sql, step, sql, step, sql, ...]
    scripts = [statements(part) if index % 2 == 0 else [] for index, part in enumerate(parts)]

    def run(db: sqlite_utils.Database) -> None:
        for index, part in enumerate(parts):
            if index % 2:
                PYTHON_STEPS[part](db)
            else:
                cursor = db.conn.cursor()  # in the migration's transaction, as sqlite-utils does
                for statement in scripts[index]:
                    cursor.execute(statement)

    run.__name__ = name
    return run
