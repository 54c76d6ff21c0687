"""Loading a changed configuration over an office at work (``oss-desk init --config FILE``
again), in the load's own transaction: the rules are :mod:`oss_desk.domain.site_change`'s.

Before the load: a staff id that changed while the old one holds work, and a service removed
while its tickets are open today, are refused; people who left the staff list, and the people
at desks that left the configuration, are logged out and their desks closed (refused while a
resident is at one, as ``desks logout`` is). After it: the tickets sent where nobody will call
them go back to the queue at their place, the print jobs of printers that left are settled,
and the bookings the office must move (or cancel) are listed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from oss_desk.clock import format_instant
from oss_desk.domain.appointments import Appointment, AppointmentStatus
from oss_desk.domain.calendar import business_day, clock_said, local
from oss_desk.domain.followups import Kind
from oss_desk.domain.models import Desk, DeskStatus, EventKind, Site, Ticket, TicketStatus
from oss_desk.domain.site_change import (
    PRINTER_REMOVED,
    StaffEntry,
    held_said,
    id_change_refused,
    left_behind,
    left_behind_said,
    logged_out_said,
    printers_removed_said,
    renamed_ids,
    sent_back_said,
    service_gone_refused,
    site_gone_refused,
    still_booked,
    ticket_of_day,
)
from oss_desk.domain.workdays import closed_at
from oss_desk.errors import RuleViolation
from oss_desk.services.opening import site_workdays
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_due_in
from oss_desk.storage import appointments as a
from oss_desk.storage import queue as q
from oss_desk.storage.counter import desk_logins, log_out
from oss_desk.storage.followups import list_followups
from oss_desk.storage.site import (
    Directory,
    configured_printers,
    read_directory,
    settle_printer_jobs,
    staff_ever,
)

if TYPE_CHECKING:
    from oss_desk.config import Settings

FAR_FUTURE = "9999-12-31"
GONE = "for the service"
"""How bookings for a service that left the configuration are headed."""
SITE_GONE = "at the site"
"""How bookings at a site that left the configuration (loaded by an older oss-desk) are
headed."""


@dataclass(slots=True)
class ChangeReport:
    """What the load did beyond storing the configuration, and what the office must still do:
    lines for the officer, in the order they happened."""

    lines: list[str] = field(default_factory=list)
    sent_back: list[str] = field(default_factory=list)
    settled_jobs: int = 0


class ConfigChange(QueueService):
    """One load of ``session.settings`` (the new configuration) over ``session.directory``
    (the office as it was), by a host-level session, inside ``conn``'s write transaction."""

    def before_load(self, conn: sqlite3.Connection, report: ChangeReport) -> None:
        old = self.s.directory
        new_staff = {p.id for p in self.s.settings.staff}
        new_desks = {d.id for d in self.s.settings.desks}
        self._refuse_changed_ids(conn, old)
        self._refuse_services_gone(conn, old)
        self._refuse_sites_gone(conn, old)
        for desk_id, login in sorted(desk_logins(conn).items()):
            desk = old.desks.get(desk_id)
            if desk is None:  # a desk that had left before (loaded by an older oss-desk)
                if desk_id not in new_desks:
                    self._leave_gone(conn, desk_id, login.person, report)
                continue
            if desk_id not in new_desks:
                why = f"{desk.id} left the configuration"
            elif login.person not in new_staff:
                why = f"{login.person} is no longer on the staff list"
            else:
                continue
            self._check_no_resident(conn, desk, f"loading this configuration ({why})")
            name = old.staff[login.person].name if login.person in old.staff else login.person
            self._leave(conn, desk, login.person)
            report.lines.append(logged_out_said(desk.name, name, why))

    def after_load(self, conn: sqlite3.Connection, report: ChangeReport, old: Directory) -> None:
        self.s.directory = read_directory(conn)
        now = self.s.clock.now()
        back: list[Ticket] = []
        earlier: list[tuple[str, str]] = []
        for site in self.s.directory.sites.values():
            back += self.send_back(conn, site, now)
            earlier += self._send_back_left_behind(conn, site, now)
        if back:
            codes = [t.code for t in back]
            report.sent_back = codes
            report.lines.append(sent_back_said(codes))
        if earlier:  # the JSON's list keeps codes; the line names their days
            report.sent_back += [code for code, _ in earlier]
            report.lines.append(left_behind_said([named for _, named in earlier]))
        self._settle_printers(conn, report, old)
        self._bookings(conn, report)

    def _send_back_left_behind(
        self, conn: sqlite3.Connection, site: Site, now: datetime
    ) -> list[tuple[str, str]]:
        """The earlier days' tickets at ``site`` parked at, or sent to, a desk that left
        (:func:`~oss_desk.domain.site_change.left_behind`) go back to the queue at their place,
        each recorded; each code with its name, "C001 of Mon 23 Nov"."""
        today = self.s.today(site)
        days = sorted({day for at, day in q.open_days(conn) if at == site.id and day < today})
        named = []
        for day in days:
            found = q.active_tickets(conn, site_id=site.id, business_day=day)
            for t in sorted(found, key=lambda t: t.id):  # in the order they were issued
                if t.status is TicketStatus.WAITING and left_behind(t, self.s.directory.desks):
                    self.sent_back(conn, t, now)
                    named.append((t.code, ticket_of_day(t.code, t.business_day, today)))
        return named

    # Before ------------------------------------------------------------------------------------

    def _refuse_changed_ids(self, conn: sqlite3.Connection, old: Directory) -> None:
        before = [StaffEntry(p.id, p.name, p.login) for p in old.staff.values()]
        after = [StaffEntry(p.id, p.name, p.login) for p in self.s.settings.staff]
        changed_ids = renamed_ids(before, after)
        today = self._today(old)
        if not changed_ids or not today:
            return
        booked = self._booked_from(conn, today)
        absences = a.list_absences(conn, date.fromisoformat(today))
        logins = {login.person: d for d, login in desk_logins(conn).items()}
        for old_id, new_id in changed_ids.items():
            desk = logins.get(old_id)
            held = held_said(
                sum(x.adviser == old_id for x in booked),
                sum(x.staff_id == old_id for x in absences),
                old.desks[desk].name if desk in old.desks else desk,
            )
            if held:
                raise RuleViolation(id_change_refused(old_id, new_id, held))

    def _leave_gone(
        self, conn: sqlite3.Connection, desk_id: str, person: str, report: ChangeReport
    ) -> None:
        """A login left behind at a desk no longer configured: it ends (recorded)."""
        site = next(iter(self.s.directory.sites.values()), None)
        log_out(conn, desk_id)
        if site is not None:
            data = {"person": person, "by_config": True}  # the desk app says so
            self._event(
                conn, site, EventKind.DESK_LOGOUT, self.s.clock.now(), desk_id=desk_id, data=data
            )
        name = staff_ever(conn).get(person)
        why = f"{desk_id} had left the configuration"
        report.lines.append(logged_out_said(desk_id, name.name if name else person, why))

    def _refuse_services_gone(self, conn: sqlite3.Connection, old: Directory) -> None:
        gone = set(old.services) - {svc.code for svc in self.s.settings.services}
        if not gone:
            return
        for site in old.sites.values():
            today = self.s.today(site)
            open_now = q.active_tickets(conn, site_id=site.id, business_day=today)
            for code in sorted(gone):
                tickets = [t.code for t in open_now if t.service == code]
                if tickets:
                    name = old.services[code].name
                    raise RuleViolation(service_gone_refused(code, name, tickets))

    def _refuse_sites_gone(self, conn: sqlite3.Connection, old: Directory) -> None:
        """A site that leaves while it holds tickets still open (of any day), bookings from
        today on or follow-ups still open is refused: nobody could call, cancel, mark or find
        them there, and the worker would trip over them at every round. Its earlier days still
        open are closed first (close of day skips a site no longer configured); a ticket parked
        on an earlier day is not (it stays with its adviser): it is one of those refused."""
        gone = set(old.sites) - {site.id for site in self.s.settings.sites}
        if gone:  # its earlier days left open: closed now, as the worker would have
            close_due_in(self.s, conn, self.s.clock.now(), self.actor)
        for site_id in sorted(gone):
            site = old.sites[site_id]
            today = self.s.today(site)
            open_then = q.open_at_site(conn, site_id)  # of any day: waiting, called, serving
            tickets = [ticket_of_day(t.code, t.business_day, today) for t in open_then]
            booked = [x.ref for x in booked_from(conn, today) if x.site_id == site_id]
            cases = [f.ref for f in list_followups(conn, site_id=site_id, kinds=list(Kind))]
            if tickets or booked or cases:
                earlier = any(t.business_day != today for t in open_then)
                said = site_gone_refused(
                    site_id, site.name, tickets, booked, cases, earlier=earlier
                )
                raise RuleViolation(said)

    def _leave(self, conn: sqlite3.Connection, desk: Desk, person: str) -> None:
        """``person`` is logged out of ``desk`` and it closes, as ``desks logout`` does."""
        now = self.s.clock.now()
        log_out(conn, desk.id)
        data = {"person": person, "by_config": True}  # the desk app says so
        self._desk_event(conn, desk, EventKind.DESK_LOGOUT, now, data)
        self._status(conn, desk, DeskStatus.CLOSED, now)

    # After -------------------------------------------------------------------------------------

    def _settle_printers(
        self, conn: sqlite3.Connection, report: ChangeReport, old: Directory
    ) -> None:
        gone = sorted(configured_printers(old) - configured_printers(self.s.directory))
        if not gone:
            return
        stamp = format_instant(self.s.clock.now())
        settled = settle_printer_jobs(conn, gone, PRINTER_REMOVED, by=self.actor.person, now=stamp)
        report.settled_jobs = settled
        if settled:
            report.lines.append(printers_removed_said(settled, gone))

    def _today(self, directory: Directory) -> str:
        """The earliest of the office's sites' business days now."""
        return office_today(self.s.clock.now(), directory)

    def _booked_from(self, conn: sqlite3.Connection, first_day: str) -> list[Appointment]:
        return booked_from(conn, first_day)

    def _bookings(self, conn: sqlite3.Connection, report: ChangeReport) -> None:
        """The bookings from today on that the office must move, listed."""
        report.lines += bookings_to_move(
            conn, self.s.settings, self._today(self.s.directory)
        ).lines()


