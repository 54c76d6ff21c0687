"""The counter's dialogs: a question with its own answers, why a resident is parked, and a
visit's history. Each names the ticket it acts on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from oss_desk.domain.counter import PARK_REASONS
from oss_desk.ui.dialogs import Dialog, PickDialog, keys_line
from oss_desk.ui.faults import guarded

R = TypeVar("R")


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
    letter (or arrows and Enter) does it. Long details scroll between the heading and the
    actions, which stay in view with the hint; they open at their end (the newest steps)."""

    HELP = (
        "A ticket's details and what happened to its visit (how long the resident waited, by "
        "the daily report's rule; how, why and by whom it ended; each step, the newest last), "
        "with what this desk can do with it now: an action's letter does it, or the arrows and "
        "Enter. Details too long for the box open at their end, on the newest steps: Page Up "
        "and Page Down scroll them (the arrows too when no action is offered, or the mouse). "
        "Esc closes it and nothing changes."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "pageup",
            "scroll_body(-1)",
            "Earlier",
            id="ticket.earlier",
            tooltip="Scroll the details up, to the earlier lines",
            priority=True,  # over the action list's own Page Up
        ),
        Binding(
            "pagedown",
            "scroll_body(1)",
            "Later",
            id="ticket.later",
            tooltip="Scroll the details down, to the newest lines",
            priority=True,
        ),
    ]

    LIST_ID = "ticket-actions"
    SCROLLS = "PgUp/PgDn: scroll"
    """What the hint adds when the details do not all show."""

    def __init__(self, title: str, lines: list[str], actions: list[tuple[str, str]]) -> None:
        super().__init__(title, [(key, words, key) for key, words in actions])
        self.lines = lines
        keys = " · ".join(key.upper() for key, _ in actions)
        self.keys = f"{keys}, or arrows and Enter · " if actions else ""
        self.hint = f"{self.keys}Esc: close"

    def compose_body(self) -> ComposeResult:
        # a visit's story may be long: it scrolls (by the keys when no action takes them)
        with VerticalScroll(id="ticket-body", can_focus=not self.answers):
            yield Static(Text("\n".join(self.lines)), classes="body")

    def compose_foot(self, hint: Static) -> ComposeResult:
        # the actions and the hint under the details, always in view (the box's stylesheet)
        with Vertical(id="ticket-foot"):
            if self.answers:
                yield from super().compose_body()
            yield hint

    @guarded
    def on_resize(self) -> None:
        self.call_after_refresh(self.show_newest)

    @guarded
    def show_newest(self) -> None:
        """Laid out: the details at their end (the newest steps), and the hint says how to
        scroll when they do not all show."""
        body = self.query_one("#ticket-body", VerticalScroll)
        body.scroll_end(animate=False, immediate=True)
        scrolls = f"{self.SCROLLS} · " if body.max_scroll_y > 0 else ""
        self.query_one(".hint", Static).update(keys_line(f"{self.keys}{scrolls}Esc: close"))

    @guarded
    def action_scroll_body(self, pages: int) -> None:
        body = self.query_one("#ticket-body", VerticalScroll)
        if pages < 0:
            body.scroll_page_up(animate=False)
        else:
            body.scroll_page_down(animate=False)


class LookUpDialog(Dialog[R | None], Generic[R]):
    """One line looked up on Enter (a ticket's code): what was found closes the box with it;
    what is wrong (not a code, no such ticket) shows in red in the box, the text kept there
    to correct, as the booking and follow-up forms do."""

    HELP = (
        "Type what the box asks for (a ticket's code, say) and press Enter: what it finds opens. "
        "When nothing is found, the box says why in red and keeps what you typed, to correct. "
        "Esc goes back, and nothing is done."
    )

    hint = "Enter: look it up · Esc: back"

    def __init__(
        self,
        title: str,
        look_up: Callable[[str], Awaitable[R | str]],
        *,
        placeholder: str = "",
        max_length: int = 0,
    ) -> None:
        """``look_up``: what the text finds, or why nothing (a line for the person)."""
        super().__init__(title)
        self.look_up = look_up
        self.placeholder = placeholder
        self.max_length = max_length
        self.looking = False

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder, max_length=self.max_length, id="text")
        yield Static(id="look-up-error")

    def show_error(self, message: str) -> None:
        self.query_one("#look-up-error", Static).update(Text(message, style="bold red"))

    @guarded
    def on_input_changed(self) -> None:
        self.show_error("")  # being corrected: the old reason no longer holds

    @guarded
    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.dismiss(None)  # nothing typed: nothing to look up
            return
        if self.looking:
            return  # Enter again while the first is looked up
        self.looking = True
        try:
            found = await self.look_up(text)
        finally:
            self.looking = False
        if self.answered or not self.is_attached:
            return  # Esc while it was looked up: nothing more
        if isinstance(found, str):
            self.show_error(found)
        else:
            self.dismiss(found)
