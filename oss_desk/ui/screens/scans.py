"""QR scans that came while a dialog was open: kept, and handled in order once a desk screen is
on top again (a booking's code checks the resident in; a ticket's opens that ticket). A scan is
never lost to a dialog, nor acted on behind it."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.app import App

from oss_desk.ui.faults import guard
from oss_desk.ui.scanner import PREFIX
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.base import DeskScreen
from oss_desk.ui.screens.flows import check_in, show_ticket


class ScanQueue:
    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.pending: list[tuple[str | None, str]] = []
        """(prefix, text): ``PREFIX`` for a booking's code, None for a ticket's QR."""

    def add(self, kind: str | None, text: str) -> None:
        self.pending.append((kind, text))
        self.resume()

    def resume(self) -> None:
        """Handle the next kept scan when a desk screen (no dialog) is on top."""
        screen = self.app.screen
        if isinstance(screen, DeskScreen) and self.pending:
            kind, text = self.pending.pop(0)
            work = guard(self.app, partial(self._handle, screen, kind, text))  # made when it runs
            self.app.run_worker(work, group="scan", exit_on_error=False)

    async def _handle(self, screen: DeskScreen, kind: str | None, text: str) -> None:
        if kind == PREFIX:
            await check_in(screen, text)
            if isinstance(screen, AppointmentsScreen):
                screen.load()
        else:
            await show_ticket(screen, text)
        self.resume()
