"""Typed modal dialogs: each returns its result with ``dismiss`` (None when cancelled)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widgets import (
    Checkbox,
    DataTable,
    Input,
    OptionList,
    RadioButton,
    SelectionList,
    Static,
)
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.widgets.selection_list import Selection
from textual.worker import Worker

from oss_desk.domain.counter import outcome_key_refused, outcome_keys_hint, outcomes_offered
from oss_desk.domain.models import Outcome
from oss_desk.domain.needs import INTERPRETER, SIMPLE_NEEDS
from oss_desk.domain.text import room_said
from oss_desk.ui.faults import guarded, worker_failed

if TYPE_CHECKING:
    from oss_desk.services.printouts import ResidentView

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    """A centred box; Escape cancels (returns None: every dialog's result type allows it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without changes")
    ]
    BOX = "dialog"
    """The classes of the box (its look is in the app's stylesheet)."""
    heading: str | Text = ""
    """The first line (a str is read as markup: only for our own words)."""
    hint: str | Text = ""
    """The last line: which keys do what (none when empty)."""

    def __init__(self, heading: str = "") -> None:
        """``heading`` (when given) is the first line as plain text: never read as markup, so a
        resident's or the database's words show as they are."""
        super().__init__()
        if heading:
            self.heading = Text(heading)

    def compose(self) -> ComposeResult:
        with Vertical(classes=self.BOX):
            yield Static(self.heading, classes="title")
            yield from self.compose_body()
            if self.hint:
                yield Static(self.hint, classes="hint")

    def compose_body(self) -> ComposeResult:
        """The dialog's own widgets, between the heading and the hint."""
        yield from ()

    answered = False
    """Set by the first :meth:`dismiss`: a dialog answers once."""

    def dismiss(self, result: T | None = None) -> AwaitComplete:
        """Answer once: a second key queued before the dialog closed (two quick presses of "1")
        is not a second answer, which would close the screen beneath it."""
        if self.answered:
            done: AwaitComplete = AwaitComplete.nothing()  # type: ignore[no-untyped-call]
            return done
        self.answered = True
        return super().dismiss(result)

    @guarded
    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker_failed(self, event)


class LetterList(OptionList):
    """An option list where typing an option's letter (its id) picks it at once."""

    def __init__(self, *options: Option, id: str | None = None) -> None:
        super().__init__(*options, id=id)
        self.typed = ""
        """The letter typed that picked an option ("": none; arrows and Enter pick too)."""

    @guarded
    def on_key(self, event: Key) -> None:
        if event.character and len(event.character) == 1 and event.character.isalnum():
            wanted = event.character.upper()
            for index in range(self.option_count):
                if (self.get_option_at_index(index).id or "").upper() == wanted:
                    self.highlighted = index
                    event.stop()
                    self.typed = event.character
                    self.action_select()
                    return


class TickList(SelectionList[str]):
    """Space ticks at once (not through a message), so a save pressed straight after it, as a
    fast typist or a test does, sees the tick. A ticked line shows a tick mark and an unticked
    one an empty box: the state does not rest on colour alone (Textual draws an X in both)."""

    TICKED = "\u2713"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Save", show=False, id="ticks.submit", tooltip="Save")
    ]

    @guarded
    async def action_submit(self) -> None:
        """Enter saves the dialog (Space ticks)."""
        await self.run_action("screen.save")

    @guarded
    def action_select(self) -> None:
        if self.highlighted is not None:
            self.toggle(self.get_option_at_index(self.highlighted))

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        mark = self.TICKED if selection.value in self._selected else " "
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, strip.cell_length)


class MarkedRadioButton(RadioButton):
    """A radio button whose dot shows only when it is chosen (not colour alone)."""

    @property
    def _button(self) -> Content:
        # As ToggleButton._button draws it, with the dot left out when not chosen.
        button_style = self.get_visual_style("toggle--button")
        side_style = VisualStyle(
            foreground=button_style.background, background=self.background_colors[1]
        )
        return Content.assemble(
            (self.BUTTON_LEFT, side_style),
            (self.BUTTON_INNER if self.value else " ", button_style),
            (self.BUTTON_RIGHT, side_style),
        )


def ticked(label: str, on: bool) -> Text:
    """A tick box's label with its state shown by a mark, not colour alone."""
    mark = "[\u2713]" if on else "[ ]"
    return Text(f"{mark} {label}")


class TickBox(Checkbox):
    """A tick box that says whether it is ticked with a mark ("[\u2713] Follow-up text", "[ ]
    ..."): Checkbox's own button draws the same X either way, in another colour, so it is left
    out (an X beside "[ ]" read as ticked)."""

    BUTTON_LEFT = BUTTON_INNER = BUTTON_RIGHT = ""

    def __init__(self, text: str, value: bool = False, **kwargs: Any) -> None:
        self.text = text
        super().__init__(ticked(text, value), value, **kwargs)

    @guarded
    def watch_value(self) -> None:
        self.label = ticked(self.text, self.value)
        super().watch_value()


