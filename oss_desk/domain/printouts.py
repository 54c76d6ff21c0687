"""What goes on paper: plain data, stored as the print job's payload and rendered by the worker.

Nothing here may identify a resident: a code, a neutral service label, times, and a booking
reference at most.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

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
