"""The visit counts, the outcomes, the appointment figures, the telephone calls and the desks of
a report, worded and ordered once for every presentation: the desk's reports screen, the text
report, the HTML page and the printed summary show these rows, in this order, with these words
(a figure on screen, on paper and on a page must agree). JSON and CSV keep the desks' ids: they
are data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from oss_desk.domain.calendar import part_said
from oss_desk.domain.call_figures import CallFigures
from oss_desk.domain.followup_standards import FOLLOWUP_KEYS
from oss_desk.domain.models import Outcome
from oss_desk.domain.needs import INTERPRETER, describe_need
from oss_desk.domain.reports import (
    NO_RECORDS,
    AppointmentFigures,
    CouncilFlags,
    DailyReport,
    DeskFigures,
    FlagCount,
    PeriodReport,
    PeriodSummary,
    RangeReport,
)
from oss_desk.domain.scorecard import short_label
from oss_desk.domain.standards import REPEAT_CONTACT
from oss_desk.domain.tally import SIGNPOSTED_NOT_RECORDED
from oss_desk.domain.text import within_sentence
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


SIGNPOSTED_HEADING = "Signposted visits, by where to"
"""The row the places follow where they stand in a table of their own (the text report, the
HTML page): the visits finished signposted (the outcome), then a part for each place."""


def signposted_rows(
    flags: CouncilFlags, organisations: Mapping[str, str]
) -> tuple[tuple[str, FlagCount], ...]:
    """Where the visits finished signposted were sent, a part each (``to Citizens Advice``,
    ``to the county council``), the organisations by their configured names; the visits
    finished signposted without a destination last, as not recorded, so that the parts add up
    to the outcome (:func:`oss_desk.domain.tally.signposted_flag`)."""
    return tuple(
        (
            "destination not recorded"
            if org == SIGNPOSTED_NOT_RECORDED
            else f"to {within_sentence(organisations.get(org, org))}",
            n,
        )
        for org, n in flags.signposted_to.items()
    )


FLAG_DEFINITIONS = ("urgent", "repeat_contact", "assisted_digital", "avoidable", "signposted_to")
"""The definitions (``FIGURE_DEFINITIONS``) under "What happened", in the order of its rows."""


def signposted_block(
    flags: CouncilFlags, organisations: Mapping[str, str]
) -> tuple[tuple[str, FlagCount], ...]:
    """The signposted visits (:data:`SIGNPOSTED_HEADING`), then where to, indented by two
    spaces under it: the rows of the text report's and the HTML page's "What happened"."""
    parts = [(f"  {label}", n) for label, n in signposted_rows(flags, organisations)]
    return ((SIGNPOSTED_HEADING, flags.signposted), *parts)


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One figure: its label, its value as written, and whether it is a part of the row above
    (walk-ins and appointments are parts of the visits: indented where the layout can)."""

    label: str
    value: str
    part: bool = False
    definition: str = ""
    """The key of the figure's definition (``FIGURE_DEFINITIONS``) where one follows the row."""
    note: str = ""
    """What the figure is of, where a share is given (``111 of 135 counted``)."""

    @property
    def indented(self) -> str:
        """The label for a layout of lines: a part indented by two spaces under its whole."""
        return f"  {self.label}" if self.part else self.label


ARRANGED = "Appointments booked during a visit"
"""The appointments an adviser booked while the resident was at the desk, told apart in every
presentation from the outcome "Needs an appointment" and the bookings made in the period
(``FIGURE_DEFINITIONS["appointments"]`` says how)."""


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
        FigureRow(NO_SHOWS, count(f.no_shows), definition="no_shows"),
        FigureRow("Services delivered", count(f.services_delivered)),
        FigureRow(ARRANGED, count(f.appointments_arranged)),
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


def wait_rows(report: PeriodReport) -> tuple[FigureRow, ...]:
    """The shares a report rates its visits by, each with what it is a share of: seen within
    the target (of the visitors counted: :func:`counted_lines` says who), appointments seen on
    time, resolved at first contact, and residents satisfied."""
    f = report.figures
    t = report.target_minutes
    rated = f.satisfaction
    return (
        FigureRow(
            f"Seen within {t} minutes",
            percent(f.within_15_min_pct),
            note=f"{f.seen_within_target} of {f.measured} counted",
        ),
        FigureRow(
            "Appointments seen on time",
            percent(f.appointment_punctuality_pct),
            note=f"{f.appointments_punctual} of {f.appointments_seen_on_time} checked in by their"
            f" time; {f.appointments_checked_in_late} checked in late",
        ),
        FigureRow(
            "Resolved at first contact",
            percent(f.first_contact_resolution_pct),
            note=f"{f.finished_first_contact} of {f.finished} finished",
        ),
        FigureRow(
            "Satisfied (4 or 5 of 5)",
            percent(rated.satisfied_pct),
            note=f"{rated.satisfied} of {rated.answers} answers; {rated.declined} declined",
        ),
    )


