"""The counter's dialogs: a question with its own answers, why a resident is parked, and a
visit's history. Each names the ticket it acts on."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from oss_desk.domain.counter import PARK_REASONS
from oss_desk.ui.dialogs import Dialog, PickDialog
from oss_desk.ui.faults import guarded


class QuestionDialog(Dialog[bool | None]):
    """A question answered y or n, each answer saying what it does ("y: start serving")."""

    HELP = (
        "A question about this ticket: y and n each do what the line below them says (y: start "
        "serving, say). Esc goes back and nothing changes."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="question.yes", tooltip="The first answer"),
        Binding("n", "answer(False)", "No", id="question.no", tooltip="The second answer"),
    ]

    def __init__(self, question: str, yes: str, no: str, detail: str = "") -> None:
        super().__init__(question)
        self.detail = detail
        self.hint = Text(f"y: {yes} · n: {no} · Esc: back, nothing changes")

    def compose_body(self) -> ComposeResult:
        if self.detail:
            yield Static(Text(self.detail), classes="body")

    @guarded
    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ParkDialog(PickDialog[str]):
    """Why the resident is parked: 1-5 or arrows and Enter."""

    HELP = (
        "Park the resident: they wait aside while N calls the next, and P brings them back. Why "
        "they are parked: 1-5, or the arrows and Enter. Esc goes back: they are not parked."
    )

    LIST_ID = "reasons"
    hint = "1-5 or arrows and Enter · Esc: back"

    def __init__(self, code: str) -> None:
        super().__init__(
            f"Park {code}: they wait aside, N can call the next, P brings them back. Why?",
            [(str(i), words, key) for i, (key, words) in enumerate(PARK_REASONS.items(), start=1)],
        )


class LinesDialog(Dialog[None]):
    """Read-only lines that may be many (a visit's history): scrolls, never wider than the
    screen."""

    HELP = (
        "Lines to read (a visit's history): the arrows or Page Up and Page Down scroll them. "
        "Nothing changes here. Esc closes it."
    )

    BOX = "dialog lines"
    hint = "Arrows or Page Up/Down to scroll · Esc: close"

    def __init__(self, title: str, lines: list[str], note: str = "") -> None:
        super().__init__(title)
        self.lines = lines
        self.note = note

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="lines-body"):
            yield Static(Text("\n".join(self.lines)), classes="body")
        if self.note:
            yield Static(Text(self.note, style="dim"), classes="body")


class TicketDialog(PickDialog[str]):
    """A ticket's details (typed, found or scanned), with what this desk can do with it: a
    letter (or arrows and Enter) does it."""

    HELP = (
        "A ticket's details and what happened to its visit (how long the resident waited, by "
        "the daily report's rule; how, why and by whom it ended; each step), with what this "
        "desk can do with it now: an action's letter does it, or the arrows and Enter. Long "
        "details scroll (with the mouse, or the arrows when no action is offered). Esc closes "
        "it and nothing changes."
    )

    LIST_ID = "ticket-actions"

    def __init__(self, title: str, lines: list[str], actions: list[tuple[str, str]]) -> None:
        super().__init__(title, [(key, words, key) for key, words in actions])
        self.lines = lines
        keys = " · ".join(key.upper() for key, _ in actions)
        self.hint = f"{keys}, or arrows and Enter · Esc: close" if actions else "Esc: close"

    def compose_body(self) -> ComposeResult:
        # a visit's story may be long: it scrolls (by the keys when no action takes them)
        with VerticalScroll(id="ticket-body", can_focus=not self.answers):
            yield Static(Text("\n".join(self.lines)), classes="body")
        if self.answers:
            yield from super().compose_body()
