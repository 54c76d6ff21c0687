"""What goes on paper: plain data, stored as the print job's payload and rendered by the worker.

Nothing here may identify a resident: a code, a neutral service label, times, and a booking
reference at most.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

from oss_desk.domain.stats import STATUS_WORDS
from oss_desk.domain.text import event_log_head_lines

T = TypeVar("T")

PRIVACY_LINE = "This ticket carries no personal details."


@dataclass(frozen=True, slots=True)
class TicketPrintout:
    council: str
    site: str
    code: str
    label: str
    issued: str
    """Local time, e.g. ``09:41``."""
    ahead: int | None = None
    estimate_minutes: int | None = None
    qr: str | None = None
    large_print: bool = False
    welsh: bool = False

    def wait_lines(self) -> list[str]:
        """``["3 people ahead of you", "Wait about 12 minutes"]`` (each fits a ticket line)."""
        if self.ahead is None:
            return []
        people = (
            "Nobody ahead of you"
            if self.ahead == 0
            else f"{self.ahead} {'person' if self.ahead == 1 else 'people'} ahead of you"
        )
        if self.estimate_minutes is None:
            return [people]
        if self.estimate_minutes <= 1:
            return [people, "You will be called soon"]
        return [people, f"Wait about {self.estimate_minutes} minutes"]


@dataclass(frozen=True, slots=True)
class SlipPrintout:
    """An appointment confirmation: what, when, where, what to bring, how to change it."""

    council: str
    site: str
    address: str
    service: str
    date: str
    """e.g. ``Monday 30 November 2026``."""
    time: str
    place: str
    reference: str
    checklist: tuple[str, ...] = ()
    qr: str | None = None
    change_line: str = ""
    large_print: bool = False


@dataclass(frozen=True, slots=True)
class SummaryPrintout:
    """The team leader's daily summary on the receipt printer."""

    council: str
    site: str
    date: str
    rows: tuple[tuple[str, str], ...]
    """(label, value) pairs, printed as two columns."""
    by_hour: tuple[tuple[str, int], ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    sections: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    """Titled groups of (label, value) rows: by service, outcomes, desks."""
    large_print: bool = False


@dataclass(frozen=True, slots=True)
class SelfTestPrintout:
    title: str
    lines: tuple[str, ...]


Printout = TicketPrintout | SlipPrintout | SummaryPrintout | SelfTestPrintout
KINDS: dict[str, type[Any]] = {
    "ticket": TicketPrintout,
    "appointment_slip": SlipPrintout,
    "daily_summary": SummaryPrintout,
    "test": SelfTestPrintout,
}


def to_payload(printout: Printout) -> dict[str, Any]:
    return asdict(printout)


def from_payload(kind: str, payload: dict[str, Any]) -> Printout:
    cls = KINDS[kind]
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in payload.items() if k in names}
    for key in ("checklist", "notes", "lines"):
        if key in values and isinstance(values[key], list):
            values[key] = tuple(values[key])
    for key in ("rows", "by_hour"):
        if key in values and isinstance(values[key], list):
            values[key] = tuple(tuple(item) for item in values[key])
    if isinstance(values.get("sections"), list):
        values["sections"] = tuple(
            (title, tuple(tuple(row) for row in rows)) for title, rows in values["sections"]
        )
    result: Printout = cls(**values)
    return result


def _pct(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.1f}%"  # type: ignore[arg-type]


def _minutes(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.1f} min"  # type: ignore[arg-type]


def _standard(data: Mapping[str, Any], key: str, field: str, over: bool) -> str:
    """``84.0% met`` / ``78.5% near`` / ``64.5% MISSED``: the standard in words (the paper has
    no colour), as rated in the figures' ``standards`` (else only met or missed, against 80%)."""
    value = data.get(field)
    if value is None:
        return "n/a"
    rated = {str(s.get("key")): s.get("status") for s in data.get("standards") or []}
    number = float(value)
    unrated = number > 80 if over else number >= 80
    status = rated.get(key) or ("green" if unrated else "red")
    word = STATUS_WORDS.get(str(status), "")
    return f"{number:.1f}% {word.upper() if status == 'red' else word}".rstrip()


def daily_summary(
    data: Mapping[str, Any],
    *,
    council: str,
    site_name: str,
    service_names: Mapping[str, str],
    large_print: bool = False,
) -> SummaryPrintout:
    """The daily report (``ReportService.daily``'s dict) for the receipt printer: figures only,
    per service and per desk; no resident and no adviser is named."""
    minutes = data.get("target_minutes", 15)
    busiest = data.get("busiest_hour")
    targets = {str(s.get("key")): s.get("target") for s in data.get("standards") or []}
    rows = (
        ("Visits", str(data.get("visits", 0))),
        ("Walk-ins", str(data.get("walk_ins", "n/a"))),
        ("Appointments", str(data.get("appointment_visits", "n/a"))),
        ("Served at a desk", str(data.get("served", 0))),
        ("Meet-and-greet", str(data.get("quick_visits", 0))),
        ("No-shows", str(data.get("no_shows", 0))),
        ("Still waiting", str(data.get("still_waiting", 0))),
        (f"Seen in {minutes} min", _standard(data, "within_15_min", "within_15_min_pct", True)),
        (
            "First contact",
            _standard(data, "first_contact", "first_contact_resolution_pct", False),
        ),
        ("Median wait", _minutes(data.get("wait_median_minutes"))),
        ("90% waited under", _minutes(data.get("wait_p90_minutes"))),
        ("Busiest hour", f"{busiest}:00" if busiest else "n/a"),
    )
    services = tuple(
        (f"{code} {service_names.get(code, code)}", str(count))
        for code, count in (data.get("by_service") or {}).items()
    )
    outcomes = tuple(
        (key.capitalize(), str(count)) for key, count in (data.get("outcomes") or {}).items()
    )
    desks = tuple(
        (
            desk,
            f"{d.get('served', 0)} served"
            + (
                f", {float(d['service_median_minutes']):.1f} min"
                if d.get("service_median_minutes") is not None
                else ""
            ),
        )
        for desk, d in (data.get("desks") or {}).items()
    )
    sections = tuple(
        (title, group)
        for title, group in (("By service", services), ("Outcomes", outcomes), ("Desks", desks))
        if group
    )
    return SummaryPrintout(
        council=council,
        site=site_name,
        date=str(data.get("date", "")),
        rows=rows,
        by_hour=tuple((hour, int(count)) for hour, count in (data.get("by_hour") or {}).items()),
        notes=(
            f"Standards: seen within {minutes} minutes over {targets.get('within_15_min', 80)}%;"
            f" resolved at first contact at least {targets.get('first_contact', 80)}%."
            " Desks: served, median minutes.",
            *(
                event_log_head_lines(data["event_log_head"], width=34)
                if "event_log_head" in data
                else ()
            ),
        ),
        sections=sections,
        large_print=large_print,
    )
