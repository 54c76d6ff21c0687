"""Statistics helpers shared by the reports: percentages, percentiles, minutes, RAG status,
notice buckets and month arithmetic. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

WITHIN_SECONDS = 15 * 60
"""The council standard: seen within 15 minutes of arrival (inclusive)."""

NOTICE_BUCKETS = ("0", "1", "2", "3-4", "5+")
"""How much notice (working days) the council gave when it cancelled an appointment."""


def pct(part: int, whole: int) -> float | None:
    """A percentage from 0 to 100 rounded half-up to one decimal place; None when whole is 0."""
    if whole == 0:
        return None
    from decimal import ROUND_HALF_UP, Decimal  # the reports' figures: not every command's

    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), _ceil_rank(q, len(ordered))))
    return ordered[rank - 1]


def _ceil_rank(q: float, n: int) -> int:
    from decimal import Decimal

    product = Decimal(str(q)) * n / 100
    whole = int(product)
    return whole if product == whole else whole + 1


def median(values: list[float]) -> float | None:
    """The median (the mean of the middle two for an even count); None when empty."""
    import statistics  # the reports' figures: not every command's

    return statistics.median(values) if values else None


def ms_to_minutes(ms: float | None) -> float | None:
    """Milliseconds as minutes, rounded half up to one decimal place (None stays None)."""
    if ms is None:
        return None
    from decimal import ROUND_HALF_UP, Decimal

    return float((Decimal(ms) / 60000).quantize(Decimal("0.1"), ROUND_HALF_UP))


def wait_summary(waits_ms: list[int]) -> tuple[float | None, float | None]:
    """(median, 90th percentile by nearest rank) of waits, in minutes to one decimal place."""
    ordered: list[float] = sorted(waits_ms)  # once: sorting it again (in each) is one pass
    return ms_to_minutes(median(ordered)), ms_to_minutes(percentile(ordered, 90))


def rag_status(value: float | None, target: float | None, rule: str, amber_points: float) -> str:
    """``green`` when the standard is met, ``amber`` within ``amber_points`` below the target,
    ``red`` below that, ``none`` when there is no value or the figure is only monitored.

    ``rule`` is ``over`` (more than the target: the target itself is not met), ``at_least``
    (the target or more) or ``monitored``.
    """
    if value is None or target is None or rule == "monitored":
        return "none"
    met = value > target if rule == "over" else value >= target
    if met:
        return "green"
    return "amber" if value >= target - amber_points else "red"


def notice_bucket(days: int) -> str:
    """The notice bucket of a council cancellation: ``0``, ``1``, ``2``, ``3-4`` or ``5+``."""
    if days <= 2:
        return str(max(0, days))
    return "3-4" if days <= 4 else "5+"


def busiest(counts: Mapping[str, int]) -> str | None:
    """The key with the highest count (the earliest on a tie); None when all are zero."""
    best: str | None = None
    for key in sorted(counts):
        if counts[key] > 0 and (best is None or counts[key] > counts[best]):
            best = key
    return best


def add_counts(*counts: Mapping[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for mapping in counts:
        for key, value in mapping.items():
            total[key] = total.get(key, 0) + value
    return total


# Months ------------------------------------------------------------------------------------


def parse_month(text: str, what: str = "--month") -> str:
    """``YYYY-MM`` checked and normalised, or :class:`InvalidInput`."""
    value = text.strip()
    parts = value.split("-")
    if (
        len(parts) == 2
        and len(parts[0]) == 4
        and len(parts[1]) == 2
        and value.isascii()
        and parts[0].isdigit()
        and parts[1].isdigit()
        and 1 <= int(parts[1]) <= 12
        and int(parts[0]) >= 1
    ):
        return value
    raise InvalidInput(f"{what} {shown(text)!r} is not a month (expected YYYY-MM)")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of ``YYYY-MM``."""
    year, number = (int(p) for p in month.split("-"))
    first = date(year, number, 1)
    if number == 12:  # never the first of the next year (9999-12 has none)
        return first, date(year, 12, 31)
    return first, date(year, number + 1, 1) - timedelta(days=1)


def month_days(month: str) -> list[date]:
    first, last = month_bounds(month)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def shift_month(month: str, delta: int) -> str:
    year, number = (int(p) for p in month.split("-"))
    index = year * 12 + (number - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def last_months(month: str, count: int) -> list[str]:
    """``count`` months ending with ``month``, oldest first."""
    return [shift_month(month, -i) for i in range(count - 1, -1, -1)]


def same_weekday_before(day: date, weeks: int) -> list[date]:
    """The same weekday 1..``weeks`` weeks before ``day``, newest first."""
    return [day - timedelta(weeks=n) for n in range(1, weeks + 1)]


def hours_between(opens: int, closes_hour: int, closes_minute: int) -> Iterable[int]:
    """The local hours an office that opens at ``opens`` and closes at ``closes`` is open in."""
    last = closes_hour - (1 if closes_minute == 0 else 0)
    return range(opens, last + 1)
