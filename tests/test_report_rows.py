"""The rows of a report agree wherever they are shown: the text report, the HTML page (parsed),
the printed summary (its bytes decoded) and the desk's reports screen (its table's cells) show
the same visit counts and outcomes, labels and values, in the same order, for any figures; so
do a month's appointment figures (screen, text and HTML: the receipt prints a day), the desks
(by the names the configuration gives them, never their ids), and the standards' short names on
screen and paper."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.table import Table

from oss_desk.domain.models import Outcome
from oss_desk.domain.reports import DailyReport, MonthlyReport, ReportNames
from oss_desk.domain.standards import Status
from oss_desk.hardware.templates import render
from oss_desk.render.html import report_html
from oss_desk.render.receipt import daily_summary
from oss_desk.render.rows import (
    APPOINTMENT_COLUMNS,
    CALLS_TITLE,
    NO_SHOWS,
    OUTCOME_LABELS,
    SERVED_COLUMNS,
    FigureRow,
    appointment_rows,
    call_rows,
    desk_rows,
    outcome_rows,
    signposted_rows,
    visit_rows,
)
from oss_desk.render.text import rag_words, report_text
from oss_desk.ui.screens.reports import (
    appointments_table,
    calls_table,
    daily_table,
    outcomes_table,
    standards_table,
    visit_counts,
)

from .escpos_decoder import decode, text_lines
from .report_fixtures import SERVICES, daily_fixture, monthly_fixture
from .report_values import daily_report, monthly_report

HUB = ReportNames(council="C", site_name="Hub", service_names=SERVICES)

counts = st.integers(min_value=0, max_value=99_999)
waits = st.none() | st.floats(min_value=0, max_value=600, allow_nan=False).map(
    lambda m: round(m, 1)
)
hours = st.none() | st.integers(min_value=7, max_value=19).map(lambda h: f"{h:02d}")

FIGURES = st.fixed_dictionaries(
    {
        "visits": counts,
        "walk_ins": counts,
        "appointment_visits": counts,
        "served": counts,
        "quick_visits": counts,
        "no_shows": counts,
        "services_delivered": counts,
        "appointments_arranged": counts,
        "wait_median_minutes": waits,
        "wait_p90_minutes": waits,
        "outcomes": st.fixed_dictionaries({outcome.value: counts for outcome in Outcome}),
    }
)


APPOINTMENTS = st.fixed_dictionaries(
    {
        "appointments_booked": counts,
        "appointments_kept": counts,
        "appointments_no_show": counts,
        "appointments_kept_pct": st.none()
        | st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda p: round(p, 1)),
        "appointments_cancelled": st.fixed_dictionaries({"council": counts, "resident": counts}),
    }
)


class Page(HTMLParser):
    """A page's headline figures (``<dl class="figures">``: (label, value) pairs, in order) and
    its tables (caption -> rows, each row's cells)."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._text: list[str] | None = None
        self._label = ""
        self._caption = ""
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("dt", "dd", "th", "td", "caption"):
            self._text = []
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text or [])
        self._text = None
        if tag == "dt":
            self._label = text
        elif tag == "dd":
            self.pairs.append((self._label, text))
        elif tag == "caption":
            self._caption = text
            self.tables[text] = []
        elif tag in ("th", "td"):
            self._row.append(text)
        elif tag == "tr" and self._caption:
            self.tables[self._caption].append(self._row)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def shown_in_order(rows: tuple[FigureRow, ...], lines: list[str]) -> list[int]:
    """Where each row is, as ``label  value`` on a line of its own, each after the one before
    (fails at the first row not found)."""
    at: list[int] = []
    start = 0
    for row in rows:
        pattern = re.compile(rf"{re.escape(row.label)} +{re.escape(row.value)}")
        found = next(
            (i for i in range(start, len(lines)) if pattern.fullmatch(lines[i].strip())), None
        )
        assert found is not None, (row, lines[start:])
        at.append(found)
        start = found + 1
    return at


def html_page(report: DailyReport | MonthlyReport) -> Page:
    parser = Page()
    parser.feed(
        report_html(report, ReportNames(council="Test Council", site_name="Hub", service_names={}))
    )
    return parser


def html_pairs(report: DailyReport | MonthlyReport) -> list[tuple[str, str]]:
    return html_page(report).pairs


