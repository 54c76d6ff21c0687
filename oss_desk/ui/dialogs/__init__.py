"""Typed modal dialogs: each returns its result with ``dismiss`` (None when cancelled)."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, ClassVar, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import App, ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import (
    Input,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option
from textual.worker import Worker

from oss_desk.domain.counter import (
    choice_hint,
    not_an_answer,
    outcome_key_refused,
    outcome_keys_hint,
    outcomes_offered,
)
from oss_desk.domain.models import Outcome
from oss_desk.domain.text import room_said
from oss_desk.ui.compositor import beneath
from oss_desk.ui.dialogs.fields import LetterList as LetterList
from oss_desk.ui.dialogs.fields import MarkedRadioButton as MarkedRadioButton
from oss_desk.ui.dialogs.fields import TickBox as TickBox
from oss_desk.ui.dialogs.fields import TickList as TickList
from oss_desk.ui.dialogs.fields import ticked as ticked
from oss_desk.ui.faults import guarded, worker_failed
from oss_desk.ui.tables import Table

T = TypeVar("T")


def help_key(id: str, what: str) -> Binding:
    """F1 where the app's own F1 does not reach (a box, a question on the desk): its action
    ``help`` shows ``what`` is said of it, and Esc or F1 comes back to it (:func:`help_over`)."""
    return Binding("f1", "help", "Help", id=id, tooltip=f"{what} (Esc or F1: back to it)")


HELP_HINT = "F1: help"
"""What every box's hint line says of F1 (:func:`keys_line`)."""


def keys_line(hint: str | Text) -> str | Text:
    """A box's hint line, saying F1 (what the box and its question mean, and its keys) with its
    other keys: on the line that says Esc (where a hint has a line of words too), else on the
    last. A box with no hint says Esc and F1; a hint that names F1 already (the help's own:
    F1 closes it there) is as it is."""
    plain = hint.plain if isinstance(hint, Text) else hint
    if not plain:
        return f"Esc: back · {HELP_HINT}"
    if "F1" in plain:
        return hint
    lines = plain.split("\n")
    keys = max((i for i, line in enumerate(lines) if "Esc" in line), default=len(lines) - 1)
    end = sum(len(line) + 1 for line in lines[: keys + 1]) - 1
    if isinstance(hint, Text):
        return Text.assemble(hint[:end], f" · {HELP_HINT}", hint[end:])
    return f"{hint[:end]} · {HELP_HINT}{hint[end:]}"


STRAY_PAUSE = 1.0
"""Seconds without a key that answers nothing before the next says so again: a scanner's code
typed into a box (a few milliseconds a key) is one notice, not one a key."""


