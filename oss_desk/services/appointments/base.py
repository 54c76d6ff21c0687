"""What every part of the appointment service shares: the actor's role, the calendar (working
days, advisers, rooms, free slots) and the event each change records.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from oss_desk.domain.access import Action, Scope
from oss_desk.domain.appointments import (
    Appointment,
    AppointmentStatus,
    Preferred,
    status_sentence,
)
from oss_desk.domain.calendar import local, parse_date, zone
from oss_desk.domain.models import (
    Actor,
    EventKind,
    Service,
    Site,
)
from oss_desk.domain.slots import (
    Adviser,
    Calendar,
    Room,
    Slot,
    free_slots,
    parse_pattern,
    unit_of,
)
from oss_desk.domain.text import shown
from oss_desk.domain.workdays import WorkingDays
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.events import record_event
from oss_desk.services.opening import site_workdays
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session
from oss_desk.services.wording import site_as_was
from oss_desk.storage import appointments as a

if TYPE_CHECKING:
    from oss_desk.config import SiteConfig

ACTIVE_KINDS = ("confirmation", "reminder", "change")


def said(status: AppointmentStatus) -> str:
    """An appointment's status in a sentence: "is already checked in" (its one home:
    ``domain.appointments.STATUS_SENTENCES``)."""
    return status_sentence(status)


class AppointmentBase:
    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    # Roles -------------------------------------------------------------------------------------

    def _require(self, action: Action, appt: Appointment | None = None) -> None:
        """Refuse unless the actor's role may do ``action`` (on ``appt``: for a role allowed
        only its own, an appointment booked with them)."""
        own = None
        if appt is not None and self.s.scope(action, self.actor) is Scope.OWN:
            own = appt.adviser == self.actor.person
        self.s.require(action, self.actor, own=own)

    def may(self, action: Action, appt: Appointment | None = None) -> bool:
        own = None if appt is None else appt.adviser == self.actor.person
        return self.s.may(action, self.actor, own=own)

    # The calendar ----------------------------------------------------------------------------

    def site_for(self, site_id: str | None = None) -> Site:
        return self.s.site_at(self.actor.desk_id, site_id)

    def site_settings(self, site: Site) -> SiteConfig | None:
        """The site's calendar and hours as configured; for a site that left the configuration,
        as it was last loaded (never another office's: its nation's bank holidays, its own
        closures); None: not known (it left before the office kept its loads)."""
        return site_as_was(self.s, site.id)

    def workdays(self, site: Site) -> WorkingDays:
        """The site's working days (:meth:`site_settings`)."""
        config = self.site_settings(site)
        if config is None:
            raise NotFound(
                f"the calendar of {site.name} ({site.id}) is not known: it left the configuration"
            )
        return site_workdays(self.s.store.conn, config)

    def first_free_day(self, service: str, from_day: date) -> date | None:
        """The first day from ``from_day`` with a free slot for ``service`` (within the booking
        horizon); None when there is none: where a booking form opens."""
        site = self.site_for(None)
        found = self.slots(service, from_day, self.s.settings.appointments.days_ahead, limit=1)
        return local(found[0].start, site.timezone).date() if found else None

    def closed_said(self, day: date, site_id: str | None = None) -> str | None:
        """Why the office takes no appointments on ``day`` ("Fri 25 Dec is a bank holiday
        (Christmas Day): the office is closed"), asked of its working days (the ``holidays``
        package for its nation, and its local closures); None on a working day."""
        why = self.workdays(self.site_for(site_id)).closed_said(day)
        return f"{day:%a %d %b} is {why}: the office is closed" if why else None

    def searched_days(self, site: Site, first_day: date | str | None, days: int) -> list[date]:
        """The days a search for free slots looks at: ``days`` from ``first_day`` (default
        today), no further than bookings open ahead."""
        start_day, last_bookable = self._search_bounds(site, first_day)
        ahead = self.s.settings.appointments.days_ahead
        found = (start_day + timedelta(days=i) for i in range(max(1, min(days, ahead))))
        return [day for day in found if day <= last_bookable]

    def past_horizon(self, site: Site, first_day: date | str | None, days: int) -> bool:
        """A search of ``days`` from ``first_day`` reaches past the last day bookings open
        (:meth:`searched_days` stops there): an empty answer says how far ahead they open."""
        start_day, last_bookable = self._search_bounds(site, first_day)
        return start_day + timedelta(days=max(1, days) - 1) > last_bookable

    def _search_bounds(self, site: Site, first_day: date | str | None) -> tuple[date, date]:
        """The first day a search looks at (``first_day``, default today) and the last day
        bookings open (``appointments.days_ahead`` from today)."""
        today = local(self.s.clock.now(), site.timezone).date()
        start_day = (
            parse_date(first_day, "date", self.s.span(site))
            if isinstance(first_day, str)
            else first_day or today
        )
        return start_day, today + timedelta(days=self.s.settings.appointments.days_ahead)

    def holidays_said(self, days: list[date], site_id: str | None = None) -> dict[date, str]:
        """Of ``days``, those a bank holiday or local closure shuts, each with
        :meth:`closed_said`'s words (not the days it is shut every week, such as weekends)."""
        workdays = self.workdays(self.site_for(site_id))
        return {
            day: said
            for day in days
            if day.weekday() in workdays.weekdays
            and workdays.holiday(day) is not None
            and (said := self.closed_said(day, site_id))
        }

    def calendar(self, site: Site) -> Calendar:
        config = next(s for s in self.s.settings.sites if s.id == site.id)
        advisers = []
        for person in self.s.settings.staff:
            taken = person.takes_appointments()
            if taken == []:
                continue
            advisers.append(
                Adviser(
                    id=person.id,
                    name=person.name,
                    services=None if taken == "*" else frozenset(taken),
                    pattern={day: parse_pattern(text) for day, text in person.works.items()},
                )
            )
        rooms = [
            Room(d.id, d.name, frozenset(d.services))
            for d in self.s.directory.desks.values()
            if d.site_id == site.id and d.private_room
        ]
        return Calendar(
            timezone=site.timezone,
            opening_hours=dict(config.opening_hours),
            workdays=self.workdays(site),
            advisers=tuple(advisers),
            rooms=tuple(rooms),
            step_minutes=self.s.settings.appointments.step_minutes,
        )

    def bookable(self, code: str) -> Service:
        svc = QueueService(self.s, self.actor).service(code)
        if not svc.takes_appointments:
            raise RuleViolation(f"{svc.name} is walk-in only: it takes no appointments")
        return svc

    def slots(
        self,
        service: str,
        first_day: date | str | None = None,
        days: int = 7,
        *,
        adviser: str | None = None,
        limit: int | None = None,
        site_id: str | None = None,
        conn: sqlite3.Connection | None = None,
    ) -> list[Slot]:
        """Free slots for ``service`` over ``days`` days from ``first_day`` (default today)."""
        self._require(Action.VIEW_APPOINTMENTS)
        svc = self.bookable(service)
        assert svc.appointment_minutes is not None
        site = self.site_for(site_id)
        now = self.s.clock.now()
        day_list = self.searched_days(site, first_day, days)
        if not day_list:
            return []
        busy, absent = self._taken(conn or self.s.store.conn, site, day_list[0], day_list[-1])
        if adviser is not None and adviser not in {p.id for p in self.s.settings.staff}:
            raise NotFound(f"unknown adviser {shown(adviser)!r}")
        return free_slots(
            self.calendar(site),
            svc,
            days=day_list,
            busy=busy,
            absent=absent,
            not_before=now,
            adviser=adviser,
            limit=limit,
        )

    def _taken(
        self, conn: sqlite3.Connection, site: Site, first: date, last: date
    ) -> tuple[set[tuple[str, int]], set[tuple[str, date]]]:
        """What the slot search leaves out from ``first`` to ``last`` (local days at ``site``):
        the (resource, unit) pairs booked, and the (adviser, day) pairs of absence."""
        tz = zone(site.timezone)
        first_unit = unit_of(datetime.combine(first, datetime.min.time(), tz))
        last_unit = unit_of(datetime.combine(last + timedelta(days=1), datetime.min.time(), tz))
        return a.busy(conn, first_unit, last_unit), a.absences(conn, first, last)

    # Helpers ---------------------------------------------------------------------------------

    def _absence_event(self, conn: sqlite3.Connection, at: datetime, data: dict[str, Any]) -> None:
        """An absence recorded or removed: the whole council's, at no office."""
        kind = EventKind.ABSENCE_RECORDED
        record_event(conn, None, at, kind, self.actor, data=data)

    def _event(
        self,
        conn: sqlite3.Connection,
        site: Site,
        kind: EventKind,
        appt: Appointment,
        data: dict[str, object] | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record ``kind`` for ``appt`` at ``at`` (the action's own reading of the clock; else
        the clock now)."""
        record_event(
            conn,
            site,
            at or self.s.clock.now(),
            kind,
            self.actor,
            visit_id=appt.visit_id,
            ticket_id=appt.ticket_id,
            service_code=appt.service,
            data={k: v for k, v in (data or {}).items() if v is not None},
            appointment_id=appt.id,
        )


def _preferred(channel: Preferred | str) -> Preferred:
    if isinstance(channel, Preferred):
        return channel
    try:
        return Preferred(channel.strip().lower())
    except ValueError:
        raise InvalidInput(f"{shown(channel)!r} is not a channel: email, text or slip") from None