def counted_rows(report: PeriodReport) -> tuple[FigureRow, ...]:
    """Who the 15-minute figure counts and who it leaves out: the parts that add up to the
    visits. The counted (seen, walked out after the target, still waiting at closing), then
    those left before the target (not counted) and those not seen yet; last the tickets issued
    in error, which are no visits. The text report says them in two lines
    (:func:`counted_lines`), the printed summary a row each."""
    f = report.figures
    t = report.target_minutes
    return (
        FigureRow("counted", count(f.measured)),
        FigureRow("seen", count(f.seen), part=True),
        FigureRow(
            f"walked out after {t} minutes",
            count(f.walked_out_after_target),
            part=True,
            definition="walked_out_after_target",
        ),
        FigureRow(
            "still waiting at closing",
            count(f.closed_unseen),
            part=True,
            definition="closed_unseen",
        ),
        FigureRow(
            f"left before {t} minutes",
            count(f.left_before_target),
            note="not counted",
            definition="left_before_target",
        ),
        FigureRow("not seen yet", count(f.not_yet_seen)),
        FigureRow("issued in error", count(f.issued_in_error), note="no visitors"),
    )


def counted_lines(report: PeriodReport) -> tuple[str, str]:
    """Who the 15-minute figure counts (its "counted"), and who it leaves out, in two lines
    (:func:`counted_rows`)."""
    counted, *parts, left, not_yet, error = counted_rows(report)
    return (
        f"{counted.label}: " + ", ".join(f"{p.value} {p.label}" for p in parts),
        f"{left.label}: {left.value} ({left.note}); {error.label}: {error.value};"
        f" {not_yet.label}: {not_yet.value}",
    )


ADJUSTMENTS_TITLE = "Adjustments recorded at arrival"


def adjustment_rows(adjustments: Mapping[str, int]) -> tuple[FigureRow, ...]:
    """The reasonable adjustments recorded at arrival, every one the reports list (zero too)."""
    return tuple(
        FigureRow("Interpreter" if need == INTERPRETER else describe_need(need), count(n))
        for need, n in adjustments.items()
    )


NO_SHOWS = "Called, not there (no-shows)"
"""The tickets called whose resident did not come, in every presentation: not the appointments
missed (:data:`APPOINTMENT_COLUMNS`), so that one screen never has two different "No-shows"."""

FIGURE_NAMES = {
    "no_shows": NO_SHOWS,
    "appointments": "Appointments",
    "service_time": "Service time",
    "wait": "Waits",
}
"""The figures with a definition (``FIGURE_DEFINITIONS``) as a list of what each counts names
them (the reports screen's last lines and F1)."""

APPOINTMENT_COLUMNS = ("Bookings made", "Checked in", "Missed (no-shows)")
"""The appointments' counts as every presentation names them (rows and a trend's columns):
the bookings made in the period, whenever they fall, and the appointments of its days checked
in or missed (``FIGURE_DEFINITIONS["appointments"]``)."""


def appointment_rows(a: AppointmentFigures) -> tuple[FigureRow, ...]:
    """Bookings made, then the period's appointments checked in and missed, the share checked
    in, and the cancellations (a month or longer), the council last: what each presentation
    adds about the notice the council gave follows it."""
    made, checked_in, missed = APPOINTMENT_COLUMNS
    return (
        FigureRow(f"{made} in the period", count(a.appointments_booked)),
        FigureRow(f"Appointments {checked_in.lower()}", count(a.appointments_kept)),
        FigureRow(f"Appointments {missed.lower()}", count(a.appointments_no_show)),
        FigureRow(
            "Share of them checked in",
            percent(a.appointments_kept_pct),
            definition="appointments",
        ),
        FigureRow("Cancelled by the resident", count(a.appointments_cancelled.resident)),
        FigureRow("Cancelled by the council", count(a.appointments_cancelled.council)),
    )


def _appointments(n: int) -> str:
    return f"{n} appointment{'' if n == 1 else 's'}"


