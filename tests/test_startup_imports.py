"""Start-up pays only for what a command needs: a command's modules are imported when it runs,
and the large packages of other commands never are (read from ``python -X importtime``, which
names every module a process imported; not a timing).

If one of these fails, a module-level import has brought a large package (or another command's
code) onto every command's start-up: import it where it is used instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from oss_desk.cli import COMMANDS, cli

from .conftest import ROOT, make_db

# Never imported by a command that does not use them (the desk app, the worker, appointments,
# charts, calendars, bank holidays; sqlite-utils only when a migration runs).
DENIED = (
    "sqlite_utils",
    "textual",
    "rich",
    "textual_plotext",
    "plotext",
    "icalendar",
    "holidays",
    "oss_desk.ui",
    "oss_desk.worker",
    "oss_desk.devtools",
    "oss_desk.services.appointments",
)


def imported(*args: str, env: dict[str, str] | None = None) -> list[str]:
    """Every module a fresh process imported while running ``args`` (``python -X importtime``)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = [
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
    assert "click" in names, "python -X importtime printed nothing we could read"
    return names


def denied(names: list[str]) -> list[str]:
    return sorted(
        {n for n in names for d in DENIED if n == d or n.startswith(d + ".")},
    )


def test_importing_the_command_line_imports_no_command() -> None:
    names = imported("-c", "import oss_desk.cli")
    assert denied(names) == []
    ours = {n for n in names if n.startswith("oss_desk.")}
    # Neither the settings, nor the services, nor the storage: only the command line itself.
    assert not {n for n in ours if n.split(".")[1] in ("services", "storage", "config")}
    assert "pydantic" not in names and "sqlite_utils" not in names


@pytest.mark.parametrize(
    "command",
    [
        ["queue"],
        ["ticket", "issue", "--service", "C"],
        ["ticket", "call-next", "--desk", "desk-1"],
        ["desks", "list"],
        ["report", "daily"],
    ],
    ids=" ".join,
)
def test_a_command_imports_nothing_on_the_deny_list(command: list[str], tmp_path: Path) -> None:
    db = make_db(tmp_path)
    env = {"OSS_DESK_DB": str(db)}
    if "call-next" in command:
        # The demo office: nobody is logged in to a desk, so call next is told to call anyway.
        env["OSS_DESK_QUEUE__STAFFED_DESKS_ONLY"] = "false"
    names = imported("-m", "oss_desk", *command, env=env)
    assert denied(names) == []
    assert "oss_desk.services.session" in names  # it did run against the office
    # The settings library (and asyncio, which it imports) only when a setting is in the
    # environment; OSS_DESK_DB is a path, not a setting.
    assert ("pydantic_settings" in names) == ("call-next" in command)


def test_the_deny_list_would_catch_a_command_that_uses_them(tmp_path: Path) -> None:
    """The check can fail: a command that needs appointments does import them."""
    db = make_db(tmp_path)
    names = imported("-m", "oss_desk", "appointment", "list", env={"OSS_DESK_DB": str(db)})
    assert "oss_desk.services.appointments" in denied(names)


def test_help_still_lists_every_command() -> None:
    """Lazy loading keeps ``--help`` whole: every command, in order, with its summary."""
    with click.Context(cli) as ctx:
        listed = cli.list_commands(ctx)
        assert listed == list(COMMANDS)
        text = cli.get_help(ctx)
    for name in listed:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert f"  {name} " in text
        summary = command.get_short_help_str(limit=30).rstrip(".")
        assert summary[:20] in " ".join(text.split()), name
