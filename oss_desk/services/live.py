"""Change detection for desks and the worker, as services (so the UI never touches storage)."""

from __future__ import annotations

from oss_desk.services.session import Session
from oss_desk.storage.changes import ChangeFeed, Changes

__all__ = ["ChangeFeed", "Changes", "open_feed", "poll"]


def open_feed(session: Session) -> ChangeFeed:
    return ChangeFeed(session.store)


def poll(session: Session, feed: ChangeFeed, force: bool = False) -> Changes | None:
    """What changed since the last poll; ``force`` after this process's own writes."""
    return feed.poll(force=force)
