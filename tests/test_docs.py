"""The README stays true: the Quick start, every command, every setting."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from oss_desk import config, config_followups
from oss_desk.cli import cli
from oss_desk.config import Settings, load_file

from .conftest import ROOT, make_db, site_toml

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_lines() -> list[str]:
    assert README.startswith("## Quick start\n"), "README.md must start with ## Quick start"
    block = re.search(r"## Quick start\n\n```\n(.*?)```", README, re.S)
    assert block, "the Quick start section must hold one fenced block"
    return block.group(1).strip("\n").split("\n")


def test_quick_start_is_two_commands() -> None:
    lines = quick_start_lines()
    assert len(lines) == 2
    assert "oss-desk demo" in lines[0]
    assert "pytest" in lines[1]


def test_no_file_holds_a_merge_conflict_s_markers() -> None:
    """A merge left the README with both sides of a conflict and its markers (two rows for one
    command); every test that reads the README still passed. No text file of the project holds
    them (read from the checkout's folders, so that it needs no git)."""
    marked = re.compile(rb"^(<<<<<<< |>>>>>>> |=======$)", re.M)
    texts = {".py", ".md", ".toml", ".txt", ".cfg", ".ini", ".sh", ".css", ".html", ".service"}
    skipped = {".venv", ".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in skipped and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder, name)
            if path.suffix in texts and marked.search(path.read_bytes()):
                found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_ci_runs_the_readme_test_line() -> None:
    script = ROOT / ".ci" / "run"
    assert script.stat().st_mode & 0o111, ".ci/run must be executable"
    shown = subprocess.run(
        [
            "bash",
            "-c",
            "awk '/^## Quick start/{q=1} q && /^```/{n++; next} q && n==1 {print}' "
            "README.md | sed -n 2p",
        ],  # the same extraction .ci/run uses
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout.strip()
    assert shown == quick_start_lines()[1]
    assert "README.md" in script.read_text()


def _commands(group: click.Group, path: str) -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{path} {name}")
        else:
            found.append(f"{path} {name}")
    return found


@pytest.mark.parametrize("command", _commands(cli, "oss-desk"))
def test_every_command_is_in_the_readme(command: str) -> None:
    *group, last = command.split()
    if " ".join(group) == "oss-desk desks":  # documented together: `open ID` / `break ID` / ...
        assert f"`{last} ID`" in README or f"`oss-desk desks {last}" in README
        return
    assert f"`{command}" in README, f"{command} is not documented in README.md"


def _settings(model: type, prefix: str) -> list[str]:
    names = []
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            names += _settings(annotation, f"{prefix}{name}.")
        elif prefix or name not in ("sites", "services", "desks", "staff"):
            names.append(prefix + name)
    return names


SETTINGS = (
    _settings(Settings, "")
    + _settings(config.SiteConfig, "[[sites]] ")
    + _settings(config.ServiceConfig, "[[services]] ")
    + _settings(config.DeskConfig, "[[desks]] ")
    + _settings(config.StaffConfig, "[[staff]] ")
    + _settings(config_followups.BackOfficeConfig, "[[followups.back_offices]] ")
    + _settings(config_followups.CategoryConfig, "[[followups.categories]] ")
)


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_setting_is_in_the_readme(setting: str) -> None:
    assert f"| `{setting}` |" in README, f"{setting} is not in the README's configuration table"


def test_readme_lists_no_setting_that_does_not_exist() -> None:
    listed = re.findall(
        r"^\| `([^`]+)` \|", README.split("## Configuration")[1].split("## ")[0], re.M
    )
    assert sorted(set(listed) - set(SETTINGS)) == []


def test_example_configuration_loads() -> None:
    settings = load_file(ROOT / "deploy" / "config.example.toml")
    assert settings.sites[0].id == "town-hall"


def _bindings() -> dict[str, str]:
    from textual.binding import Binding

    from oss_desk.ui.app import OssDeskApp
    from oss_desk.ui.dialogs.appointments import BookingDialog, ChecklistDialog
    from oss_desk.ui.dialogs.followups import FollowupDialog, RespondDialog
    from oss_desk.ui.dialogs.scorecard import FinishDialog, MobileDialog, RatingPrompt
    from oss_desk.ui.screens.adviser import AdviserScreen
    from oss_desk.ui.screens.appointments import AppointmentsScreen
    from oss_desk.ui.screens.followups import FollowupsScreen
    from oss_desk.ui.screens.greet import GreetScreen, ServiceList
    from oss_desk.ui.screens.leader import LeaderScreen
    from oss_desk.ui.screens.reports import ReportsScreen

    found = {}
    for cls in (
        OssDeskApp,
        ServiceList,
        GreetScreen,
        AdviserScreen,
        LeaderScreen,
        AppointmentsScreen,
        ReportsScreen,
        BookingDialog,
        ChecklistDialog,
        FollowupsScreen,
        FollowupDialog,
        RespondDialog,
        FinishDialog,
        RatingPrompt,
        MobileDialog,
    ):
        for binding in cls.BINDINGS:
            if isinstance(binding, Binding) and binding.id:
                assert binding.tooltip, f"{binding.id} has no tooltip"
                assert binding.id not in found, f"binding id {binding.id} is used twice"
                found[binding.id] = binding.key
    return found


def test_keys_table_matches_the_bindings() -> None:
    table = README.split("### Keys")[1].split("\n## ")[0]
    documented = {
        m.group(2): m.group(1)
        for m in re.finditer(r"^\| [^|]+ \| `([^`]+)` \| [^|]+ \| `([a-z_.]+)` \|$", table, re.M)
    }
    assert documented == _bindings()


def test_the_scripted_morning_runs_as_written(tmp_path: Path) -> None:
    """README's "a morning scripted from the shell", command by command on a new database: each
    succeeds, and prints what its comment says (up to a "...")."""
    block = re.search(
        r"### Example: a morning scripted from the shell\n\n```\n(.*?)```", README, re.S
    )
    assert block, "the scripted morning example is gone"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(HOME=str(tmp_path), OSS_DESK_NOW="2026-11-23T09:30:00Z")
    ran = 0
    for line in block.group(1).strip("\n").split("\n"):
        command, _, said = (part.strip() for part in line.partition("#"))
        if command.startswith("export OSS_DESK_DB="):
            env["OSS_DESK_DB"] = str(tmp_path / "office.sqlite")
            continue
        words = shlex.split(command)
        assert words[0] == "oss-desk", line
        done = subprocess.run(
            [sys.executable, "-m", "oss_desk", *words[1:]],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"{command}: {done.stderr.strip()}"
        assert done.stdout.startswith(said.partition("...")[0]), (command, done.stdout)
        ran += 1
    assert ran >= 6


def test_the_training_copy_recipe_runs_as_written(tmp_path: Path) -> None:
    """README's training copy, line by line in a shell at the office's folder (a new admin's
    trial: `init` on the backup itself was refused, exit 2, "is a backup ... copy it to a path
    of its own"); the edit its comment asks for is made to training.toml as said."""
    block = README.split("Try it on a training copy", 1)[1].split("```\n", 2)[1]
    # Run here, in a folder of its own: the recipe names files relative to where it is run.
    assert not re.search(r"(^|\s)/", block), "the recipe names a path outside its folder"
    (tmp_path / "site.toml").write_text(
        site_toml(extra='\n[[staff]]\nid = "ben"\nname = "Ben Adviser"\n'), encoding="utf-8"
    )
    make_db(tmp_path, (tmp_path / "site.toml").read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(
        HOME=str(tmp_path),
        OSS_DESK_DB=str(tmp_path / "office.sqlite"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    ran = []
    for line in block.strip("\n").split("\n"):
        command = line.partition("#")[0].strip()
        if not command:
            continue
        done = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{command}: {done.stderr.strip()}"
        if command == "cp site.toml training.toml":  # the edit the comment asks for
            toml = (tmp_path / "training.toml").read_text(encoding="utf-8")
            assert 'user_override = "anyone"' in toml  # the test's office has it already
        ran.append(command.split()[0])
    assert ran == ["oss-desk", "cp", "cp", "oss-desk", "OSS_DESK_NOW=2026-12-07T08:55:00Z"]
    assert (tmp_path / "training.sqlite").exists()
