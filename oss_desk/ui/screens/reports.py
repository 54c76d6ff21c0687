"""Reports mode: the daily footfall summary and the monthly dashboard, with charts.

The figures come from ``ReportService`` (the same dicts the CLI prints as JSON), computed on the
desk's database thread. Today's summary follows the live queue (at most every few seconds); any
other day or month is computed once when shown.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static
from textual_plotext import PlotextPlot

from oss_desk.domain.models import Actor
from oss_desk.domain.needs import describe_need
from oss_desk.domain.stats import STATUS_WORDS
from oss_desk.domain.text import event_log_head_lines
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session
from oss_desk.ui.screens.base import DeskScreen
from oss_desk.ui.widgets.bars import StatusBar, TopBar
from oss_desk.ui.widgets.key_bar import KeyBar

LIVE_REFRESH_SECONDS = 5.0
SHORT_LABELS = {
    "within_15_min": "Seen within 15 min",
    "first_contact": "First contact",
    "appointments_kept": "Appointments kept",
    "council_notice": "Council notice",
}
STATUS_STYLES = {"green": "bold green", "amber": "bold yellow", "red": "bold red", "none": "dim"}


def pct_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def minutes_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} min"


def month_shift(month: str, steps: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + (number - 1) + steps
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


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


def whole_number_ticks(plt: Any, values: list[int]) -> None:
    """Counts get three whole-number ticks: 0, the middle and the top (plotext's own would label
    7 arrivals as 5.8 and 7.0, and it drops ticks that do not fit, differently run to run)."""
    top = max(max(values, default=0), 2)
    top += top % 2
    plt.yticks([0.0, float(top // 2), float(top)])
    plt.ylim(0, top)


class ReportsScreen(DeskScreen):
    AREA = "Reports"
    HELP = (
        "The daily footfall summary (D) or the monthly dashboard (M), against the council's "
        "standards: over 80% seen within 15 minutes of arrival, 80% resolved at first contact. "
        "Each standard shows its value, its target and a word: met, near (within the amber "
        "margin) or missed. [ and ] go to the day or month before or after; T comes back "
        "to today. Today's summary follows the live queue. The charts show arrivals by hour "
        "(a day) or by day (a month), and the same weekday over the last four weeks (a day) or "
        "the last twelve months (a month). The same figures as files: `oss-desk report daily` "
        "and `oss-desk report monthly` (text, JSON, CSV or HTML)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket",
            "shift(-1)",
            "Earlier",
            id="reports.earlier",
            tooltip="The day or month before",
        ),
        Binding(
            "right_square_bracket",
            "shift(1)",
            "Later",
            id="reports.later",
            tooltip="The day or month after",
        ),
        Binding(
            "d", "period('day')", "Day", id="reports.day", tooltip="The daily footfall summary"
        ),
        Binding(
            "m", "period('month')", "Month", id="reports.month", tooltip="The monthly dashboard"
        ),
        Binding("t", "today", "Today", id="reports.today", tooltip="Back to today (or this month)"),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.period = "day"
        self.day: date | None = None
        self.month: str | None = None
        self.data: dict[str, Any] | None = None
        self.shown: tuple[str, str] | None = None
        self._live_at = 0.0

    def compose(self) -> ComposeResult:
        yield TopBar()
        yield Static(id="report-heading")
        with Horizontal(id="report-body"):
            with VerticalScroll(id="report-figures-box"):
                yield Static(id="report-figures")
            with Vertical(id="report-charts"):
                yield PlotextPlot(id="report-chart-main")
                yield PlotextPlot(id="report-chart-trend")
        yield StatusBar()
        yield KeyBar()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#report-figures-box").focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self.draw)  # the charts choose their labels for their width

    def wants_fresh_data(self) -> bool:
        return True

    def current_desk(self) -> str | None:
        return self.desk_app.terminal_desk

    def acting_as(self) -> Actor:
        return self.desk_app.leader_actor()

    # Loading -----------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        today = self._today()
        live = self.period == "day" and (self.day is None or self.day == today)
        if self.data is None or (live and time.monotonic() - self._live_at >= LIVE_REFRESH_SECONDS):
            self.load()

    def _today(self) -> date:
        return date.fromisoformat(self.desk_app.runner.session.today())

    @work(exclusive=True, group="reports-load")
    async def load(self) -> None:
        if self.day is None:
            self.day = self._today()
        if self.month is None:
            self.month = self.day.isoformat()[:7]
        period = self.period
        key = self.day.isoformat() if period == "day" else self.month

        actor = self.acting_as()

        def build(session: Session) -> dict[str, Any]:
            reports = ReportService(session, actor)
            return reports.daily(key) if period == "day" else reports.monthly(key)

        self._live_at = time.monotonic()
        data = await self.desk_app.attempt(build)
        if data is None:
            return
        changed = self.shown != (period, key)
        self.data = data
        self.shown = (period, key)
        self.draw()
        if changed:
            self.query_one("#report-figures-box", VerticalScroll).scroll_home(animate=False)

    # Drawing -----------------------------------------------------------------------------------

    def draw(self) -> None:
        data = self.data
        if data is None or self.shown is None:
            return
        period, key = self.shown
        names = {
            code: s.name for code, s in self.desk_app.runner.session.directory.services.items()
        }
        heading = Text()
        if period == "day":
            heading.append("Daily footfall summary  ", style="bold")
            heading.append(date.fromisoformat(key).strftime("%A %d %B %Y"))
        else:
            heading.append("Monthly dashboard  ", style="bold")
            heading.append(date.fromisoformat(f"{key}-01").strftime("%B %Y"))
        sites = data.get("sites") or []
        heading.append(f"   {', '.join(sites) if sites else 'all sites'}", style="dim")
        self.query_one("#report-heading", Static).update(heading)
        figures = daily_table(data, names) if period == "day" else monthly_table(data, names)
        self.query_one("#report-figures", Static).update(figures)
        self._chart_main(period, data)
        self._chart_trend(period, data)

    def _chart_main(self, period: str, data: dict[str, Any]) -> None:
        plot = self.query_one("#report-chart-main", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        if period == "day":
            hours = list(data.get("by_hour", {}).items())
            bars(plt, [f"{h}:00" for h, _ in hours], [n for _, n in hours], plot.size.width)
            plt.title("Arrivals by hour")
        else:
            days = list(data.get("by_day", {}).items())
            bars(plt, [d[-2:] for d, _ in days], [n for _, n in days], plot.size.width)
            plt.title("Visits by day")
        plot.refresh()

    def _chart_trend(self, period: str, data: dict[str, Any]) -> None:
        plot = self.query_one("#report-chart-trend", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        if period == "day":
            weeks = list(reversed(data.get("previous_weeks", [])))
            labels = [w["date"][5:] for w in weeks] + [str(data.get("date", ""))[5:]]
            counts = [w.get("visits", 0) for w in weeks] + [data.get("visits", 0)]
            bars(plt, labels, counts, plot.size.width)
            plt.title("Arrivals: this weekday, the last 4 weeks")
        else:
            trend = data.get("trend", [])
            names = [date.fromisoformat(f"{t['month']}-01").strftime("%b") for t in trend]
            xs = [float(x) for x in range(1, len(trend) + 1)]
            for key, marker in (("within_15_min_pct", "*"), ("first_contact_resolution_pct", "+")):
                points = [
                    (x, t[key]) for x, t in zip(xs, trend, strict=True) if t.get(key) is not None
                ]
                if points:
                    plt.plot([p[0] for p in points], [p[1] for p in points], marker=marker)
            if xs:
                plt.hline(80, color="gray")
                room = max(1, (plot.size.width - 8) // 5)
                every = max(1, -(-len(xs) // room))
                shown = [i for i in range(len(xs)) if (len(xs) - 1 - i) % every == 0]
                plt.xticks([xs[i] for i in shown], [names[i] for i in shown])
                plt.xlim(0.5, len(xs) + 0.5)
                plt.yticks([0.0, 20.0, 40.0, 60.0, 80.0, 100.0])
                plt.ylim(0, 100)
            plt.title("12 months: * within 15 min, + first contact (%; line: 80)")
        plot.refresh()

    # Actions -----------------------------------------------------------------------------------

    def action_shift(self, steps: int) -> None:
        if self.day is None or self.month is None:
            return
        if self.period == "day":
            self.day = self.day + timedelta(days=steps)
        else:
            self.month = month_shift(self.month, steps)
        self.load()

    def action_period(self, period: str) -> None:
        if period == self.period:
            return
        self.period = period
        if period == "month" and self.day is not None:
            self.month = self.day.isoformat()[:7]
        self.load()

    def action_today(self) -> None:
        self.day = self._today()
        self.month = self.day.isoformat()[:7]
        self.load()


def _standard_row(table: Table, label: str, value: float | None, target: str, status: str) -> None:
    word = STATUS_WORDS.get(status, "")
    table.add_row(
        label,
        Text(pct_text(value), style=STATUS_STYLES.get(status, "")),
        Text(f"{word}".upper() if word else "", style=STATUS_STYLES.get(status, "")),
        Text(target, style="dim"),
    )


def standards_table(data: dict[str, Any]) -> Table:
    """Each standard: its value, a word for its status (never colour alone) and its target."""
    table = Table(
        title="Standards", title_justify="left", box=None, show_header=False, padding=(0, 1)
    )
    for standard in data.get("standards", []):
        rule = standard.get("rule")
        target = standard.get("target")
        target_text = (
            "monitored" if rule == "monitored" else f"{'>' if rule == 'over' else '≥'} {target}%"
        )
        _standard_row(
            table,
            SHORT_LABELS.get(str(standard.get("key")), str(standard.get("label", ""))),
            standard.get("value"),
            target_text,
            str(standard.get("status", "none")),
        )
    return table


def visit_counts(data: dict[str, Any], title: str) -> Table:
    """Arrivals, how they ended and the waits (the day, and the month)."""
    counts = Table(title=title, title_justify="left", box=None, show_header=False, padding=(0, 1))
    rows = [
        ("Arrivals", "visits"),
        ("  walk-ins", "walk_ins"),
        ("  appointments", "appointment_visits"),
        ("Served at a desk", "served"),
        ("Dealt with at greet", "quick_visits"),
        ("No-shows", "no_shows"),
    ]
    if "still_waiting" in data:
        rows.append(("Still waiting", "still_waiting"))
    for label, key in rows:
        counts.add_row(label, str(data.get(key, 0)))
    counts.add_row("Wait: median", minutes_text(data.get("wait_median_minutes")))
    counts.add_row("Wait: 90th percentile", minutes_text(data.get("wait_p90_minutes")))
    return counts


def daily_table(data: dict[str, Any], names: dict[str, str]) -> Table:
    outer = Table.grid(padding=(0, 0))
    outer.add_row(standards_table(data))
    counts = visit_counts(data, "The day")
    busiest = data.get("busiest_hour")
    counts.add_row("Busiest hour", f"{busiest}:00" if busiest else "n/a")
    outer.add_row(counts)
    outer.add_row(_outcomes(data))
    services = Table(
        title="By service", title_justify="left", box=None, show_header=False, padding=(0, 1)
    )
    for code, count in data.get("by_service", {}).items():
        services.add_row(code, names.get(code, code), str(count))
    outer.add_row(services)
    desks = Table(title="Desks", title_justify="left", box=None, padding=(0, 1))
    desks.add_column("Desk")
    desks.add_column("Served", justify="right")
    desks.add_column("Median", justify="right")
    for desk, row in data.get("desks", {}).items():
        desks.add_row(
            desk, str(row.get("served", 0)), minutes_text(row.get("service_median_minutes"))
        )
    outer.add_row(desks)
    advisers = Table(title="Advisers", title_justify="left", box=None, padding=(0, 1))
    advisers.add_column("Adviser")
    advisers.add_column("Served", justify="right")
    advisers.add_column("Median", justify="right")
    for person, row in data.get("advisers", {}).items():
        advisers.add_row(
            str(row.get("name") or person),
            str(row.get("served", 0)),
            minutes_text(row.get("service_median_minutes")),
        )
    if data.get("advisers"):
        outer.add_row(advisers)
    adjustments = {k: v for k, v in data.get("adjustments", {}).items() if v}
    if adjustments:
        needs = Table(
            title="Adjustments",
            title_justify="left",
            box=None,
            show_header=False,
            padding=(0, 1),
        )
        for need, count in adjustments.items():
            needs.add_row(describe_need(need), str(count))
        outer.add_row(needs)
    weeks = data.get("previous_weeks", [])
    if weeks:
        compare = Table(title="Same weekday before", title_justify="left", box=None, padding=(0, 1))
        for column in ("Date", "Arrivals", "15 min", "First"):
            compare.add_column(column, justify="right" if column != "Date" else "left")
        for week in weeks:
            compare.add_row(
                week.get("date", ""),
                str(week.get("visits", 0)),
                pct_text(week.get("within_15_min_pct")),
                pct_text(week.get("first_contact_resolution_pct")),
            )
        outer.add_row(compare)
    if "event_log_head" in data:
        outer.add_row(Text("\n".join(event_log_head_lines(data["event_log_head"], width=60))))
    return outer


def _outcomes(data: dict[str, Any]) -> Table:
    outcomes = Table(
        title="Outcomes", title_justify="left", box=None, show_header=False, padding=(0, 1)
    )
    for outcome, count in data.get("outcomes", {}).items():
        outcomes.add_row(outcome, str(count))
    return outcomes


def monthly_table(data: dict[str, Any], names: dict[str, str]) -> Table:
    outer = Table.grid(padding=(0, 0))
    outer.add_row(standards_table(data))
    counts = visit_counts(data, "Visits")
    outer.add_row(counts)
    appts = Table(
        title="Appointments", title_justify="left", box=None, show_header=False, padding=(0, 1)
    )
    cancelled = data.get("appointments_cancelled", {})
    council = data.get("council_cancellations", {})
    for label, value in (
        ("Booked", data.get("appointments_booked", 0)),
        ("Kept", data.get("appointments_kept", 0)),
        ("No-show", data.get("appointments_no_show", 0)),
        ("Cancelled by resident", cancelled.get("resident", 0)),
        ("Cancelled by council", cancelled.get("council", 0)),
        ("  with 1+ day's notice", council.get("with_notice", 0)),
        ("  short notice", council.get("breaches", 0)),
    ):
        appts.add_row(label, str(value))
    outer.add_row(appts)
    outer.add_row(_outcomes(data))
    services = Table(
        title="By service", title_justify="left", box=None, show_header=False, padding=(0, 1)
    )
    for code, count in data.get("by_service", {}).items():
        services.add_row(code, names.get(code, code), str(count))
    outer.add_row(services)
    calls = data.get("calls")
    if calls:
        phone = Table(
            title="Telephone", title_justify="left", box=None, show_header=False, padding=(0, 1)
        )
        phone.add_row("Calls", str(calls.get("total", 0)))
        phone.add_row(
            "Answered", f"{calls.get('answered', 0)} ({pct_text(calls.get('answered_pct'))})"
        )
        phone.add_row("Abandoned", str(calls.get("abandoned", 0)))
        wait = calls.get("average_wait_seconds")
        phone.add_row("Average wait", "n/a" if wait is None else f"{wait:.1f} s")
        outer.add_row(phone)
    return outer
