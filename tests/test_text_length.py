"""Every text oss-desk builds for a resident fits one GOV.UK Notify message (trial12 C5).

Notify documents a limit of 918 characters a text. For each service that takes appointments, in
the demo office and in a bilingual Welsh office with long, realistic names, address and "to
change or cancel" lines, the confirmation, the reminder, the change notice (with the time it
was) and the cancellation are composed from real bookings in a real database, as the device
worker composes them, with the heading Notify's template puts above the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import hypothesis
import pytest
from hypothesis import strategies as st

from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import Appointment
from oss_desk.domain.outgoing import (
    TEXT_LIMIT,
    change_line_room,
    fitted,
    fitting,
    joined,
    text_length,
)
from oss_desk.services.messages import compose
from oss_desk.services.session import Session

from .appointments_site import service_at
from .conftest import Cli, make_db
from .test_welsh import welsh_toml

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
PHONE = "07700 900123"

LONG_WELSH = {
    "[appointments]\n": (
        "[appointments]\n"
        'change_line = "To change or cancel, call 01632 960000 or visit '
        'trialshire.gov.uk/appointments and quote your booking reference."\n'
        'change_line_cy = "I newid neu ganslo, ffoniwch 01632 960000 neu ewch i '
        'trialshire.gov.uk/apwyntiadau a rhowch eich cyfeirnod archebu."\n'
    ),
    # The checklist as the demo's: a text that carried it twice would be over the limit.
    'checklist = ["Your bill", "Photo ID"]\nchecklist_cy = ["Eich bil", "Prawf adnabod â llun"]': (
        'checklist = ["Your Council Tax bill or account number", '
        '"Photo ID (passport or driving licence)", '
        '"Proof of address dated within the last 3 months"]\n'
        'checklist_cy = ["Eich bil Treth y Cyngor neu rif eich cyfrif", '
        '"Prawf adnabod â llun (pasbort neu drwydded yrru)", '
        "\"Prawf o'ch cyfeiriad o'r 3 mis diwethaf\"]"
    ),
    'name = "Test Council"': 'name = "Trialshire County Borough Council"',
    'name_cy = "Cyngor Prawf"': 'name_cy = "Cyngor Bwrdeistref Sirol Trialshire"',
    'name = "Penallta House"': 'name = "Civic Centre One Stop Shop"',
    'name_cy = "Tŷ Penallta"': 'name_cy = "Siop Un Stop y Ganolfan Ddinesig"',
    'address = "Market Street, Testtown"': (
        'address = "Civic Centre, Castle Street, Trialtown TR1 2AB"'
    ),
    'address_cy = "Stryd y Farchnad, Trefbrawf"': (
        'address_cy = "Y Ganolfan Ddinesig, Stryd y Castell, Trefbrawf TR1 2AB"'
    ),
    'label = "Housing"': (
        'label = "Travel passes and Blue Badges"\nlabel_cy = "Pasys bws a Bathodyn Glas"'
    ),
}


def welsh_office(tmp_path: Path) -> Path:
    phone = f'[notify]\nbase_url = "capture://{tmp_path}/texts.txt"\n'  # texts set up
    toml = welsh_toml(extra=phone, printer=f"capture://{tmp_path}/paper.bin")
    for old, new in LONG_WELSH.items():
        assert old in toml, old
        toml = toml.replace(old, new, 1)
    return make_db(tmp_path, toml)


def longest_text(db: Path, desk: str, person: str) -> tuple[int, str]:
    """The longest text (its length as Notify counts it, and the text) of every kind of
    appointment message for every service that takes appointments."""
    clock = FixedClock(MONDAY)
    svc, session = service_at(db, clock, desk=desk, person=person)
    found: list[tuple[int, str]] = []
    try:
        codes = [s.code for s in session.directory.services.values() if s.appointment_minutes]
        assert codes
        for code in codes:
            first, *later = svc.slots(code, days=14, limit=40)
            second = next(slot for slot in later if slot.start != first.start)
            # By text: the texts carry the checklist (no email or slip says it).
            appt = svc.book(code, first.start, channel="text", phone=PHONE)
            kinds = [compose(session, appt, kind) for kind in ("confirmation", "reminder")]
            moved = svc.move(appt.ref, second.start)
            kinds.append(compose(session, moved, "change"))
            kinds.append(compose(session, moved, "cancellation"))
            found += [(text_length(m.heading, m.sms), m.sms) for m in kinds]
    finally:
        session.close()
    return max(found)


@pytest.mark.parametrize("office", ["demo", "welsh"])
def test_the_longest_appointment_text_fits_one_notify_message(tmp_path: Path, office: str) -> None:
    if office == "demo":
        length, text = longest_text(make_db(tmp_path), "greet-1", "amina")
    else:
        length, text = longest_text(welsh_office(tmp_path), "greet-1", "tl")
        assert "Mae eich apwyntiad" in text and "Your appointment" in text  # bilingual
    print(f"{office}: the longest text is {length} characters")
    assert length <= TEXT_LIMIT, (length, text)


def test_a_text_too_long_with_the_address_goes_without_it() -> None:
    heading = "H" * 18
    full, short = "x" * 900, "x" * 700
    assert text_length(heading, full) > TEXT_LIMIT
    assert fitting(heading, full, short) == short
    assert fitting(heading, short, "x") == short


LETTERS = st.sampled_from(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;'-/()âêîôûŵŷ"
)
CHANGE_LINES = (
    st.integers(1, 200)  # appointments.change_line and change_line_cy: 200 characters at most
    .flatmap(lambda n: st.text(alphabet=LETTERS, min_size=n, max_size=n))
    .filter(str.strip)
)


@pytest.fixture(scope="module")
def welsh_bookings(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Session, list[Appointment]]]:
    """The bilingual office with long names: one booking as made and one moved (the change
    notice says the time it was)."""
    db = welsh_office(tmp_path_factory.mktemp("welsh"))
    svc, session = service_at(db, FixedClock(MONDAY), desk="greet-1", person="tl")
    booked = svc.book("H", svc.slots("H", days=14, limit=1)[0].start, channel="text", phone=PHONE)
    other = svc.book("H", svc.slots("H", days=14, limit=1)[0].start, channel="text", phone=PHONE)
    free = svc.slots("H", days=14, limit=40)
    moved = svc.move(other.ref, next(s for s in free if s.start != other.starts_at).start)
    yield session, [booked, moved]
    session.close()


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(english=CHANGE_LINES, welsh=CHANGE_LINES)
@hypothesis.example(english="To change or cancel, call 01632 960000. " * 5, welsh="Ŵ" * 200)
def test_every_text_fits_whatever_change_lines_the_office_sets(
    welsh_bookings: tuple[Session, list[Appointment]], english: str, welsh: str
) -> None:
    """Whatever "to change or cancel" lines a bilingual office sets (each up to the 200
    characters the configuration allows), every kind of text fits one Notify message: the
    lines are cut short, ending "...", as far as they must be, and never the rest (the
    time, the place, the reference)."""
    session, (booked, moved) = welsh_bookings
    stored = session.settings
    lines = {"change_line": english, "change_line_cy": welsh}
    session.settings = stored.model_copy(
        update={"appointments": stored.appointments.model_copy(update=lines)}
    )
    try:
        for appt, kind in [
            (booked, "confirmation"),
            (booked, "reminder"),
            (moved, "change"),
            (moved, "cancellation"),
        ]:
            text = compose(session, appt, kind)
            assert text_length(text.heading, text.sms) <= TEXT_LIMIT, (kind, text.sms)
            assert f"Cyf {appt.ref}." in text.sms and f"Ref {appt.ref}." in text.sms
            assert "See your email or slip" not in text.sms  # none went: booked by text
            if kind != "cancellation":  # what to bring, in both languages (cut short or whole)
                assert "Dewch â: " in text.sms and "Bring: " in text.sms, text.sms
            if kind != "cancellation" and english in text.sms and welsh in text.sms:
                continue  # they fit whole
            if kind != "cancellation":
                assert "..." in text.sms, text.sms
    finally:
        session.settings = stored


def long_lines_office(tmp_path: Path, english: str, welsh: str) -> Path:
    """The bilingual office with long names, its "to change or cancel" lines ``english`` and
    ``welsh``, as a configuration file ``init`` loads."""
    toml = welsh_toml(printer=f"capture://{tmp_path}/paper.bin")
    for old, new in LONG_WELSH.items():
        toml = toml.replace(old, new, 1)
    lines = f'change_line = "{english}"\nchange_line_cy = "{welsh}"\n'
    toml = re.sub(r"change_line = .*\nchange_line_cy = .*\n", lines, toml, count=1)
    config = tmp_path / "office.toml"
    config.write_text(toml, encoding="utf-8")
    return config


def init_warnings(cli: Cli, config: Path) -> list[str]:
    done = cli("init", "--config", str(config))
    assert done.code == 0, done.err
    return [line for line in (done.out + done.err).splitlines() if "to change or cancel" in line]


def test_init_warns_of_change_lines_a_bilingual_text_would_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines of the 200 characters the configuration allows, in the bilingual office with
    long names: init loads the office (exit 0) and warns, on one line, that texts cut them,
    naming each setting and how many characters each may have. Lines of that many characters
    load with no warning, and their change notice carries them whole; one more, and the
    warning is back."""
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    english, welsh = "To change or cancel call 01632 960000. " * 6, "I newid neu ganslo. " * 10
    (warning,) = init_warnings(cli, long_lines_office(tmp_path, english[:200], welsh[:200]))
    assert warning.startswith("Warning: texts will cut"), warning
    room = int(re.search(r"has room for (\d+) characters of each", warning)[1])  # type: ignore[index]
    assert "appointments.change_line has 200" in warning, warning
    assert "appointments.change_line_cy has 200" in warning, warning
    assert 0 < room < 200, warning
    fit = long_lines_office(tmp_path, english[:room].strip(), welsh[:room].strip())
    assert init_warnings(cli, fit) == []
    svc, session = service_at(
        tmp_path / "office.sqlite", FixedClock(MONDAY), desk="greet-1", person="tl"
    )
    try:
        first, *later = svc.slots("H", days=14, limit=40)
        moved = svc.move(svc.book("H", first.start, channel="slip").ref, later[-1].start)
        text = compose(session, moved, "change").sms
    finally:
        session.close()
    assert english[:room].strip() in text and welsh[:room].strip() in text, text
    over = long_lines_office(tmp_path, english[: room + 1], welsh[:room].strip())
    (again,) = init_warnings(cli, over)
    assert f"appointments.change_line has {room + 1}" in again, again
    assert "change_line_cy has" not in again, again


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(
    said=st.lists(st.text(alphabet=LETTERS, min_size=150, max_size=400), min_size=1, max_size=2),
    lines=st.lists(CHANGE_LINES, min_size=2, max_size=2),
)
def test_lines_within_the_room_are_never_cut(said: list[str], lines: list[str]) -> None:
    """The room init names (change_line_room) is the texts' own rule: lines no longer than it
    go whole (and none is needed when the room is None); over it, the lines are cut."""
    heading = "Appointment changed / Apwyntiad wedi newid"
    parts = list(zip(said, lines, strict=False))
    room = change_line_room(heading, parts)
    text = fitted(heading, parts)
    if room is None:
        assert text == joined(parts)
        return
    for _, line in parts:
        if len(line) <= room:
            assert line in text, (room, line, text)
    if text_length(heading, joined([(s, "") for s, _ in parts])) <= TEXT_LIMIT:
        assert text != joined(parts) and text.count("...") > joined(parts).count("...")
