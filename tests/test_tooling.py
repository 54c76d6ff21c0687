"""The codebase's own rules, run as part of the test command: lint, types, layering, hygiene."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_ruff_lint() -> None:
    result = _run(str(BIN / "ruff"), "check", "oss_desk", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", "oss_desk", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    """Strict over oss_desk and tests (pyproject.toml). Where no cache of an earlier run is there
    to reuse (a fresh clone, as in CI), none is written: writing it was about a fifth of a cold
    check's CPU (about 35 s -> 28 s, /usr/bin/time over ``mypy`` with and without
    ``--cache-dir=/dev/null``), and the run never reads it back."""
    reuse = (ROOT / ".mypy_cache").is_dir()
    result = _run(str(BIN / "mypy"), *(() if reuse else ("--cache-dir", os.devnull)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers() -> None:
    """import-linter: ui -> services -> storage | hardware -> domain; Textual only in ui."""
    result = _run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1] or " 0 broken" in result.stdout


def test_import_linter_sees_every_module() -> None:
    """A folder without ``__init__.py`` is invisible to import-linter (its graph follows
    packages), so its modules would escape every contract: each module in ``oss_desk`` must be
    in the graph the contracts are checked against."""
    import grimp

    graph = grimp.build_graph("oss_desk", include_external_packages=True, cache_dir=None)
    seen = {m for m in graph.modules if m == "oss_desk" or m.startswith("oss_desk.")}
    package = ROOT / "oss_desk"
    on_disk = set()
    for path in package.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        on_disk.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert on_disk - seen == set(), "modules import-linter cannot see (add an __init__.py)"
    assert len(seen) == len(on_disk)


def _contracts() -> list[dict[str, Any]]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        contracts: list[dict[str, Any]] = tomllib.load(f)["tool"]["importlinter"]["contracts"]
    return contracts


def _top_level() -> set[str]:
    package = ROOT / "oss_desk"
    names = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    names |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    return {f"oss_desk.{n}" for n in names}


def test_every_top_level_module_has_a_place_in_the_layers() -> None:
    """A module named in no layer is checked by no layer: each has its place."""
    layers = next(c for c in _contracts() if c["type"] == "layers" and "containers" not in c)
    placed = {name.strip().strip("()") for layer in layers["layers"] for name in layer.split("|")}
    assert _top_level() - placed == set()


def test_every_headless_module_is_forbidden_textual() -> None:
    """Only the desk app (and the CLI, which opens it lazily) may import Textual."""
    headless = _top_level() - {"oss_desk.ui", "oss_desk.cli", "oss_desk.__main__"}
    forbidden = next(c for c in _contracts() if "textual" in c.get("forbidden_modules", []))
    assert headless - set(forbidden["source_modules"]) == set()


HEADLESS = [
    "oss_desk.domain.models",
    "oss_desk.domain.queue",
    "oss_desk.storage.database",
    "oss_desk.storage.queue",
    "oss_desk.services.queue",
    "oss_desk.services.reports",
    "oss_desk.config",
    "oss_desk.cli",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_modules_do_not_load_textual(module: str) -> None:
    """Import-linter sees only static imports; this catches dynamic ones too."""
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "print(','.join(bad))"
    )
    result = _run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_importing_the_package_has_no_side_effects(tmp_path: Path) -> None:
    code = "import oss_desk, oss_desk.cli, oss_desk.services.queue, oss_desk.storage.database"
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_module_is_over_600_lines() -> None:
    """The structure's own limit (issue 14): a module that grows past it is split first."""
    longer = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "oss_desk").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert longer == {}
