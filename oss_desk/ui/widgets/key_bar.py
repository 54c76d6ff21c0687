"""Every key of the current screen, wrapped over as many lines as it needs (at most three).

Textual's Footer is one scrolling line; at a front desk every action must be visible at once.
Keys that do not apply right now are dimmed (``check_action`` returning None); when every key
does not fit in three lines (the adviser desk at 80 columns), the dimmed ones step aside for
the keys that do something now (F1 lists them all, and pressing one says why it does nothing),
and when even those do not fit, the keys that show another screen share one item.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from rich.text import Text
from textual.binding import Binding
from textual.dom import DOMNode
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Static

from oss_desk.ui.faults import guard, guarded

MAX_LINES = 3
KEPT = frozenset({"help"})
"""The app's keys that keep their place when the bar is short of room."""


@runtime_checkable
class SaysKeys(Protocol):
    """A screen whose key says what it does now (Z: "Log in" or "Log out", by the desk)."""

    def key_words(self, action: str, description: str) -> str: ...


def key_words(node: DOMNode, binding: Binding) -> str:
    """What ``binding`` of ``node`` (a screen) does now, as the key bar and F1 say it."""
    if isinstance(node, SaysKeys):
        return node.key_words(binding.action, binding.description)
    return binding.description


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

    def items(self, enabled_only: bool = False, group_screens: bool = False) -> list[Text]:
        """The keys as shown: each key and its words; with ``group_screens`` the keys that show
        another screen are one item, "f2 f4 f5 f6 ^f Screens" (F1 names each), and the app's
        other keys but Help (contrast, the resident's view) step aside for the screen's own
        (F1 and ^p list them)."""
        key_style = f"bold {self.app.theme_variables.get('accent', 'yellow')}"
        found: list[Text] = []
        seen: set[str] = set()
        screens: Text | None = None
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or not binding.description or binding.action in seen:
                continue
            if enabled_only and not active.enabled:
                continue
            seen.add(binding.action)
            if group_screens and active.node is self.app and binding.action not in KEPT:
                if not binding.action.startswith("switch_mode("):
                    continue
                if screens is None:
                    screens = Text()
                    found.append(screens)
                else:
                    screens.append(" ")
                screens.append(self.app.get_key_display(binding), style=key_style)
                continue
            item = Text()
            item.append(
                self.app.get_key_display(binding), style=key_style if active.enabled else "dim"
            )
            words = key_words(active.node, binding)
            item.append(" " + words, style="" if active.enabled else "dim")
            found.append(item)
        palette = Text()
        palette.append("^p", style=key_style)
        palette.append(" All actions")
        found.append(palette)
        if screens is not None:
            screens.append(" Screens")
        return found

    def show_keys(self) -> None:
        """Lay the keys out in lines, never splitting a key from its words; the keys that do
        something now only, when all of them need more than three lines; and then the keys
        that show another screen as one item, when even those need more (an adviser serving
        a resident at 80 columns)."""
        width = max(20, self.size.width - 2)
        lines = self.lay_out(self.items(), width)
        if len(lines) > MAX_LINES:
            lines = self.lay_out(self.items(enabled_only=True), width)
        if len(lines) > MAX_LINES:
            lines = self.lay_out(self.items(enabled_only=True, group_screens=True), width)
        shown, keys = self.content, Text("\n").join(lines)
        if isinstance(shown, Text) and (shown.plain, shown.spans) == (keys.plain, keys.spans):
            return  # the same keys (most snapshots change none): nothing to draw again
        # as many lines as before: a repaint in place, not a layout of the whole screen
        same_height = isinstance(shown, Text) and shown.plain.count("\n") == len(lines) - 1
        self.update(keys, layout=not same_height)

    @staticmethod
    def lay_out(items: list[Text], width: int) -> list[Text]:
        lines: list[Text] = [Text()]
        for item in items:
            line = lines[-1]
            needed = len(item) + (2 if line else 0)
            if line and len(line) + needed > width:
                lines.append(Text())
                line = lines[-1]
            if line:
                line.append("  ")
            line.append_text(item)
        return lines
