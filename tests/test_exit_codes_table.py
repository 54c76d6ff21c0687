"""The exit codes the README's table gives, for the cases the seventh trial found otherwise:
`demo` over a real office is 6 (demo over work), `history generate` onto an existing file 2 (a
new file's path that exists), `db restore` of a file that is not there 5 (not found, as `import
calls` of one), a malformed OSS_DESK_BUSY_TIMEOUT 2 (as OSS_DESK_NOW), a global option given
twice 2. Each one line on stderr: the variable's case from a real process, end to end; the others
from the same entry point in the test's process (tests/cli_here.py), which answers alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from .cli_here import run_cli_here
from .conftest import run_cli_process


def _one_line(stderr: str) -> None:
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr


def test_demo_over_a_real_office_is_6(db_path: Path) -> None:
    for extra in ((), ("--reset",)):
        done = run_cli_here("--db", str(db_path), "demo", "--no-app", *extra)
        assert done.returncode == 6, done.stderr
        _one_line(done.stderr)
        assert "holds a real site, so the demo will not replace it" in done.stderr


def test_history_onto_an_existing_file_is_2(db_path: Path) -> None:
    done = run_cli_here("--db", str(db_path), "history", "generate", "--years", "1")
    assert done.returncode == 2, done.stderr
    _one_line(done.stderr)
    assert "exists already: history goes into a new database" in done.stderr


def test_restoring_a_file_that_is_not_there_is_5_like_importing_one(
    db_path: Path, tmp_path: Path
) -> None:
    env = {"OSS_DESK_DB": str(db_path)}
    missing = tmp_path / "nonexistent.sqlite"
    done = run_cli_here("db", "restore", str(missing), "--yes", env=env)
    assert (done.returncode, done.stderr) == (5, f"oss-desk: {missing}: no such backup file\n")
    calls = run_cli_here("import", "calls", str(tmp_path / "nonexistent.csv"), env=env)
    assert calls.returncode == 5, calls.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("OSS_DESK_BUSY_TIMEOUT", "abc"), ("OSS_DESK_NOW", "yesterday")]
)
def test_a_malformed_run_time_variable_is_2(db_path: Path, name: str, value: str) -> None:
    done = run_cli_process("queue", env={"OSS_DESK_DB": str(db_path), name: value})
    assert done.returncode == 2, done.stderr
    _one_line(done.stderr)
    assert name in done.stderr


def test_a_global_option_given_twice_is_refused(db_path: Path) -> None:
    for args in (
        ("--user", "tl", "--user", "mg", "queue"),
        ("--db", str(db_path), "--db=" + str(db_path), "queue"),
    ):
        done = run_cli_here(*args, env={"OSS_DESK_DB": str(db_path)})
        assert done.returncode == 2, (args, done.stderr)
        _one_line(done.stderr)
        assert "is given more than once: give it once" in done.stderr
    once = run_cli_here("--user", "tl", "queue", env={"OSS_DESK_DB": str(db_path)})
    assert once.returncode == 0, once.stderr


def test_reports_with_nobody_to_send_to_are_the_tables_configuration_problem() -> None:
    """Busy-counter trial: `report send daily` with nobody to send to exited 1, which the table
    keeps for a failed check (`doctor`). It is a configuration problem: the table's 3."""
    from oss_desk.services.mailed_reports import NoRecipient

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("| exit | meaning |", 1)[1].split("\n\n", 1)[0]
    rows = dict(line.strip("| ").split(" | ", 1) for line in table.splitlines()[2:])
    assert NoRecipient.exit_code == 3
    assert "`report send` with nobody to send reports to" in rows["3"]
    assert "report" not in rows["1"]
