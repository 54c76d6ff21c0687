"""The visit counts, the outcomes, the appointment figures, the telephone calls and the desks of
a report, worded and ordered once for every presentation: the desk's reports screen, the text
report, the HTML page and the printed summary show these rows, in this order, with these words
(a figure on screen, on paper and on a page must agree). JSON and CSV keep the desks' ids: they
are data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from oss_desk.domain.call_figures import CallFigures
from oss_desk.domain.models import Outcome
from oss_desk.domain.reports import AppointmentFigures, DailyReport, DeskFigures, PeriodReport
from oss_desk.render.formats import count, hour, minutes, percent, seconds

OUTCOME_LABELS: dict[str, str] = {
    Outcome.RESOLVED: "Resolved",
    Outcome.SIGNPOSTED: "Signposted",
    Outcome.REFERRED: "Referred to a back office",
    Outcome.APPOINTMENT: "Needs an appointment",
    Outcome.CALLBACK: "Callback arranged",
}
"""How a visit ended, as a report's row says it (the desk's outcome dialog gives the stored word
and its description: :attr:`Outcome.words`)."""


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One figure: its label, its value as written, and whether it is a part of the row above
    (walk-ins and appointments are parts of the visits: indented where the layout can)."""

    label: str
    value: str
    part: bool = False
    definition: str = ""
    """The key of the figure's definition (``FIGURE_DEFINITIONS``) where one follows the row."""

    @property
    def indented(self) -> str:
        """The label for a layout of lines: a part indented by two spaces under its whole."""
        return f"  {self.label}" if self.part else self.label


def visit_rows(report: PeriodReport) -> tuple[FigureRow, ...]:
    """Arrivals, how they ended, the waits and (a day) who is still waiting and the busiest
    hour."""
    f = report.figures
    day = report if isinstance(report, DailyReport) else None
    rows = [
        FigureRow("Visits (arrivals)", count(f.visits)),
        FigureRow("Walk-ins", count(f.walk_ins), part=True),
        FigureRow("By appointment", count(f.appointment_visits), part=True),
        FigureRow("Served at a desk", count(f.served)),
        FigureRow("Dealt with at meet-and-greet", count(f.quick_visits)),
        FigureRow("No-shows", count(f.no_shows)),
        FigureRow("Services delivered", count(f.services_delivered)),
        FigureRow("Appointments arranged", count(f.appointments_arranged)),
    ]
    if day is not None:
        rows.append(FigureRow("Still waiting", count(day.still_waiting)))
    rows += [
        FigureRow("Median wait", minutes(f.wait_median_minutes)),
        FigureRow("90th percentile wait", minutes(f.wait_p90_minutes), definition="wait"),
    ]
    if day is not None:
        rows.append(FigureRow("Busiest hour", hour(day.busiest_hour)))
    return tuple(rows)


def appointment_rows(a: AppointmentFigures) -> tuple[FigureRow, ...]:
    """Booked, kept, no-shows and cancelled (a month or longer), the council last: what each
    presentation adds about the notice the council gave follows it."""
    return (
        FigureRow("Booked", count(a.appointments_booked)),
        FigureRow("Kept (checked in)", count(a.appointments_kept)),
        FigureRow("No-shows", count(a.appointments_no_show)),
        FigureRow("Kept (of kept and no-shows)", percent(a.appointments_kept_pct)),
        FigureRow("Cancelled by the resident", count(a.appointments_cancelled.resident)),
        FigureRow("Cancelled by the council", count(a.appointments_cancelled.council)),
    )


CALLS_TITLE = "Telephone calls"
"""The telephone figures' heading, in every presentation."""

NO_CALLS = "No calls were imported for this period."
"""Said under :data:`CALLS_TITLE` when no call was imported for the period."""


def call_rows(calls: CallFigures) -> tuple[FigureRow, ...]:
    """The telephone figures (a month or longer): calls, answered (and within each limit of
    ``calls.answer_within``) and abandoned, each with its share of all calls, then the average
    wait and talk of the answered calls."""

    def share(n: int, pct: float | None) -> str:
        return f"{count(n)} ({percent(pct)})"

    return (
        FigureRow("Calls", count(calls.total)),
        FigureRow("Answered", share(calls.answered, calls.answered_pct)),
        *(
            FigureRow(
                f"Answered within {limit} seconds",
                share(n, calls.answered_within_pct.get(limit)),
                part=True,
            )
            for limit, n in calls.answered_within.items()
        ),
        FigureRow(
            "Abandoned", share(calls.abandoned, calls.abandoned_pct), definition="calls_abandoned"
        ),
        FigureRow("Average wait", seconds(calls.average_wait_seconds)),
        FigureRow("Average talk", seconds(calls.average_talk_seconds), definition="calls_wait"),
    )


def outcome_rows(outcomes: Mapping[str, int]) -> tuple[FigureRow, ...]:
    """The visits finished with each outcome, in the report's order."""
    return tuple(FigureRow(OUTCOME_LABELS.get(key, key), count(n)) for key, n in outcomes.items())


@dataclass(frozen=True, slots=True)
class DeskRow:
    """One desk of a report: its configured name, tickets served, the median and total service
    time as written, and its figures."""

    name: str
    served: str
    median: str
    total: str
    figures: DeskFigures


def desk_rows(desks: Mapping[str, DeskFigures], names: Mapping[str, str]) -> tuple[DeskRow, ...]:
    """Each desk by the name the configuration gives it (``names``: desk id -> name), in the
    report's order; a desk the configuration does not name (another office's, ``--include``)
    by its id."""
    return tuple(
        DeskRow(
            names.get(desk, desk),
            count(d.served),
            minutes(d.service_median_minutes),
            minutes(d.service_total_minutes),
            d,
        )
        for desk, d in desks.items()
    )
