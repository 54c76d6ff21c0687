"""Drawing a small change quickly: a compositor that, for a partial update, asks only the
widgets on the changed lines for them (:class:`LineCompositor`), and :func:`draw_now`.

Textual (8.2, pinned) picks the widgets to render for a partial update by their *clip* (the
container they sit in: for most widgets the whole screen), not by where they are, and then
renders each picked widget whole. So the frame that shows a newly called ticket (three small
widgets changed, nine lines of the screen) fetches every line of all thirteen widgets on the
screen (the key bar, the queue table, the bars...), runs each line through the line filters,
and throws away all but the nine changed lines: most of the frame's cost.

Here, in a partial update, a widget is rendered only when part of the update is seen on it:
the update's regions, less what the widgets in front of it cover (the containers behind the
changed widgets are not asked at all), and only on those lines. Along a line nothing is cut
(a line is cut into pieces where the widgets' edges are, so each widget still gives whole
lines). What reaches the terminal is the same: a partial update writes only the changed
spans, and each piece of them comes from the front-most widget there (Textual does not blend
a widget with what is behind it; the first piece for a place wins), which is exactly a widget
seen in the update. A full update (the first frame, a resize, a screenshot) is Textual's own.

Both lean on Textual's private compositor and screen members (Textual is pinned; the tests in
``tests/ui/test_compositor.py`` compare every frame with Textual's own).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, Compositor
from textual.color import Color
from textual.geometry import Region
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

log = logging.getLogger("oss_desk.ui")


class LineCompositor(Compositor):
    """:class:`Compositor` whose partial updates render only the widgets seen in the update
    (not hidden there by widgets in front of them), and only the update's lines of them."""

    _update: list[Region] | None = None

    def render_partial_update(self) -> ChopsUpdate | None:
        screen = self.size.region
        regions = set(self._dirty_regions)
        self._update = [r for r in (r.intersection(screen) for r in regions) if r]
        try:
            return super().render_partial_update()
        except Exception:  # never a desk lost to a faster frame: Textual's own way instead
            log.exception("partial update drawn Textual's own way after a fault")
            self._update = None
            self._dirty_regions.update(regions)
            return super().render_partial_update()
        finally:
            self._update = None

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        unseen = self._update
        if unseen is None or not crop:
            yield from super()._get_renders(crop)
            return
        for widget, (region, clip) in self.visible_widgets.items():  # front to back
            if not unseen:
                return
            visible = region.intersection(clip)
            seen = [part for part in (r.intersection(visible) for r in unseen) if part]
            if not seen:
                continue  # not in the update, or hidden there by widgets in front of it
            top, bottom = min(r.y for r in seen), max(r.bottom for r in seen)
            shown = Region(visible.x, top, visible.width, bottom - top)  # whole lines
            yield region, shown, widget.render_lines(shown.translate((-region.x, -region.y)))
            unseen = [part for r in unseen for part in _outside(r, visible)]


def _outside(region: Region, cover: Region) -> list[Region]:
    """The parts of ``region`` that ``cover`` leaves uncovered (at most four rectangles)."""
    if not region.overlaps(cover):
        return [region]
    x, y, width, _ = region
    right, bottom = region.right, region.bottom
    top = max(y, cover.y)
    low = min(bottom, cover.bottom)
    parts = [
        Region(x, y, width, top - y),  # above
        Region(x, low, width, bottom - low),  # below
        Region(x, top, max(0, cover.x - x), low - top),  # left, beside it
        Region(cover.right, top, max(0, right - cover.right), low - top),  # right
    ]
    return [part for part in parts if part]


def draw_now(screen: Screen[Any]) -> bool:
    """Draw the widgets repainted so far, now, as Textual's next frame would draw them (its
    update timer's work: the same update of the compositor and the same frame), without the
    round of messages that leads there (each changed widget tells the screen on its own idle,
    then the screen waits for its idle and its timer): the frame that shows a desk's own
    change a quarter of a millisecond sooner. Under a see-through screen with nothing of its
    own (the hold that keeps keys typed between dialogs), through it: the frame the screen on
    top would draw. Nothing is drawn (False) when the screen is not on top (nor alone beneath
    such a screen), inside a batch of updates, or when a widget's size may change (Textual's
    frame lays the screen out first)."""
    app = screen.app
    top = app.screen
    through = screen is not top and not top.children and app._background_screens == [screen]
    if app._batch_count or not (screen is top or through) or not screen.is_current:
        return False
    if top._layout_required or top._scroll_required:
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
    screen._compositor_refresh()  # beneath: marks those regions of the screen on top
    if through:  # the screen on top's next frame, now (its update timer's work)
        top._repaint_required = False
        top._compositor.update_widgets({*top._dirty_widgets, top})
        top._compositor_refresh()
    return True


class TintedOnce(BackgroundScreen):
    """Textual's screen beneath a see-through one (a dialog's dimmed desk), each of its styles
    tinted once: Textual works the colours out again for every piece of every line each time
    the screen on top is drawn whole (opening a box draws it three or four times), though a
    screen has a few dozen styles. The same pieces, in the same styles (Textual's own tint of
    each style: tests/ui/test_compositor.py compares them)."""

    @classmethod
    def process_segments(cls, segments: Iterable[Segment], color: Color) -> Iterable[Segment]:
        for segment in segments:
            text, style, control = segment
            yield segment if control else Segment(text, tinted(style, color), control)


@lru_cache(maxsize=1024)
def tinted(style: Style | None, color: Color) -> Style | None:
    """``style`` as Textual tints it beneath a see-through screen of ``color``."""
    return next(iter(BackgroundScreen.process_segments([Segment(" ", style)], color))).style


def beneath(renderable: RenderableType) -> RenderableType:
    """A see-through screen's background (its :meth:`Screen.render`) with the screen beneath
    it tinted style by style (:class:`TintedOnce`); any other background as it is."""
    if type(renderable) is BackgroundScreen:
        return TintedOnce(renderable.screen, renderable.color)
    return renderable
