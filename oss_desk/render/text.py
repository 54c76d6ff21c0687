"""The reports as plain text for a team leader (``report ...``, the default format). Every
standard and the main figures carry their definition on the lines under them."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from oss_desk.domain.calendar import hour_said, part_said
from oss_desk.domain.call_figures import CallFigures
from oss_desk.domain.reports import (
    NO_RECORDS,
    AppointmentFigures,
    CouncilFlags,
    DailyReport,
    DayComparison,
    FlagCount,
    MonthlyReport,
    PeriodReport,
    RangeReport,
    Report,
    ReportNames,
    TrendMonth,
    closed_words,
    day_closed_said,
)
from oss_desk.domain.scorecard import FIGURE_DEFINITIONS, short_label
from oss_desk.domain.standards import Status
from oss_desk.domain.text import event_log_head_lines
from oss_desk.render.followups import due_lines, period_lines
from oss_desk.render.formats import (
    long_date,
    minutes,
    month_words,
    percent,
    short_month,
    span_short,
    span_words,
    target,
)
from oss_desk.render.rows import (
    ADJUSTMENTS_TITLE,
    APPOINTMENT_COLUMNS,
    CALLS_TITLE,
    FLAG_DEFINITIONS,
    NO_CALLS,
    SERVED_COLUMNS,
    adjustment_rows,
    appointment_rows,
    beside_rows,
    call_rows,
    counted_lines,
    desk_rows,
    outcome_rows,
    signposted_block,
    visit_rows,
    wait_rows,
)


def rag_words(status: Status) -> str:
    """A status in words for the text report: its colour and its word (``GREEN, met``), what
    near means beside amber; nothing for no rating."""
    if status is Status.NONE:
        return ""
    near = ": below the target by a little" if status is Status.AMBER else ""
    return f"{status.name}, {status.word}{near}"


WIDTH = 96


def _note(text: str, indent: int = 6) -> list[str]:
    """A definition under its figure, wrapped and indented."""
    if not text:
        return []
    pad = " " * indent
    return textwrap.wrap(text, WIDTH, initial_indent=pad, subsequent_indent=pad)


def _standards(report: PeriodReport) -> list[str]:
    lines = ["  Standards"]
    width = max((len(s.label) for s in report.standards), default=0) + 2
    for s in report.standards:
        status = rag_words(s.status)
        note = target(s, prefix="target ") + (f": {status}" if status else "")
        lines.append(f"    {s.label:<{width}}{percent(s.value):>7}   ({note})")
        lines += _note(s.definition)
    return lines


LABEL_COLUMN = 32
"""The narrowest label column of a block of figures."""


def _column(labels: Iterable[str]) -> int:
    """A block's label column: as wide as its longest label (at least :data:`LABEL_COLUMN`),
    so that every figure of the block ends in one column."""
    return max([LABEL_COLUMN, *map(len, labels)])


def _row(label: str, value: object, note: str = "", width: int = LABEL_COLUMN) -> str:
    return f"  {label:<{width}}{value!s:>9}" + (f"   ({note})" if note else "")


def _bars(
    title: str,
    counts: Mapping[str, int | None],
    label: Callable[[str], str],
    closed: Mapping[str, str] | None = None,
) -> list[str]:
    """A bar a key; ``no records`` for a count of None (a day before the records begin); a day
    the office was ``closed`` says so (:func:`~oss_desk.domain.reports.day_closed_said`), in
    place of a 0, or after the arrivals it still took."""
    lines = ["", f"  {title}"]
    peak = max((n for n in counts.values() if n is not None), default=0)
    labels = {key: label(key) for key in counts}
    wide = max(map(len, labels.values()), default=0)  # "01:00 GMT" the day the clocks go back
    for key, n in counts.items():
        why = (closed or {}).get(key)
        if n is None:
            lines.append(f"    {labels[key]:{wide}s}  {NO_RECORDS}")
        elif why is not None and not n:
            lines.append(f"    {labels[key]:{wide}s}  {day_closed_said(why)}")
        else:
            bar = "#" * (round(30 * n / peak) if peak else 0)
            said = f"  ({day_closed_said(why)})" if why is not None else ""
            lines.append(f"    {labels[key]:{wide}s}  {n:4d}  {bar}{said}")
    return lines


def _wait_lines(report: PeriodReport, width: int) -> list[str]:
    seen, *others = wait_rows(report)
    lines = [_row(seen.label, seen.value, seen.note, width)]
    lines += [f"    {line}" for line in counted_lines(report)]
    lines += _note(FIGURE_DEFINITIONS["walked_out_after_target"])
    lines += _note(FIGURE_DEFINITIONS["closed_unseen"])
    lines += [_row(row.label, row.value, row.note, width) for row in others]
    return lines


def _visit_lines(
    report: PeriodReport, names: ReportNames, organisations: Mapping[str, str] | None = None
) -> list[str]:
    f = report.figures
    lines: list[str] = []
    visits = visit_rows(report)
    width = _column([*(v.indented for v in visits), *(w.label for w in wait_rows(report))])
    for visit in visits:
        lines.append(_row(visit.indented, visit.value, width=width))
        if visit.definition:
            lines += _note(FIGURE_DEFINITIONS[visit.definition])
    lines += _wait_lines(report, width)
    lines += _bars("Arrivals by hour", f.by_hour, hour_said)
    lines += ["", "  Arrivals by service"]
    named = {code: names.service_names.get(code, code) for code in f.by_service}
    wide = max([28, *map(len, named.values())])  # every count in one column, however long a name
    for code, n in f.by_service.items():
        lines.append(f"    {code}  {named[code]:{wide}s} {n:4d}")
    if len(f.by_site) > 1:
        lines += ["", "  Arrivals by office"]
        offices = {site: names.office(site, report.sites_left) for site in f.by_site}
        wide = max([31, *map(len, offices.values())])
        for site, n in f.by_site.items():
            lines.append(f"    {offices[site]:{wide}s} {n:4d}")
    lines += ["", "  Outcomes"]
    for outcome in outcome_rows(f.outcomes):
        lines.append(f"    {outcome.label:28s} {outcome.value:>4}")
    lines += _flag_lines(f.flags, list(f.by_service), organisations or {})
    served, median, total = (c.lower() for c in SERVED_COLUMNS)
    desks = desk_rows(f.desks, names.desk_names)
    # Each figure in one column, however long a desk's or an adviser's name (none is cut).
    wide = max([24, *(len(d.name) for d in desks), *(len(a.name) for a in f.advisers.values())])
    lines += ["", f"  {'Desks':{wide + 2}s}{served:>8} {median:>20} {total:>19}"]
    for desk in desks:
        lines.append(f"    {desk.name:{wide}s}{desk.served:>8} {desk.median:>20} {desk.total:>19}")
    lines += _note(FIGURE_DEFINITIONS["service_time"])
    if f.advisers:
        lines += ["", f"  {'Advisers':{wide + 2}s}{served:>8} {median:>20}"]
        for a in f.advisers.values():
            time = minutes(a.service_median_minutes)
            lines.append(f"    {a.name:{wide}s}{a.served:8d} {time:>20}")
    lines += ["", f"  {ADJUSTMENTS_TITLE}"]
    for row in adjustment_rows(f.adjustments):
        lines.append(f"    {row.label:42s} {row.value:>4}")
    return lines


def _flag_lines(flags: CouncilFlags, services: list[str], names: Mapping[str, str]) -> list[str]:
    """What happened, in the council's words, by service."""
    head = "".join(f"{code:>5}" for code in services)
    lines = ["", f"  What happened, by service{'':16s}{head}  total"]
    rows: list[tuple[str, FlagCount, str]] = [
        ("Urgent or vulnerable", flags.urgent, "urgent"),
        ("Came back (repeat contact)", flags.repeat_contact, "repeat_contact"),
        ("  ticked at meet-and-greet", flags.repeat_ticked, ""),
        ("  appointment without documents", flags.without_documents, ""),
        ("Helped to use the website", flags.assisted_digital, "assisted_digital"),
        ("Could have been done online", flags.avoidable, "avoidable"),
    ]
    rows += [(label, count, "") for label, count in signposted_block(flags, names)]
    for label, count, _key in rows:
        cells = "".join(f"{count.by_service.get(code, 0):5d}" for code in services)
        lines.append(f"    {label[:37]:37s}{cells}  {count.total:5d}")
    lines += _note(" ".join(FIGURE_DEFINITIONS[key] for key in FLAG_DEFINITIONS))
    return lines


