"""The bank holidays worked out when the configuration was loaded (``bank_holidays``), by
nation and year: read back as :attr:`oss_desk.domain.workdays.WorkingDays.known`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import date
from functools import lru_cache

from oss_desk.domain.workdays import days_off


def stored_bank_holidays(conn: sqlite3.Connection, nation: str) -> dict[int, dict[date, str]]:
    """The stored bank holidays of ``nation``, by year (a year not stored: left out): the days
    off (:func:`~oss_desk.domain.workdays.days_off`; a weekend day with a substitute, stored by
    an earlier release, is not one)."""
    return {
        int(year): dict(_days_off(days))
        for year, days in conn.execute(
            "SELECT year, days FROM bank_holidays WHERE nation = ?", [nation]
        )
    }


@lru_cache(maxsize=64)
def _days_off(days: str) -> dict[date, str]:
    """The days off of one year's stored text (read by every booking, notice and due send:
    worked out once per text, not once per read; a copy is returned to each caller)."""
    stored = {date.fromisoformat(d): str(n) for d, n in json.loads(days).items()}
    return days_off(stored)


def store_bank_holidays(
    conn: sqlite3.Connection, nation: str, year: int, days: Mapping[date, str]
) -> None:
    """Keep ``nation``'s bank holidays of ``year`` (replacing any stored before)."""
    conn.execute(
        "INSERT INTO bank_holidays (nation, year, days) VALUES (?, ?, ?) "
        "ON CONFLICT (nation, year) DO UPDATE SET days = excluded.days",
        [nation, year, json.dumps({d.isoformat(): n for d, n in sorted(days.items())})],
    )
