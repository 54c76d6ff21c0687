"""A transferred resident's new code, large, until the adviser closes it (T at the desk)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Key
from textual.widgets import Static

from oss_desk.domain.counter import new_code_untold, transferred_place
from oss_desk.domain.delivery import followed_job_word
from oss_desk.domain.models import Ticket
from oss_desk.domain.text import sentence_case
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.queue import Moved
from oss_desk.ui.context import DeskContext
from oss_desk.ui.dialogs import Dialog
from oss_desk.ui.faults import guarded
from oss_desk.ui.keyline import fresh, line_of
from oss_desk.ui.screens.base import DeskScreen
from oss_desk.ui.widgets.big_code import BigCode


class NewCodeDialog(Dialog[None]):
    """A transferred resident's new code, large, until the adviser closes it (never a
    passing toast); below it whether it was printed here, as the printer says."""

    BOX = "dialog new-code"
    hint = "Enter or Esc: close · a desk key closes it and acts"
    HELP = (
        "The resident's new code, large, for them to read. Enter or Esc closes it; a key of "
        "the desk (N, S, F...) closes it and does its work there. Other keys leave it open."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "cancel", "Close", id="newcode.close", tooltip="Close"),
    ]

    def __init__(self, desk: DeskContext, old: Ticket, moved: Moved) -> None:
        super().__init__(f"{old.code} is now {moved.ticket.code}: tell the resident")
        self.desk = desk
        self.moved = moved
        self.old_code = old.code
        where = desk.names.service(moved.ticket.service)
        arrived = desk.names.local_time(old.queued_at)
        self.where = transferred_place(where, arrived, moved.ticket.priority)

    def compose_body(self) -> ComposeResult:
        code = BigCode(id="new-code")
        code.code = self.moved.ticket.code
        yield code
        yield Static(Text(self.where), classes="body")
        yield Static(id="new-code-print", classes="body")

    @guarded
    def on_mount(self) -> None:
        self.desk.follow_snapshot(self, self._on_snapshot)
        self._on_snapshot(self.desk.snapshot)

    @guarded
    def on_key(self, event: Key) -> None:
        """A desk key (N for the next resident, say) closes the box and does its work on the
        desk, as the rating prompt does: never swallowed. The new code stays said for a while
        (a notice). The box's own keys (Enter, Esc, F1) do what they say; any other (Tab, the
        arrows) leaves it up: the resident may not have read it yet."""
        if event.key in self.active_bindings or not self._desk_key(event.key):
            return
        event.stop()
        event.prevent_default()
        self.app.notify(str(self.heading), markup=False, timeout=10)
        if (line := line_of(self.app)) is not None:
            line.replay([event])  # first, before any key typed after it
        else:
            self.app.post_message(fresh(event))
        self.dismiss()

    def _desk_key(self, key: str) -> bool:
        """Whether ``key`` is one of the desk's own keys, as the desk beneath this box has them
        now (remapped or not): its screen's or the app's, each with an id (Textual's own, such
        as Tab's, have none)."""
        desk = next((s for s in reversed(self.app.screen_stack) if isinstance(s, DeskScreen)), None)
        bound = desk.active_bindings.get(key) if desk is not None else None
        return bound is not None and bound.node in (desk, self.app) and bound.binding.id is not None

    @guarded
    def _on_snapshot(self, snapshot: DeskSnapshot | None) -> None:
        line = self.query_one("#new-code-print", Static)
        job = self.moved.print_job
        if job is None:
            said = new_code_untold(self.moved.ticket.code, self.moved.held)
            line.update(Text(sentence_case(said), "bold"))
            return
        word = followed_job_word(snapshot.print_jobs if snapshot is not None else {}, job)
        line.update(Text(f"The new ticket at this desk's printer: {word}"))
