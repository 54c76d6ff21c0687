"""``doctor``'s line on the sends a provider accepted while the database was locked, noted
beside it as the worker stopped (:mod:`oss_desk.storage.accepted_notes`): how many wait for the
next worker to record them, since when; said only when there are some."""

from __future__ import annotations

import time
from pathlib import Path

from oss_desk.services.doctor_checks import Check, ok, warn
from oss_desk.storage.accepted_notes import found_beside
from oss_desk.storage.database import Store

NAME = "sends noted"


def noted_sends(path: Path, store: Store) -> Check | None:
    """None: no note beside the database (the line is not said)."""
    found = found_beside(path, store.conn)
    if not found:
        return None
    waiting = [note for note in found if note.waiting]
    left = [note.path.name for note in found if not note.waiting]
    named = ", ".join(left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
    notes, them = ("1 note", "it") if len(left) == 1 else (f"{len(left)} notes", "them")
    leftover = (
        f"{notes} left over, of sends recorded already or no longer in their rows (the next "
        f"worker to start removes {them}; they can be deleted): {named}"
    )
    leftover = leftover if left else ""
    if not waiting:
        return ok(NAME, leftover)
    oldest = time.strftime("%Y-%m-%d %H:%M", time.localtime(waiting[0].left_at))
    sends = "1 send" if len(waiting) == 1 else f"{len(waiting)} sends"
    detail = (
        f"{sends} the provider accepted while the database was locked, noted beside it as the "
        f"worker stopped (oldest {oldest}, host time): the next worker records "
        f"{'it' if len(waiting) == 1 else 'them'} sent, never sends "
        f"{'it' if len(waiting) == 1 else 'them'} again"
    )
    return warn(NAME, f"{detail}; {leftover}" if leftover else detail)
