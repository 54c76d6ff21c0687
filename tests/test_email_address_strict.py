"""An email address is exactly one plain address, or it is refused where it is typed: a comma
or a colon in it made the mail server send the message to someone else (``anna,smith@...``
went to a local mailbox ``anna``; ``resident:other@...`` and a referral's
``zz13:victim@...`` to the address after the colon). The mail server is given the address
held, and an address held from before the check that does not read back as one address is
never sent (privacy audit, finding 1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.config_delivery import EmailSettings
from oss_desk.domain.appointments import normalise_email
from oss_desk.domain.email_address import NOT_ONE_ADDRESS
from oss_desk.errors import InvalidInput
from oss_desk.services.messages import Composed
from oss_desk.services.senders import SendFault, SmtpSender

from .appointments_site import NOW, make_office, service_at
from .cli_here import run_cli_here
from .conftest import Cli, db_content
from .messaging import SmtpServer
from .test_messages import at, deliver, rows

MESSAGE = Composed(heading="Hello", subject="Hello", body="Hello", sms="Hello", ics=None)
OTHERS = {
    "anna,smith@example.org": "a comma cannot be in one",
    "resident:other@example.org": "a colon cannot be in one",
    "zz13:victim@example.org": "a colon cannot be in one",
    "anna@example.org; bob@example.org": "it holds two addresses: give only the resident's own",
    "Anna <anna@example.org>": "give only the address inside < > (anna@example.org)",
    "<anna@example.org>": "give only the address inside < > (anna@example.org)",
    "anna(work)@example.org": "'(' cannot be in one",
    '"anna smith"@example.org': "'\"' cannot be in one",
    "anna": "it has no @",
    "anna@@example.org": "it has more than one @",
    "anna..smith@example.org": "nor two dots come together",
    "anna@-example.org": "cannot begin or end with -",
    "anna@example": "what follows the @ is not a domain",
    "anna@exa_mple.org": "what follows the @ has more than letters, digits, - and dots",
}


@pytest.mark.parametrize(("typed", "why"), OTHERS.items())
def test_an_address_that_is_not_one_plain_address_is_refused_saying_why(
    typed: str, why: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_email(typed)
    said = refused.value.message
    assert said.startswith(f"{typed!r} is not an email address: ") and why in said
    assert "\n" not in said


@pytest.mark.parametrize(
    "typed", ["anna.smith@example.org", "o'brien+desk@example.co.uk", "A.N.Other@Sub.Example.ORG"]
)
def test_a_plain_address_is_kept_as_typed(typed: str) -> None:
    assert normalise_email(f"  {typed} ") == typed


def test_booking_or_referring_to_an_address_that_is_not_one_is_refused_and_nothing_kept(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    before = db_content(db)
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-11-23T10:00:00Z"}
    for typed in ("anna,smith@example.org", "resident:other@example.org"):
        booked = run_cli_here(
            *("--user", "tl", "appointment", "book", "--service", "C"),
            *("--start", "2026-11-24T09:00:00Z", "--channel", "email"),
            *("--name", "Zed Resident", "--email", typed),
            env=env,
        )
        assert booked.returncode == 2
        assert booked.stderr.strip().splitlines() == [
            f"oss-desk: {typed!r} is not an email address: "
            f"{OTHERS[typed]} (give one address, e.g. name@example.org)"
        ]
    referred = run_cli_here(
        *("--user", "tl", "followup", "add", "--kind", "referral", "--service", "C"),
        *("--back-office", "revenues", "--topic", "bill", "--name", "Zed Resident"),
        *("--send-by", "email", "--email", "zz13:victim@example.org"),
        env=env,
    )
    assert referred.returncode == 2, referred.stderr
    assert "'zz13:victim@example.org' is not an email address: a colon" in referred.stderr
    assert db_content(db) == before
    assert deliver(db, NOW) == (0, 0) and smtp.mailbox.recipients == []


def test_an_address_held_from_before_that_reads_as_another_is_not_sent_and_alerts(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, smtp_url=smtp.url)
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="one@example.org")
    svc.book("C", at(26, 12), channel="email", email="two@example.org")
    session.close()
    # Kept before addresses were checked: the mail server would read another recipient in it.
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE appointment_contacts SET email = 'resident:other@example.org' "
            "WHERE email = 'one@example.org'"
        )
    conn.close()
    assert deliver(db, NOW) == (1, 1)
    # Only the good one reached the server, given the address held.
    assert smtp.mailbox.recipients == [["two@example.org"]]
    failed = rows(db, "SELECT status, last_error FROM messages WHERE status = 'failed'")
    assert failed == [("failed", NOT_ONE_ADDRESS)]
    assert "other@example.org" not in NOT_ONE_ADDRESS
    # The team leader is told, by an alert naming the booking, never the address.
    said = Cli(db, monkeypatch)("--user", "tl", "alerts", "list", now="2026-11-23T10:00:00Z")
    assert said.code == 0, said.err
    assert f"failed: {NOT_ONE_ADDRESS}\n" in said.out and "other@example.org" not in said.out


def test_the_sender_refuses_an_address_its_header_reads_otherwise(smtp: SmtpServer) -> None:
    sender = SmtpSender(EmailSettings.model_validate({"smtp_url": smtp.url}))
    for held in ("anna,smith@example.org", "zz13:victim@example.org", "Anna <anna@example.org>"):
        with pytest.raises(SendFault) as refused:
            sender.send(held, MESSAGE, "ref-1")
        assert (refused.value.reason, refused.value.alert) == (NOT_ONE_ADDRESS, True)
        assert not refused.value.retry
    assert not smtp.mailbox.rcpt_seen.is_set()
    sender.send("anna.smith@example.org", MESSAGE, "ref-2")
    assert smtp.mailbox.recipients == [["anna.smith@example.org"]]
