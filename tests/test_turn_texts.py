"""A scripted day of "nearly your turn" texts against a local GOV.UK Notify (a real loopback
HTTP server speaking Notify's API, tests/messaging.py), sent by the real device worker.

Exactly one text per resident per trigger (2nd in line for their service; called), however
often the worker looks and whatever Notify does (a timed-out send is looked up, not repeated);
none for a cancelled ticket; none once the day's numbers are purged; no number in a reference,
in the event log or anywhere in the database after the purge.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.errors import InvalidInput, RuleViolation
from oss_desk.services.dbops import RetentionService
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, open_session
from oss_desk.services.turn_texts import TurnTexts
from oss_desk.worker.run import DeviceWorker

from .conftest import Cli, make_db, site_toml
from .messaging import API_KEY, NotifyServer

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, 09:00 in London
PHONES = {
    "ann": "07700 900001",
    "bob": "07700 900002",
    "cat": "07700 900003",
    "dan": "07700 900004",
    "eve": "07700 900005",
}


def e164(phone: str) -> str:
    return "+44" + phone.replace(" ", "")[1:]


def office(tmp_path: Path, notify: NotifyServer) -> Path:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    extra = (
        f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
        'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 1\n'
        "[turn_texts]\nposition = 2\n"
    )
    return make_db(tmp_path, site_toml(desks=2, extra=extra))


class Day:
    """The office on a fixed clock: meet-and-greet, two desks, and the device worker."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.clock = FixedClock(START)
        self.session: Session = open_session(
            db=db, clock=self.clock, person="tl", desk_id="greet-1"
        )
        self.queue = QueueService(self.session)
        self.texts = TurnTexts(self.session)

    def at(self, minutes: int) -> None:
        self.clock.set(START + timedelta(minutes=minutes))

    def issue(self, service: str, who: str | None = None) -> str:
        ticket = self.queue.issue(service, print_ticket=False).ticket
        if who is not None:
            self.texts.give_phone(ticket.code, PHONES[who])
        return ticket.code

    def worker(self, times: int = 1, clock: FixedClock | None = None) -> None:
        """The device worker's passes (as many as the changes would wake it for), on the
        office's clock or a ``clock`` of its own (a machine whose clock is behind)."""
        own = clock or self.clock
        for _ in range(times):
            DeviceWorker(lambda: open_session(db=self.db, clock=own, person="worker")).run_once()

    def close(self) -> None:
        self.session.close()


def texts_to(notify: NotifyServer, who: str) -> list[str]:
    return [
        str(n["personalisation"]["body"])
        for n in notify.state.sent
        if n["phone_number"] == e164(PHONES[who])
    ]


def test_a_scripted_day(tmp_path: Path, notify: NotifyServer) -> None:
    db = office(tmp_path, notify)
    day = Day(db)
    try:
        day.issue("C")  # C001 and C002: no number
        day.issue("C")
        c003 = day.issue("C", "ann")
        c004 = day.issue("C", "bob")
        day.issue("B", "cat")  # B001: 1st in line as she gives it, at meet-and-greet still
        c005 = day.issue("C", "dan")
        day.worker(times=3)  # looking again and again changes nothing
        # Nobody moved into the first two places after giving a number: no text yet, and none
        # for Cat, who was next already (meet-and-greet told her so).
        assert notify.state.sent == []

        day.at(5)
        day.queue.cancel(c005)  # Dan left: nothing is ever sent to him
        day.queue.call_next("desk-1")  # C001: Ann and Bob move into the first two places
        notify.state.script = ["201", "timeout"]  # Bob's reaches Notify, the answer does not
        day.worker()
        assert texts_to(notify, "ann") == [
            f"{c003}: it is nearly your turn. Please come back to the waiting area."
        ]
        assert texts_to(notify, "bob") == [
            f"{c004}: it is nearly your turn. Please come back to the waiting area."
        ]
        assert texts_to(notify, "cat") == [] and texts_to(notify, "dan") == []
        day.at(6)  # past the retry: the worker looks the reference up, and does not resend
        day.worker(times=2)
        assert len(texts_to(notify, "bob")) == 1
        assert any(r.startswith("GET /v2/notifications") for r in notify.state.requests)

        day.at(12)
        day.queue.finish("C001", "resolved")
        called = day.queue.call("C003", "desk-1")
        assert called.code == c003
        day.worker(times=2)
        assert texts_to(notify, "ann")[1:] == [f"{c003}: please go to Desk 1 now."]
        day.at(13)
        day.queue.recall(c003)  # recalled: the board says it again, no second text
        day.worker()
        assert len(texts_to(notify, "ann")) == 2
        assert texts_to(notify, "dan") == []

        # Late in the day Eve gives her number; Notify is down when her turn nears.
        day.at(400)
        e = day.issue("W", "eve")  # behind C002, Bob and Cat
        notify.state.script = ["500"] * 20
        for code in ("C002", c004):
            day.queue.cancel(code)  # they left: Eve moves up
        day.worker()
        assert texts_to(notify, "eve") == []
        status = (
            sqlite3.connect(db)
            .execute(
                "SELECT status FROM turn_texts WHERE ticket_id = (SELECT max(id) FROM tickets)"
            )
            .fetchone()
        )
        assert status == ("pending",), e  # waiting to be retried

        # After midnight: the numbers go (the worker's hourly purge); Eve's text is never sent.
        day.clock.set(datetime(2026, 11, 24, 0, 30, tzinfo=UTC))
        notify.state.script = []
        result = RetentionService(day.session).purge()
        assert result.counts["phones"] == 5
        day.worker(times=2)
        assert texts_to(notify, "eve") == []
    finally:
        day.close()

    per_person = {who: len(texts_to(notify, who)) for who in PHONES}
    assert per_person == {"ann": 2, "bob": 1, "cat": 0, "dan": 0, "eve": 0}
    references = [str(n["reference"]) for n in notify.state.sent]
    assert len(references) == len(set(references)) == 3
    dump = "\n".join(sqlite3.connect(db).iterdump())
    for phone in PHONES.values():
        digits = phone.replace(" ", "")
        assert digits[1:] not in dump  # the number is nowhere in the database any more
        assert all(digits[1:] not in ref for ref in references)
    assert "turn_text_sent" in dump and "phone_given" in dump