def _week_line(w: DayComparison) -> str:
    if not w.recorded:
        return f"    {w.date}  {NO_RECORDS}"
    if w.closed is not None and not w.visits:
        return f"    {w.date}  {day_closed_said(w.closed)}"
    closed = f"  ({day_closed_said(w.closed)})" if w.closed is not None else ""
    return (
        f"    {w.date}  {w.visits:6d} {w.served:6d} {w.no_shows:9d}"
        f" {percent(w.within_15_min_pct):>7} {percent(w.first_contact_resolution_pct):>14}"
        f" {minutes(w.wait_median_minutes):>12}{closed}"
    )


def _daily_rest(report: DailyReport) -> list[str]:
    """What the daily report adds: follow-ups due, the same day in the weeks
    before and the head of the event log."""
    day = date.fromisoformat(report.date)
    lines: list[str] = []
    if report.followups:
        lines += due_lines(report.followups)
    if report.previous_weeks:
        lines += [
            "",
            f"  The same day in previous weeks ({day:%A}s)",
            "    date        visits served not there  within  first contact  median wait",
        ]
        lines += [_week_line(w) for w in (report.comparison(), *report.previous_weeks)]
    head = event_log_head_lines(report.event_log_head, 100)
    lines += ["", *(f"  {line}" for line in head)]
    return lines


