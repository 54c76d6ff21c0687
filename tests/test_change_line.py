"""trial12 C1: the default "To change or cancel, contact the council ..." line stayed English in
the Welsh half of every slip and message, gave no way to reach the council, and ended the
cancellations too; a council cancellation read as if the resident had cancelled. Now oss-desk's
own default comes in both languages, `init` and `doctor` say while it is in force, a
cancellation carries no such line, and the council's own cancellation says so, and sorry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.hardware.templates import render
from oss_desk.services.messages import compose

from .appointments_site import NOW, office_toml, service_at
from .conftest import Cli
from .test_welsh import office, read, texts, welsh_toml

WELSH = "I newid neu ganslo, cysylltwch â'r cyngor a dyfynnwch eich cyfeirnod archebu."
ENGLISH = "To change or cancel, contact the council and quote your booking reference."


def test_the_default_line_in_welsh_and_never_on_a_cancellation(tmp_path: Path) -> None:
    db = office(tmp_path, welsh_toml(printer=f"capture://{tmp_path}/paper.bin"))
    appointments, session = service_at(db, FixedClock(NOW))
    try:
        start = (NOW + timedelta(days=1)).replace(hour=10, minute=0)
        appt = appointments.book("C", start, channel="slip", adviser="ana")
        shown = texts(read(render(appointments.slip(appt))))
        booked = compose(session, appt, "confirmation")
        by_council = appointments.cancel(appt.ref, "council", "adviser off sick")
        council = compose(session, by_council, "cancellation")
        other = appointments.book("C", start + timedelta(hours=1), channel="slip", adviser="ana")
        resident = compose(session, appointments.cancel(other.ref, "resident"), "cancellation")
    finally:
        session.close()
    # The slip and the confirmation: the Welsh line in the Welsh half, then the English.
    said = " ".join(shown)
    assert "I newid neu ganslo" in said and said.index("I newid") < said.index("To change")
    assert booked.body.index(WELSH) < booked.body.index(ENGLISH)
    assert booked.sms.index(WELSH) < booked.sms.index(ENGLISH)
    # A cancellation cannot be changed: no such line, by email or text.
    for message in (council, resident):
        for words in (WELSH, ENGLISH, "To change or cancel", "I newid neu ganslo"):
            assert words not in message.body and words not in message.sms
    # The council's says it was the council, and sorry; the resident's does not.
    assert "We are sorry: we have had to cancel your Council Tax appointment on" in council.body
    assert "Mae'n ddrwg gennym: bu'n rhaid i ni ganslo eich apwyntiad" in council.body
    assert "Sorry, we have had to cancel Council Tax, " in council.sms
    assert "sorry" not in resident.body.lower() and "Sorry" not in resident.sms
    assert "Your Council Tax appointment on " in resident.body
    # Each says how to book again, by text as by email, in Welsh and English (an appointments
    # adviser's trial, finding 7: the council's cancellation text said only "sorry").
    rebook = "If you still need help, please contact us to book another time."
    rebook_cy = "Os oes angen help arnoch o hyd, cysylltwch â ni i drefnu amser arall."
    for message in (council, resident):
        for words in (rebook, rebook_cy):
            assert words in message.body and words in message.sms, message.sms
        assert message.sms.index(rebook_cy) < message.sms.index(rebook)


def test_init_and_doctor_say_while_the_default_is_in_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "office.toml"
    config.write_text(office_toml())
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    first = cli("init", "--config", str(config))
    assert first.code == 0, first.err
    warning = "appointments.change_line is the default, which gives residents no way to reach"
    assert warning in first.out + first.err
    (line,) = [x for x in cli("doctor").out.splitlines() if "booking channels:" in x]
    assert line.startswith("warn") and warning in line
    set_up = '[appointments]\nchange_line = "To change or cancel, call 01632 960000."\n'
    config.write_text(office_toml().replace("[appointments]\n", set_up, 1))
    second = cli("init", "--config", str(config))
    assert second.code == 0, second.err
    assert warning not in second.out + second.err
    assert warning not in cli("doctor").out
