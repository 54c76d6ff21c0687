"""An interpreter need names a language known here, never free text: the need is kept in the
event log for good, in the visit's and ticket's rows the purge does not clear, and shown on the
desks and by ``oss-desk queue``; "interpreter:Zzname Zedd" (a resident's name typed for a
language) stayed there (privacy audit, finding 3). A language is one councils commonly
interpret, or one the staff list as a skill."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, db_content, make_db, site_toml

NOW = "2026-11-23T09:30:00Z"
SPEAKER = (
    '\n[[staff]]\nid = "lou"\nname = "Lou Adviser"\nrole = "adviser"\nskills = ["Tiếng Việt"]\n'
)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    email = '[email]\nsmtp_url = "smtp://127.0.0.1:9"\nfrom_address = "desk@test.example"\n'
    toml = site_toml(extra=email).replace("[queue]", f"{SPEAKER}\n[queue]")
    toml = toml.replace(
        'name = "Council Tax"\n', 'name = "Council Tax"\nappointment_minutes = 20\n'
    )
    return Cli(make_db(tmp_path, toml), monkeypatch)


def test_a_language_not_known_here_is_refused_and_nothing_kept(cli: Cli) -> None:
    before = db_content(cli.db)
    for args in (
        ("ticket", "issue", "--service", "C", "--desk", "greet-1", "--no-print"),
        (
            *("appointment", "book", "--service", "C", "--start", "2026-11-24T10:00:00Z"),
            *("--channel", "email", "--email", "one@example.org"),
        ),
    ):
        refused = cli("--user", "tl", *args, "--needs", "interpreter:Zzname Zedd", now=NOW)
        assert refused.code == 2, refused.err
        assert refused.err == (
            "oss-desk: interpreter language 'zzname zedd' is not a language known here: give its "
            "English name, e.g. interpreter:polish (Polish, Portuguese (Brazil), Kurdish "
            "(Sorani)); a language not listed is added to a staff member's skills in the site "
            "configuration\n"
        )
    assert db_content(cli.db) == before
    assert not [line for line in db_content(cli.db) if "zzname" in line.lower()]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Kurdish  (Sorani)", "interpreter:kurdish (sorani)"),  # on the list
        ("Tiếng Việt", "interpreter:tiếng việt"),  # a staff member's skill
    ],
)
def test_a_language_on_the_list_or_spoken_by_staff_is_taken(
    cli: Cli, typed: str, kept: str
) -> None:
    issued = cli(
        *("--user", "tl", "ticket", "issue", "--service", "C", "--desk", "greet-1"),
        *("--no-print", "--needs", f"interpreter:{typed}", "--json"),
        now=NOW,
    )
    assert issued.code == 0, issued.err
    assert issued.json()["needs"] == [kept]


@pytest.mark.parametrize("typed", ["BSL", "British Sign Language"])
def test_sign_language_as_an_interpreter_s_language_points_to_the_bsl_need(
    cli: Cli, typed: str
) -> None:
    before = db_content(cli.db)
    issue = ("ticket", "issue", "--service", "C", "--desk", "greet-1", "--no-print")
    refused = cli("--user", "tl", *issue, "--needs", f"interpreter:{typed}", now=NOW)
    assert refused.code == 2, refused.err
    assert refused.err == (
        f"oss-desk: interpreter language {typed.lower()!r} is not a language known here: for "
        "British Sign Language use the need `bsl`\n"
    )
    assert db_content(cli.db) == before
    taken = cli("--user", "tl", *issue, "--needs", "bsl", now=NOW)
    assert taken.code == 0, taken.err
