"""A plain widget's lines put together without Textual's styles cache: :class:`PlainLines`."""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

_NO_EDGE = ("", "", "", "")


class PlainLines(Widget):
    """A widget whose lines, when it is plain (no border, outline, padding, hatch, tint, or
    opacity below full, no border title and no hovered link), are put together here as
    Textual's styles cache puts them together (each content line made the content's width in
    the widget's background, then the app's line filters), without the cache's general
    machinery (borders, padding, outlines, its cache of lines): the frame that shows a newly
    called ticket repaints three such widgets (the code and the "now called" lines), about a
    tenth of a millisecond less. Anything else goes Textual's way;
    ``tests/ui/test_now_called_panel.py`` compares the two, whole and cropped."""

    def render_lines(self, crop: Region) -> list[Strip]:
        if not self._plain():
            return super().render_lines(crop)
        base_background, background = self.background_colors
        inner, _ = self._styles_cache.get_inner_outer(base_background, background)
        fill = inner.rich_style
        width = self.region.width
        content_width, content_height = self.content_region.size
        filters = self.get_line_filters()
        strips: list[Strip] = []
        for y in crop.line_range:
            if y < content_height:
                line = self.render_line(y).adjust_cell_length(content_width, fill)
            else:
                line = Strip.blank(content_width, fill)
            strip = line if content_width == width else Strip(line, width)  # as Strip(line, width)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _plain(self) -> bool:
        styles = self.styles
        if self._border_title is not None or self._border_subtitle is not None:
            return False
        if tuple(edge for edge, _ in styles.border) != _NO_EDGE:
            return False
        if tuple(edge for edge, _ in styles.outline) != _NO_EDGE:
            return False
        if any(styles.padding) or styles.text_opacity != 1.0 or self.opacity != 1.0:
            return False
        if styles.tint.a or (styles.has_rule("hatch") and styles.hatch != "none"):
            return False
        if self.auto_links:
            hover = self.hover_style
            if hover._link_id and hover._meta and "@click" in hover.meta:
                return False
        return True
