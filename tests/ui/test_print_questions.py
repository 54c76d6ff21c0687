"""Who is asked "Reprint it?": the desk whose printer it is, never another desk's person who
cannot see the paper (Reception's tickets took the keys of the team leader at Desk 2, who could
answer for paper out of sight, and ``ticket show`` kept no record of the answer); the team leader
is asked about slips and summaries, which nobody was asked about, and "yes" prints them again."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Actor
from oss_desk.services.delivery import answer_job
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.ui.dialogs import ConfirmDialog
from oss_desk.worker.printing import PrintDelivery

from ..conftest import MONDAY_0930, Cli, site_toml
from ..escpos_decoder import decode, text_lines
from .conftest import AppFactory, acting, office_db, rows, until
from .test_delivery_ui import _worker_alive

NOW = MONDAY_0930.isoformat().replace("+00:00", "Z")


def printed_at_desk_1(db: Path, tmp_path: Path) -> list[str]:
    """The worker's round prints the one job waiting; the lines of Desk 1's paper."""
    worker = open_session(db=db, clock=FixedClock(MONDAY_0930), person="worker")
    assert PrintDelivery(worker, owner="w").deliver_due().printed == 1
    worker.close()
    return text_lines(decode((tmp_path / "desk-1.bin").read_bytes()))


def _fail(db: Path, job: int, status: str = "failed") -> None:
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE print_jobs SET status = ?, owner = NULL, last_error = 'connection refused' "
        "WHERE id = ?",
        [status, job],
    )
    conn.commit()
    conn.close()


async def test_reception_s_ticket_is_not_asked_at_the_team_leader_s_desk(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The team leader at Desk 2 (no printer) sees Reception's failed ticket on the status bar
    only: no question takes their keys (F4 opens the leader's screen). Reception's answer is then
    shown by ``ticket show``, with who gave it and when."""
    lock = _worker_alive(office)
    app = make_app(office, "desk-2")
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await until(lambda: app.snapshot is not None)
            with acting(office, desk="greet-1") as reception:
                issued = QueueService(reception).issue("C")
            assert issued.print_job is not None
            _fail(office, issued.print_job, "uncertain")
            await until(lambda: app.snapshot is not None and bool(app.snapshot.attention))
            await pilot.pause(1.0)  # the question, were it asked here, comes with that snapshot
            assert not isinstance(app.screen, ConfirmDialog)
            await pilot.press("f4")
            await until(lambda: app.current_mode == "leader")
    finally:
        lock.release()
    answered = FixedClock(MONDAY_0930 + timedelta(minutes=4))
    at_reception = open_session(db=office, clock=answered, person="tl", desk_id="greet-1")
    answer_job(at_reception, Actor("tl", "greet-1"), issued.print_job, reprint=False)
    at_reception.close()
    shown = Cli(office, monkeypatch)("ticket", "show", issued.ticket.code, now=NOW)
    assert shown.code == 0, shown.err
    assert (
        f"print job {issued.print_job}: may not have printed; Team Leader said it printed, 09:34"
    ) in shown.out
    as_json = Cli(office, monkeypatch)(
        "ticket", "show", issued.ticket.code, "--json", now=NOW
    ).json()
    assert as_json["print_answered_by"] == "tl"
    assert as_json["print_answered_at"] == "2026-11-23T09:34:00.000Z"


@pytest.fixture
def printing_office(migrated: Path, tmp_path: Path) -> Path:
    """Desk 1 has its own receipt printer (captured); Desk 2 has none."""
    toml = site_toml().replace(
        'id = "desk-1"\nname = "Desk 1"\n',
        f'id = "desk-1"\nname = "Desk 1"\nprinter = "capture://{tmp_path / "desk-1.bin"}"\n',
    )
    return office_db(migrated, tmp_path, toml)


