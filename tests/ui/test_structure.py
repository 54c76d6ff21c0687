"""The desk app's structure rules, checked on the code itself.

- every worker runs with ``exit_on_error=False`` (its fault goes to the funnel, not Textual's exit);
- every message handler, watcher, action and snapshot callback of the desk's screens, dialogs and
  widgets is ``guarded`` (a fault in it goes to the funnel);
- no handler calls its base class's handler (Textual already calls each class's own);
- no module of the desk app is over 600 lines.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from rich.text import Text
from textual.binding import Binding
from textual.message_pump import MessagePump

import oss_desk.ui
from oss_desk.ui.faults import GUARDED

UI = Path(oss_desk.ui.__file__).parent
MODULES = sorted(UI.rglob("*.py"))
FUNNEL_ENTRIES = {"on_worker_state_changed"}
"""Handlers that are the funnel's own entry (they hand the worker's error to it)."""


def _ui_module_names() -> list[str]:
    return [
        name
        for _, name, _ in pkgutil.walk_packages(oss_desk.ui.__path__, prefix="oss_desk.ui.")
        if name != "oss_desk.ui.serve"  # the browser front end: no Textual nodes
    ]


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(UI)))
def test_every_worker_reports_to_the_funnel(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in ("work", "run_worker"):
            continue
        flag = _keyword(node, "exit_on_error")
        assert isinstance(flag, ast.Constant) and flag.value is False, (
            f"{path.name}:{node.lineno}: {name}(...) without exit_on_error=False"
        )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(UI)))
def test_every_worker_is_handed_a_function(path: Path) -> None:
    """``run_worker(fn(...))`` makes the coroutine at once: a worker cancelled before it runs
    (the desk quitting) leaves it never awaited. A worker is handed a function (a name, a
    ``partial`` or ``guard``), which makes its coroutine only when it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "run_worker" or not node.args:
            continue
        work = node.args[0]
        maker = getattr(work.func, "id", "") if isinstance(work, ast.Call) else ""
        assert not isinstance(work, ast.Call) or maker in ("partial", "guard"), (
            f"{path.name}:{node.lineno}: run_worker() handed a coroutine, not a function"
        )


def _handlers(cls: type) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name, value in vars(cls).items():
        if not inspect.isfunction(value) or name in FUNNEL_ENTRIES:
            continue
        is_handler = name.startswith(("on_", "_on_", "watch_", "action_")) or getattr(
            value, "_textual_on", None
        )
        if is_handler:
            found.append((name, value))
    return found


def test_every_handler_of_the_desk_is_guarded() -> None:
    checked = 0
    unguarded = []
    for module_name in _ui_module_names():
        module = importlib.import_module(module_name)
        for cls in vars(module).values():
            if not (
                inspect.isclass(cls)
                and issubclass(cls, MessagePump)
                and cls.__module__ == module_name
            ):
                continue
            for name, handler in _handlers(cls):
                checked += 1
                if not getattr(handler, GUARDED, False):
                    unguarded.append(f"{module_name}.{cls.__name__}.{name}")
    assert unguarded == []
    assert checked >= 25  # the walk really saw the screens, dialogs and widgets


