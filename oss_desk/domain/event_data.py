"""What words a person types may go into an event's data.

The event log is append-only and kept for good (triggers forbid UPDATE and DELETE, and a hash
chain shows a rewrite): the retention purge and erasure on request can never take anything out
of it. So it holds ids, times, services and outcomes, and of what a person types only words
that cannot name or reach anyone: one of a fixed list of choices, or the council's own case
reference for a request. A name, a phone number, an email address or a note never goes in;
where a note is wanted it goes in a column the purge clears, not in the event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

TOLD_HOW = ("phone", "letter", "in-person", "email")
"""How a person told a resident of the council's change (``appointment told --how``)."""

_CASE_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./#_-]{0,39}")
_MOST_DIGITS = 8
"""A reference with more digits could be a phone number."""


def for_event(text: str, *, choices: Sequence[str] | None = None, what: str, hint: str = "") -> str:
    """``text`` as it may go into an event's data: one of ``choices`` (in any case, spaces
    read as hyphens: ``In person`` is ``in-person``) or, without choices, a case reference
    (up to 40 letters, digits, spaces and . / # - _, at most 8 digits). Else InvalidInput,
    saying what to give (``what``: "how the resident was told")."""
    if choices is not None:
        value = "-".join(text.lower().split())
        if value in choices:
            return value
        raise InvalidInput(
            f"{shown(text)!r}: say {what} with one of {', '.join(choices)} (the event log keeps "
            "it for good: never a name, a number or a note)",
            cli_hint=hint,
        )
    value = text.strip()
    digits = sum(ch.isdigit() for ch in value)
    if not _CASE_REF.fullmatch(value) or digits > _MOST_DIGITS:
        raise InvalidInput(
            f"{shown(text)!r}: give {what} (up to 40 letters, digits, spaces and . / # - _), "
            "never the resident's name or details: the event log keeps it for good",
            cli_hint=hint,
        )
    return value
