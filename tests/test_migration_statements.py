"""The migrations' scripts are split into statements as sqlite-utils splits them (its
``executescript`` inside a transaction), only faster: the same statements, in the same order,
for every schema file and for the awkward cases (a ``;`` in a string, a comment or a trigger)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlite_utils.db import _iter_complete_sql_statements

from oss_desk.storage.migrations import PYTHON_STEP, schema_files, statements


def as_sqlite_utils_splits(script: str) -> list[str]:
    return [s for s in _iter_complete_sql_statements(script) if s.strip(" \t\r\n;")]


@pytest.mark.parametrize(("name", "sql"), schema_files(), ids=[n for n, _ in schema_files()])
def test_every_schema_file_splits_as_sqlite_utils_splits_it(name: str, sql: str) -> None:
    for index, part in enumerate(PYTHON_STEP.split(sql)):
        if index % 2 == 0:
            assert statements(part) == as_sqlite_utils_splits(part), name


AWKWARD = [
    "INSERT INTO t VALUES ('a;b');\nSELECT 1;",
    "-- a comment; with a semicolon\nCREATE TABLE t (x);",
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1; DELETE FROM t; END;\nSELECT 2;",
    "SELECT 1",
    "SELECT 1;;\n\nSELECT 2;",
    "/* block; comment */ SELECT 3;",
]


@pytest.mark.parametrize("script", AWKWARD)
def test_awkward_scripts_split_alike(script: str) -> None:
    assert statements(script) == as_sqlite_utils_splits(script)


PIECES = st.sampled_from(
    [
        "SELECT 1",
        ";",
        "'a;b'",
        " -- c;\n",
        "\n",
        "CREATE TRIGGER x AFTER INSERT ON t BEGIN ",
        "END",
        " ",
    ]
)


@given(st.lists(PIECES, max_size=12).map("".join))
def test_any_script_splits_alike(script: str) -> None:
    assert statements(script) == as_sqlite_utils_splits(script)