NOT_MESSAGE_PUMPS = {"AppService"}
"""Base classes whose ``on_`` methods are plain callbacks, not Textual handlers."""


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(UI)))
def test_no_handler_calls_its_base_handler(path: Path) -> None:
    """Textual dispatches a message to the handler of every class in the node's MRO, so a
    handler that also calls ``super().on_mount()`` runs the base handler twice (the adviser
    and follow-ups screens asked for two refreshes on every resume)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # textual-serve's AppService is no message pump: its on_data and the like are plain
    # callbacks, which a subclass extends by calling the base one.
    plain = [
        c
        for c in ast.walk(tree)
        if isinstance(c, ast.ClassDef)
        and any(getattr(b, "id", "") in NOT_MESSAGE_PUMPS for b in c.bases)
    ]
    skipped = {id(n) for c in plain for n in ast.walk(c)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        is_super = isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "super"
        name = node.func.attr
        assert not (is_super and name.startswith("on_") and name != "on_event"), (
            f"{path.name}:{node.lineno}: super().{name}() (Textual calls the base handler too)"
        )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(UI)))
def test_no_desk_module_is_over_600_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= 600, f"{path.name} has {lines} lines: split it"


def _subclasses(cls: type[object]) -> list[type[object]]:
    found: list[type[object]] = []
    sub: type[object]
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_dialog_says_what_it_is_for_on_f1() -> None:
    """F1 in a dialog shows its ``HELP`` (the app's own F1 does not reach a dialog): every
    dialog class, however it is found (the walk imports every module of the desk app), says in
    its own words what it is for and how to leave it (Esc), and binds F1 (the dialogs' base
    does). A new dialog without them fails. The key hold is no dialog: it shows nothing, and a
    key typed while it is up (F1 too) goes to the next dialog."""
    from textual.screen import ModalScreen

    from oss_desk.ui.dialogs import Dialog
    from oss_desk.ui.dialogs.hold import KeyHold

    for module_name in _ui_module_names():
        importlib.import_module(module_name)
    dialogs = {
        cls
        for cls in _subclasses(ModalScreen)
        if cls.__module__.startswith("oss_desk.") and cls not in (Dialog, KeyHold)
    }
    wordless = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for cls in dialogs
        if "Esc" not in vars(cls).get("HELP", "")  # its own, not one inherited
        or not any(
            isinstance(b, Binding) and b.key == "f1"
            for c in cls.__mro__
            for b in vars(c).get("BINDINGS", [])
        )
    )
    assert wordless == []
    assert len(dialogs) >= 20  # the walk really found the dialogs


def test_every_dialog_s_hint_line_says_f1_help() -> None:
    """Every box's last line (its keys) says "F1: help", as every box has its F1 (note 14: they
    said Esc and their own keys only). A box draws it through ``keys_line``: the dialogs' base
    does, and so must any box that draws itself (a new one that does not fails here). The key
    hold is no dialog: it shows nothing."""
    from textual.screen import ModalScreen

    from oss_desk.ui.dialogs import HELP_HINT, keys_line
    from oss_desk.ui.dialogs.hold import KeyHold

    for module_name in _ui_module_names():
        importlib.import_module(module_name)
    boxes = [
        cls
        for cls in _subclasses(ModalScreen)
        if cls.__module__.startswith("oss_desk.") and cls is not KeyHold
    ]
    drawn_otherwise = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for cls in boxes
        if "keys_line(" not in inspect.getsource(cls.compose)  # type: ignore[attr-defined]
    )
    assert drawn_otherwise == []
    assert len(boxes) >= 20  # the walk really found the dialogs
    # What keys_line makes of each shape of hint: F1 on the keys' line, once.
    assert keys_line("y: yes · n or Esc: no") == f"y: yes · n or Esc: no · {HELP_HINT}"
    assert keys_line("") == f"Esc: back · {HELP_HINT}"
    assert keys_line("Keys · Esc: back\nA line of words") == (
        f"Keys · Esc: back · {HELP_HINT}\nA line of words"
    )
    assert keys_line(Text("Words first\nEnter: save · Esc: back")).plain == (  # type: ignore[union-attr]
        f"Words first\nEnter: save · Esc: back · {HELP_HINT}"
    )
    closing = "Esc or F1: back to the box"  # the help's own: F1 closes it there
    assert keys_line(closing) == closing


def test_a_question_asked_on_the_desk_with_its_own_f1_says_f1_help_too() -> None:
    """A question asked on the desk rather than in a box (the resident's rating) has its own F1
    (``help_key``) and says "F1: help" on its keys as a box does: the rating prompt did not
    (a review). Any widget that binds F1 itself draws its keys through ``keys_line``."""
    from textual.screen import Screen
    from textual.widget import Widget

    from oss_desk.ui.dialogs.scorecard import RatingPrompt

    for module_name in _ui_module_names():
        importlib.import_module(module_name)
    own_f1 = [
        cls
        for cls in _subclasses(Widget)
        if cls.__module__.startswith("oss_desk.")
        and not issubclass(cls, Screen)
        and any(isinstance(b, Binding) and b.key == "f1" for b in vars(cls).get("BINDINGS", []))
    ]
    assert RatingPrompt in own_f1  # the walk really found it
    silent = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for cls in own_f1
        if "keys_line(" not in inspect.getsource(cls)
    )
    assert silent == []
