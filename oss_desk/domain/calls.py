"""Reading a telephone system's call export (CSV), and the call patterns of a period.

Pure rules, no I/O: the service reads the file's bytes, this module decodes and parses them.

- Line numbers are the file's physical lines (the header is line 1). A row whose quoted field
  holds a line break spans several lines: it is reported by the line it starts on.
- Times without an offset are local times in the export's timezone. In the hour the clocks go
  back (which happens twice) the first of the two is meant; a time in the hour the clocks go
  forward does not exist and is reported.
- A call is answered or abandoned, decided by its answered column's value (compared without
  case or surrounding spaces).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from oss_desk.domain.calendar import zone
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

REQUIRED_COLUMNS = ("started", "answered", "wait_seconds")
"""Keys of the column mapping that every export must have."""
OPTIONAL_COLUMNS = ("talk_seconds", "call_id")
COLUMN_KEYS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DEFAULT_COLUMNS = {"started": "Call Start", "answered": "Answered", "wait_seconds": "Queue Time"}
ISO = "iso"
DEFAULT_TIME_FORMATS = (ISO, "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
DEFAULT_ANSWERED = ("Y", "Yes", "1", "true", "Answered")
DEFAULT_ABANDONED = ("N", "No", "0", "false", "Abandoned")
DURATION_FORMATS = ("auto", "seconds", "hh:mm:ss")
MAX_LISTED = 20
"""Bad rows listed in an error message (then "and N more")."""
MAX_DURATION = 24 * 3600
MAX_CALL_ID = 100

_SECONDS = re.compile(r"^\d{1,9}(?:\.\d+)?$")
_CLOCK = re.compile(r"^(?:(\d{1,4}):)?([0-5]?\d):([0-5]\d)(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class CallFormat:
    """How to read one export: which column is what, and how its values are written."""

    columns: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    time_formats: tuple[str, ...] = DEFAULT_TIME_FORMATS
    timezone: str = "Europe/London"
    answered_values: tuple[str, ...] = DEFAULT_ANSWERED
    abandoned_values: tuple[str, ...] = DEFAULT_ABANDONED
    delimiter: str = ","
    durations: str = "auto"

    def describe(self) -> dict[str, Any]:
        """The mapping and formats as recorded with an import."""
        return {
            "columns": dict(self.columns),
            "time_format": list(self.time_formats),
            "timezone": self.timezone,
            "answered_values": list(self.answered_values),
            "abandoned_values": list(self.abandoned_values),
            "delimiter": self.delimiter,
            "durations": self.durations,
        }


def check_columns(columns: Mapping[str, str]) -> None:
    """Raise InvalidInput unless ``columns`` maps known keys, and every required one, to names."""
    for key, name in columns.items():
        if key not in COLUMN_KEYS:
            raise InvalidInput(
                f"unknown call column key {shown(key)!r} (keys: {', '.join(COLUMN_KEYS)})"
            )
        if not name.strip():
            raise InvalidInput(f"the column for {key!r} is empty")
    missing = [k for k in REQUIRED_COLUMNS if k not in columns]
    if missing:
        raise InvalidInput(f"the call columns need {', '.join(missing)}")


def check_time_format(text: str) -> None:
    if text == ISO:
        return
    if "%" not in text:
        raise InvalidInput(f"time format {shown(text)!r} is neither 'iso' nor a strftime format")
    sample = datetime(2026, 10, 13, 21, 5, 7, tzinfo=UTC)
    try:
        back = datetime.strptime(sample.strftime(text), text)  # noqa: DTZ007 (a check)
    except ValueError:
        raise InvalidInput(f"time format {shown(text)!r} is not a strftime format") from None
    if (back.date(), back.hour, back.minute) != (sample.date(), 21, 5):
        raise InvalidInput(
            f"time format {shown(text)!r} needs the day, month, year, hour and minute"
        )


def parse_mapping_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """``["wait_seconds=Wait", ...]`` (from ``--mapping``) as a dict; InvalidInput when bad."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, column = pair.partition("=")
        key = key.strip()
        if not sep or not key or not column.strip():
            raise InvalidInput(
                f"--mapping {shown(pair)!r}: expected KEY=COLUMN, e.g. started=Start"
            )
        if key not in COLUMN_KEYS:
            raise InvalidInput(
                f"--mapping {shown(pair)!r}: unknown key {shown(key)!r} "
                f"(keys: {', '.join(COLUMN_KEYS)})"
            )
        out[key] = column.strip()
    return out


# Decoding --------------------------------------------------------------------------------------