def office_today(now: datetime, directory: Directory) -> str:
    """The earliest of the office's sites' business days at ``now`` ("" with no site)."""
    return min((business_day(now, site.timezone) for site in directory.sites.values()), default="")


def booked_from(conn: sqlite3.Connection, first_day: str) -> list[Appointment]:
    """The appointments still booked from ``first_day`` on, at every site."""
    found = a.appointments_between(conn, None, first_day, FAR_FUTURE)
    return [x for x in found if x.status is AppointmentStatus.BOOKED]


@dataclass(frozen=True, slots=True)
class ToMove:
    """Bookings the office must move: by whom they are held and why that strands them, and
    those where the office is now closed (with why)."""

    held: dict[str, list[Appointment]]
    closed: list[tuple[Appointment, str]]
    names: dict[str, str]
    timezones: dict[str, str]

    @property
    def count(self) -> int:
        return sum(len(x) for x in self.held.values()) + len(self.closed)

    @property
    def refs(self) -> list[str]:
        """Their references, as :meth:`lines` lists them."""
        held = [x.ref for appts in self.held.values() for x in appts]
        return held + [x.ref for x, _ in self.closed]

    def lines(self) -> list[str]:
        lines: list[str] = []
        for why, appts in self.held.items():
            lines.append(
                still_booked(why, len(appts), gone_service=why.startswith((GONE, SITE_GONE)))
            )
            lines += [self._line(x) for x in appts]
        if self.closed:
            lines.append(still_booked("where the office is now closed", len(self.closed)))
            lines += [f"{self._line(x)}  ({why})" for x, why in self.closed]
        return lines

    def _line(self, appt: Appointment) -> str:
        wall = local(appt.starts_at, self.timezones.get(appt.site_id, "Europe/London"))
        who = self.names.get(appt.adviser, appt.adviser)
        return f"  {appt.ref}  {appt.service}  {wall:%a %d %b} {clock_said(wall)}  {who}"


