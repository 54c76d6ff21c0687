"""F10, what the resident sees: the ticket as printed and the display board as it shows now."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from oss_desk.ui.dialogs import Dialog
from oss_desk.ui.faults import guarded

if TYPE_CHECKING:
    from oss_desk.services.printouts import ResidentView


class ResidentViewDialog(Dialog[None]):
    """F10: the ticket as printed and the board as it shows now (what the resident sees)."""

    HELP = (
        "What the resident sees: the ticket as printed for the one highlighted (or just "
        "issued), and the display board as it shows now. Nothing changes here. Esc or F10 "
        "closes it."
    )

    BOX = "dialog preview"
    heading = "What the resident sees"
    hint = "Esc or F10: close"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "cancel", "Close", id="preview.close", tooltip="Close the resident's view")
    ]

    def __init__(self, view: ResidentView) -> None:
        super().__init__()
        self.code = view.ticket_code
        self.paper = [(line.text, line.bold, line.kind == "qr") for line in view.ticket_lines]
        self.board = view.board_lines
        self.board_turns = view.board_turns
        self.has_board = view.board_url is not None
        self.paper_said = view.paper_said

    def compose_body(self) -> ComposeResult:
        ticket = Text()
        if not self.paper:
            ticket.append("No ticket to show: issue or highlight one first.", style="dim")
        for text, bold, is_qr in self.paper:
            ticket.append(text + "\n", style="bold" if bold else ("dim" if is_qr else ""))
        ticket.rstrip()  # the paper fed out before the cut
        with VerticalScroll(id="paper-box"):
            if self.paper_said:  # whether the resident has it on paper, and what it shows
                yield Static(Text(self.paper_said, style="italic"), id="paper-said")
            yield Static(ticket, id="paper")
        board = Text()
        if not self.has_board:
            board.append("No display board is configured.", style="dim")
        for line in self.board:
            board.append(f"|{line}|\n", style="bold")
        if self.board_turns:  # a bilingual office's desks in English, on the page after
            board.append("in turn with:\n", style="dim")
            for line in self.board_turns:
                board.append(f"|{line}|\n", style="bold")
        board.rstrip()
        yield Static(Text("The board", style="bold"), classes="subtitle")
        yield Static(board, id="board-lines")

    @guarded
    def on_resize(self) -> None:
        """The board always in view: where the terminal is too short for the paper and the
        board (80x24), the paper gives way and scrolls (up and down)."""
        rows = self.app.size.height * 9 // 10  # the dialog's most (its max-height: 90%)
        board = max(1, len(self.board)) + (len(self.board_turns) + 1 if self.board_turns else 0)
        around = 2 + 2 + 2 + 2 + board + 2  # border, padding, words, board
        self.query_one("#paper-box").styles.max_height = max(4, rows - around)
