"""trial12 W5: a resident texted "please go to Desk 1" who was then sent to Desk 2 (or put back
and called again, or moved to another service) got no second text: "at most one text per visit
and kind" silenced it while the only text they held named the wrong desk. Each new call texts
again; a recall of the same call, or another pass of the worker, never does. Against the local
GOV.UK Notify (tests/messaging.py) and the real device worker on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.session import open_session
from oss_desk.services.turn_texts import TurnTexts

from .messaging import NotifyServer
from .test_turn_texts import START, Day, office, texts_to


def test_each_new_call_texts_again_and_the_same_call_never_twice(
    tmp_path: Path, notify: NotifyServer
) -> None:
    day = Day(office(tmp_path, notify))
    try:
        c001 = day.issue("C", "ann")
        day.worker()
        assert texts_to(notify, "ann") == []  # next already: no "nearly your turn"
        day.at(1)
        assert day.queue.call_next("desk-1") is not None
        day.worker(times=2)
        assert texts_to(notify, "ann") == [f"{c001}: please go to Desk 1 now."]
        # Sent on to Desk 2, and called there: told where to go now.
        day.at(2)
        day.queue.transfer(c001, desk_id="desk-2")
        day.at(3)
        assert day.queue.call_next("desk-2") is not None
        day.worker(times=2)
        assert texts_to(notify, "ann")[1:] == [f"{c001}: please go to Desk 2 now."]
        day.at(4)
        day.queue.recall(c001)  # the same call again: no text
        day.worker(times=2)
        assert len(texts_to(notify, "ann")) == 2
        # Put back (did not come), then called again (still sent to Desk 2): a text for the
        # new call, as the resident may be out of the room.
        day.at(5)
        day.queue.recycle(c001)
        day.at(6)
        assert day.queue.call_next("desk-2") is not None
        day.worker(times=2)
        assert texts_to(notify, "ann")[2:] == [f"{c001}: please go to Desk 2 now."]
        # Served, then moved to another service with no printer at hand: its new code is
        # called, and texted beside the code they were given (said: never printed).
        day.at(7)
        day.queue.start(c001)
        moved = day.queue.transfer(c001, service="B")
        day.at(8)
        called = day.queue.call_next("desk-2")
        assert called is not None and called.code == moved.code
        day.worker(times=3)
        assert texts_to(notify, "ann")[3:] == [
            f"{moved.code} (you were given {c001}): please go to Desk 2 now."
        ]
    finally:
        day.close()
    assert len(texts_to(notify, "ann")) == 4
    references = [str(n["reference"]) for n in notify.state.sent]
    assert len(references) == len(set(references))


def test_a_new_call_s_text_does_not_wait_for_an_earlier_try_s_look_up(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """The text queued again for a new call starts afresh: an earlier call's try that may have
    reached Notify (its hand-over time kept) does not make the new one wait for a look-up."""
    db = office(tmp_path, notify)
    day = Day(db)
    try:
        c001 = day.issue("C", "ann")
        day.at(1)
        assert day.queue.call_next("desk-1") is not None
        day.worker(times=2)
        assert texts_to(notify, "ann")[-1] == f"{c001}: please go to Desk 1 now."
        with sqlite3.connect(db) as conn:  # as after a try that may have reached Notify,
            conn.execute(  # its look-up wait far from over
                "UPDATE turn_texts SET handed_over_at = '2099' || substr(created_at, 5) "
                "WHERE kind = 'called'"
            )
        day.at(2)
        day.queue.transfer(c001, desk_id="desk-2")
        day.at(3)
        assert day.queue.call_next("desk-2") is not None
        day.worker(times=2)
        assert texts_to(notify, "ann")[-1] == f"{c001}: please go to Desk 2 now."
    finally:
        day.close()


def test_a_worker_whose_clock_is_behind_the_desk_s_texts_a_call_once(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """trial18: the worker's machine a few seconds behind the desk's (a clock stepped back, a
    standby machine) sent "please go to Desk 1" at every pass while the ticket stayed called
    (441 texts for one call): a new call was told from the text's own send time, on the other
    machine's clock. A call is known by its own time, so it is texted once."""
    day = Day(office(tmp_path, notify))
    behind = FixedClock(START)
    try:
        c001 = day.issue("C", "ann")
        day.at(1)
        assert day.queue.call_next("desk-1") is not None
        for seconds in range(0, 50, 10):  # still before the call, on the worker's clock
            behind.set(START + timedelta(seconds=seconds))
            day.worker(times=2, clock=behind)
        assert texts_to(notify, "ann") == [f"{c001}: please go to Desk 1 now."]
    finally:
        day.close()


SKEWS = {"ahead": timedelta(minutes=2), "behind": timedelta(minutes=-2)}


@pytest.mark.parametrize("skew", SKEWS, ids=list(SKEWS))
def test_a_worker_whose_clock_is_off_texts_each_call_once_with_its_desk(
    tmp_path: Path, notify: NotifyServer, skew: str
) -> None:
    """review30: the worker's machine two minutes ahead of the desks' sent "please go to
    Desk 1" and then nothing when the resident was sent on to Desk 2 and called there: the new
    call was weighed against the first text's send time, on the worker's clock. Ahead or
    behind, each call is texted once, naming its desk."""
    day = Day(office(tmp_path, notify))
    worker = FixedClock(START)

    def passes(minutes: int) -> None:
        worker.set(START + timedelta(minutes=minutes) + SKEWS[skew])
        day.worker(times=3, clock=worker)

    try:
        c001 = day.issue("C", "ann")
        day.at(1)
        assert day.queue.call_next("desk-1") is not None
        passes(1)
        assert texts_to(notify, "ann") == [f"{c001}: please go to Desk 1 now."]
        day.at(2)
        day.queue.transfer(c001, desk_id="desk-2")
        day.at(3)
        assert day.queue.call_next("desk-2") is not None
        passes(3)
        passes(4)
        assert texts_to(notify, "ann") == [
            f"{c001}: please go to Desk 1 now.",
            f"{c001}: please go to Desk 2 now.",
        ]
    finally:
        day.close()


@pytest.mark.parametrize("skew", SKEWS, ids=list(SKEWS))
def test_a_text_still_waiting_at_a_new_call_names_the_new_desk_once(
    tmp_path: Path, notify: NotifyServer, skew: str
) -> None:
    """A come-to-the-desk text still waiting to go when the resident is sent on and called at
    Desk 2 names Desk 2 as it goes, and counts for that call: no second "Desk 2" text, whether
    the worker's clock is ahead of the desks' or behind them."""
    db = office(tmp_path, notify)
    day = Day(db)
    worker = FixedClock(START)
    session = open_session(db=db, clock=worker, person="worker")
    try:
        c001 = day.issue("C", "ann")
        day.at(1)
        assert day.queue.call_next("desk-1") is not None
        worker.set(START + timedelta(minutes=1) + SKEWS[skew])
        assert TurnTexts(session).queue_due() == 1  # queued, not sent yet
        day.at(2)
        day.queue.transfer(c001, desk_id="desk-2")
        day.at(3)
        assert day.queue.call_next("desk-2") is not None
        for minutes in (3, 4, 5):
            worker.set(START + timedelta(minutes=minutes) + SKEWS[skew])
            day.worker(times=2, clock=worker)
        assert texts_to(notify, "ann") == [f"{c001}: please go to Desk 2 now."]
    finally:
        session.close()
        day.close()
