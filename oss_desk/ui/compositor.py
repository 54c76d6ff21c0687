"""Drawing a small change quickly: a compositor that, for a partial update, asks only the
widgets on the changed lines for them (:class:`LineCompositor`), and :func:`draw_now`.

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

Both lean on Textual's private compositor and screen members (Textual is pinned; the tests in
``tests/ui/test_compositor.py`` compare every frame with Textual's own).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


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


def draw_now(screen: Screen[Any]) -> bool:
    """Draw the widgets repainted so far, now, as Textual's next frame would draw them (its
    update timer's work: the same update of the compositor and the same frame), without the
    round of messages that leads there (each changed widget tells the screen on its own idle,
    then the screen waits for its idle and its timer): the frame that shows a desk's own
    change a quarter of a millisecond sooner. Nothing is drawn (False) when the screen is not
    on top, inside a batch of updates, or when a widget's size may change (Textual's frame
    lays the screen out first)."""
    app = screen.app
    if app._batch_count or screen is not app.screen or not screen.is_current:
        return False
    if screen._layout_required or screen._scroll_required:
        return False
    changed: list[Widget] = []
    for widget in screen.walk_children(Widget):
        if widget._layout_required:
            return False
        if widget._repaint_required and widget.display:
            changed.append(widget)
    if not changed:
        return False
    for widget in changed:
        widget._repaint_required = False  # repainted here: it need not tell the screen
    screen._compositor.update_widgets({*screen._dirty_widgets, *changed})
    screen._compositor_refresh()
    return True
