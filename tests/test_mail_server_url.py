"""The mail server's URL is read in one place (``domain.mail_server``): the worker that sends,
``doctor`` that tries it and the configuration that refuses a mistyped one all agree. An IT
administrator's trial: ``smtp//127.0.0.1:8025`` (a colon missing) was taken, and mail went to
``localhost:587``, a host the administrator never wrote."""

from __future__ import annotations

import pytest

from oss_desk.domain.mail_server import MailServer, parse_mail_url
from oss_desk.errors import InvalidInput


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://mail.example.gov.uk", MailServer("smtp", "mail.example.gov.uk", 587, False, True)),
        ("smtps://mail.example.gov.uk", MailServer("smtps", "mail.example.gov.uk", 465, True)),
        ("SMTP://relay:25?starttls=off", MailServer("smtp", "relay", 25, False, False)),
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
        ("smtp://mail:port", "the port is not a number"),
        ("smtp://mail:25?starttls=no", "starttls is on or off"),
        ("smtp://mail:25?tls=off", "'tls' is not an option (only starttls=off)"),
        ("capture://", "give a file"),
    ],
)
def test_a_mistyped_mail_server_is_refused_saying_what_is_wrong(url: str, said: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_mail_url(url)
    assert said in str(refused.value)
