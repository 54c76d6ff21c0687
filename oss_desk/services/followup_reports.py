"""Follow-up figures for the reports: a period's deadlines met and missed (monthly report,
quarterly return) and what is due today or overdue (team leader, daily summary).

Computed from the ``followups`` table, which holds no personal data: the retention purge never
changes a figure. Every change of a follow-up is also in the event log (the audit trail).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date

from oss_desk.domain.access import Action
from oss_desk.domain.calendar import local
from oss_desk.domain.followup_figures import (
    BackOfficeInfo,
    CategoryInfo,
    DueCount,
    FollowupFigures,
    due_counts,
    period_figures,
)
from oss_desk.domain.followups import Monitor
from oss_desk.domain.models import Actor
from oss_desk.domain.quarters import parse_quarter, quarter_of
from oss_desk.domain.reports import ActionTaken, QuarterlyReport, RecordMonth
from oss_desk.domain.stats import month_bounds
from oss_desk.services.events import record_viewed
from oss_desk.services.session import Session
from oss_desk.storage import followups as store


def followups_due(
    conns: list[sqlite3.Connection], day: date, site_id: str | None
) -> dict[str, DueCount]:
    """The daily report's ``followups``: per kind, due that day and not done by its end, and
    overdue then (today: now)."""
    items = []
    for conn in conns:
        items += store.open_at_end_of(conn, site_id, day.isoformat())
    return due_counts(items, day)


def followup_figures(
    session: Session,
    conns: list[sqlite3.Connection],
    first_day: date,
    last_day: date,
    site_id: str | None,
    actor: Actor | None = None,
) -> FollowupFigures:
    """The monthly report's ``followups`` (see :func:`period_figures`)."""
    return FollowupReports(session, actor).period(first_day, last_day, site_id, conns)


class FollowupReports:
    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    def _today(self, site_id: str | None) -> date:
        sites = self.s.directory.sites
        site = sites.get(site_id or "") or next(iter(sites.values()))
        return local(self.s.clock.now(), site.timezone).date()

    def figures(
        self,
        first_day: date,
        last_day: date,
        site_id: str | None = None,
        *,
        others: Iterable[sqlite3.Connection] = (),
    ) -> FollowupFigures:
        """The follow-ups received from ``first_day`` to ``last_day`` (``others``: other
        offices' databases, added in)."""
        return self.period(first_day, last_day, site_id, [self.s.store.conn, *others])

    def period(
        self,
        first_day: date,
        last_day: date,
        site_id: str | None,
        conns: Iterable[sqlite3.Connection],
    ) -> FollowupFigures:
        self.s.require(Action.VIEW_REPORTS, self.actor)
        items = []
        for conn in conns:
            items += store.received_between(
                conn, first_day.isoformat(), last_day.isoformat(), site_id
            )
        settings = self.s.settings.followups
        return period_figures(
            items,
            first_day=first_day,
            last_day=last_day,
            today=self._today(site_id),
            categories={
                c.id: CategoryInfo(c.name, Monitor(c.monitor) if c.monitor else None)
                for c in settings.categories
            },
            back_offices={
                b.id: BackOfficeInfo(b.name, b.sla_working_days) for b in settings.back_offices
            },
        )

    def due(
        self,
        day: date | None = None,
        site_id: str | None = None,
        *,
        others: Iterable[sqlite3.Connection] = (),
    ) -> dict[str, DueCount]:
        """Per kind, the follow-ups due on ``day`` (default today) and not done by its end,
        and those overdue then."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        when = day or self._today(site_id)
        items = []
        for conn in (self.s.store.conn, *others):
            items += store.open_at_end_of(conn, site_id, when.isoformat())
        return due_counts(items, when)

    def quarterly(self, quarter: str | None = None, site_id: str | None = None) -> QuarterlyReport:
        """The quarterly return "On The Record": every comment, compliment and complaint received
        in the quarter, month by month, with the actions taken as a result (their text is a read
        of data kept under retention, so the read is recorded)."""
        chosen = parse_quarter(quarter) if quarter else quarter_of(self._today(site_id))
        return self.record_return(
            chosen.key, chosen.first_day, chosen.last_day, chosen.months, site_id
        )

    def record_return(
        self, name: str, first: date, last: date, months_of: list[str], site_id: str | None
    ) -> QuarterlyReport:
        """The return "On The Record" of this office for the days ``first``..``last``
        (``name``: the quarter's key), month by month (``months_of``: ``YYYY-MM``, each counted
        whole); the read of the actions' texts is recorded."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        self.s.require(Action.VIEW_FEEDBACK, self.actor)
        every = list(self.s.directory.sites)
        if site_id is None and len(every) == 1:
            site_id = every[0]
        site = self.s.site(site_id) if site_id is not None else None
        covered = (site.id,) if site else tuple(every)
        with self.s.store.read():
            found = self.return_of(
                name,
                first,
                last,
                months_of,
                site.id if site else None,
                covered,
                [self.s.store.conn],
            )
        self.record_shown(found)
        return found

    def return_of(
        self,
        name: str,
        first: date,
        last: date,
        months_of: list[str],
        key: str | None,
        sites: tuple[str, ...],
        conns: Sequence[sqlite3.Connection],
    ) -> QuarterlyReport:
        """The return "On The Record" added up over the office databases ``conns`` (read in
        the caller's snapshot; ``key``: the site, already checked, None for all; ``sites``: the
        sites covered). Reads only: the caller records the read with :meth:`record_shown`."""
        self.s.require(Action.VIEW_REPORTS, self.actor)
        self.s.require(Action.VIEW_FEEDBACK, self.actor)
        whole = self.period(first, last, key, conns)
        months = tuple(
            RecordMonth(month=month, figures=self.period(*month_bounds(month), key, conns))
            for month in months_of
        )
        actions: list[tuple[str, int, ActionTaken]] = []
        for n, conn in enumerate(conns):
            for followup_id, text, purged in store.record_actions(
                conn, first.isoformat(), last.isoformat(), key
            ):
                f = store.get_followup(conn, int(followup_id))
                assert f is not None
                taken = ActionTaken(
                    ref=f.ref,
                    kind=f.kind.value,
                    category=f.category,
                    service=f.service,
                    stage=f.stage,
                    received=f.received_day.isoformat(),
                    answered=f.closed_day.isoformat() if f.closed_day else None,
                    outcome=f.finding.value if f.finding else None,
                    action_taken=f.action_taken,
                    action=text,
                    action_deleted=bool(purged),
                    site=f.site_id,
                )
                actions.append((taken.received, n, taken))
        # By the day received, then office by office (each office's in its own order).
        actions.sort(key=lambda a: (a[0], a[1]))
        return QuarterlyReport(
            quarter=name,
            first_day=first.isoformat(),
            last_day=last.isoformat(),
            site=key,
            sites=sites,
            on_the_record=whole,
            months=months,
            actions=tuple(a for *_k, a in actions),
        )

    def record_shown(self, report: QuarterlyReport) -> None:
        """Record that the actions' texts of ``report`` were read (data kept under retention)."""
        shown_texts = sum(1 for a in report.actions if a.action is not None)
        if shown_texts:
            self._record_read(shown_texts, report.site)

    def _record_read(self, count: int, site_id: str | None) -> None:
        site = self.s.directory.sites.get(site_id or "") or next(
            iter(self.s.directory.sites.values())
        )
        with self.s.store.write() as conn:
            viewed = (["action_text"], count, "report quarterly")
            record_viewed(conn, site, self.s.clock.now(), self.actor, viewed)
