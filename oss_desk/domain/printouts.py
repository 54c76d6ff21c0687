"""What goes on paper: plain data, stored as the print job's payload and rendered by the worker.

Nothing here may identify a resident: a code, a neutral service label, times, and a booking
reference at most.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date as date_type
from typing import Any, TypeVar

from oss_desk.domain.delivery import PrintRequest
from oss_desk.domain.wording import ENGLISH, Wording

T = TypeVar("T")

PRIVACY_LINE = ENGLISH["ticket.privacy"]
PRIVACY_SLIP = ENGLISH["referral.privacy"]


class Phrased(ABC):
    """A printout whose texts are stored in the office's languages (``phrases``); a job
    stored before a text was: English from its fields (:meth:`english`)."""

    __slots__ = ()
    phrases: dict[str, list[str]]

    @abstractmethod
    def english(self, wording: Wording) -> dict[str, list[str]]:
        """Every text of the printout in English, from its fields."""

    def say(self, key: str) -> list[str]:
        """The lines of one text of the printout, in every language it has."""
        if key in self.phrases:
            return list(self.phrases[key])
        return list(self.english(Wording())[key])


@dataclass(frozen=True, slots=True)
class TicketPrintout(Phrased):
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
    collected: bool = False
    """The resident cannot watch the board (a need): the ticket says staff will come to them
    (the need itself is not printed)."""
    welsh: bool = False
    """Unused (kept so that older stored payloads still load): see ``phrases``."""
    phrases: dict[str, list[str]] = field(default_factory=dict)
    """Each text in the office's languages, Welsh first (``ticket()`` fills it): council,
    site, label, issued, wait, watch, privacy, phone. Missing: English from the fields."""
    copy: bool = False
    """An earlier copy may have printed: this one says COPY at the top."""
    called_to: str | None = None
    """The desk's public name when the ticket was called before its paper printed (the printer
    was down): the paper sends the resident there, not to watch the board."""

    def english(self, wording: Wording) -> dict[str, list[str]]:
        return ticket(wording, self).phrases


def ticket(
    wording: Wording,
    plain: TicketPrintout,
    council: tuple[str, ...] = (),
    site: tuple[str, ...] = (),
    label: tuple[str, ...] = (),
    desk: tuple[str, ...] = (),
) -> TicketPrintout:
    """The ticket ``plain`` in the office's languages: each name as configured, Welsh first
    where there is one (none given: ``plain``'s own, which is the last of each), each fixed
    text from the wording (``collected``: the resident cannot watch the board, so the ticket
    says a member of staff will come to them instead; ``called_to``: already called, so it
    sends them to that desk, ``desk`` its names)."""
    if plain.collected:
        watch = list(wording.say("ticket.collected"))
    elif plain.called_to is not None:
        watch = wording.go_to(desk or (plain.called_to,))
    else:
        watch = list(wording.say("ticket.watch"))
    phrases = {
        "council": list(council or (plain.council,)),
        "site": list(site or (plain.site,)),
        "label": list(label or (plain.label,)),
        "issued": list(wording.say("ticket.issued", time=plain.issued)),
        "wait": wording.wait(plain.ahead, plain.estimate_minutes),
        "watch": watch,
        "privacy": list(wording.say("ticket.privacy")),
        "phone": list(wording.say("ticket.phone")),
    }
    return replace(plain, phrases=phrases)


@dataclass(frozen=True, slots=True)
class SlipPrintout(Phrased):
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
    phrases: dict[str, list[str]] = field(default_factory=dict)
    """Each text in the office's languages, Welsh first (``slip()`` fills it): council, title,
    service, date, at, place, where, bring, checklist, reference, change. Missing: English."""
    copy: bool = False
    """An earlier copy may have printed: this one says COPY at the top."""

    def english(self, wording: Wording) -> dict[str, list[str]]:
        return {
            "council": [self.council],
            "title": list(wording.say("slip.title")),
            "service": [self.service],
            "date": [self.date],
            "at": list(wording.say("slip.at", time=self.time)),
            "place": [self.place] if self.place and self.place != self.site else [],
            "where": [f"{self.site}, {self.address}" if self.address else self.site],
            "bring": list(wording.say("slip.bring")),
            "checklist": list(self.checklist),
            "reference": list(wording.say("slip.reference")),
            "change": [self.change_line] if self.change_line else [],
        }


def slip(
    wording: Wording,
    *,
    council: tuple[str, ...],
    site: tuple[str, ...],
    address: str,
    where: tuple[str, ...],
    service: tuple[str, ...],
    day: date_type,
    time: str,
    place: tuple[str, ...],
    reference: str,
    checklist: tuple[tuple[str, ...], ...] = (),
    qr: str | None = None,
    change_line: tuple[str, ...] = (),
    large_print: bool = False,
) -> SlipPrintout:
    """An appointment slip in the office's languages: ``where`` is the office and its address
    in each language; each checklist item has its forms, Welsh first."""
    return SlipPrintout(
        council=council[-1],
        site=site[-1],
        address=address,
        service=service[-1],
        date=wording.dates(day)[-1],
        time=time,
        place=place[-1],
        reference=reference,
        checklist=tuple(item[-1] for item in checklist),
        qr=qr,
        change_line=change_line[-1] if change_line else "",
        large_print=large_print,
        phrases={
            "council": list(council),
            "title": list(wording.say("slip.title")),
            "service": list(service),
            "date": list(wording.dates(day)),
            "at": list(wording.say("slip.at", time=time)),
            "place": list(place) if place[-1] != site[-1] else [],
            "where": list(where),
            "bring": list(wording.say("slip.bring")),
            "checklist": ["\n".join(item) for item in checklist],
            "reference": list(wording.say("slip.reference")),
            "change": [line for line in change_line if line],
        },
    )


REFERRAL_CLOSING = ENGLISH["referral.closing"]
"""The last line of a referral's slip and message (an appointment's "to change or cancel" line
has no place there: there is nothing to change or cancel)."""


@dataclass(frozen=True, slots=True)
class ReferralSlipPrintout(Phrased):
    """A referral to a back office: the reference the resident quotes, the service, when to
    expect an answer. Never a name, a number or the topic."""

    council: str
    site: str
    service: str
    """The service's neutral public label."""
    reference: str
    """e.g. ``R-0042``."""
    expect_by: str
    """e.g. ``Friday 4 December 2026``."""
    date: str
    """The day it was made, e.g. ``Monday 23 November 2026``."""
    change_line: str = ""
    large_print: bool = False
    phrases: dict[str, list[str]] = field(default_factory=dict)
    """Each text in the office's languages, Welsh first (``referral_slip()`` fills it):
    council, title, service, passed, at, expect, expect_by, quote, closing, privacy. Missing
    (a job stored before): English from the fields."""

    def english(self, wording: Wording) -> dict[str, list[str]]:
        return {
            "council": [self.council],
            "title": list(wording.say("referral.title")),
            "service": [self.service],
            "passed": list(wording.say("referral.passed", day=self.date)),
            "at": list(wording.say("referral.at", office=self.site)),
            "expect": list(wording.say("referral.expect")),
            "expect_by": [self.expect_by],
            "quote": list(wording.say("referral.quote")),
            "closing": [self.change_line] if self.change_line else [],
            "privacy": [PRIVACY_SLIP],
        }


