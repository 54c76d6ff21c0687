"""The counter's feedback page end to end: the real `oss-desk screen`, Chromium, the real CLI.

A visit finished at desk-1 is offered on desk-1's page; the resident's tap records the rating
against that visit (and no other); a second rating for the same visit (the page left open in
another tab) is refused; the page shows no ticket, service, number or name, and asks nothing
of any other origin; a form posted from elsewhere is refused.
"""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise

from .conftest import MONDAY_0930, site_toml
from .screens import Screen, cli_here, get, kiosk_browser, start_screen, stop_screen

pytestmark = pytest.mark.slow


@pytest.fixture
def screen(tmp_path: Path) -> Iterator[Screen]:
    config = tmp_path / "site.toml"
    config.write_text(site_toml(), encoding="utf-8")
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=config)
    served = start_screen(db, tmp_path)
    try:
        yield served
    finally:
        stop_screen(served)


browser = pytest.fixture(name="browser")(kiosk_browser)


def ratings(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT r.visit_id, r.rating, r.source, r.desk_id, t.service_code, t.number"
            " FROM visit_ratings r JOIN tickets t ON t.visit_id = r.visit_id ORDER BY 1"
        ).fetchall()
    finally:
        conn.close()


def serve_one(screen: Screen, service: str, desk: str) -> None:
    cli_here(
        screen.db, screen.folder, "ticket", "issue", "--service", service, "--needs", "wheelchair"
    )
    ref = cli_here(screen.db, screen.folder, "ticket", "call-next", "--desk", desk).split()[0]
    cli_here(screen.db, screen.folder, "ticket", "start", ref)
    cli_here(screen.db, screen.folder, "ticket", "finish", ref, "--outcome", "resolved")


def said_to_try_again(busy: tuple[int, str], db: Path) -> None:
    """A rating not recorded for a fault (the database busy) is refused in the office's
    languages, Welsh first, and never with the fault's own words or the database's path."""
    assert busy[0] == 400 and '<html lang="cy">' in busy[1], busy
    assert (
        "<h1>Rhowch gynnig arall arni / Please try again</h1>"
        "<p>Nid oedd modd cofnodi eich ateb ar hyn o bryd. Rhowch gynnig arall arni yn y man.</p>"
        "<p>Your answer could not be recorded just now. Please try again in a moment.</p>"
    ) in busy[1], busy
    assert "locked" not in busy[1] and str(db) not in busy[1]


def test_a_rating_on_the_counter_page_is_recorded_once_against_the_right_visit(
    screen: Screen, browser: Any
) -> None:
    serve_one(screen, "B", "desk-2")  # another desk's visit: never offered on desk-1's page
    serve_one(screen, "C", "desk-1")
    path = cli_here(screen.db, screen.folder, "desks", "feedback-link", "desk-1").strip()
    assert path.startswith("/f/")
    url = screen.url + path

    requests: list[str] = []
    first = browser.new_page(viewport={"width": 800, "height": 1280})
    first.on("request", lambda r: requests.append(r.url))
    first.goto(url)
    second = browser.new_page(viewport={"width": 800, "height": 1280})
    second.goto(url)  # the same visit offered in a second tab
    body = str(first.text_content("body"))
    assert "How was your visit today?" in body and "Desk 1" in body
    for private in ("C001", "B001", "Council Tax", "Benefits", "wheelchair"):
        assert private not in body and private not in first.content()

    first.click("button[value='4']")
    first.wait_for_selector("text=Thank you for telling us.")
    assert ratings(screen.db) == [(2, 4, "tablet", "desk-1", "C", 1)]

    # The second tab still shows the form: its rating of the same visit is refused.
    second.fill("#comment", "Quick and kind")
    second.click("button[value='5']")
    second.wait_for_selector("text=This visit has been rated already.")
    assert ratings(screen.db) == [(2, 4, "tablet", "desk-1", "C", 1)]

    # Opened again, the page has nothing to offer until the next visit finishes at desk-1.
    first.goto(url)
    assert "no visit to rate" in str(first.text_content("body"))
    serve_one(screen, "C", "desk-1")
    first.goto(url)
    first.click("button[value='declined']")
    first.wait_for_selector("text=Thank you for telling us.")
    assert ratings(screen.db)[-1][1:] == (None, "tablet", "desk-1", "C", 2)

    origin = screen.url + "/"
    assert requests and all(u.startswith(origin) for u in requests), requests
    for page in (first, second):
        page.close()


