"""The scorecard parts of the HTML reports: the 15-minute figure with its walk-outs,
appointment punctuality, satisfaction, the council's flags by service, the telephone standard,
and the quarterly, annual and any-period page with every standard on one page beside the
period before, rated and with its trend. Every value taken from the figures or the
configuration is escaped; every figure has its definition under it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from oss_desk.domain.call_figures import CallFigures
from oss_desk.domain.reports import (
    NO_RECORDS,
    CouncilFlags,
    FlagCount,
    PeriodSummary,
    RangeReport,
    Satisfaction,
    TrendMonth,
    VisitFigures,
)
from oss_desk.domain.scorecard import FIGURE_DEFINITIONS
from oss_desk.render.formats import count, long_date, percent, short_month, target
from oss_desk.render.html_page import bars_block, figures, rating, row, section, table
from oss_desk.render.rows import (
    CALLS_TITLE,
    FLAG_DEFINITIONS,
    NO_CALLS,
    beside_rows,
    call_rows,
    signposted_block,
)
from oss_desk.render.svg import e, hour_bars, polylines


def note(text: str) -> str:
    return f'<p class="note definition">{e(text)}</p>' if text else ""


def wait_block(f: VisitFigures, target_minutes: int) -> str:
    """Who the 15-minute figure counts, and appointment punctuality."""
    t = target_minutes
    rows = [
        row("Seen", count(f.seen)),
        row(f"  of whom within {t} minutes", count(f.seen_within_target)),
        row(f"Walked out after {t} minutes (misses)", count(f.walked_out_after_target)),
        row("Still waiting when the office closed (misses)", count(f.closed_unseen)),
        row("Visitors counted", count(f.measured)),
        row(f"Seen within {t} minutes, of those counted", percent(f.within_15_min_pct)),
        row(f"Left before {t} minutes (not counted)", count(f.left_before_target)),
        row("Issued in error (no visitors)", count(f.issued_in_error)),
        row("Not seen yet", count(f.not_yet_seen)),
    ]
    punctual = [
        row("Checked in by the booked time and seen", count(f.appointments_seen_on_time)),
        row("  seen on time", count(f.appointments_punctual)),
        row("  share seen on time", percent(f.appointment_punctuality_pct)),
        row("Checked in late", count(f.appointments_checked_in_late)),
    ]
    return (
        table(f"Who the {t}-minute figure counts", ["Visitors", "Number"], rows)
        + note(FIGURE_DEFINITIONS["walked_out_after_target"])
        + note(FIGURE_DEFINITIONS["left_before_target"])
        + note(FIGURE_DEFINITIONS["closed_unseen"])
        + note(FIGURE_DEFINITIONS["wait"])
        + table("Appointment punctuality", ["Appointments", "Number"], punctual)
    )


def satisfaction_block(rated: Satisfaction, service_names: Mapping[str, str]) -> str:
    head = figures(
        [
            ("Satisfied (4 or 5)", percent(rated.satisfied_pct)),
            ("Answers", count(rated.answers)),
            ("Declined to say", count(rated.declined)),
        ]
    )
    by_rating = table(
        "Ratings given",
        ["Rating", "Answers"],
        [row(f"{r} out of 5", count(n)) for r, n in rated.by_rating.items()],
    )
    by_service = (
        table(
            "Satisfied, by service",
            ["Service", "Answers", "Satisfied", "Share"],
            [
                row(
                    f"{code} {service_names.get(code, code)}",
                    count(v.answers),
                    count(v.satisfied),
                    percent(v.satisfied_pct),
                )
                for code, v in rated.by_service.items()
            ],
        )
        if rated.by_service
        else ""
    )
    return head + by_rating + by_service


def flags_block(
    flags: CouncilFlags,
    services: Sequence[str],
    organisations: Mapping[str, str],
) -> str:
    """What happened, in the council's words, by service."""
    rows: list[tuple[str, FlagCount]] = [
        ("Urgent or vulnerable", flags.urgent),
        ("Came back about the same matter", flags.repeat_contact),
        ("  ticked at meet-and-greet", flags.repeat_ticked),
        ("  appointment ended without the documents", flags.without_documents),
        ("Helped to use the council's website", flags.assisted_digital),
        ("Could have been done online", flags.avoidable),
    ]
    rows += signposted_block(flags, organisations)
    body = [
        row(label, *(count(c.by_service.get(code, 0)) for code in services), count(c.total))
        for label, c in rows
    ]
    definitions = " ".join(FIGURE_DEFINITIONS[k] for k in FLAG_DEFINITIONS)
    return table("What happened, by service", ["Recorded", *services, "All"], body) + note(
        definitions
    )