def cells(table: Table) -> list[tuple[str, ...]]:
    """A table's rows as shown: each cell's text (the first, a label, without its indent)."""
    columns = [[str(cell) for cell in column.cells] for column in table.columns]
    return [(first.strip(), *rest) for first, *rest in zip(*columns, strict=True)]


def check_everywhere(report: DailyReport | MonthlyReport) -> tuple[FigureRow, ...]:
    rows = visit_rows(report)
    pairs = [(row.label, row.value) for row in rows]
    outcomes = outcome_rows(report.figures.outcomes)
    # The screen's tables and the page's first figures and outcomes table are exactly the rows.
    assert cells(visit_counts(report, "The day")) == pairs
    places = [  # on the screen, under Signposted: where to (those with visits)
        (label, str(n.total)) for label, n in signposted_rows(report.figures.flags, {}) if n.total
    ]
    assert cells(outcomes_table(report)) == [
        shown
        for row in outcomes
        for shown in [(row.label, row.value), *(places if row.label == "Signposted" else [])]
    ]
    page = html_page(report)
    assert page.pairs[: len(pairs)] == pairs
    assert [tuple(cells[:2]) for cells in page.tables["Outcomes of finished visits"][1:]] == [
        (row.label, row.value) for row in outcomes
    ]
    # The text report: each row on a line of its own, in order (definitions may follow one).
    text = report_text(report, HUB).splitlines()
    shown_in_order(rows, text)
    shown_in_order(outcomes, text[text.index("  Outcomes") :])
    if isinstance(report, DailyReport):
        printout = daily_summary(report, HUB)
        paper = text_lines(decode(render(printout)))
        at = shown_in_order(rows, paper)
        assert at == list(range(at[0], at[0] + len(rows)))  # one block on paper
        shown_in_order(outcomes, paper[paper.index("Outcomes") :])
    return rows


@settings(max_examples=40, deadline=None)
@given(
    figures=FIGURES,
    still_waiting=counts,
    busiest_hour=hours,
)
def test_a_day_s_visit_rows_agree_on_screen_paper_text_and_html(
    figures: dict[str, Any], still_waiting: int, busiest_hour: str | None
) -> None:
    report = daily_report(
        {**daily_fixture(), **figures, "still_waiting": still_waiting, "busiest_hour": busiest_hour}
    )
    rows = dict((row.label, row.value) for row in check_everywhere(report))
    # The values are the report's figures, each under its own words.
    assert rows["Visits (arrivals)"] == str(figures["visits"])
    assert rows["Dealt with at meet-and-greet"] == str(figures["quick_visits"])
    assert rows["Still waiting"] == str(still_waiting)
    median = figures["wait_median_minutes"]
    assert rows["Median wait"] == ("n/a" if median is None else f"{median:.1f} min")
    assert rows["Busiest hour"] == ("n/a" if busiest_hour is None else f"{busiest_hour}:00")


@settings(max_examples=20, deadline=None)
@given(figures=FIGURES)
def test_a_month_s_visit_rows_agree_on_screen_text_and_html(figures: dict[str, Any]) -> None:
    report = monthly_report({**monthly_fixture(), **figures})
    rows = check_everywhere(report)
    assert [row.label for row in rows][-2:] == ["Median wait", "90th percentile wait"]
    assert "Still waiting" not in {row.label for row in rows}  # a day's figure only


