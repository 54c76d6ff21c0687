"""A referral's reference sent by the resident's chosen channel: by email through a real local
SMTP server and by text through a local Notify stand-in, delivered by the real device worker
process. What is sent names nobody; the reference the provider gets is random; a Notify timeout
is looked up before sending again (never twice); bad input changes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from .conftest import Cli, db_content, run_cli_process
from .followups_site import make_office, run_json
from .messaging import API_KEY, NotifyServer, SmtpServer

NOW = "2026-11-23T10:00:00Z"  # Monday 23 November 2026
NAME = "Zebedee Quuxworth"


@pytest.fixture
def office(tmp_path: Path, smtp: SmtpServer, notify: NotifyServer) -> Path:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    return make_office(
        tmp_path,
        extra=(
            f'[email]\nsmtp_url = "{smtp.url}"\nfrom_address = "desk@test.example"\n'
            f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
            'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 1\n'
        ),
    )


def worker_once(db: Path, now: str) -> dict[str, Any]:
    done = run_cli_process(
        "worker", "--once", "--json", env={"OSS_DESK_DB": str(db), "OSS_DESK_NOW": now}
    )
    assert done.returncode == 0, done.stderr
    assert NAME.split()[1] not in done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def refer(cli: Cli, *extra: str) -> dict[str, Any]:
    made: dict[str, Any] = run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "H"),
        *("--back-office", "housing", "--name", NAME, "--topic", "eviction", *extra),
        now=NOW,
    )
    return made


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_by_email(office: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(office, monkeypatch)
    made = refer(cli, "--send-by", "email", "--email", "zq.canary@example.org")
    assert (made["send_by"], made["print_job"], made["message"]) == ("email", None, 1)
    assert worker_once(office, NOW)["messages_sent"] == 1
    [sent] = smtp.mailbox.messages
    assert sent["To"] == "zq.canary@example.org"
    assert sent["Subject"] == "Your referral: please quote R-0001"
    assert str(sent["X-OSS-Desk-Reference"]).startswith("oss-f1-ref-")
    body = sent.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "We passed your Housing enquiry to the team on Monday 23 November 2026." in text
    assert "Expect an answer by Thursday 26 November 2026." in text  # 3 working days
    assert "Please quote your reference: R-0001" in text
    # Its own closing line: an appointment's "to change or cancel" has no place in it.
    assert "You do not need to do anything else: the team will be in touch." in text
    assert "change or cancel" not in text
    for canary in ("Zebedee", "Quuxworth", "eviction", "homeless"):
        assert canary not in sent.as_string()
    assert rows(office, "SELECT status FROM followup_messages") == [("sent",)]
    [(data,)] = rows(office, "SELECT data FROM events WHERE kind = 'reminder_sent'")
    assert json.loads(data) == {
        "followup": 1,
        "ref": "R-0001",
        "kind": "referral",
        "channel": "email",
        "via": "smtp",
    }


def test_by_text_after_a_timeout_is_sent_once(
    office: Path, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office, monkeypatch)
    refer(cli, "--send-by", "text", "--phone", "07700 900417")
    notify.state.script = ["timeout"]  # Notify takes it, but answers too late
    first = worker_once(office, NOW)
    assert (first["messages_sent"], first["messages_failed"]) == (0, 0)
    [(status, attempts)] = rows(office, "SELECT status, attempts FROM followup_messages")
    assert (status, attempts) == ("pending", 1)
    # Later the worker looks the reference up before sending again: found, so not resent.
    assert worker_once(office, "2026-11-23T10:05:00Z")["messages_sent"] == 1
    assert len(notify.state.sent) == 1
    [sent] = notify.state.sent
    assert sent["phone_number"] == "+447700900417"
    assert sent["reference"].startswith("oss-f1-ref-")
    body = sent["personalisation"]["body"]
    assert "Housing, passed to the team on Monday 23 November 2026" in body
    assert "Please quote R-0001." in body and "Quuxworth" not in json.dumps(sent)
    assert body.endswith("You do not need to do anything else: the team will be in touch.")
    assert "change or cancel" not in body


def test_message_traces_are_purged(
    office: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office, monkeypatch)
    refer(cli, "--send-by", "email", "--email", "zq.canary@example.org")
    worker_once(office, NOW)
    assert rows(office, "SELECT provider_id IS NOT NULL FROM followup_messages") == [(1,)]
    purged = run_cli_process(
        "db",
        "purge",
        "--json",
        env={"OSS_DESK_DB": str(office), "OSS_DESK_NOW": "2026-12-01T10:00:00Z"},
    )
    assert json.loads(purged.stdout)["counts"]["referral_message_traces"] == 1
    assert rows(office, "SELECT provider_id, last_error, status FROM followup_messages") == [
        (None, None, "sent")
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--send-by", "email"), "to send the reference by email, give the address (--email)"),
        (("--send-by", "text"), "to send the reference by text, give the number (--phone)"),
    ],
)
def test_missing_contact_is_refused(
    office: Path, monkeypatch: pytest.MonkeyPatch, extra: tuple[str, ...], message: str
) -> None:
    cli = Cli(office, monkeypatch)
    before = db_content(office)
    result = cli(
        *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "C"),
        *("--back-office", "revenues", *extra),
        now=NOW,
    )
    assert (result.code, result.err) == (2, f"oss-desk: {message}\n")
    assert db_content(office) == before


def test_a_channel_the_office_has_not_set_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    before = db_content(db)
    result = cli(
        *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "C"),
        *("--back-office", "revenues", "--send-by", "email", "--email", "a@example.org"),
        now=NOW,
    )
    assert result.code == 6
    assert result.err.startswith("oss-desk: email is not set up for this office")
    assert db_content(db) == before
