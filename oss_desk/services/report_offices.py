"""The office databases a report reads: the session's own, and other offices' opened read-only
(``--include``), each exactly once; and what they hold that the figures are laid out over (sites,
services, desks, staff and opening hours)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from oss_desk.clock import read_instant
from oss_desk.domain.calendar import business_day, hours_on, repeated_hours
from oss_desk.domain.models import DeskKind, Site
from oss_desk.domain.report_figures import Layout
from oss_desk.domain.reports import site_named
from oss_desk.domain.stats import hours_between
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, NotFound, StorageError
from oss_desk.services.opening import site_workdays
from oss_desk.services.session import Session
from oss_desk.services.wording import settings_as_was
from oss_desk.storage.database import Store
from oss_desk.storage.maintenance import office_id
from oss_desk.storage.older_copy import stand_in_for_missing_tables
from oss_desk.storage.readonly import open_readonly
from oss_desk.storage.site import (
    Directory,
    SiteLeft,
    latest_config,
    read_directory,
    site_has_events,
    sites_left,
    staff_ever,
)

if TYPE_CHECKING:
    from oss_desk.config import Settings, SiteConfig

Covered = tuple[str | None, tuple[str, ...], dict[str, str | None]]
"""The site asked for (None: every office), the sites covered, and those of them that have left
the configuration with the business day each left (None: not known)."""


@dataclass
class Office:
    """One office database the report reads."""

    store: Store
    settings: Settings
    directory: Directory
    owned: bool = False
    """Opened by the report (an ``include``): closed with it."""
    left: dict[str, SiteLeft] = field(default_factory=dict)
    """Its sites that have left the configuration: their records are still reported on."""

    def has(self, site: str) -> bool:
        """Whether ``site`` is one of the office's, configured now or once."""
        return site in self.directory.sites or site in self.left

    def sites_ever(self) -> list[str]:
        """The office's sites, configured now or once, by id."""
        return sorted({*self.directory.sites, *self.left})

    def timezone_of(self, site: str) -> str:
        """``site``'s timezone (one that left: as it was last loaded)."""
        if site in self.directory.sites:
            return self.directory.sites[site].timezone
        gone = self.left.get(site)
        if gone is not None:
            return gone.site.timezone
        return next((s.timezone for s in self.directory.sites.values()), "Europe/London")

    def left_on(self, site: str) -> str | None:
        """The business day ``site`` left the configuration (None: not known)."""
        return _day_of(self.left[site].left_at, self.left[site].site.timezone)

    def covers(self, site: str, first: date, last: date) -> bool:
        """Whether ``site`` belongs in a report from ``first`` to ``last``: configured now, or
        configured in that period (from the day a stored configuration first had it to the
        day before it left), or with records in it."""
        if site in self.directory.sites:
            return True
        gone = self.left.get(site)
        if gone is None:
            return False
        came = _day_of(gone.first_loaded, gone.site.timezone) or ""
        left = self.left_on(site) or ""
        if came <= last.isoformat() and left > first.isoformat():
            return True
        return site_has_events(self.store.conn, site, first.isoformat(), last.isoformat())


def open_office(path: str | Path, current: Store) -> Office:
    """Another office's database, read-only; one of an older version is read as it is, as
    the same copy upgraded (``current``: this office's, at this version's schema)."""
    from oss_desk.config import build_settings  # pydantic: only for another office's copy

    store = open_readonly(path)
    try:
        stand_in_for_missing_tables(store.conn, current.conn)
        with store.read() as conn:
            stored = latest_config(conn)
            if stored is None:
                raise StorageError(f"{store.path} holds no site configuration")
            settings = build_settings(stored.document, f"the configuration stored in {store.path}")
            directory = read_directory(conn)
            left = sites_left(conn)
    except BaseException:
        store.close()
        raise
    return Office(store=store, settings=settings, directory=directory, owned=True, left=left)


