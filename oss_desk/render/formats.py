"""How a figure is written, in one place for every report, the desk app and paper: percentages,
minutes, counts, targets and dates. ``n/a`` stands for a figure that does not exist (no visitor
seen, nobody served), never for zero."""

from __future__ import annotations

from datetime import date

from oss_desk.domain.calendar import days_said
from oss_desk.domain.reports import NO_RECORDS
from oss_desk.domain.standards import (
    Rule,
    Standard,
)
from oss_desk.domain.stats import month_bounds

MISSING = "n/a"

_RULE_WORDS = {Rule.OVER: "over", Rule.AT_LEAST: "at least"}
_RULE_SYMBOLS = {Rule.OVER: ">", Rule.AT_LEAST: "\u2265"}


def percent(value: float | None) -> str:
    """``84.0%`` (one decimal place, as the figures are rounded), or ``n/a``."""
    return MISSING if value is None else f"{float(value):.1f}%"


def minutes(value: float | None) -> str:
    """``7.5 min``, or ``n/a``."""
    return MISSING if value is None else f"{float(value):.1f} min"


def seconds(value: float | None) -> str:
    """``32.5 s``, or ``n/a``."""
    return MISSING if value is None else f"{float(value):.1f} s"


def count(value: int | None) -> str:
    return MISSING if value is None else str(value)


def hour(value: str | None) -> str:
    """A local hour key (``11``) as ``11:00``, or ``n/a``."""
    return MISSING if value is None else f"{value}:00"


SAME_DAYS = "the same days a year before"
"""What a period going on is rated against (:func:`oss_desk.domain.periods.like_a_year_before`),
said with those days: "down on the same days a year before, 4.0% then (to 22 Dec)"."""


def target(standard: Standard, *, symbols: bool = False, prefix: str = "") -> str:
    """A standard's target: ``over 80%``, ``at least 80%`` (``> 80%``, ``\u2265 80%`` with
    ``symbols``), after ``prefix``; ``monitored`` for a figure without a target; ``down on a
    year before`` for one that should go down year on year."""
    if standard.rule is Rule.DOWN:
        part = days_said(standard.baseline_from, standard.baseline_to)
        if symbols:  # where room is short (the desk's screen): what it is rated against
            return "\u2193 yearly" + (f" {part}" if standard.baseline_to else "")
        then = percent(standard.baseline) if standard.baseline_recorded else NO_RECORDS
        before = SAME_DAYS if standard.baseline_to else "a year before"
        return f"{prefix}down on {before}, {then} then" + (f" {part}" if part else "")
    if standard.rule is Rule.MONITORED or standard.target is None:
        return "monitored"
    words = _RULE_SYMBOLS if symbols else _RULE_WORDS
    return f"{prefix}{words[standard.rule]} {standard.target}%"


def long_date(day: str) -> str:
    """``Monday 23 November 2026`` (the text as it is when it is not a date)."""
    try:
        when = date.fromisoformat(day)
    except (TypeError, ValueError):
        return str(day)
    return f"{when:%A} {when.day} {when:%B %Y}"


def long_month(month: str) -> str:
    """``November 2026``."""
    try:
        when = date.fromisoformat(f"{month}-01")
    except (TypeError, ValueError):
        return str(month)
    return f"{when:%B %Y}"


def short_month(month: str) -> str:
    """``Nov 26``."""
    try:
        return f"{date.fromisoformat(f'{month}-01'):%b %y}"
    except (TypeError, ValueError):
        return str(month)


TO_DATE = "to date"
"""Said of a month or period still going on, reported to its last day counted (today)."""


def month_words(month: str, to_date: str | None) -> str:
    """``December 2026``; while it goes on ``December 2026, to date (to Tuesday 22 December
    2026)``."""
    if to_date is None:
        return long_month(month)
    return f"{long_month(month)}, {to_date_said(to_date)}"


def to_date_said(to_date: str) -> str:
    """``to date (to Tuesday 22 December 2026)``: a month still going on, counted to
    ``to_date`` (today), as its dashboard's heading and its email's subject say it."""
    return f"{TO_DATE} (to {long_date(to_date)})"


def span_words(first: str, last: str, to_date: str | None) -> str:
    """``Thursday 1 October 2026 to Thursday 31 December 2026``; while the period goes on, to
    its last day counted: ``... to Tuesday 22 December 2026 (to date)``."""
    if to_date is None:
        return f"{long_date(first)} to {long_date(last)}"
    return f"{long_date(first)} to {long_date(to_date)} ({TO_DATE})"


def period_words(label: str, first: str, last: str, to_date: str | None) -> str:
    """A period as a report's headings name it: its label (``Q3 2026/27 (October to December
    2026)``); while it goes on, and its days counted: ``...: Thursday 1 October 2026 to
    Friday 4 December 2026 (to date)``."""
    if to_date is None:
        return label
    return f"{label}: {span_words(first, last, to_date)}"


def span_short(first: str, last: str) -> str:
    """A period in a column's head, by the months it runs when it runs whole months
    (``2026-10..2026-12``, one month ``2026-11``), else by its days (``2026-11-02..2026-11-10``,
    one day ``2026-11-02``)."""
    whole = first[8:] == "01" and month_bounds(last[:7])[1].isoformat() == last
    a, b = (first[:7], last[:7]) if whole else (first, last)
    return a if a == b else f"{a}..{b}"
