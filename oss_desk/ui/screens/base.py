"""What the three desk screens share: the bars, the live snapshot, typed access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.screen import Screen

from oss_desk.domain.access import Action
from oss_desk.domain.models import Actor
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.ui.widgets.bars import StatusBar, TopBar
from oss_desk.ui.widgets.devices import device_parts

if TYPE_CHECKING:
    from oss_desk.ui.app import OssDeskApp


class DeskScreen(Screen[None]):
    AREA = ""
    HELP = ""
    ROLE_ACTIONS: ClassVar[dict[str, Action]] = {}
    """Which permission each of the screen's actions needs (see ``oss_desk.domain.access``)."""
    SHOWS_ALERTS = False
    """The status area shows message alerts and every desk's unanswered print jobs."""

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
        over = sum(1 for e in snapshot.waiting if e.wait_seconds > snapshot.target_seconds)
        if over:
            parts.append((f"Over {snapshot.target_seconds // 60} min", str(over)))
        fault = False
        for part in device_parts(app, desk, snapshot, leader=self.SHOWS_ALERTS):
            parts.append((part.label, part.text))
            fault = fault or part.fault
        self.query_one(StatusBar).show(parts, fault=fault)

    def shown_ticket_id(self) -> int | None:
        """The ticket this screen is about (for the resident's view, F10)."""
        return None

    def notify_done(self, message: str) -> None:
        self.app.notify(message, markup=False, timeout=4)

    def refresh_bindings_soon(self, *_: Any) -> None:
        self.refresh_bindings()


def _status_word(status: str) -> str:
    return {"open": "open", "break": "on a break", "closed": "closed"}.get(status, status)
