"""A compositor that, for a partial update, asks only the widgets on the changed lines for them.

Textual (8.2, pinned) picks the widgets to render for a partial update by their *clip* (the
container they sit in: for most widgets the whole screen), not by where they are, and then
renders each picked widget whole. So the frame that shows a newly called ticket (three small
widgets changed, nine lines of the screen) fetches every line of all thirteen widgets on the
screen (the key bar, the queue table, the bars...), runs each line through the line filters,
and throws away all but the nine changed lines: most of the frame's cost.

Here, in a partial update, a widget is rendered only when its visible part (its region within
its clip) meets the update, and only on the update's lines. Along a line nothing is cut (a
line is cut into pieces where the widgets' edges are, so each widget still gives whole lines).
What reaches the terminal is the same: a partial update writes only the changed spans, and a
widget that gives a piece of a changed span is on that line and meets the update. A full
update (the first frame, a resize, a screenshot) is Textual's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip


class LineCompositor(Compositor):
    """:class:`Compositor` whose partial updates render only the widgets on the changed
    lines, and only those lines of them."""

    _partial = False

    def render_partial_update(self) -> ChopsUpdate | None:
        self._partial = True
        try:
            return super().render_partial_update()
        finally:
            self._partial = False

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if not self._partial or not crop:
            yield from super()._get_renders(crop)
            return
        top, bottom = crop.y, crop.bottom
        for widget, (region, clip) in self.visible_widgets.items():
            x, y, width, height = visible = region.intersection(clip)
            if not width or not height or not crop.overlaps(visible):
                continue
            first, last = max(y, top), min(y + height, bottom)
            shown = Region(x, first, width, last - first)  # whole lines: the update's lines
            yield region, shown, widget.render_lines(shown.translate((-region.x, -region.y)))