def referral_slip(
    wording: Wording,
    *,
    council: tuple[str, ...],
    site: tuple[str, ...],
    service: tuple[str, ...],
    reference: str,
    made: date_type,
    expect_by: date_type,
) -> ReferralSlipPrintout:
    """A referral slip in the office's languages, Welsh first (each name as configured, its
    Welsh form first where it has one)."""
    return ReferralSlipPrintout(
        council=council[-1],
        site=site[-1],
        service=service[-1],
        reference=reference,
        expect_by=wording.dates(expect_by)[-1],
        date=wording.dates(made)[-1],
        change_line=REFERRAL_CLOSING,
        phrases={
            "council": list(council),
            "title": list(wording.say("referral.title")),
            "service": list(service),
            "passed": [
                wording.one(language, "referral.passed", day=wording.date(language, made))
                for language in wording.languages
            ],
            "at": [
                wording.one(language, "referral.at", office=site[min(n, len(site) - 1)])
                for n, language in enumerate(wording.languages)
            ],
            "expect": list(wording.say("referral.expect")),
            "expect_by": list(wording.dates(expect_by)),
            "quote": list(wording.say("referral.quote")),
            "closing": list(wording.say("referral.closing")),
            "privacy": list(wording.say("referral.privacy")),
        },
    )


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
    definitions: tuple[tuple[str, str], ...] = ()
    """(row label, what the figure means): printed under that row."""


@dataclass(frozen=True, slots=True)
class SelfTestPrintout:
    title: str
    lines: tuple[str, ...]


Printout = TicketPrintout | SlipPrintout | ReferralSlipPrintout | SummaryPrintout | SelfTestPrintout
KINDS: dict[str, type[Any]] = {
    "ticket": TicketPrintout,
    "appointment_slip": SlipPrintout,
    "referral_slip": ReferralSlipPrintout,
    "daily_summary": SummaryPrintout,
    "test": SelfTestPrintout,
}


def to_payload(printout: Printout) -> dict[str, Any]:
    return asdict(printout)


def print_request(printout: Printout, printer_url: str, desk_id: str | None = None) -> PrintRequest:
    """The print job that prints ``printout`` on ``printer_url`` for ``desk_id``: of the kind
    :data:`KINDS` names for its type, with the printout as its payload."""
    kind = next(name for name, cls in KINDS.items() if type(printout) is cls)
    return PrintRequest(kind, printer_url, desk_id=desk_id, payload=to_payload(printout))


def from_payload(kind: str, payload: dict[str, Any]) -> Printout:
    cls = KINDS[kind]
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in payload.items() if k in names}
    for key in ("checklist", "notes", "lines"):
        if key in values and isinstance(values[key], list):
            values[key] = tuple(values[key])
    for key in ("rows", "by_hour", "definitions"):
        if key in values and isinstance(values[key], list):
            values[key] = tuple(tuple(item) for item in values[key])
    if isinstance(values.get("sections"), list):
        values["sections"] = tuple(
            (title, tuple(tuple(row) for row in rows)) for title, rows in values["sections"]
        )
    result: Printout = cls(**values)
    return result
