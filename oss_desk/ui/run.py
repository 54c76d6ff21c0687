"""Running the desk app in this process: the session on its own thread, the devices' standby
(given by the command line), then the app until the person quits."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from oss_desk.services.runner import SessionRunner
from oss_desk.services.session import Session, open_session
from oss_desk.ui.app import OssDeskApp


class DeviceOwner(Protocol):
    """What starts the device worker for this desk app (the command line passes it in: the desk
    app never imports the worker)."""

    def close(self) -> None: ...


def run_desk_app(
    *,
    db: str | None,
    config: str | None,
    person: str | None,
    desk_id: str | None,
    demo: bool = False,
    devices: Callable[[Session], DeviceOwner | None] | None = None,
) -> None:
    """Open the session on its own thread, then run the app until the person quits.

    ``devices`` (given by the command line) starts this process's standby for the device lease:
    it owns the printers, the board and the outbox whenever no other process does."""
    started = time.perf_counter()
    runner = SessionRunner(
        lambda: open_session(db=db, config=config, person=person, desk_id=desk_id, check=True)
    )
    owner: DeviceOwner | None = None
    try:
        session = runner.start()
        owner = devices(session) if devices is not None else None
        app = OssDeskApp(runner, desk_id=desk_id, demo=demo, started=started)
        app.run()
    finally:
        if owner is not None:
            owner.close()
        runner.close()
