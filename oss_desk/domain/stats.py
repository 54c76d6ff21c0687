"""Statistics helpers shared by the reports."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WITHIN_SECONDS = 15 * 60
"""The council standard: seen within 15 minutes of arrival (inclusive)."""


def pct(part: int, whole: int) -> float | None:
    """A percentage from 0 to 100 rounded half-up to one decimal place; None when whole is 0."""
    if whole == 0:
        return None
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
    product = Decimal(str(q)) * n / 100
    whole = int(product)
    return whole if product == whole else whole + 1