def _appointment_lines(a: AppointmentFigures) -> list[str]:
    council = a.council_cancellations
    moves = a.council_moves
    rows = appointment_rows(a)
    notice, moved = "  with enough notice", "Moved by the council"
    width = _column([*(row.label for row in rows), notice, moved])
    return [
        "",
        "  Appointments",
        *(_row(row.label, row.value, width=width) for row in rows),
        _row(
            notice,
            percent(council.with_notice_pct),
            f"{council.with_notice} of {council.total}; breaches {council.breaches}",
            width,
        ),
        "    notice given (working days): "
        + ", ".join(f"{k}: {v}" for k, v in council.notice_days.items()),
        _row(moved, moves.total, width=width),
        _row(
            notice,
            percent(moves.with_notice_pct),
            f"{moves.with_notice} of {moves.total}; breaches {moves.breaches}",
            width,
        ),
        *_note(FIGURE_DEFINITIONS["appointments"]),
    ]


def _call_lines(calls: CallFigures | None) -> list[str]:
    if not calls:
        return ["", f"  {CALLS_TITLE}", f"    {NO_CALLS}"]
    lines = ["", f"  {CALLS_TITLE}"]
    rows = call_rows(calls)
    width = _column(call.indented for call in rows)
    for call in rows:
        lines.append(f"  {call.indented:<{width}}{call.value:>14}")
        if call.definition:
            lines += _note(FIGURE_DEFINITIONS[call.definition])
    limits = list(calls.answered_within)
    head = "".join(f"  in {s:>2}s" for s in limits)
    lines += ["", f"    hour   calls answered abandoned{head}"]
    for hour, h in calls.hours.items():
        cells = "".join(f"{percent(h.within_pct.get(s)):>8}" for s in limits)
        lines.append(f"    {hour}:00 {h.calls:6d} {h.answered:8d} {h.abandoned:9d}{cells}")
    return lines


_APPOINTMENT_HEAD = "  ".join(c.lower() for c in APPOINTMENT_COLUMNS)
_MADE, _IN, _MISSED = (len(c) + 1 for c in APPOINTMENT_COLUMNS)
_MADE -= 1


