"""Changes to a booked appointment: move, cancel (with the council's notice standard), no-show."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.appointments import (
    Appointment,
    AppointmentStatus,
    move_notice_days,
    notice_breach,
    notice_given,
    owes_notice_by_hand,
)
from oss_desk.domain.calendar import WEEKDAYS, business_day, local, parse_hours
from oss_desk.domain.event_data import TOLD_HOW, for_event
from oss_desk.domain.models import (
    EventKind,
    Site,
)
from oss_desk.domain.site_change import CANCEL_HINT, site_gone_said
from oss_desk.domain.slip_paper import not_printed_data
from oss_desk.domain.text import clean_text
from oss_desk.errors import InvalidInput, RuleViolation
from oss_desk.services.appointments.base import ACTIVE_KINDS
from oss_desk.services.appointments.booking import AppointmentBooking
from oss_desk.services.message_fates import settle_on_change
from oss_desk.storage import appointments as a


def _party(by: str, doing: str) -> str:
    """Who asked for a change to an appointment: ``council`` or ``resident`` (its notice
    standard binds only the council)."""
    party = by.strip().lower()
    if party not in ("council", "resident"):
        raise InvalidInput(f"say who {doing}: council or resident")
    return party


class AppointmentChanges(AppointmentBooking):
    messages_failed: int = 0
    """Messages that marking no-shows failed (their deadline had passed: the worker was down
    or late), counted by this service (``worker --once`` says them with the round's)."""

    # Changes ---------------------------------------------------------------------------------

    def move(
        self,
        ref: str | int,
        start: datetime | str,
        *,
        adviser: str | None = None,
        by: str = "resident",
    ) -> Appointment:
        """Reschedule: new time (and maybe adviser); reminders follow; the resident is told. A
        move the council asked for (``by="council"``) owes the resident the same notice as a
        cancellation (``appointments.min_notice_working_days``): less is recorded as a
        breach. The appointment keeps the notice of its latest change (a resident's move owes
        none: cleared), as a cancellation does."""
        self._require(Action.MOVE_APPOINTMENT)
        party = _party(by, "asked to move it")
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            old = self._find_booked(conn, ref, "moved")
            site = self.s.directory.sites.get(old.site_id)
            if site is None:
                raise RuleViolation(
                    f"{site_gone_said(old.site_id)}: {old.ref} cannot be moved there; cancel "
                    f"it ({CANCEL_HINT}) and book it again at another site"
                )
            svc = self.bookable(old.service)
            when = self._start(start, site)
            if when == old.starts_at and adviser in (None, old.adviser):
                raise RuleViolation(f"{old.ref} is at that time already: nothing to move")
            a.release(conn, old.id)
            slot = self._free_slot(conn, svc, site, when, adviser)
            moved = a.update_appointment(
                conn,
                old.id,
                starts_at=format_instant(slot.start),
                ends_at=format_instant(slot.end),
                business_day=business_day(slot.start, site.timezone),
                adviser_id=slot.adviser,
                room_id=slot.room,
                version=old.version + 1,
            )
            self._hold(conn, moved)
            settled = settle_on_change(conn, self.s, old, moved, ACTIVE_KINDS, now)
            data: dict[str, object] = {
                "from": format_instant(old.starts_at),
                "to": format_instant(moved.starts_at),
                "by": party,
                **not_printed_data(settled.slips),
            }
            notice: int | None = None
            breach = False
            owed = self._owed(old, party, now)
            if owed["untold_since"] is not None:
                data["told"] = False  # the notice counts from the telling (told)
            elif party == "council":
                notice = move_notice_days(
                    self._notice(site, now, old), self._notice(site, now, moved)
                )
                needed = self.s.settings.appointments.min_notice_working_days
                breach = notice_breach(party, notice, needed)
                data |= {"notice_working_days": notice, "breach": breach}
            moved = a.update_appointment(
                conn, old.id, notice_days=notice, notice_breach=int(breach), **owed
            )
            self._event(conn, site, EventKind.APPOINTMENT_MOVED, moved, data)
            via = self._via(moved.channel)
            if via is not None:
                self._queue(conn, moved, "change", via, now)
                self._queue_reminders(conn, moved, via, site, now)
        return moved

    def cancel(self, ref: str | int, by: str, reason: str | None = None) -> Appointment:
        """Cancelled by the resident, or by the council (which owes 1 working day's notice: less
        needs a reason and is recorded as a breach). The resident is told either way."""
        self._require(Action.CANCEL_APPOINTMENT)
        party = _party(by, "cancelled")
        clean_reason = clean_text(reason or "", limit=200, what="the reason")
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            appt = self._find_booked(conn, ref, "cancelled")
            site = self.s.site_ever(appt.site_id)
            owed = self._owed(appt, party, now)
            notice = self._notice_if_known(site, now, appt)  # None: not known, never guessed
            needed = self.s.settings.appointments.min_notice_working_days
            breach = notice is not None and notice_breach(party, notice, needed)
            if breach and clean_reason is None:  # short even if they were told now
                raise RuleViolation(
                    f"the council is giving {notice_given(notice or 0)} notice (the standard "
                    f"is {needed}): give a reason",
                    cli_hint="--reason TEXT",
                )
            if owed["untold_since"] is not None:  # counted from the telling (told)
                notice, breach = None, False
            cancelled = a.update_appointment(
                conn,
                appt.id,
                status=AppointmentStatus.CANCELLED.value,
                cancelled_at=format_instant(now),
                cancelled_by=party,
                cancel_reason=clean_reason,
                notice_days=notice,
                notice_breach=int(breach),
                **owed,
            )
            a.release(conn, appt.id)
            settled = settle_on_change(conn, self.s, appt, cancelled, ACTIVE_KINDS, now)
            data: dict[str, object] = {
                "by": party,
                **not_printed_data(settled.slips),
                "notice_working_days": notice,
                "breach": breach,
            }
            if owed["untold_since"] is not None:
                data["told"] = False
            self._event(conn, site, EventKind.APPOINTMENT_CANCELLED, cancelled, data)
            via = self._via(appt.channel)
            if via is not None:
                self._queue(conn, cancelled, "cancellation", via, now)
        return cancelled

    def _owed(self, appt: Appointment, party: str, now: datetime) -> dict[str, str | None]:
        """The notice owed by hand after this change (:func:`owes_notice_by_hand`): since now,
        to the day the resident last knew (kept through several moves untold); none when the
        resident asked for the change themselves."""
        if not owes_notice_by_hand(party, appt.channel):
            return {"untold_since": None, "untold_day": None}
        return {
            "untold_since": appt.untold_since or format_instant(now),
            "untold_day": appt.untold_day or appt.business_day,
        }

    def told(self, ref: str | int, how: str) -> Appointment:
        """A person told the resident of the council's change (``how``: one of
        :data:`TOLD_HOW`, the only words of it the event keeps): recorded with who and when;
        the alert goes, and the notice standard counts the notice from now (to the sooner of
        the day they knew and the new day, for a move)."""
        self._require(Action.MOVE_APPOINTMENT)
        said = for_event(how, choices=TOLD_HOW, what="how the resident was told", hint="--how")
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            appt = self._find_in(conn, ref)
            if appt.untold_since is None:
                raise RuleViolation(f"{appt.ref} owes no notice by hand: nothing to record")
            site = self.s.site_ever(appt.site_id)
            cancelled = appt.status is AppointmentStatus.CANCELLED
            known = replace(appt, business_day=appt.untold_day or appt.business_day)
            notice = self._notice_if_known(site, now, known)
            if notice is not None and not cancelled:
                notice = move_notice_days(notice, self._notice(site, now, appt))
            needed = self.s.settings.appointments.min_notice_working_days
            breach = notice is not None and notice_breach("council", notice, needed)
            told = a.update_appointment(
                conn,
                appt.id,
                notice_days=notice,
                notice_breach=int(breach),
                untold_since=None,
                untold_day=None,
            )
            data: dict[str, object] = {
                "by": "council",
                "change": "cancelled" if cancelled else "moved",
                "how": said,
                "owed_since": appt.untold_since,
                "notice_working_days": notice,
                "breach": breach,
            }
            self._event(conn, site, EventKind.APPOINTMENT_TOLD, told, data)
        return told

    def _notice(self, site: Site, now: datetime, appt: Appointment) -> int:
        """Working days' notice on the site's own calendar (:meth:`site_settings`)."""
        found = self._notice_if_known(site, now, appt)
        if found is None:
            self.workdays(site)  # says that the site's calendar is not known
        return found or 0

    def _notice_if_known(self, site: Site, now: datetime, appt: Appointment) -> int | None:
        """None: the site left the configuration before the office kept its loads."""
        config = self.site_settings(site)
        if config is None:
            return None
        wall = local(now, site.timezone)
        hours = parse_hours(config.opening_hours.get(WEEKDAYS[wall.weekday()], "closed"))
        return self.workdays(site).notice(
            wall.replace(tzinfo=None),
            date.fromisoformat(appt.business_day),
            hours.closes if hours else None,
        )

    def no_show(self, ref: str | int, automatic: bool = False) -> Appointment:
        self._require(Action.APPOINTMENT_NO_SHOW)
        with self.s.store.write() as conn:
            appt = self._find_booked(conn, ref, "marked a no-show", Action.APPOINTMENT_NO_SHOW)
            now = self.s.clock.now()
            if appt.starts_at > now:
                raise RuleViolation(f"{appt.ref} has not started yet")
            result = a.update_appointment(conn, appt.id, status=AppointmentStatus.NO_SHOW.value)
            a.release(conn, appt.id)
            settled = settle_on_change(conn, self.s, appt, result, ACTIVE_KINDS, now)
            self.messages_failed += settled.failed
            self._event(
                conn,
                self.s.site_ever(appt.site_id),
                EventKind.APPOINTMENT_NO_SHOW,
                result,
                {"automatic": automatic},
            )
        return result

    def auto_no_show(self) -> list[Appointment]:
        """Appointments not checked in ``grace_minutes`` after their start become no-shows."""
        grace = timedelta(minutes=self.s.settings.appointments.grace_minutes)
        before = format_instant(self.s.clock.now() - grace)
        late = a.overdue_booked(self.s.store.conn, before)
        return [self.no_show(appt.id, automatic=True) for appt in late]
