"""Every key of the current screen, wrapped over as many lines as it needs (two at 80 columns).

Textual's Footer is one scrolling line; at a front desk every action must be visible at once.
Keys that do not apply right now are dimmed (``check_action`` returning None).
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { height: auto; max-height: 3; background: $panel; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._changed)
        self.call_after_refresh(self.show_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _changed(self, screen: Screen[object]) -> None:
        self.show_keys()

    def show_keys(self) -> None:
        text = Text()
        seen: set[str] = set()
        key_style = f"bold {self.app.theme_variables.get('accent', 'yellow')}"
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            if text:
                text.append("  ")
            key = self.app.get_key_display(binding)
            text.append(key, style=key_style if active.enabled else "dim")
            text.append(" ")
            text.append(binding.description, style="" if active.enabled else "dim")
        text.append("  ")
        text.append("^p", style=key_style)
        text.append(" All actions")
        self.update(text)