def bookings_to_move(conn: sqlite3.Connection, settings: Settings, today: str) -> ToMove:
    """The bookings from ``today`` on with someone who left the staff list or no longer takes
    those appointments, or where the office is now closed (closures, opening hours)."""
    sites = {s.id: s for s in settings.sites}
    staff = {p.id: p for p in settings.staff}
    names = {p.id: p.name for p in staff_ever(conn).values()}
    held: dict[str, list[Appointment]] = {}
    closed: list[tuple[Appointment, str]] = []
    services = {svc.code for svc in settings.services}
    for appt in booked_from(conn, today) if today else []:
        if appt.site_id not in sites:
            why = f"{SITE_GONE} {appt.site_id}, no longer in the configuration"
            held.setdefault(why, []).append(appt)
            continue
        if appt.service not in services:
            held.setdefault(f"{GONE} {appt.service}, no longer offered", []).append(appt)
            continue
        person = staff.get(appt.adviser)
        taken = person.takes_appointments() if person is not None else []
        if person is None:
            who = names.get(appt.adviser, appt.adviser)
            held.setdefault(f"with {who} ({appt.adviser}), who left the staff list", []).append(
                appt
            )
        elif taken != "*" and appt.service not in taken:
            why = f"with {person.name}, who no longer takes these appointments"
            held.setdefault(why, []).append(appt)
        site = sites[appt.site_id]
        days = site_workdays(conn, site)
        start = local(appt.starts_at, site.timezone)
        end = local(appt.ends_at, site.timezone)
        shut = closed_at(days, site.opening_hours, start, end)
        if shut is not None:
            closed.append((appt, shut))
    timezones = {s.id: s.timezone for s in settings.sites}
    return ToMove(held=held, closed=closed, names=names, timezones=timezones)