def decode(data: bytes, source: str) -> str:
    """The text of an export: UTF-8 (with or without a BOM), UTF-16 with a BOM, else
    Windows-1252 (what Excel writes on British Windows). Raises InvalidInput for anything else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidInput(f"{source}: not a text file (bad UTF-16)") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise InvalidInput(
                    f"{source}: not a text file (expected a UTF-8 or Windows-1252 CSV export)"
                ) from None
    if "\x00" in text:
        raise InvalidInput(f"{source}: not a text file (it holds NUL bytes): expected a CSV export")
    return text


# Parsing ---------------------------------------------------------------------------------------


class BadValue(ValueError):
    """What is wrong with one value, and a hint: "is not a duration", "expected seconds"."""

    def __init__(self, what: str, hint: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint

    def describe(self, value: str) -> str:
        """``is not a duration: 'abc' (expected seconds or HH:MM:SS)``."""
        return f"{self.what}: {shown(value)!r}" + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True, slots=True)
class ParsedCall:
    line: int
    started_at: datetime
    """UTC."""
    business_day: str
    local_hour: int
    answered: bool
    wait_seconds: int
    talk_seconds: int | None
    call_id: str | None

    @property
    def abandoned(self) -> bool:
        return not self.answered

    @property
    def key(self) -> str:
        """What makes two rows of overlapping exports the same call (with the start and site)."""
        if self.call_id is not None:
            return f"id:{self.call_id}"
        talk = "" if self.talk_seconds is None else str(self.talk_seconds)
        return f"row:{int(self.answered)}:{self.wait_seconds}:{talk}"


@dataclass(frozen=True, slots=True)
class ParsedFile:
    calls: list[ParsedCall]
    problems: list[str]

    @property
    def first_day(self) -> str | None:
        return min((c.business_day for c in self.calls), default=None)

    @property
    def last_day(self) -> str | None:
        return max((c.business_day for c in self.calls), default=None)


def problems_message(source: str, problems: Sequence[str], limit: int = MAX_LISTED) -> str:
    """``calls.csv: 3 bad rows, nothing imported: line 4: ...; line 9: ...``."""
    listed = "; ".join(problems[:limit])
    more = len(problems) - limit
    tail = f"; and {more} more" if more > 0 else ""
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{source}: {len(problems)} {noun}, nothing imported: {listed}{tail}"


def parse_calls(
    text: str,
    fmt: CallFormat,
    source: str,
    now: datetime | None = None,
    site_timezone: str | None = None,
) -> ParsedFile:
    """Every call in ``text``, and every problem (``line N: ...``). Raises InvalidInput for a
    problem with the whole file (empty, no header, a mapped column missing).

    Times without an offset are read in ``fmt.timezone``; calls are put in the local day and
    hour of ``site_timezone`` (default: the same)."""
    if not text.strip():
        raise InvalidInput(f"{source}: is empty (expected a CSV export with a header line)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter, strict=True)
    problems: list[str] = []
    calls: list[ParsedCall] = []
    header: list[str] | None = None
    index: dict[str, int] = {}
    last_line = 0
    tz = zone(fmt.timezone)
    site_tz = zone(site_timezone or fmt.timezone)
    answered = {v.strip().casefold() for v in fmt.answered_values}
    abandoned = {v.strip().casefold() for v in fmt.abandoned_values}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"line {last_line + 1}: not valid CSV ({exc})")
            break
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            index = _column_index(header, fmt.columns, source)
            continue
        if len(row) < len(header) or any(cell.strip() for cell in row[len(header) :]):
            problems.append(
                f"line {line}: {len(row)} field{'s' if len(row) != 1 else ''}, "
                f"the header has {len(header)}"
            )
            continue
        call = _parse_row(row, line, header, index, fmt, tz, answered, abandoned, now, problems)
        if call is not None and site_tz is not tz:
            wall = call.started_at.astimezone(site_tz)
            call = replace(call, business_day=wall.date().isoformat(), local_hour=wall.hour)
        if call is not None:
            calls.append(call)
    if header is None and problems:  # the header line itself is not valid CSV
        raise InvalidInput(problems_message(source, problems))
    if header is None:
        raise InvalidInput(f"{source}: is empty (expected a CSV export with a header line)")
    if not calls and not problems:
        raise InvalidInput(f"{source}: has a header line but no calls")
    return ParsedFile(calls=calls, problems=problems)


def _column_index(header: list[str], columns: Mapping[str, str], source: str) -> dict[str, int]:
    folded = [name.casefold() for name in header]
    index: dict[str, int] = {}
    missing: list[str] = []
    for key, name in columns.items():
        wanted = name.strip().casefold()
        hits = [i for i, h in enumerate(folded) if h == wanted]
        if not hits:
            missing.append(name)
        elif len(hits) > 1:
            raise InvalidInput(f"{source}: the header has the column {shown(name)!r} twice")
        else:
            index[key] = hits[0]
    if missing:
        names = ", ".join(repr(shown(n)) for n in missing)
        has = ", ".join(repr(shown(h)) for h in header[:30] if h) or "none"
        if len(header) > 30:
            has += f" and {len(header) - 30} more"
        noun = "column" if len(missing) == 1 else "columns"
        raise InvalidInput(
            f"{source}: no {noun} {names} in the header line (see calls.columns or --mapping); "
            f"the file has: {has}"
        )
    return index


def _parse_row(
    row: list[str],
    line: int,
    header: list[str],
    index: dict[str, int],
    fmt: CallFormat,
    tz: Any,
    answered_values: set[str],
    abandoned_values: set[str],
    now: datetime | None,
    problems: list[str],
) -> ParsedCall | None:
    found = len(problems)

    def bad(key: str, what: str) -> None:
        problems.append(f"line {line}: {shown(header[index[key]])!r} {what}")

    def value(key: str) -> str:
        return row[index[key]].strip()

    started: datetime | None = None
    text = value("started")
    if not text:
        bad("started", "is empty")
    else:
        try:
            started = parse_time(text, fmt.time_formats, tz)
        except BadValue as exc:
            bad("started", exc.describe(text))
        if started is not None and now is not None and started > now:
            bad("started", f"is in the future: {shown(text)!r}")
            started = None

    is_answered: bool | None = None
    text = value("answered")
    folded = text.casefold()
    if not text:
        bad("answered", "is empty")
    elif folded in answered_values:
        is_answered = True
    elif folded in abandoned_values or (not abandoned_values and text):
        is_answered = False
    else:
        bad(
            "answered",
            f"is neither answered nor abandoned: {shown(text)!r} "
            "(see calls.answered_values and calls.abandoned_values)",
        )

    wait = _duration(value("wait_seconds"), fmt.durations, lambda w: bad("wait_seconds", w))
    talk: int | None = None
    if "talk_seconds" in index and value("talk_seconds"):
        talk = _duration(value("talk_seconds"), fmt.durations, lambda w: bad("talk_seconds", w))
    call_id: str | None = None
    if "call_id" in index and value("call_id"):
        call_id = value("call_id")
        if len(call_id) > MAX_CALL_ID or not call_id.isprintable():
            bad("call_id", f"is not a call id: {shown(call_id)!r}")
    if len(problems) > found or started is None or is_answered is None or wait is None:
        return None
    wall = started.astimezone(tz)
    return ParsedCall(
        line=line,
        started_at=started,
        business_day=wall.date().isoformat(),
        local_hour=wall.hour,
        answered=is_answered,
        wait_seconds=wait,
        talk_seconds=talk,
        call_id=call_id,
    )


def parse_time(text: str, formats: Sequence[str], tz: Any) -> datetime:
    """A UTC instant from an export's date and time; BadValue saying what is wrong."""
    for form in formats:
        try:
            if form == ISO:
                if len(text) <= 10:  # a date alone is not a time
                    continue
                value = datetime.fromisoformat(text)
            else:
                value = datetime.strptime(text, form)  # noqa: DTZ007 (localised below)
        except ValueError:
            continue
        if value.year < 2000:
            raise BadValue("is not a plausible date and time")
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value.astimezone(UTC)
        aware = value.replace(tzinfo=tz)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value:
            raise BadValue(f"does not exist in {tz}", "the clocks went forward")
        return aware.astimezone(UTC)
    expected = " or ".join(_format_name(f) for f in formats)
    raise BadValue("is not a date and time", f"expected {expected}")


