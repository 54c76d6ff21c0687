"""Meet-and-greet's "text me" key records the follow-up consent and the "nearly your turn" number
in one transaction (review 19): a busy database refused the second after the first was saved,
the desk said "nothing was saved", and pressing again logged the consent twice."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from oss_desk.errors import StorageBusy
from oss_desk.services.feedback_texts import give_texts
from oss_desk.services.turn_texts import TurnTexts
from oss_desk.storage.faults import wait_for_writes

from .conftest import make_db, rows
from .messaging import NotifyServer
from .test_feedback_texts import ANN, Day, office_toml


def test_a_busy_database_refuses_both_texts_or_records_both(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    day = Day(db)
    other = sqlite3.connect(db, isolation_level=None, timeout=0)
    try:
        wait_for_writes(day.session.store.conn, 0.3)  # a desk's wait, shortened
        ticket = day.queue.issue("C", print_ticket=False).ticket
        give_phone = TurnTexts.give_phone

        def another_writer_first(self: TurnTexts, ref: object, phone: str) -> object:
            # A writer that takes no turn (a backup, the sqlite3 shell) gets SQLite's lock
            # between the two, if it can.
            with contextlib.suppress(sqlite3.OperationalError):  # the texts' transaction holds
                other.execute("BEGIN IMMEDIATE")  # it: they go together
            return give_phone(self, ref, phone)  # type: ignore[arg-type]

        monkeypatch.setattr(TurnTexts, "give_phone", another_writer_first)
        try:
            with contextlib.suppress(StorageBusy):
                give_texts(day.session, None, ticket.id, turn_texts=ANN, follow_up=ANN)
        finally:
            if other.in_transaction:
                other.execute("ROLLBACK")
        consents = rows(db, "SELECT count(*) FROM feedback_consents")[0][0]
        phones = rows(db, "SELECT count(*) FROM visit_phones")[0][0]
        assert (consents, phones) in ((0, 0), (1, 1)), (consents, phones)
        assert (consents, phones) == (1, 1)  # the other writer never got between them
    finally:
        other.close()
        day.close()
