"""``doctor``'s look for free text an older release stored that today's entry checks refuse: an
interpreter need's language not known here (a name typed in its place), an officer named on a
follow-up's answer who is no name (a phone number typed there), a reason given for cancelling a
booking that today's check would not store (too long, characters that do not print). Nothing is
rewritten: it counts them and says which command deals with each. Never their words: they may
hold a resident's details, and doctor's output goes to monitoring."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from oss_desk.domain.names import person_name
from oss_desk.domain.needs import parse_need, spoken_languages
from oss_desk.domain.text import clean_text
from oss_desk.errors import InvalidInput
from oss_desk.services.doctor_checks import Check, ok, warn
from oss_desk.storage.free_text import cancel_reasons, named_officers, recorded_needs

if TYPE_CHECKING:
    from oss_desk.config import Settings
    from oss_desk.storage.database import Store

NAME = "old free text"
REASON_LIMIT = 200
"""What a reason for cancelling may hold (``appointment cancel --reason``)."""


def _need_refused(need: str, spoken: Collection[str]) -> bool:
    try:
        return parse_need(need, spoken=spoken) != need
    except InvalidInput:
        return True


def _officer_refused(officer: str) -> bool:
    try:
        return person_name(officer, "the officer") != officer
    except InvalidInput:
        return True


def _reason_refused(reason: str) -> bool:
    try:
        return clean_text(reason, limit=REASON_LIMIT, what="the reason") != reason
    except InvalidInput:
        return True


def _refs(refs: list[str]) -> str:
    return " ".join(refs[:5]) + (f" and {len(refs) - 5} more" if len(refs) > 5 else "")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def old_free_text(store: Store, settings: Settings) -> Check:
    """How many rows hold free text today's entry checks refuse, by kind, and what deals with
    each: ok when none."""
    spoken = spoken_languages(settings.staff)
    needs = sum(
        any(_need_refused(n, spoken) for n in listed) for listed in recorded_needs(store.conn)
    )
    officers = [ref for ref, officer in named_officers(store.conn) if _officer_refused(officer)]
    reasons = [ref for ref, reason in cancel_reasons(store.conn) if _reason_refused(reason)]
    said = []
    if needs:
        said.append(
            _count(needs, "booking or visit holds", "bookings and visits hold")
            + " an interpreter need today's check refuses (a language not known here): add "
            "each language to a staff member's skills in the site configuration and load it "
            "(`oss-desk init --config FILE`); no command rewrites a recorded need"
        )
    if officers:
        said.append(
            _count(len(officers), "follow-up names", "follow-ups name")
            + f" as officer what is no name ({_refs(officers)})"
        )
    if reasons:
        said.append(
            _count(len(reasons), "booking holds", "bookings hold")
            + f" a reason for cancelling today's check refuses ({_refs(reasons)})"
        )
    if not said:
        return ok(NAME, "nothing stored that today's entry checks refuse")
    if officers or reasons:
        said.append(
            "`oss-desk resident forget REF... --yes` erases those records' details (the "
            "retention purge does too, in its time)"
        )
    return warn(NAME, "; ".join(said))
