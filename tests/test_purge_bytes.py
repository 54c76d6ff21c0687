"""File hygiene: purged personal data leaves no copy in the database's files, and every file
oss-desk writes is 0600 whatever the umask."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.dbops import RetentionService
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, make_db

CANARIES = (b"Zebedee Quillfeather", b"zebedee.quill@example.org", b"+447700900555", b"Wharf 77")


def book_canaries(db: Path) -> None:
    """Appointments with contact details, a note and a cancellation reason, all canaries."""
    clock = FixedClock(MONDAY_0930)
    session = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    desk = open_session(db=db, clock=clock, person="tl", desk_id="desk-1")
    try:
        booking = AppointmentService(session)
        for n, day in enumerate(("2026-11-24", "2026-11-25", "2026-11-26")):
            slot = booking.slots("C", day, 1)[0]
            appt = booking.book(
                "C",
                slot.start,
                channel="text",
                name="Zebedee Quillfeather",
                phone="07700 900555",
                email="zebedee.quill@example.org",
            )
            if n == 2:
                booking.cancel(appt.ref, "resident", reason="Zebedee Quillfeather moved away")
        queue = QueueService(session)
        queue.issue("C", print_ticket=False)
        called = QueueService(desk).call_next("desk-1")
        assert called is not None
        QueueService(desk).add_note(called.id, "Lives at Wharf 77, see Zebedee Quillfeather")
    finally:
        session.close()
        desk.close()


def file_bytes(db: Path) -> bytes:
    return b"".join(
        Path(str(db) + suffix).read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(str(db) + suffix).exists()
    )


def test_purged_values_leave_no_bytes_in_the_database_files(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    book_canaries(db)
    assert all(c in file_bytes(db) for c in CANARIES), "the canaries are in the files first"
    # Three years on, everything personal is due.
    session = open_session(
        db=db, clock=FixedClock(MONDAY_0930 + timedelta(days=3 * 365)), person="tl"
    )
    try:
        result = RetentionService(session).purge()
        assert result.counts["contacts"] == 3 and result.counts["notes"] == 1
        assert result.counts["cancel_reasons"] == 1
        # Still open (a desk would be): the WAL was folded in and truncated by the purge itself.
        left = [c for c in CANARIES if c in file_bytes(db)]
        assert left == [], left
        wal = Path(str(db) + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
    finally:
        session.close()
    assert [c for c in CANARIES if c in file_bytes(db)] == []


def test_without_secure_delete_the_bytes_would_stay(tmp_path: Path) -> None:
    """The control: the same purge with secure_delete off leaves the old bytes in free space
    (so the test above would fail without the purge's own pragma)."""
    import sqlite3

    db = make_db(tmp_path)
    book_canaries(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA secure_delete = OFF")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE appointment_contacts SET name = NULL, email = NULL, phone = NULL")
    conn.execute("UPDATE visit_notes SET text = NULL, purged_at = '2029-11-23T09:30:00.000Z'")
    conn.execute("UPDATE appointments SET cancel_reason = NULL")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert [c for c in CANARIES if c in file_bytes(db)]


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_every_file_written_is_0600_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: int
) -> None:
    from .conftest import Cli

    old = os.umask(umask)
    try:
        db = make_db(tmp_path)  # the demo site: capture printer, board, mailbox and phone
        cli = Cli(db, monkeypatch)
        now = "2026-11-23T10:00:00Z"
        book_canaries(db)  # calls one resident to desk-1
        assert cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=now).code == 0
        assert cli("ticket", "call-next", "--desk", "desk-2", now=now).code == 0
        assert cli("worker", "--once", now=now).code == 0
        assert cli("db", "backup", now=now).code == 0
        (tmp_path / "exports").mkdir()
        out = tmp_path / "exports" / "day.html"
        assert cli("report", "daily", "--format", "html", "--output", str(out), now=now).code == 0
        quarter = tmp_path / "exports" / "quarter.csv"
        assert (
            cli("report", "quarterly", "--format", "csv", "--output", str(quarter), now=now).code
            == 0
        )
        monkeypatch.setenv("OSS_DESK_DB", str(db))
        from oss_desk.logs import write_fault_report

        try:
            raise RuntimeError("a fault")
        except RuntimeError as exc:
            report = write_fault_report(exc, "test")
        assert report is not None
        # A desk with the database open: its -wal and -shm exist meanwhile.
        desk = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl", desk_id="desk-3")
        try:
            QueueService(desk).set_desk_status("desk-3", "break")
            written = [
                p
                for p in tmp_path.rglob("*")
                if p.is_file() and p.suffix != ".toml" and "__pycache__" not in p.parts
            ]
            modes = {
                str(p.relative_to(tmp_path)): oct(stat.S_IMODE(p.stat().st_mode)) for p in written
            }
        finally:
            desk.close()
    finally:
        os.umask(old)
    kinds = {p.name.split(".")[-1] for p in written}
    assert {"sqlite", "head", "html", "csv", "escpos"} <= kinds, kinds
    assert any("fault-test" in p.name for p in written)
    assert any(p.name.endswith("-wal") for p in written)
    assert {k: v for k, v in modes.items() if v != "0o600"} == {}