@settings(max_examples=20, deadline=None)
@given(appointments=APPOINTMENTS)
def test_a_month_s_appointment_rows_agree_on_screen_text_and_html(
    appointments: dict[str, Any],
) -> None:
    cancelled = appointments["appointments_cancelled"]
    report = monthly_report({**monthly_fixture(), **appointments})
    rows = appointment_rows(report.appointments)
    pairs = [(row.label, row.value) for row in rows]
    # The screen's table begins with the rows (the notice the council gave follows them).
    assert cells(appointments_table(report.appointments))[: len(pairs)] == pairs
    page = html_pairs(report)
    start = page.index(pairs[0])
    assert page[start : start + len(pairs)] == pairs
    text = report_text(report, HUB).splitlines()
    shown_in_order(rows, text[text.index("  Appointments") :])
    shown = dict(pairs)
    assert shown["Bookings made in the period"] == str(appointments["appointments_booked"])
    assert shown["Appointments checked in"] == str(appointments["appointments_kept"])
    assert shown["Appointments missed (no-shows)"] == str(appointments["appointments_no_show"])
    # One screen, one meaning of a word: the tickets not answered and the appointments missed
    # never share a label, anywhere the month is shown (screen, text, HTML, its trend's heads).
    visits = {row.label for row in visit_rows(report)}
    assert NO_SHOWS in visits and not visits & set(shown)
    screen = [label for label, *_ in cells(visit_counts(report, "Visits"))]
    screen += [label for label, *_ in cells(appointments_table(report.appointments))]
    whole = report_text(report, HUB)
    parsed = html_page(report)
    trend_head = parsed.tables["Last 12 months: the figures"][0]
    for said in (screen, whole.splitlines(), [label for label, _ in html_pairs(report)]):
        assert not any(re.search(r"^\s*No-shows\b", line) for line in said), said
    assert trend_head[-3:] == list(APPOINTMENT_COLUMNS)
    assert "  ".join(c.lower() for c in APPOINTMENT_COLUMNS) in whole
    assert shown["Cancelled by the council"] == str(cancelled["council"])
    assert shown["Cancelled by the resident"] == str(cancelled["resident"])


@settings(max_examples=10, deadline=None)
@given(target=st.integers(min_value=5, max_value=60))
def test_the_standards_have_the_same_short_names_on_screen_and_paper(target: int) -> None:
    """The day's standards, by the names the screen and the printed summary give them (both
    short of room), with the wait target the office has set."""
    report = daily_report({**daily_fixture(), "target_minutes": target})
    on_screen = [label for label, *_ in cells(standards_table(report))]
    assert on_screen[0] == f"Seen within {target} min"
    printout = daily_summary(report, HUB)
    paper = text_lines(decode(render(printout)))
    for name in on_screen:
        assert any(line.startswith(f"{name} ") for line in paper), (name, paper)


DESK_IDS = ("desk-1", "desk-2", "desk-3", "room-1")
DESK_NAMES = st.lists(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ", max_size=22)
    .map(str.strip)
    .filter(bool),
    min_size=len(DESK_IDS),
    max_size=len(DESK_IDS),
    unique=True,
)
DESKS = st.lists(
    st.fixed_dictionaries(
        {"served": counts, "service_median_minutes": waits, "service_total_minutes": waits}
    ).map(lambda d: {**d, "service_total_minutes": d["service_total_minutes"] or 0.0}),
    min_size=len(DESK_IDS),
    max_size=len(DESK_IDS),
)


def screen_table(outer: Table, title: str) -> Table:
    """The table called ``title`` among the screen's stacked tables."""
    found = [t for t in outer.columns[0].cells if isinstance(t, Table) and t.title == title]
    assert len(found) == 1, title
    return found[0]


def under(title: str, lines: list[str], count: int) -> list[str]:
    """The ``count`` lines after the line ``title`` (stripped), stripped."""
    start = [line.strip() for line in lines].index(title) + 1
    return [line.strip() for line in lines[start : start + count]]


