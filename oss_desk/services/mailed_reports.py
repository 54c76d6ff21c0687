"""Reports that arrive by themselves: the daily summary after closing and the monthly dashboard
on the first working day, emailed to the team leader (``oss-desk report send``, run by a systemd
timer).

Each email is a row of the ``report_mails`` outbox, committed when queued and sent by the
device worker like every other message (claim, hand-over, finish; retried through an outage;
"sent" only when the mail server accepted it). It carries the report's text as `report daily`
(or `report monthly`) prints it, without the advisers' own lines: aggregate figures only, no
resident and no person. A report is queued once per office and recipient, however often the
command runs (``again`` queues it once more on purpose), but for a daily summary sent early
because the day was closed by hand, then reopened: once the day is over, the whole day's is
queued again, saying it replaces it (:func:`~oss_desk.domain.closed_day.summary_replaced`); and
for a monthly dashboard sent while its month went on ("to date"): once the month is over, the
whole month's is queued, saying it replaces it
(:func:`~oss_desk.domain.report_rounds.dashboard_replaced`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.calendar import hours_on, local, parse_date
from oss_desk.domain.closed_day import (
    REPLACES_SUBJECT,
    early_cancelled_said,
    early_summary_said,
    replaces_said,
    sent_closed_said,
    summary_replaced,
    summary_waits,
)
from oss_desk.domain.models import Role, Site
from oss_desk.domain.periods import counted_to
from oss_desk.domain.report_rounds import (
    CATCH_UP_DAYS,
    DASHBOARD_REPLACES_SUBJECT,
    SENT_MONTH,
    already_queued_state,
    dashboard_replaced,
    dashboard_replaces_said,
    month_sent,
    older_unsent_said,
    replacing_said,
)
from oss_desk.domain.reports import DailyReport, MonthlyReport
from oss_desk.domain.stats import month_bounds, parse_month
from oss_desk.domain.workdays import WorkingDays, day_not_over, opening_on
from oss_desk.errors import ConfigError, NotFound, RuleViolation
from oss_desk.render.formats import to_date_said
from oss_desk.services.opening import site_workdays
from oss_desk.services.queue.day_end import closing_time, days_over
from oss_desk.services.report_offices import report_site
from oss_desk.services.report_outputs import place_name, render_report
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session
from oss_desk.services.wording import site_as_was
from oss_desk.storage import lines_said
from oss_desk.storage import report_mails as store
from oss_desk.storage.day_closures import closed_day, last_reopened
from oss_desk.storage.reports_visits import visitor_days

ALL_SITES = store.ALL_SITES

Replacing = Callable[[store.ReportMail], tuple[str, str] | None]
"""For a recipient's latest round of a report: the subject's end and first line of the report
that replaces it, when one does, else None."""


def _went(mail: store.ReportMail, site: Site) -> tuple[bool, datetime]:
    """Whether ``mail`` was sent, and when it was sent (else queued), in the time of ``site``."""
    sent = mail.status == "sent" and mail.sent_at is not None
    at = read_instant(mail.sent_at if sent and mail.sent_at else mail.created_at)
    return sent, local(at, site.timezone)


class NoRecipient(ConfigError, title="Reports cannot be sent"):
    """Nobody to send the reports to, or no mail server to send them through: a configuration
    problem (exit 3), which the configuration's ``reports.send_to``, a team leader's
    ``[[staff]] email`` or ``email.smtp_url`` puts right."""


@dataclass(frozen=True, slots=True)
class Queued:
    """One report email: queued now (``new``) or found already queued."""

    mail: store.ReportMail
    new: bool
    place: str
    """Whose report it is: the site's name (each site's own, at an office of several; the
    only one's, at an office of one), else the council's (the email's subject names the
    same)."""
    closed_early: str | None = None
    """Today's summary sent before closing time because the team leader closed the day by hand:
    the line that says so (:func:`~oss_desk.domain.closed_day.sent_closed_said`)."""
    replaces: int | None = None
    """The email this one replaces: the summary sent early, before the day was reopened
    (:func:`~oss_desk.domain.closed_day.summary_replaced`), or the dashboard sent while its
    month went on (:func:`~oss_desk.domain.report_rounds.dashboard_replaced`)."""
    cancelled: store.ReportMail | None = None
    """The round just before this one, cancelled before it went (the day reopened)."""
    cancelled_said: str | None = None
    """The line that says so (:func:`~oss_desk.domain.closed_day.early_cancelled_said`)."""
    state: str = ""
    """Where it stands, as its line says it when it was queued before: sent when, in the
    office's time, or failed (:func:`~oss_desk.domain.report_rounds.already_queued_state`)."""

    def as_json(self) -> dict[str, object]:
        m = self.mail
        return {
            "id": m.id,
            "kind": m.kind,
            "period": m.period,
            "site": None if m.scope == ALL_SITES else m.scope,
            "place": self.place,
            "to": m.recipient,
            "round": m.round,
            "queued": self.new,
            "status": m.status,
            "sent_at": m.sent_at,
            "closed_early": self.closed_early,
            "replaces": self.replaces,
            "cancelled_before": None
            if self.cancelled is None
            else {
                "id": self.cancelled.id,
                "status": self.cancelled.status,
                "cancelled_at": self.cancelled.cancelled_at,
                "cancelled_by": self.cancelled.cancelled_by,
            },
        }

    def line(self) -> str:
        m = self.mail
        what = "Daily summary" if m.kind == "daily" else "Monthly dashboard"
        which = f"{what} of {self.place} for {m.period}"
        if self.new and self.replaces is not None:
            said = f"{which} queued for {m.recipient} (email {m.id}): "
            said += f"{replacing_said(m.kind, self.replaces)}."
        elif self.new:
            said = f"{which} queued for {m.recipient} (email {m.id})."
        else:
            state = self.state or m.status
            said = f"{which} was already queued for {m.recipient} (email {m.id}, {state}); "
            said += "nothing queued."
        more = [m for m in (self.cancelled_said, self.closed_early) if m is not None]
        return " ".join([said, *more])


