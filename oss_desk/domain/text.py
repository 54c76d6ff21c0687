"""Safe renderings of untrusted text for messages."""

from __future__ import annotations


def shown(text: str, limit: int = 40) -> str:
    """A short, printable rendering of user input for an error message (never the whole input)."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."
