"""Calendar quarters for the quarterly return: ``2026-Q4`` is October to December 2026."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from oss_desk.domain.stats import month_bounds
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)


@dataclass(frozen=True, slots=True)
class Quarter:
    year: int
    number: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-Q{self.number}"

    @property
    def months(self) -> list[str]:
        first = 3 * (self.number - 1) + 1
        return [f"{self.year:04d}-{m:02d}" for m in range(first, first + 3)]

    @property
    def first_day(self) -> date:
        return month_bounds(self.months[0])[0]

    @property
    def last_day(self) -> date:
        return month_bounds(self.months[-1])[1]


def parse_quarter(text: str, what: str = "--quarter") -> Quarter:
    m = _QUARTER.match(text.strip())
    if not m or int(m.group(1)) < 1:
        raise InvalidInput(
            f"{what} {shown(text)!r} is not a quarter (expected YYYY-QN, e.g. 2026-Q4)"
        )
    return Quarter(int(m.group(1)), int(m.group(2)))


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)
