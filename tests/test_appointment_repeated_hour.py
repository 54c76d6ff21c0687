"""Appointments in the hour that comes round twice (Sunday 25 October 2026, the clocks going back
at 02:00 BST to 01:00 GMT), at an office open through the night: two bookings an hour apart
both read "01:30" on the resident's slip, in their email and in the desk's list, so neither the
resident nor the adviser could tell which 01:30 was meant. The time now says its zone where it
comes round twice (01:30 BST, 01:30 GMT), and only there."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from oss_desk.clock import read_instant
from oss_desk.domain.calendar import clock_said, local

from .conftest import TRAINING, Cli
from .escpos_decoder import Line, decode
from .messaging import SmtpServer

NOW = "2026-10-20T10:00:00Z"


def night_office(tmp_path: Path, smtp_url: str) -> Path:
    config = tmp_path / "site.toml"
    config.write_text(
        f"""{TRAINING}
[council]
name = "Test Council"

[[sites]]
id = "hq"
name = "Civic Centre"
timezone = "Europe/London"
opening_hours = {{ sun = "00:00-04:00", mon = "09:00-17:00" }}

[[services]]
code = "C"
name = "Council Tax"
appointment_minutes = 30

[[desks]]
id = "greet-1"
kind = "meet-and-greet"

[[staff]]
id = "ana"
name = "Ana Adviser"
role = "adviser"
appointments = ["C"]

[[staff]]
id = "bob"
name = "Bob Adviser"
role = "adviser"
appointments = ["C"]

[[staff]]
id = "tl"
name = "Team Leader"
role = "team-leader"

[email]
smtp_url = "{smtp_url}"
from_address = "appointments@test.example"
""",
        encoding="utf-8",
    )
    return config


def test_the_hour_that_comes_round_twice_says_its_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer
) -> None:
    db = tmp_path / "office.sqlite"
    config = night_office(tmp_path, smtp.url)
    cli = Cli(db, monkeypatch)
    assert cli("init", "--config", str(config), now=NOW).code == 0
    slips = tmp_path / "slips.bin"
    refs = {}
    for adviser, channel in (("ana", "slip"), ("bob", "email")):
        for offset, zone in (("+01:00", "BST"), ("+00:00", "GMT"), ("+00:00", "")):
            start = "2026-10-25T03:00:00+00:00" if not zone else f"2026-10-25T01:30:00{offset}"
            booked = cli(
                "appointment", "book", "--service", "C", "--start", start, "--adviser", adviser,
                "--channel", channel, "--desk", "greet-1", "--print-to", f"capture://{slips}",
                "--email", f"{zone or 'plain'}@example.org", "--json",
                now=NOW,
            )  # fmt: skip
            assert booked.code == 0, booked.err
            if channel == "slip":  # Ana's bookings: listed below
                refs[zone] = booked.json()["ref"]
        if channel == "slip":
            listed = cli("appointment", "list", "--date", "2026-10-25", now=NOW).out.splitlines()
    assert any(refs["BST"] in x and "Sun 25 Oct 01:30 BST" in x for x in listed), listed
    assert any(refs["GMT"] in x and "Sun 25 Oct 01:30 GMT" in x for x in listed), listed
    assert any(refs[""] in x and "Sun 25 Oct 03:00  " in x for x in listed), listed  # as ever
    slots = cli(
        "appointment", "slots", "--service", "C", "--date", "2026-10-25", "--adviser", "ana",
        now=NOW,
    ).out  # fmt: skip
    assert "Sun 25 Oct 01:00 BST  Ana" in slots and "Sun 25 Oct 01:00 GMT  Ana" in slots, slots
    assert "Sun 25 Oct 02:00  Ana Adviser" in slots, slots

    again = cli(
        "appointment", "book", "--service", "C", "--start", "2026-10-25T01:30:00+00:00",
        "--adviser", "ana", "--channel", "email", "--email", "x@example.org", "--desk", "greet-1",
        now=NOW,
    )  # fmt: skip
    assert again.code != 0 and "Sun 25 Oct 01:30 GMT is not free" in again.err, again.err
    assert "has a booking until 02:00;" in again.err, again.err  # 02:00 comes once
    # 01:00 BST: an hour and a half early for 01:30 GMT, whose check-in opens an hour before.
    early = cli("appointment", "check-in", refs["GMT"], now="2026-10-25T00:00:00Z")
    assert early.code != 0, early.out
    assert f"{refs['GMT']} is at 01:30 GMT: check-in opens at 01:30 BST" in early.err, early.err

    done = cli("worker", "--once", now=NOW)
    assert done.code == 0, done.err
    said = [e.text.strip() for e in decode(slips.read_bytes()) if isinstance(e, Line)]
    assert [x for x in said if x.startswith("at ")] == ["at 01:30 BST", "at 01:30 GMT", "at 03:00"]
    mails: dict[str, EmailMessage] = {str(m["To"]).lower(): m for m in smtp.mailbox.messages}
    assert len(mails) == 3, [(m["To"], m["Subject"]) for m in smtp.mailbox.messages]
    for zone in ("BST", "GMT"):
        body = mails[f"{zone.lower()}@example.org"].get_body(("plain",))
        assert body is not None
        assert f"01:30 {zone}" in body.get_content(), body.get_content()
    plain = mails["plain@example.org"].get_body(("plain",))
    assert plain is not None and "03:00" in plain.get_content()
    assert "03:00 GMT" not in plain.get_content()


@pytest.mark.parametrize(
    ("instant", "said"),
    [
        ("2026-10-25T00:30:00Z", "01:30 BST"),
        ("2026-10-25T01:30:00Z", "01:30 GMT"),
        ("2026-10-25T00:59:00Z", "01:59 BST"),
        ("2026-10-25T02:00:00Z", "02:00"),
        ("2026-10-24T23:59:00Z", "00:59"),
        ("2027-03-28T00:59:00Z", "00:59"),  # spring: 01:00 GMT becomes 02:00 BST, no repeat
        ("2027-03-28T01:00:00Z", "02:00"),
        ("2026-12-07T10:00:00Z", "10:00"),
    ],
)
def test_a_time_says_its_zone_only_when_it_comes_round_twice(instant: str, said: str) -> None:
    assert clock_said(local(read_instant(instant), "Europe/London")) == said
