"""The desk app's modes (meet-and-greet, the adviser desk, the team leader, appointments,
reports, follow-ups): their titles, the permission that opens each, the module of each one's
screen, and the app's own keys (F1 help, F2-F6 and Ctrl+F for the modes, ...)."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

from textual.actions import parse
from textual.app import App
from textual.binding import Binding, BindingType
from textual.driver import Driver

from oss_desk.domain.access import Action
from oss_desk.ui.keys import Keys

MODE_TITLES = {
    "greet": "Meet and greet",
    "desk": "Adviser desk",
    "leader": "Team leader",
    "appointments": "Appointments",
    "reports": "Reports",
    "followups": "Follow-ups",
}
MODE_NEEDS = {
    "greet": Action.ISSUE_TICKET,
    "desk": Action.CALL_NEXT,
    "leader": Action.VIEW_REPORTS,
    "appointments": Action.VIEW_APPOINTMENTS,
    "reports": Action.VIEW_REPORTS,
    # Every role may record a comment, compliment or complaint; each sees the kinds it may.
    "followups": Action.RECORD_FEEDBACK,
}
"""The permission that opens each mode: a person sees only the modes of their role."""

SCREENS_BY_MODE: dict[str, str] = {
    "greet": "oss_desk.ui.screens.greet:GreetScreen",
    "desk": "oss_desk.ui.screens.adviser:AdviserScreen",
    "leader": "oss_desk.ui.screens.leader:LeaderScreen",
    "appointments": "oss_desk.ui.screens.appointments:AppointmentsScreen",
    "reports": "oss_desk.ui.screens.reports:ReportsScreen",
    "followups": "oss_desk.ui.screens.followups:FollowupsScreen",
}
"""Each mode's screen (``module:class``), built with this app as its
:class:`~oss_desk.ui.context.DeskContext`. A mode's module is imported when the mode is
first shown: the first frame pays only for the first screen."""

_key = Keys("app")


def _mode(key: str, mode: str, description: str, what: str) -> Binding:
    """A key that shows a mode's screen (``app.mode_greet``...); its tooltip is the mode's title
    and what is done there."""
    tooltip = f"{MODE_TITLES[mode]}: {what}"
    return _key(key, f"switch_mode('{mode}')", description, tooltip, id=f"mode_{mode}")


APP_BINDINGS: list[BindingType] = [
    _key("f1", "help", "Help", "The keys of this screen"),
    _mode("f2", "greet", "Greet", "issue tickets, quick visits"),
    _mode("f3", "desk", "Desk", "call, serve, finish"),
    _mode("f4", "leader", "Leader", "desks, queue by service, today's figures"),
    _mode(
        "f5",
        "appointments",
        "Appointments",
        "the day and week grid; book, and check in, move or cancel as your role allows",
    ),
    _mode("f6", "reports", "Reports", "the daily footfall summary and the monthly dashboard"),
    _mode(
        "ctrl+f",
        "followups",
        "Follow-ups",
        "ring-backs, referrals, comments, compliments and complaints",
    ),
    _key(
        "ctrl+t",
        "toggle_contrast",
        "Contrast",
        "Switch between the council theme and high contrast",
        id="contrast",
    ),
    _key(
        "f10",
        "resident_view",
        "Resident's view",
        "The printed ticket and the board, as the resident sees them",
    ),
    _key("ctrl+q", "quit", "Quit", "Close the desk app", show=False, priority=True),
]
"""The app's own keys, on every screen."""

BROWSER_TAKES = ("Ctrl+N", "Ctrl+T", "Ctrl+W")
"""Keys a browser keeps for itself (a new window, a new tab, closing the tab): a page is never
told of them, so a browser desk (``oss-desk serve``) binds nothing to them."""

