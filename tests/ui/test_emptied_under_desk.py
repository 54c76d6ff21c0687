"""The database file emptied (``: > office.sqlite``) under a running desk: the desk stops and
says to run ``oss-desk db check``; that check, and ``doctor``, leave the WAL the desk keeps
byte for byte (review31: the check deleted it, and with it the latest changes and the codes
``db restore`` carries the day's numbering on from)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.ui.dialogs.blocked import DatabaseBlocked

from ..conftest import MONDAY_0930, run_cli_process
from .conftest import AppFactory, until
from .test_database_lost import blocked_message


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


async def test_db_check_and_doctor_asked_by_a_blocked_desk_leave_its_wal(
    office: Path, make_app: AppFactory
) -> None:
    env = {"OSS_DESK_DB": str(office), "OSS_DESK_NOW": MONDAY_0930.isoformat()}
    wal = Path(f"{office}-wal")
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True):
        await until(lambda: app.snapshot is not None)
        issued = run_cli_process("ticket", "issue", "--service", "C", "--no-print", env=env)
        assert issued.returncode == 0, issued.stderr
        kept = _bytes(wal)
        assert kept
        with office.open("r+b") as f:
            f.truncate(0)  # `: > office.sqlite`
        await until(lambda: "db check" in blocked_message(app))
        assert isinstance(app.screen, DatabaseBlocked)
        checked = run_cli_process("db", "check", env=env)
        assert checked.returncode == 4, checked.stderr
        assert "the WAL beside it still holds the newest changes" in checked.stdout
        assert _bytes(wal) == kept
        doctor = run_cli_process("doctor", env=env)
        assert doctor.returncode == 1, doctor.stderr
        assert _bytes(wal) == kept
    assert _bytes(wal) == kept  # the desk closed: nothing folded into the empty file
    assert _bytes(office) == b""