class Dialog(ModalScreen[T]):
    """A centred box; Escape cancels (returns None: every dialog's result type allows it); F1
    shows what the box is for and its keys over it (the app's own F1 does not reach a box:
    Textual runs none of the app's keys while one is open), and Esc or F1 goes back to it as
    it was. Its hint line says so (:func:`keys_line`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without changes"),
        help_key("dialog.help", "What this box is for, and its keys"),
    ]
    HELP: ClassVar[str] = ""
    """F1's words about the box: what it is for, what its keys do and how to leave it (every
    dialog class says its own: tests/ui/test_structure.py)."""
    BOX = "dialog"
    """The classes of the box (its look is in the app's stylesheet)."""
    heading: str | Text = ""
    """The first line (a str is read as markup: only for our own words)."""
    hint: str | Text = ""
    """The last line: which keys do what (F1's is added: :func:`keys_line`)."""
    meaning = ""
    """What this box's question means, from whoever asks it: F1 says it before the box's
    general words (``HELP``), so that F1 at "Cancel C004: why?" explains each answer."""

    def __init__(self, heading: str = "", *, meaning: str = "") -> None:
        """``heading`` (when given) is the first line as plain text: never read as markup, so a
        resident's or the database's words show as they are. ``meaning``: what the question
        means and what each answer does (F1 says it first)."""
        super().__init__()
        if heading:
            self.heading = Text(heading)
        if meaning:
            self.meaning = meaning

    def render(self) -> RenderableType:
        return beneath(super().render())  # the dimmed desk, each style tinted once

    def compose(self) -> ComposeResult:
        with Vertical(classes=self.BOX):
            yield Static(self.heading, classes="title")
            yield from self.compose_body()
            yield from self.compose_foot(Static(keys_line(self.hint), classes="hint"))

    def compose_body(self) -> ComposeResult:
        """The dialog's own widgets, between the heading and the hint."""
        yield from ()

    def compose_foot(self, hint: Static) -> ComposeResult:
        """The last part: the ``hint`` line (a box may put more with it, to keep it in view
        under a long body)."""
        yield hint

    answered = False
    """Set by the first :meth:`dismiss`: a dialog answers once."""

    def dismiss(self, result: T | None = None) -> AwaitComplete:
        """Answer once: a second key queued before the dialog closed (two quick presses of "1")
        is not a second answer, which would close the screen beneath it."""
        if self.answered:
            done: AwaitComplete = AwaitComplete.nothing()  # type: ignore[no-untyped-call]
            return done
        self.answered = True
        if self.is_attached and self in self.app.screen_stack and self.app.screen is not self:
            # Its help is open over it (a print question answered at another desk, a save
            # done): the help goes with it, not instead of it (Textual closes the top screen).
            self.pop_until_active()
        return super().dismiss(result)

    @guarded
    def action_cancel(self) -> None:
        self.dismiss(None)

    stray_at = -STRAY_PAUSE
    """When a key last answered nothing here (:meth:`on_key`)."""

    @guarded
    def on_key(self, event: Key) -> None:
        """A key that answers nothing in a box of a few answers (a letter in a list, y or n)
        says so, never silently: "'k' is not one of S, D or P". Not a key the box or its field
        takes (a text box's letters never come here), nor one typed after the box answered
        (it goes to what comes next); a run of them (a scanner's code) says it once."""
        character = event.character
        if not event.is_forwarded:  # not yet read by the app (it comes back, on its way down)
            return
        if self.answered or not character or len(character) != 1 or not character.isprintable():
            return
        if character.isspace() or event.key in self.active_bindings:
            return
        keys = self.answer_keys()
        if not keys:
            return
        event.stop()
        last, self.stray_at = self.stray_at, time.monotonic()
        if self.stray_at - last < STRAY_PAUSE:
            return
        self.app.notify(
            self.stray_said(character, keys), markup=False, severity="warning", timeout=4
        )

    def answer_keys(self) -> list[str]:
        """The keys that answer this box: its list's letters while the list has the focus
        (elsewhere in a form, the booking's slots or its tick box, a letter is not one of
        the list's: "'h' is not one of C or H" was said of H itself), then its own one-letter
        keys."""
        keys: list[str] = []
        for letters in self.query(LetterList):
            if not letters.has_focus:
                continue
            options = (letters.get_option_at_index(i).id for i in range(letters.option_count))
            keys += [key for key in options if key is not None and len(key) == 1]
        for key, active in self.active_bindings.items():
            if len(key) == 1 and active.node is self and active.binding.id is not None:
                keys.append(key)
        return keys

    def stray_said(self, character: str, keys: Sequence[str]) -> str:
        """What a key that answers nothing says (the box's ``keys`` answer it)."""
        return not_an_answer(character, keys)

    @guarded
    def action_help(self) -> None:
        """F1: this box's help over it (the box stays as it is beneath: what is typed, ticked
        and where the cursor is)."""
        help_over(self.app, self.heading_said(), self.help_rows(), self.help_words())

    def help_words(self) -> str:
        """F1's words: what this box's question means (:attr:`meaning`), then what the box is
        for and how its keys work."""
        return f"{self.meaning}\n\n{self.HELP}" if self.meaning else self.HELP

    def heading_said(self) -> str:
        """The box's first line as plain text (a box that draws its own: its title line)."""
        heading: object = self.heading
        if not heading:
            heading = next((t.content for t in self.query(".title").results(Static)), "")
        if isinstance(heading, Text | Content):
            return heading.plain
        return Text.from_markup(str(heading)).plain if heading else ""

    def help_rows(self) -> list[tuple[str, str, str]]:
        """F1's keys: those that work where the cursor is now (the nearest it first)."""
        return key_rows(self.app, (active.binding for active in self.active_bindings.values()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker_failed(self, event)


def key_rows(app: App[Any], bindings: Iterable[Binding]) -> list[tuple[str, str, str]]:
    """F1's rows (key, what it does, more) of ``bindings``: ours only (each has an id; Textual's
    own have none), in the order given, Esc and F1 of a box (``dialog.``) last."""
    own: list[tuple[str, str, str]] = []
    base: list[tuple[str, str, str]] = []
    for binding in bindings:
        if binding.id is None:
            continue
        row = (app.get_key_display(binding), binding.description, binding.tooltip)
        (base if binding.id.startswith("dialog.") else own).append(row)
    return own + base


def help_over(app: App[Any], heading: str, rows: list[tuple[str, str, str]], about: str) -> None:
    """F1 over a box or a question (``heading``: its first line): its words and keys, and Esc
    or F1 back to it as it was."""
    title = f"Help: {heading}" if heading else "Help"
    app.push_screen(HelpScreen(title, rows, about, closing=BACK))


class PickDialog(Dialog[T | None]):
    """One answer of a few, each shown after the key that picks it at once (a digit or a
    letter), or arrows and Enter: ``picks`` are (key, words, the answer it gives)."""

    HELP = (
        "One answer of a few: the key shown before an answer gives it at once, or the arrows "
        "and Enter. Esc goes back without an answer."
    )

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

    def help_rows(self) -> list[tuple[str, str, str]]:
        """F1's keys: first the keys that give an answer (they are no bindings), then the box's."""
        keys = ", ".join(key.upper() for key in self.words)
        picks = (keys, "Answer", "The answer shown after the key, at once")
        return [picks, *super().help_rows()]

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

    HELP = (
        "How the visit (or this service of it) ended, as the council counts it: the outcome's "
        "number gives it at once, or the arrows and Enter. Only the outcomes offered here are "
        "listed (needs an appointment only for a service that takes them); another number says "
        "why it does nothing. Esc goes back: nothing is finished."
    )

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

    def stray_said(self, character: str, keys: Sequence[str]) -> str:
        """Another digit says why it is not an outcome here (4 where the service takes no
        appointments)."""
        if character.isdigit():
            return outcome_key_refused(character, self.appointments)
        return super().stray_said(character, keys)


class ChoiceDialog(Dialog[str | None]):
    """Pick one of several (services, desks): a letter or arrows and Enter. With ``act``, the
    choice is acted on while the box is open: a refusal shows in red in the box, which stays
    open for another choice (or Esc). Opened again after a choice was refused (``refused``,
    the choice ``start``), it says why in red with that choice highlighted."""

    HELP = (
        "Pick one of the list (a service, a desk, a colleague...): its letter or number picks "
        "it at once, or the arrows and Enter. Where a choice cannot be taken, the box says why "
        "in red and stays open for another. Esc goes back without choosing."
    )

    def __init__(
        self,
        title: str,
        choices: Iterable[tuple[str, str]],
        hint: str = "",
        *,
        meaning: str,
        act: Callable[[str], Awaitable[str | None]] | None = None,
        refused: str = "",
        start: str | None = None,
    ) -> None:
        """``meaning``: what the choice means and what picking each does (F1 says it).
        ``act``: does what a choice means, and says why not (None: done, the box closes).
        ``refused``: why the choice ``start`` (highlighted) was refused, said in red."""
        super().__init__(title, meaning=meaning)
        self.choices = list(choices)
        self.hint = hint or choice_hint(self.choices)
        self.act = act
        self.acting = False
        self.refused = refused
        self.start = start

    def compose_body(self) -> ComposeResult:
        yield LetterList(*[Option(Text(label), id=key) for key, label in self.choices])
        if self.act is not None or self.refused:
            yield Static(Text(self.refused, style="bold red"), id="choice-refused")

    @guarded
    def on_mount(self) -> None:
        keys = [key for key, _ in self.choices]
        if self.start in keys:
            self.query_one(LetterList).highlighted = keys.index(self.start)

    @guarded
    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.act is None:
            self.dismiss(event.option.id)
            return
        if self.acting:
            return  # a second choice while the first is acted on
        self.acting = True
        try:
            refused = await self.act(event.option.id or "")
        finally:
            self.acting = False
        if self.answered or not self.is_attached:
            return
        if refused is None:
            self.dismiss(event.option.id)
        else:
            self.query_one("#choice-refused", Static).update(Text(refused, style="bold red"))


class TextDialog(Dialog[str | None]):
    """One line of text: Enter to confirm. ``max_length`` stops typing at a length (a code);
    ``room`` is the most free text may hold as stored: the characters left show under the box
    as it is typed, and Enter does nothing while it is over (nothing is cut, nothing lost)."""

    HELP = (
        "Type what the box asks for and press Enter. Where the box has a limit, the characters "
        "left show under it, and Enter waits while the text is too long (nothing is cut). Esc "
        "goes back, and nothing is done with it."
    )

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


class ConfirmDialog(Dialog[bool | None]):
    HELP = (
        "A question before something is done: y goes ahead; n or Esc does not, and nothing changes."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Go ahead"),
        Binding("n", "answer(False)", "No", id="confirm.no", tooltip="Do not"),
    ]

    hint = "y: yes · n or Esc: no"

    def __init__(self, question: str, *, meaning: str) -> None:
        """``meaning``: what the question means and what y does (F1 says it)."""
        super().__init__(question, meaning=meaning)

    @guarded
    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class InfoDialog(Dialog[None]):
    """Read-only lines (a ticket's details)."""

    HELP = "Details to read: nothing here changes anything. Esc closes it."

    hint = "Esc: close"

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(title)
        self.lines = lines

    def compose_body(self) -> ComposeResult:
        yield Static(Text("\n".join(self.lines)), classes="body")


class KeyTable(Table[Text]):
    """F1's keys, a row each: Home and End go to the first and the last (a table's own go to
    its first and last column, which is nothing here)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First key", show=False),
        Binding("end", "scroll_bottom", "Last key", show=False),
    ]


BACK = "Esc or F1: back to the box, as it was"
"""The help's last line over a box (F1 there)."""

CLOSE = "Esc or F1: close · Ctrl+P: every action by name"
"""The help's last line over a screen."""

HELP_SCROLLS = "Up/Down, PgUp/PgDn, Home/End scroll the {part} · Tab: the {other}"  # 80 columns
"""F1's hint: what the keys that scroll do where the focus is, and what Tab goes to."""


class HelpScreen(Dialog[None]):
    """F1: the words about this screen, then its keys, with what each does. The keys that
    scroll scroll whichever of the two has the focus (Tab goes from one to the other); it
    opens on the words when they are cut off (a screen's long help at 80x24), so Down, PgDn
    and End read them to the end at once; the hint says so."""

    HELP = (
        "This help: the words about where you are, then its keys. Up and Down, PgUp and PgDn, "
        "Home and End scroll; Tab goes between the words and the keys. Esc or F1 closes it."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "cancel", "Close", id="help.close", tooltip="Close the help")
    ]

    BOX = "dialog help"
    AUTO_FOCUS = "#keys"  # the words instead when they are cut off (see on_resize)
    laid_out = False
    key_lines = 0
    """The key table's lines (a row whose "More" wraps takes more than one)."""

    def __init__(
        self, title: str, rows: list[tuple[str, str, str]], about: str, *, closing: str = CLOSE
    ) -> None:
        """``closing``: the last line, how to leave the help (over a box: back to it)."""
        super().__init__(title)
        self.rows = rows
        self.about = about
        self.closing = closing
        self.hint = self.hint_for(words=False)

    def hint_for(self, *, words: bool) -> Text:
        """The hint with the focus on the words (``words``) or on the keys."""
        part, other = ("words", "keys") if words else ("keys", "words")
        return Text(HELP_SCROLLS.format(part=part, other=other) + "\n" + self.closing)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="about"):
            yield Static(Text(self.about), classes="body")
        table = KeyTable(cursor_type="row", id="keys")
        table.add_columns("Key", "Does", "More")
        room = self.more_width()
        self.key_lines = 0
        for key, description, tooltip in self.rows:
            more = "\n".join(textwrap.wrap(tooltip, room)) if len(tooltip) > room else tooltip
            height = more.count("\n") + 1
            self.key_lines += height
            table.add_row(Text(key, style="bold"), Text(description), Text(more), height=height)
        yield table

    def scanned(self, payload: str) -> bool:
        """A booking's QR code scanned while this help is over a box that takes scans (check
        in): the help closes and the box has it, as it would have without the help."""
        stack = self.app.screen_stack
        beneath = stack[-2] if len(stack) > 1 else None
        handler = getattr(beneath, "scanned", None) if isinstance(beneath, Dialog) else None
        if handler is None:
            return False  # over a screen: its scan waits until the help closes
        self.dismiss(None)
        return bool(handler(payload))

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
        keys = min(self.key_lines + 1, 16)  # the table's most (its max-height), wrapped rows too
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
