"""A restore does not print again what printed after the backup: print jobs the backup still
holds as waiting, which the replaced database records as printed (or otherwise delivered), keep
that outcome in the restored database, and the restore says how many. Real worker processes
and a printer on a loopback socket; the other commands run through the CLI's entry point in the
test's process (tests/cli_here.py)."""

from __future__ import annotations

import json
from pathlib import Path

from .cli_here import run_cli_here
from .conftest import make_db, rows, run_cli_process, site_toml
from .hardware.fakes import FakePrinter


def test_jobs_printed_after_the_backup_are_not_printed_again(tmp_path: Path) -> None:
    printer = FakePrinter()
    try:
        db = make_db(tmp_path, site_toml(greet_printer=printer.url))
        env = {"OSS_DESK_DB": str(db)}
        for _ in range(3):  # no worker running: the jobs wait
            issued = run_cli_here("ticket", "issue", "--service", "C", "--desk", "greet-1", env=env)
            assert issued.returncode == 0, issued.stderr
        backup = tmp_path / "bk1.db"
        assert run_cli_here("db", "backup", "--to", str(backup), env=env).returncode == 0
        ran = run_cli_process("worker", "--once", env=env)
        assert ran.returncode == 0, ran.stderr
        assert len(printer.jobs) == 3
        assert rows(db, "SELECT status FROM print_jobs") == [("done",)] * 3

        restored = run_cli_here("db", "restore", str(backup), "--yes", env=env)
        assert restored.returncode == 0, restored.stderr
        assert (
            "3 print jobs that printed after the backup were settled: they are not printed again."
        ) in restored.stdout.splitlines(), restored.stdout
        assert (
            rows(db, "SELECT status, printed_at IS NOT NULL FROM print_jobs") == [("done", 1)] * 3
        )
        again = run_cli_process("worker", "--once", env=env)
        assert again.returncode == 0, again.stderr
        assert len(printer.jobs) == 3  # nothing printed twice

        # The JSON says the same; a job the backup already had printed is not counted.
        data = run_cli_here("db", "restore", str(backup), "--yes", "--json", env=env)
        assert json.loads(data.stdout)["print_jobs_settled"] == {"printed": 3}
        fresh = tmp_path / "bk2.db"
        assert run_cli_here("db", "backup", "--to", str(fresh), env=env).returncode == 0
        data = run_cli_here("db", "restore", str(fresh), "--yes", "--json", env=env)
        assert json.loads(data.stdout)["print_jobs_settled"] == {}
    finally:
        printer.close()


def test_of_a_database_that_cannot_be_read_it_says_the_jobs_may_print_again(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, site_toml(greet_printer="capture://" + str(tmp_path / "cap.bin")))
    env = {"OSS_DESK_DB": str(db)}
    issued = run_cli_here("ticket", "issue", "--service", "C", "--desk", "greet-1", env=env)
    assert issued.returncode == 0, issued.stderr
    backup = tmp_path / "bk1.db"
    assert run_cli_here("db", "backup", "--to", str(backup), env=env).returncode == 0
    db.write_bytes(b"not a database at all" * 100)
    restored = run_cli_here(
        "db", "restore", str(backup), "--yes", "--skip-ahead", "5", "--json", env=env
    )
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["print_jobs_settled"] is None
    db.write_bytes(b"not a database at all" * 100)
    said = run_cli_here("db", "restore", str(backup), "--yes", "--skip-ahead", "5", env=env)
    assert (
        "Whether the backup's waiting print jobs printed after it is not known: the worker "
        "prints them as new (check the printers' last tickets)."
    ) in said.stdout.splitlines(), said.stdout
