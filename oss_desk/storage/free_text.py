"""The free text a release's entry checks cover, as stored, for ``doctor`` to look over with
today's checks (:mod:`oss_desk.services.doctor_old_text`): read only, never rewritten."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator


def recorded_needs(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """The needs of each booking and visit that has any, as stored."""
    for table in ("appointments", "visits"):
        for (held,) in conn.execute(f"SELECT needs FROM {table} WHERE needs != '[]'"):  # noqa: S608
            yield [str(need) for need in json.loads(held)]


def named_officers(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Each follow-up's reference and the officer named as answering it, where one is."""
    found = conn.execute("SELECT ref, officer FROM followups WHERE officer IS NOT NULL ORDER BY id")
    return [(str(ref), str(officer)) for ref, officer in found]


def cancel_reasons(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Each booking's reference and the reason given for cancelling it, where one is."""
    found = conn.execute(
        "SELECT ref, cancel_reason FROM appointments WHERE cancel_reason IS NOT NULL ORDER BY id"
    )
    return [(str(ref), str(reason)) for ref, reason in found]
