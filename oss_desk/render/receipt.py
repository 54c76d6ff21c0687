"""The daily report on the receipt printer: the printout the worker prints (figures only, per
service and per desk; no resident and no member of staff is named)."""

from __future__ import annotations

from oss_desk.domain.printouts import SummaryPrintout
from oss_desk.domain.reports import CLOSED_THAT_DAY, DailyReport, ReportNames
from oss_desk.domain.scorecard import FIGURE_DEFINITIONS, short_label
from oss_desk.domain.standards import (
    FIRST_CONTACT,
    PUNCTUALITY,
    SATISFIED,
    SEEN_WITHIN_TARGET,
    Standard,
    Status,
)
from oss_desk.domain.text import event_log_head_lines
from oss_desk.render.followups import KIND_NAMES
from oss_desk.render.formats import MISSING, percent, target
from oss_desk.render.rows import FigureRow, counted_rows, desk_rows, outcome_rows, visit_rows


def _rated(standard: Standard | None) -> str:
    """``84.0% met`` / ``78.5% near`` / ``64.5% MISSED``: the standard in words (paper has no
    colour), as the report rated it."""
    if standard is None or standard.value is None:
        return MISSING
    word = standard.status.word
    return f"{percent(standard.value)} {word.upper() if standard.status is Status.RED else word}"


def _noted(row: FigureRow) -> str:
    """A part of the visits as paper lists it: indented under its whole, what it is (``not
    counted``) after it."""
    note = f" ({row.note})" if row.note else ""
    return f"{row.indented}{note}"


def _target(standard: Standard | None) -> str:
    return MISSING if standard is None else target(standard)


def daily_summary(
    report: DailyReport, names: ReportNames, *, large_print: bool = False
) -> SummaryPrintout:
    """The daily report for the receipt printer (desks by their names)."""
    f = report.figures
    t = report.target_minutes
    measures = (SEEN_WITHIN_TARGET, FIRST_CONTACT, PUNCTUALITY, SATISFIED)
    within, first_contact, on_time, satisfied = (report.standard(m.key) for m in measures)
    seen, first, punctual, content = (short_label(m.key, t) for m in measures)
    parts = tuple((f"  {_noted(row)}", row) for row in counted_rows(report))  # add up to visits
    rows = (
        *(((CLOSED_THAT_DAY, report.closed),) if report.closed else ()),
        *((row.indented, row.value) for row in visit_rows(report)),
        (seen, _rated(within).rstrip()),
        *((label, row.value) for label, row in parts),
        (first, _rated(first_contact).rstrip()),
        (punctual, _rated(on_time).rstrip()),
        (content, _rated(satisfied).rstrip()),
        ("  answers", str(f.satisfaction.answers)),
    )
    rated = ((seen, within), (first, first_contact), (punctual, on_time), (content, satisfied))
    definitions = (
        # Only of a figure the day has: a definition under "n/a" is paper for nothing (the
        # leader's month-end trial: about 40 lines for a closed day nobody came on).
        *(
            (label, s.definition)
            for label, s in rated
            if s is not None and s.definition and s.value is not None
        ),
        *(
            (label, FIGURE_DEFINITIONS[row.definition])
            for label, row in parts
            if row.definition == "left_before_target"
        ),
    )
    services = tuple(
        (f"{code} {names.service_names.get(code, code)}", str(n))
        for code, n in f.by_service.items()
    )
    outcomes = tuple((row.label, row.value) for row in outcome_rows(f.outcomes))
    desks = tuple(
        (
            desk.name,
            f"{desk.served} served"
            + ("" if desk.figures.service_median_minutes is None else f", {desk.median}"),
        )
        for desk in desk_rows(f.desks, names.desk_names)
    )
    followups = tuple(
        (KIND_NAMES.get(kind, kind), f"{c.due_today} due, {c.overdue} late")
        for kind, c in report.followups.items()
        if c.due_today or c.overdue
    )
    sections = tuple(
        (title, group)
        for title, group in (
            ("By service", services),
            ("Outcomes", outcomes),
            ("Desks", desks),
            ("Follow-ups still due", followups),
        )
        if group
    )
    return SummaryPrintout(
        council=names.council,
        site=names.site_name,
        date=report.date,
        rows=rows,
        by_hour=tuple((h, n) for h, n in f.by_hour.items()),
        notes=(
            f"Standards: seen within {report.target_minutes} minutes {_target(within)};"
            f" resolved at first contact {_target(first_contact)}."
            " Desks: served, median service time (call to finish).",
            # The day's event log head, 32 characters a line: a paper copy of the record.
            *event_log_head_lines(report.event_log_head, width=34),
        ),
        sections=sections,
        large_print=large_print,
        definitions=definitions,
    )
