"""``oss-desk desk``: the desk app.

In a module of its own, so that opening a desk imports only what the desk needs before its
first frame (not the other admin commands, nor the queue service they use).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import click

from oss_desk.cli.common import State, pass_state
from oss_desk.clock import RunningClock

if TYPE_CHECKING:
    from pathlib import Path

    from oss_desk.services.session import Session
    from oss_desk.worker.standby import Standby


def open_desk(state: State, desk_id: str | None, *, demo: bool = False) -> None:
    """Run the desk app (Textual is imported only here), with its standby for the devices: it
    owns the printers, the board and the outbox whenever no other process does. The session is
    opened once, before anything is drawn (a bad database, config or desk fails here, in one
    line); the standby starts once the desk is on screen."""
    from oss_desk.errors import OssDeskError
    from oss_desk.services.browser_desks import end_with_server
    from oss_desk.services.demo_clock import DemoDesk
    from oss_desk.services.session import resolve_db_path
    from oss_desk.ui.run import open_desk_runner, run_desk_app

    end_with_server()  # a browser desk: ended (and logged out) with its server
    config = state.config
    on_demo = DemoDesk(resolve_db_path(state.db))  # before the demo's clock is read
    on_demo_clock = False
    try:
        runner = open_desk_runner(db=state.db, config=config, person=state.user, desk_id=desk_id)
        on_demo_clock = isinstance(runner.session.clock, RunningClock)  # a demo's running clock
        run_desk_app(
            desk_id=desk_id,
            demo=demo,
            runner=runner,
            devices=lambda session: _desk_standby(session, config, desk_id),
        )
    finally:
        # The last desk app to leave the demo stops its clock, whichever terminal opened it
        # (best effort: the file may be gone).
        with contextlib.suppress(OssDeskError):
            on_demo.leave(on_clock=on_demo_clock, in_use=_in_use)


def _in_use(db: Path) -> str | None:
    """Who else has the database open (imported when a demo is left: most desks never ask)."""
    from oss_desk.services.dbops import in_use

    return in_use(db)


def _desk_standby(session: Session, config: str | None, desk_id: str | None) -> Standby | None:
    from oss_desk.worker.standby import desk_standby  # on the standby's own thread, after the frame

    return desk_standby(session, config=config, desk_id=desk_id)


@click.command()
@click.option("--desk", "desk_id", metavar="ID", help="The desk this terminal is.")
@pass_state
def desk(state: State, desk_id: str | None) -> None:
    """Open the desk app for this desk (its kind decides the first screen)."""
    open_desk(state, desk_id)
