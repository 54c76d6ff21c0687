"""python-escpos writes its capability cache (a pickle) in place on its first import: a second
process importing it meanwhile read it half written and failed with EOFError (found by a
fresh-clone test run, two test workers collecting at once; in an office, two printer lanes or a
worker and a desk app standing in, started together). One process imports it at a time, and a
cache left half written by a killed process is made again."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

READS = (
    "from oss_desk.hardware.escpos_compat import known_profiles; "
    "assert 'TM-T88V' in known_profiles()"
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    return env


def test_processes_importing_python_escpos_at_once_each_read_its_whole_cache(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    started = [
        subprocess.Popen([sys.executable, "-c", READS], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for proc in started:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err


@pytest.mark.parametrize("preset", [False, True], ids=["own-folder", "folder-preset"])
def test_a_cache_left_half_written_is_made_again(tmp_path: Path, preset: bool) -> None:
    """Also where ``ESCPOS_CAPABILITIES_PICKLE_DIR`` was set already: python-escpos writes its
    cache there, and the recovery looked in oss-desk's own folder (the EOFError came back at
    every start)."""
    env = _env(tmp_path)
    cache = tmp_path / "cache" / "oss-desk" / "escpos"
    if preset:
        cache = tmp_path / "elsewhere"
        env["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
    cache.mkdir(parents=True)
    half = cache / f"{platform.python_version()}.capabilities.pickle"
    half.write_bytes(b"")  # newer than the capability file: python-escpos would read it
    done = subprocess.run(
        [sys.executable, "-c", READS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert half.stat().st_size > 0
