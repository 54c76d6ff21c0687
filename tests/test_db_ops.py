"""Backups, checks, restores and the retention purge, on real files with real processes."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sqlite3
import stat
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.demo import populate
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.storage import maintenance
from oss_desk.storage.lease import WorkerLock
from oss_desk.worker.messages import MessageDelivery
from oss_desk.worker.printing import PrintDelivery

from .conftest import MONDAY_0930, Cli, db_content, make_db, rows, site_toml

NOW = format_instant(MONDAY_0930)
_CTX = multiprocessing.get_context("fork")


# Writers ------------------------------------------------------------------------------------------


def _desk_writer(db: str, desk: str, stop: Any, done: Any) -> None:
    """Issue, call and finish tickets in a loop until told to stop."""
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person=desk, desk_id=desk)
    count = 0
    try:
        queue = QueueService(session)
        while not stop.is_set():
            queue.issue("C", print_ticket=False)
            ticket = queue.call_next(desk)
            if ticket is not None:
                queue.finish(ticket.id, "resolved")
            count += 1
    finally:
        session.close()
        done.put((desk, count))


class Writers:
    def __init__(self, db: Path, desks: list[str]) -> None:
        self.stop = _CTX.Event()
        self.done = _CTX.Queue()
        self.procs = [
            _CTX.Process(target=_desk_writer, args=(str(db), desk, self.stop, self.done))
            for desk in desks
        ]
        for p in self.procs:
            p.start()

    def finish(self) -> dict[str, int]:
        self.stop.set()
        counts = dict(self.done.get(timeout=60) for _ in self.procs)
        for p in self.procs:
            p.join(timeout=30)
        return counts


def _wait_for(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def _tickets(db: Path) -> int:
    return int(rows(db, "SELECT count(*) FROM tickets")[0][0])


# Backup under load, restore to a working desk ---------------------------------------------------


def _backup_under_load_then_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str]:
    """Backups while four desk processes write; restore the second; a ticket issued and called
    on the restored database. Returns the database and the code of a ticket left waiting."""
    db = make_db(tmp_path, site_toml(desks=4))
    cli = Cli(db, monkeypatch)
    writers = Writers(db, ["desk-1", "desk-2", "desk-3", "desk-4"])
    try:
        _wait_for(lambda: _tickets(db) >= 40)  # every process is writing by now
        first = cli("db", "backup", "--json", now=NOW)
        assert first.code == 0, first.err
        _wait_for(lambda: _tickets(db) >= first.json()["counts"]["tickets"] + 40)
        second = cli("db", "backup", "--json", now=NOW)
        assert second.code == 0, second.err
        # While desks have it open, a restore is refused (and changes nothing).
        refused = cli("db", "restore", second.json()["path"], "--yes", now=NOW)
        assert refused.code == 6
        assert "in use" in refused.err and "--force" in refused.err
    finally:
        counts = writers.finish()
    assert all(n > 0 for n in counts.values()), counts

    backup = Path(second.json()["path"])
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert backup.parent == db.parent / "backups"
    assert not list(backup.parent.glob(".*partial*"))  # no temporary file left behind
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
        # A consistent snapshot: no ticket without its events, no half-written change.
        issued = copy.execute("SELECT count(*) FROM events WHERE kind = 'ticket_issued'")
        tickets = copy.execute("SELECT count(*) FROM tickets").fetchone()[0]
        assert issued.fetchone()[0] == tickets == second.json()["counts"]["tickets"]
        finished = copy.execute("SELECT count(*) FROM events WHERE kind = 'finished'").fetchone()
        done = copy.execute("SELECT count(*) FROM tickets WHERE status = 'done'").fetchone()
        assert finished == done
    finally:
        copy.close()
    total_live = _tickets(db)
    assert total_live > tickets

    restored = cli("db", "restore", str(backup), "--yes", "--json", now=NOW)
    assert restored.code == 0, restored.err
    kept = Path(restored.json()["kept"])
    assert kept.name.startswith(f"{db.name}.before-restore-")
    assert _tickets(kept) == total_live  # the replaced database is kept whole
    assert _tickets(db) == tickets
    assert not db.with_name(db.name + "-wal").exists() or _tickets(db) == tickets
    assert cli("db", "check", now=NOW).code == 0

    # A working desk: the queue, a new ticket and a call.
    queue = cli("queue", "--json", now=NOW)
    assert queue.code == 0, queue.err
    issued_now = cli("ticket", "issue", "--service", "B", "--no-print", "--json", now=NOW)
    assert issued_now.code == 0, issued_now.err
    code = issued_now.json()["code"]
    assert code == "B001"
    waiting = cli("ticket", "issue", "--service", "W", "--no-print", "--json", now=NOW)
    # (the snapshot may hold the adviser desks mid-conversation: the interview room is free)
    called = cli("ticket", "call-next", "--desk", "room-1", "--json", now=NOW)
    assert called.code == 0 and called.json()["code"] == code, called.err
    return db, waiting.json()["code"]


@pytest.mark.slow
async def test_backup_while_four_desks_write_restores_to_a_working_desk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, waiting = _backup_under_load_then_restore(tmp_path, monkeypatch)
    # The desk app opens on the restored database and shows the queue.
    from oss_desk.ui.widgets.queue_table import QueueTable

    from .ui.conftest import AppFactory, until

    factory = AppFactory()
    try:
        app = factory(db, "greet-1")
        async with app.run_test(size=(120, 36)):
            await until(lambda: app.snapshot is not None, timeout=15)
            table = app.screen.query_one(QueueTable)
            await until(lambda: table.row_count >= 1, timeout=15)
            shown = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
            assert any(waiting in cell for cell in shown), shown
    finally:
        factory.close()


def test_backups_keep_the_newest_n_private_files(tmp_path: Path, cli: Cli) -> None:
    made = []
    for minute in range(4):
        result = cli("db", "backup", "--keep", "2", "--json", now=f"2026-11-23T09:3{minute}:00Z")
        assert result.code == 0, result.err
        made.append(Path(result.json()["path"]))
    folder = made[0].parent
    names = sorted(p.name for p in folder.iterdir())
    # Each backup has its event log head beside it, and goes with it.
    assert names == sorted([p.name for p in made[-2:]] + [p.name + ".head" for p in made[-2:]])
    assert made[-1].name == "office-20261123T093300Z.sqlite"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    # Two backups in the same second (a stopped clock) get distinct names.
    # A backup of this office is refused by a council-wide report: it would count the office
    # twice (another office's backup adds in: tests/test_scripted_month.py).
    session = open_session(db=cli.db, clock=FixedClock(MONDAY_0930), person="tl")
    try:
        QueueService(session).issue("C", print_ticket=False)
    finally:
        session.close()
    fresh = cli("db", "backup", "--to", str(tmp_path / "copy.sqlite"), "--json", now=NOW)
    day = ("report", "daily", "--date", "2026-11-23", "--format", "json")
    alone = cli(*day, now=NOW).json()["visits"]
    both = cli(*day, "--include", fresh.json()["path"], now=NOW)
    assert alone == 1 and both.code == 2
    assert both.err.count("\n") == 1 and "a copy of this office's database" in both.err
    again = cli("db", "backup", "--json", now="2026-11-23T09:33:00Z")
    assert again.json()["path"].endswith("office-20261123T093300Z-2.sqlite")
    # The text output says where and how big.
    text = cli("db", "backup", now="2026-11-23T09:34:00Z")
    assert text.code == 0 and "Backed up to" in text.out and "integrity ok" in text.out


def test_backup_folder_setting_and_explicit_file(tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()  # a named destination must exist (tests/test_backup_destination.py)
    result = cli("db", "backup", "--json", now=NOW, env={"OSS_DESK_BACKUP__FOLDER": str(folder)})
    assert result.code == 0, result.err
    assert Path(result.json()["path"]).parent == folder
    target = tmp_path / "one.sqlite"
    result = cli("db", "backup", "--to", str(target), "--json", now=NOW)
    assert result.code == 0 and Path(result.json()["path"]) == target
    refused = cli("db", "backup", "--to", str(target), now=NOW)
    assert refused.code == 2 and "exists already" in refused.err
    vacuumed = cli("db", "backup", "--method", "vacuum", "--to", str(tmp_path), "--json", now=NOW)
    assert vacuumed.code == 0, vacuumed.err
    assert stat.S_IMODE(Path(vacuumed.json()["path"]).stat().st_mode) == 0o600
    assert vacuumed.json()["integrity"] == "ok"


def test_backup_copies_what_is_still_in_the_wal(tmp_path: Path, cli: Cli) -> None:
    db = cli.db
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl")
    try:
        session.store.conn.execute("PRAGMA wal_autocheckpoint = 0")
        for _ in range(5):
            QueueService(session).issue("C", print_ticket=False)
        assert db.with_name(db.name + "-wal").stat().st_size > 0
        result = cli("db", "backup", "--json", now=NOW)
    finally:
        session.close()
    assert result.code == 0, result.err
    assert rows(Path(result.json()["path"]), "SELECT count(*) FROM tickets") == [(5,)]


# Check and restore refuse damage -----------------------------------------------------------------


def _flip_bytes(path: Path, page: int, page_size: int = 4096) -> None:
    with path.open("r+b") as f:
        f.seek((page - 1) * page_size)
        f.write(bytes(range(256)) * (page_size // 256))


def _busy_db(tmp_path: Path) -> Path:
    db = make_db(tmp_path, site_toml())
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl")
    try:
        queue = QueueService(session)
        for _ in range(300):
            queue.issue("C", print_ticket=False)
    finally:
        session.close()
    return db


def test_a_corrupt_copy_is_caught_by_check_and_refused_by_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _busy_db(tmp_path)
    cli = Cli(db, monkeypatch)
    good = Path(cli("db", "backup", "--json", now=NOW).json()["path"])
    bad = tmp_path / "bad.sqlite"
    shutil.copyfile(good, bad)
    root = rows(bad, "SELECT rootpage FROM sqlite_master WHERE name = 'events_day'")[0][0]
    _flip_bytes(bad, root)

    checked = Cli(bad, monkeypatch)("db", "check", now=NOW)
    assert checked.code == 4
    lines = checked.out.splitlines()
    assert lines and all(line.startswith("fail: ") for line in lines)
    as_json = Cli(bad, monkeypatch)("db", "check", "--json", now=NOW)
    assert as_json.code == 4 and as_json.json()["ok"] is False and as_json.json()["problems"]

    before = db_content(db)
    refused = cli("db", "restore", str(bad), "--yes", now=NOW)
    assert refused.code == 4 and "not a usable backup" in refused.err
    assert db_content(db) == before
    assert not list(tmp_path.glob("office.sqlite.before-restore-*"))

    # A header overwritten: not a database at all.
    header = tmp_path / "header.sqlite"
    shutil.copyfile(good, header)
    with header.open("r+b") as f:
        f.write(b"\0" * 100)
    checked = Cli(header, monkeypatch)("db", "check", now=NOW)
    assert checked.code == 4 and "not an SQLite database" in checked.out
    assert cli("db", "restore", str(header), "--yes", now=NOW).code == 4
    # The good backup restores.
    assert cli("db", "restore", str(good), "--yes", now=NOW).code == 0


def test_check_names_each_problem_on_its_own_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _busy_db(tmp_path)
    cli = Cli(db, monkeypatch)
    assert cli("db", "check", "--quick", now=NOW).code == 0
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER events_no_delete")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(
        "INSERT INTO visit_notes (visit_id, at, actor, text) VALUES (4242, ?, 'x', 'n')", [NOW]
    )
    conn.commit()
    conn.close()
    result = cli("db", "check", now=NOW)
    assert result.code == 4
    assert result.out.splitlines() == [
        "fail: foreign keys: 1 row of visit_notes points to missing visits",
        "fail: event log: trigger events_no_delete is missing (the log is not append-only)",
    ]


def test_restore_without_yes_is_refused_when_not_interactive(cli: Cli, tmp_path: Path) -> None:
    backup = cli("db", "backup", "--json", now=NOW).json()["path"]
    result = cli("db", "restore", backup, now=NOW)
    assert result.code == 2 and "--yes" in result.err


def test_restore_onto_a_new_host(tmp_path: Path, cli: Cli) -> None:
    backup = cli("db", "backup", "--json", now=NOW).json()["path"]
    target = tmp_path / "new-host" / "office.sqlite"
    result = Cli(target, cli.monkeypatch)("db", "restore", backup, "--yes", "--json", now=NOW)
    assert result.code == 0, result.err
    assert result.json()["kept"] is None
    assert Cli(target, cli.monkeypatch)("queue", "--json", now=NOW).code == 0
    assert Cli(target, cli.monkeypatch)("db", "check", now=NOW).code == 0


def test_purge_says_its_cut_offs_in_local_time(cli: Cli) -> None:
    import re

    shown = cli("db", "purge", "--dry-run", now=NOW)
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert lines[-1].startswith("Kept: the event log")  # what a purge keeps, last
    counted = lines[:-1]
    stamp = r"before \d{4}-\d\d-\d\d( \d\d:\d\d)?\)"
    assert counted and all(re.search(stamp + "$", ln) for ln in counted)


def test_restore_of_an_empty_file_says_so(cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    result = cli("db", "restore", str(empty), "--yes", now=NOW)
    assert result.code != 0 and result.err.count("\n") == 1
    assert "an empty file, not a database" in result.err


def test_restore_refuses_another_offices_database_unless_forced(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    other = make_db(tmp_path / "elsewhere", site_toml())  # its own office id
    before = db_content(cli.db)
    refused = cli("db", "restore", str(other), "--yes", now=NOW)
    assert refused.code == 6 and refused.err.count("\n") == 1
    assert "another office's database" in refused.err
    assert db_content(cli.db) == before
    forced = cli("db", "restore", str(other), "--yes", "--force", now=NOW)
    assert forced.code == 0, forced.err
    assert maintenance.office_id_of(cli.db) == maintenance.office_id_of(other)


def test_restore_is_refused_while_the_worker_holds_its_lock(cli: Cli) -> None:
    backup = cli("db", "backup", "--json", now=NOW).json()["path"]
    lock = WorkerLock.acquire(cli.db)
    assert lock is not None
    try:
        refused = cli("db", "restore", backup, "--yes", now=NOW)
        holder = "the device worker, or a desk app standing in for it (process"
        assert refused.code == 6 and holder in refused.err
        forced = cli("db", "restore", backup, "--yes", "--force", now=NOW)
        assert forced.code == 0, forced.err
    finally:
        lock.release()


def test_restore_removes_stale_wal_and_shm(tmp_path: Path, cli: Cli) -> None:
    db = cli.db
    backup = Path(cli("db", "backup", "--json", now=NOW).json()["path"])
    # A database with committed data still in its -wal (autocheckpoint off) and a stale -shm:
    # a copy of the three files left behind by a crashed desk.
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl")
    session.store.conn.execute("PRAGMA wal_autocheckpoint = 0")
    for _ in range(3):
        QueueService(session).issue("C", print_ticket=False)
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(f"{db}{suffix}", crashed / f"office.sqlite{suffix}")
    session.close()
    target = crashed / "office.sqlite"
    result = Cli(target, cli.monkeypatch)("db", "restore", str(backup), "--yes", now=NOW)
    assert result.code == 0, result.err
    assert "Kept the replaced database" in result.out
    assert not (crashed / "office.sqlite-wal").exists()
    assert not (crashed / "office.sqlite-shm").exists()
    assert rows(target, "SELECT count(*) FROM tickets") == [(0,)]
    kept = next(crashed.glob("office.sqlite.before-restore-*"))
    assert rows(kept, "SELECT count(*) FROM tickets") == [(3,)]  # the WAL went with it
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# Retention ----------------------------------------------------------------------------------------

CANARY_NAME = "Zebedee Canary"
CANARY_EMAIL = "zebedee.canary@example.org"
CANARY_PHONE = "07700 900777"
CANARY_NOTE = "Canary note: lives at 7 Canary Wharf"


def _history(tmp_path: Path) -> Path:
    """The demo office with two weeks of history, appointments with contacts, notes, sent
    messages, printed tickets and slips."""
    db = make_db(tmp_path)  # the demo site: capture mailbox, phone and printer
    clock = FixedClock(MONDAY_0930)
    session = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        populate(session, days=8, visitors_per_day=20, waiting=3)
        queue = QueueService(session)
        ticket = queue.issue("C").ticket
        queue_desk = QueueService(open_session(db=db, clock=clock, person="tl", desk_id="desk-1"))
        busy = queue_desk.current_ticket("desk-1")  # the demo's adviser there is busy now
        if busy is not None:
            queue_desk.finish(busy.id, "resolved")
        called = queue_desk.call_next("desk-1")
        assert called is not None
        queue_desk.add_note(called.id, CANARY_NOTE)
        queue_desk.finish(called.id, "resolved")
        queue_desk.s.close()
        booking = AppointmentService(session)
        slot = booking.slots("C", "2026-11-24", 2)[0]
        booking.book("C", slot.start, channel="email", name=CANARY_NAME, email=CANARY_EMAIL)
        slot = booking.slots("B", "2026-11-25", 2)[0]
        booking.book("B", slot.start, channel="text", name=CANARY_NAME, phone=CANARY_PHONE)
        slot = booking.slots("T", "2026-11-25", 2)[0]
        slip = booking.book("T", slot.start, channel="slip", name=CANARY_NAME, phone=CANARY_PHONE)
        booking.cancel(slip.ref, "council", reason=f"{CANARY_NAME} is in hospital")
        sent = MessageDelivery(session).deliver_due()
        assert sent.sent >= 2
        PrintDelivery(session).deliver_due()
        assert ticket.id
    finally:
        session.close()
    return db


def _days(db: Path) -> list[str]:
    return [
        r[0]
        for r in rows(
            db, "SELECT DISTINCT business_day FROM events WHERE business_day IS NOT NULL ORDER BY 1"
        )
    ]


def _reports(cli: Cli, days: list[str], now: str) -> dict[str, Any]:
    """Every daily report of the data, and the monthly report of each of its months."""
    figures = {}
    for day in days:
        result = cli("report", "daily", "--date", day, "--format", "json", now=now)
        assert result.code == 0, result.err
        figures[day] = result.json()
    for month in sorted({day[:7] for day in days}):
        result = cli("report", "monthly", "--month", month, "--format", "json", now=now)
        assert result.code == 0, result.err
        figures[month] = result.json()
    return figures


def _personal(db: Path) -> dict[str, int]:
    return {
        "contacts": rows(
            db,
            "SELECT count(*) FROM appointment_contacts WHERE name IS NOT NULL "
            "OR email IS NOT NULL OR phone IS NOT NULL",
        )[0][0],
        "notes": rows(db, "SELECT count(*) FROM visit_notes WHERE text IS NOT NULL")[0][0],
        "reasons": rows(db, "SELECT count(*) FROM appointments WHERE cancel_reason IS NOT NULL")[0][
            0
        ],
        "traces": rows(
            db,
            "SELECT count(*) FROM messages WHERE provider_id IS NOT NULL OR last_error IS NOT NULL",
        )[0][0],
        "payloads": rows(
            db, "SELECT count(*) FROM print_jobs WHERE payload != '{}' AND status = 'done'"
        )[0][0],
    }


def _canaries_in(db: Path) -> list[str]:
    dump = "\n".join(db_content(db))
    return [c for c in (CANARY_NAME, CANARY_EMAIL, CANARY_PHONE, "Canary Wharf") if c in dump]


@pytest.mark.slow
def test_purge_removes_personal_data_past_its_period_and_no_figure_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _history(tmp_path)
    cli = Cli(db, monkeypatch)
    days = _days(db)
    assert len(days) >= 9
    before = _personal(db)
    assert all(before.values()), before
    assert _canaries_in(db)
    # Slips and tickets on paper carry nothing personal.
    payloads = "\n".join(r[0] for r in rows(db, "SELECT payload FROM print_jobs"))
    assert "appointment_slip" in {r[0] for r in rows(db, "SELECT kind FROM print_jobs")}
    assert not [c for c in (CANARY_NAME, CANARY_EMAIL, CANARY_PHONE) if c in payloads]

    # Two months on: contacts, cancellation reasons, message traces and print contents are due;
    # notes (2 years) are not.
    later = format_instant(MONDAY_0930 + timedelta(days=60))
    figures = _reports(cli, days, later)
    assert figures["2026-11"]["appointments_booked"] >= 3  # the monthly report is compared too
    assert figures["2026-11"]["visits"] == sum(figures[d]["visits"] for d in days)
    dry = cli("db", "purge", "--dry-run", "--json", now=later)
    assert dry.code == 0, dry.err
    assert _personal(db) == before  # a dry run changes nothing
    result = cli("--user", "tl", "db", "purge", "--json", now=later)
    assert result.code == 0, result.err
    counts = result.json()["counts"]
    assert counts == dry.json()["counts"]
    assert counts["contacts"] == rows(db, "SELECT count(*) FROM appointment_contacts")[0][0]
    after = _personal(db)
    assert after == {
        "contacts": 0,
        "notes": before["notes"],
        "reasons": 0,
        "traces": 0,
        "payloads": 0,
    }
    assert _reports(cli, days, later) == figures

    # Recorded with counts only and who did it.
    purged = rows(db, "SELECT actor, data, business_day FROM events WHERE kind = 'data_purged'")
    assert len(purged) == 1
    actor, data, business_day = purged[0]
    assert actor == "tl" and business_day is None
    assert json.loads(data)["counts"] == counts
    assert not [c for c in (CANARY_NAME, CANARY_EMAIL, CANARY_PHONE) if c in data]

    # Idempotent: nothing more is due, nothing changes, nothing is recorded.
    content = db_content(db)
    again = cli("db", "purge", "--json", now=later)
    assert again.code == 0 and not any(again.json()["counts"].values())
    assert db_content(db) == content

    # Past two years the notes go too; every figure still stands.
    much_later = format_instant(MONDAY_0930 + timedelta(days=800))
    figures = _reports(cli, days, much_later)
    result = cli("db", "purge", now=much_later)
    assert result.code == 0, result.err
    assert f"Deleted {before['notes']} visit notes" in result.out
    assert _personal(db)["notes"] == 0
    assert _canaries_in(db) == []
    assert _reports(cli, days, much_later) == figures
    assert cli("db", "purge", "--json", now=much_later).json()["counts"] == {k: 0 for k in counts}
    assert cli("db", "check", now=much_later).code == 0


def test_contacts_retention_follows_the_older_setting_unless_retention_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path)
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl")
    try:
        booking = AppointmentService(session)
        slot = booking.slots("C", "2026-11-24", 2)[0]
        booking.book("C", slot.start, channel="email", name=CANARY_NAME, email=CANARY_EMAIL)
    finally:
        session.close()
    cli = Cli(db, monkeypatch)
    twenty_days = format_instant(MONDAY_0930 + timedelta(days=20))
    # appointments.keep_contacts_days (30) still rules when retention.contacts_days is unset.
    kept = cli("db", "purge", "--json", now=twenty_days)
    assert kept.json()["counts"]["contacts"] == 0
    env = {"OSS_DESK_APPOINTMENTS__KEEP_CONTACTS_DAYS": "10"}
    assert (
        cli("db", "purge", "--dry-run", "--json", now=twenty_days, env=env).json()["counts"][
            "contacts"
        ]
        == 1
    )
    env = {
        "OSS_DESK_APPOINTMENTS__KEEP_CONTACTS_DAYS": "10",
        "OSS_DESK_RETENTION__CONTACTS_DAYS": "60",
    }
    assert (
        cli("db", "purge", "--dry-run", "--json", now=twenty_days, env=env).json()["counts"][
            "contacts"
        ]
        == 0
    )
    bad = cli("db", "purge", now=twenty_days, env={"OSS_DESK_RETENTION__NOTES_DAYS": "0"})
    assert bad.code == 3 and "retention.notes_days" in bad.err


def test_a_new_database_is_private_from_the_start(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert maintenance.inspect(db).ok


def test_the_worker_runs_the_retention_purge(tmp_path: Path) -> None:
    from oss_desk.worker.run import DeviceWorker

    db = make_db(tmp_path)
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl", desk_id="greet-1")
    try:
        booking = AppointmentService(session)
        slot = booking.slots("C", "2026-11-24", 2)[0]
        booking.book("C", slot.start, channel="slip", name=CANARY_NAME, phone=CANARY_PHONE)
    finally:
        session.close()
    later = FixedClock(MONDAY_0930 + timedelta(days=45))
    worker = DeviceWorker(lambda: open_session(db=db, clock=later, person="worker"))
    worker.start()
    try:
        _wait_for(lambda: rows(db, "SELECT count(*) FROM events WHERE kind = 'data_purged'")[0][0])
    finally:
        worker.join()
    assert rows(db, "SELECT actor FROM events WHERE kind = 'data_purged'") == [("worker",)]
    assert rows(db, "SELECT name, phone FROM appointment_contacts") == [(None, None)]
    assert worker.errors == []
