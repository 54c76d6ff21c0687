"""What residents are sent about a site that left the configuration: a Welsh office (the
second site) left while a text about it was still to go.

- The load closing its earlier day recorded the close at the day's end (23:59), not at its
  closing time (its hours were looked up in the new configuration): now at 17:00.
- A "nearly your turn" text still pending for its ticket (Notify was down, the worker stopped)
  failed the worker's text lane with exit 70 (KeyError: the site looked up in the live
  configuration): now it is cancelled, as any text whose day is over.
- A cancellation still to be sent (Notify was down) went in the FIRST site's language (English
  only) and its sending was left out of the event log: now Welsh first, as the site had it
  (the stored configuration), and recorded.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .conftest import Cli, rows
from .messaging import API_KEY, NotifyServer
from .test_site_dropped import ok
from .test_worker_rounds import LIBRARY, LIBRARY_DESK, OFFICE

MONDAY = "2026-11-23T09:00:00Z"
TUESDAY = "2026-11-24T08:00:00Z"  # within a day of the cancellation: still tried
WEDNESDAY = "2026-11-25T09:00:00Z"
WELSH_LIBRARY = LIBRARY.replace(
    'name = "Library"\n', 'name = "Library"\nnation = "WLS"\nname_cy = "Llyfrgell"\n'
)


@pytest.fixture
def office(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, notify: NotifyServer
) -> tuple[Cli, Path]:
    """Civic Centre (England, first) and the Library (Wales, bilingual) loaded on Monday,
    texts through a loopback Notify; the file without the Library."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    extra = (
        f'\n[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
        'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 1\n'
        "[turn_texts]\nposition = 1\n"
    )
    both, civic = tmp_path / "both.toml", tmp_path / "civic.toml"
    both.write_text(OFFICE.replace(LIBRARY, WELSH_LIBRARY) + extra, encoding="utf-8")
    civic.write_text(OFFICE.replace(LIBRARY, "").replace(LIBRARY_DESK, "") + extra, "utf-8")
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    ok(cli, "init", "--config", str(both), now=MONDAY)
    return cli, civic


def test_a_turn_text_pending_for_a_site_that_left_is_cancelled(
    office: tuple[Cli, Path], notify: NotifyServer
) -> None:
    cli, civic = office
    ok(cli, "--user", "adv", "desks", "login", "lib-1", now=MONDAY)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--site", "library",
       now=MONDAY)  # fmt: skip
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--site", "library",
       "--text-to", "07700 900001", now=MONDAY)  # fmt: skip
    # C001 leaves: C002 moves to the front, and is due its "nearly your turn" text.
    ok(cli, "--user", "tl", "ticket", "cancel", "C001", "--site", "library", now=MONDAY)
    notify.state.script = ["500"] * 20  # Notify is down: the text waits to be tried again
    ok(cli, "worker", "--once", now=MONDAY)
    ok(cli, "--user", "adv", "desks", "logout", "lib-1", now=MONDAY)
    assert rows(cli.db, "SELECT kind, status FROM turn_texts") == [("nearly", "pending")]
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)  # closes Monday's C002 there
    history = ok(cli, "--user", "tl", "ticket", "history", "2", now=WEDNESDAY)
    assert "17:00  C002 closed at close of day" in history, history  # its own hours

    notify.state.script = []
    done = cli("worker", "--once", now=WEDNESDAY)
    assert (done.code, done.err) == (0, ""), done.err
    assert rows(cli.db, "SELECT status, last_error FROM turn_texts") == [
        ("cancelled", "the day is over")
    ]
    assert notify.state.sent == []


def test_a_message_about_a_site_that_left_is_in_the_languages_it_had(
    office: tuple[Cli, Path], notify: NotifyServer
) -> None:
    cli, civic = office
    booked = cli(
        "--user", "tl", "appointment", "book", "--service", "C", "--start",
        "2026-11-26T10:00:00Z", "--adviser", "adv", "--desk", "lib-1", "--channel", "text",
        "--phone", "07700 900001", "--json", now=MONDAY,
    )  # fmt: skip
    assert booked.code == 0, booked.err
    ref = str(booked.json()["ref"])
    ok(cli, "worker", "--once", now=MONDAY)  # the confirmation, in Welsh first
    assert str(notify.state.sent[0]["personalisation"]["body"]).startswith("Mae eich apwyntiad")
    ok(cli, "--user", "tl", "appointment", "cancel", ref, "--by", "council", now=MONDAY)
    notify.state.script = ["500"] * 20  # the cancellation waits to be tried again
    ok(cli, "worker", "--once", now=MONDAY)
    assert len(notify.state.sent) == 1
    ok(cli, "init", "--config", str(civic), now=TUESDAY)  # nothing left at the Library

    notify.state.script = []
    ok(cli, "worker", "--once", now=TUESDAY)
    body = str(notify.state.sent[-1]["personalisation"]["body"])
    assert body.startswith("Mae eich apwyntiad wedi'i ganslo. "), body
    assert "Your appointment is cancelled." in body, body
    with sqlite3.connect(cli.db) as conn:
        sent = conn.execute(
            "SELECT site_id, json_extract(data, '$.kind') FROM events WHERE kind = 'reminder_sent'"
        ).fetchall()
    conn.close()
    assert sent == [("library", "confirmation"), ("library", "cancellation")]
