"""Every figure of a block of the text report ends in one column (review 14, 8): the label
column is as wide as the block's longest label. "Appointments booked during a visit" (34
characters) overran the fixed 32-character column, so its count stood two columns right of
every other figure of the visits. The printed summary sets each figure against the paper's
right edge (its own layout), so its figures end in one column whatever the labels."""

from __future__ import annotations

import re

import pytest

from oss_desk.domain.reports import DailyReport, MonthlyReport, ReportNames
from oss_desk.hardware.templates import render
from oss_desk.render.receipt import daily_summary
from oss_desk.render.rows import ARRANGED
from oss_desk.render.text import report_text

from .escpos_decoder import decode, text_lines
from .report_fixtures import SERVICES, daily_fixture, monthly_fixture
from .report_values import daily_report, monthly_report

HUB = ReportNames(council="C", site_name="Hub", service_names=SERVICES)

BLOCKS = {
    "visits": "  Visits (arrivals) ",
    "appointments": "  Bookings made in the period ",
    "calls": "  Calls ",
}
"""Each block of figures by the start of its first line (it ends at a blank line)."""

WORDS = ("    counted:", "    left before", "    notice given")
"""The lines of words among a block's figures (who was counted, the notice given)."""
_NOTE = re.compile(r"   \(.*\)$")


def figure_ends(lines: list[str]) -> dict[str, int]:
    """Where each figure line's figure ends (its note after it left off), by line; a figure
    line starts with its label two or four spaces in (a definition under it, six)."""
    return {
        line: len(_NOTE.sub("", line).rstrip())
        for line in lines
        if re.match(r"^ {2}(  )?\S", line)
        and not line.startswith("    counted:")
        and not line.startswith("    left before")
        and not line.startswith("    notice given")
    }


def block(text: list[str], name: str) -> list[str]:
    start = next(n for n, line in enumerate(text) if line.startswith(BLOCKS[name]))
    return text[start : text.index("", start)]


@pytest.mark.parametrize(
    ("report", "names"),
    [
        (daily_report(daily_fixture()), ("visits",)),
        (monthly_report(monthly_fixture()), ("visits", "appointments", "calls")),
    ],
    ids=["daily", "monthly"],
)
def test_every_figure_of_a_block_ends_in_one_column(
    report: DailyReport | MonthlyReport, names: tuple[str, ...]
) -> None:
    text = report_text(report, HUB).splitlines()
    for name in names:
        ends = figure_ends(block(text, name))
        assert len(ends) >= 4, (name, ends)
        assert len(set(ends.values())) == 1, (name, ends)
    arranged = next(line for line in text if line.startswith(f"  {ARRANGED} "))
    assert re.match(rf"^  {ARRANGED} {{2,}}\d+$", arranged), arranged


def test_the_printed_summary_s_figures_end_at_the_paper_s_edge() -> None:
    paper = text_lines(decode(render(daily_summary(daily_report(daily_fixture()), HUB))))
    first = next(n for n, line in enumerate(paper) if line.startswith("Visits (arrivals)"))
    rows = paper[first : first + 10]
    assert any(line.startswith(ARRANGED) for line in rows), rows
    assert len({len(line) for line in rows}) == 1, rows


def test_arrivals_by_service_end_in_one_column_whatever_the_service_names() -> None:
    """A service name longer than the column ("Housing and Council Tax benefits", 32
    characters) pushed its count four columns right of the others (trial 11, P3)."""
    long = dict(SERVICES, B="Housing and Council Tax benefits")
    names = ReportNames(council="C", site_name="Hub", service_names=long)
    text = report_text(daily_report(daily_fixture()), names).splitlines()
    start = text.index("  Arrivals by service")
    rows = text[start + 1 : text.index("", start)]
    assert len(rows) == 4 and any("Housing and Council Tax benefits" in r for r in rows), rows
    assert len({len(r) for r in rows}) == 1, rows


def test_offices_desks_and_advisers_by_name_each_figure_in_one_column() -> None:
    """An office of two sites listed its arrivals by the sites' ids in a 31-character column
    (a longer name overran it), and desks and advisers were cut at 24 characters ("Library
    desk with a long" for "Library desk with a long name 1"): each is now named in full, and
    each block's figures end in one column."""
    data = daily_fixture()
    data["by_site"] = {"hq": 100, "library": 13}
    data["advisers"]["asmith"]["name"] = "Alexandra Smithson-Featherstonehaugh"
    names = ReportNames(
        council="C",
        site_name="all offices",
        service_names=SERVICES,
        desk_names={"desk-1": "Library desk with a long name 1", "desk-2": "Desk 2"},
        site_names={"hq": "Civic Centre", "library": "Library and Community Hub (Northgate)"},
    )
    text = report_text(daily_report(data), names).splitlines()

    def rows(title: str) -> list[str]:
        start = next(n for n, line in enumerate(text) if line.startswith(title))
        return text[start : text.index("", start)]

    offices = rows("  Arrivals by office")[1:]
    assert [line.split("  ")[2] for line in offices] == [
        "Civic Centre",
        "Library and Community Hub (Northgate)",
    ]
    assert len({len(line) for line in offices}) == 1, offices
    desks = [line for line in rows("  Desks") if not line.startswith("      ")]
    assert "    Library desk with a long name 1 " in desks[1], desks
    assert len({len(line) for line in desks}) == 1, desks  # the heading's last column too
    advisers = rows("  Advisers")
    assert any("Alexandra Smithson-Featherstonehaugh" in line for line in advisers), advisers
    served = {line.index(" 27 ") for line in (*desks, *advisers) if " 27 " in line}
    assert len(served) == 1, (desks, advisers)  # desks' and advisers' served in one column
