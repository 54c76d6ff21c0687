"""The office databases a report reads: the session's own, and other offices' opened read-only
(``--include``), each exactly once; and what they hold that the figures are laid out over (sites,
services, desks, staff and opening hours)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from oss_desk.domain.calendar import hours_on
from oss_desk.domain.models import DeskKind
from oss_desk.domain.report_figures import Layout
from oss_desk.domain.stats import hours_between
from oss_desk.domain.text import shown
from oss_desk.domain.workdays import WorkingDays
from oss_desk.errors import InvalidInput, NotFound, StorageError
from oss_desk.services.session import Session
from oss_desk.storage.database import Store
from oss_desk.storage.maintenance import office_id
from oss_desk.storage.readonly import open_readonly
from oss_desk.storage.site import Directory, latest_config, read_directory

if TYPE_CHECKING:
    from oss_desk.config import Settings


@dataclass
class Office:
    """One office database the report reads."""

    store: Store
    settings: Settings
    directory: Directory
    owned: bool = False
    """Opened by the report (an ``include``): closed with it."""


def open_office(path: str | Path) -> Office:
    from oss_desk.config import build_settings  # pydantic: only for another office's copy

    store = open_readonly(path)
    try:
        with store.read() as conn:
            stored = latest_config(conn)
            if stored is None:
                raise StorageError(f"{store.path} holds no site configuration")
            settings = build_settings(stored.document, f"the configuration stored in {store.path}")
            directory = read_directory(conn)
    except BaseException:
        store.close()
        raise
    return Office(store=store, settings=settings, directory=directory, owned=True)


class Offices:
    """The session's office first, then each included one; closes what it opened."""

    def __init__(self, session: Session, include: Iterable[str | Path] = ()) -> None:
        self.all: list[Office] = [
            Office(store=session.store, settings=session.settings, directory=session.directory)
        ]
        seen = {_identity(session.store.path)}
        offices = {office_id(session.store.conn): "this office"}
        try:
            for path in include:
                key = _identity(Path(path))
                if key in seen:
                    raise InvalidInput(f"{shown(str(path))} is included twice (or is this office)")
                seen.add(key)
                office = open_office(path)
                self.all.append(office)
                with office.store.read() as conn:
                    ident = office_id(conn)
                if ident is not None and ident in offices:
                    raise InvalidInput(
                        f"{shown(str(path))} is a copy of {offices[ident]}'s database "
                        "(the same office): include each office once"
                    )
                offices[ident or key] = shown(str(path))
            self._refuse_shared_site_ids()
        except BaseException:
            self.close()
            raise

    @property
    def own(self) -> Office:
        return self.all[0]

    def _refuse_shared_site_ids(self) -> None:
        """Offices are told apart by their sites: two offices with one site id cannot be."""
        owner: dict[str, int] = {}
        for n, office in enumerate(self.all):
            for site in office.directory.sites:
                if owner.setdefault(site, n) != n:
                    raise InvalidInput(
                        f"two of the offices use the site id {site!r}: give each office's site "
                        "its own id in its configuration to report on them together"
                    )

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
        return [o for o in self.all if site is None or site in o.directory.sites]

    def scope(self, site_id: str | None) -> tuple[str | None, tuple[str, ...]]:
        """The site asked for (None: all, unless there is only one) and the sites covered."""
        every: list[str] = []
        for office in self.all:
            every += [s for s in office.directory.sites if s not in every]
        if site_id is None:
            return (every[0] if len(every) == 1 else None), tuple(every)
        wanted = site_id.strip()
        if wanted not in every:
            raise NotFound(f"unknown site {shown(site_id)!r} (sites: {', '.join(every)})")
        return wanted, (wanted,)

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
            for person, member in directory.staff.items():
                staff.setdefault(person, member.name)
        return Layout(
            hours=frozenset(self._opening_hours(sites, days)),
            services=tuple(services),
            sites=tuple(sites),
            desks=tuple(desks),
            staff=staff,
        )

    def closed_said(
        self, sites: Sequence[str], day: date, today: date, arrivals: int
    ) -> str | None:
        """Why ``sites`` were closed on ``day``, when nobody arrived and every one was closed
        (by its opening hours, its local closures and, once the day is over, its nation's bank
        holidays: :meth:`WorkingDays.closed_said`, the large calendar asked only then), in
        words ("a Saturday"); None else."""
        if arrivals:
            return None
        said = {
            WorkingDays.for_office(c.nation, c.closures, c.opening_hours).closed_said(
                day, bank_holidays=day < today
            )
            for office in self.all
            for c in office.settings.sites
            if c.id in sites
        }
        if not said or None in said:
            return None
        return "; ".join(sorted(w for w in said if w))

    def _opening_hours(self, sites: Sequence[str], days: Sequence[date]) -> Iterator[int]:
        for office in self.all:
            for config in office.settings.sites:
                if config.id not in sites:
                    continue
                for day in days:
                    opening = hours_on(config.opening_hours, day)
                    if opening is not None:
                        yield from hours_between(
                            opening.opens.hour, opening.closes.hour, opening.closes.minute
                        )


def _identity(path: Path) -> str:
    try:
        return str(path.expanduser().resolve())
    except OSError:
        return str(path)
