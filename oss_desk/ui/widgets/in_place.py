"""Updating a text widget in place: a repaint of its own lines when its height stays, a layout
of the screen only when it changes (the desk's timers and the "now called" panel)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.css.scalar import Unit
from textual.widgets import Static


def in_place(static: Static, content: Text | str) -> None:
    """Update ``static``, laying the screen out again only when its height changes (the timer
    ticks, the "now called" panel after call next): a repaint in place is a small frame, a
    layout of the whole screen is several times larger."""
    if _same(static.content, content):
        return  # nothing to repaint (the title, an empty line, a timer in the same minute)
    static.update(content, layout=False)
    width = static.content_size.width
    if not width:
        static.refresh(layout=True)
        return
    height = unwrapped_height(content, width)
    if height is None:
        height = static.get_content_height(static.size, static.size, width)
    least = static.styles.min_height  # a box kept at least this high never shrinks below it
    if least is not None and least.unit is Unit.CELLS:
        height = max(height, int(least.value) - static.styles.gutter.height)
    if height != static.content_size.height:
        static.refresh(layout=True)


def unwrapped_height(content: Text | str, width: int) -> int | None:
    """The lines ``content`` takes at ``width`` when none of its lines needs wrapping (each
    fits): one per line, as Textual would wrap it, without wrapping it (the "now called" panel
    asks this in the frame after call next). None: it would be wrapped, or it is not plain
    lines of text: ask Textual."""
    if not isinstance(content, Text):
        return None
    plain = content.plain
    if not plain or plain.endswith("\n") or "\t" in plain:
        return None
    lines = plain.split("\n")
    return len(lines) if all(cell_len(line) <= width for line in lines) else None


def _same(shown: object, content: Text | str) -> bool:
    if isinstance(shown, Text) and isinstance(content, Text):
        return (shown.plain, shown.style, shown.spans) == (
            content.plain,
            content.style,
            content.spans,
        )
    return isinstance(shown, str) and shown == content
