"""Periods a report covers: financial years, their quarters, and any run of days.

The UK council year runs from 1 April to 31 March (``reports.year_start_month``, 4 by default;
1 gives calendar years). A year is named by the calendar year it starts in: ``--year 2026`` is
the financial year 2026/27, 1 April 2026 to 31 March 2027. Its quarters are numbered from its
start, and typed with the year: ``--quarter 2026/27-Q3`` is October to December 2026. A quarter
typed as ``YYYY-QN`` is a calendar quarter, as the quarterly return has always read it:
``--quarter 2026-Q4`` is October to December 2026 too, shown as "Q3 2026/27". A quarter's key
is always the calendar one. The period before a year or quarter is the one before it; before
``--from``/``--to`` it is the same number of days just before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from oss_desk.domain.calendar import EARLIEST, DateSpan, not_begun
from oss_desk.domain.stats import month_bounds, month_of, shift_month
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

MAX_DAYS = 3 * 366 + 1
"""The longest run of days one report covers (three years, so that any financial year and its
comparison fit many times over): longer is refused where it is typed."""

_YEAR = re.compile(r"^(\d{4})(?:/(\d{2}))?$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR_QUARTER = re.compile(r"^(\d{4})/(\d{2})-?[Qq]([1-4])$")


@dataclass(frozen=True, slots=True)
class Period:
    """A run of whole days with a name."""

    kind: str
    """``year``, ``quarter`` or ``period``."""
    key: str
    label: str
    first: date
    last: date
    start_month: int = 4
    """The month the year starts in (quarters and years are counted from it)."""

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def months(self) -> list[str]:
        """The months (``YYYY-MM``) the period touches, oldest first."""
        found = [month_of(self.first)]
        while found[-1] != month_of(self.last):
            found.append(shift_month(found[-1], 1))
        return found

    def previous(self) -> Period:
        """The period just before: the year or quarter before, or as many days before."""
        if self.kind == "year":
            return financial_year(self.first.year - 1, self.start_month)
        if self.kind == "quarter":
            back = shift_month(month_of(self.first), -3)
            return quarter_starting(back, self.start_month)
        last = self.first - timedelta(days=1)
        return days_period(last - timedelta(days=self.days - 1), last, self.start_month)

    def year_before(self) -> Period:
        """The same period a year before: the year before, the same quarter of the year before,
        or the same days a year earlier (29 February as the 28th)."""
        if self.kind == "year":
            return self.previous()
        if self.kind == "quarter":
            return quarter_starting(shift_month(month_of(self.first), -12), self.start_month)
        return days_period(_a_year_before(self.first), _a_year_before(self.last), self.start_month)


def like_a_year_before(period: Period, to_date: date | None) -> Period:
    """What ``period`` is compared with a year before, like with like: the same period a year
    before (:meth:`Period.year_before`); while it goes on (counted to ``to_date``, today), only
    the same days of it a year before (1 to 22 December 2025 beside December 2026 to the 22nd),
    never a whole month, quarter or year against part of one. Every report that sets a period
    beside its year before asks this, and says the days when they are not the whole period
    (:func:`oss_desk.domain.calendar.days_said`)."""
    if to_date is None or to_date >= period.last:
        return period.year_before()
    return days_period(period.first, to_date, period.start_month).year_before()


def _a_year_before(day: date) -> date:
    return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else day.day))


def _year_label(start_year: int, start_month: int) -> str:
    if start_month == 1:
        return str(start_year)
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _span_words(first: date, last: date) -> str:
    if first.year == last.year:
        if first.month == last.month:
            return f"{first:%B %Y}"
        return f"{first:%B} to {last:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def financial_year(start_year: int, start_month: int = 4) -> Period:
    """The year that starts on the first of ``start_month`` in ``start_year``."""
    first = date(start_year, start_month, 1)
    last = month_bounds(shift_month(month_of(first), 11))[1]
    label = _year_label(start_year, start_month)
    if start_month != 1:
        label = f"{label} ({_span_words(first, last)})"
    return Period("year", str(start_year), label, first, last, start_month)


def quarter_starting(month: str, start_month: int = 4) -> Period:
    """The quarter whose first month is ``month`` (a quarter of the year ``start_month``
    starts)."""
    first = month_bounds(month)[0]
    last = month_bounds(shift_month(month, 2))[1]
    offset = (first.month - start_month) % 12
    if offset % 3:
        raise InvalidInput(f"{month} does not start a quarter")  # pragma: no cover - internal
    year_start = first.year if first.month >= start_month else first.year - 1
    number = offset // 3 + 1
    label = f"Q{number} {_year_label(year_start, start_month)} ({_span_words(first, last)})"
    if first.month % 3 == 1:  # a calendar quarter too: keyed as one
        key = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    else:
        key = f"{_year_label(year_start, start_month)}-Q{number}"
    return Period("quarter", key, label, first, last, start_month)


def quarter(start_year: int, number: int, start_month: int = 4) -> Period:
    """Quarter ``number`` (1-4) of the year that starts in ``start_year``."""
    month = shift_month(f"{start_year:04d}-{start_month:02d}", 3 * (number - 1))
    return quarter_starting(month, start_month)


def year_of(day: date, start_month: int = 4) -> Period:
    """The (financial) year ``day`` falls in."""
    return financial_year(day.year if day.month >= start_month else day.year - 1, start_month)


def quarter_of(day: date, start_month: int = 4) -> Period:
    """The quarter ``day`` falls in."""
    offset = (day.month - start_month) % 12
    first_month = shift_month(month_of(day), -(offset % 3))
    return quarter_starting(first_month, start_month)


def days_period(first: date, last: date, start_month: int = 4) -> Period:
    key = f"{first.isoformat()}..{last.isoformat()}"
    label = f"{_long(first)} to {_long(last)}"
    return Period("period", key, label, first, last, start_month)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# Parsing what was typed ---------------------------------------------------------------------------


def _check_span(
    first: date, last: date, what: str, today: date | None, span: DateSpan | None = None
) -> None:
    """Refuse a period that cannot hold records: before 1970, (given ``span``: the office's)
    before the office's records begin (:meth:`DateSpan.check_period`), or (given ``today``)
    one that has not begun (:func:`~oss_desk.domain.calendar.not_begun`; one that has is
    reported to date)."""
    if last < EARLIEST:
        raise InvalidInput(f"{what} ends before {EARLIEST.isoformat()}: no office's records do")
    if span is not None:
        span.check_period(first, last, what)
    if today is not None:
        not_begun(first, today, what)


def parse_year(
    text: str, start_month: int = 4, today: date | None = None, span: DateSpan | None = None
) -> Period:
    """``2026`` (or ``2026/27``): the financial year that starts in 2026."""
    m = _YEAR.match(text.strip())
    if not m or not text.strip().isascii() or int(m.group(1)) < 1:
        raise InvalidInput(
            f"--year {shown(text)!r} is not a year (expected YYYY, e.g. 2026 for 2026/27)"
        )
    start = int(m.group(1))
    if m.group(2) is not None and int(m.group(2)) != (start + 1) % 100:
        raise InvalidInput(f"--year {shown(text)!r}: {start}/{m.group(2)} is not one year")
    if start > 9998:
        raise InvalidInput(f"--year {shown(text)!r} is too far ahead")
    period = financial_year(start, start_month)
    _check_span(period.first, period.last, f"--year {text.strip()}", today, span)
    return period


def parse_quarter(
    text: str, start_month: int = 4, today: date | None = None, span: DateSpan | None = None
) -> Period:
    """``2026-Q4``: the calendar quarter (October to December 2026); ``2026/27-Q3``: the third
    quarter of the reporting year that starts in 2026 (the same months by default)."""
    value = text.strip()
    calendar = _QUARTER.match(value)
    ours = _YEAR_QUARTER.match(value)
    found = calendar or ours
    year = int(found.group(1)) if found is not None else 0
    if found is None or not value.isascii() or year < 1 or year > 9998:
        raise InvalidInput(
            f"--quarter {shown(text)!r} is not a quarter (expected YYYY-QN, the calendar"
            " quarter, e.g. 2026-Q4; or a quarter of the reporting year, e.g. 2026/27-Q3)"
        )
    if ours is not None:
        if int(ours.group(2)) != (year + 1) % 100 or start_month == 1:
            raise InvalidInput(
                f"--quarter {shown(text)!r}: {year}/{ours.group(2)} is not a reporting year"
                + (" (the reporting year is the calendar year)" if start_month == 1 else "")
            )
        period = quarter(year, int(ours.group(3)), start_month)
    else:
        assert calendar is not None
        month = f"{year:04d}-{3 * (int(calendar.group(2)) - 1) + 1:02d}"
        aligned = (int(month[5:]) - start_month) % 3 == 0
        period = quarter_starting(month, start_month if aligned else 1)
    _check_span(period.first, period.last, f"--quarter {value}", today, span)
    return period


def parse_day(text: str, what: str) -> date:
    value = text.strip()
    try:
        if not value.isascii():
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what} {shown(text)!r} is not a date (expected YYYY-MM-DD)") from None


def parse_days(
    first_text: str,
    last_text: str,
    start_month: int = 4,
    today: date | None = None,
    span: DateSpan | None = None,
) -> Period:
    """``--from DATE --to DATE`` (both days included)."""
    first = parse_day(first_text, "--from")
    last = parse_day(last_text, "--to")
    if last < first:
        raise InvalidInput(f"--to {last.isoformat()} is before --from {first.isoformat()}")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(
            f"--from {first.isoformat()} --to {last.isoformat()} is longer than {MAX_DAYS} days:"
            " report on a year at a time"
        )
    named = f"--from {first.isoformat()} --to {last.isoformat()}"
    _check_span(first, last, named, today, span)
    return days_period(first, last, start_month)


def begun(months: list[str], to_date: date | None) -> list[str]:
    """A period's months (``YYYY-MM``) that have begun by ``to_date`` (:func:`counted_to`;
    None: the period is over, every month): one not yet begun has no figures, not zeros (a
    trial: a quarter run in November listed December with 0 visits, as if recorded)."""
    if to_date is None:
        return months
    return [m for m in months if m <= to_date.isoformat()[:7]]


def counted_to(last: date, today: date, *, today_over: bool) -> date | None:
    """A report's period still going on is reported to date: the last day counted is today
    (None: the period is over and counted whole). It goes on while its last day is after today,
    and on its last day until that day is over (``today_over``: past closing time, or closed by
    hand: :func:`~oss_desk.domain.closed_day.day_over`). The heading, the JSON's ``to_date``,
    an email's subject and the figures all follow it."""
    return today if today < last or (today == last and not today_over) else None
