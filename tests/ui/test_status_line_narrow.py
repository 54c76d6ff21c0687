"""At 80 columns the team leader's status line keeps a fault whole beside devices that are fine:
a printer not checked yet says so in one word ("unchecked"), and the parts that are fine
shorten, then go, before a fault is cut (it showed "Email: not sendi…" beside "Printer: not
checked yet"; whole only at 100 columns)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.delivery import SHORTEST_DEVICE_WORDS, shorter_words
from oss_desk.services.delivery import StatusPart
from oss_desk.storage.lease import WorkerLock
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.bars import StatusBar, fitted

from ..appointments_site import NOW, service_at
from ..messaging import free_port
from ..test_messages import at, deliver
from .conftest import AppFactory, appointments_office, until
from .test_sender_status_ui import worker_found

BOARD = "ascii+serial:///dev/pts/0?baudrate=9600&address=01"
PRINTER = "tcp://127.0.0.1:9?timeout=1"


async def test_the_mail_server_down_stays_whole_beside_a_printer_not_checked_yet(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    url = f"smtp://127.0.0.1:{free_port()}?starttls=off"  # nothing listens: the server is down
    extra = f'[board]\nurl = "{BOARD}"\n'
    db = appointments_office(migrated, tmp_path, smtp_url=url, printer=PRINTER, extra=extra)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    assert deliver(db, NOW) == (0, 0)  # refused, to be tried again: one email waiting
    lock = WorkerLock.acquire(db)
    assert lock is not None
    try:
        # A working worker that has not asked the printer yet:
        worker_found(db, BOARD, "board", "ok")
        app = make_app(db, "greet-1", person="tl", clock=FixedClock(NOW))
        async with app.run_test(size=(160, 30)) as pilot:
            await until(lambda: app.snapshot is not None)
            await pilot.press("f4")
            await until(lambda: isinstance(app.screen, LeaderScreen))
            bar = app.screen.query_one(StatusBar)
            await until(lambda: "Email: cannot reach" in str(bar.render()), timeout=10)
            assert "Printer: not checked yet" in str(bar.render())
            # Narrower, the printer that is fine shortens first: the fault keeps its words.
            await pilot.resize_terminal(120, 30)
            said = "Email: cannot reach the mail server since 10:00 (1 waiting)"
            await until(lambda: said in str(bar.render()), timeout=10)
            assert "Printer: unchecked" in str(bar.render())
            await pilot.resize_terminal(80, 30)
            await until(lambda: "Email: not sending, 1" in str(bar.render()), timeout=10)
            line = str(bar.render())
            assert line == (
                "Desk: open  Waiting: 0  Printer: unchecked  Board: ok  Email: not sending, 1"
            ), line
    finally:
        lock.release()


def test_every_shortest_device_word_is_what_a_device_is_said_to_be() -> None:
    for words, least in SHORTEST_DEVICE_WORDS.items():
        assert shorter_words(words) == (words, least)
        assert len(least) < len(words)


def test_parts_that_are_fine_go_before_a_fault_is_cut() -> None:
    parts = [
        StatusPart("Desk", "open"),
        StatusPart("Waiting", "3"),
        StatusPart("Printer", "not checked yet", least="unchecked"),
        StatusPart("Board", "ok"),
        StatusPart("Email", "cannot reach the mail server", True, least="not sending, 1"),
    ]
    assert str(fitted(parts, 66)) == (
        "Desk: open  Waiting: 3  Printer: unchecked  Email: not sending, 1"
    )
    assert str(fitted(parts, 48)) == "Desk: open  Waiting: 3  Email: not sending, 1"
    # Nothing fine is left to go: the fault is cut.
    assert str(fitted(parts, 18)) == "Email: not sendin…"
