"""The daily and monthly reports as one self-contained HTML page each (pure string building).

The page's shell, style and building blocks are in :mod:`oss_desk.render.html_page`, the charts
in :mod:`oss_desk.render.svg`. Every value taken from the figures or the configuration is
escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from oss_desk.domain.calendar import part_said
from oss_desk.domain.needs import INTERPRETER, describe_need
from oss_desk.domain.reports import (
    NO_RECORDS,
    AdviserFigures,
    AppointmentFigures,
    DailyReport,
    DayComparison,
    DeskFigures,
    MonthlyReport,
    PeriodReport,
    RangeReport,
    Report,
    ReportNames,
    TrendMonth,
    VisitFigures,
    closed_words,
    day_closed_said,
)
from oss_desk.domain.scorecard import FIGURE_DEFINITIONS
from oss_desk.domain.standards import SEEN_WITHIN_TARGET
from oss_desk.domain.stats import pct
from oss_desk.domain.text import event_log_head_lines
from oss_desk.render.followups_html import due_section, period_section, record_section
from oss_desk.render.formats import (
    count,
    long_date,
    long_month,
    minutes,
    month_words,
    percent,
    period_words,
    short_month,
)
from oss_desk.render.html_page import (
    bars_block,
    figure,
    figures,
    page,
    row,
    section,
    standards_table,
    table,
)
from oss_desk.render.html_scorecard import (
    beside_section,
    calls_section,
    flags_block,
    months_section,
    note,
    satisfaction_block,
    scorecard_section,
    wait_block,
)
from oss_desk.render.rows import (
    APPOINTMENT_COLUMNS,
    NO_SHOWS,
    SERVED_COLUMNS,
    appointment_rows,
    council_notice_words,
    counted_lines,
    desk_rows,
    outcome_rows,
    visit_rows,
    wait_rows,
)
from oss_desk.render.svg import Bar, Series, e, hour_bars, line_chart


def report_html(
    report: Report,
    names: ReportNames,
    *,
    organisations: Mapping[str, str] | None = None,
    record: Mapping[str, Any] | None = None,
) -> str:
    """The daily, monthly or any-period report as one self-contained HTML page; ``record``: the
    quarterly return On The Record (the ``on_the_record`` of ``report quarterly``'s JSON), shown
    last."""
    service_names = names.service_names
    place = _place(report, names.site_name)
    orgs = organisations or {}
    if isinstance(report, DailyReport):
        title, heading = "Daily footfall report", "Daily footfall report"
        when = long_date(report.date)
        sections = _daily_sections(report, names)
    elif isinstance(report, MonthlyReport):
        title, heading = "Monthly report", "Monthly performance report"
        when = month_words(report.month, report.to_date)
        sections = _monthly_sections(report, names)
    else:
        title = heading = PERIOD_HEADINGS.get(report.period, "Performance report")
        when = period_words(report.label, report.first_day, report.last_day, report.to_date)
        sections = _period_sections(report, names)
    sections.insert(2, _work_section(report, names.desk_names, service_names, orgs))
    if record is not None:
        sections.append(record_section(record, f"{place}, {when}"))
    return page(
        title=f"{title}: {place}, {when}",
        council=names.council,
        heading=heading,
        sub=f"{place} \u00b7 {when}",
        sections=sections,
    )


daily_html = monthly_html = report_html

PERIOD_HEADINGS = {
    "quarter": "Quarterly performance report",
    "year": "Annual performance report",
    "period": "Performance report",
}


def _daily_sections(report: DailyReport, names: ReportNames) -> list[str]:
    """Summary, arrivals and the same weekday in earlier weeks (the work section goes third)."""
    f = report.figures
    closed = closed_words(report)
    headline = (f'<p class="note closed">{e(closed)}</p>' if closed else "") + _headline(report)
    seen = (
        '<p class="note">'
        + "; ".join(f"{e(row.label)} {e(row.value)} ({e(row.note)})" for row in wait_rows(report))
        + "; "
        + "; ".join(e(line) for line in counted_lines(report))
        + ".</p>"
    )
    return [
        section(
            "summary",
            "Summary",
            headline,
            standards_table(report.standards),
            seen,
            wait_block(f, report.target_minutes),
        ),
        section(
            "arrivals",
            "Arrivals",
            *_arrival_blocks(f, names.service_names),
            _by_site_table(report, names),
        ),
        due_section(report.followups),
        _previous_weeks(report),
        _event_log_head(report),
    ]


def _event_log_head(report: DailyReport) -> str:
    """The day's event log head: a copy of it outside the database anchors the record."""
    text = " ".join(event_log_head_lines(report.event_log_head, width=200))
    return f'<p class="note" id="event-log-head">{e(text)}</p>'


def _monthly_sections(report: MonthlyReport, names: ReportNames) -> list[str]:
    """Summary, visits, appointments, the trend and calls (the work section goes third)."""
    f = report.figures
    day_bars = [
        Bar(day, str(int(day[-2:])) if day[-2:].isdigit() else day, long_date(day), n)
        for day, n in report.days_recorded().items()
        if n is not None  # a day before the records begin: no bar (the table says so)
    ]
    by_day = bars_block(
        "chart-by-day",
        "Visits by day",
        day_bars,
        unit="visits",
        first_column="Day",
        data_table=_calendar(report.days_recorded(), report.closed_days),
    )
    return [
        section(
            "summary",
            "Summary",
            _headline(report),
            standards_table(report.standards),
            wait_block(f, report.target_minutes),
        ),
        section(
            "visits",
            "Visits",
            by_day,
            *_arrival_blocks(f, names.service_names),
            _by_site_table(report, names),
        ),
        _appointments(report.appointments),
        period_section(report.followups),
        _trend(report),
        calls_section(report.calls),
    ]


def _period_sections(report: RangeReport, names: ReportNames) -> list[str]:
    """The scorecard (every standard on one page), the period before, the visits, the months,
    appointments and calls (the work section goes third)."""
    f = report.figures
    return [
        scorecard_section(report),
        section("summary", "Summary", _headline(report), wait_block(f, report.target_minutes)),
        beside_section(report),
        months_section(report),
        section(
            "visits",
            "Visits",
            *_arrival_blocks(f, names.service_names),
            _by_site_table(report, names),
        ),
        _appointments(report.appointments, "this period"),
        period_section(report.followups),
        calls_section(report.calls),
    ]


# Both pages ------------------------------------------------------------------------------------


def _place(report: PeriodReport, site_name: str) -> str:
    if report.site is None and len(report.sites) > 1:
        return f"{site_name} ({', '.join(report.sites)})"
    return site_name


def _headline(report: PeriodReport) -> str:
    return figures([(row.label, row.value) for row in visit_rows(report)])


def _arrival_blocks(f: VisitFigures, service_names: Mapping[str, str]) -> tuple[str, str]:
    """Arrivals by hour and by service, each a chart over its table."""
    services = [
        Bar(code, code, f"{code} {service_names.get(code, code)}", n)
        for code, n in f.by_service.items()
    ]
    return (
        bars_block(
            "chart-by-hour",
            "Arrivals by hour",
            hour_bars(f.by_hour),
            unit="arrivals",
            first_column="Hour",
        ),
        bars_block(
            "chart-by-service",
            "Arrivals by service",
            services,
            unit="arrivals",
            first_column="Service",
        ),
    )


def _by_site_table(report: PeriodReport, names: ReportNames) -> str:
    by_site, left = report.figures.by_site, report.sites_left
    if len(by_site) < 2:
        return ""
    rows = [row(names.office(k, left), str(v)) for k, v in by_site.items()]
    return table("Visits by office", ["Office", "Visits"], rows)


def _work_section(
    report: PeriodReport,
    desk_names: Mapping[str, str],
    service_names: Mapping[str, str],
    organisations: Mapping[str, str],
) -> str:
    """Outcomes, what happened in the council's words, satisfaction, desks, advisers and
    adjustments."""
    f = report.figures
    return section(
        "work",
        "Outcomes, satisfaction, desks and adjustments",
        _outcomes_table(f.outcomes),
        flags_block(f.flags, list(f.by_service), organisations),
        satisfaction_block(f.satisfaction, service_names),
        _desks_table(f.desks, desk_names),
        _advisers_table(f.advisers),
        _adjustments_table(f.adjustments),
    )


def _outcomes_table(outcomes: Mapping[str, int]) -> str:
    total = sum(outcomes.values())
    rows = [
        row(shown.label, shown.value, percent(pct(n, total)))
        for shown, n in zip(outcome_rows(outcomes), outcomes.values(), strict=True)
    ]
    return table("Outcomes of finished visits", ["Outcome", "Visits", "Share"], rows)


def _desks_table(desks: Mapping[str, DeskFigures], names: Mapping[str, str]) -> str:
    if not desks:
        return ""
    rows = [row(d.name, d.served, d.median, d.total) for d in desk_rows(desks, names)]
    return table("Desks", ["Desk", *SERVED_COLUMNS], rows) + note(
        FIGURE_DEFINITIONS["service_time"]
    )


def _advisers_table(advisers: Mapping[str, AdviserFigures]) -> str:
    if not advisers:
        return ""
    rows = [
        row(a.name or staff, count(a.served), minutes(a.service_median_minutes))
        for staff, a in advisers.items()
    ]
    return table("Advisers", ["Adviser", *SERVED_COLUMNS[:2]], rows)


def _adjustments_table(adjustments: Mapping[str, int]) -> str:
    if not adjustments:
        return ""
    rows = [
        row("Interpreter (any language)" if k == INTERPRETER else describe_need(k), str(v))
        for k, v in adjustments.items()
    ]
    return table("Reasonable adjustments recorded at arrival", ["Adjustment", "Visits"], rows)


# The daily page --------------------------------------------------------------------------------

_WEEK_FIELDS: tuple[tuple[str, Callable[[DayComparison], str]], ...] = (
    ("Visits", lambda w: count(w.visits)),
    ("Served", lambda w: count(w.served)),
    (NO_SHOWS, lambda w: count(w.no_shows)),
    ("Within target", lambda w: percent(w.within_15_min_pct)),
    ("First contact", lambda w: percent(w.first_contact_resolution_pct)),
    ("Median wait", lambda w: minutes(w.wait_median_minutes)),
    ("90th pct wait", lambda w: minutes(w.wait_p90_minutes)),
)


def _previous_weeks(report: DailyReport) -> str:
    if not report.previous_weeks:
        return ""
    days: list[tuple[str, DayComparison]] = [
        (f"{long_date(report.date)} (this day)", report.comparison()),
        *((long_date(w.date), w) for w in report.previous_weeks),
    ]
    rows = [
        row(label, NO_RECORDS, *("" for _ in _WEEK_FIELDS[1:]))
        if not w.recorded
        else row(label, day_closed_said(w.closed), *("" for _ in _WEEK_FIELDS[1:]))
        if w.closed is not None and not w.visits
        else row(_closed_after(label, w.closed), *(shown(w) for _, shown in _WEEK_FIELDS))
        for label, w in days
    ]
    return section(
        "previous-weeks",
        "Compared with the same day in previous weeks",
        table(
            "The same weekday, newest first",
            ["Day", *(label for label, _ in _WEEK_FIELDS)],
            rows,
        ),
    )


# The monthly page ------------------------------------------------------------------------------


def _closed_after(said: str, closed: str | None) -> str:
    """``said`` and, on a day the office was closed, why (:func:`day_closed_said`)."""
    return said if closed is None else f"{said} ({day_closed_said(closed)})"


def _calendar(by_day: Mapping[str, int | None], closed: Mapping[str, str]) -> str:
    """The month's visits as a calendar: a row a week, Monday first (``no records`` on a day
    before the records begin; a day the office was ``closed`` says so, in place of a 0)."""
    weeks: list[list[str]] = []
    for day, n in by_day.items():
        try:
            when = date.fromisoformat(day)
        except ValueError:
            continue
        if not weeks or when.weekday() == 0:
            weeks.append([""] * 7)
        why = closed.get(day)
        if n is None:
            shown = e(NO_RECORDS)
        elif why is not None and not n:
            shown = e(day_closed_said(why))
        else:
            shown = e(_closed_after(str(n), why))
        weeks[-1][when.weekday()] = (
            f'<td class="num" data-day="{e(day)}"><span class="day">{when.day}</span> {shown}</td>'
        )
    rows = ["<tr>" + "".join(cell or "<td></td>" for cell in week) + "</tr>" for week in weeks]
    head = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return table("Visits by day: the figures (day of the month, then visits)", head, rows)


def _appointments(a: AppointmentFigures, when: str = "this month") -> str:
    headline = figures([(row.label, row.value) for row in appointment_rows(a)]) + note(
        FIGURE_DEFINITIONS["appointments"]
    )
    cc = a.council_cancellations
    said = "".join(f'<p class="note">{e(words)}</p>' for words in council_notice_words(a, when))
    notice_rows = [
        row(f"{days} working day{'' if days == '1' else 's'}", str(n))
        for days, n in cc.notice_days.items()
    ]
    notice = (
        table("Notice given when the council cancelled", ["Notice", "Appointments"], notice_rows)
        if notice_rows and cc.total
        else ""
    )
    return section("appointments", "Appointments", headline, said, notice)


def _trend(report: MonthlyReport) -> str:
    trend: Sequence[TrendMonth] = report.trend
    if not trend:
        return ""
    ticks = [short_month(t.month) for t in trend]
    visits = line_chart(
        "chart-trend-visits",
        "Visits per month, last 12 months",
        f"Monthly visits from {long_month(trend[0].month)} to {long_month(trend[-1].month)}"
        ". The table below gives every value.",
        ticks,
        [Series("Visits", [t.visits for t in trend], 0)],
    )
    goal = _trend_target(report)
    standards = line_chart(
        "chart-trend-standards",
        "Service standards, last 12 months",
        "Share seen within target and share resolved at first contact each month, against the "
        f"{goal}% target. Months without data leave a gap. The table below gives every value.",
        ticks,
        [
            Series("Seen within target", [t.within_15_min_pct for t in trend], 0),
            Series("First contact", [t.first_contact_resolution_pct for t in trend], 1),
        ],
        fixed_top=100,
        target=goal,
    )
    rows = [
        row(
            long_month(t.month),
            " ".join(filter(None, (count(t.visits), part_said(t.records_from)))),
            percent(t.within_15_min_pct),
            percent(t.first_contact_resolution_pct),
            count(t.appointments_booked),
            count(t.appointments_kept),
            count(t.appointments_no_show),
        )
        if t.recorded
        else row(long_month(t.month), NO_RECORDS, *("" for _ in range(5)))
        for t in trend
    ]
    data_table = table(
        "Last 12 months: the figures",
        ["Month", "Visits", "Within target", "First contact", *APPOINTMENT_COLUMNS],
        rows,
    )
    return section(
        "trend",
        "The last 12 months",
        figure(visits, "Visits per month"),
        figure(standards, "Service standards per month"),
        data_table,
    )


def _trend_target(report: MonthlyReport) -> int | None:
    """The target line of the standards' trend (both standards' target: 80%)."""
    rated = report.standard(SEEN_WITHIN_TARGET.key)
    return None if rated is None else rated.target
