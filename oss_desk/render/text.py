"""The reports as plain text for a team leader (``report daily|monthly``, the default format)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from oss_desk.domain.needs import INTERPRETER, describe_need
from oss_desk.domain.reports import DailyReport, DayComparison, MonthlyReport, PeriodReport
from oss_desk.domain.standards import Status
from oss_desk.domain.text import event_log_head_lines
from oss_desk.render.followups import due_lines, period_lines
from oss_desk.render.formats import long_date, long_month, minutes, percent, target

RAG_WORDS = {
    Status.GREEN: "GREEN, met",
    Status.AMBER: "AMBER, near: below the target by a little",
    Status.RED: "RED, missed",
    Status.NONE: "",
}
"""A status in words (the text report)."""


def _standards(report: PeriodReport) -> list[str]:
    lines = ["  Standards"]
    width = max((len(s.label) for s in report.standards), default=0) + 2
    for s in report.standards:
        status = RAG_WORDS[s.status]
        note = target(s, prefix="target ") + (f": {status}" if status else "")
        lines.append(f"    {s.label:<{width}}{percent(s.value):>7}   ({note})")
    return lines


def _row(label: str, value: object, note: str = "") -> str:
    return f"  {label:<32}{value!s:>9}" + (f"   ({note})" if note else "")


def _bars(title: str, counts: Mapping[str, int], label: Callable[[str], str]) -> list[str]:
    lines = ["", f"  {title}"]
    peak = max(counts.values(), default=0)
    for key, n in counts.items():
        bar = "#" * (round(30 * n / peak) if peak else 0)
        lines.append(f"    {label(key)}  {n:4d}  {bar}")
    return lines


def _visit_lines(
    report: PeriodReport, service_names: Mapping[str, str], still_waiting: int | None
) -> list[str]:
    f = report.figures
    lines = [
        _row("Visits (arrivals)", f.visits),
        _row("  walk-ins", f.walk_ins),
        _row("  by appointment (checked in)", f.appointment_visits),
        _row("Served at a desk", f.served),
        _row("Dealt with at meet-and-greet", f.quick_visits),
        _row("No-shows", f.no_shows),
    ]
    if still_waiting is not None:
        lines.append(_row("Still waiting", still_waiting))
    lines += [
        _row(
            f"Seen within {report.target_minutes} minutes",
            percent(f.within_15_min_pct),
            f"{f.seen_within_target} of {f.seen} seen",
        ),
        _row("Median wait to first contact", minutes(f.wait_median_minutes)),
        _row("90% first contacted within", minutes(f.wait_p90_minutes)),
        _row(
            "Resolved at first contact",
            percent(f.first_contact_resolution_pct),
            f"{f.finished_first_contact} of {f.finished} finished",
        ),
    ]
    lines += _bars("Arrivals by hour", f.by_hour, lambda h: f"{h}:00")
    lines += ["", "  Arrivals by service"]
    for code, n in f.by_service.items():
        lines.append(f"    {code}  {service_names.get(code, code):28s} {n:4d}")
    if len(f.by_site) > 1:
        lines += ["", "  Arrivals by office"]
        for site, n in f.by_site.items():
            lines.append(f"    {site:31s} {n:4d}")
    lines += ["", "  Outcomes"]
    for outcome, n in f.outcomes.items():
        lines.append(f"    {outcome:12s} {n:4d}")
    lines += ["", "  Desks                       served   median    total"]
    for desk, d in f.desks.items():
        lines.append(
            f"    {desk:24s} {d.served:6d} {minutes(d.service_median_minutes):>9}"
            f" {minutes(d.service_total_minutes):>10}"
        )
    if f.advisers:
        lines += ["", "  Advisers                    served   median"]
        for a in f.advisers.values():
            median = minutes(a.service_median_minutes)
            lines.append(f"    {a.name[:24]:24s} {a.served:6d} {median:>9}")
    lines += ["", "  Adjustments recorded at arrival"]
    for need, n in f.adjustments.items():
        label = "Interpreter" if need == INTERPRETER else describe_need(need)
        lines.append(f"    {label:42s} {n:4d}")
    return lines


def _week_line(w: DayComparison) -> str:
    return (
        f"    {w.date}  {w.visits:6d} {w.served:6d} {w.no_shows:8d}"
        f" {percent(w.within_15_min_pct):>7} {percent(w.first_contact_resolution_pct):>14}"
        f" {minutes(w.wait_median_minutes):>12}"
    )


def daily_text(report: DailyReport, service_names: Mapping[str, str], site_name: str) -> str:
    day = date.fromisoformat(report.date)
    lines = [f"Daily footfall summary: {site_name}, {long_date(report.date)}", ""]
    lines += _standards(report)
    lines.append("")
    lines += _visit_lines(report, service_names, report.still_waiting)
    busiest = report.busiest_hour
    lines += ["", f"  Busiest hour: {busiest}:00" if busiest else "  Busiest hour: none"]
    if report.followups:
        lines += due_lines(report.followups)
    if report.previous_weeks:
        lines += [
            "",
            f"  The same day in previous weeks ({day:%A}s)",
            "    date        visits served no-shows  within  first contact  median wait",
        ]
        lines += [_week_line(w) for w in (report.comparison(), *report.previous_weeks)]
    head = event_log_head_lines(report.event_log_head, 100)
    lines += ["", *(f"  {line}" for line in head)]
    return "\n".join(lines)


def monthly_text(report: MonthlyReport, service_names: Mapping[str, str], site_name: str) -> str:
    lines = [f"Monthly dashboard: {site_name}, {long_month(report.month)}", ""]
    lines += _standards(report)
    lines.append("")
    lines += _visit_lines(report, service_names, None)
    lines += _bars("Arrivals by day", report.by_day, lambda d: f"{date.fromisoformat(d):%a %d}")
    a = report.appointments
    council = a.council_cancellations
    lines += [
        "",
        "  Appointments",
        _row("Booked", a.appointments_booked),
        _row("Kept (checked in)", a.appointments_kept),
        _row("No-shows", a.appointments_no_show),
        _row("Kept, of kept and no-shows", percent(a.appointments_kept_pct)),
        _row("Cancelled by the resident", a.appointments_cancelled.resident),
        _row("Cancelled by the council", a.appointments_cancelled.council),
        _row(
            "  with enough notice",
            percent(council.with_notice_pct),
            f"{council.with_notice} of {council.total}; breaches {council.breaches}",
        ),
        "    notice given (working days): "
        + ", ".join(f"{k}: {v}" for k, v in council.notice_days.items()),
    ]
    if report.followups is not None:
        lines += period_lines(report.followups)
    calls = report.calls
    if calls:
        lines += [
            "",
            "  Telephone calls",
            _row("Calls", calls.total),
            _row("Answered", calls.answered, percent(calls.answered_pct)),
            _row("Abandoned", calls.abandoned),
            _row("Average wait (seconds)", calls.average_wait_seconds),
        ]
    lines += [
        "",
        "  The last 12 months",
        "    month    visits  within  first contact  booked  kept  no-shows",
    ]
    for m in report.trend:
        lines.append(
            f"    {m.month}  {m.visits:6d} {percent(m.within_15_min_pct):>7}"
            f" {percent(m.first_contact_resolution_pct):>14} {m.appointments_booked:7d}"
            f" {m.appointments_kept:5d} {m.appointments_no_show:9d}"
        )
    return "\n".join(lines)
