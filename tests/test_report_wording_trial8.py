"""The eighth new-user trial's report wording: the month's three appointment counts are told
apart alike in every presentation (C4: "Appointments booked during a visit", the outcome "Needs
an appointment", "Bookings made in the period", and one definition saying how they differ); the
council's notice reads well at zero (P7); and on the desk's reports screen (F6) a wrapped line
under a figure keeps its indent (P6) and each standard has its definition under it (P8)."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from rich.console import Console

from oss_desk.domain.reports import ReportNames
from oss_desk.domain.scorecard import FIGURE_DEFINITIONS
from oss_desk.render.html import monthly_html
from oss_desk.render.receipt import daily_summary
from oss_desk.render.rows import ARRANGED, OUTCOME_LABELS, council_notice_words
from oss_desk.render.text import report_text
from oss_desk.ui.screens.reports import daily_table, monthly_table

from .report_fixtures import SERVICES, daily_fixture, monthly_fixture
from .report_values import daily_report, monthly_report

NAMES = ReportNames(council="Test Council", site_name="Civic Centre", service_names=SERVICES)


def screen_text(table: Any, width: int = 52) -> str:
    """F6's figures as plain text at the width of its figures box."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(table)
    return console.export_text()


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_three_appointment_counts_are_told_apart_everywhere() -> None:
    report = monthly_report(monthly_fixture())
    definition = FIGURE_DEFINITIONS["appointments"]
    for said in ("Bookings made", "booked during a visit", "Needs an appointment"):
        assert said in definition
    text = report_text(report, NAMES)
    page = html.unescape(monthly_html(report, NAMES))
    screen = screen_text(monthly_table(report, dict(SERVICES)))
    for shown in (text, page, screen):
        assert ARRANGED in shown and "Appointments arranged" not in shown
        assert "Bookings made in the period" in shown
        assert "Needs an appointment" in shown
        assert words(definition) in words(shown)
    assert OUTCOME_LABELS["appointment"] == "Needs an appointment"
    paper = [label for label, _ in daily_summary(daily_report(daily_fixture()), NAMES).rows]
    assert ARRANGED in paper


@pytest.mark.parametrize(("cancelled", "moved"), [(0, 0), (0, 3), (4, 0), (1, 1), (4, 3)], ids=str)
def test_the_council_s_notice_reads_well_at_zero(cancelled: int, moved: int) -> None:
    data = monthly_fixture()
    data["council_cancellations"] |= {
        "total": cancelled,
        "with_notice": cancelled // 2,
        "breaches": cancelled - cancelled // 2,
        "with_notice_pct": None if not cancelled else 50.0,
    }
    data["council_moves"] |= {
        "total": moved,
        "with_notice": moved,
        "breaches": 0,
        "with_notice_pct": None if not moved else 100.0,
    }
    data["council_notice_pct"] = None if not cancelled + moved else 60.0
    report = monthly_report(data)
    said = " ".join(council_notice_words(report.appointments, "this month"))
    assert "n/a" not in said and " 0 appointments" not in said
    assert re.search(r"\b1 appointments\b", said) is None
    assert ("cancelled no appointments" in said) is (cancelled == 0)
    assert ("moved none" in said) is (moved == 0)
    assert ("together" in said) is bool(cancelled and moved)
    page = html.unescape(monthly_html(report, NAMES))
    for sentence in council_notice_words(report.appointments, "this month"):
        assert sentence in page


def test_f6_keeps_the_indent_of_a_wrapped_line_and_defines_each_standard() -> None:
    report = daily_report(daily_fixture())
    lines = screen_text(daily_table(report, dict(SERVICES))).splitlines()
    start = next(n for n, line in enumerate(lines) if line.strip().startswith("counted:"))
    indent = len(lines[start]) - len(lines[start].lstrip())
    wrapped = lines[start + 1]
    assert not wrapped.strip().startswith("left before"), "the counted line did not wrap"
    assert len(wrapped) - len(wrapped.lstrip()) == indent, lines[start : start + 2]
    screen = words("\n".join(lines))
    for standard in report.standards:
        assert standard.definition and words(standard.definition) in screen, standard.key