def _trend_lines(title: str, months: tuple[TrendMonth, ...]) -> list[str]:
    lines = [
        "",
        f"  {title}",
        f"    month    visits  within  first contact  {_APPOINTMENT_HEAD}",
    ]
    for m in months:
        if not m.recorded:
            lines.append(f"    {m.month}  {NO_RECORDS}")
            continue
        lines.append(
            f"    {m.month}  {m.visits:6d} {percent(m.within_15_min_pct):>7}"
            f" {percent(m.first_contact_resolution_pct):>14} {m.appointments_booked:>{_MADE}d}"
            f" {m.appointments_kept:>{_IN}d} {m.appointments_no_show:>{_MISSED}d}"
            + (f"  {part_said(m.records_from)}" if m.records_from else "")
        )
    return lines


def _monthly_rest(report: MonthlyReport) -> list[str]:
    lines = _bars(
        "Arrivals by day",
        report.days_recorded(),
        lambda d: f"{date.fromisoformat(d):%a %d}",
        report.closed_days,
    )
    lines += _appointment_lines(report.appointments)
    if report.followups is not None:
        lines += period_lines(report.followups)
    lines += _call_lines(report.calls)
    lines += _trend_lines("The last 12 months", report.trend)
    return lines


PERIOD_TITLES = {"quarter": "Quarterly report", "year": "Annual report", "period": "Report"}


def _beside(report: RangeReport) -> list[str]:
    """This period's headline figures beside the period before's (and a year before's)."""
    table = beside_rows(report)
    spans_shown = [span_short(p.first_day, p.last_day) for p in table.periods]
    column = max(18, *map(len, spans_shown))  # a run of days is labelled by its days
    heads = "".join(f"  {head.lower():>{column}}" for head in table.heads)
    spans = "".join(f"  {span:>{column}}" for span in spans_shown)
    width = max((len(row.indented) for row in table.rows), default=0)
    lines = ["", f"  {'Beside the period before':{width + 2}s}{heads}", f"    {'':{width}s}{spans}"]
    for row in table.rows:
        cells = "".join(f"  {v:>{column}}" for v in row.values)
        lines.append(f"    {row.indented:{width}s}{cells}")
    return lines


def _period_rest(report: RangeReport) -> list[str]:
    lines = _appointment_lines(report.appointments)
    if report.followups is not None:
        lines += period_lines(report.followups)
    lines += _call_lines(report.calls)
    lines += _trend_lines("Month by month", report.months)
    lines += _standard_months(report)
    return lines


def _standard_months(report: RangeReport) -> list[str]:
    """Every standard, month by month (the scorecard's rows, a column a month)."""
    labels = [short_label(s.key, report.target_minutes, s.label) for s in report.standards]
    width = max(map(len, labels), default=0) + 2
    head = "".join(f"{short_month(m.month):>8}" for m in report.months)
    lines = ["", "  Standards month by month", f"    {'':{width}s}{head}"]
    for s, label in zip(report.standards, labels, strict=True):
        cells = "".join(f"{percent(m.standards.get(s.key)):>8}" for m in report.months)
        lines.append(f"    {label:{width}s}{cells}")
    return lines


def report_text(
    report: Report, names: ReportNames, organisations: Mapping[str, str] | None = None
) -> str:
    """The daily, monthly or any-period report as text: its title, the standards and the visits,
    then what that kind of report adds; services and desks by their names."""
    site_name = names.site_name
    beside: list[str] = []
    if isinstance(report, DailyReport):
        head = [f"Daily footfall summary: {site_name}, {long_date(report.date)}"]
        closed = closed_words(report)
        head += [f"  {closed}"] if closed else []
        rest = _daily_rest(report)
    elif isinstance(report, MonthlyReport):
        head = [f"Monthly dashboard: {site_name}, {month_words(report.month, report.to_date)}"]
        rest = _monthly_rest(report)
    else:
        title = PERIOD_TITLES.get(report.period, "Report")
        head = [
            f"{title}: {site_name}, {report.label}",
            f"  {span_words(report.first_day, report.last_day, report.to_date)}",
        ]
        beside, rest = _beside(report), _period_rest(report)
    visits = _visit_lines(report, names, organisations)
    return "\n".join([*head, "", *_standards(report), *beside, "", *visits, *rest])