class Offices:
    """The session's office first, then each included one; closes what it opened."""

    def __init__(self, session: Session, include: Iterable[str | Path] = ()) -> None:
        with session.store.read() as conn:
            left = sites_left(conn)
        self.all: list[Office] = [
            Office(
                store=session.store,
                settings=session.settings,
                directory=session.directory,
                left=left,
            )
        ]
        seen = {_identity(session.store.path)}
        offices = {office_id(session.store.conn): "this office"}
        self.names = ["this office"]  # how a refusal names each office
        try:
            for path in include:
                key = _identity(Path(path))
                if key in seen:
                    raise InvalidInput(f"{shown(str(path))} is included twice (or is this office)")
                seen.add(key)
                office = open_office(path, session.store)
                self.all.append(office)
                with office.store.read() as conn:
                    ident = office_id(conn)
                if ident is not None and ident in offices:
                    raise InvalidInput(
                        f"{shown(str(path))} is a copy of {offices[ident]}'s database "
                        "(the same office): include each office once"
                    )
                offices[ident or key] = shown(str(path))
                self.names.append(shown(str(path)))
            self._refuse_shared_site_ids()
        except BaseException:
            self.close()
            raise

    @property
    def own(self) -> Office:
        return self.all[0]

    def _refuse_shared_site_ids(self) -> None:
        """Offices are told apart by their sites: two offices with one site id cannot be, also
        when one of them (or both) has since left its office's configuration: its records still
        bear the id, and would be added up with the other's as one site."""
        owner: dict[str, int] = {}
        for n, office in enumerate(self.all):
            for site in office.sites_ever():
                first = owner.setdefault(site, n)
                if first == n:
                    continue
                if site in office.directory.sites and site in self.all[first].directory.sites:
                    raise InvalidInput(
                        f"two of the offices use the site id {site!r}: give each office's site "
                        "its own id in its configuration to report on them together"
                    )
                held = " and ".join(self._holding(k, site) for k in (first, n))
                raise InvalidInput(
                    f"the site id {site!r} is two offices': {held}; their records cannot be "
                    "told apart, so report on each office alone"
                )

    def _holding(self, n: int, site: str) -> str:
        """Office ``n`` and whether ``site`` is configured there now or left, in words ("this
        office (closed 25 Nov 2026)", "north.sqlite (configured now)")."""
        office, name = self.all[n], self.names[n]
        if site not in office.left:
            return f"{name} (configured now)"
        return site_named(name, site, {site: office.left_on(site)})

    def close(self) -> None:
        for office in self.all:
            if office.owned:
                office.store.close()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """One consistent read of every office for the whole report."""
        with contextlib.ExitStack() as stack:
            for office in self.all:
                stack.enter_context(office.store.read())
            yield

    def covering(self, site: str | None) -> list[Office]:
        """The offices with ``site`` (every office with None)."""
        return [o for o in self.all if site is None or o.has(site)]

    def asked(self, site_id: str | None) -> str | None:
        """The site asked for, one of the offices' now or once (None: every office); a site
        that never was one is refused."""
        if site_id is None:
            return None
        wanted = site_id.strip()
        if not self.covering(wanted):
            every: list[str] = []
            for office in self.all:
                every += [s for s in office.sites_ever() if s not in every]
            raise NotFound(f"unknown site {shown(site_id)!r} (sites: {', '.join(every)})")
        return wanted

    def scope(self, site_id: str | None, first: date, last: date) -> Covered:
        """The site asked for (:meth:`asked`; None: all, unless the period covers only one) and
        the sites covered from ``first`` to ``last`` (those configured now, and those that
        have left but were configured then or have records then: a site that leaves keeps its
        days in every report)."""
        wanted = self.asked(site_id)
        every: list[str] = []
        left: dict[str, str | None] = {}
        for office in self.all:
            for site in office.sites_ever():
                covered = office.covers(site, first, last) if wanted is None else site == wanted
                if site in every or not covered:
                    continue
                every.append(site)
                if site in office.left:
                    left[site] = office.left_on(site)
        if wanted is None and len(every) == 1:
            wanted = every[0]
        return wanted, tuple(every), left

    def layout(self, sites: Sequence[str], days: Sequence[date]) -> Layout:
        """What the figures of ``sites`` over ``days`` are laid out over."""
        services: list[str] = []
        desks: list[tuple[str, str]] = []
        staff: dict[str, str] = {}
        for office in self.all:
            directory = office.directory
            services += [code for code in directory.services if code not in services]
            desks += [
                (desk.site_id, desk.id)
                for desk in directory.desks.values()
                if desk.site_id in sites and desk.kind is not DeskKind.MEET_AND_GREET
            ]
            desks += [
                (site, desk)
                for site, gone in office.left.items()
                if site in sites
                for desk in gone.desks
            ]
            for person, member in staff_ever(office.store.conn).items():  # leavers too
                staff.setdefault(person, member.name)
        repeated = {
            found.hour: (found.first_zone, found.second_zone)
            for office in self.all
            for site in sites
            if office.has(site) and len(days) == 1
            for found in repeated_hours(days[0], office.timezone_of(site))
        }
        return Layout(
            repeated=repeated,
            hours=frozenset(self._opening_hours(sites, days)),
            services=tuple(services),
            sites=tuple(sites),
            desks=tuple(desks),
            staff=staff,
        )

    def closed_said(self, sites: Sequence[str], day: date, today: date) -> str | None:
        """Why ``sites`` were closed on ``day``, when every one was closed (by its opening
        hours, its local closures and, once the day is over, its nation's bank holidays:
        :meth:`WorkingDays.closed_said`, the large calendar asked only then), in words ("a
        Saturday"), whether or not anyone arrived (arrivals are still taken); None else."""
        said = {
            site_workdays(conn, c).closed_said(day, bank_holidays=day < today)
            for conn, c in self._configs(sites)
        }
        if not said or None in said:
            return None
        return "; ".join(sorted(w for w in said if w))

    def closed_days(self, sites: Sequence[str], days: Iterable[str], today: date) -> dict[str, str]:
        """Of ``days`` (``YYYY-MM-DD``), those ``sites`` were all closed -> why
        (:meth:`closed_said`)."""
        found = {d: self.closed_said(sites, date.fromisoformat(d), today) for d in days}
        return {d: why for d, why in found.items() if why is not None}

    def _opening_hours(self, sites: Sequence[str], days: Sequence[date]) -> Iterator[int]:
        for _, config in self._configs(sites):
            for day in days:
                opening = hours_on(config.opening_hours, day)
                if opening is not None:
                    yield from hours_between(
                        opening.opens.hour, opening.closes.hour, opening.closes.minute
                    )

    def _configs(self, sites: Sequence[str]) -> Iterator[tuple[sqlite3.Connection, SiteConfig]]:
        """The configurations of ``sites`` (a site that left: as it was last loaded), each with
        its office's connection."""
        for office in self.all:
            for site in (s for s in office.sites_ever() if s in sites):
                config = settings_as_was(office.settings, office.store.conn, site)
                if config is not None:
                    yield office.store.conn, config


def report_site(session: Session, site_id: str) -> Site:
    """The site ``site_id`` as every report names it (:meth:`Offices.asked`: one of the office's
    now or once, so a site that has left is still reported on, named as closed; one that never
    was is refused): for the commands that name a report's site before making it (``report
    send --site``)."""
    offices = Offices(session)
    try:
        wanted = offices.asked(site_id)
    finally:
        offices.close()
    site = session.site_known(wanted or site_id)
    if site is None:  # pragma: no cover - asked() refuses a site the office never had
        raise NotFound(f"unknown site {shown(site_id)!r}")
    return site


def _identity(path: Path) -> str:
    try:
        return str(path.expanduser().resolve())
    except OSError:
        return str(path)


def _day_of(instant: str | None, timezone: str) -> str | None:
    return None if instant is None else business_day(read_instant(instant), timezone)
