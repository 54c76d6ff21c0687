"""The quarterly return On The Record (``report quarterly``) on the HTML page, with the same
figures as its JSON, and added up over two offices with ``--include``.

Two offices, each with one site, scripted through the real command line with a simulated clock
(November 2026, GMT, working days Monday to Friday, no bank holiday in England that month); the
report runs on Monday 30 November at 17:00 ("today" for open deadlines). Deadlines: acknowledge
within 5 working days, answer within 15.

Civic Centre (site ``hq``, this office):
  a1 complaint, staff, phone, Mon 2 Nov -> acknowledge by Mon 9, answer by Mon 23.
     Acknowledged Wed 4 (met). Answered Fri 13, justified, action "Coaching given" (met).
  a2 compliment, staff, in person, Tue 10 Nov -> answered Wed 11 (met, met).
Annex (site ``annex``, included):
  b1 complaint, service, letter, Tue 3 Nov -> acknowledge by Tue 10, answer by Tue 24.
     Acknowledged Wed 11 (day 6: missed). Answered Wed 25, partly, action taken (missed).
  b2 complaint, staff, email, Mon 16 Nov -> acknowledge by Mon 23: not done (missed); answer
     by Mon 7 Dec (pending).
  b3 comment, policy, web, Fri 20 Nov -> acknowledge by Fri 27: acknowledged Thu 26 (met);
     answer pending.

Both together: comments 1 (b3), compliments 1 (a2), complaints 3 (a1, b1, b2).
  Complaints acknowledged: met 1 (a1), missed 2 (b1, b2), pending 0: 1/3 = 33.3%.
  Complaints answered: met 1 (a1), missed 1 (b1), pending 1 (b2): 1/2 = 50.0%.
  All acknowledged: met 3 (a1, a2, b3), missed 2 (b1, b2): 3/5 = 60.0%.
  All answered: met 2 (a1, a2), missed 1 (b1), pending 2 (b2, b3): 2/3 = 66.7%.
  Outcomes: justified 1 (a1), partly 1 (b1), not justified 0; decided 2; justified about staff
  1 of 2 = 50.0%. Action taken: 2 (a1, b1). By channel: phone 1, in person 1, letter 1, email
  1, web 1. By stage: 1: 5, 2: 0.
  Actions taken, by the day received: a1 (hq, 2 Nov), b1 (annex, 3 Nov).
This office alone: complaints 1, acknowledged 1/1 = 100.0%, compliments 1, comments 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from oss_desk.domain.followups import Finding, Via
from oss_desk.domain.reports import action_words
from oss_desk.render.formats import percent

from .conftest import Cli, make_db
from .followups_site import office_toml, ok, run_json

REPORT_AT = "2026-11-30T17:00:00Z"
QUARTER = ("report", "quarterly", "--quarter", "2026-Q4")


def at(day: int, hhmm: str) -> str:
    return f"2026-11-{day:02d}T{hhmm}:00Z"


def add(cli: Cli, user: str, when: str, kind: str, category: str, via: str) -> str:
    made = run_json(
        cli,
        *("--user", user, "followup", "add", "--kind", kind, "--category", category),
        *("--channel", via),
        now=when,
    )
    return str(made["ref"])


def do(cli: Cli, user: str, when: str, verb: str, ref: str, *args: str) -> None:
    run_json(cli, "--user", user, "followup", verb, ref, *args, now=when)


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, Path]]:
    monkeypatch = pytest.MonkeyPatch()
    here = Cli(make_office_db(tmp_path_factory.mktemp("hq"), "hq", "Civic Centre"), monkeypatch)
    annex_db = make_office_db(tmp_path_factory.mktemp("annex"), "annex", "Annex")
    annex = Cli(annex_db, monkeypatch)
    a1 = add(here, "gil", at(2, "10:00"), "complaint", "staff", "phone")
    do(here, "tl", at(4, "12:00"), "ack", a1)
    do(
        here,
        "tl",
        at(13, "15:00"),
        "respond",
        a1,
        *("--outcome", "justified", "--action-taken", "yes", "--action", "Coaching given"),
    )
    a2 = add(here, "gil", at(10, "10:00"), "compliment", "staff", "in-person")
    do(here, "tl", at(11, "10:00"), "respond", a2)
    b1 = add(annex, "tl", at(3, "11:00"), "complaint", "service", "letter")
    do(annex, "tl", at(11, "12:00"), "ack", b1)
    do(
        annex,
        "adm",
        at(25, "12:00"),
        "respond",
        b1,
        "--outcome",
        "partly",
        "--action-taken",
        "yes",
        "--action",
        "Apology sent",
    )
    add(annex, "tl", at(16, "10:00"), "complaint", "staff", "email")
    b3 = add(annex, "tl", at(20, "10:00"), "comment", "policy", "web")
    do(annex, "tl", at(26, "10:00"), "ack", b3)
    yield here, annex_db
    monkeypatch.undo()


def make_office_db(folder: Path, site: str, name: str) -> Path:
    toml = office_toml().replace(
        'id = "hq"\nname = "Civic Centre"', f'id = "{site}"\nname = "{name}"'
    )
    assert f'id = "{site}"' in toml
    return make_db(folder, toml)


def tally(met: int, missed: int, pending: int, pct: float | None) -> dict[str, Any]:
    return {"met": met, "missed": missed, "pending": pending, "pct": pct}


class Tables(HTMLParser):
    """The tables and headline figures inside one section of a page: caption -> rows (each the
    row's header then its cells), and the headline figures' label -> value."""

    def __init__(self, section_id: str) -> None:
        super().__init__()
        self.section_id = section_id
        self.depth = 0  # > 0 inside the section
        self.tables: dict[str, list[list[str]]] = {}
        self.figures: dict[str, str] = {}
        self.caption: str | None = None
        self.row: list[str] | None = None
        self.text: list[str] | None = None
        self.label: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            if tag == "section" and ("id", self.section_id) in attrs:
                self.depth = 1
            return
        if tag == "section":
            self.depth += 1
        elif tag in ("caption", "th", "td", "dt", "dd"):
            self.text = []
        elif tag == "tr":
            self.row = []

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0:
            return
        if tag == "section":
            self.depth -= 1
            return
        text = "".join(self.text or []).strip()
        if tag == "caption":
            self.caption = text
            self.tables[text] = []
        elif tag in ("th", "td") and self.row is not None:
            self.row.append(text)
        elif tag == "tr" and self.row is not None and self.caption is not None:
            self.tables[self.caption].append(self.row)
            self.row = None
        elif tag == "dt":
            self.label = text
        elif tag == "dd" and self.label is not None:
            self.figures[self.label] = text
        if tag in ("caption", "th", "td", "dt", "dd"):
            self.text = None

    def handle_data(self, data: str) -> None:
        if self.depth > 0 and self.text is not None:
            self.text.append(data)


def record_on_page(page: str) -> Tables:
    found = Tables("on-the-record")
    found.feed(page)
    assert found.tables, "the page has no On The Record section"
    return found


def body(tables: Tables, caption: str) -> dict[str, list[str]]:
    """A table's body rows by their header (the row of column heads, the first, left out)."""
    return {row[0]: row[1:] for row in tables.tables[caption][1:]}


def assert_page_shows(page: str, record: dict[str, Any]) -> None:
    """Every figure of the JSON's ``on_the_record`` is on the page, as the page writes it."""
    shown = record_on_page(page)
    assert shown.figures == {
        "Comments": str(record["comments"]),
        "Compliments": str(record["compliments"]),
        "Complaints": str(record["complaints"]),
        "Acknowledged in time": percent(record["complaints_acknowledged_within_5_pct"]),
        "Answered in time": percent(record["complaints_answered_within_15_pct"]),
        "Justified, about staff": percent(record["justified_about_staff_pct"]),
        "Unequal or impolite": percent(record["unequal_or_impolite_pct"]),
    }
    deadlines = body(shown, "Deadlines: acknowledged within 5 working days, answered within 15")
    for label, key in (
        ("Complaints acknowledged", "complaints_acknowledged"),
        ("Complaints answered", "complaints_answered"),
        ("All acknowledged", "all_acknowledged"),
        ("All answered", "all_answered"),
    ):
        t = record[key]
        assert deadlines[label] == [
            str(t["met"]),
            str(t["missed"]),
            str(t["pending"]),
            percent(t["pct"]),
        ]
    categories = body(shown, "Comments, compliments and complaints by category and outcome")
    assert categories == {
        c["name"]: [
            str(c[k])
            for k in ("comment", "compliment", "complaint", "justified", "partly", "not-justified")
        ]
        for c in record["by_category"].values()
    }
    counts = body(shown, "Outcomes, channels and stages")
    assert counts["Complaints decided"] == [str(record["complaints_decided"])]
    assert counts["Action taken as a result"] == [str(record["action_taken"])]
    assert counts["Unequal or impolite service"] == [str(record["unequal_or_impolite"])]
    # Each channel in its own words, as the dialog that records it offers it ("In person").
    assert {k: counts[f"Channel: {Via(k).words}"] for k in record["by_channel"]} == {
        k: [str(v)] for k, v in record["by_channel"].items()
    }
    months = body(shown, "By month")
    assert months == {
        m["month"]: [
            str(m["on_the_record"]["comments"]),
            str(m["on_the_record"]["compliments"]),
            str(m["on_the_record"]["complaints"]),
            percent(m["on_the_record"]["complaints_acknowledged_within_5_pct"]),
            percent(m["on_the_record"]["complaints_answered_within_15_pct"]),
        ]
        for m in record["months"]
    }
    actions = shown.tables["Actions taken as a result"][1:]
    assert [(row[0], row[1], row[-1]) for row in actions] == [
        (a["ref"], a["site"], action_words(a["action"], deleted=a["action_deleted"]))
        for a in record["actions"]
    ]
    # A finding in its own words, as the answer dialog offers it ("Partly justified").
    assert [row[4] for row in actions] == [
        Finding(a["outcome"]).words if a["outcome"] else "" for a in record["actions"]
    ]


def test_the_page_shows_the_return_with_the_figures_of_the_json(
    offices: tuple[Cli, Path],
) -> None:
    here, _annex = offices
    record = run_json(here, "--user", "tl", *QUARTER, now=REPORT_AT)["on_the_record"]
    # This office alone (worked above).
    assert (record["comments"], record["compliments"], record["complaints"]) == (0, 1, 1)
    assert record["complaints_acknowledged"] == tally(1, 0, 0, 100.0)
    page = ok(here("--user", "tl", *QUARTER, "--format", "html", now=REPORT_AT)).out
    assert_page_shows(page, record)
    # The scorecard is still the page's first section.
    assert page.index('<section id="scorecard"') < page.index('<section id="on-the-record"')
    assert "Coaching given" in page


def test_the_return_adds_up_the_included_offices(offices: tuple[Cli, Path]) -> None:
    here, annex = offices
    both = ("--include", str(annex))
    got = run_json(here, "--user", "tl", *QUARTER, *both, now=REPORT_AT)
    assert got["sites"] == ["hq", "annex"]
    record = got["on_the_record"]
    expected = {
        "comments": 1,
        "compliments": 1,
        "complaints": 3,
        "complaints_acknowledged": tally(1, 2, 0, 33.3),
        "complaints_acknowledged_within_5_pct": 33.3,
        "complaints_answered": tally(1, 1, 1, 50.0),
        "complaints_answered_within_15_pct": 50.0,
        "all_acknowledged": tally(3, 2, 0, 60.0),
        "all_answered": tally(2, 1, 2, 66.7),
        "by_outcome": {"justified": 1, "partly": 1, "not-justified": 0},
        "by_channel": {"in-person": 1, "phone": 1, "letter": 1, "email": 1, "web": 1},
        "by_stage": {"1": 3, "2": 0},  # the 3 complaints, not the comment or compliment
        "complaints_decided": 2,
        "justified_about_staff": 1,
        "justified_about_staff_pct": 50.0,
        "action_taken": 2,
    }
    assert {k: record[k] for k in expected} == expected
    assert sum(record["by_stage"].values()) == record["complaints"]  # stages: complaints only
    november = next(m for m in record["months"] if m["month"] == "2026-11")["on_the_record"]
    assert (november["comments"], november["compliments"], november["complaints"]) == (1, 1, 3)
    assert [(a["ref"], a["site"], a["outcome"], a["action"]) for a in record["actions"]] == [
        ("OTR-0001", "hq", "justified", "Coaching given"),
        ("OTR-0001", "annex", "partly", "Apology sent"),
    ]
    page = ok(here("--user", "tl", *QUARTER, *both, "--format", "html", now=REPORT_AT)).out
    assert_page_shows(page, record)
    # The text names each action's office (both offices number their own OTR-0001).
    text = ok(here("--user", "tl", *QUARTER, *both, now=REPORT_AT)).out
    taken = text[text.index("Actions taken as a result") :].splitlines()[1:3]
    assert [line.split()[:2] for line in taken] == [["OTR-0001", "(hq)"], ["OTR-0001", "(annex)"]]
    # Channels and findings in the words the page (and the dialog that records them) uses.
    assert "    by channel: In person 1, Phone 1, Letter 1, Email 1, Web 1\n" in text
    assert "    outcomes: Justified 1, Partly justified 1, Not justified 0\n" in text
    # The CSV carries the same sums.
    csv = ok(here("--user", "tl", *QUARTER, *both, "--format", "csv", now=REPORT_AT)).out
    rows = {tuple(line.split(",")[:2]): line.split(",")[2] for line in csv.splitlines()[1:]}
    assert rows[("on_the_record", "complaints")] == "3"
    assert rows[("on_the_record", "complaints_acknowledged_within_5_pct")] == "33.3"
    # One site of the two: only that office's return.
    annex_only = run_json(here, "--user", "tl", *QUARTER, *both, "--site", "annex", now=REPORT_AT)[
        "on_the_record"
    ]
    assert (annex_only["comments"], annex_only["compliments"], annex_only["complaints"]) == (
        1,
        0,
        2,
    )
    assert json.dumps(annex_only["actions"]).count('"site": "annex"') == 1
