"""A Welsh office's referral: the slip, the email and the text Welsh first, then English, with the
council's, the office's and the service's Welsh names (trial12 W4); and the Welsh soft mutation
of a name filled in after "i" and "ar" (trial12 P1: "i Ddesg 2", "ar ddydd Mawrth").

The slip is printed by the real device worker to a capture file and read back with the suite's
ESC/POS decoder (each user-defined letter read by its dots); the email goes through a loopback
SMTP server (aiosmtpd) and the text through the loopback Notify.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oss_desk.clock import FixedClock
from oss_desk.domain.welsh import NASAL, in_place, nasal_mutation, soft_mutation
from oss_desk.domain.wording import ENGLISH, Untranslated, Wording, check_catalog
from oss_desk.services.wording import builtin_welsh

from .cli_here import run_cli_here
from .conftest import Cli, make_db
from .followups_site import office_toml, run_json
from .messaging import API_KEY, NotifyServer, SmtpServer
from .test_welsh import read, texts

NOW = "2026-11-23T10:00:00Z"  # Monday 23 November 2026

WELSH = {
    'name = "Test Council"': 'name = "Test Council"\nname_cy = "Cyngor Prawf"',
    'name = "Civic Centre"': 'name = "Civic Centre"\nname_cy = "Canolfan Ddinesig"',
    'label = "Housing"': 'label = "Housing"\nlabel_cy = "Tai"',
}


def welsh_office(tmp_path: Path, smtp: SmtpServer, notify: NotifyServer) -> Path:
    key = tmp_path / "notify.key"
    key.write_text(API_KEY + "\n")
    toml = office_toml(
        nation="WLS",
        printer=f"capture://{tmp_path}/paper.bin",
        extra=(
            f'[email]\nsmtp_url = "{smtp.url}"\nfrom_address = "desk@test.example"\n'
            f'[notify]\nbase_url = "{notify.url}"\napi_key_file = "{key}"\n'
            'sms_template = "22222222-2222-2222-2222-222222222222"\ntimeout = 1\n'
        ),
    )
    for old, new in WELSH.items():
        assert old in toml
        toml = toml.replace(old, new, 1)
    return make_db(tmp_path, toml)


def refer(cli: Cli, *extra: str) -> dict[str, Any]:
    made: dict[str, Any] = run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "H"),
        *("--back-office", "housing", "--name", "Pat Resident", *extra),
        now=NOW,
    )
    return made


def worker_once(db: Path) -> None:
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": NOW}
    done = run_cli_here("worker", "--once", "--json", env=env)  # the entry point, in this process
    assert done.returncode == 0, done.stderr


def test_a_welsh_offices_referral_slip_email_and_text_are_welsh_first(
    tmp_path: Path, smtp: SmtpServer, notify: NotifyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = welsh_office(tmp_path, smtp, notify)
    cli = Cli(db, monkeypatch)
    assert refer(cli, "--desk", "greet-1")["print_job"] is not None
    refer(cli, "--send-by", "email", "--email", "pat@example.org")
    refer(cli, "--send-by", "text", "--phone", "07700 900888")
    worker_once(db)

    shown = texts(read((tmp_path / "paper.bin").read_bytes()))
    assert shown[:6] == [
        "Cyngor Prawf",
        "Test Council",
        "Eich atgyfeiriad",
        "Your referral",
        "Tai",
        "Housing",
    ]
    for welsh, english in [
        ("Wedi'i basio i'r tîm ar ddydd Llun 23", "Passed to the team on Monday 23"),
        ("Swyddfa: Canolfan Ddinesig", "at Civic Centre"),
        ("Disgwyliwch ateb erbyn", "Expect an answer by"),
        ("Dydd Iau 26 Tachwedd 2026", "Thursday 26 November 2026"),
        ("Dyfynnwch y cyfeirnod hwn", "Please quote"),
        ("Does dim angen i chi wneud dim", "You do not need to do anything"),
        ("Does dim manylion personol ar y", "This slip carries no personal"),
    ]:
        w = next(i for i, t in enumerate(shown) if t.startswith(welsh))
        e = next(i for i, t in enumerate(shown) if t.startswith(english))
        assert w < e, (welsh, english)  # Welsh first
    assert "R-0001" in shown

    [mail] = smtp.mailbox.messages
    # Exactly as set (it was folded right after "Subject:", and read back with a space first).
    assert mail["Subject"] == (
        "Eich atgyfeiriad: dyfynnwch R-0002 / Your referral: please quote R-0002"
    )
    part = mail.get_body(("plain",))
    assert part is not None
    body = str(part.get_content()).replace("\r\n", "\n")
    welsh_half, english_half = body.split("\n\nYour referral.\n")
    assert welsh_half.startswith("Eich atgyfeiriad.\n")
    assert (
        "Rydym wedi pasio eich ymholiad Tai i'r tîm ar ddydd Llun 23 Tachwedd 2026." in welsh_half
    )
    assert "Disgwyliwch ateb erbyn dydd Iau 26 Tachwedd 2026." in welsh_half
    assert welsh_half.rstrip().endswith("Cyngor Prawf")
    assert "We passed your Housing enquiry to the team on Monday 23 November 2026." in english_half
    assert english_half.rstrip().endswith("Test Council")

    [sms] = notify.state.sent
    text = sms["personalisation"]["body"]
    assert text.index("Eich atgyfeiriad: Tai, wedi'i basio i'r tîm ar ddydd Llun") < text.index(
        "Your referral: Housing, passed to the team on Monday 23 November 2026."
    )
    assert "Pat" not in json.dumps(sms) and "Resident" not in json.dumps(sms)


# The soft mutation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "mutated"),
    [
        ("Desg 2", "Ddesg 2"),
        ("dydd Mawrth", "ddydd Mawrth"),
        ("Canolfan", "Ganolfan"),
        ("Porth", "Borth"),
        ("Tŷ Penallta", "Dŷ Penallta"),
        ("Gorsaf", "Orsaf"),
        ("Gwasanaethau", "Wasanaethau"),
        ("Blaen", "Flaen"),
        ("Llyfrgell", "Lyfrgell"),
        ("Mynedfa", "Fynedfa"),
        ("Rhif 3", "Rif 3"),
        ("Chwith", "Chwith"),  # ch, th, ph are letters of their own
        ("Theatr", "Theatr"),
        ("Ystafell 1", "Ystafell 1"),  # vowels, s, n... do not change
        ("Swyddfa", "Swyddfa"),
        ("3", "3"),
    ],
)
def test_the_soft_mutation(word: str, mutated: str) -> None:
    assert soft_mutation(word) == mutated


def welsh_wording() -> Wording:
    return Wording(("cy", "en"), {"cy": builtin_welsh(), "en": ENGLISH})


def test_a_desk_is_mutated_after_i_and_a_day_after_ar() -> None:
    from datetime import date

    wording = welsh_wording()
    assert wording.say("text.called", code="T001", desk="Desg 2") == (
        "T001: ewch i Ddesg 2 nawr, os gwelwch yn dda.",
        "T001: please go to Desg 2 now.",
    )
    assert wording.one("cy", "phone.called", desk="Desg 2").startswith("Ewch i Ddesg 2 nawr")
    day = wording.date("cy", date(2026, 12, 8))
    assert day == "Dydd Mawrth 8 Rhagfyr 2026"  # on a line of its own: as it was
    said = wording.one("cy", "message.cancelled", label="Tai", day=day, time="11:00")
    assert said == "Mae eich apwyntiad Tai ar ddydd Mawrth 8 Rhagfyr 2026 am 11:00 wedi'i ganslo."
    # A desk with no Welsh name is said as configured in the Welsh half too: never "Ddesk".
    (english_only,) = wording.names("Desk 2", None)
    assert isinstance(english_only, Untranslated)
    assert wording.one("cy", "text.called", code="T001", desk=english_only) == (
        "T001: ewch i Desk 2 nawr, os gwelwch yn dda."
    )


def test_a_councils_file_with_an_unknown_format_is_refused() -> None:
    assert check_catalog({"text.called": "{code}: ewch i {desk:meddal} nawr"}, "cy.toml") == [
        "cy.toml: text.called: {desk:meddal}: unknown format 'meddal' (use lower, soft or yn, "
        "joined by +)"
    ]
    assert check_catalog({"text.called": "{code}: ewch i {desk:soft} nawr"}, "cy.toml") == []


def test_a_welsh_turn_text_and_phone_page_mutate_the_desk(tmp_path: Path) -> None:
    """Through the real services of a Welsh office whose desk is "Desg 1" in Welsh."""
    from oss_desk.services.queue import QueueService
    from oss_desk.services.resident import desk_names
    from oss_desk.services.session import open_session
    from oss_desk.services.turn_texts import TurnTexts
    from oss_desk.services.wording import record_wording

    from .appointments_site import NOW as MONDAY
    from .test_welsh import office, welsh_toml

    toml = welsh_toml().replace('name = "Desk 1"', 'name = "Desk 1"\nname_cy = "Desg 1"', 1)
    db = office(tmp_path, toml)
    session = open_session(db=db, clock=FixedClock(MONDAY), person="tl", desk_id="desk-1")
    try:
        queue = QueueService(session)
        queue.issue("C")
        called = queue.call_next("desk-1")
        assert called is not None
        text = TurnTexts(session).compose("called", called)
        # A desk no longer configured is named by its id: never mutated as a Welsh word.
        wording = record_wording(session, "hq")
        (gone,) = desk_names(session, wording, "desk-9")
        assert wording.one("cy", "text.called", code="C001", desk=gone).startswith(
            "C001: ewch i desk-9 nawr"
        )
    finally:
        session.close()
    assert text.sms.splitlines() == [
        f"{called.code}: ewch i Ddesg 1 nawr, os gwelwch yn dda.",
        f"{called.code}: please go to Desk 1 now.",
    ]


def test_a_referral_slip_stored_before_prints_as_it_did() -> None:
    """A print job queued by an older release holds no phrases: it prints its English fields."""
    from oss_desk.domain.printouts import from_payload
    from oss_desk.hardware.templates import render

    old = {
        "council": "Test Council",
        "site": "Civic Centre",
        "service": "Housing",
        "reference": "R-0007",
        "expect_by": "Thursday 26 November 2026",
        "date": "Monday 23 November 2026",
        "change_line": "You need not do anything else: the team will be in touch.",
        "large_print": False,
    }
    shown = texts(read(render(from_payload("referral_slip", old))))
    assert shown[:3] == ["Test Council", "Your referral", "Housing"]
    assert shown[3].startswith("Passed to the team on Monday")
    for line in ("at Civic Centre", "Thursday 26 November 2026", "R-0007"):
        assert line in shown
    assert shown[-1] == "This slip carries no personal details."


# The nasal mutation after "yn" ("in") -----------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "said"),
    [
        ("Caerdydd", "yng Nghaerdydd"),
        ("Bangor", "ym Mangor"),
        ("Pen-y-bont", "ym Mhen-y-bont"),
        ("Treorci", "yn Nhreorci"),
        ("Dinbych", "yn Ninbych"),
        ("Gwynedd", "yng Ngwynedd"),
        ("Tŷ Penallta", "yn Nhŷ Penallta"),
        ("Merthyr Tudful", "ym Merthyr Tudful"),  # m is not mutated, but takes "ym"
        ("Abertawe", "yn Abertawe"),  # vowels, ll, rh, s, n... do not change
        ("Llanelli", "yn Llanelli"),
        ("Rhyl", "yn Rhyl"),
        ("Chwilog", "yn Chwilog"),  # ch, th, ph are letters of their own
        ("Theatr y Werin", "yn Theatr y Werin"),
    ],
)
def test_in_a_place_takes_the_nasal_mutation(place: str, said: str) -> None:
    assert in_place(place) == said


@given(st.text(alphabet="aeiouwyABCDEGHLMNPRSTchlnrst -'ŷŵ", min_size=1, max_size=12))
def test_the_nasal_mutation_changes_the_initial_only(word: str) -> None:
    """Only the first letter changes, by the table, and only c p t g b d (not ch th ph)."""
    mutated = nasal_mutation(word)
    if word.lower().startswith(("ch", "th", "ph")) or word[0].lower() not in "cptgbd":
        assert mutated == word
        return
    new = dict(NASAL)[word[0].lower()]
    assert mutated.lower() == new + word[1:].lower()
    assert mutated[len(new) :] == word[1:] and mutated[0].isupper() == word[0].isupper()
    said = in_place(word)
    assert said.endswith(" " + mutated)
    word_for = {"ngh": "yng", "mh": "ym", "nh": "yn", "ng": "yng", "m": "ym", "n": "yn"}
    assert said.split(" ")[0] == word_for[new]


def test_a_feedback_text_says_in_the_office_with_the_nasal_mutation() -> None:
    """trial (Welsh office): "Sut wnaethon ni yn Tŷ Penallta" read wrong; "yn Nhŷ Penallta"."""
    wording = welsh_wording()
    assert wording.say("text.feedback", office="Tŷ Penallta")[0] == (
        "Sut wnaethon ni yn Nhŷ Penallta heddiw? Dywedwch wrthym, o 1 i 5:"
    )
    assert wording.one("cy", "text.feedback_yesterday", office="Caerdydd").startswith(
        "Sut wnaethon ni yng Nghaerdydd ddoe?"
    )
    # An office with no Welsh name: "yn" and the name as it is, never mutated.
    (english_only,) = wording.names("Penallta House", None)
    assert wording.one("cy", "text.feedback_on", office=english_only, day="Dydd Llun").startswith(
        "Sut wnaethon ni yn Penallta House ar ddydd Llun?"
    )
    assert check_catalog({"text.feedback": "Sut wnaethon ni {office:yn}?"}, "cy.toml") == []
