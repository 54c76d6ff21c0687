"""The phone page: a ticket's QR is a link (where the office has a public address) to that
ticket's place and estimated wait, and nothing else from the queue; unguessable, valid on the
ticket's own day only. The real `oss-desk screen` serves it; the link is read off the printed
ticket by the suite's decoder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.errors import NotFound, RuleViolation
from oss_desk.hardware.templates import render
from oss_desk.services.printouts import ticket_printout
from oss_desk.services.queue import QueueService
from oss_desk.services.screen import ticket_from_scan
from oss_desk.services.session import Session, open_session

from .conftest import MONDAY_0930, make_db, site_toml
from .escpos_decoder import QRCode, decode, text_lines
from .screens import Screen, get, start_screen, stop_screen

PUBLIC = "https://queue.example.gov.uk"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_db(tmp_path, site_toml(extra=f'[screen]\npublic_url = "{PUBLIC}"\n'))


@pytest.fixture
def session(db: Path) -> Iterator[Session]:
    s = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl", desk_id="greet-1")
    yield s
    s.close()


@pytest.fixture
def screen(db: Path, tmp_path: Path) -> Iterator[Screen]:
    served = start_screen(db, tmp_path)
    yield served
    stop_screen(served)


def printed_link(session: Session, code: str) -> str:
    ticket = QueueService(session).ticket(code)
    events = decode(render(ticket_printout(session, ticket)))
    (qr,) = [e for e in events if isinstance(e, QRCode)]
    assert "Scan to see your place on your phone" in text_lines(events)
    return qr.payload


def local(screen: Screen, link: str) -> str:
    """The link as the office's proxy passes it to the screen server."""
    assert link.startswith(PUBLIC + "/t/")
    return screen.url + link[len(PUBLIC) :]


def test_a_tickets_link_shows_its_place_and_nothing_else(session: Session, screen: Screen) -> None:
    queue = QueueService(session)
    others = ("desk-2", "desk-3", "desk-4", "room-1")
    for desk in others:  # one desk calls: C001, then B001, then C002
        queue.set_desk_status(desk, "break")
    for service in ("C", "B", "C"):
        queue.issue(service, print_ticket=False)
    link = printed_link(session, "C002")
    assert len(link) == len(PUBLIC) + len("/t/") + 20  # 120 bits, base64url
    status, page = get(local(screen, link))
    assert status == 200
    assert "C002" in page and "2 people ahead of you" in page
    for other in ("C001", "B001"):  # nothing else from the queue
        assert other not in page
    status, body = get(local(screen, link) + ".json")
    state = json.loads(body)
    assert state["code"] == "C002" and state["lines"][0] == "2 people ahead of you"
    assert state["status"] == "waiting"
    # Called: the page says where to go.
    for desk in others:
        queue.set_desk_status(desk, "open")
    queue.call_next("desk-1")
    queue.call_next("desk-2")
    queue.call_next("desk-3")
    state = json.loads(get(local(screen, link) + ".json")[1])
    assert state["lines"] == ["Please go to Desk 3 now"]


def test_a_guessed_link_or_another_days_finds_nothing(
    session: Session, screen: Screen, db: Path, tmp_path: Path
) -> None:
    QueueService(session).issue("C", print_ticket=False)
    link = printed_link(session, "C001")
    token = link.rsplit("/", 1)[1]
    guessed = token[:-1] + ("A" if token[-1] != "A" else "B")
    status, page = get(f"{screen.url}/t/{guessed}")
    assert status == 404 and "This link is for another day or has ended" in page
    assert "C001" not in page
    tomorrow = start_screen(db, tmp_path / "next", now="2026-11-24T09:30:00Z")
    try:
        status, page = get(local(tomorrow, link))
        assert status == 404 and "C001" not in page
    finally:
        stop_screen(tomorrow)


def test_a_transferred_ticket_link_follows_it(session: Session, screen: Screen) -> None:
    queue = QueueService(session)
    queue.issue("C", print_ticket=False)
    link = printed_link(session, "C001")
    queue.transfer("C001", service="B")
    state = json.loads(get(local(screen, link) + ".json")[1])
    assert state["code"] == "B001" and state["status"] == "waiting"


def test_a_scan_at_a_desk_finds_the_ticket(session: Session) -> None:
    queue = QueueService(session)
    queue.issue("C", print_ticket=False)
    link = printed_link(session, "C001")
    assert ticket_from_scan(session, link).code == "C001"
    assert ticket_from_scan(session, link.swapcase()).code == "C001"  # Caps Lock on
    assert ticket_from_scan(session, "OSSD-T:hq:2026-11-23:C001").code == "C001"
    with pytest.raises(RuleViolation, match="from 2026-11-22, not today"):
        ticket_from_scan(session, "OSSD-T:hq:2026-11-22:C001")
    with pytest.raises(NotFound):
        ticket_from_scan(session, PUBLIC + "/t/AAAAAAAAAAAAAAAAAAAA")


def test_without_a_public_address_the_qr_is_the_code(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    s = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl", desk_id="greet-1")
    try:
        ticket = QueueService(s).issue("C", print_ticket=False).ticket
        events = decode(render(ticket_printout(s, ticket)))
    finally:
        s.close()
    (qr,) = [e for e in events if isinstance(e, QRCode)]
    assert qr.payload == "OSSD-T:hq:2026-11-23:C001"
    assert "Scan to see your place on your phone" not in text_lines(events)


def test_a_welsh_offices_pages_are_titled_in_welsh_first(tmp_path: Path) -> None:
    """The phone page's title (the browser tab a resident sees) and the screen's were "Queue" in
    English alone in a Welsh office (a Welsh office's trial): they are the page's own heading,
    Welsh first, and the page says it is in Welsh."""
    import time

    from .appointments_site import NOW
    from .test_welsh import office, welsh_toml

    db = office(tmp_path, welsh_toml(extra=f'[screen]\npublic_url = "{PUBLIC}"\n'))
    session = open_session(db=db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    try:
        QueueService(session).issue("C", print_ticket=False)
        link = printed_link(session, "C001")
    finally:
        session.close()
    screen = start_screen(db, tmp_path, now=NOW.isoformat())
    try:
        status, page = get(local(screen, link))
        assert status == 200
        assert "<title>Eich lle yn y ciw / Your place in the queue</title>" in page
        assert '<html lang="cy">' in page
        deadline = time.monotonic() + 10  # the screen reads the office once it has started
        while "Penallta" not in (page := get(screen.url + "/")[1]):
            assert time.monotonic() < deadline, page
            time.sleep(0.05)
        assert "<title>Tŷ Penallta / Penallta House</title>" in page
        assert '<html lang="cy">' in page
    finally:
        stop_screen(screen)
