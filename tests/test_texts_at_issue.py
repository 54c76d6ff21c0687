"""`ticket issue --text-to` says whether the texts were recorded: when the database is busy just
after the ticket commits (another process holds the write lock), the ticket stands, the JSON
says the texts were not recorded and why, and the warning gives the command that records them,
in full. The lock is a real one, taken by another process at that moment."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oss_desk.domain.feedback_texts import not_recorded_why, texts_not_recorded_said
from oss_desk.services import feedback_texts

from .conftest import Cli, make_db, rows
from .messaging import NotifyServer
from .test_feedback_texts import office_toml

HOLD = (
    "import sqlite3, sys\n"
    "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "conn.execute('BEGIN IMMEDIATE')\n"
    "print('held', flush=True)\n"
    "sys.stdin.read()\n"  # until the test closes its stdin
)


def test_texts_not_recorded_after_the_ticket_are_said_so(
    tmp_path: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    cli = Cli(db, monkeypatch)
    holders: list[subprocess.Popen[str]] = []
    give = feedback_texts.give_texts

    def after_the_ticket(*args: Any, **kwargs: Any) -> None:
        # The ticket is committed: another process takes the write lock now.
        assert rows(db, "SELECT count(*) FROM tickets") == [(1,)]
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        holders.append(holder)
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        give(*args, **kwargs)

    monkeypatch.setattr(feedback_texts, "give_texts", after_the_ticket)
    try:
        issued = cli(
            "ticket", "issue", "--service", "C", "--text-to", "07700 900444",
            "--feedback-text", "--json",
            now="2026-11-23T09:00:00Z", env={"OSS_DESK_BUSY_TIMEOUT": "0.5"},
        )  # fmt: skip
    finally:
        for holder in holders:
            holder.communicate("", timeout=10)
    assert issued.code == 0, issued.err  # the ticket was issued: issuing again gives another
    data = issued.json()
    assert data["code"] == "C001"
    assert data["texts"] is False and data["feedback_text"] is False
    assert data["texts_not_recorded"] == "the database was busy"
    assert issued.err.strip() == (
        "Warning: C001 was issued; its texts were not recorded (the database was busy): give "
        "them again with `oss-desk ticket text C001 07700 900444` and "
        "`oss-desk ticket feedback-text C001 07700 900444`"
    )
    assert "nothing was saved" not in issued.err
    assert rows(db, "SELECT count(*) FROM tickets") == [(1,)]


def test_the_words_name_the_ticket_and_the_commands() -> None:
    said: Callable[..., str] = texts_not_recorded_said
    assert said(
        "C020", not_recorded_why(True, "Database busy"), ["oss-desk ticket text C020 1"]
    ) == (
        "C020 was issued; its texts were not recorded (the database was busy): give them again "
        "with `oss-desk ticket text C020 1`"
    )
    assert not_recorded_why(False, "Read-only storage") == "read-only storage"
