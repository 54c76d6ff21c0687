"""A Welsh office: tickets and slips Welsh first, then English, with ŵ and ŷ really printed.

The printouts are built by the services from a real office database, rendered to ESC/POS and
read back by the suite's own decoder; each user-defined character is read as a letter by
comparing its dots with a typeface (``tests/glyph_ocr.py``). An English office is unchanged.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.printouts import from_payload, to_payload
from oss_desk.errors import ConfigError
from oss_desk.hardware.templates import render
from oss_desk.services.printouts import ticket_printout
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise

from .appointments_site import NOW, office_toml, service_at
from .escpos_decoder import USER_CHAR_BASE, Line, Unknown, Warning, decode, lines
from .glyph_ocr import read_glyph

WELSH_NAMES = {
    'name = "Test Council"': 'name = "Test Council"\nname_cy = "Cyngor Prawf"',
    'name = "Civic Centre"': 'name = "Penallta House"\nname_cy = "Tŷ Penallta"',
    'address = "Market Street, Testtown"': (
        'address = "Market Street, Testtown"\naddress_cy = "Stryd y Farchnad, Trefbrawf"'
    ),
    'nation = "ENG"': 'nation = "WLS"',
    'checklist = ["Your bill", "Photo ID"]': (
        'checklist = ["Your bill", "Photo ID"]\n'
        'checklist_cy = ["Eich bil", "Prawf adnabod â llun"]\nlabel_cy = "Treth y Cyngor"'
    ),
    'name = "Waste"': 'name = "Waste"\nlabel_cy = "Gwastraff a dŵr"',
    'name = "Interview room 1"': 'name = "Interview room 1"\nname_cy = "Ystafell gyfweld 1"',
}


def welsh_toml(extra: str = "", printer: str = "") -> str:
    text = office_toml(extra=extra, printer=printer)
    for old, new in WELSH_NAMES.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


def office(tmp_path: Path, toml: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = tmp_path / "office.toml"
    config.write_text(toml, encoding="utf-8")
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(NOW), config_path=config)
    return db


def read(data: bytes) -> list[Line]:
    """The printed lines, each user-defined character read as a letter."""
    events = decode(data)
    assert [e for e in events if isinstance(e, Unknown | Warning)] == []
    printed = []
    for line in lines(events):
        text = "".join(
            read_glyph(line.glyphs[i]) if ord(ch) >= USER_CHAR_BASE else ch
            for i, ch in enumerate(line.text)
        )
        if text:
            printed.append(Line(text, line.align, line.width, line.height, line.bold))
    return printed


def issue(db: Path, service: str = "W") -> bytes:
    session = open_session(db=db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    try:
        queue = QueueService(session)
        queue.issue("C")
        ticket = queue.issue(service).ticket
        return render(ticket_printout(session, ticket))
    finally:
        session.close()


def texts(printed: list[Line]) -> list[str]:
    return [ln.text for ln in printed]


def test_a_welsh_offices_ticket(tmp_path: Path) -> None:
    printed = read(issue(office(tmp_path, welsh_toml())))
    assert texts(printed)[:4] == ["Cyngor Prawf", "Test Council", "Tŷ Penallta", "Penallta House"]
    label = [ln for ln in printed if ln.text in ("Gwastraff a dŵr", "Waste")]
    assert [ln.text for ln in label] == ["Gwastraff a dŵr", "Waste"]
    assert all((ln.width, ln.bold) == (2, True) for ln in label)
    shown = texts(printed)
    for welsh, english in [
        ("Rhoddwyd 10:00", "Issued 10:00"),
        ("1 person o'ch blaen", "1 person ahead of you"),
        ("Gwyliwch y bwrdd am eich rhif.", "Please watch the board for your number."),
        ("Does dim manylion personol ar y tocyn", "This ticket carries no personal details."),
    ]:
        w = next(i for i, t in enumerate(shown) if t.startswith(welsh))
        e = next(i for i, t in enumerate(shown) if t.startswith(english))
        assert w < e, (welsh, english)  # Welsh first


def test_a_welsh_offices_slip(tmp_path: Path) -> None:
    db = office(tmp_path, welsh_toml(printer=f"capture://{tmp_path}/paper.bin"))
    clock = FixedClock(NOW)
    appointments, session = service_at(db, clock)
    try:
        start = (NOW + timedelta(days=1)).replace(hour=10, minute=0)  # Tuesday 24 November
        appt = appointments.book("C", start, channel="slip", adviser="ana")
        slip = appointments.slip(appt)
    finally:
        session.close()
    assert from_payload("appointment_slip", to_payload(slip)) == slip  # stored as a print job
    shown = texts(read(render(slip)))
    expected = [
        "Cyngor Prawf",
        "Test Council",
        "Eich apwyntiad",
        "Your appointment",
        "Treth y Cyngor",
        "Council Tax",
        "Dydd Mawrth 24 Tachwedd 2026",
        "Tuesday 24 November 2026",
        "am 10:00",
        "at 10:00",
        "Tŷ Penallta, Stryd y Farchnad, Trefbrawf",
        "Penallta House, Market Street, Testtown",
    ]
    assert shown[: len(expected)] == expected
    assert "Dewch â'r canlynol:" in shown and shown.index("Dewch â'r canlynol:") < shown.index(
        "Please bring:"
    )
    assert shown.index("- Prawf adnabod â llun") + 1 == shown.index("  Photo ID")
    assert shown.index("Cyfeirnod archebu") < shown.index("Booking reference")


def test_the_impact_printer_draws_the_welsh_letters_too(tmp_path: Path) -> None:
    db = office(tmp_path, welsh_toml())
    session = open_session(db=db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    try:
        ticket = QueueService(session).issue("W").ticket
        data = render(ticket_printout(session, ticket), "TM-U220")
    finally:
        session.close()
    events = decode(data)
    site = next(ln for ln in lines(events) if ln.text.startswith("T") and ln.glyphs)
    (glyph,) = site.glyphs.values()
    assert len(glyph) == 16  # y = 2 bytes: 9 dots used
    dots = ["".join("#" if d else "." for d in row) for row in glyph[:9]]
    assert dots[0].index("#") == 5 and dots[1].count("#") == 2  # a circumflex on top
    assert all("##" not in row for row in dots)  # no two dots side by side on an impact head
    assert all(not any(row) for row in glyph[9:])


def test_an_english_office_is_unchanged(tmp_path: Path) -> None:
    db = office(tmp_path, office_toml())
    printed = texts(read(issue(db)))
    assert printed[:2] == ["Test Council", "Civic Centre"]
    assert not any("Rhoddwyd" in t or "Gwyliwch" in t for t in printed)


def test_cy_en_outside_wales_and_en_in_wales(tmp_path: Path) -> None:
    toml = office_toml().replace('nation = "ENG"', 'nation = "ENG"\nlanguage = "cy+en"')
    assert "Gwyliwch y bwrdd am eich rhif." in texts(read(issue(office(tmp_path / "a", toml))))
    toml = welsh_toml().replace('nation = "WLS"', 'nation = "WLS"\nlanguage = "en"')
    assert "Gwyliwch y bwrdd am eich rhif." not in texts(read(issue(office(tmp_path / "b", toml))))


def test_a_council_corrects_the_welsh(tmp_path: Path) -> None:
    corrections = tmp_path / "cy.toml"
    corrections.write_text('"ticket.watch" = "Edrychwch ar y sgrin am eich rhif."\n', "utf-8")
    toml = welsh_toml(extra=f'[texts]\nwelsh_file = "{corrections}"\n')
    shown = texts(read(issue(office(tmp_path, toml))))
    assert "Edrychwch ar y sgrin am eich rhif." in shown
    assert "Gwyliwch y bwrdd am eich rhif." not in shown
    assert "Rhoddwyd 10:00" in shown  # the rest as shipped


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('"ticket.wach" = "x"\n', "unknown text 'ticket.wach'"),
        ('"ticket.wait" = "Arhoswch {munud}"\n', "unknown placeholder {munud}"),
        ('"ticket.wait" = 5\n', "give the text as a string"),
        ("not toml", "not a TOML file of texts"),
    ],
)
def test_a_mistake_in_the_councils_file_is_one_line_at_init(
    tmp_path: Path, content: str, message: str
) -> None:
    corrections = tmp_path / "cy.toml"
    corrections.write_text(content, "utf-8")
    config = tmp_path / "office.toml"
    config.write_text(welsh_toml(extra=f'[texts]\nwelsh_file = "{corrections}"\n'), "utf-8")
    with pytest.raises(ConfigError, match=message):
        initialise(tmp_path / "office.sqlite", clock=FixedClock(NOW), config_path=config)


def test_a_welsh_offices_messages_are_welsh_first(tmp_path: Path) -> None:
    from oss_desk.services.messages import compose, email_html

    db = office(tmp_path, welsh_toml(printer=f"capture://{tmp_path}/paper.bin"))
    appointments, session = service_at(db, FixedClock(NOW))
    try:
        start = (NOW + timedelta(days=1)).replace(hour=10, minute=0)
        appt = appointments.book("C", start, channel="slip", adviser="ana")
        composed = compose(session, appt, "confirmation")
        cancelled = compose(session, appt, "cancellation")
    finally:
        session.close()
    body = composed.body
    assert body.startswith("Mae eich apwyntiad wedi'i drefnu.")
    assert body.index("Pryd:   Dydd Mawrth 24 Tachwedd 2026 am 10:00") < body.index(
        "When:   Tuesday 24 November 2026 at 10:00"
    )
    assert "Ble:    Tŷ Penallta, Stryd y Farchnad, Trefbrawf" in body
    assert "  - Prawf adnabod â llun" in body and "  - Photo ID" in body
    assert composed.sms.index("Treth y Cyngor, Dydd Mawrth") < composed.sms.index(
        "Council Tax, Tuesday"
    )
    assert composed.subject.startswith("Mae eich apwyntiad wedi'i drefnu: Dydd Mawrth")
    assert cancelled.body.startswith("Mae eich apwyntiad wedi'i ganslo.")
    assert appt.ref in cancelled.sms
    # The email's QR code (tests/test_messages.py) is said beside it Welsh first, then English.
    assert composed.qr == f"OSSD-A:{appt.ref}" and cancelled.qr is None
    assert composed.qr_caption == (
        "Dangoswch y cod hwn wrth y ddesg pan fyddwch yn cyrraedd.",
        f"Cyfeirnod archebu: {appt.ref}",
        "Show this code at the desk when you arrive.",
        f"Booking reference: {appt.ref}",
    )
    page = email_html(composed, "qr.x@oss-desk")
    assert page.index("Mae eich apwyntiad") < page.index('src="cid:qr.x@oss-desk"')
    assert page.index("cid:qr.x@oss-desk") < page.index("Dangoswch") < page.index("Show this")


def test_a_welsh_offices_calendar_invitation_is_welsh_first(tmp_path: Path) -> None:
    """The .ics of a confirmation and a cancellation (a trial's finding: its title and place
    were English only, under a Welsh-first description); an English office's is unchanged."""
    from icalendar import Calendar

    from oss_desk.services.messages import compose

    def event(db: Path) -> list[tuple[str, str]]:
        appointments, session = service_at(db, FixedClock(NOW))
        try:
            start = (NOW + timedelta(days=1)).replace(hour=10, minute=0)
            appt = appointments.book("C", start, channel="slip", adviser="ana")
            said = [compose(session, appt, kind).ics for kind in ("confirmation", "cancellation")]
        finally:
            session.close()
        found = []
        for ics in said:
            assert ics is not None
            (vevent,) = Calendar.from_ical(ics).walk("VEVENT")
            found.append((str(vevent["summary"]), str(vevent["location"])))
        return found

    paper = f"capture://{tmp_path}/paper.bin"
    welsh = event(office(tmp_path / "cy", welsh_toml(printer=paper)))
    assert welsh == 2 * [
        (
            "Cyngor Prawf: apwyntiad Treth y Cyngor / Test Council: Council Tax appointment",
            "Tŷ Penallta, Stryd y Farchnad, Trefbrawf / Penallta House, Market Street, Testtown",
        )
    ]
    english = event(office(tmp_path / "en", office_toml(printer=paper)))
    assert english == 2 * [
        ("Test Council: Council Tax appointment", "Civic Centre, Market Street, Testtown")
    ]


def test_a_welsh_offices_ticket_printed_after_its_call_sends_to_the_desk(tmp_path: Path) -> None:
    """A ticket whose paper prints after its resident was called (the printer was down) sends
    them to the desk in each language, Welsh first, as the phone page does."""
    db = office(tmp_path, welsh_toml())
    session = open_session(db=db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    try:
        queue = QueueService(session)
        ticket = queue.issue("C").ticket
        called = queue.call(ticket.code, "room-1")
        shown = texts(read(render(ticket_printout(session, called))))
    finally:
        session.close()
    welsh = next(i for i, t in enumerate(shown) if t.startswith("Ewch i Ystafell gyfweld 1 nawr"))
    english = next(i for i, t in enumerate(shown) if t.startswith("Please go to Interview room"))
    assert welsh < english
    assert not any(t.startswith(("Gwyliwch", "Please watch")) for t in shown)
