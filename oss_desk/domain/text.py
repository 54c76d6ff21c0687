"""Safe renderings of untrusted text for messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def shown(text: str, limit: int = 40) -> str:
    """A short, printable rendering of user input for an error message (never the whole input)."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."


def event_log_head_lines(head: Mapping[str, Any] | None, width: int = 80) -> list[str]:
    """The event log's head as printed on the daily summary (screen, paper, page): the event
    and its full SHA-256, split to fit ``width`` (a receipt), so a copy outside the database
    anchors the record (``oss-desk db check`` recomputes the chain)."""
    if not head:
        return ["Event log: no events that day"]
    first = f"Event log head: event {head['event']}"
    digest = f"sha256 {head['sha256']}"
    if len(first) + 1 + len(digest) <= width:
        return [f"{first} {digest}"]
    if len(digest) <= width:
        return [first, digest]
    text = str(head["sha256"])
    room = max(16, width - 2)
    return [first, "sha256:", *(text[i : i + room] for i in range(0, len(text), room))]
