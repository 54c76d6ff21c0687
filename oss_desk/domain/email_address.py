"""One email address as a resident gives it: exactly one plain address (``name@example.org``),
nothing a mail header or a mail server could read as two addresses, a group, a route or a
comment (``anna,smith@example.org`` is ``anna`` and ``smith@example.org``;
``resident:other@example.org`` is a group holding ``other@example.org``).

Letters beyond ASCII are let through as letters here: whether such an address can be sent is
decided where the address is normalised (:func:`oss_desk.domain.appointments.normalise_email`).
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from email.headerregistry import AddressHeader, HeaderRegistry

from oss_desk.domain.text import shown

EXAMPLE = "name@example.org"
_LOCAL_MARKS = frozenset("!#$%&'*+-/=?^_`{|}~")
"""What RFC 5322 lets stand in the part before the @ (its ``atext``) beside letters, digits
and dots: never a comma, colon, semicolon, angle bracket, bracket, quote, backslash or space."""
_ASCII_WORD = frozenset(string.ascii_letters + string.digits)
_NAMED = {" ": "a space", ",": "a comma", ";": "a semicolon", ":": "a colon"}


def _letter(ch: str) -> bool:
    return ch in _ASCII_WORD or (not ch.isascii() and unicodedata.category(ch)[0] in "LMN")


_CURLY = frozenset("\u2018\u2019")
"""The apostrophes Word and Outlook type for ' (``o’neil@...``): not the same character."""


def _invisible(ch: str) -> bool:
    """A character that shows as nothing (a zero-width space, a non-breaking space, a
    direction mark...), pasted with an address from a document or a web page."""
    return not ch.isprintable() or unicodedata.category(ch) in ("Cf", "Zs")


def _char_fault(value: str, i: int) -> str:
    """Why the character at ``i`` cannot be in an address, and what to type instead."""
    ch = value[i]
    if ch in _CURLY:
        return f"a curly apostrophe ({ch}) cannot be in one: type a straight apostrophe ' instead"
    if _invisible(ch) and ch != " ":
        where = "at its end" if not value[i + 1 :].strip() else f"after {value[:i]!r}"
        if i == 0:
            where = "at its start"
        return (
            f"it holds an invisible character {where}, pasted with it: delete it, or type the "
            "address again"
        )
    said = _NAMED.get(ch, f"{ch!r}")
    return f"{said} cannot be in one (give one address, e.g. {EXAMPLE})"


def _bracketed(value: str) -> str | None:
    """The address inside ``< >`` of a name and address pasted from a mail program
    (``"Anna Smith" <anna@example.org>``); None: none there."""
    start, end = value.rfind("<"), value.rfind(">")
    inner = value[start + 1 : end].strip() if 0 <= start < end else ""
    return inner if "@" in inner else None


_BETWEEN = re.compile(r"[\s,;<>]+")
"""What stands between two addresses pasted together from a mail program's To line."""
_HOW_MANY = {2: "two", 3: "three"}


def _addresses_in(value: str) -> int:
    """How many addresses ``value`` holds as pasted from a mail program's To line
    (``Anna <anna@example.org>, Bob <bob@example.org>``): the runs of text holding an @
    between spaces, commas, semicolons and angle brackets, or its ``<...>``. One shown as
    its own name (``anna@example.org <anna@example.org>``, as Outlook does) is one."""
    held = {part.strip("\"'").casefold() for part in _BETWEEN.split(value) if "@" in part}
    return max(len(held), value.count("<"))


def address_fault(value: str) -> str | None:
    """Why ``value`` is not exactly one plain address, in a few words for the person typing it
    (None: it is one)."""
    held = _addresses_in(value)
    if held > 1:  # never suggesting one of them: which is the resident's is not ours to guess
        return (
            f"it holds {_HOW_MANY.get(held, str(held))} addresses: give only the resident's "
            "own (one address)"
        )
    inner = _bracketed(value)
    if inner is not None:  # never taken silently: the name beside it may be another's
        return f"give only the address inside < > ({shown(inner)})"
    local, at, domain = value.rpartition("@")
    if not at:
        return f"it has no @ (e.g. {EXAMPLE})"
    for i, ch in enumerate(value):
        if not (_letter(ch) or ch in _LOCAL_MARKS or ch in ".@"):
            return _char_fault(value, i)
    if domain.endswith("."):
        return f"it ends with a dot: leave the dot off (e.g. {EXAMPLE})"
    if len(value) > 254:
        return "it is longer than 254 characters"
    if "@" in local:
        return f"it has more than one @ (give one address, e.g. {EXAMPLE})"
    if not local:
        return f"nothing comes before the @ (e.g. {EXAMPLE})"
    if len(local) > 64:
        return "the part before the @ is longer than 64 characters"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "a dot cannot begin or end the part before the @, nor two dots come together"
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        return f"what follows the @ is not a domain (e.g. {EXAMPLE})"
    for label in labels:
        if not all(_letter(ch) or ch == "-" for ch in label):
            return f"what follows the @ has more than letters, digits, - and dots (e.g. {EXAMPLE})"
        if label.startswith("-") or label.endswith("-"):
            return f"a part of the domain cannot begin or end with - (e.g. {EXAMPLE})"
    if len(labels[-1]) < 2:
        return f"what follows the @ is not a domain (e.g. {EXAMPLE})"
    if one_recipient(value) != value:  # the backstop: what a mail header makes of it
        return f"it does not read as one address (e.g. {EXAMPLE})"
    return None


def one_recipient(to: str) -> str | None:
    """The one plain address a To header's text holds, as a mail program reads it (None: it
    holds none, more than one, or a group such as ``resident:other@example.org``). The sender
    sends only to the address held, and only when its To header reads back as that address."""
    groups = cast("AddressHeader", _headers()("To", to)).groups  # the registry's To: addresses
    if len(groups) != 1 or groups[0].display_name is not None:
        return None
    addresses = groups[0].addresses
    return addresses[0].addr_spec if len(addresses) == 1 else None


@cache
def _headers() -> HeaderRegistry:
    """The mail library's header registry, made when an address is first read: its parser
    (``email.headerregistry``, a few milliseconds to import) stays off the start-up of what
    only imports this module (the desk's first frame, every command)."""
    from email.headerregistry import HeaderRegistry

    return HeaderRegistry()


NOT_ONE_ADDRESS = "the email address held is not one plain address (it would go to someone else)"
"""Why a message was not sent to an address held from before the check at entry (a comma or
colon in it, read by the mail server as another address)."""
