"""Every key of the current screen, wrapped over as many lines as it needs (two at 80 columns).

Textual's Footer is one scrolling line; at a front desk every action must be visible at once.
Keys that do not apply right now are dimmed (``check_action`` returning None).
"""

from __future__ import annotations

from rich.text import Text
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Static

from oss_desk.ui.faults import guard, guarded


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { height: auto; max-height: 3; background: $panel; padding: 0 1; }
    """

    @guarded
    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self.call_after_refresh(guard(self, self.show_keys))

    @guarded
    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    @guarded
    def on_resize(self, event: Resize) -> None:
        self.show_keys()

    @guarded
    def _changed(self, screen: Screen[object]) -> None:
        self.show_keys()

    def items(self) -> list[Text]:
        key_style = f"bold {self.app.theme_variables.get('accent', 'yellow')}"
        found: list[Text] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            item = Text()
            item.append(
                self.app.get_key_display(binding), style=key_style if active.enabled else "dim"
            )
            item.append(" " + binding.description, style="" if active.enabled else "dim")
            found.append(item)
        palette = Text()
        palette.append("^p", style=key_style)
        palette.append(" All actions")
        found.append(palette)
        return found

    def show_keys(self) -> None:
        """Lay the keys out in lines, never splitting a key from its words."""
        width = max(20, self.size.width - 2)
        lines: list[Text] = [Text()]
        for item in self.items():
            line = lines[-1]
            needed = len(item) + (2 if line else 0)
            if line and len(line) + needed > width:
                lines.append(Text())
                line = lines[-1]
            if line:
                line.append("  ")
            line.append_text(item)
        self.update(Text("\n").join(lines))