async def test_a_summary_that_failed_at_desk_1_is_asked_of_the_team_leader_and_prints_again(
    printing_office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The daily summary sent to Desk 1's printer failed: the team leader, at Desk 2, is asked
    (nobody was), and "y" queues the same summary again, which prints."""
    db = printing_office
    sent = Cli(db, monkeypatch)("--user", "tl", "report", "daily", "--print-to", "desk-1", now=NOW)
    assert sent.code == 0, sent.err
    _fail(db, 1)
    lock = _worker_alive(db)
    app = make_app(db, "desk-2")
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await until(lambda: isinstance(app.screen, ConfirmDialog))
            assert isinstance(app.screen, ConfirmDialog)
            assert str(app.screen.heading) == (
                "Daily summary at Desk 1 was not printed (connection refused). Reprint it?"
            )
            await pilot.press("y")
            await until(lambda: rows(db, "SELECT count(*) FROM print_jobs") == [(2,)])
            assert rows(db, "SELECT acknowledged_by FROM print_jobs WHERE id = 1") == [("tl",)]
            assert rows(db, "SELECT kind, desk_id FROM print_jobs WHERE id = 2") == [
                ("daily_summary", "desk-1")
            ]
    finally:
        lock.release()
    lines = printed_at_desk_1(db, tmp_path)
    assert any("Monday 23 November 2026" in line or "2026-11-23" in line for line in lines), lines


@pytest.fixture
def booking_office(migrated: Path, tmp_path: Path) -> Path:
    """As :func:`printing_office`, open 09:00-17:00 on weekdays, with an adviser seeing Council
    Tax by appointment."""
    hours = "".join(f'{day} = "09:00-17:00"\n' for day in ("mon", "tue", "wed", "thu", "fri"))
    toml = (
        site_toml()
        .replace(
            'id = "desk-1"\nname = "Desk 1"\n',
            f'id = "desk-1"\nname = "Desk 1"\nprinter = "capture://{tmp_path / "desk-1.bin"}"\n',
        )
        .replace(
            'code = "C"\nname = "Council Tax"\n',
            'code = "C"\nname = "Council Tax"\nappointment_minutes = 30\n',
        )
        .replace(
            'name = "Civic Centre"\n', f'name = "Civic Centre"\n[sites.opening_hours]\n{hours}'
        )
    ) + '\n[[staff]]\nid = "adv"\nname = "Adam Viser"\nrole = "adviser"\n'

    return office_db(migrated, tmp_path, toml)


async def test_the_leader_is_asked_about_a_slip_by_its_booking_and_y_draws_it_afresh(
    booking_office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A slip that did not print at Desk 1, its booking moved since: the leader's question said
    only "Appointment slip", and "y" queued a copy of the old paper with the old time. It names
    the booking, and "y" queues the slip as the booking is now, for Desk 1's printer."""
    db = booking_office
    cli = Cli(db, monkeypatch)
    booked = cli(
        "--user", "tl", "appointment", "book", "--service", "C", "--start",
        "2026-11-23T14:00:00Z", "--channel", "slip", "--desk", "desk-1", "--json", now=NOW,
    )  # fmt: skip
    assert booked.code == 0, booked.err
    ref = booked.json()["ref"]
    _fail(db, 1)
    moved = cli(
        "--user", "tl", "appointment", "move", ref, "--start", "2026-11-23T15:30:00Z", now=NOW
    )
    assert moved.code == 0, moved.err
    lock = _worker_alive(db)
    app = make_app(db, "desk-2")
    try:
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await until(lambda: isinstance(app.screen, ConfirmDialog))
            assert isinstance(app.screen, ConfirmDialog)
            assert str(app.screen.heading) == (
                f"Appointment slip {ref} at Desk 1 was not printed (connection refused). "
                "Reprint it?"
            )
            await pilot.press("y")
            await until(lambda: rows(db, "SELECT count(*) FROM print_jobs") == [(2,)])
            assert rows(db, "SELECT kind, desk_id FROM print_jobs WHERE id = 2") == [
                ("appointment_slip", "desk-1")
            ]
    finally:
        lock.release()
    lines = " ".join(printed_at_desk_1(db, tmp_path))
    assert "15:30" in lines and "14:00" not in lines, lines
