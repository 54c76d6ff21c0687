"""The fields the dialogs are made of: a list picked by letter, tick lists and boxes whose state
shows by a mark (not colour alone), radio buttons whose dot shows only when chosen, and a form's
line (its label, then its field)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Key
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widget import Widget
from textual.widgets import Checkbox, OptionList, RadioButton, SelectionList, Static
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import Option, OptionDoesNotExist

from oss_desk.ui.faults import guarded


def field_row(label: str, *fields: Widget) -> Horizontal:
    """One line of a form: its label, then its field (and what is shown beside it)."""
    return Horizontal(Static(label, classes="label"), *fields, classes="field")


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
