"""What the desk calls things (services, desks, people, the office) and its local time.

Read from the session's directory and settings, which are plain values (the database thread
replaces the directory when a new configuration is loaded, so nothing here keeps a copy).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from oss_desk.domain.calendar import local
from oss_desk.domain.models import Actor, Desk, Service
from oss_desk.services.session import Session


class Names:
    def __init__(self, session: Callable[[], Session]) -> None:
        self._session = session

    # The catalogue and the desks ---------------------------------------------------------------

    @property
    def services(self) -> dict[str, Service]:
        return self._session().directory.services

    @property
    def desks(self) -> dict[str, Desk]:
        return self._session().directory.desks

    def catalogue(self) -> list[Service]:
        """The services in the configured order (the order of the meet-and-greet list)."""
        session = self._session()
        services = session.directory.services
        return [services[s.code] for s in session.settings.services if s.code in services]

    def labels(self) -> dict[str, str]:
        """Each service's neutral label (what tickets and the board show), by code."""
        return {code: service.label for code, service in self.services.items()}

    def texts(self) -> bool:
        """Whether this office can send texts (turn texts; follow-ups need more)."""
        from oss_desk.services.channels import texts_set_up

        return texts_set_up(self._session().settings)

    def follow_up_texts(self) -> bool:
        """Whether this office can send follow-up texts (and answer their links)."""
        from oss_desk.services.feedback_queue import follow_ups_possible

        return follow_ups_possible(self._session().settings)

    def staffed_only(self) -> bool:
        """Whether a desk opens only when someone logs in there (``queue.staffed_desks_only``):
        then nobody opens one from another desk."""
        return self._session().settings.queue.staffed_desks_only

    def languages(self) -> frozenset[str]:
        """The languages the staff list as skills (an interpreter need may name them)."""
        from oss_desk.domain.needs import spoken_languages

        return spoken_languages(self._session().settings.staff)

    def organisations(self) -> dict[str, str]:
        """Where residents can be signposted: id -> name, in the configured order."""
        return dict(self._session().settings.signposting.organisations)

    def service(self, code: str) -> str:
        service = self.services.get(code)
        return service.name if service else code

    def service_label(self, code: str) -> str:
        service = self.services.get(code)
        return service.label if service else code

    def checklist(self, code: str) -> list[str]:
        """What a resident is asked to bring for the service (empty when nothing)."""
        service = self.services.get(code)
        return list(service.checklist) if service else []

    def desk(self, desk_id: str | None) -> str:
        if desk_id is None:
            return "no desk"
        desk = self.desks.get(desk_id)
        return desk.name if desk else desk_id

    # People ------------------------------------------------------------------------------------

    def person(self, person: str) -> str:
        staff = self._session().directory.staff.get(person)
        return staff.name if staff else person

    def colleagues(self) -> list[tuple[str, str]]:
        """(staff id, name) of everyone who calls residents (a ticket can be sent to them)."""
        from oss_desk.domain.access import Action, allows

        staff = self._session().directory.staff.values()
        return sorted(
            ((p.id, p.name) for p in staff if allows(p.role, Action.CALL_NEXT)),
            key=lambda pair: pair[1],
        )

    def person_label(self, actor: Actor) -> str:
        """The header's person: "Ben Walker (adviser)"."""
        role = self._session().role_of(actor.person)
        return f"{self.person(actor.person)} ({role.value if role else 'no role'})"

    # The office and its time -------------------------------------------------------------------

    def site(self, site_id: str | None = None) -> str:
        """The office's name (``site_id``'s, else this desk's, else the first office's)."""
        session = self._session()
        sites = session.directory.sites
        if site_id is None:
            desk = session.directory.desks.get(session.actor.desk_id or "")
            site_id = desk.site_id if desk is not None else None
        if site_id is not None and site_id in sites:
            return sites[site_id].name
        return next(iter(sites.values())).name if sites else ""

    def timezone(self, site_id: str | None = None) -> str | None:
        sites = self._session().directory.sites
        site = sites.get(site_id) if site_id else next(iter(sites.values()), None)
        return site.timezone if site else None

    def local(self, instant: datetime, site_id: str | None = None) -> datetime:
        """``instant`` on the office's wall clock."""
        zone = self.timezone(site_id)
        return local(instant, zone) if zone else instant

    def local_time(self, instant: datetime) -> str:
        return self.local(instant).strftime("%H:%M")

    def now(self) -> datetime:
        return self._session().clock.now()

    def clock_text(self) -> str:
        return self.local(self.now()).strftime("%a %d %b %H:%M")

    def today(self) -> date:
        """The office's business day."""
        return date.fromisoformat(self._session().today())