def recipients(session: Session) -> list[str]:
    """``reports.send_to``, else every team leader's ``email``."""
    settings = session.settings
    if settings.reports.send_to:
        return list(settings.reports.send_to)
    leaders = [s.email for s in settings.staff if s.role is Role.TEAM_LEADER and s.email]
    return list(dict.fromkeys(leaders))


def without_people(report: DailyReport | MonthlyReport) -> DailyReport | MonthlyReport:
    """The report with no person's own line (the advisers' table): desks and totals only."""
    return replace(report, figures=replace(report.figures, advisers={}))


@dataclass(frozen=True, slots=True)
class OlderUnsent:
    """A site's working days older than the week ``report send due`` catches up, with no daily
    summary (:meth:`ReportMailer.older_unsent`), and its line."""

    site: str
    days: list[date]
    option: str
    """`` --site ID`` at an office of several sites, else ""."""
    line: str

    def as_json(self) -> dict[str, object]:
        """``report send due --json``'s ``older_unsent`` item: the days, and the command that
        sends the first one."""
        first = min(self.days).isoformat()
        return {
            "site": self.site,
            "days": [day.isoformat() for day in self.days],
            "command": f"oss-desk report send daily --date {first}{self.option}",
            "line": self.line,
        }


class ReportMailer:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _ready(self) -> list[str]:
        to = recipients(self.s)
        if not to:
            raise NoRecipient(
                "no one to send reports to: set reports.send_to, or an email for a team leader "
                "in [[staff]]"
            )
        if not self.s.settings.email.smtp_url:
            raise NoRecipient("no mail server to send reports through: set email.smtp_url")
        return to

    def daily(
        self, day: str | None = None, site_id: str | None = None, *, again: bool = False
    ) -> list[Queued]:
        """Queue the daily summary of ``day`` (default today, once the office has closed)."""
        to = self._ready()
        site = self._site(site_id)
        today = self.s.today(site)
        when = today if day is None else parse_date(day, "--date", self.s.span(site)).isoformat()
        early = self._closed_today(site, today) if when == today else None
        with ReportService(self.s) as reports:
            report = reports.daily(when, site_id)
        early_one = self._early_one(site, report.date, site_id)
        said = self._sent_early(site, today) if early else None
        done = self._queue("daily", report.date, report, site_id, to, again, early_one, said)
        return [replace(q, closed_early=early) for q in done] if early else done

    def _early_one(self, site: Site, day: str, site_id: str | None) -> Replacing:
        """For a recipient's latest summary of ``day``: the subject's end and first line of the
        whole day's summary that replaces it when it was sent early and the day was reopened
        after it (:func:`~oss_desk.domain.closed_day.summary_replaced`), else None."""
        closes = closing_time(self.s, site, day)
        with self.s.store.read() as conn:
            reopened = last_reopened(conn, day, site_id)

        def replaced(mail: store.ReportMail) -> tuple[str, str] | None:
            if not summary_replaced(read_instant(mail.created_at), closes, reopened):
                return None
            sent, at = _went(mail, site)
            return REPLACES_SUBJECT, replaces_said(f"{at:%H:%M}", sent)

        return replaced

    def _to_date_one(self, site: Site, month: str) -> Replacing:
        """For a recipient's latest dashboard of ``month``: the subject's end and first line of
        the whole month's that replaces it when it counted the month only to date and the month
        is over now (:func:`~oss_desk.domain.report_rounds.dashboard_replaced`), else None."""
        last = month_bounds(month)[1]
        today = date.fromisoformat(self.s.today(site))

        def counted(day: date, at: datetime, scope: str | None) -> date | None:
            over = day == last and days_over(self.s, scope, last.isoformat(), at)
            return counted_to(last, day, today_over=over)

        def replaced(mail: store.ReportMail) -> tuple[str, str] | None:
            scope = None if mail.scope == ALL_SITES else mail.scope
            at = read_instant(mail.created_at)
            then = counted(local(at, site.timezone).date(), at, scope)
            if not dashboard_replaced(then, counted(today, self.s.clock.now(), scope)):
                return None
            sent, at = _went(mail, site)
            return DASHBOARD_REPLACES_SUBJECT, dashboard_replaces_said(at.date(), sent)

        return replaced

    def monthly(
        self, month: str | None = None, site_id: str | None = None, *, again: bool = False
    ) -> list[Queued]:
        """Queue the monthly dashboard of ``month`` (default: :data:`SENT_MONTH`)."""
        to = self._ready()
        # Not typed: a refusal names the month by why it was chosen, not as an option given.
        named = "--month" if month is not None else f"{SENT_MONTH[0].upper()}{SENT_MONTH[1:]}:"
        if month is None:
            month = month_sent(date.fromisoformat(self.s.today(self._site(site_id))))
        else:
            month = parse_month(month)
        with ReportService(self.s) as reports:
            report = reports.monthly(month, site_id, named=named)
        to_date_one = self._to_date_one(self._site(site_id), month)
        return self._queue("monthly", month, report, site_id, to, again, to_date_one)

    def due(self) -> list[Queued]:
        """What the timer sends: each office's summary of the last day it opened, once that day
        is over (today's after closing, or at once once the team leader closed it by hand, as
        ``report send daily`` sends it), and of every other day in the last week it opened whose
        summary was never queued (missed evenings, however many runs were missed:
        :meth:`missed_days`), and of each day it was closed but still took arrivals (a closure
        day, a bank holiday, a Saturday: :meth:`closed_days_with_arrivals`), oldest first, and
        last month's dashboard from the first working day of the month on. Each is queued at
        most once, so running this again (or every hour) sends nothing twice."""
        self._ready()
        done: list[Queued] = []
        several = len(self.s.directory.sites) > 1
        for site in self.s.directory.sites.values():
            scope = site.id if several else None
            day = self.last_closed_day(site)
            days = {day} if day is not None else set()
            days.update(self.missed_days(site, scope))
            days.update(self.closed_days_with_arrivals(site, scope))
            for each in sorted(days):
                done += self.daily(each.isoformat(), scope)
            workdays = self._workdays(site)
            today = date.fromisoformat(self.s.today(site))
            month_start = today.replace(day=1)
            if today >= workdays.first_of_month(today) and month_start > self.s.span(site).first:
                done += self.monthly(None, scope)
        return done

    def _closed_today(self, site: Site, today: str) -> str | None:
        """Refuses today's summary while ``site`` opens today and has not closed yet
        (:func:`~oss_desk.domain.closed_day.summary_waits`); returns the line that says so when
        the team leader closed the day by hand before its closing time (its summary is sent
        now), else None. A day it does not open (a bank holiday, a local closure, a day of the
        week without hours: the one rule, :func:`~oss_desk.domain.workdays.opening_on`) is never
        still open, and nor is a site that has left."""
        config = next((c for c in self.s.settings.sites if c.id == site.id), None)
        if config is None or site.id not in self.s.directory.sites:
            return None
        if (
            opening_on(self._workdays(site), config.opening_hours, date.fromisoformat(today))
            is None
        ):
            return None
        closes, now = closing_time(self.s, site, today), self.s.clock.now()
        closed = closed_day(self.s.store.conn, site.id, today)
        if summary_waits(closed, now, closes):
            raise RuleViolation(self._not_over(site, today), cli_hint="--date YYYY-MM-DD")
        if closed is None or now >= closes:
            return None
        return sent_closed_said(closed, self.s.name_of(closed.closed_by), site.timezone)

    def _not_over(self, site: Site, today: str) -> str:
        """Why today's summary of ``site`` (not over: :meth:`_closed_today`) is not sent yet,
        said by whether it has opened (:func:`~oss_desk.domain.workdays.day_not_over`)."""
        config = site_as_was(self.s, site.id)
        hours = hours_on(config.opening_hours, date.fromisoformat(today)) if config else None
        assert hours is not None  # it opens today
        return day_not_over(site.name, hours, local(self.s.clock.now(), site.timezone).time())

    def last_closed_day(self, site: Site, look_back: int = CATCH_UP_DAYS) -> date | None:
        """The latest working day of ``site`` (in the last ``look_back`` days, not before its
        records begin) that is over: its closing time has passed, or it was closed by hand."""
        return next((day for day, opened in self._days_over(site, look_back) if opened), None)

    def missed_days(
        self, site: Site, scope: str | None, look_back: int = CATCH_UP_DAYS
    ) -> list[date]:
        """The working days of ``site`` in the last ``look_back`` days (not before its records
        begin) that are over and whose summary was never queued (to anyone; what was cancelled
        before it went does not count), oldest first: evenings the timer did not run."""
        opened = [day for day, opened in self._days_over(site, look_back) if opened]
        sent = store.queued_periods(self.s.store.conn, "daily", scope or ALL_SITES)
        return sorted(day for day in opened if day.isoformat() not in sent)

    def closed_days_with_arrivals(
        self, site: Site, scope: str | None, look_back: int = CATCH_UP_DAYS
    ) -> list[date]:
        """The days of ``site`` in the last ``look_back`` days, over, on which it was closed
        (its one rule: :func:`~oss_desk.domain.workdays.opening_on`) but took
        visitors all the same (a ticket cancelled as issued in error brought none: a closed day
        with only such tickets has no summary), whose summary was never queued (so an hourly run
        says nothing of them again), oldest first."""
        closed = [day for day, opened in self._days_over(site, look_back) if not opened]
        if not closed:
            return []
        conn = self.s.store.conn
        came = visitor_days(conn, site.id, min(closed).isoformat(), max(closed).isoformat())
        sent = store.queued_periods(conn, "daily", scope or ALL_SITES)
        return sorted(d for d in closed if d.isoformat() in came and d.isoformat() not in sent)

    def older_unsent(self, site: Site, scope: str | None) -> list[date]:
        """The working days of ``site`` before the last :data:`CATCH_UP_DAYS` (which
        :meth:`due` catches up) whose summary was never queued, oldest first, from the first
        day one was (before it, the office was not sending them): said, never sent by
        themselves (:func:`~oss_desk.domain.report_rounds.older_unsent_said`)."""
        sent = store.queued_periods(self.s.store.conn, "daily", scope or ALL_SITES)
        if not sent:
            return []
        config = next(c for c in self.s.settings.sites if c.id == site.id)
        workdays = self._workdays(site)
        today = date.fromisoformat(self.s.today(site))
        day = max(date.fromisoformat(min(sent)), self.s.span(site).first)
        found = []
        while day < today - timedelta(days=CATCH_UP_DAYS):
            opened = opening_on(workdays, config.opening_hours, day) is not None
            if opened and day.isoformat() not in sent:
                found.append(day)
            day += timedelta(days=1)
        return found

    def older_unsent_found(self) -> list[OlderUnsent]:
        """Each site's :meth:`older_unsent` with its line (its name first at an office of
        several sites, and ``--site`` in its command); none when nothing older was missed."""
        sites = list(self.s.directory.sites.values())
        found = []
        for site in sites:
            scope = site.id if len(sites) > 1 else None
            today = date.fromisoformat(self.s.today(site))
            option = f" --site {site.id}" if scope else ""
            days = self.older_unsent(site, scope)
            said = older_unsent_said(days, today, option)
            if said is not None:
                line = f"{site.name}: {said}" if scope else said
                found.append(OlderUnsent(site.id, days, option, line))
        return found

    def older_unsent_lines(self) -> list[str]:
        """Each site's line of :meth:`older_unsent_found` (``doctor`` says them each time)."""
        return [found.line for found in self.older_unsent_found()]

    def older_unsent_news(self, found: list[OlderUnsent]) -> list[str]:
        """The lines of ``found`` when they differ from those said last (the timer's hourly
        run says them once per change, not each hour), recorded as said; none when they are
        the same. Nothing to say settles what was said, so the same days missed again later
        are said again."""
        said = "\n".join(f.line for f in found) or None
        if lines_said.last_said(self.s.store.conn, lines_said.OLDER_UNSENT) == said:
            return []  # read alone: a run with nothing new takes no write turn
        with self.s.store.write() as conn:
            if lines_said.last_said(conn, lines_said.OLDER_UNSENT) == said:
                return []  # another run said it meanwhile
            now = format_instant(self.s.clock.now())
            lines_said.record_said(conn, lines_said.OLDER_UNSENT, said, now)
        return [f.line for f in found]

    def _days_over(self, site: Site, look_back: int) -> Iterator[tuple[date, bool]]:
        """The days of ``site`` in the last ``look_back`` days (not before its records begin)
        that are over, newest first, each with whether the site opened then: their closing
        time has passed, or the team leader closed them by hand (the one rule of ``report send
        daily`` too: :func:`~oss_desk.domain.closed_day.summary_waits`)."""
        config = next(c for c in self.s.settings.sites if c.id == site.id)
        workdays = self._workdays(site)
        today = date.fromisoformat(self.s.today(site))
        first = self.s.span(site).first
        now = self.s.clock.now()
        conn = self.s.store.conn
        for back in range(look_back + 1):
            day = today - timedelta(days=back)
            if day < first:
                return
            closes = closing_time(self.s, site, day.isoformat())
            if not summary_waits(closed_day(conn, site.id, day.isoformat()), now, closes):
                yield day, opening_on(workdays, config.opening_hours, day) is not None

    def _everywhere(self, left: Mapping[str, str | None]) -> str:
        """Whose report covers every site: the office's own name at an office of one site
        (the one the desks and the board name), else (several, or sites that have left in
        its figures: ``left``) the council's."""
        sites = list(self.s.directory.sites.values())
        return sites[0].name if len(sites) == 1 and not left else self.s.settings.council.name

    def _sent_early(self, site: Site, today: str) -> tuple[str, str] | None:
        """Today's summary sent early (the day closed by hand): what its subject and first
        line add (:func:`~oss_desk.domain.closed_day.early_summary_said`)."""
        closed = closed_day(self.s.store.conn, site.id, today)
        if closed is None:  # pragma: no cover - only asked once the day was found closed
            return None
        closes = f"{local(closing_time(self.s, site, today), site.timezone):%H:%M}"
        return early_summary_said(closed, closes, site.timezone)

    def _workdays(self, site: Site) -> WorkingDays:
        config = next(c for c in self.s.settings.sites if c.id == site.id)
        return site_workdays(self.s.store.conn, config)

    def _site(self, site_id: str | None) -> Site:
        """The site named (as every report names one: a site that has left too), or this
        office's only (or first) site."""
        if site_id is not None:
            return report_site(self.s, site_id)
        first = self.s.site_or_first()
        if first is None:  # pragma: no cover - init refuses a configuration without sites
            raise NotFound("no site is configured")
        return first

    def _queue(
        self,
        kind: str,
        period: str,
        report: DailyReport | MonthlyReport,
        site_id: str | None,
        to: list[str],
        again: bool,
        early_one: Replacing | None = None,
        early: tuple[str, str] | None = None,
    ) -> list[Queued]:
        """Queue the report for each recipient (once; ``again``: once more). ``early_one``: the
        subject's end and first line of a whole day's summary (or month's dashboard) that
        replaces a recipient's latest, when it does (then it is queued again, its subject and
        first line saying so). ``early``: the end of
        the subject and the first line of a summary sent before closing time
        (:func:`~oss_desk.domain.closed_day.early_summary_said`)."""
        body = render_report(self.s, without_people(report), "text")
        left = report.sites_left
        where = place_name(self.s, site_id, left, self._everywhere(left))
        title = "Daily summary" if kind == "daily" else "Monthly dashboard"
        subject = f"{title}: {where}, {period}"
        if isinstance(report, MonthlyReport) and report.to_date is not None:
            subject += f", {to_date_said(report.to_date)}"  # as the dashboard's heading says
        if early is not None:
            subject, body = subject + early[0], f"{early[1]}\n\n{body}"
        now = format_instant(self.s.clock.now())
        scope = site_id or ALL_SITES
        zone = self._site(site_id).timezone
        done = []
        with self.s.store.write() as conn:
            for recipient in to:
                before = store.latest(
                    conn, kind=kind, period=period, scope=scope, recipient=recipient
                )
                first = early_one(before) if before is not None and early_one else None
                replacing = first is not None and not again
                ends, line = first if first is not None and replacing else ("", None)
                mail, new = store.queue(
                    conn,
                    kind=kind,
                    period=period,
                    scope=scope,
                    recipient=recipient,
                    subject=subject + ends,
                    body=body if line is None else f"{line}\n\n{body}",
                    reference=f"oss-r-{kind}-{period}-{secrets.token_hex(4)}",
                    now=now,
                    queued_by=self.s.actor.person,
                    again=again or replacing,
                )
                was = before.id if replacing and before is not None else None
                gone = store.cancelled_before(conn, mail)
                said = None if gone is None else self._cancelled_said(gone)
                sent = read_instant(mail.sent_at) if mail.sent_at else None
                state = already_queued_state(mail.status, sent and local(sent, zone))
                done.append(
                    Queued(
                        mail,
                        new,
                        where,
                        replaces=was,
                        cancelled=gone,
                        cancelled_said=said,
                        state=state,
                    )
                )
        return done

    def _cancelled_said(self, mail: store.ReportMail) -> str:
        """:func:`~oss_desk.domain.closed_day.early_cancelled_said` of ``mail``, in the time of
        its site (of the first site: a report of every site)."""
        site = self.s.directory.sites.get(mail.scope) or self._site(None)
        at = read_instant(mail.cancelled_at or mail.created_at)
        by = self.s.name_of(mail.cancelled_by) if mail.cancelled_by else "someone"
        return early_cancelled_said(mail.id, f"{local(at, site.timezone):%H:%M}", by)
