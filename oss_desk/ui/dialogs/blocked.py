"""The database became unsafe to write: the desk stops and says why (it acknowledges nothing)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from oss_desk.ui.dialogs import help_key, help_over, key_rows, keys_line
from oss_desk.ui.faults import guarded


def closing_said(*, served: bool) -> str:
    """How this desk is closed: in a browser (``oss-desk serve``), Ctrl+Q is the browser's own
    key (Firefox quits outright), and closing the tab ends the desk's process."""
    return "Close this browser tab to close the desk." if served else "Ctrl+Q closes the desk."


def closing_help(about: str, *, served: bool) -> str:
    """F1's words: in a browser desk, how to close it (its key list has no Ctrl+Q there); in a
    terminal, the key list says Ctrl+Q itself."""
    if not served:
        return about
    return f"{about}\n\n{closing_said(served=True)}" if about else closing_said(served=True)


class DatabaseBlocked(ModalScreen[None]):
    """Blocks every screen until the desk is closed: the database file was deleted, moved,
    replaced or found damaged, so nothing this desk does could be saved where it counts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q",
            "app.quit",
            "Close the desk",
            id="blocked.quit",
            tooltip="Close the desk app (nothing can be saved now)",
            priority=True,
        ),
        help_key("blocked.help", "What happened, and what to do"),
        Binding(
            "escape",
            "stay",
            "Stay",
            id="blocked.stay",
            tooltip="Escape does not hide it: the desk cannot work on",
            show=False,
        ),
    ]
    DEFAULT_CSS = """
    DatabaseBlocked { align: center middle; background: $background 80%; }
    DatabaseBlocked > Vertical { width: 76; height: auto; padding: 1 2;
        border: heavy $error; background: $surface; }
    DatabaseBlocked .title { text-style: bold; color: $error; margin-bottom: 1; }
    DatabaseBlocked .hint { margin-top: 1; color: $text-muted; }
    """

    HELP = (
        "The desk's database file was deleted, moved or replaced while the desk was open, or "
        "found damaged: nothing done here could be saved where it counts, so the desk stops "
        "rather than lose work without a word. Tell the team leader (the IT officer runs "
        "oss-desk db check, then restores a backup), and close the desk: Ctrl+Q, or close the "
        "browser tab. Esc does not hide this."
    )

    def __init__(self, title: str, message: str) -> None:
        super().__init__(id="database-blocked")
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), classes="title")
            yield Static(Text(self.message), id="blocked-message")
            yield Static(
                keys_line(
                    Text(
                        "Nothing more is saved from this desk: tell the team leader. "
                        + closing_said(served=self.app.is_web)
                    )
                ),
                classes="hint",
            )

    def retell(self, message: str) -> None:
        """Say what is known now of the same fault."""
        self.message = message  # (not composed yet: composed with it)
        for shown in self.query("#blocked-message").results(Static):
            shown.update(Text(message))

    @guarded
    def action_help(self) -> None:
        rows = key_rows(self.app, (a.binding for a in self.active_bindings.values()))
        help_over(self.app, self.title_text, rows, self.HELP)

    @guarded
    def action_stay(self) -> None:
        """Escape does not hide it: the desk cannot work on."""