def _format_name(form: str) -> str:
    if form == ISO:
        return "ISO 8601"
    for code, name in (
        ("%d", "DD"),
        ("%m", "MM"),
        ("%Y", "YYYY"),
        ("%y", "YY"),
        ("%H", "HH"),
        ("%M", "MM"),
        ("%S", "SS"),
    ):
        form = form.replace(code, name)
    return form


def parse_duration(text: str, durations: str = "auto") -> int:
    """Whole seconds (rounded half up) from ``"75"``, ``"75.4"``, ``"01:15"`` or ``"0:01:15"``;
    BadValue when it is not one the way ``durations`` says they are written."""
    seconds: Decimal | None = None
    if durations in ("auto", "seconds") and _SECONDS.match(text):
        seconds = Decimal(text)
    elif durations in ("auto", "hh:mm:ss"):
        m = _CLOCK.match(text)
        if m:
            hours = int(m.group(1) or 0)
            seconds = Decimal(hours * 3600 + int(m.group(2)) * 60 + int(m.group(3)))
    if seconds is None:
        expected = {"auto": "seconds or HH:MM:SS", "seconds": "seconds", "hh:mm:ss": "HH:MM:SS"}
        raise BadValue("is not a duration", f"expected {expected.get(durations, durations)}")
    whole = int(seconds.quantize(Decimal(1), ROUND_HALF_UP))
    if whole > MAX_DURATION:
        raise BadValue("is longer than a day")
    return whole


def _duration(text: str, durations: str, bad: Any) -> int | None:
    if not text:
        bad("is empty")
        return None
    try:
        return parse_duration(text, durations)
    except BadValue as exc:
        bad(exc.describe(text))
        return None


# The figures of a period live in call_figures.py (re-exported here for older callers).
from oss_desk.domain.call_figures import CallCounts as CallCounts  # noqa: E402
from oss_desk.domain.call_figures import CallFigures as CallFigures  # noqa: E402
from oss_desk.domain.call_figures import call_figures as call_figures  # noqa: E402
