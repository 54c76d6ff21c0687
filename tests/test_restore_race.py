"""A desk still writing while ``db restore --force`` runs: every ticket the replaced database
committed is carried, and a desk that gets its turn after the swap writes nothing to the old
file. Real processes on real files; the restore is paused at a point of its own work (its own
code still runs) while the other process acts."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from oss_desk.storage import maintenance, replaced

from .conftest import Cli, run_cli_process

BEFORE = "2026-11-23T09:30:00Z"
LATER = "2026-11-23T09:45:00Z"
DURING = "2026-11-23T09:50:00Z"


def _code(cli: Cli, now: str) -> str:
    issued = cli("ticket", "issue", "--service", "C", "--no-print", "--json", now=now)
    assert issued.code == 0, issued.err
    return str(issued.json()["code"])


def _desk_env(db: Path) -> dict[str, str]:
    return {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": DURING}


def _setup(cli: Cli) -> str:
    assert _code(cli, BEFORE) == "C001"
    backup = str(cli("db", "backup", "--json", now=BEFORE).json()["path"])
    assert [_code(cli, LATER), _code(cli, LATER)] == ["C002", "C003"]
    return backup


def test_a_ticket_issued_while_the_restore_stages_its_copy_is_carried(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _setup(cli)
    issued: list[subprocess.CompletedProcess[str]] = []
    real = maintenance.set_journal_mode

    def staging(path: Path, mode: str) -> None:
        real(path, mode)
        # A desk issues a ticket while the copy is being staged (before the swap).
        issued.append(
            run_cli_process(
                "ticket", "issue", "--service", "C", "--no-print", "--json", env=_desk_env(cli.db)
            )
        )

    monkeypatch.setattr(maintenance, "set_journal_mode", staging)
    restored = cli("db", "restore", backup, "--yes", "--force", "--json", now=DURING)
    monkeypatch.setattr(maintenance, "set_journal_mode", real)
    assert restored.code == 0, restored.err
    (desk,) = issued
    assert desk.returncode == 0, desk.stderr
    assert '"code": "C004"' in desk.stdout, desk.stdout
    assert restored.json()["last_codes"] == ["C004"]
    assert _code(cli, DURING) == "C005"  # not C004 again
    assert cli("db", "check", now=DURING).code == 0


def _waiting_for_a_lock(pid: int) -> bool:
    """The kernel's lock table lists ``pid`` as waiting (``->``) for a lock."""
    return any(
        line.split()[1] == "->" and str(pid) in line.split()
        for line in Path("/proc/locks").read_text().splitlines()
        if len(line.split()) > 1
    )


def test_a_desk_that_gets_its_turn_after_the_swap_writes_nothing(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _setup(cli)
    desks: list[subprocess.Popen[str]] = []
    real = replaced.raise_ticket_counters

    def carrying(path: Path, counters: dict[tuple[str, str, str], int]) -> None:
        # The restore holds the write turn: a desk that opened the database before the swap
        # waits for it (seen in the kernel's lock table), and gets it after the swap.
        desk = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "ticket", "issue", "--service", "C", "--no-print"],
            env={**_clean_env(), **_desk_env(cli.db)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        desks.append(desk)
        deadline = time.monotonic() + 30
        while not _waiting_for_a_lock(desk.pid):
            assert desk.poll() is None, desk.communicate()
            assert time.monotonic() < deadline, "the desk never waited for its turn"
            time.sleep(0.01)
        real(path, counters)

    monkeypatch.setattr(replaced, "raise_ticket_counters", carrying)
    restored = cli("db", "restore", backup, "--yes", "--force", "--json", now=DURING)
    monkeypatch.setattr(replaced, "raise_ticket_counters", real)
    assert restored.code == 0, restored.err
    (desk,) = desks
    out, err = desk.communicate(timeout=60)
    assert desk.returncode == 4, (out, err)
    assert "replaced by another file" in err and "nothing was saved" in err, err
    assert len(err.strip().splitlines()) == 1, err
    kept = Path(restored.json()["kept"])
    assert Cli(kept, monkeypatch)("queue", "--json", now=DURING).json()[-1]["code"] == "C003"
    assert _code(cli, DURING) == "C004"


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
