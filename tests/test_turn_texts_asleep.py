"""The \"nearly your turn\" texts' thread of a running device worker sleeps through changes
that cannot need a text: in an office that sends no texts, and while no number was given
today. It wakes for a number given. Each test counts the times a change woke the thread (the
change watcher setting its wake): its own timer still looks every 5 s whatever changes, so a
count of its rounds or statements would depend on how long the test takes (a real worker's
real thread on a real database file)."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, open_session
from oss_desk.services.turn_texts import TurnTexts
from oss_desk.worker.run import DeviceWorker

from .conftest import make_db, site_toml
from .messaging import NotifyServer
from .test_reprint_waiting import until
from .test_turn_texts import PHONES, START, office

TEXTS = "oss-desk-turn-texts"


def its_queries(statements: list[str]) -> list[str]:
    """The round's own reads and writes: the numbers given, the texts claimed to be sent."""
    return [s for s in statements if "visit_phones" in s or "UPDATE turn_texts" in s]


class Running:
    """A device worker whose threads' connections say what they run (by thread name)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.statements: dict[str, list[str]] = defaultdict(list)
        clock = FixedClock(START)

        def traced() -> Session:
            session = open_session(db=db, clock=clock, person="worker")
            session.store.conn.set_trace_callback(
                self.statements[threading.current_thread().name].append
            )
            return session

        self.worker = DeviceWorker(traced)
        self.desk = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
        self.before = 0
        """How many of the thread's queries its first round ran."""
        self.woken = 0
        """How many times a change woke the thread since its first round."""

    def count_wakes(self) -> None:
        """From now on, count the change watcher's wakes of the texts' thread."""
        wake = self.worker.wakers[TEXTS]
        wake_it = wake.set

        def counted() -> None:
            self.woken += 1
            wake_it()

        wake.set = counted  # type: ignore[method-assign]

    def asleep(self) -> bool:
        """The texts' thread waits on its wake, and nothing has woken it."""
        wake = self.worker.wakers.get(TEXTS)
        thread = next((t for t in self.worker.threads if t.name == TEXTS), None)
        if wake is None or thread is None or thread.ident is None or wake.is_set():
            return False
        frame = sys._current_frames().get(thread.ident)
        while frame is not None:
            if frame.f_code.co_name == "wait" and frame.f_code.co_filename == threading.__file__:
                return True
            frame = frame.f_back
        return False

    def passed_on(self) -> bool:
        """The change watcher has passed every change so far on to the lanes."""
        conn = sqlite3.connect(self.db)
        try:
            (last,) = conn.execute("SELECT max(id) FROM events").fetchone()
        finally:
            conn.close()
        return bool(self.worker.seen >= last)

    def since_start(self) -> list[str]:
        """The texts' thread's queries since its first round."""
        return its_queries(self.statements[TEXTS])[self.before :]

    def settled(self) -> int:
        """:attr:`woken`, once every change so far was passed on (the watcher wakes the lanes
        before it counts a change passed on)."""
        until(self.passed_on, "the changes passed on")
        return self.woken


@contextmanager
def running(db: Path) -> Iterator[Running]:
    office = Running(db)
    office.worker.start()
    try:
        until(office.asleep, "the texts' thread's first round")
        office.before = len(its_queries(office.statements[TEXTS]))
        office.count_wakes()
        yield office
    finally:
        office.desk.close()
        office.worker.join()
    assert office.worker.errors == []


def test_no_change_wakes_it_in_an_office_that_sends_no_texts(tmp_path: Path) -> None:
    with running(make_db(tmp_path, site_toml(desks=2))) as office:
        queue = QueueService(office.desk)
        for service in "CBHW":
            queue.issue(service, print_ticket=False)
            assert office.settled() == 0
        queue.call_next("desk-1")
        assert office.settled() == 0


def test_no_number_given_no_wake_then_a_number_wakes_it(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """Texts set up: asleep until a resident gives a number, then it looks (and texts)."""
    with running(office(tmp_path, notify)) as office_day:
        queue = QueueService(office_day.desk)
        queue.issue("C", print_ticket=False)
        queue.issue("C", print_ticket=False)
        third = queue.issue("C", print_ticket=False).ticket
        assert office_day.settled() == 0
        TurnTexts(office_day.desk).give_phone(third.code, PHONES["ann"])  # 3rd: no text yet
        until(lambda: office_day.woken >= 1, "the thread woken")
        until(lambda: office_day.since_start() != [], "the thread looking")
        queue.call_next("desk-1")  # Ann moves into 2nd place
        until(lambda: len(notify.state.sent) == 1, "the text to Ann")
