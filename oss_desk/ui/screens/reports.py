"""Reports mode: the daily footfall summary and the monthly dashboard, with charts.

The figures come from ``ReportService`` (the typed reports the CLI renders), computed on the
desk's database thread. Today's summary follows the live queue (at most every few seconds); any
other day or month is computed once when shown.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date, timedelta
from typing import ClassVar

from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static
from textual_plotext import PlotextPlot

from oss_desk.domain.access import Action
from oss_desk.domain.calendar import (
    hour_said,
    no_figures_yet,
    no_month_figures_yet,
)
from oss_desk.domain.call_figures import CallFigures
from oss_desk.domain.models import Actor, Outcome
from oss_desk.domain.reports import (
    NO_RECORDS,
    AppointmentFigures,
    DailyReport,
    MonthlyReport,
    PeriodReport,
    closed_words,
    site_named,
)
from oss_desk.domain.scorecard import FIGURE_DEFINITIONS, short_label
from oss_desk.domain.standards import FIRST_CONTACT, SEEN_WITHIN_TARGET
from oss_desk.domain.stats import shift_month
from oss_desk.domain.text import event_log_head_lines
from oss_desk.errors import InvalidInput
from oss_desk.render.followups import due_lines
from oss_desk.render.formats import minutes, month_words, percent, target
from oss_desk.render.rows import (
    ADJUSTMENTS_TITLE,
    CALLS_TITLE,
    FIGURE_NAMES,
    SERVED_COLUMNS,
    adjustment_rows,
    appointment_rows,
    call_rows,
    counted_lines,
    desk_rows,
    outcome_rows,
    signposted_rows,
    visit_rows,
    wait_rows,
)
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.report_outputs import report_desk_names
from oss_desk.services.reports import DAY_NAMED, ReportService
from oss_desk.services.session import Session
from oss_desk.ui.context import DeskContext, Ok
from oss_desk.ui.faults import guard, guarded
from oss_desk.ui.keys import Keys
from oss_desk.ui.screens.base import DeskScreen, key_flow
from oss_desk.ui.screens.summary_print import print_summary
from oss_desk.ui.theme import STYLES
from oss_desk.ui.widgets.charts import bars, chart_title, twelve_months

LIVE_REFRESH_SECONDS = 5.0
STATUS_STYLES = {"green": "bold green", "amber": "bold yellow", "red": "bold red", "none": "dim"}


_key = Keys("reports")
MONTH_NOT_PRINTED = (
    "A receipt prints a day's summary (D, then S), not a month's dashboard: the month's comes "
    "as the monthly dashboard email, or ask whoever looks after oss-desk for it as a web page"
)
DAY_MOVED_TO, MONTH_MOVED_TO = DAY_NAMED, "The month"
"""How a refusal names the day or month [ or ] moved to (not typed: no option to name)."""


class ReportsScreen(DeskScreen):
    CSS_PATH = STYLES / "reports.tcss"
    AREA = "Reports"
    FOCUS = "#report-figures-box"
    HELP = (
        "The daily footfall summary (D) or the monthly dashboard (M), against the council's "
        f"standards: over {SEEN_WITHIN_TARGET.target}% seen within 15 minutes of arriving (or "
        "the office's own wait target), "
        f"{FIRST_CONTACT.target}% resolved at first contact. "
        "Each standard shows its value, its target and a word: met, near (within the amber "
        "margin) or missed. [ and ] go to the day or month before or after; T comes back "
        "to today. S prints the day shown on a chosen desk's receipt printer (a month's "
        "dashboard is not printed on a receipt). Today's summary follows the live queue. "
        "The charts show arrivals by hour "
        "(a day) or by day (a month), and the same weekday over the last four weeks (a day) or "
        "the last twelve months (a month). The same figures, and the quarterly and annual "
        "reports (every standard beside the period before and a year before), come as text, "
        "JSON, CSV or HTML from the command line: oss-desk report daily, monthly, quarterly, "
        "annual (or ask whoever looks after the office's reports). What each standard and "
        "figure counts is at the end of the figures (End goes there) and listed below. [ stops "
        "at the day (month) the office's records begin, ] at today."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        _key(
            "left_square_bracket", "shift(-1)", "Earlier", "The day or month before", id="earlier"
        ),
        _key("right_square_bracket", "shift(1)", "Later", "The day or month after", id="later"),
        _key("d", "period('day')", "Day", "The daily footfall summary", id="day"),
        _key("m", "period('month')", "Month", "The monthly dashboard", id="month"),
        _key("t", "today", "Today", "Back to today (or this month)"),
        _key(
            "s",
            "print_summary",
            "Print this day",
            "Print the summary of the day shown on a chosen desk's printer",
            id="summary",
            may=Action.VIEW_REPORTS,
        ),
    ]

    def __init__(self, desk: DeskContext) -> None:
        super().__init__(desk)
        self.period = "day"
        self.day: date | None = None
        self.month: str | None = None
        self.data: DailyReport | MonthlyReport | None = None
        self.desk_names: dict[str, str] = {}
        """The desks' names, read with the report shown (one that left the configuration too)."""
        self.shown: tuple[str, str] | None = None
        self._live_at = 0.0

    def compose_body(self) -> ComposeResult:
        yield Static(id="report-heading")
        with Horizontal(id="report-body"):
            with VerticalScroll(id="report-figures-box"):
                yield Static(id="report-figures")
            with Vertical(id="report-charts"):
                yield PlotextPlot(id="report-chart-main")
                yield PlotextPlot(id="report-chart-trend")

    @guarded
    def on_resize(self) -> None:
        # The charts choose their labels for their width.
        self.call_after_refresh(guard(self, self.draw))

    def help_words(self) -> str:
        """The screen's words, then what each standard of the report shown counts."""
        return self.HELP if self.data is None else standards_help(self.HELP, self.data)

    def wants_fresh_data(self) -> bool:
        return True

    def current_desk(self) -> str | None:
        return self.desk.terminal_desk

    def acting_as(self) -> Actor:
        return self.desk.leader_actor()

    # Loading -----------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        today = self._today()
        live = self.period == "day" and (self.day is None or self.day == today)
        if self.data is None or (live and time.monotonic() - self._live_at >= LIVE_REFRESH_SECONDS):
            self.load()

    def _today(self) -> date:
        return self.desk.names.today()

    @work(exclusive=True, group="reports-load", exit_on_error=False)
    async def load(self) -> None:
        if self.day is None:
            self.day = self._today()
        if self.month is None:
            self.month = self.day.isoformat()[:7]
        period = self.period
        key = self.day.isoformat() if period == "day" else self.month

        actor = self.acting_as()
        day = self.day

        def build(session: Session) -> tuple[DailyReport | MonthlyReport, dict[str, str]]:
            reports = ReportService(session, actor)
            if period == "day":
                report: DailyReport | MonthlyReport = reports.daily(day)
            else:
                report = reports.monthly(key, named=MONTH_MOVED_TO)
            # a desk that left too, and with its site at an office of several: as the CLI says
            return report, report_desk_names(session, report.sites)

        self._live_at = time.monotonic()
        built = await self.desk.act(build)
        if not isinstance(built, Ok):
            # Refused (a day or month before the office's records begin, said as the CLI says
            # it): the screen stays on what it shows, and [ and ] move from there.
            self._back_to_shown()
            return
        data, self.desk_names = built.value
        changed = self.shown != (period, key)
        self.data = data
        self.shown = (period, key)
        self.refresh_bindings()  # S prints the day shown, never a month
        self.draw()
        if changed:
            self.query_one("#report-figures-box", VerticalScroll).scroll_home(animate=False)

    def _back_to_shown(self) -> None:
        if self.shown is None:
            return
        period, key = self.shown
        self.period = period
        if period == "day":
            self.day = date.fromisoformat(key)
            self.month = key[:7]
        else:
            self.month = key

    # Drawing -----------------------------------------------------------------------------------

    def draw(self) -> None:
        data = self.data
        if data is None or self.shown is None:
            return
        period, key = self.shown
        names = {code: s.name for code, s in self.desk.names.services.items()}
        heading = Text()
        if period == "day":
            heading.append("Daily footfall summary  ", style="bold")
            heading.append(date.fromisoformat(key).strftime("%A %d %B %Y"))
        else:
            heading.append("Monthly dashboard  ", style="bold")
            to_date = data.to_date if isinstance(data, MonthlyReport) else None
            heading.append(month_words(key, to_date))
        sites = [site_named(s, s, data.sites_left) for s in data.sites]  # one that left: closed
        heading.append(f"   {', '.join(sites) if sites else 'all sites'}", style="dim")
        self.query_one("#report-heading", Static).update(heading)
        places = self.desk.names.organisations()
        figures = (
            daily_table(data, names, self.desk_names, places)
            if isinstance(data, DailyReport)
            else monthly_table(data, names, places)
        )
        self.query_one("#report-figures", Static).update(figures)
        self._chart_main(data)
        self._chart_trend(data)

    def _chart_main(self, data: DailyReport | MonthlyReport) -> None:
        plot = self.query_one("#report-chart-main", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        if isinstance(data, DailyReport):
            hours = list(data.figures.by_hour.items())
            bars(plt, [hour_said(h) for h, _ in hours], [n for _, n in hours], plot.size.width)
            chart_title(plt, plot.size.width, "Arrivals by hour", "By hour")
        else:
            # a day before the records begin has no figures, not 0 arrivals: left out
            days = [(d, n) for d, n in data.days_recorded().items() if n is not None]
            bars(plt, [d[-2:] for d, _ in days], [n for _, n in days], plot.size.width)
            chart_title(plt, plot.size.width, "Visits by day", "By day")
        plot.refresh()

    def _chart_trend(self, data: DailyReport | MonthlyReport) -> None:
        plot = self.query_one("#report-chart-trend", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        if isinstance(data, DailyReport):
            all_weeks = [*reversed(data.previous_weeks), data.comparison()]
            # A week before the office's records begin has no figures, not zero arrivals: it is
            # left out, and the title says the chart starts where the records do.
            weeks = [w for w in all_weeks if w.recorded]
            labels = [w.date[5:] for w in weeks]
            bars(plt, labels, [w.visits for w in weeks], plot.size.width)
            titles = (
                (
                    "Arrivals: this weekday, the last 4 weeks",
                    "This weekday, last 4 weeks",
                    "Last 4 weeks",
                )
                if len(weeks) == len(all_weeks)
                else (
                    f"Arrivals: this weekday, since records began ({NO_RECORDS} before)",
                    "This weekday, since records began",
                    "Since records began",
                )
            )
            chart_title(plt, plot.size.width, *titles)
        else:
            twelve_months(plt, plot.size.width, data)
        plot.refresh()

    # Actions -----------------------------------------------------------------------------------

    @guarded
    def action_shift(self, steps: int) -> None:
        if self.day is None or self.month is None:
            return
        day, month = self.day + timedelta(days=steps), shift_month(self.month, steps)
        try:  # ] stops at today (this month): no figures after it yet ([: see load)
            if self.period == "day":
                self.day = no_figures_yet(day, self._today(), DAY_MOVED_TO)
            else:
                first = date.fromisoformat(f"{month}-01")
                no_month_figures_yet(first, self._today(), MONTH_MOVED_TO)
                self.month = month
        except InvalidInput as exc:
            self.say(exc.message, timeout=3)
            return
        self.load()

    @guarded
    def action_period(self, period: str) -> None:
        if period == self.period:
            return
        self.period = period
        if period == "month" and self.day is not None:
            self.month = self.day.isoformat()[:7]
        self.load()

    @guarded
    def action_today(self) -> None:
        self.day = self._today()
        self.month = self.day.isoformat()[:7]
        self.load()

    @key_flow("reports")
    async def action_print_summary(self) -> None:
        """The report shown, day and sites as on screen (a trial: it printed today's while
        another day was on screen; a review: one site's at an office of several)."""
        if isinstance(self.data, DailyReport):
            await print_summary(self, self.data)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if allowed and action == "print_summary" and (self.shown or ("day",))[0] != "day":
            return None  # a month's dashboard is not printed on a receipt: dimmed, said why
        return allowed

    def why_not(self, action: str) -> str | None:
        if action == "print_summary":
            return MONTH_NOT_PRINTED
        return None


def standards_help(about: str, report: PeriodReport) -> str:
    """F1's words for a report on screen: ``about``, then what each of its standards counts
    (the definitions every report prints under them) and what the figures that need one
    mean."""
    said = [f"{label}: {definition}" for label, definition in definitions(report)]
    return "\n\n".join([about, DEFINITIONS_TITLE, *said])


DEFINITIONS_TITLE = "What the standards and figures count"
HELP_FIGURES = ("no_shows", "appointments", "service_time", "wait")
"""The figures whose definitions F1 and the end of the screen give after the standards'."""


def _table(title: str, header: bool = False) -> Table:
    return Table(title=title, title_justify="left", box=None, show_header=header, padding=(0, 1))


def standards_table(report: PeriodReport) -> Table:
    """Each standard: its value, a word for its status (never colour alone) and its target;
    the title says where what each counts is."""
    table = _table("Standards  (what each counts: End)")
    for standard in report.standards:
        style = STATUS_STYLES.get(standard.status, "")
        table.add_row(
            short_label(standard.key, report.target_minutes, standard.label),
            Text(percent(standard.value), style=style),
            Text(standard.status.word.upper(), style=style),
            Text(target(standard, symbols=True), style="dim"),
        )
    return table


def definitions_table(report: PeriodReport) -> Table:
    """What each standard of the report and the figures that need it count (the definitions
    the text and HTML reports print under them, and F1 gives), last on the screen: the figures
    come first, and End (or scrolling) reaches these."""
    table = _table(DEFINITIONS_TITLE)
    for label, definition in definitions(report):
        table.add_row(Text(label, style="bold"))
        table.add_row(indented(definition))
    return table


def definitions(report: PeriodReport) -> list[tuple[str, str]]:
    """Each standard's name and definition, then the figures' (F1's words and the screen's)."""
    said = [(s.label, s.definition) for s in report.standards if s.definition]
    return said + [(FIGURE_NAMES[key], FIGURE_DEFINITIONS[key]) for key in HELP_FIGURES]


def indented(words: str, by: int = 2) -> Padding:
    """Dim words under a figure, every wrapped line indented alike."""
    return Padding(Text(words, style="dim"), (0, 0, 0, by))


def visit_counts(report: PeriodReport, title: str) -> Table:
    """Arrivals, how they ended and the waits (the day, and the month): the rows every
    presentation of a report shows, in their words and order."""
    counts = _table(title)
    for row in visit_rows(report):
        counts.add_row(row.indented, row.value)
    return counts


def waits_table(report: PeriodReport) -> Table:
    """The shares the visits are rated by, each with what it is of (the 15-minute figure with
    who it counts): the lines every presentation of a report shows."""
    table = _table(f"Who the {report.target_minutes}-minute figure counts")
    for n, row in enumerate(wait_rows(report)):
        table.add_row(row.label, row.value)
        notes = [row.note, *(counted_lines(report) if n == 0 else ())]
        for note in notes:
            table.add_row(indented(note), "")
    return table


def appointments_table(figures: AppointmentFigures) -> Table:
    """The month's appointments (the rows every presentation shows), then the notice the
    council gave when it cancelled."""
    table = _table("Appointments")
    for row in appointment_rows(figures):
        table.add_row(row.label, row.value)
    council = figures.council_cancellations
    table.add_row("  with enough notice", str(council.with_notice))
    table.add_row("  short notice", str(council.breaches))
    return table


def outcomes_table(report: PeriodReport, organisations: Mapping[str, str] | None = None) -> Table:
    """The visits finished with each outcome (the rows every presentation shows); under
    Signposted, where to (those with visits, not recorded among them: they add up to it)."""
    table = _table("Outcomes")
    places = signposted_rows(report.figures.flags, organisations or {})
    for key, row in zip(
        report.figures.outcomes, outcome_rows(report.figures.outcomes), strict=True
    ):
        table.add_row(row.label, row.value)
        if key == Outcome.SIGNPOSTED:
            for label, n in places:
                if n.total:
                    table.add_row(Text(f"  {label}"), str(n.total))  # configured names: no markup
    return table


def _outcomes_and_services(
    report: PeriodReport, names: dict[str, str], organisations: Mapping[str, str] | None
) -> tuple[Table, Table]:
    outcomes = outcomes_table(report, organisations)
    services = _table("By service")
    for code, n in report.figures.by_service.items():
        services.add_row(code, names.get(code, code), str(n))
    return outcomes, services


def _served_by(title: str, first: str, rows: list[tuple[str, int, float | None]]) -> Table:
    table = _table(title, header=True)
    table.add_column(first)
    served_head, median_head, _total = SERVED_COLUMNS
    table.add_column(served_head, justify="right")
    table.add_column(median_head, justify="right")
    for name, served, median in rows:
        table.add_row(Text(name), str(served), minutes(median))  # configured text: no markup
    return table


def daily_table(
    report: DailyReport,
    names: dict[str, str],
    desk_names: Mapping[str, str] | None = None,
    organisations: Mapping[str, str] | None = None,
) -> Table:
    """The day's figures (``names``: services' names; ``desk_names``: desks';
    ``organisations``: where residents are signposted)."""
    f = report.figures
    outer = Table.grid(padding=(0, 0))
    closed = closed_words(report)
    if closed:  # the zeros below are a closed day's
        outer.add_row(Text(closed, style="bold"))
    outer.add_row(standards_table(report))
    outer.add_row(visit_counts(report, "The day"))
    outer.add_row(waits_table(report))
    outcomes, services = _outcomes_and_services(report, names, organisations)
    outer.add_row(outcomes)
    outer.add_row(services)
    desks = [
        (d.name, d.figures.served, d.figures.service_median_minutes)
        for d in desk_rows(f.desks, desk_names or {})
    ]
    outer.add_row(_served_by("Desks", "Desk", desks))
    if f.advisers:
        advisers = [
            (a.name or person, a.served, a.service_median_minutes)
            for person, a in f.advisers.items()
        ]
        outer.add_row(_served_by("Advisers", "Adviser", advisers))
    needs = _table(ADJUSTMENTS_TITLE)
    for row in adjustment_rows(f.adjustments):
        needs.add_row(row.label, row.value)
    outer.add_row(needs)
    if report.followups:
        outer.add_row(Text("\n".join(line.rstrip() for line in due_lines(report.followups)[1:])))
    if report.previous_weeks:
        compare = _table("Same weekday before", header=True)
        for column in ("Date", "Arrivals", f"{report.target_minutes} min", "First"):
            compare.add_column(column, justify="right" if column != "Date" else "left")
        for week in report.previous_weeks:
            if not week.recorded:
                compare.add_row(week.date, Text(NO_RECORDS, style="dim"), "", "")
                continue
            compare.add_row(
                week.date,
                str(week.visits),
                percent(week.within_15_min_pct),
                percent(week.first_contact_resolution_pct),
            )
        outer.add_row(compare)
    outer.add_row(Text("\n".join(event_log_head_lines(report.event_log_head, width=60))))
    outer.add_row(definitions_table(report))
    return outer


def monthly_table(
    report: MonthlyReport,
    names: dict[str, str],
    organisations: Mapping[str, str] | None = None,
) -> Table:
    outer = Table.grid(padding=(0, 0))
    outer.add_row(standards_table(report))
    outer.add_row(visit_counts(report, "Visits"))
    outer.add_row(appointments_table(report.appointments))
    outcomes, services = _outcomes_and_services(report, names, organisations)
    outer.add_row(outcomes)
    outer.add_row(services)
    if report.calls:
        outer.add_row(calls_table(report.calls))
    outer.add_row(definitions_table(report))
    return outer


def calls_table(calls: CallFigures) -> Table:
    """The month's telephone figures: the rows every presentation shows."""
    table = _table(CALLS_TITLE)
    for row in call_rows(calls):
        table.add_row(row.indented, row.value)
    return table
