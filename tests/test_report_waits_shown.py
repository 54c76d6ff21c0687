"""The shares a report rates its visits by say what they are shares of, in the same words and
figures wherever they are shown (one home: :func:`oss_desk.render.rows.wait_rows` and
:func:`~oss_desk.render.rows.counted_lines`): the text report, the HTML page and the desk's
reports screen (F6). The 15-minute figure is a share of the visitors counted (seen, walked out
after the target, closed unseen), not of those seen: "111 of 135 counted", never "111 of 134".
The screen shows what ``report daily`` shows besides: every adjustment (zero too) and the
follow-ups due."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from oss_desk.domain.reports import ReportNames
from oss_desk.render.html import report_html
from oss_desk.render.rows import adjustment_rows, counted_lines, wait_rows
from oss_desk.render.text import report_text
from oss_desk.ui.screens.reports import daily_table

from .report_fixtures import SERVICES, daily_fixture
from .report_values import daily_report

counts = st.integers(min_value=0, max_value=999)


def _screen_text(table: Any) -> str:
    console = Console(width=160, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def _day(**figures: Any) -> Any:
    return daily_report({**daily_fixture(), **figures})


def test_the_seen_within_sentence_is_of_the_visitors_counted() -> None:
    """The trial's day: 111 of 135 counted (134 seen, 1 closed unseen), 82.2%."""
    report = _day(
        seen=134,
        seen_within_target=111,
        walked_out_after_target=0,
        closed_unseen=1,
        measured=135,
        within_15_min_pct=82.2,
    )
    page = report_html(report, ReportNames(council="C", site_name="Hub", service_names={}))
    text = report_text(report, ReportNames(council="C", site_name="Hub", service_names=SERVICES))
    assert "Seen within 15 minutes 82.2% (111 of 135 counted)" in page
    assert "of 134" not in page
    assert "(111 of 135 counted)" in text
    for line in counted_lines(report):
        assert line in page and line in text


@settings(max_examples=30, deadline=None)
@given(
    seen=counts,
    within=counts,
    after=counts,
    before=counts,
    closed=counts,
    error=counts,
    bsl=counts,
)
def test_text_html_and_the_screen_say_the_same(
    seen: int, within: int, after: int, before: int, closed: int, error: int, bsl: int
) -> None:
    fixture = daily_fixture()
    report = _day(
        seen=seen,
        seen_within_target=min(within, seen),
        walked_out_after_target=after,
        left_before_target=before,
        closed_unseen=closed,
        measured=seen + after + closed,
        issued_in_error=error,
        adjustments={**{k: 0 for k in fixture["adjustments"]}, "bsl": bsl},
    )
    text = report_text(report, ReportNames(council="C", site_name="Hub", service_names=SERVICES))
    page = report_html(report, ReportNames(council="C", site_name="Hub", service_names={}))
    screen = " ".join(_screen_text(daily_table(report, SERVICES)).split())
    flat_text = " ".join(text.split())
    for row in wait_rows(report):
        assert f"{row.label} {row.value} ({row.note})" in flat_text
        assert f"{row.label} {row.value} ({row.note})" in page
        assert f"{row.label} {row.value}" in screen and row.note in screen
    for line in counted_lines(report):
        assert line in flat_text and line in page and line in screen
    assert f"{report.figures.seen_within_target} of {report.figures.measured} counted" in screen
    for row in adjustment_rows(report.figures.adjustments):
        assert f"{row.label} {row.value}" in flat_text
        assert f"{row.label} {row.value}" in screen
    assert "Follow-ups due today overdue" in screen
