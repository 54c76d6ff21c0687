"""A count with its noun, in the singular for one: "1 day", "14 days", "1 copy", "2 copies"."""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun: ``one`` for 1, else ``many`` (by default ``one`` + "s")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


__all__ = ["counted"]
