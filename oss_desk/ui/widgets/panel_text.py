"""A panel's lines of text, drawn directly when each fits: the "now called" panel's lines."""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.widgets import Static

from oss_desk.ui.widgets.plain_lines import PlainLines

PLAIN_RULES = {
    "text_align": "left",
    "text_overflow": "fold",
    "text_wrap": "wrap",
    "line_pad": 0,
    "content_align_horizontal": "left",
    "content_align_vertical": "top",
}
"""The rules (at their defaults) under which a line that fits is drawn as it is."""


class PanelText(Static, PlainLines):
    """A ``Static`` whose lines, when each fits the widget's width (nothing to wrap), are drawn
    one by one from the content's own styled pieces: the very strips Textual makes of them, as
    ``tests/ui/test_now_called_panel.py`` checks, without dividing and formatting the whole
    text first (about a third of the frame that shows a newly called ticket). Anything else (a
    line to wrap, a tab, a link, a selection, other alignment) goes Textual's way."""

    _direct: tuple[object, int, Style, list[Strip] | None] | None = None

    def render_line(self, y: int) -> Strip:
        strips = self._direct_strips()
        if strips is None:
            return super().render_line(y)
        if y < len(strips):
            return strips[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def _direct_strips(self) -> list[Strip] | None:
        visual = self.visual
        width = self.size.width
        style = self.visual_style
        known = self._direct
        if known is not None and known[0] is visual and known[1] == width and known[2] == style:
            return known[3]
        strips = self._draw(visual, width, style)
        self._direct = (visual, width, style, strips)
        return strips

    def _draw(self, visual: object, width: int, style: Style) -> list[Strip] | None:
        if not isinstance(visual, Content) or not width or self.text_selection is not None:
            return None
        if "\t" in visual.plain or any(not isinstance(s.style, Style) for s in visual.spans):
            return None
        rules = self.styles
        if any(rules.get_rule(name, default) != default for name, default in PLAIN_RULES.items()):
            return None
        lines = visual.split(allow_blank=True)[: self.size.height]
        if any(line.cell_length > width for line in lines):
            return None
        strips = []
        for y, line in enumerate(lines):
            segments = []
            x = 0
            for text, text_style in line.render(style, end=""):
                rich_style = (style + text_style).rich_style_with_offset(x, y)
                if rich_style._meta is not None and "@click" in rich_style.meta:
                    return None  # a link: Textual styles it
                segments.append(Segment(text, rich_style))
                x += len(text)
            strips.append(Strip(segments, line.cell_length))
        return strips
