"""``oss-desk doctor`` against real loopback services, a real pty and real database files."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from oss_desk.clock import format_instant
from oss_desk.services.doctor_checks import Check
from oss_desk.storage.lease import WorkerLock

from .conftest import MONDAY_0930, TRAINING, Cli, make_db, site_toml
from .hardware.fakes import FakePrinter, Pty, closed_port
from .messaging import API_KEY, NotifyServer, SmtpServer

NOW = format_instant(MONDAY_0930)


@dataclass
class Office:
    db: Path
    printer: str
    board: str
    smtp: str
    notify: str


def _office(tmp_path: Path, *, printer: str, board: str, smtp: str, notify: str) -> Office:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY)
    extra = (
        f'[board]\nurl = "ascii+serial://{board}?baudrate=9600"\n'
        f'[email]\nsmtp_url = "{smtp}"\n'
        f'[notify]\nbase_url = "{notify}"\napi_key_file = "{key}"\nsms_template = "t"\n'
    )
    # A real office: not a training one (doctor warns of access.user_override = "anyone").
    toml = site_toml(greet_printer=printer, extra="").replace(TRAINING, "")
    db = make_db(tmp_path, toml + extra)
    return Office(db, printer, board, smtp, notify)


@pytest.fixture
def services() -> Iterator[tuple[FakePrinter, Pty, SmtpServer, NotifyServer]]:
    printer, pty, smtp, notify = FakePrinter(), Pty(), SmtpServer(), NotifyServer()
    yield printer, pty, smtp, notify
    printer.close()
    pty.close()
    smtp.stop()
    notify.stop()


def _heartbeat(db: Path) -> None:
    """The device worker's heartbeat, as it writes it: the real time (liveness is about this
    machine's processes, even when OSS_DESK_NOW simulates the office's day)."""
    import sqlite3
    from datetime import UTC, datetime

    from oss_desk.storage.lease import take_over

    conn = sqlite3.connect(db)
    try:
        now = format_instant(datetime.now(UTC))
        take_over(conn, owner="test", role="service", pid=os.getpid(), host="test-host", now=now)
        conn.commit()
    finally:
        conn.close()


def test_a_healthy_office_is_all_ok(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    services: tuple[FakePrinter, Pty, SmtpServer, NotifyServer],
) -> None:
    printer, pty, smtp, notify = services
    office = _office(
        tmp_path, printer=printer.url, board=pty.path, smtp=smtp.url, notify=notify.url
    )
    backed = Cli(office.db, monkeypatch)("db", "backup")  # last night's backup
    assert backed.code == 0, backed.err
    lock = WorkerLock.acquire(office.db)  # the device worker is running...
    assert lock is not None
    try:
        # ...without a heartbeat in this database yet: it holds the lock but does not work here
        # (as after `db restore --force` with a worker left running).
        stale = Cli(office.db, monkeypatch)("doctor", now=NOW)
        # It holds the lease, so no desk app can stand in: nothing drives the devices.
        assert "fail  worker" in stale.out and "holds the worker lock" in stale.out, stale.out
        assert stale.code == 1
        _heartbeat(office.db)  # ...and now it works on this database
        result = Cli(office.db, monkeypatch)("doctor", now=NOW)
        as_json = Cli(office.db, monkeypatch)("doctor", "--json", now=NOW)
    finally:
        lock.release()
    # The lock released (the worker stopped): not running, however fresh its last heartbeat;
    # and no desk app is open to stand in.
    stopped = Cli(office.db, monkeypatch)("doctor", now=NOW)
    assert stopped.code == 1
    assert any(
        line.startswith("fail  worker") and "not running" in line
        for line in stopped.out.splitlines()
    ), stopped.out
    assert result.code == 0, result.out + result.err
    assert [line.split()[0] for line in result.out.splitlines()] == ["ok"] * 15, result.out
    checks = as_json.json()
    assert as_json.code == 0
    notify_port = urlsplit(notify.url).port
    assert [c["check"] for c in checks] == [
        "database",
        "configuration",
        "integrity",
        "file modes",
        "disk space",
        "backups",
        f"printer 127.0.0.1:{printer.port} (greet-1)",
        f"board {pty.path}",
        f"email smtp 127.0.0.1:{smtp.port}",
        f"notify 127.0.0.1:{notify_port}",
        "booking channels",
        "clock",
        "worker",
        "print jobs",
        "messages",
    ]
    assert {c["status"] for c in checks} == {"ok"}
    # Nothing was printed, nothing sent.
    assert printer.jobs == [] and printer.connections >= 1
    assert notify.state.sent == [] and smtp.mailbox.messages == []


def test_each_broken_part_is_reported_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The board's adapter unplugged: its device node is gone. (A closed pty's number can be
    # taken at once by another process's new terminal, so the gone node is one never made.)
    gone = str(tmp_path / "ttyUSB0")
    office = _office(
        tmp_path,
        printer=f"tcp://127.0.0.1:{closed_port()}?timeout=1",
        board=gone,
        smtp=f"smtp://127.0.0.1:{closed_port()}?starttls=off",
        notify=f"http://127.0.0.1:{closed_port()}",
    )
    # A damaged page in the event log's day index (the rest still reads).
    conn = sqlite3.connect(office.db)
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events_day'").fetchone()
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with office.db.open("r+b") as f:
        f.seek((page[0] - 1) * size)
        f.write(bytes(range(256)) * (size // 256))
    os.chmod(office.db, 0o644)  # readable by every user
    result = Cli(office.db, monkeypatch)(
        "doctor", now=NOW, env={"OSS_DESK_QUEUE__RECALL_CAP": "lots"}
    )
    assert result.code == 1
    assert "checks failed" in result.err
    failing = [line for line in result.out.splitlines() if line.startswith("fail")]
    expected = {
        "configuration": "OSS_DESK_QUEUE__RECALL_CAP",
        "integrity": "restore from a backup",
        "file modes": "readable by every user",
        "printer": "unreachable (connection refused)",
        "board": f"board {gone}: the board's port {gone} is not there",  # plain words
        "email smtp": "connection refused",
        "notify": "connection refused",
        "worker": "not running",  # and no desk app to stand in
    }
    assert len(failing) == len(expected), result.out
    for name, detail in expected.items():
        matching = [line for line in failing if line[6:].startswith(name)]
        assert len(matching) == 1, (name, result.out)
        assert detail in matching[0], (name, result.out)
    assert "Errno" not in result.out  # the operating system's own error is not for staff
    others = [line for line in result.out.splitlines() if not line.startswith("fail")]
    assert {line.split()[0] for line in others} <= {"ok", "warn"}
    assert any(line.startswith("warn  backups: none yet") for line in others)


def test_clock_behind_the_database_and_missing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    os.chmod(db, 0o600)
    cli = Cli(db, monkeypatch)
    result = cli("doctor", now="2026-11-20T09:00:00Z")  # before the configuration was loaded
    clock = [line for line in result.out.splitlines() if line.split()[1] == "clock:"]
    assert len(clock) == 1 and clock[0].startswith("fail") and "behind" in clock[0]
    assert result.code == 1
    missing = Cli(tmp_path / "nothing.sqlite", monkeypatch)("doctor", "--json", now=NOW)
    assert missing.code == 1
    checks = missing.json()
    assert checks[0]["check"] == "database" and checks[0]["status"] == "fail"
    assert not (tmp_path / "nothing.sqlite").exists()  # the doctor creates nothing


def test_a_mail_server_without_starttls_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = SmtpServer()
    try:
        url = f"smtp://127.0.0.1:{smtp.port}"  # STARTTLS wanted, the server has none
        db = make_db(tmp_path, site_toml(extra=f'[email]\nsmtp_url = "{url}"\n'))
        result = Cli(db, monkeypatch)("doctor", "--json", now=NOW)
    finally:
        smtp.stop()
    email = [c for c in result.json() if c["check"].startswith("email")]
    assert len(email) == 1
    assert email[0]["status"] == "fail" and "STARTTLS failed" in email[0]["detail"]
    assert smtp.mailbox.messages == []


def test_a_database_on_a_network_share_is_one_failed_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oss_desk.storage import database

    db = make_db(tmp_path, site_toml())
    fake = tmp_path / "mountinfo"
    fake.write_text(
        f"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 22 0:30 / {tmp_path} rw - cifs //x/y rw\n"
    )
    monkeypatch.setattr(database, "MOUNTINFO", fake)
    result = Cli(db, monkeypatch)("doctor", now=NOW)
    assert result.code == 1
    failing = [line for line in result.out.splitlines() if line.startswith("fail")]
    assert len(failing) == 1, result.out
    assert failing[0].startswith("fail  database:") and "network filesystem (cifs)" in failing[0]


def test_a_check_that_breaks_is_said_in_plain_words_with_its_fault_report() -> None:
    """A bug in a check: the doctor says it as staff read it, and where the fault report is;
    Python's class name and the message (it may quote a setting's text) only in the report."""
    from oss_desk.paths import log_dir
    from oss_desk.services.doctor_checks import guard

    typed = "typed by " + "someone"  # (the report quotes the raising line of code)

    def broken() -> Check:
        raise ValueError(typed)

    found = guard("clock", broken)
    (report,) = log_dir().glob("fault-doctor-*.txt")
    assert (found.status, found.detail) == (
        "fail",
        f"an unexpected fault, written to the fault report {report}",
    )
    assert "builtins.ValueError" in report.read_text(encoding="utf-8")
    assert typed not in report.read_text(encoding="utf-8")
