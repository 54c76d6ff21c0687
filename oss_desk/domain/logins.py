"""Who is logged in to which desk: the record of one login.

A module of its own, light to import: a desk reads its login when its session opens, before
its first frame; the rules about logging in (:mod:`oss_desk.domain.counter`), and the queue's
rules they bring, load with the desk's first data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DeskLogin:
    """Someone logged in to a desk."""

    desk_id: str
    person: str
    since: datetime
