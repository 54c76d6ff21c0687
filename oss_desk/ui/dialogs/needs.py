"""The reasonable adjustments box: what a resident needs for this visit (meet-and-greet's F9)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, SelectionList
from textual.widgets.selection_list import Selection

from oss_desk.domain.needs import INTERPRETER, SIMPLE_NEEDS
from oss_desk.ui.dialogs import Dialog
from oss_desk.ui.dialogs.fields import TickList
from oss_desk.ui.faults import guarded


class NeedsDialog(Dialog[tuple[str, ...] | None]):
    """Reasonable adjustments: Space ticks, Tab reaches the interpreter language, F9 saves."""

    HELP = (
        "Reasonable adjustments for this visit, so that the adviser is ready for them: Up and "
        "Down move, Space ticks or unticks, Tab goes to the interpreter's language. F9 or Enter "
        "saves them; Esc goes back and nothing changes."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f9", "save", "Save", id="needs.save", tooltip="Keep these adjustments"),
        Binding("ctrl+s", "save", "Save", show=False, id="needs.save_ctrl", tooltip="Save"),
    ]

    heading = "Reasonable adjustments for this visit"
    hint = "Space: tick · Tab: language · F9 or Enter: save · Esc: back"

    def __init__(self, current: tuple[str, ...]) -> None:
        super().__init__()
        self.current = current

    def compose_body(self) -> ComposeResult:
        language = next(
            (n.split(":", 1)[1] for n in self.current if n.startswith(INTERPRETER + ":")), ""
        )
        yield TickList(
            *[Selection(label, key, key in self.current) for key, label in SIMPLE_NEEDS.items()],
            id="needs",
        )
        yield Input(
            value=language,
            placeholder="Interpreter: language (e.g. Polish)",
            max_length=40,
            id="language",
        )

    @guarded
    def action_save(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        language = self.query_one("#language", Input).value.strip()
        if language:
            chosen.append(f"{INTERPRETER}:{language}")
        self.dismiss(tuple(chosen))

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()
