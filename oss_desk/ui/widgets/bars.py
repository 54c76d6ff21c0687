"""The one-line bars: where and who at the top, desk and device state at the bottom."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import RenderResult
from textual.widgets import Static

if TYPE_CHECKING:
    from oss_desk.services.delivery import StatusPart


class TopBar(Static):
    """Office, area, desk, person and the time."""

    DEFAULT_CSS = """
    TopBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    _parts: tuple[str, str, str, str, str] | None = None

    def show(self, *, site: str, area: str, desk: str, person: str, clock: str) -> None:
        """Say these (laid out for the bar's width when it is drawn: also in the first frame,
        before the bar has a size)."""
        parts = (site, area, desk, person, clock)
        if parts != self._parts:
            self._parts = parts
            self.refresh()

    def render(self) -> RenderResult:
        if self._parts is None:
            return super().render()
        site, area, desk, person, clock = self._parts
        width = max(20, self.size.width - 2)
        parts = [area, desk, person]
        room = width - len(clock) - 1
        middle = "  ·  ".join(parts)
        if len(site) + 5 + len(middle) > room:
            middle = " · ".join(parts)
        text = Text()
        if len(middle) + 3 + 8 <= room:
            site_room = room - len(middle) - 3
            shown_site = site if len(site) <= site_room else site[: site_room - 1] + "…"
            text.append(shown_site, style="bold")
            text.append(f" · {middle}")
        elif len(middle) <= room:  # narrow: who and where matter more than the office's name
            text.append(middle)
        else:
            text.append(site if len(site) <= room else site[: room - 1] + "…", style="bold")
        text.append(" " * max(1, width - len(text) - len(clock)))
        text.append(clock, style="bold")
        return text


class StatusBar(Static):
    """Desk state and device faults: shown here, never blocking the desk. Laid out for the
    bar's width when drawn: every part in full when it fits, else each in a shorter form (the
    parts that are fine first), then without the optional parts; a device's state shows unless
    it is fine and the line has no room for it beside a fault (:func:`fitted`)."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    StatusBar.-fault { background: $warning 40%; }
    """

    _parts: tuple[StatusPart, ...] = ()

    def show(self, parts: Sequence[StatusPart], fault: bool = False) -> None:
        shown = tuple(parts)
        if shown != self._parts:
            self._parts = shown
            self.refresh()
        self.set_class(fault, "-fault")

    def render(self) -> RenderResult:
        return fitted(self._parts, self.size.width)


def _line(parts: Sequence[StatusPart], levels: list[int], gap: str) -> Text:
    text = Text()
    for part, level in zip(parts, levels, strict=True):
        if text:
            text.append(gap)
        text.append(f"{part.label}: ", style="dim")
        text.append(part.forms[level], style="bold")
    return text


def fitted(parts: Sequence[StatusPart], width: int) -> Text:
    """The status line for ``width`` columns: every part in full when it fits; else each in
    its short form (three spaces between parts, then two), then without the optional parts,
    then in the shortest forms, the parts that are fine shortened before a fault (the longest
    first), so a fault keeps its words longest; then the parts that are fine left out, the last
    first, before a fault is cut; cut with "…" only when nothing else fits."""
    text = Text()
    shown: list[StatusPart] = []
    for gap, most, drop in (("   ", 1, False), ("  ", 1, False), ("  ", 1, True), ("  ", 2, True)):
        shown = [p for p in parts if not (drop and p.optional)]
        levels = [0] * len(shown)
        while (text := _line(shown, levels, gap)).cell_len > width:
            shorter = [
                i
                for i, p in enumerate(shown)
                if levels[i] < most and len(p.forms[most]) < len(p.forms[levels[i]])
            ]
            if not shorter:
                break
            longest = max(
                shorter, key=lambda i: (not shown[i].fault, len(shown[i].forms[levels[i]]))
            )
            levels[longest] = next(
                level
                for level in range(levels[longest] + 1, most + 1)
                if len(shown[longest].forms[level]) < len(shown[longest].forms[levels[longest]])
            )
        else:
            return text
    while text.cell_len > width and any(p.fault for p in shown):
        fine = [i for i, p in enumerate(shown) if not p.fault]
        if not fine:
            break
        del shown[fine[-1]]
        text = _line(shown, [2] * len(shown), "  ")
    text.truncate(max(1, width), overflow="ellipsis")
    return text
