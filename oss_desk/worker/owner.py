"""What every lane of the device worker shares: the owner's token and a fault's one-line reason."""

from __future__ import annotations

import uuid

from oss_desk.errors import OssDeskError


def new_owner() -> str:
    """A token for one owner of the devices (one run of a worker)."""
    return uuid.uuid4().hex[:16]


def describe(exc: BaseException) -> str:
    """A one-line reason for a fault, without a traceback."""
    if isinstance(exc, OssDeskError):
        return exc.message
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:160] if text else type(exc).__name__
