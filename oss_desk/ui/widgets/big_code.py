"""A ticket code in large block letters, legible across the desk (``C012``)."""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.text import Text
from textual.reactive import reactive
from textual.strip import Strip
from textual.style import Style

from oss_desk.ui.faults import guarded
from oss_desk.ui.widgets.plain_lines import PlainLines

# A 5 x 5 block font for the characters of ticket codes.
_FONT = {
    "0": ["█████", "█   █", "█   █", "█   █", "█████"],
    "1": ["  █  ", " ██  ", "  █  ", "  █  ", " ███ "],
    "2": ["█████", "    █", "█████", "█    ", "█████"],
    "3": ["█████", "    █", " ████", "    █", "█████"],
    "4": ["█   █", "█   █", "█████", "    █", "    █"],
    "5": ["█████", "█    ", "█████", "    █", "█████"],
    "6": ["█████", "█    ", "█████", "█   █", "█████"],
    "7": ["█████", "    █", "   █ ", "  █  ", "  █  "],
    "8": ["█████", "█   █", "█████", "█   █", "█████"],
    "9": ["█████", "█   █", "█████", "    █", "█████"],
    "A": [" ███ ", "█   █", "█████", "█   █", "█   █"],
    "B": ["████ ", "█   █", "████ ", "█   █", "████ "],
    "C": [" ████", "█    ", "█    ", "█    ", " ████"],
    "D": ["████ ", "█   █", "█   █", "█   █", "████ "],
    "E": ["█████", "█    ", "████ ", "█    ", "█████"],
    "F": ["█████", "█    ", "████ ", "█    ", "█    "],
    "G": [" ████", "█    ", "█  ██", "█   █", " ████"],
    "H": ["█   █", "█   █", "█████", "█   █", "█   █"],
    "I": ["█████", "  █  ", "  █  ", "  █  ", "█████"],
    "J": ["█████", "   █ ", "   █ ", "█  █ ", " ██  "],
    "K": ["█   █", "█  █ ", "███  ", "█  █ ", "█   █"],
    "L": ["█    ", "█    ", "█    ", "█    ", "█████"],
    "M": ["█   █", "██ ██", "█ █ █", "█   █", "█   █"],
    "N": ["█   █", "██  █", "█ █ █", "█  ██", "█   █"],
    "O": [" ███ ", "█   █", "█   █", "█   █", " ███ "],
    "P": ["████ ", "█   █", "████ ", "█    ", "█    "],
    "Q": [" ███ ", "█   █", "█ █ █", "█  █ ", " ██ █"],
    "R": ["████ ", "█   █", "████ ", "█  █ ", "█   █"],
    "S": [" ████", "█    ", " ███ ", "    █", "████ "],
    "T": ["█████", "  █  ", "  █  ", "  █  ", "  █  "],
    "U": ["█   █", "█   █", "█   █", "█   █", " ███ "],
    "V": ["█   █", "█   █", "█   █", " █ █ ", "  █  "],
    "W": ["█   █", "█   █", "█ █ █", "██ ██", "█   █"],
    "X": ["█   █", " █ █ ", "  █  ", " █ █ ", "█   █"],
    "Y": ["█   █", " █ █ ", "  █  ", "  █  ", "  █  "],
    "Z": ["█████", "   █ ", "  █  ", " █   ", "█████"],
    "-": ["     ", "     ", " ███ ", "     ", "     "],
    " ": ["     ", "     ", "     ", "     ", "     "],
}
HEIGHT = 5
BOLD = Style(bold=True)


def code_width(text: str) -> int:
    """The columns ``text`` takes in block letters (at least 8)."""
    return max(len(_big(text)[0]), 8)


def render_big(text: str) -> list[str]:
    """Five lines of block letters; characters without a glyph are left out."""
    return list(_big(text))


@lru_cache(maxsize=64)
def _big(text: str) -> tuple[str, ...]:
    """:func:`render_big`, worked out once a code (the widget asks it for each of its lines,
    and twice more as its code changes)."""
    glyphs = [_FONT[ch] for ch in text.upper() if ch in _FONT]
    if not glyphs:
        return ("",) * HEIGHT
    return tuple(" ".join(g[row] for g in glyphs) for row in range(HEIGHT))


class BigCode(PlainLines):
    """Shows ``code`` in block letters (or plain text when there is no room)."""

    DEFAULT_CSS = """
    BigCode { height: 5; width: auto; min-width: 8; }
    """
    code: reactive[str] = reactive("")
    """Repainted in place; laid out again only when its width changes (a frame that lays out
    the whole screen costs several times one that repaints the code)."""

    @guarded
    def watch_code(self, old: str, new: str) -> None:
        if code_width(old) != code_width(new):
            self.refresh(layout=True)

    def render(self) -> Text:
        lines = render_big(self.code)
        if self.size.width and len(lines[0]) > self.size.width:
            return Text(self.code, style="bold")
        return Text("\n".join(lines), style="bold")

    def render_line(self, y: int) -> Strip:
        """One line of the block letters, built directly: the same strip Textual makes of
        :meth:`render`'s text (each line one bold segment in the widget's colours), without
        turning the text into content and wrapping it first (about half the cost of the frame
        that shows a newly called code). Anything else (no room, a selection) goes Textual's
        way."""
        lines = _big(self.code)
        width = self.size.width
        if y >= HEIGHT or len(lines[0]) != width or self.text_selection is not None:
            return super().render_line(y)
        style = (self.visual_style + BOLD).rich_style_with_offset(0, y)
        return Strip([Segment(lines[y], style)], width)

    def get_content_width(self, container: object, viewport: object) -> int:
        return code_width(self.code)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return HEIGHT