def council_notice_words(a: AppointmentFigures, when: str) -> tuple[str, str]:
    """What the council did to residents' appointments ``when`` (``this month``), in two
    sentences that read well at zero: its cancellations, then its moves to another time (with
    the share of both with the notice required only where both happened: alone, each says
    its own)."""
    cc, moves = a.council_cancellations, a.council_moves
    cancelled = (
        f"The council cancelled {_appointments(cc.total)} {when}: {cc.with_notice} with the"
        f" notice required ({percent(cc.with_notice_pct)}), {cc.breaches} without."
        if cc.total
        else f"The council cancelled no appointments {when}."
    )
    if not moves.total:
        moved = f"It moved none to another time{' either' if not cc.total else ''}."
    else:
        moved = (
            f"It moved {_appointments(moves.total)} to another time: {moves.with_notice} with"
            f" the notice required, {moves.breaches} without."
        )
        if cc.total:
            moved += (
                f" Of its cancellations and moves together, {percent(a.council_notice_pct)}"
                " had the notice required."
            )
    return cancelled, moved


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


SERVED_COLUMNS = ("Served", "Median service time", "Total service time")
"""The desks' and advisers' columns in every presentation (``FIGURE_DEFINITIONS["service_time"]``
says what a service time is)."""


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


@dataclass(frozen=True, slots=True)
class BesideRow:
    """One figure of the "beside the period before" table: its label (a part indented under its
    whole where the layout can) and its value in each period, as written."""

    label: str
    values: tuple[str, ...]
    part: bool = False

    @property
    def indented(self) -> str:
        return f"  {self.label}" if self.part else self.label


@dataclass(frozen=True, slots=True)
class BesideTable:
    """A quarter's, a year's or any period's headline figures beside the period before's (and,
    but for a year, whose period before is the year before, the same period a year before's):
    the periods, their column heads, and the rows, built once for the text and the HTML."""

    periods: tuple[PeriodSummary, ...]
    heads: tuple[str, ...]
    rows: tuple[BesideRow, ...]


def _beside_figures(
    target_minutes: int,
) -> tuple[tuple[str, bool, Callable[[PeriodSummary], str]], ...]:
    t = target_minutes
    return (
        ("Visits", False, lambda p: count(p.visits)),
        (f"Seen within {t} minutes", False, lambda p: percent(p.within_15_min_pct)),
        ("visitors counted", True, lambda p: count(p.measured)),
        ("walked out after the target", True, lambda p: count(p.walked_out_after_target)),
        ("left before the target", True, lambda p: count(p.left_before_target)),
        ("still waiting at closing", True, lambda p: count(p.closed_unseen)),
        ("Median wait", False, lambda p: minutes(p.wait_median_minutes)),
        ("90th percentile wait", False, lambda p: minutes(p.wait_p90_minutes)),
        ("Resolved at first contact", False, lambda p: percent(p.first_contact_resolution_pct)),
        ("Appointments seen on time", False, lambda p: percent(p.appointment_punctuality_pct)),
        ("Satisfied (4 or 5 of 5)", False, lambda p: percent(p.satisfied_pct)),
        ("answers", True, lambda p: count(p.answers)),
        ("Appointments kept", False, lambda p: percent(p.appointments_kept_pct)),
    )


def beside_rows(report: RangeReport) -> BesideTable:
    """The headline figures, then repeat contact, the telephone and the follow-up standards,
    each in this period, the period before and (not for a whole year: that is the period
    before) the same period a year before (while it goes on, its same days);
    ``no records`` for a period before the office's records begin."""
    periods = [report.current, report.previous]
    heads = ["This period", "The period before"]
    year_before = report.year_before
    if year_before is not None and (report.period != "year" or year_before.part_to):
        periods.append(year_before)  # a year going on: its same days, apart from the year
        heads.append("A year before")
    shown = list(_beside_figures(report.target_minutes))
    for s in report.standards:
        if (
            s.key == REPEAT_CONTACT.key
            or s.key.startswith("calls_within_")
            or s.key in FOLLOWUP_KEYS
        ):
            label = short_label(s.key, report.target_minutes, s.label)
            shown.append((label, False, _standard_of(s.key)))

    def value(p: PeriodSummary, of: Callable[[PeriodSummary], str]) -> str:
        if not p.recorded:
            return NO_RECORDS
        return " ".join(filter(None, (of(p), part_said(p.records_from))))

    rows = tuple(
        BesideRow(label, tuple(value(p, of) for p in periods), part) for label, part, of in shown
    )
    return BesideTable(tuple(periods), tuple(heads), rows)


def _standard_of(key: str) -> Callable[[PeriodSummary], str]:
    return lambda p: percent(p.standards.get(key))
