"""Ctrl+P: every action of the current screen, and every service by name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from oss_desk.ui.faults import guard
from oss_desk.ui.keys import DeskBinding
from oss_desk.ui.modes import BROWSER_KEYS, browser_keys_said, key_of, key_said, key_shown
from oss_desk.ui.names import Names
from oss_desk.ui.widgets.key_bar import key_words


def _parsed(binding: Binding) -> tuple[str, tuple[str, ...]]:
    """The action's name as its screen's ``check_action`` is asked it (a widget's key for its
    screen, ``screen.issue``, is the screen's ``issue``) and its arguments."""
    action, _, raw = binding.action.partition("(")
    args = tuple(p.strip().strip("'\"") for p in raw.rstrip(")").split(",") if p)
    return action.removeprefix("screen."), args


def screen_bindings(screen: DOMNode) -> list[Binding]:
    """The keys of ``screen``: those its widgets add for it (the service list's Enter issues
    the ticket; first, as on the key bar), then its own, each once."""
    found: list[Binding] = []
    for widget in screen.query("*"):
        for binding in getattr(type(widget), "BINDINGS", []):
            if isinstance(binding, DeskBinding) and binding not in found:
                found.append(binding)
    own = getattr(screen, "BINDINGS", [])
    return found + [b for b in own if isinstance(b, Binding) and b not in found]


def offered(target: DOMNode, binding: Binding) -> bool:
    """Whether ``binding`` is offered to this person (``check_action`` False: never, for their
    role; None is "not now", still listed)."""
    return target.check_action(*_parsed(binding)) is not False


async def run_from_palette(target: DOMNode, binding: Binding) -> None:
    """Run a key's action chosen in the palette; one that does nothing now (its key dimmed)
    says why, as pressing the key does, rather than nothing."""
    action, params = _parsed(binding)
    if target.check_action(action, params) is None:
        why = getattr(target, "disabled_reason", None)
        if callable(why):
            target.app.notify(str(why(action, binding.description)), markup=False, timeout=4)
        return
    if action == "switch_mode":  # as its key does: the screen left takes its notices along
        target.app.clear_notifications()
    await target.app.run_action(binding.action, target)


def help_keys(app: App[Any], screen: DOMNode) -> list[tuple[Binding, str, str, str]]:
    """F1: (the binding, its key, what it does, more) for each key of ``screen`` and of the app
    this person's role is offered."""
    rows = []
    seen = set()
    own = screen_bindings(screen)
    for binding in own + list(app.BINDINGS):
        if not isinstance(binding, Binding) or binding.id in seen:
            continue
        seen.add(binding.id)
        target = screen if binding in own else app
        if not offered(target, binding):
            continue  # not this person's role
        words = key_words(target, binding)
        rows.append((binding, key_shown(app, binding), words, binding.tooltip))
    return rows


def help_screen(app: App[Any], mode_title: str) -> Screen[None]:
    """F1: the keys of the current screen and the app, and the screen's own words; in a browser
    desk, how to close it and the keys used there instead of those the browser keeps."""
    from oss_desk.ui.dialogs import HelpScreen
    from oss_desk.ui.dialogs.blocked import closing_help
    from oss_desk.ui.screens.base import help_of

    screen = app.screen
    keys = help_keys(app, screen)
    about = closing_help(help_of(screen), served=app.is_web)
    if app.is_web:
        instead = [
            (key_said(key_of(app, b)), words) for b, _, words, _ in keys if b.id in BROWSER_KEYS
        ]
        about = f"{about}\n{browser_keys_said(instead)}"
    rows = [(key, words, more) for _, key, words, more in keys]
    return HelpScreen(f"Keys: {mode_title}", rows, about)


@runtime_checkable
class PaletteHost(Protocol):
    """What the palette needs of the app (it never imports the app)."""

    @property
    def names(self) -> Names: ...

    def may_use(self, mode: str) -> bool: ...

    def refuse_mode(self, mode: str) -> None: ...


class DeskCommands(Provider):
    def _entries(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        if not isinstance(app, PaletteHost):
            return []
        screen = app.screen_stack[0] if app.screen_stack else app.screen
        for candidate in reversed(app.screen_stack):
            if hasattr(candidate, "AREA"):
                screen = candidate
                break
        entries: list[tuple[str, str, Callable[[], Any]]] = []
        own = screen_bindings(screen)
        for binding in [*own, *app.BINDINGS]:
            if not isinstance(binding, Binding) or binding.id in (None, "app.quit"):
                continue
            target = screen if binding in own else app
            if not offered(target, binding):
                continue  # the role may not
            name = f"{binding.description} ({key_shown(app, binding)})"
            entries.append((name, binding.tooltip, partial(run_from_palette, target, binding)))
        for code, service in app.names.services.items() if app.may_use("greet") else ():
            entries.append(
                (
                    f"Issue ticket: {service.name} ({code})",
                    f"Issue a {service.label} ticket at meet-and-greet",
                    guard(app, partial(issue_from_palette, app, code)),
                )
            )
        return entries

    async def discover(self) -> AsyncIterator[DiscoveryHit]:
        for name, help_text, run in self._entries():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for name, help_text, run in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)


async def issue_from_palette(app: App[Any], code: str) -> None:
    """Go to meet-and-greet with the service chosen, and issue its ticket."""
    from oss_desk.ui.screens.greet import GreetScreen

    if not isinstance(app, PaletteHost):
        return
    if not app.may_use("greet"):
        app.refuse_mode("greet")
        return
    await app.switch_mode("greet")
    screen = app.screen
    if isinstance(screen, GreetScreen):
        screen.issue_service(code)