class PickDialog(Dialog[T | None]):
    """One answer of a few, each shown after the key that picks it at once (a digit or a
    letter), or arrows and Enter: ``picks`` are (key, words, the answer it gives)."""

    LIST_ID = "picks"
    """The list's id (the style sheets size some)."""

    def __init__(self, heading: str, picks: Iterable[tuple[str, str, T]]) -> None:
        super().__init__(heading)
        listed = list(picks)
        self.words = {key: words for key, words, _ in listed}
        self.answers = {key: answer for key, _, answer in listed}
        self.picked = ""
        """The key of the answer given (whether by its key or by arrows and Enter)."""
        self.typed = ""
        """The key typed that gave the answer ("" when arrows and Enter gave it)."""

    def compose_body(self) -> ComposeResult:
        yield LetterList(
            *[Option(Text(f"{key.upper()}  {words}"), id=key) for key, words in self.words.items()],
            id=self.LIST_ID,
        )

    @guarded
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.picked = event.option.id or ""
        typed = event.option_list.typed if isinstance(event.option_list, LetterList) else ""
        self.typed = self.picked if typed.lower() == self.picked.lower() else ""
        self.dismiss(self.answers.get(self.picked))


class OutcomeDialog(PickDialog[Outcome]):
    """How the visit (or one service of it) ended: its key (1-5, those offered) or arrows and
    Enter; the hint names only the keys offered, and another digit says why it does nothing."""

    LIST_ID = "outcomes"

    def __init__(self, code: str, service: str = "", *, appointments: bool = True) -> None:
        """``appointments``: the service takes appointments ("needs an appointment" is offered
        only then: :func:`oss_desk.domain.counter.outcomes_offered`)."""
        what = f"{code} · {service}" if service else code
        numbered = [
            (key, f"{o.value:<12} {o.description}", o) for key, o in outcomes_offered(appointments)
        ]
        super().__init__(f"Finish {what}: what was the outcome?", numbered)
        self.code = code
        self.appointments = appointments
        self.keys_hint = outcome_keys_hint(appointments)
        self.hint = f"{self.keys_hint} · Esc: back"

    @guarded
    def on_key(self, event: Key) -> None:
        digit = event.character
        if digit and len(digit) == 1 and digit.isdigit() and digit not in self.answers:
            event.stop()
            refused = outcome_key_refused(digit, self.appointments)
            self.app.notify(refused, markup=False, severity="warning", timeout=4)


class ChoiceDialog(Dialog[str | None]):
    """Pick one of several (services, desks): a letter or arrows and Enter."""

    def __init__(self, title: str, choices: Iterable[tuple[str, str]], hint: str = "") -> None:
        super().__init__(title)
        self.choices = list(choices)
        self.hint = hint or "Arrows and Enter · Esc: back"

    def compose_body(self) -> ComposeResult:
        yield LetterList(*[Option(Text(label), id=key) for key, label in self.choices])

    @guarded
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class TextDialog(Dialog[str | None]):
    """One line of text: Enter to confirm. ``max_length`` stops typing at a length (a code);
    ``room`` is the most free text may hold as stored: the characters left show under the box
    as it is typed, and Enter does nothing while it is over (nothing is cut, nothing lost)."""

    def __init__(
        self,
        title: str,
        *,
        placeholder: str = "",
        hint: str = "",
        max_length: int = 0,
        room: int = 0,
        value: str = "",
    ) -> None:
        super().__init__(title)
        self.placeholder = placeholder
        self.hint = Text(hint) if hint else ""
        self.max_length = max_length
        self.room = room
        self.value = value

    def compose_body(self) -> ComposeResult:
        yield Input(
            value=self.value, placeholder=self.placeholder, max_length=self.max_length, id="text"
        )
        if self.room:
            yield Static(self.room_text(self.value), id="text-room")

    def room_text(self, value: str) -> Text:
        said, over = room_said(value, self.room)
        return Text(said, style="bold red" if over else "dim")

    @guarded
    def on_input_changed(self, event: Input.Changed) -> None:
        if self.room:
            self.query_one("#text-room", Static).update(self.room_text(event.value))

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.room and room_said(event.value, self.room)[1]:
            self.app.bell()  # over: the count under the box says by how much
            return
        self.dismiss(event.value)


class NeedsDialog(Dialog[tuple[str, ...] | None]):
    """Reasonable adjustments: Space ticks, Tab reaches the interpreter language, F9 saves."""

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


