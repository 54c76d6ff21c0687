"""A worker stopping in order notes, beside the database, each printer's answer its lanes know
and have not written, the moment it is known, waiting for a lane still mid-job with no answer
yet, never longer than it is given (:mod:`oss_desk.worker.stopping`); the next owner reads it
back as it was kept. Real threads and a real notes file beside a database path."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from oss_desk.domain.printouts import TicketPrintout
from oss_desk.storage.print_start import (
    began,
    begin_marks,
    carry_over,
    forget_others,
    mark_first_byte,
    marked,
    noted_outcomes,
)
from oss_desk.worker import print_memory as memory
from oss_desk.worker.stopping import keep_answers

DRAWN = TicketPrintout(
    council="Test Council", site="Civic Centre", code="C001", label="Council Tax", issued="09:41"
)
SETTLE = {"claimed": True, "error": None, "retry": None, "confirmed": True, "size": 309}


class Stepping:
    """A clock a quarter of a second on at each reading, whatever the machine's speed."""

    def __init__(self) -> None:
        self.readings: list[float] = []

    def __call__(self) -> float:
        self.readings.append(0.25 * len(self.readings))
        return self.readings[-1]


def test_an_answer_that_comes_while_the_worker_stops_is_noted_for_the_next_owner(
    tmp_path: Path,
) -> None:
    db, owner = tmp_path / "office.sqlite", "owner-stopping-1"
    begin_marks(db, owner)
    mine = (str(db), owner)
    memory.begin(mine, 7)
    mark_first_byte(db, owner, 7)

    written = threading.Event()

    def lane() -> None:  # mid-job: the printer's answer comes a moment into the stop
        time.sleep(0.3)
        memory.keep(mine, 7, "done", dict(SETTLE, sent_at="2026-11-23T09:41:00.000Z"), DRAWN)
        written.wait(30)  # then waits for the database to write it, past the stop

    thread = threading.Thread(target=lane, daemon=True)
    started = time.monotonic()  # before the lane's pause begins: at least 0.3 s from here
    thread.start()
    assert keep_answers(owner, [thread], wait=10.0) == 1
    # Waited for the answer, not for the write (the lane still waits for it), nor to the end of
    # the wait it was given.
    assert 0.25 < time.monotonic() - started < 10.0 and thread.is_alive()
    written.set()
    assert marked(db, owner) == frozenset({7})  # the first byte's note reads as before
    [(job, note)] = noted_outcomes(db, owner).items()
    kept = memory.from_note(note)
    assert job == 7 and kept is not None
    assert (kept.status, kept.settle["sent_at"], kept.settle["confirmed"]) == (
        "done",
        "2026-11-23T09:41:00.000Z",
        True,
    )
    assert kept.drawn == DRAWN
    memory.finished(mine, 7)
    thread.join(5)


def test_a_lane_that_never_answers_holds_the_stop_only_as_long_as_it_is_given(
    tmp_path: Path,
) -> None:
    db, owner = tmp_path / "office.sqlite", "owner-stopping-2"
    begin_marks(db, owner)
    mine = (str(db), owner)
    memory.begin(mine, 8)
    done = threading.Event()
    thread = threading.Thread(target=done.wait, daemon=True)
    thread.start()
    clock = Stepping()  # (on the real clock, one look held 2 s by a busy machine failed it)
    assert keep_answers(owner, [thread], wait=1.0, clock=clock) == 0
    # It looked until the second given was up, and stopped at its first look after.
    first, *_, before_last, last = clock.readings
    assert before_last < first + 1.0 <= last and thread.is_alive()
    assert noted_outcomes(db, owner) == {}  # nothing known: the next owner goes by the marks
    done.set()
    thread.join(5)
    assert keep_answers(owner, [thread], wait=10.0) == 0  # no lane alive: no wait at all
    memory.finished(mine, 8)


def test_a_first_byte_noted_after_an_outcome_makes_it_stale(tmp_path: Path) -> None:
    db, owner = tmp_path / "office.sqlite", "owner-stopping-3"
    begin_marks(db, owner)
    mine = (str(db), owner)
    memory.begin(mine, 9)
    memory.keep(mine, 9, "pending", dict(SETTLE, error="paper out"), None)
    assert keep_answers(owner, [], wait=1.0) == 1
    assert set(noted_outcomes(db, owner)) == {9}
    mark_first_byte(db, owner, 9)  # tried again after: bytes may have left since
    assert noted_outcomes(db, owner) == {}
    memory.finished(mine, 9)


def test_what_an_owner_gone_said_of_its_jobs_is_carried_over_by_the_next(tmp_path: Path) -> None:
    """An owner taking over jobs left mid-print writes into its own file, before it adopts
    them, what the files of their owners said: begun, not named, not known (no file), and an
    outcome noted; once they are its own, the files of the owners gone are removed."""
    db, gone, mine = tmp_path / "office.sqlite", "owner-gone", "owner-next"
    begin_marks(db, gone)
    mark_first_byte(db, gone, 1)
    begun = {1: began(db, gone, 1), 2: began(db, gone, 2), 3: began(db, "owner-no-file", 3)}
    assert begun == {1: True, 2: False, 3: None}
    begin_marks(db, mine)
    carry_over(db, mine, begun, {1: {"status": "done"}})
    assert (began(db, mine, 1), began(db, mine, 2), began(db, mine, 3)) == (True, False, None)
    assert noted_outcomes(db, mine) == {1: {"status": "done"}}
    assert began(db, gone, 1) is True  # (still there until the adoption has committed)
    forget_others(db, mine)
    assert began(db, gone, 1) is None
    mark_first_byte(db, mine, 3)  # printed again by this owner: begun, as it says now
    assert began(db, mine, 3) is True
