"""The council's feedback log (``report comments``): what residents wrote with their ratings,
read from the offices a report covers, the read recorded as personal data viewed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date

from oss_desk.domain.models import Actor
from oss_desk.domain.reports import ResidentComment
from oss_desk.services.events import record_viewed
from oss_desk.services.session import Session
from oss_desk.storage.reports_comments import resident_comments


def read_comments(
    conns: Iterable[sqlite3.Connection], first: date, last: date, site: str | None
) -> list[ResidentComment]:
    """The ratings from ``first`` to ``last`` (with what was written, where kept), oldest
    first, from every office's database in ``conns`` (in one snapshot of them)."""
    found = [
        ResidentComment(day=d, site=s, service=svc, rating=r, text=t)
        for conn in conns
        for d, s, svc, r, t in resident_comments(conn, first.isoformat(), last.isoformat(), site)
    ]
    found.sort(key=lambda c: c.day)
    return found


def record_read(
    session: Session, actor: Actor, found: list[ResidentComment], site: str | None
) -> None:
    """Reading residents' words is personal data viewed: recorded when any was shown."""
    shown = sum(1 for c in found if c.text is not None)
    if not shown:
        return
    where = session.directory.sites.get(site or "") or next(iter(session.directory.sites.values()))
    with session.store.write() as conn:
        viewed = (["comment_text"], shown, "report comments")
        record_viewed(conn, where, session.clock.now(), actor, viewed)
