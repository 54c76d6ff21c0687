"""A restore over a database whose codes cannot be read (a `db backup --method vacuum` copy put
over the live file: the old WAL laid over the copy reads as malformed) never restarts the day's
numbering from the backup silently: it refuses until the operator gives the last code on paper
(``--last-code C003``) or a margin to skip ahead by (``--skip-ahead N``), and says which it used.
A real worker process running while the copy is put over the database, and real files; the
commands run through the CLI's entry point in the test's process (tests/cli_here.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .cli_here import run_cli_here
from .conftest import make_db, site_toml
from .test_worker_restored_under import _worker


def code_of(env: dict[str, str]) -> str:
    """The code ``ticket issue`` gives out now."""
    issued = run_cli_here("ticket", "issue", "--service", "C", "--no-print", "--json", env=env)
    assert issued.returncode == 0, issued.stderr
    return str(json.loads(issued.stdout)["code"])


def _overwritten_by_a_vacuum_copy(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """C001 before the backup, C002 and C003 after it on paper, then the copy put over."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    worker = _worker(db, tmp_path / "worker.log")
    try:
        assert code_of(env) == "C001"
        backup = tmp_path / "bk5.db"
        made = run_cli_here("db", "backup", "--to", str(backup), "--method", "vacuum", env=env)
        assert made.returncode == 0, made.stderr
        assert [code_of(env), code_of(env)] == ["C002", "C003"]
        shutil.copyfile(backup, db)  # `cp bk5.db o.db`: the old WAL stays beside it
        assert worker.wait(30) == 4  # the worker stops, as designed
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert Path(f"{db}-wal").stat().st_size > 0
    return env, backup


def test_codes_not_known_refuse_until_the_last_code_on_paper_is_given(tmp_path: Path) -> None:
    env, backup = _overwritten_by_a_vacuum_copy(tmp_path)
    refused = run_cli_here("db", "restore", str(backup), "--yes", env=env)
    assert refused.returncode == 6, (refused.stdout, refused.stderr)
    (line,) = refused.stderr.strip().splitlines()
    assert "the codes it gave out today are not known" in line, line
    assert "--last-code" in line and "--skip-ahead" in line and "nothing was restored" in line
    # Its old WAL, read on its own, still shows C003: said, as a floor, not as the whole.
    assert "(its WAL still shows C003 given out today; a later one may be on paper)" in line
    assert "Traceback" not in refused.stderr
    bad = run_cli_here("db", "restore", str(backup), "--yes", "--last-code", "C", env=env)
    assert bad.returncode == 2 and "--last-code" in bad.stderr, bad.stderr

    done = run_cli_here("db", "restore", str(backup), "--yes", "--last-code", "c3", env=env)
    assert done.returncode == 0, done.stderr
    assert (
        "The replaced database could not be read: what it recorded after the backup is not known."
    ) in done.stdout.splitlines(), done.stdout
    said = [line for line in done.stdout.splitlines() if "--last-code" in line]
    assert said and "C003" in said[0] and "carries on after" in said[0], done.stdout
    assert "print jobs" not in done.stdout  # the backup holds none to print
    assert code_of(env) == "C004"  # not C002: C002 and C003 are on paper
    assert run_cli_here("db", "check", env=env).returncode == 0


def test_codes_not_known_skip_ahead_by_a_stated_margin(tmp_path: Path) -> None:
    env, backup = _overwritten_by_a_vacuum_copy(tmp_path)
    done = run_cli_here(
        "db", "restore", str(backup), "--yes", "--skip-ahead", "50", "--json", env=env
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["newer_events"] is None and data["codes_known"] is False
    assert data["skipped_ahead"] == 50 and "C051" in data["last_codes"], data
    assert code_of(env) == "C052"  # the backup's C001, 50 skipped
    # Every service of the day skips ahead, not only those the backup had given out.
    issued = run_cli_here("ticket", "issue", "--service", "W", "--no-print", "--json", env=env)
    assert json.loads(issued.stdout)["code"] == "W051"


@pytest.mark.parametrize("option", [("--skip-ahead", "-1"), ("--last-code", "C000")])
def test_a_bad_margin_or_code_is_one_line(tmp_path: Path, option: tuple[str, str]) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    backup = tmp_path / "b.db"
    assert run_cli_here("db", "backup", "--to", str(backup), env=env).returncode == 0
    bad = run_cli_here("db", "restore", str(backup), "--yes", *option, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr, bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_what_the_old_wal_shows_is_a_floor_whatever_the_operator_says(tmp_path: Path) -> None:
    env, backup = _overwritten_by_a_vacuum_copy(tmp_path)
    done = run_cli_here("db", "restore", str(backup), "--yes", "--skip-ahead", "0", env=env)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stdout.splitlines() if line.startswith("Numbering at ")]
    assert said and "after C003" in said[0] and "the old WAL, which still showed C003" in said[0]
    assert code_of(env) == "C004"  # --skip-ahead 0 said nothing went out: the WAL knew better


def test_a_backup_copied_over_with_no_wal_beside_it_is_no_record_of_the_codes(
    tmp_path: Path,
) -> None:
    """review 21: `cp bk.db o.db` with nothing running (no WAL left beside it): the file reads
    well but holds only the backup's numbering; the restore took those as the office's codes
    and gave C002 and C003 out again. It now waits for the last code on paper, as for a file
    that cannot be read."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    assert code_of(env) == "C001"
    backup = tmp_path / "bk.db"
    made = run_cli_here("db", "backup", "--to", str(backup), "--method", "vacuum", env=env)
    assert made.returncode == 0, made.stderr
    assert [code_of(env), code_of(env)] == ["C002", "C003"]
    shutil.copyfile(backup, db)
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    refused = run_cli_here("db", "restore", str(backup), "--yes", env=env)
    assert refused.returncode == 6, (refused.stdout, refused.stderr)
    (line,) = refused.stderr.strip().splitlines()
    assert "is a backup's copy put in place by hand" in line, line
    assert "the codes it gave out today are not known" in line and "--last-code" in line
    twice = ("--last-code", "C3", "--last-code", "C2")
    doubled = run_cli_here("db", "restore", str(backup), "--yes", *twice, env=env)
    assert doubled.returncode == 2, (doubled.stdout, doubled.stderr)
    assert "service C given twice" in doubled.stderr and len(doubled.stderr.splitlines()) == 1
    done = run_cli_here("db", "restore", str(backup), "--yes", "--last-code", "C3", env=env)
    assert done.returncode == 0, done.stderr
    assert code_of(env) == "C004"  # not C002: C002 and C003 are on paper
