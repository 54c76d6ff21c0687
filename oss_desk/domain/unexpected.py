"""How an unexpected fault (a bug) is said to staff: in plain words, with where its fault report
is. The exception's class name and code locations are for the developers: they go in the report
only, never in what a person reads."""

from __future__ import annotations


def unexpected_fault(report_path: str | None) -> str:
    """ "an unexpected fault, written to the fault report FILE" (no message text: it may quote
    what someone typed)."""
    if report_path is None:
        return "an unexpected fault (its fault report could not be written)"
    return f"an unexpected fault, written to the fault report {report_path}"


__all__ = ["unexpected_fault"]