@settings(max_examples=40, deadline=None)
@given(names=DESK_NAMES, desks=DESKS)
def test_a_day_s_desks_are_named_alike_on_screen_paper_text_and_html(
    names: list[str], desks: list[dict[str, Any]]
) -> None:
    """Each desk by its configured name, with the same served and median figures, in the same
    order, on the reports screen, in the text report, on the HTML page and on paper; the JSON
    keeps the ids (data)."""
    named = dict(zip(DESK_IDS, names, strict=True))
    named_hub = replace(HUB, desk_names=named)
    report = daily_report({**daily_fixture(), "desks": dict(zip(DESK_IDS, desks, strict=True))})
    rows = desk_rows(report.figures.desks, named)
    assert [row.name for row in rows] == names
    on_screen = screen_table(daily_table(report, SERVICES, named), "Desks")
    screen = cells(on_screen)
    assert screen == [(row.name, row.served, row.median) for row in rows]
    # The columns say what the median is of, in every presentation.
    assert [str(c.header) for c in on_screen.columns] == ["Desk", *SERVED_COLUMNS[:2]]
    text = report_text(report, named_hub).splitlines()
    head = next(line for line in text if line.strip().startswith("Desks "))
    assert head.split()[1:] == " ".join(c.lower() for c in SERVED_COLUMNS).split()
    shown = under(head.strip(), text, len(rows))
    assert [line.split() for line in shown] == [
        [*row.name.split(), row.served, *row.median.split(), *row.total.split()] for row in rows
    ]
    page = Page()
    page.feed(report_html(report, named_hub))
    assert page.tables["Desks"][0] == ["Desk", *SERVED_COLUMNS]
    assert [r[:4] for r in page.tables["Desks"][1:]] == [
        [row.name, row.served, row.median, row.total] for row in rows
    ]
    printout = daily_summary(report, named_hub)
    paper = " ".join(under("Desks", text_lines(decode(render(printout))), 2 * len(rows)))
    said = [
        f"{row.served} served" + ("" if row.median == "n/a" else f", {row.median}") for row in rows
    ]
    assert re.match(
        r" +".join(f"{re.escape(n)} +{re.escape(v)}" for n, v in zip(names, said, strict=True)),
        paper,
    ), paper
    for desk_id in DESK_IDS:
        assert all(desk_id not in shown for shown in (*text, *paper.split()))


LIMITS = st.lists(st.integers(min_value=5, max_value=120), min_size=1, max_size=3, unique=True)


@settings(max_examples=30, deadline=None)
@given(
    totals=st.tuples(counts, counts),
    limits=LIMITS,
    shares=st.lists(st.none() | st.floats(min_value=0, max_value=100).map(lambda p: round(p, 1))),
    wait=st.none() | st.floats(min_value=0, max_value=9999).map(lambda s: round(s, 1)),
    talk=st.none() | st.floats(min_value=0, max_value=9999).map(lambda s: round(s, 1)),
)
def test_a_month_s_telephone_rows_agree_on_screen_text_and_html(
    totals: tuple[int, int],
    limits: list[int],
    shares: list[float | None],
    wait: float | None,
    talk: float | None,
) -> None:
    """The telephone figures have one wording: the screen's table, the text report's lines and
    the page's headline figures are the same rows (labels and values, in order)."""
    answered, abandoned = totals
    pcts = [*shares, *[None] * 5]
    calls = {
        **monthly_fixture()["calls"],
        "total": answered + abandoned,
        "answered": answered,
        "abandoned": abandoned,
        "answered_pct": pcts[0],
        "abandoned_pct": pcts[1],
        "answered_within": {str(s): answered for s in sorted(limits)},
        "answered_within_pct": {str(s): pcts[2 + i] for i, s in enumerate(sorted(limits))},
        "average_wait_seconds": wait,
        "average_talk_seconds": talk,
    }
    report = monthly_report({**monthly_fixture(), "calls": calls})
    assert report.calls is not None
    rows = call_rows(report.calls)
    pairs = [(row.label, row.value) for row in rows]
    assert [label for label, _ in pairs] == [
        "Calls",
        "Answered",
        *(f"Answered within {s} seconds" for s in sorted(limits)),
        "Abandoned",
        "Average wait",
        "Average talk",
    ]
    assert cells(calls_table(report.calls)) == pairs
    assert calls_table(report.calls).title == CALLS_TITLE
    page = html_pairs(report)
    start = page.index(pairs[0])
    assert page[start : start + len(pairs)] == pairs
    text = report_text(report, HUB).splitlines()
    shown_in_order(rows, text[text.index(f"  {CALLS_TITLE}") :])
    shown = dict(pairs)
    assert shown["Calls"] == str(answered + abandoned)
    assert shown["Average wait"] == ("n/a" if wait is None else f"{wait:.1f} s")


def test_every_outcome_has_its_words_in_the_reports() -> None:
    assert set(OUTCOME_LABELS) == set(Outcome)
    assert len(set(OUTCOME_LABELS.values())) == len(Outcome)


def test_the_text_report_rates_a_standard_in_its_status_word() -> None:
    """The text report's rating: the colour, then the status's own word (as every report)."""
    assert [rag_words(status) for status in Status] == [
        "GREEN, met",
        "AMBER, near: below the target by a little",
        "RED, missed",
        "",
    ]
    assert all(status.word in rag_words(status) for status in Status)
