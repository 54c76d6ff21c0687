"""One row mapper: a fetched row as a dict of its columns, a dataclass from such a row, and the
records whose fields are their table's columns selected by those fields."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

_PURGE = re.compile(r"UPDATE (?P<table>\w+) SET .+? WHERE (?P<where>.+)", re.DOTALL)


def row_dict(cur: sqlite3.Cursor, row: Sequence[Any]) -> dict[str, Any]:
    """``row`` (fetched from ``cur``) by column name."""
    return dict(zip((d[0] for d in cur.description), row, strict=True))


def row_dicts(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    """Every row ``cur`` has left, each by column name (the names read once)."""
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def of_row(cls: type[T], row: Mapping[str, Any], **differs: Any) -> T:
    """A ``cls`` whose every field is the column of its name, except the ``differs`` given
    already (another column, or a value read from its stored form)."""
    taken = {f.name: row[f.name] for f in fields(cls) if f.name not in differs}
    return cls(**taken, **differs)


@cache
def column_list(cls: type[DataclassInstance]) -> str:
    """``cls``'s field names, in order, as a SELECT list: for a record whose fields are the
    columns of its table (so the record and its query cannot drift apart). Made once per
    record type (a ticket's issue reads the heartbeat through it)."""
    return ", ".join(f.name for f in fields(cls))


def select_one(
    conn: sqlite3.Connection, cls: type[T], rest: str, args: Sequence[object] = ()
) -> T | None:
    """The first row of ``SELECT <cls's fields> <rest>`` as a ``cls`` (None: no row)."""
    row = conn.execute(f"SELECT {column_list(cls)} {rest}", args).fetchone()
    return None if row is None else cls(*row)


def select_all(
    conn: sqlite3.Connection, cls: type[T], rest: str, args: Sequence[object] = ()
) -> list[T]:
    """Every row of ``SELECT <cls's fields> <rest>``, each as a ``cls``, in its order."""
    return [cls(*row) for row in conn.execute(f"SELECT {column_list(cls)} {rest}", args)]


def returned_int(conn: sqlite3.Connection, sql: str, args: Sequence[object] = ()) -> int:
    """Run ``sql`` (an INSERT or UPSERT ``... RETURNING`` one number, such as the new row's id)
    and return that number."""
    return int(conn.execute(sql, args).fetchone()[0])


def first_column(conn: sqlite3.Connection, sql: str, args: Sequence[object] = ()) -> list[Any]:
    """The first column of every row ``sql`` selects, in its order."""
    return [row[0] for row in conn.execute(sql, args)]


def purge(
    conn: sqlite3.Connection, update: str, args: Mapping[str, object], *, dry_run: bool
) -> int:
    """A retention purge: run ``update`` (``UPDATE table SET ... WHERE ...``), or with
    ``dry_run`` only count the rows its WHERE selects; how many. The selection is written once,
    so what a dry run counts is what a real run clears."""
    if not dry_run:
        return conn.execute(update, args).rowcount
    parts = _PURGE.fullmatch(update)
    assert parts is not None, update  # our own statements
    counted = f"SELECT count(*) FROM {parts['table']} WHERE {parts['where']}"  # noqa: S608
    return int(conn.execute(counted, args).fetchone()[0])
