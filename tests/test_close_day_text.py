"""A resident waiting for a text ("text me when it's my turn") whose ticket close of day closes
is told, once, by a short, kind text in their language: the office has closed for today and
their ticket has ended. Only the code, no name or reason; recorded like the other turn texts.
Against a loopback GOV.UK Notify (tests/messaging.py), with the real device worker's passes on
a fixed clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.turn_texts import TurnTexts

from .conftest import Cli, rows
from .messaging import NotifyServer
from .test_turn_texts import START, Day, office, texts_to

CLOSED = (
    "{code}: sorry, the office has closed for today and your ticket has ended. "
    "Please come back another day."
)


def test_close_of_day_tells_a_resident_waiting_for_a_text_once(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = Day(office(tmp_path, notify))
    try:
        waiting = day.issue("C", "ann")  # a text when it is their turn
        day.issue("C", "bob")
        quiet = day.issue("C")  # no number: nothing is sent
        day.worker()  # "nearly your turn" for both (1st and 2nd in line)
        before = len(notify.state.sent)
        day.clock.set(START + timedelta(hours=8, minutes=1))  # 17:01: closed at 17:00
        day.worker(times=2)
    finally:
        day.close()
    for who, code in (("ann", waiting), ("bob", "C002")):
        told = texts_to(notify, who)
        assert told[-1] == CLOSED.format(code=code)
        assert told.count(CLOSED.format(code=code)) == 1  # once
    assert len(notify.state.sent) == before + 2  # Ann and Bob; nobody else
    assert rows(
        day.db, "SELECT kind, status FROM turn_texts WHERE kind = 'closed' ORDER BY id"
    ) == [("closed", "sent"), ("closed", "sent")]
    events = rows(
        day.db,
        "SELECT count(*) FROM events WHERE kind = 'turn_text_sent' "
        "AND json_extract(data, '$.kind') = 'closed'",
    )
    assert events == [(2,)]
    assert quiet == "C003"
    shown = Cli(day.db, monkeypatch)("ticket", "show", waiting, now=day.clock.now().isoformat())
    assert shown.code == 0 and "closed at close of day" in shown.out, shown.out


def test_the_team_leader_s_close_tells_them_too_and_in_welsh_first(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """Closing the day by hand closes the tickets the same way; a bilingual office's text is
    Welsh first."""
    db = office(tmp_path, notify)
    config = tmp_path / "site.toml"
    text = config.read_text()
    config.write_text(
        text.replace('name = "Civic Centre"\n', 'name = "Civic Centre"\nlanguage = "cy+en"\n', 1)
    )
    from oss_desk.services.site import initialise

    initialise(db, clock=FixedClock(START), config_path=config)
    day = Day(db)
    try:
        code = day.issue("C", "ann")
        day.worker()
        tl = open_session(db=db, clock=day.clock, person="tl", desk_id="greet-1")
        try:
            from oss_desk.services.queue.day_end import close_now

            (closed,) = close_now(tl)
            assert closed.code == code
        finally:
            tl.close()
        day.worker()
    finally:
        day.close()
    last = texts_to(notify, "ann")[-1].splitlines()
    assert last[0].startswith(f"{code}: mae'n ddrwg gennym"), last
    assert last[-1] == CLOSED.format(code=code)


def test_a_ticket_called_meanwhile_is_not_told_the_office_closed(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """Only close of day's end says it: a resident served and finished gets no such text."""
    day = Day(office(tmp_path, notify))
    try:
        code = day.issue("C", "ann")
        day.worker()
        queue = QueueService(day.session)
        queue.call_next("desk-1")
        queue.finish(code, "resolved")
        day.clock.set(START + timedelta(hours=8, minutes=1))
        day.worker(times=2)
        assert TurnTexts(day.session).queue_due() == 0
    finally:
        day.close()
    assert all("closed" not in text for text in texts_to(notify, "ann"))
