"""OSS_DESK_NOW on a live office: said on stderr in one line, and the worker refuses. The commands
run through the CLI's entry point in the test's process (tests/cli_here.py); the worker that runs
on a training office, in a process of its own."""

from __future__ import annotations

from pathlib import Path

from .cli_here import run_cli_here
from .conftest import TRAINING, make_db, run_cli_process, site_toml

NOW = "2026-12-09T09:35:00Z"


def test_simulated_time_on_a_live_office_is_said_and_the_worker_refuses(tmp_path: Path) -> None:
    live = make_db(tmp_path, site_toml().replace(TRAINING, ""), name="live.sqlite")
    env = {"OSS_DESK_DB": str(live), "OSS_DESK_NOW": NOW}
    shown = run_cli_here("queue", env=env)
    assert shown.returncode == 0, shown.stderr
    (line,) = shown.stderr.splitlines()
    assert line.startswith(f"oss-desk: OSS_DESK_NOW={NOW}: acting at that time"), line
    assert "live office" in line
    # Without it, nothing is said.
    plain = run_cli_here("queue", env={"OSS_DESK_DB": str(live)})
    assert plain.returncode == 0 and plain.stderr == "", plain.stderr

    worker = run_cli_here("worker", "--once", env=env)
    assert worker.returncode == 6, worker.stderr
    (line,) = worker.stderr.splitlines()
    assert "the worker refuses" in line, line


def test_a_training_office_keeps_simulated_time_quiet(tmp_path: Path) -> None:
    training = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(training), "OSS_DESK_NOW": NOW}
    shown = run_cli_here("queue", env=env)
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    worker = run_cli_process("worker", "--once", env=env)
    assert worker.returncode == 0 and "OSS_DESK_NOW" not in worker.stderr, worker.stderr
