"""S: a day's footfall summary on a chosen desk's receipt printer, from the team leader's screen
(today's at its site, what it shows) and from Reports (the report shown there, every site's at
an office of several). One flow, so both pick the printer alike and say the same words."""

from __future__ import annotations

from datetime import date

from oss_desk.domain.reports import DailyReport
from oss_desk.domain.summary_paper import prints_summary_of, summary_site
from oss_desk.render.formats import long_date
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.report_outputs import print_daily_summary
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.base import DeskScreen


def summary_named(day: date | None, today: date) -> str:
    """``today's summary``, else ``the summary of Monday 30 November 2026``."""
    if day is None or day == today:
        return "today's summary"
    return f"the summary of {long_date(day.isoformat())}"


async def print_summary(screen: DeskScreen, shown: DailyReport | None = None) -> None:
    """``shown``, the report on the screen (Reports), as it is; None: today's summary at the
    desk's site (the leader's screen), made now. On a chosen desk's receipt printer (queued: the
    key bar's printer state says when it has printed)."""
    names, snapshot = screen.desk.names, screen.desk.snapshot
    own = snapshot.site_id if snapshot is not None else None
    for_site = None if shown is None else shown.site
    paper_site = summary_site(names.desks.values(), for_site, own)
    printers = [
        (d.id, _with_state(d.name, d.printer_url or d.fallback_printer_url, snapshot))
        for d in names.desks.values()
        if prints_summary_of(d, paper_site)
    ]
    at = "" if paper_site is None else f" at {names.site(paper_site)}"
    if not printers:
        screen.say(f"No desk{at} has a receipt printer set up")
        return
    day = None if shown is None else date.fromisoformat(shown.date)
    what = summary_named(day, names.today())
    none_there = (
        f"{names.site(for_site)} has no receipt printer. "
        if for_site not in (None, paper_site)
        else ""
    )
    chosen = await screen.app.push_screen_wait(
        ChoiceDialog(
            f"{none_there}Print {what} on which desk's printer?",
            printers,
            meaning=f"{what[0].upper()}{what[1:]}'s figures, on one slip, from the receipt "
            f"printer of the desk picked (the desks{at} with one are listed); the key bar says "
            "when it has printed.",
        )
    )
    if chosen is None:
        return
    actor = screen.acting_as()
    site = snapshot.site_id if snapshot is not None else None

    def queue_summary(session: Session) -> int:
        report = ReportService(session, actor).daily(None, site) if shown is None else shown
        return print_daily_summary(session, report, chosen)

    done = f"{what[0].upper()}{what[1:]} queued for {names.desk(chosen)}'s printer"
    await screen.commit(queue_summary, done)


def _with_state(name: str, url: str | None, snapshot: DeskSnapshot | None) -> str:
    """A desk in the summary's printer picker, with its printer's state as the status area
    says it: "Reception (cover open)"."""
    from oss_desk.services.delivery import printer_said

    if snapshot is None or url is None:
        return name
    return f"{name} ({printer_said(snapshot.worker, snapshot.devices.get(url))})"
