"""The bank holidays worked out when the configuration was loaded (``bank_holidays``), by
nation and year: read back as :attr:`oss_desk.domain.workdays.WorkingDays.known`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import date

from oss_desk.domain.workdays import days_off


def stored_bank_holidays(conn: sqlite3.Connection, nation: str) -> dict[int, dict[date, str]]:
    """The stored bank holidays of ``nation``, by year (a year not stored: left out): the days
    off (:func:`~oss_desk.domain.workdays.days_off`; a weekend day with a substitute, stored by
    an earlier release, is not one)."""
    found: dict[int, dict[date, str]] = {}
    for year, days in conn.execute(
        "SELECT year, days FROM bank_holidays WHERE nation = ?", [nation]
    ):
        stored = {date.fromisoformat(d): str(n) for d, n in json.loads(days).items()}
        found[int(year)] = days_off(stored)
    return found


def store_bank_holidays(
    conn: sqlite3.Connection, nation: str, year: int, days: Mapping[date, str]
) -> None:
    """Keep ``nation``'s bank holidays of ``year`` (replacing any stored before)."""
    conn.execute(
        "INSERT INTO bank_holidays (nation, year, days) VALUES (?, ?, ?) "
        "ON CONFLICT (nation, year) DO UPDATE SET days = excluded.days",
        [nation, year, json.dumps({d.isoformat(): n for d, n in sorted(days.items())})],
    )