class ConfirmDialog(Dialog[bool | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Go ahead"),
        Binding("n", "answer(False)", "No", id="confirm.no", tooltip="Do not"),
    ]

    hint = "y: yes · n or Esc: no"

    def __init__(self, question: str) -> None:
        super().__init__(question)

    @guarded
    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class InfoDialog(Dialog[None]):
    """Read-only lines (a ticket's details)."""

    hint = "Esc: close"

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(title)
        self.lines = lines

    def compose_body(self) -> ComposeResult:
        yield Static(Text("\n".join(self.lines)), classes="body")


class KeyTable(DataTable[Text]):
    """F1's keys, a row each: Home and End go to the first and the last (a table's own go to
    its first and last column, which is nothing here)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First key", show=False),
        Binding("end", "scroll_bottom", "Last key", show=False),
    ]


HELP_SCROLLS = "Up/Down, PgUp/PgDn, Home/End scroll the {part} · Tab: the {other}"  # 80 columns
"""F1's hint: what the keys that scroll do where the focus is, and what Tab goes to."""


class HelpScreen(Dialog[None]):
    """F1: the words about this screen, then its keys, with what each does. The keys that
    scroll scroll whichever of the two has the focus (Tab goes from one to the other); it
    opens on the words when they are cut off (a screen's long help at 80x24), so Down, PgDn
    and End read them to the end at once; the hint says so."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "cancel", "Close", id="help.close", tooltip="Close the help")
    ]

    BOX = "dialog help"
    AUTO_FOCUS = "#keys"  # the words instead when they are cut off (see on_resize)
    CLOSE = "Esc or F1: close · Ctrl+P: every action by name"
    laid_out = False

    def __init__(self, title: str, rows: list[tuple[str, str, str]], about: str) -> None:
        super().__init__(title)
        self.rows = rows
        self.about = about
        self.hint = self.hint_for(words=False)

    def hint_for(self, *, words: bool) -> Text:
        """The hint with the focus on the words (``words``) or on the keys."""
        part, other = ("words", "keys") if words else ("keys", "words")
        return Text(HELP_SCROLLS.format(part=part, other=other) + "\n" + self.CLOSE)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="about"):
            yield Static(Text(self.about), classes="body")
        table = KeyTable(cursor_type="row", id="keys")
        table.add_columns("Key", "Does", "More")
        room = self.more_width()
        for key, description, tooltip in self.rows:
            more = "\n".join(textwrap.wrap(tooltip, room)) if len(tooltip) > room else tooltip
            table.add_row(
                Text(key, style="bold"), Text(description), Text(more), height=more.count("\n") + 1
            )
        yield table

    @guarded
    def on_descendant_focus(self) -> None:
        words = self.focused is not None and self.focused.id == "about"
        self.query_one(".hint", Static).update(self.hint_for(words=words))

    @guarded
    def focus_cut_off_words(self) -> None:
        """Laid out: the words have the focus when they do not all show."""
        about = self.query_one("#about", VerticalScroll)
        if about.max_scroll_y > 0:
            about.focus()

    @guarded
    def on_resize(self) -> None:
        """The keys always in view: where the terminal is too short for the words above them
        and the keys (80x24), the words give way (they scroll; Tab goes to them)."""
        rows = self.app.size.height * 9 // 10  # the dialog's most (its max-height: 90%)
        around = 2 + 2 + 2 + 3  # border, padding, heading, hint (two lines)
        keys = min(len(self.rows) + 1, 16)  # the table's most (its max-height)
        about = max(3, rows - around - keys)
        self.query_one("#about").styles.max_height = about
        self.query_one("#keys").styles.max_height = max(3, min(keys, rows - around - about))
        if not self.laid_out:  # on opening only (later, the focus stays where it was put)
            self.laid_out = True
            self.call_after_refresh(self.focus_cut_off_words)

    def more_width(self) -> int:
        """How wide the "More" column may be without the table scrolling sideways (it wraps
        instead): the dialog's width (90% of the screen, at most 100) less its border,
        padding, scroll bar, the other columns and each column's padding."""
        box = min(100, self.app.size.width * 9 // 10) - 2 - 4 - 1
        key = max((len(k) for k, _, _ in self.rows), default=3)
        does = max((len(d) for _, d, _ in self.rows), default=4)
        return max(16, box - max(key, 3) - max(does, 4) - 3 * 2)


class ResidentViewDialog(Dialog[None]):
    """F10: the ticket as printed and the board as it shows now (what the resident sees)."""

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
        board.rstrip()
        yield Static(Text("The board", style="bold"), classes="subtitle")
        yield Static(board, id="board-lines")

    @guarded
    def on_resize(self) -> None:
        """The board always in view: where the terminal is too short for the paper and the
        board (80x24), the paper gives way and scrolls (up and down)."""
        rows = self.app.size.height * 9 // 10  # the dialog's most (its max-height: 90%)
        around = 2 + 2 + 2 + 2 + max(1, len(self.board)) + 2  # border, padding, words, board
        self.query_one("#paper-box").styles.max_height = max(4, rows - around)
