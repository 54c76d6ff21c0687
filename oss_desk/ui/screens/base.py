"""What the three desk screens share: the bars, the live snapshot, typed access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.screen import Screen

from oss_desk.domain.access import Action
from oss_desk.domain.models import Actor
from oss_desk.domain.standards import over_target
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.worker import STALE_HEARTBEAT_SECONDS
from oss_desk.ui.widgets.bars import StatusBar, TopBar

if TYPE_CHECKING:
    from oss_desk.ui.app import OssDeskApp


class DeskScreen(Screen[None]):
    AREA = ""
    HELP = ""
    ROLE_ACTIONS: ClassVar[dict[str, Action]] = {}
    """Which permission each of the screen's actions needs (see ``oss_desk.domain.access``)."""

    @property
    def desk_app(self) -> OssDeskApp:
        from oss_desk.ui.app import OssDeskApp

        app = self.app
        assert isinstance(app, OssDeskApp)
        return app

    def on_mount(self) -> None:
        self.watch(self.desk_app, "snapshot", self._on_snapshot, init=False)

    def on_screen_resume(self) -> None:
        app = self.desk_app
        if app.snapshot is not None:
            self._on_snapshot(app.snapshot)
        if self.wants_fresh_data():
            app.request_refresh()

    def wants_fresh_data(self) -> bool:
        return False

    def _on_snapshot(self, snapshot: DeskSnapshot | None) -> None:
        if snapshot is None or not self.is_current:
            return
        self.show_bars(snapshot)
        self.show_snapshot(snapshot)

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        """Update the screen's widgets from a new snapshot (by key, never rebuilt)."""

    def current_desk(self) -> str | None:
        return None

    def role_allows(self, action: str, own: bool | None = None) -> bool:
        """Whether the person acting here may do the screen action ``action`` at all."""
        needed = self.ROLE_ACTIONS.get(action)
        if needed is None:
            return True
        return self.desk_app.may(needed, self.acting_as(), own=own)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides the key (the role may not); None would show it dimmed (not now).
        return self.role_allows(action)

    def acting_as(self) -> Actor:
        return self.desk_app.actor(self.current_desk())

    def show_bars(self, snapshot: DeskSnapshot) -> None:
        app = self.desk_app
        desk = self.current_desk()
        actor = self.acting_as()
        self.query_one(TopBar).show(
            site=app.site_name(),
            area=self.AREA,
            desk=app.desk_name(desk),
            person=app.person_label(actor),
            clock=app.clock_text(),
        )
        parts: list[tuple[str, str]] = []
        state = snapshot.desk(desk) if desk else None
        if state is not None:
            parts.append(("Desk", _status_word(state.status.value)))
        waiting = len(snapshot.waiting)
        parts.append(("Waiting", str(waiting)))
        over = sum(
            1 for e in snapshot.waiting if over_target(e.wait_seconds, snapshot.target_seconds)
        )
        if over:
            parts.append((f"Over {snapshot.target_seconds // 60} min", str(over)))
        printer_part, fault = self.printer_state(snapshot)
        parts.append(("Printer", printer_part))
        if snapshot.board_url:
            board = snapshot.devices.get(snapshot.board_url)
            if board is not None and board.status != "ok":
                parts.append(("Board", board.status))
                fault = True
            else:
                parts.append(("Board", "ok" if board else "not yet shown"))
        self.query_one(StatusBar).show(parts, fault=fault)

    def printer_state(self, snapshot: DeskSnapshot) -> tuple[str, bool]:
        """The printing part of the status bar, and whether it is a fault to look at."""
        desks = self.desk_app.runner.session.directory.desks
        desk = desks.get(self.current_desk() or "")
        mine = desk.printer_url if desk else None
        if mine and (state := snapshot.devices.get(mine)) and state.status not in ("ok", "unknown"):
            # The detail only when it says more than the status ("printer error (printer
            # error)" said a word twice).
            extra = state.detail and state.status not in state.detail
            return f"{state.status} ({state.detail})" if extra else state.status, True
        printing = snapshot.printing
        worker_gone = (
            snapshot.worker_seen_seconds is None
            or snapshot.worker_seen_seconds > STALE_HEARTBEAT_SECONDS
        )
        if printing.failed:
            return f"{printing.failed} failed (reprint them)", True
        if printing.waiting:
            if worker_gone:
                return f"{printing.waiting} waiting: no device worker is running", True
            return f"{printing.waiting} to print", False
        if desk is not None and not desk.printer_url:
            return "none at this desk", False
        return "ok", False

    def shown_ticket_id(self) -> int | None:
        """The ticket this screen is about (for the resident's view, F10)."""
        return None

    def notify_done(self, message: str) -> None:
        self.app.notify(message, markup=False, timeout=4)

    def refresh_bindings_soon(self, *_: Any) -> None:
        self.refresh_bindings()


def _status_word(status: str) -> str:
    return {"open": "open", "break": "on a break", "closed": "closed"}.get(status, status)
