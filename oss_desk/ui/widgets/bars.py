"""The one-line bars: where and who at the top, desk and device state at the bottom."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.widgets import Static


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
    """Desk state and device faults: shown here, never blocking the desk."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    StatusBar.-fault { background: $warning 40%; }
    """

    def show(self, parts: list[tuple[str, str]], fault: bool = False) -> None:
        text = Text()
        for i, (label, value) in enumerate(parts):
            if i:
                text.append("   ")
            text.append(f"{label}: ", style="dim")
            text.append(value, style="bold")
        self.update(text)
        self.set_class(fault, "-fault")
