"""What a pass of the print lanes did: jobs printed, sent, retried, failed, uncertain."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PrintCounts", "PrintReport"]


@dataclass
class PrintCounts:
    printed: int = 0
    """Confirmed by the printer, or sent whole to a printer that cannot confirm (``sent``)."""
    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0

    def count_from(self, other: PrintCounts) -> None:
        """Adds ``other``'s counts (a pass's delivery to what it recorded taking over)."""
        for name in ("printed", "sent", "retried", "failed", "uncertain"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class PrintReport(PrintCounts):
    errors: list[str] = field(default_factory=list)
