"""The answer page of a follow-up text, end to end: the texts sent by the real worker to a local
Notify, their links opened in Chromium against the real `oss-desk screen`.

The link records a rating against its own visit (and no other); a second rating of the same
visit is refused; an expired or made-up link is refused; the page shows nothing personal (no
ticket, service, desk, name or number); the answer counts in the day's satisfaction figure like
a desk rating.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from .browser_desks import clean_env
from .cli_here import run_cli_here
from .conftest import make_db
from .messaging import NotifyServer
from .screens import kiosk_browser, start_screen, stop_screen
from .test_feedback_browser import TRIED_AGAIN, said_to_try_again
from .test_feedback_texts import ANN, BOB, PUBLIC, Day, office_toml, sent_to, welsh_text

pytestmark = pytest.mark.slow


browser = pytest.fixture(name="browser")(kiosk_browser)


def ratings(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT visit_id, rating, source, desk_id, recorded_by FROM visit_ratings ORDER BY 1"
        ).fetchall()
    finally:
        conn.close()


def test_the_link_records_one_rating_against_its_visit(
    tmp_path: Path, notify: NotifyServer, browser: Any
) -> None:
    db = make_db(tmp_path, office_toml(notify, tmp_path))
    day = Day(db)
    try:
        ann_code, ann_visit = day.visit(ANN)
        _bob_code, bob_visit = day.visit(BOB)
        day.at(125)
        day.worker()
    finally:
        day.close()
    links = {
        who: str(sent_to(notify, who)[0]["personalisation"]["body"]).splitlines()[-1]
        for who in (ANN, BOB)
    }
    paths = {who: link.removeprefix(PUBLIC) for who, link in links.items()}
    assert all(p.startswith("/r/") for p in paths.values())

    served = start_screen(db, tmp_path, now="2026-11-23T18:00:00Z")
    try:
        requests: list[str] = []
        first = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        first.on("request", lambda r: requests.append(r.url))
        first.goto(served.url + paths[ANN])
        second = browser.new_page(viewport={"width": 390, "height": 844})
        second.goto(served.url + paths[ANN])  # the link opened twice
        body = str(first.text_content("body"))
        assert "How was your visit?" in body and "Test Council" in body
        html = first.content()
        for private in (ann_code, "Council Tax", "Desk 1", "0770", "900001", "Team Leader"):
            assert private not in body and private not in html
        first.fill("#comment", "Kind and quick")
        first.click("button[value='4']")
        first.wait_for_selector("text=Thank you for telling us.")
        assert ratings(db) == [(ann_visit, 4, "text", "desk-1", "resident")]
        assert all(r.startswith(served.url) for r in requests)

        # The second tab still shows the form: a second rating of the same visit is refused.
        second.click("button[value='1']")
        second.wait_for_selector("text=This visit has been rated already.")
        first.goto(served.url + paths[ANN])
        assert "rated already" in str(first.text_content("body"))
        # A link nobody was sent: refused, nothing recorded.
        first.goto(served.url + "/r/AAAAAAAAAAAAAAAAAAAA")
        assert "expired or is not valid" in str(first.text_content("body"))
        assert ratings(db) == [(ann_visit, 4, "text", "desk-1", "resident")]
    finally:
        stop_screen(served)

    # Eight days after the text: Bob's link has expired (feedback.text_answer_days = 7).
    later = start_screen(db, tmp_path, now="2026-12-01T12:00:00Z")
    try:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(later.url + paths[BOB])
        assert "expired or is not valid" in str(page.text_content("body"))
        assert page.query_selector("form") is None
    finally:
        stop_screen(later)
    assert bob_visit not in [r[0] for r in ratings(db)]

    # The answer counts in the satisfaction figure of the day it was given, like a desk rating.
    env = clean_env(tmp_path) | {"OSS_DESK_NOW": "2026-11-23T19:00:00Z"}
    report = run_cli_here("--db", str(db), "report", "daily", "--json", env=env)
    assert report.returncode == 0, report.stderr
    figures = json.loads(report.stdout)
    assert figures["date"] == "2026-11-23"
    s = figures["satisfaction"]
    assert (s["answers"], s["satisfied"], s["by_rating"]["4"]) == (1, 1, 1)


def test_a_bilingual_office_answers_in_welsh_first(tmp_path: Path, notify: NotifyServer) -> None:
    """The answer page (plain HTML, read here without a browser) says the rating words and
    "rather not say" in Welsh first, then English, like the rest of the page."""
    import urllib.error
    import urllib.request

    db, bodies = welsh_text(tmp_path, notify)
    link = bodies[0].splitlines()[-1]
    served = start_screen(db, tmp_path, now="2026-11-23T18:00:00Z")
    try:
        with urllib.request.urlopen(served.url + link.removeprefix(PUBLIC), timeout=10) as got:
            page = got.read().decode()
        # A rating the page does not offer is refused, Welsh first too.
        wrong = urllib.request.Request(
            served.url + link.removeprefix(PUBLIC), data=b"rating=9", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as tried:
            urllib.request.urlopen(wrong, timeout=10)
        again = tried.value.code, tried.value.read().decode()
        # A rating posted from another site's page is refused, Welsh first too.
        elsewhere = urllib.request.Request(
            served.url + link.removeprefix(PUBLIC),
            data=b"rating=5",
            headers={"Origin": "http://elsewhere.example"},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(elsewhere, timeout=10)
        refusal = refused.value.code, refused.value.read().decode()
    finally:
        stop_screen(served)
    assert again[0] == 400 and '<html lang="cy">' in again[1] and TRIED_AGAIN in again[1], again
    assert refusal[0] == 403 and '<html lang="cy">' in refusal[1], refusal
    assert (
        "<h1>Heb ei derbyn / Not accepted</h1>"
        "<p>Derbynnir y ffurflen hon o&#x27;r dudalen hon yn unig.</p>"
    ) in refusal[1], refusal
    assert ratings(db) == []
    assert "<span>5</span> Da iawn / Very good</button>" in page
    assert "<span>1</span> Gwael iawn / Very poor</button>" in page
    assert "Byddai&#x27;n well gen i beidio â dweud / I would rather not say" in page
    assert page.index("Sut oedd eich ymweliad?") < page.index("How was your visit?")
    # The page is marked Welsh, and the council named in Welsh first (an appointments
    # adviser's trial, finding 8: lang="en" and the English name only).
    assert '<html lang="cy">' in page
    assert '<p class="who">Cyngor Prawf / Test Council</p>' in page


def test_an_answer_not_recorded_for_a_fault_is_said_in_welsh_first_without_the_fault(
    tmp_path: Path, notify: NotifyServer
) -> None:
    """The database held by another writer past the screen's wait: the answer page said "Please
    try again" and the fault's own English words in a Welsh office. Now Welsh first, on a page
    marked Welsh, in the words the counter's page uses (one home: the wording's catalogue)."""
    import urllib.error
    import urllib.request

    db, bodies = welsh_text(tmp_path, notify)
    link = bodies[0].splitlines()[-1]
    served = start_screen(
        db, tmp_path, now="2026-11-23T18:00:00Z", env={"OSS_DESK_BUSY_TIMEOUT": "0.3"}
    )
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
        answer = urllib.request.Request(
            served.url + link.removeprefix(PUBLIC), data=b"rating=5", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(answer, timeout=10)
        busy = failed.value.code, failed.value.read().decode()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        stop_screen(served)
    said_to_try_again(busy, db)
    assert ratings(db) == []