def test_a_number_is_checked_and_texts_must_be_set_up(tmp_path: Path, notify: NotifyServer) -> None:
    db = office(tmp_path, notify)
    day = Day(db)
    try:
        code = day.issue("C")
        with pytest.raises(InvalidInput, match="does not start 07: a UK mobile number is"):
            day.texts.give_phone(code, "01234 567890")  # a landline cannot take texts
        day.queue.call_next("desk-1")
        with pytest.raises(RuleViolation, match="is not waiting"):
            day.texts.give_phone(code, PHONES["ann"])
    finally:
        day.close()
    (tmp_path / "plain").mkdir()
    plain = make_db(tmp_path / "plain", site_toml())
    session = open_session(db=plain, clock=FixedClock(START), person="tl", desk_id="greet-1")
    try:
        ticket = QueueService(session).issue("C", print_ticket=False).ticket
        with pytest.raises(RuleViolation, match="texts are not set up"):
            TurnTexts(session).give_phone(ticket.code, PHONES["ann"])
    finally:
        session.close()


def test_the_command_line(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = office(tmp_path, notify)
    cli = Cli(db, monkeypatch)
    now = "2026-11-23T09:00:00Z"
    issued = cli("ticket", "issue", "--service", "C", "--text-to", PHONES["ann"], "--json", now=now)
    assert issued.code == 0, issued.err
    assert issued.json()["texts"] is True
    result = cli("ticket", "issue", "--service", "C", "--text-to", "12345", now=now)
    assert result.code == 2 and "does not start 07: a UK mobile number is 11" in result.err
    assert cli("queue", "--json", now=now).json()  # the refused number issued nothing more
    assert len(cli("queue", "--json", now=now).json()) == 1
    # Ann is next already as she gives it: no "nearly your turn" text, and it says so.
    assert cli("worker", "--once", "--json", now=now).json()["turn_texts_sent"] == 0
    for _ in range(3):
        assert cli("ticket", "issue", "--service", "C", now=now).code == 0
    given = cli("ticket", "text", "C004", PHONES["bob"], now=now)
    assert given.code == 0
    # Said as ``ticket issue --text-to`` says the same promise (C004 has no paper to count by).
    assert given.out == "C004: a text when nearly their turn, and when called\n"
    assert cli("worker", "--once", "--json", now=now).json()["turn_texts_sent"] == 0
    assert cli("ticket", "call-next", "--desk", "desk-1", now=now).code == 0  # C001, Ann's
    assert cli("worker", "--once", "--json", now=now).json()["turn_texts_sent"] == 2
    sent = {str(n["phone_number"]): str(n["personalisation"]["body"]) for n in notify.state.sent}
    assert sent == {
        e164(PHONES["ann"]): "C001: please go to Desk 1 now.",
        e164(PHONES["bob"]): "C004: it is nearly your turn. Please come back to the waiting area.",
    }
    again = cli("ticket", "text", "C002", PHONES["cat"], now=now)  # next already: said so
    assert again.out == (
        'C002: a text when called (already near the front: no "nearly your turn" text unless '
        "they fall back)\n"
    )


def test_issue_with_a_number_says_the_nearly_text_held_back_as_ticket_text_does(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ticket issue --text-to` for a resident already near the front said nothing of the
    "nearly your turn" text held back (meet-and-greet's Ctrl+N and `ticket text` did): now it
    says it in the same words, and what texts go when it is not held back."""
    cli = Cli(office(tmp_path, notify), monkeypatch)
    now = "2026-11-23T09:00:00Z"
    first = cli("ticket", "issue", "--service", "C", "--text-to", PHONES["ann"], now=now)
    assert first.code == 0, first.err
    held = 'a text when called (already near the front: no "nearly your turn" text unless they '
    held += "fall back)"
    assert first.out.splitlines()[1:] == [f"C001: {held}"]
    for _ in range(3):
        assert cli("ticket", "issue", "--service", "C", now=now).code == 0
    far = cli("ticket", "issue", "--service", "C", "--text-to", PHONES["bob"], "--json", now=now)
    assert far.code == 0, far.err
    assert (far.json()["texts"], far.json()["texts_held_back"]) == (True, False)
    later = cli("ticket", "issue", "--service", "C", "--text-to", PHONES["cat"], now=now)
    assert later.out.splitlines()[1:] == ["C006: a text when nearly their turn, and when called"]
    # `ticket text` for a ticket near the front says it as the issue did.
    assert cli("ticket", "text", "C002", PHONES["dan"], now=now).out == f"C002: {held}\n"


def test_the_running_worker_texts_on_the_next_change(tmp_path: Path, notify: NotifyServer) -> None:
    """The worker as it runs all day (its threads, woken by changes), not pass by pass."""
    import time

    db = office(tmp_path, notify)
    clock = FixedClock(START)
    worker = DeviceWorker(lambda: open_session(db=db, clock=clock, person="worker"))
    worker.start()
    day = Day(db)
    try:
        day.issue("C")
        day.issue("C")
        day.issue("C", "ann")  # C003: 3rd in line, no text yet
        day.queue.call_next("desk-1")  # she moves into 2nd place: the text goes
        deadline = time.monotonic() + 20
        while not texts_to(notify, "ann") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(texts_to(notify, "ann")) == 1
        day.queue.call("C003", "desk-2")
        while len(texts_to(notify, "ann")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert texts_to(notify, "ann")[1] == "C003: please go to Desk 2 now."
    finally:
        day.close()
        worker.join()
    assert worker.errors == []


def test_no_nearly_text_to_a_resident_already_that_close_as_they_give_the_number(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """Ann gives her number at meet-and-greet as the next to be called: she is standing there,
    so no "please come back to the waiting area" (it is recorded as not needed, not sent).
    Pushed back by urgent residents, she moves into the first two places again later: then it
    goes, once."""
    db = office(tmp_path, notify)
    day = Day(db)
    try:
        c001 = day.issue("C", "ann")
        day.worker(times=2)
        assert texts_to(notify, "ann") == []
        held = sqlite3.connect(db).execute("SELECT kind, status, last_error FROM turn_texts")
        assert held.fetchall() == [
            ("nearly", "cancelled", "not sent: already this close to the front when the "
             "number was given"),
        ]  # fmt: skip
        day.at(2)
        for _ in range(3):
            day.queue.issue("C", print_ticket=False, urgent=True)  # called before her
        day.worker()
        assert texts_to(notify, "ann") == []  # 4th now
        day.at(3)
        day.queue.call_next("desk-1")
        day.queue.call_next("desk-2")
        day.worker(times=2)
        assert texts_to(notify, "ann") == [
            f"{c001}: it is nearly your turn. Please come back to the waiting area."
        ]
        # The text held back keeps its row and id (let go when she fell back); the one sent is
        # a row of its own: an id never comes to name another text.
        kept = "SELECT id, kind, status, released_at IS NOT NULL FROM turn_texts ORDER BY id"
        assert sqlite3.connect(db).execute(kept).fetchall() == [
            (1, "nearly", "cancelled", 1),
            (2, "nearly", "sent", 0),
        ]
    finally:
        day.close()