def calls_section(calls: CallFigures | None) -> str:
    if not calls:
        return section("calls", CALLS_TITLE, f'<p class="note">{e(NO_CALLS)}</p>')
    head = [(r.label, r.value) for r in call_rows(calls)]
    limits = list(calls.answered_within)
    hours = table(
        "Calls by hour: the figures",
        ["Hour", "Calls", "Answered", "Abandoned", *(f"Within {s} s" for s in limits)],
        [
            row(
                f"{hour}:00",
                count(h.calls),
                count(h.answered),
                count(h.abandoned),
                *(percent(h.within_pct.get(s)) for s in limits),
            )
            for hour, h in calls.hours.items()
        ],
    )
    return section(
        "calls",
        CALLS_TITLE,
        figures(head),
        note(FIGURE_DEFINITIONS["calls_abandoned"] + " " + FIGURE_DEFINITIONS["calls_wait"]),
        bars_block(
            "chart-calls-by-hour",
            "Calls by hour",
            hour_bars(calls.by_hour),
            unit="calls",
            first_column="Hour",
            data_table=hours,
        ),
    )


# The scorecard of a quarter, a year or any period ------------------------------------------------


def sparkline(key: str, label: str, months: Sequence[TrendMonth]) -> str:
    """A small line of a standard's monthly figures (0 to 100%), a gap where there is none."""
    width, height, pad = 160, 36, 4
    values = [m.standards.get(key) for m in months]
    slot = (width - 2 * pad) / max(1, len(values))
    points = [
        None
        if v is None
        else (pad + (i + 0.5) * slot, height - pad - (height - 2 * pad) * float(v) / 100)
        for i, v in enumerate(values)
    ]
    lines = polylines(points)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2"/>' for x, y in (p for p in points if p)
    )
    said = ", ".join(
        f"{short_month(m.month)}: {percent(v)}" for m, v in zip(months, values, strict=True)
    )
    return (
        f'<svg class="spark" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" data-standard="{e(key)}">'
        f"<title>{e(label)}, month by month: {e(said)}</title>{lines}{dots}</svg>"
    )


def scorecard_section(report: RangeReport) -> str:
    """Every standard on one page: this period, the period before, the target, the rating, the
    trend month by month, and the definition under each."""
    rows = []
    for s in report.standards:
        before = report.previous.standards.get(s.key)
        then = percent(before) if report.previous.recorded else NO_RECORDS
        rows.append(
            f'<tr data-standard="{e(s.key)}" data-status="{e(s.status.value)}">'
            f"<th scope=row>{e(s.label)}</th>"
            f'<td class="num">{percent(s.value)}</td>'
            f'<td class="num">{then}</td>'
            f"<td>{e(target(s))}</td><td>{rating(s)}</td>"
            f"<td>{sparkline(s.key, s.label, report.months)}</td></tr>"
            f'<tr class="definition"><td colspan="6">{e(s.definition)}</td></tr>'
        )
    return section(
        "scorecard",
        "The scorecard",
        table(
            "Every standard: this period and the period before",
            [
                "Standard",
                _short(report.current),
                _short(report.previous),
                "Target",
                "Status",
                "Month by month",
            ],
            rows,
            cls="standards scorecard",
        ),
    )


def _short(p: PeriodSummary) -> str:
    return f"{long_date(p.first_day)} to {long_date(p.last_day)}"


def beside_section(report: RangeReport) -> str:
    beside = beside_rows(report)
    rows = [row(r.indented, *r.values) for r in beside.rows]
    spans = " and ".join(_short(p) for p in beside.periods)
    return section(
        "beside",
        "Beside the period before",
        table(f"{report.current.label}: {spans}", ["Figure", *beside.heads], rows),
    )


def months_section(report: RangeReport) -> str:
    keys = [s for s in report.standards]
    rows = [
        row(
            m.month,
            count(m.visits),
            *(percent(m.standards.get(s.key)) for s in keys),
        )
        if m.recorded
        else row(m.month, NO_RECORDS, *("" for _ in keys))
        for m in report.months
    ]
    return section(
        "months",
        "Month by month",
        table(
            "Each month's visits and standards",
            ["Month", "Visits", *(s.label for s in keys)],
            rows,
        ),
    )
