"""The wheel carries the schema and the data files, and works without the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (found,) = out.glob("oss_desk-*.whl")
    return found


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    schema = sorted(p.name for p in (ROOT / "schema").glob("[0-9]*.sql"))
    for name in schema:
        assert f"oss_desk/_schema/{name}" in names
    assert "oss_desk/data/demo-site.toml" in names
    assert "oss_desk/data/texts/cy.toml" in names  # the Welsh wording
    for page in ("screen.html", "screen.js", "screen.css", "phone.html", "phone.js"):
        assert f"oss_desk/screen/static/{page}" in names  # the waiting-room screen's own files
    assert "oss_desk/py.typed" in names
    assert not any(n.startswith("tests/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "oss-desk = oss_desk.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_runs_without_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "OSS_DESK_DB": str(tmp_path / "db.sqlite")}
    env.pop("OSS_DESK_CONFIG", None)
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import oss_desk, oss_desk.storage.migrations as m; "
            "print(oss_desk.__file__); print(m.schema_dir())",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.splitlines()
    assert where[0].startswith(str(target))
    assert where[1].startswith(str(target))
    result = subprocess.run(
        [sys.executable, "-m", "oss_desk", "init", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    latest = sorted((ROOT / "schema").glob("[0-9]*.sql"))[-1].stem
    assert f"(schema {latest})" in result.stdout
