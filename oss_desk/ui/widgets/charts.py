"""The Reports screen's charts (plotext), drawn the same on every run: bars whose labels are
chosen here, titles that fit, whole-number ticks, and the monthly dashboard's 12-month trend."""

from __future__ import annotations

from datetime import date
from typing import Any

from oss_desk.domain.calendar import part_said
from oss_desk.domain.reports import MonthlyReport
from oss_desk.domain.standards import SEEN_WITHIN_TARGET

SERIES_OFFSET = 0.3
"""How far from the middle of a month's slot each of the 12-month chart's two series is drawn
(a third of a slot: at least a column apart on any chart wide enough for twelve months)."""


def bars(plt: Any, labels: list[str], values: list[int], width: int) -> None:
    """A bar chart whose tick labels are chosen here, as many as fit in ``width`` columns, so
    the picture is the same on every run (plotext drops labels that collide, differently from
    one run to the next)."""
    xs = [float(i) for i in range(1, len(values) + 1)]
    plt.bar(xs, values)
    longest = max((len(label) for label in labels), default=1)
    room = max(1, (width - 8) // (longest + 3))
    every = max(1, -(-len(labels) // room))
    shown = [i for i in range(len(xs)) if i % every == 0]
    plt.xticks([xs[i] for i in shown], [labels[i] for i in shown])
    whole_number_ticks(plt, values)


def chart_title(plt: Any, width: int, *wordings: str) -> None:
    """The first of ``wordings`` (longest first) that fits a chart ``width`` columns wide:
    plotext leaves out a title wider than its plot, and a chart without one says nothing."""
    room = width - 4  # the y-axis's labels (up to "100┤")
    plt.title(next((words for words in wordings if len(words) <= room), wordings[-1]))


def whole_number_ticks(plt: Any, values: list[int]) -> None:
    """Counts get three whole-number ticks: 0, the middle and the top (plotext's own would label
    7 arrivals as 5.8 and 7.0, and it drops ticks that do not fit, differently run to run)."""
    top = max(max(values, default=0), 2)
    top += top % 2
    plt.yticks([0.0, float(top // 2), float(top)])
    plt.ylim(0, top)


def twelve_months(plt: Any, width: int, data: MonthlyReport) -> None:
    """The monthly dashboard's trend: the two standards month by month over 12 months, with
    the wait standard's target as a line."""
    trend = data.trend
    names = [date.fromisoformat(f"{t.month}-01").strftime("%b") for t in trend]
    xs = [float(x) for x in range(1, len(trend) + 1)]
    # The two series side by side in each month's slot (first contact a little to the
    # left, the wait standard a little to the right), so that where their figures are
    # close neither marker hides the other.
    for values, marker, beside in (
        ([t.first_contact_resolution_pct for t in trend], "+", -SERIES_OFFSET),
        ([t.within_15_min_pct for t in trend], "*", SERIES_OFFSET),
    ):
        points = [(x + beside, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if points:
            plt.plot([p[0] for p in points], [p[1] for p in points], marker=marker)
    goal = SEEN_WITHIN_TARGET.target or 0
    if xs:
        plt.hline(goal, color="gray")
        room = max(1, (width - 8) // 5)
        every = max(1, -(-len(xs) // room))
        shown = [i for i in range(len(xs)) if (len(xs) - 1 - i) % every == 0]
        plt.xticks([xs[i] for i in shown], [names[i] for i in shown])
        plt.xlim(0.5, len(xs) + 0.5)
        plt.yticks([0.0, 20.0, 40.0, 60.0, 80.0, 100.0])
        plt.ylim(0, 100)
    t = data.target_minutes
    # A month begun before the records is marked as the text and HTML reports mark it:
    # its figures are from the day they begin ("(from 8 Dec)"), said in every title.
    part = part_said(next((m.records_from for m in trend if m.records_from), None))
    chart_title(
        plt,
        width,
        *(
            " ".join(filter(None, (words, part)))
            for words in (
                f"12 months: * within {t} min, + first contact (%; line: {goal})",
                f"12 months: * within {t} min, + first contact (%)",
                f"* within {t} min, + first contact",
                f"* in {t} min, + 1st contact",
                f"* {t} min, + 1st contact",
                f"* {t} min, + 1st",  # (room for the mark beside the key)
                f"* {t}m, + 1st",
                "",  # narrower still: the mark alone
            )
            if words or part
        ),
    )
