"""The desk app's wording never mentions command-line options or commands (issue 17, item 7):
its people never type them. Two places hold what the app shows:

- the text of the desk app (``oss_desk/ui``): help, key descriptions and tooltips, dialog
  questions and hints, notifications (every string in its source but docstrings);
- the messages of the errors the services raise, which the app shows as they are: what to add on
  a command line goes in the error's ``cli_hint`` (the command line prints it after the message;
  the app never does).

The browser desks' server (``ui/serve.py``) starts desk processes with options and prints its
own command-line line: it is no screen's wording.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from oss_desk import errors
from oss_desk.errors import OssDeskError, RuleViolation

PACKAGE = Path(errors.__file__).parent
COMMAND_LINE = re.compile(r"(?<![\w-])--[a-z][a-z-]*|`oss-desk\b")
"""An option (``--desk``) or a command line (```oss-desk report```); the product's name in
prose ("not an oss-desk database") is no command line."""
NOT_WORDING = {PACKAGE / "ui" / "serve.py"}
SHELL_ONLY = ("cli", "devtools")
"""Packages whose errors only a shell ever sees."""
SHELL_ONLY_MODULES = {
    "domain/calls.py": "`oss-desk import calls` (its --mapping)",
    "domain/periods.py": "the report commands' period options",
    "services/backups.py": "`oss-desk db backup`, and `init`'s copies",
    "services/dbops.py": "`oss-desk db restore|purge`",
    "services/site.py": "`oss-desk init`",
    "storage/readonly.py": "the read-only commands on a database file (`report --db`)",
}
"""Modules whose errors come only from commands (why, in words)."""
SHELL_ONLY_MESSAGES = (
    "holds no site configuration",
    "has no oss-desk data yet",
    "first (or pass",
    "the demo office is at",
)
"""Opening a database that has no office in it: said before any desk app window exists (the
desk command prints it and exits)."""
FOR_WHOEVER_RESTORES = ("writes nothing more",)
"""The database went away or is damaged: the desk stops on a screen that tells whoever looks
after the server which commands check and restore it (the one place the app names commands,
never options)."""
ERRORS = {
    name
    for name, value in inspect.getmembers(errors, inspect.isclass)
    if issubclass(value, OssDeskError)
}


def _texts(node: ast.AST) -> Iterator[str]:
    """The literal text of a string or f-string expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            yield from _texts(part)
    elif isinstance(node, ast.BinOp):
        yield from _texts(node.left)
        yield from _texts(node.right)


def _docstrings(tree: ast.AST) -> set[int]:
    """Docstrings and the string statements that document attributes: no one sees them."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def app_strings() -> Iterator[tuple[str, str]]:
    """(where, text) of every string the desk app's source holds, docstrings apart."""
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        if path in NOT_WORDING:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in hidden
            ):
                yield f"{path.relative_to(PACKAGE)}:{node.lineno}", node.value


def error_messages() -> Iterator[tuple[str, str]]:
    """(where, text) of the message of every error raised outside the shell-only packages."""
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE)
        if where.parts[0] in SHELL_ONLY or where.as_posix() in SHELL_ONLY_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if isinstance(node.func, ast.Attribute):
                name = node.func.attr
            if name not in ERRORS:
                continue
            message = node.args[0] if node.args else None
            message = next((k.value for k in node.keywords if k.arg == "message"), message)
            texts = list(_texts(message)) if message is not None else []
            allowed = SHELL_ONLY_MESSAGES + FOR_WHOEVER_RESTORES
            if any(phrase in text for phrase in allowed for text in texts):
                continue
            for text in texts:
                yield f"{where}:{node.lineno}", text


def command_lines(found: Iterator[tuple[str, str]]) -> list[str]:
    return [
        f"{where}: {match.group(0)!r} in {text!r}"
        for where, text in found
        for match in COMMAND_LINE.finditer(text)
    ]


def test_the_desk_apps_text_names_no_command_line() -> None:
    assert command_lines(app_strings()) == []


def test_error_messages_keep_the_command_line_in_their_cli_hint() -> None:
    assert command_lines(error_messages()) == []


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scan is no test that cannot fail: it finds an option and a command line."""
    source = 'raise RuleViolation("no printer here (give --print-to)")\nx = "run `oss-desk init`"'
    tree = ast.parse(source)
    texts = [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    found = command_lines(iter(("here", t) for t in texts))
    assert sorted(found) == [
        "here: '--print-to' in 'no printer here (give --print-to)'",
        "here: '`oss-desk' in 'run `oss-desk init`'",
    ]
    assert "RuleViolation" in ERRORS and "OssDeskError" in ERRORS
    assert RuleViolation("a", cli_hint="--desk ID").cli_message == "a (--desk ID)"


@pytest.mark.parametrize(
    "text", ["F7 finds a ticket", "well-known", "C001--C009", "x--y", "not an oss-desk database"]
)
def test_ordinary_words_are_not_command_lines(text: str) -> None:
    assert COMMAND_LINE.search(text) is None
