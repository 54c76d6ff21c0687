"""The mail server's URL is read in one place (``domain.mail_server``): the worker that sends,
``doctor`` that tries it and the configuration that refuses a mistyped one all agree. An IT
administrator's trial: ``smtp//127.0.0.1:8025`` (a colon missing) was taken, and mail went to
``localhost:587``, a host the administrator never wrote."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oss_desk.domain.mail_server import MailServer, parse_mail_url
from oss_desk.errors import InvalidInput

from .conftest import Cli, make_db, site_toml


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://mail.example.gov.uk", MailServer("smtp", "mail.example.gov.uk", 587, False, True)),
        ("smtps://mail.example.gov.uk", MailServer("smtps", "mail.example.gov.uk", 465, True)),
        ("SMTP://relay:25?starttls=off", MailServer("smtp", "relay", 25, False, False)),
        ("smtp://relay:25?STARTTLS=OFF", MailServer("smtp", "relay", 25, False, False)),
        ("smtp://[::1]:25/", MailServer("smtp", "::1", 25, False, True)),
        ("capture:///var/tmp/mail.mbox", MailServer("capture", path="/var/tmp/mail.mbox")),
    ],
)
def test_a_mail_server_is_read_with_its_defaults(url: str, server: MailServer) -> None:
    assert parse_mail_url(url) == server


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("smtp//127.0.0.1:8025", "must start with one of smtp://, smtps://, capture://"),
        ("http://mail.example.gov.uk", "http:// is not one of smtp://, smtps://, capture://"),
        ("smtp://:587", "give the mail server's host"),
        ("smtp://mail:port", "the port is not a number from 1 to 65535"),
        ("smtp://mail:99999", "the port is not a number from 1 to 65535"),
        ("smtp://127.0.0.1:0?starttls=off", "the port is not a number from 1 to 65535"),
        ("smtp://::1:25", "an IPv6 address goes in brackets (smtp://[::1]:25)"),
        ("smtp://user:secret@mail:25", "holds a login: give it as email.username"),
        ("smtp://mail:25?starttls=no", "starttls is on or off"),
        ("smtp://mail:25?tls=off", "'tls' is not an option (only starttls=off)"),
        ("capture://", "give a file"),
    ],
)
def test_a_mistyped_mail_server_is_refused_saying_what_is_wrong(url: str, said: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_mail_url(url)
    assert said in str(refused.value)
    assert "secret" not in str(refused.value)  # a password typed into the URL is never echoed


def test_a_stored_mail_server_an_older_release_took_says_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A configuration stored by an older release with ``smtp//relay:25`` (it took it, and sent
    to localhost:587) is refused by every command once upgraded (a review): the refusal says how
    to put it right, not only what is wrong."""
    db = make_db(tmp_path, site_toml())
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE config_snapshots SET document = json_set(document, '$.email', "
            "json_object('smtp_url', 'smtp//relay.council.local:25'))"
        )
    conn.close()
    cli = Cli(db, monkeypatch)
    refused = cli("queue")
    assert refused.code == 3 and refused.out == ""
    assert refused.err == (
        f"oss-desk: the configuration stored in {db}: email.smtp_url: mail server "
        "'smtp//relay.council.local:25' must start with one of smtp://, smtps://, capture:// "
        "(e.g. smtp://mail.example.gov.uk:587); put it right in the configuration file and load "
        "it: `oss-desk init --config FILE`\n"
    )
    fixed = tmp_path / "fixed.toml"
    fixed.write_text(site_toml())
    assert cli("init", "--config", str(fixed)).code == 0
    assert cli("queue").code == 0
