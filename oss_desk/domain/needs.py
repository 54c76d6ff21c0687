"""Reasonable adjustments recorded for a visit.

The recorded forms are ``bsl``, ``interpreter:<language>``, ``hearing-loop``, ``wheelchair``,
``private-room``, ``large-print`` and ``collect-in-person``.
"""

from __future__ import annotations

import re

from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

SIMPLE_NEEDS: dict[str, str] = {
    "bsl": "BSL interpreter",
    "hearing-loop": "Hearing loop",
    "wheelchair": "Wheelchair access",
    "private-room": "Private room",
    "large-print": "Large print",
    "collect-in-person": "Collect in person (cannot watch the board)",
}
INTERPRETER = "interpreter"
_LANGUAGE = re.compile(r"^[a-z][a-z \-]{0,38}[a-z]$|^[a-z]$")
KNOWN = ", ".join([*SIMPLE_NEEDS, "interpreter:<language>"])


def parse_need(text: str) -> str:
    """Normalise one need (case, spaces) or raise :class:`InvalidInput`."""
    raw = text.strip().lower()
    if raw in SIMPLE_NEEDS:
        return raw
    if raw.startswith(INTERPRETER):
        rest = raw[len(INTERPRETER) :]
        if not rest.startswith(":"):
            raise InvalidInput("an interpreter need names the language, e.g. interpreter:polish")
        language = " ".join(rest[1:].split())
        if not _LANGUAGE.match(language):
            raise InvalidInput(
                f"interpreter language {shown(rest[1:])!r} is not a language name "
                "(letters, spaces and hyphens, up to 40 characters)"
            )
        return f"{INTERPRETER}:{language}"
    raise InvalidInput(f"unknown need {shown(text)!r}: expected one of {KNOWN}")


def parse_needs(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Parse ``"bsl,interpreter:polish"`` (or a list) into sorted, de-duplicated needs."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    parsed: set[str] = set()
    for item in items:
        if item.strip() == "":
            if isinstance(value, str) and value.strip() == "":
                return ()
            raise InvalidInput("empty need in the list (check for a stray comma)")
        parsed.add(parse_need(item))
    interpreters = [n for n in parsed if n.startswith(INTERPRETER + ":")]
    if len(interpreters) > 1:
        raise InvalidInput("record one interpreter language per visit")
    return tuple(sorted(parsed))


def describe_need(need: str) -> str:
    if need in SIMPLE_NEEDS:
        return SIMPLE_NEEDS[need]
    if need.startswith(INTERPRETER + ":"):
        return f"Interpreter ({need.split(':', 1)[1].title()})"
    return need


SHORT_NEEDS: dict[str, str] = {
    "bsl": "BSL",
    "hearing-loop": "Loop",
    "wheelchair": "Wheelchair",
    "private-room": "Private",
    "large-print": "Large print",
    "collect-in-person": "Collect",
}


def short_need(need: str) -> str:
    """A compact label for tables (``Interp. Polish``)."""
    if need in SHORT_NEEDS:
        return SHORT_NEEDS[need]
    if need.startswith(INTERPRETER + ":"):
        return f"Interp. {need.split(':', 1)[1].title()}"
    return need


def needs_private_room(needs: tuple[str, ...] | list[str]) -> bool:
    return "private-room" in needs
