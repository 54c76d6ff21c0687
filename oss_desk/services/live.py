"""Change detection for desks and the worker, as services (so the UI never touches storage)."""

from __future__ import annotations

from oss_desk.services.session import Session
from oss_desk.storage.changes import ChangeFeed, Changes
from oss_desk.storage.doorbell import Doorbell

__all__ = ["ChangeFeed", "Changes", "Doorbell", "open_doorbell", "open_feed", "poll"]


def open_feed(session: Session) -> ChangeFeed:
    return ChangeFeed(session.store)


def poll(session: Session, feed: ChangeFeed, force: bool = False) -> Changes | None:
    """What changed since the last poll; ``force`` after this process's own writes."""
    return feed.poll(force=force)


def open_doorbell(session: Session) -> Doorbell:
    """Rings when any process commits to the session's database (see
    :mod:`oss_desk.storage.doorbell`); its ``fd`` is None where it cannot (then poll)."""
    return Doorbell.for_commits(session.store.path)
