"""The queue engine: issue, call, recall, serve, finish, no-show, transfer, cancel, quick visit,
notes, reprints, desk statuses and the live queue.

Each use case is one ``BEGIN IMMEDIATE`` transaction that changes the queue and appends its
event(s), so the event log and the live state never disagree and two desks never get the same
ticket. The rules (the one call order, which desk may call what, places and estimates) are
:mod:`oss_desk.domain.queue`'s. Errors are :class:`~oss_desk.errors.OssDeskError` with a
sentence a person can act on.

:class:`QueueService` gathers the use cases of the modules of this package:

- ``core``: finding tickets, role checks on a person's own work, events and board updates;
- ``tickets``: arrivals, quick visits, and the one place a ticket is made;
- ``calling``: call next, call a chosen ticket, recall, start;
- ``closing``: finish (with each added service's outcome), no-show, cancel, transfer (to a
  service, a desk or a colleague);
- ``counter``: park and resume, recycle, add a service to the visit, take a no-show back;
- ``records``: notes, reprints, desk statuses;
- ``logins``: who is logged in to which desk;
- ``view``: the live queue (places, estimated waits, people ahead).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oss_desk.services.queue.closing import Moved
    from oss_desk.services.queue.core import ACTIVE, AT_DESK, parse_outcome, read_floor
    from oss_desk.services.queue.logins import DeskHeld, LoggedIn, LoggedOut
    from oss_desk.services.queue.records import DeskChange
    from oss_desk.services.queue.service import QueueService
    from oss_desk.services.queue.tickets import Issued
    from oss_desk.services.queue.view import read_live_queue, typical_seconds

# Each name's module, imported the first time the name is asked for: a command that only reads
# the live queue (``oss-desk queue``: :mod:`~oss_desk.services.queue.view`) does not pay for
# the modules that change it.
_HOMES = {
    "ACTIVE": "core",
    "AT_DESK": "core",
    "DeskChange": "records",
    "DeskHeld": "logins",
    "Issued": "tickets",
    "LoggedIn": "logins",
    "LoggedOut": "logins",
    "Moved": "closing",
    "QueueService": "service",
    "parse_outcome": "core",
    "read_floor": "core",
    "read_live_queue": "view",
    "typical_seconds": "view",
}

__all__ = [
    "ACTIVE",
    "AT_DESK",
    "DeskChange",
    "DeskHeld",
    "Issued",
    "LoggedIn",
    "LoggedOut",
    "Moved",
    "QueueService",
    "parse_outcome",
    "read_floor",
    "read_live_queue",
    "typical_seconds",
]


if not TYPE_CHECKING:  # (mypy reads the imports above: a name not among them is an error)

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value
        return value
