"""One row mapper: a fetched row as a dict of its columns, and a dataclass from such a row."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def row_dict(cur: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    """``row`` (fetched from ``cur``) by column name."""
    return dict(zip((d[0] for d in cur.description), row, strict=True))


def of_row(cls: type[T], row: Mapping[str, Any], **differs: Any) -> T:
    """A ``cls`` whose every field is the column of its name, except the ``differs`` given
    already (another column, or a value read from its stored form)."""
    taken = {f.name: row[f.name] for f in fields(cls) if f.name not in differs}
    return cls(**taken, **differs)


def returned_int(conn: sqlite3.Connection, sql: str, args: Sequence[object] = ()) -> int:
    """Run ``sql`` (an INSERT or UPSERT ``... RETURNING`` one number, such as the new row's id)
    and return that number."""
    return int(conn.execute(sql, args).fetchone()[0])


def first_column(conn: sqlite3.Connection, sql: str, args: Sequence[object] = ()) -> list[Any]:
    """The first column of every row ``sql`` selects, in its order."""
    return [row[0] for row in conn.execute(sql, args)]
