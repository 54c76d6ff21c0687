"""Safe renderings of untrusted text for messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def shown(text: str, limit: int = 40) -> str:
    """A short, printable rendering of user input for an error message (never the whole input)."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."


def name_within(name: str, width: int) -> str:
    """A person's name in ``width`` characters where a list is narrow: whole when it fits, else
    the first name and the initials of the rest ("Ben W."), else the first name ("Ben"), else
    the first name shortened with "…" (never a name cut to "Ben…" while "Ben W." fits)."""
    if len(name) <= width:
        return name
    first, *rest = name.split() or [name]
    initials = f"{first} {''.join(part[0] + '.' for part in rest)}"
    for short in (initials, first):
        if len(short) <= width:
            return short
    return first[: max(0, width - 1)] + "…"


def event_log_head_lines(head: Any, width: int = 80) -> list[str]:
    """The event log's head as printed on the daily summary (screen, paper, page): the event
    and its full SHA-256, split to fit ``width`` (a receipt), so a copy outside the database
    anchors the record (``oss-desk db check`` recomputes the chain). ``head``: an object with
    ``event`` and ``sha256`` (or such a mapping); None when the day has no event."""
    if not head:
        return ["Event log: no events that day"]
    event, digest_hex = (
        (head["event"], head["sha256"]) if isinstance(head, Mapping) else (head.event, head.sha256)
    )
    first = f"Event log head: event {event}"
    digest = f"sha256 {digest_hex}"
    if len(first) + 1 + len(digest) <= width:
        return [f"{first} {digest}"]
    if len(digest) <= width:
        return [first, digest]
    text = str(digest_hex)
    room = max(16, width - 2)
    return [first, "sha256:", *(text[i : i + room] for i in range(0, len(text), room))]


# Control characters: C0 and C1 (Unicode category Cc: ESC, BEL, NUL...) and the bidirectional
# embeddings, overrides and isolates (which can make text read differently on screen).
_BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))) + _BIDI
_STRIP = str.maketrans({ch: " " if ch in "\t\n\r\v\f" else None for ch in _CONTROLS})
_ESCAPE = str.maketrans(
    {ch: f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" for ch in _CONTROLS}
)


def clean_text(text: str, *, limit: int, what: str) -> str | None:
    """Free text from a resident or a member of staff, as it is stored: control characters
    (terminal escapes, NUL, bidirectional overrides) and anything else that does not print
    (unassigned or private code points, format characters) removed, whitespace collapsed to
    single spaces; None when nothing is left. Longer than ``limit``: InvalidInput."""
    from oss_desk.errors import InvalidInput

    cleaned = _cleaned(text)
    if len(cleaned) > limit:
        raise InvalidInput(f"{what}: at most {limit} characters")
    return cleaned or None


def _cleaned(text: str) -> str:
    return " ".join(
        "".join(
            ch if ch.isprintable() else " " if ch.isspace() else "" for ch in text.translate(_STRIP)
        ).split()
    )


def room_said(text: str, limit: int) -> tuple[str, bool]:
    """How much room ``text`` leaves under ``limit`` characters as :func:`clean_text` would
    store it, in words, and whether it is over: ("480 characters left", False), ("1 character
    left", False), ("143 characters too many: at most 500", True). Shown as free text is
    typed, so that nothing is cut or refused without a word."""
    left = limit - len(_cleaned(text))
    if left >= 0:
        return f"{left} character{'' if left == 1 else 's'} left", False
    over = -left
    return f"{over} character{'' if over == 1 else 's'} too many: at most {limit}", True


def full_said(field: str, limit: int) -> str:
    """Said once when a form's field is full and typing more adds nothing: "Topic is full (at
    most 200 characters): what is typed after that is not added"."""
    unit = "character" if limit == 1 else "characters"
    return f"{field} is full (at most {limit} {unit}): what is typed after that is not added"


def paste_refused_said(field: str, limit: int, room: int) -> str:
    """Said when a paste longer than a form field's room was refused whole (Textual adds none
    of it): "Topic has room for 190 characters (at most 200): the paste was longer, so none
    of it was added" (the room counts any selected text, which the paste would replace)."""
    unit = "character" if room == 1 else "characters"
    return (
        f"{field} has room for {room} {unit} (at most {limit}): "
        "the paste was longer, so none of it was added"
    )


def printable(text: str) -> str:
    """Stored text made safe to show on a terminal or a page: any control character left in it
    (written before it was cleaned on the way in) shown as a visible escape (``\\x1b``)."""
    return text.translate(_ESCAPE)


def sentence_case(text: str) -> str:
    """``text`` with its first letter a capital and the rest as written ("Received Mon 21 Dec";
    ``str.capitalize`` would write "mon 21 dec")."""
    return text[:1].upper() + text[1:]


def within_sentence(name: str) -> str:
    """A name as it reads after other words ("Signposted to the county council"): a leading
    "The" loses its capital (it was the start of a sentence), the rest stays as written ("the
    Pension Service", "Citizens Advice")."""
    first, space, rest = name.partition(" ")
    return f"the {rest}" if first == "The" and space and rest else name
