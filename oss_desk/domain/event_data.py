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

from oss_desk.domain.names import name_key
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


KEPT_FOR_GOOD = "the reason is kept for good: give a case reference, not the resident's details"
_LONGEST_WORD = 5
"""The part of an email address before the @ shorter than this is looked for as a word of its
own ("ann" is not in "annual"); longer, anywhere in the letters and digits."""
_PHONE_RUN = 6
"""As many digits of a phone number in a row name it."""


def _words(text: str) -> set[str]:
    """The words of ``text`` as names are compared (:func:`name_key`): each run of letters and
    digits, and each part between spaces (or dashes) with its punctuation left out
    ("O'Brien-Lloyd": "o", "brien", "lloyd", "obrien" and "obrienlloyd"), two letters or
    more."""
    key = name_key(text) or ""
    pieces = set(re.findall(r"[^\W_]+", key))
    parts = key.split() + re.split(r"[\s-]+", key)
    pieces |= {"".join(ch for ch in part if ch.isalnum()) for part in parts}
    return {piece for piece in pieces if len(piece) >= 2}


def _alnum(text: str) -> str:
    return "".join(ch for ch in (name_key(text) or "") if ch.isalnum())


def details_in(text: str, *, name: str | None, email: str | None, phone: str | None) -> str | None:
    """Which of a resident's details ``text`` holds, in words ("name", "email address",
    "phone number"; None: none of them): a word of their name, the part of their email address
    before the @, six digits in a row of their phone number (held as ``+44...``)."""
    if name and _words(text) & _words(name):
        return "name"
    if email:
        local = _alnum(email.rpartition("@")[0])
        if local and (
            local in _words(text) or (len(local) >= _LONGEST_WORD and local in _alnum(text))
        ):
            return "email address"
    if phone:
        digits = "".join(ch for ch in text if ch.isdigit())
        held = "".join(ch for ch in phone if ch.isdigit())
        forms = (held, "0" + held[2:] if phone.startswith("+44") else held)
        runs = {digits[i : i + _PHONE_RUN] for i in range(len(digits) - _PHONE_RUN + 1)}
        if any(run in form for run in runs for form in forms):
            return "phone number"
    return None
