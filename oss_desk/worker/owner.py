"""What every lane of the device worker shares: the owner's token, a fault's one-line reason
(for the log) and an unexpected fault's words (for staff)."""

from __future__ import annotations

import uuid

from oss_desk.domain.unexpected import unexpected_fault
from oss_desk.errors import OssDeskError
from oss_desk.logs import write_fault_report


def new_owner() -> str:
    """A token for one owner of the devices (one run of a worker)."""
    return uuid.uuid4().hex[:16]


def describe(exc: BaseException) -> str:
    """A one-line reason for a fault, without a traceback."""
    if isinstance(exc, OssDeskError):
        return exc.message
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:160] if text else type(exc).__name__


def unexpected(exc: BaseException) -> str:
    """What staff read of a message that failed on an unexpected fault (a bug): the one wording
    (:func:`oss_desk.domain.unexpected.unexpected_fault`), with the fault report written for the
    developers (the class name and code locations go there, never to staff)."""
    return unexpected_fault(write_fault_report(exc, "worker"))
