"""Follow-up figures for the reports: a period's deadlines met and missed (monthly report,
quarterly return) and what is due today or overdue (team leader, daily summary).

Computed from the ``followups`` table, which holds no personal data: the retention purge never
changes a figure. Every change of a follow-up is also in the event log (the audit trail).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date

from oss_desk.domain.access import Action
from oss_desk.domain.calendar import local
from oss_desk.domain.followup_figures import (
    BackOfficeInfo,
    DueCount,
    FollowupFigures,
    due_counts,
    period_figures,
)
from oss_desk.domain.followups import Monitor
from oss_desk.domain.models import Actor
from oss_desk.services.session import Session
from oss_desk.storage import followups as store


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
        self.s.require(Action.VIEW_REPORTS, self.actor)
        items = []
        for conn in (self.s.store.conn, *others):
            items += store.received_between(
                conn, first_day.isoformat(), last_day.isoformat(), site_id
            )
        settings = self.s.settings.followups
        return period_figures(
            items,
            first_day=first_day,
            last_day=last_day,
            today=self._today(site_id),
            monitors={c.id: Monitor(c.monitor) if c.monitor else None for c in settings.categories},
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