def test_unknown_pages_and_forms_from_elsewhere_are_refused(screen: Screen) -> None:
    serve_one(screen, "C", "desk-1")
    path = cli_here(screen.db, screen.folder, "desks", "feedback-link", "desk-1").strip()
    status, _ = get(screen.url + "/f/not-a-desk-token")
    assert status == 404
    status, page = get(screen.url + path)
    assert status == 200
    visit = page.split('name="visit" value="', 1)[1].split('"', 1)[0]
    form = urllib.parse.urlencode({"visit": visit, "rating": "5"}).encode()
    request = urllib.request.Request(
        screen.url + path, data=form, headers={"Origin": "http://evil.example"}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert ratings(screen.db) == []
    bad = urllib.parse.urlencode({"visit": visit, "rating": "9"}).encode()
    with pytest.raises(urllib.error.HTTPError) as invalid:
        urllib.request.urlopen(urllib.request.Request(screen.url + path, data=bad), timeout=10)
    assert invalid.value.code == 400
    forged = urllib.parse.urlencode({"visit": "x" * 20, "rating": "5"}).encode()
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(urllib.request.Request(screen.url + path, data=forged), timeout=10)
    assert expired.value.code == 410
    assert ratings(screen.db) == []


def post(url: str, form: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def welsh_office(tmp_path: Path) -> Path:
    """A bilingual office in Wales, its council and Desk 1 with Welsh names: its database."""
    config = tmp_path / "site.toml"
    toml = site_toml(desks=2)
    toml = toml.replace('name = "Civic Centre"\n', 'name = "Civic Centre"\nnation = "WLS"\n')
    toml = toml.replace(
        'name = "Test Council"\n', 'name = "Test Council"\nname_cy = "Cyngor Prawf"\n'
    )
    toml = toml.replace('name = "Desk 1"\n', 'name = "Desk 1"\nname_cy = "Desg 1"\n')
    config.write_text(toml, encoding="utf-8")
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=config)
    return db


TRIED_AGAIN = (
    "<h1>Rhowch gynnig arall arni / Please try again</h1>"
    "<p>Ni chafodd eich ateb ei gofnodi. Dewiswch sgôr o 1 i 5, neu y byddai&#x27;n well gennych "
    "beidio â dweud.</p>"
    "<p>Your answer was not recorded. Choose a rating from 1 to 5, or that you would rather not "
    "say.</p>"
)
"""A form with no rating the page offers, answered in a bilingual office (a review: "Please
try again" and "rating 9: 1 to 5, or declined", English only, on a page marked English)."""


def test_a_welsh_first_office_says_the_whole_page_in_welsh_first(tmp_path: Path) -> None:
    """A bilingual office (a trial's finding: the header, the thanks and the empty page were
    English only, on a page marked English): the council and the desk by their Welsh names
    first, every message Welsh first, and the page marked Welsh."""
    db = welsh_office(tmp_path)
    screen = start_screen(db, tmp_path)
    try:
        serve_one(screen, "C", "desk-1")
        url = screen.url + cli_here(db, tmp_path, "desks", "feedback-link", "desk-1").strip()
        status, form = get(url)
        visit = form.split('name="visit" value="', 1)[1].split('"', 1)[0]
        refused = post(url, {"visit": visit, "rating": "9"})  # no rating the page offers
        thanked = post(url, {"visit": visit, "rating": "5"})
        again = post(url, {"visit": visit, "rating": "4"})
        empty = get(url)
    finally:
        stop_screen(screen)
    assert status == 200 and '<html lang="cy">' in form
    assert '<p class="who">Cyngor Prawf, Desg 1 / Test Council, Desk 1</p>' in form
    assert "<h1>Sut oedd eich ymweliad heddiw? / How was your visit today?</h1>" in form
    assert refused[0] == 400 and '<html lang="cy">' in refused[1], refused
    assert TRIED_AGAIN in refused[1], refused
    assert thanked[0] == 200
    assert (
        "<h1>Diolch / Thank you</h1><p>Diolch am ddweud wrthym.</p><p>Thank you for telling us.</p>"
    ) in thanked[1]
    assert again[0] == 409 and "<p>Mae&#x27;r ymweliad hwn wedi cael sgôr yn barod." in again[1]
    assert empty[0] == 200
    assert (
        "<p>Does dim ymweliad i&#x27;w raddio wrth y ddesg hon ar hyn o bryd.</p>"
        "<p>There is no visit to rate at this desk just now.</p>"
    ) in empty[1]
    for page in (thanked[1], again[1], empty[1]):
        assert '<html lang="cy">' in page
    assert ratings(db) == [(1, 5, "tablet", "desk-1", "C", 1)]


def test_a_welsh_first_office_refuses_a_wrong_link_or_form_in_welsh_first(tmp_path: Path) -> None:
    """A link that names no desk (mistyped on the tablet), opened or posted to, and a form
    posted from another site: refused Welsh first, on a page marked Welsh, as the page's other
    messages are (they said "Not found" and "Not accepted" in English only)."""
    db = welsh_office(tmp_path)
    screen = start_screen(db, tmp_path)
    try:
        opened = get(screen.url + "/f/not-a-desk-token")
        posted = post(screen.url + "/f/not-a-desk-token", {"visit": "x", "rating": "5"})
        path = cli_here(db, tmp_path, "desks", "feedback-link", "desk-1").strip()
        request = urllib.request.Request(
            screen.url + path,
            data=b"rating=5",
            headers={"Origin": "http://elsewhere.example"},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        elsewhere = refused.value.code, refused.value.read().decode()
    finally:
        stop_screen(screen)
    for status, page in (opened, posted):
        assert status == 404 and '<html lang="cy">' in page, page
        assert (
            "<h1>Heb ei chanfod / Not found</h1>"
            "<p>Nid yw&#x27;r dudalen adborth hon wedi&#x27;i gosod.</p>"
            "<p>This feedback page is not set up.</p>"
        ) in page, page
    assert elsewhere[0] == 403 and '<html lang="cy">' in elsewhere[1], elsewhere
    assert (
        "<h1>Heb ei derbyn / Not accepted</h1>"
        "<p>Derbynnir y ffurflen hon o&#x27;r dudalen hon yn unig.</p>"
        "<p>This form is accepted from this page only.</p>"
    ) in elsewhere[1], elsewhere


def test_a_rating_not_recorded_for_a_fault_is_said_in_welsh_first_without_the_fault(
    tmp_path: Path,
) -> None:
    """The database held by another writer past the screen's wait: the page said "Please try
    again" and the fault's own English words ("database locked ...", a file's path) in a Welsh
    office. Now it says that the answer could not be recorded, Welsh first, on a page marked
    Welsh; the fault goes to the log. Nothing is recorded, and the tap counts once it is free."""
    db = welsh_office(tmp_path)
    screen = start_screen(db, tmp_path, env={"OSS_DESK_BUSY_TIMEOUT": "0.3"})
    try:
        serve_one(screen, "C", "desk-1")
        url = screen.url + cli_here(db, tmp_path, "desks", "feedback-link", "desk-1").strip()
        _status, form = get(url)
        visit = form.split('name="visit" value="', 1)[1].split('"', 1)[0]
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
        try:
            busy = post(url, {"visit": visit, "rating": "5"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        thanked = post(url, {"visit": visit, "rating": "5"})
    finally:
        stop_screen(screen)
    said_to_try_again(busy, db)
    assert thanked[0] == 200, thanked
    assert ratings(db) == [(1, 5, "tablet", "desk-1", "C", 1)]
