"""Whether a site is open now: its one rule (:func:`oss_desk.domain.workdays.closed_now`: its
opening hours, its local closures, its nation's bank holidays), asked with the bank holidays
``init`` stored (:func:`remember_bank_holidays`), so that ``ticket issue`` and meet-and-greet
can say the office is closed without importing the large calendar at every start."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from oss_desk.domain.calendar import local, zone
from oss_desk.domain.models import Site
from oss_desk.domain.workdays import WorkingDays, bank_holidays, closed_now, opening_on
from oss_desk.errors import ResourceFault
from oss_desk.services.wording import site_as_was
from oss_desk.storage.bank_holidays import store_bank_holidays, stored_bank_holidays

if TYPE_CHECKING:
    from oss_desk.config import Settings, SiteConfig
    from oss_desk.services.session import Session


def site_workdays(conn: sqlite3.Connection, config: SiteConfig) -> WorkingDays:
    """The site's working days, with the bank holidays stored for its nation: the one calendar
    every rule asks (the closed-now line, bookings, notices, reports, due sends). A year not
    stored is worked out from the calendar package when asked."""
    workdays = WorkingDays.for_office(config.nation, config.closures, config.opening_hours)
    return replace(workdays, known=stored_bank_holidays(conn, config.nation))


def closed_now_at(session: Session, site: Site, *, keep: bool = False) -> str | None:
    """Why ``site`` is closed now ("a local closure day", "a bank holiday (Christmas Day)", "a
    Saturday", "outside the opening hours 09:00-17:00"); None while it is open. A year whose
    bank holidays were not stored (a year past the ten ``init`` stored) is worked out here;
    ``keep`` (a command that writes anyway) stores it, so the next commands need not work it
    out again: best effort, after the command's own change is saved (a write that cannot be
    made now, a lock held past the busy timeout or a full disk, is left for a later one and
    never fails the command)."""
    config = site_as_was(session, site.id)
    if config is None:
        return None
    local_now = local(session.clock.now(), site.timezone)
    workdays = site_workdays(session.store.conn, config)
    if keep and local_now.year not in workdays.known:
        days = bank_holidays(config.nation, local_now.year)  # the calendar, before the turn
        with contextlib.suppress(ResourceFault), session.store.write() as conn:
            store_bank_holidays(conn, config.nation, local_now.year, days)
    return closed_now(workdays, config.opening_hours, local_now)


def opening_time(
    session: Session, conn: sqlite3.Connection, site: Site, day: str
) -> datetime | None:
    """When ``site`` opens on ``day``, as a UTC instant; None when it does not open that day
    (a day of the week without hours, a bank holiday, a local closure: the one calendar,
    :func:`~oss_desk.domain.workdays.opening_on`), or the site has left the configuration."""
    config = site_as_was(session, site.id)
    if config is None:
        return None
    when = date.fromisoformat(day)
    hours = opening_on(site_workdays(conn, config), config.opening_hours, when)
    if hours is None:
        return None
    return datetime.combine(when, hours.opens, tzinfo=zone(site.timezone)).astimezone(UTC)


YEARS_AHEAD = 10
"""``init`` stores the bank holidays of this year and the ten after (a year beyond: worked out
when asked, importing the calendar once in that process)."""


def remember_bank_holidays(conn: sqlite3.Connection, settings: Settings, today: date) -> None:
    """Store the bank holidays of this year and the :data:`YEARS_AHEAD` after, for every
    nation of the office's sites (``init``, in its write transaction)."""
    for nation in sorted({site.nation for site in settings.sites}):
        for year in range(today.year, today.year + YEARS_AHEAD + 1):
            store_bank_holidays(conn, nation, year, bank_holidays(nation, year))