BROWSER_KEYS: dict[str, str] = {"app.contrast": "ctrl+l", "greet.text": "ctrl+o"}
"""A browser desk's keys instead of those a browser takes (Ctrl+T, Ctrl+N), by binding id (a
keymap: a council's own, in the settings, goes over it). Ctrl and a letter that no key of the
desk nor of a text box takes, and that a browser lets the page have (Ctrl+L, the address bar,
and Ctrl+O, open a file, are not kept: the terminal takes them); not Alt and a letter (the desk
reads ESC and a key as the two keys: :mod:`oss_desk.ui.reader`), nor F11 and F12 (browsers')."""


def web_driver(driver_class: type[Driver]) -> bool:
    """Whether the app runs in a browser (textual-serve's web driver), known as soon as Textual
    has chosen the driver (``TEXTUAL_DRIVER``), before it is built (``App.is_web``)."""
    web = sys.modules.get("textual.drivers.web_driver")  # imported where chosen, only there
    return web is not None and issubclass(driver_class, web.WebDriver)


def key_of(app: App[Any], binding: Binding) -> str:
    """The key of ``binding`` as this desk takes it: the keymap's first, where it remaps the
    key (a council's keymap, a browser desk's own keys), else its own."""
    remapped = app._keymap.get(binding.id or "")  # Textual keeps the keymap only there
    return remapped.split(",")[0].strip() if remapped else binding.key


def keys_of(app: App[Any], binding: Binding) -> list[str]:
    """Every key ``binding`` is taken on at this desk (the keymap's, where it remaps it)."""
    remapped = app._keymap.get(binding.id or "")
    return [k.strip() for k in (remapped or binding.key).split(",")]


def key_shown(app: App[Any], binding: Binding) -> str:
    """The key of ``binding`` as this desk takes it, as the key bar shows it ("^o")."""
    return app.get_key_display(replace(binding, key=key_of(app, binding)))


def key_said(key: str) -> str:
    """A key in a sentence: "Ctrl+O", "F8"."""
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in key.split("+"))


def browser_keys_said(instead: list[tuple[str, str]]) -> str:
    """F1's line in a browser desk: the keys the browser takes, and those to use instead
    (``instead``: the key, as :func:`key_said` says it, and what it does, of this screen's)."""
    use = "".join(f"{key} ({words}), " for key, words in instead)
    taken = ", ".join(BROWSER_TAKES[:-1]) + f" and {BROWSER_TAKES[-1]}"
    return f"In a browser, {taken} belong to the browser: use {use}or Ctrl+P."


async def switch_first(app: App[Any], key: str) -> bool:
    """Show the screen of a screen-switch key as soon as the app reads the key, before the key
    typed after it; True when it did. Textual hands a key that is not a priority key through
    the screen's widgets first, and a key the screen takes first (the adviser's) was read
    meanwhile and run on the screen being left (F2 then N at once: call next after F2). Not
    while a dialog is open, nor where a widget nearer the focus binds the key itself. The
    notices of the screen left are cleared: they were about it, not the next one.

    A key the app does not bind to a screen switch (with no keymap but a browser desk's own
    keys, which switch no screen, the app's own bindings say it) is let go at once: working out
    the binding chain takes about as long again as Textual's own look for a priority binding,
    which does it once more."""
    if len(app.screen_stack) > 1:
        return False
    remapped = {k: v for k, v in app._keymap.items() if BROWSER_KEYS.get(k) != v}
    if not remapped and not any(
        parse(b.action)[1] == "switch_mode" for b in app._bindings.key_to_bindings.get(key, ())
    ):
        return False  # not a screen-switch key (most keys): the binding chain is not worked out
    for node, bindings in app.screen._modal_binding_chain:
        for binding in bindings.key_to_bindings.get(key, ()):
            if node is not app:
                return False
            _, action, mode = parse(binding.action)
            if action == "switch_mode" and app.check_action(action, mode):
                # What the screen left said was about it: its notices go with it (they
                # stayed over the next screen for seconds, over a chart's labels).
                app.clear_notifications()
                await app.switch_mode(str(mode[0]))  # its screen ready for the next key
                return True
    return False
