"""Staff absences: recorded and removed for the whole council (no office), read by the calendar."""

from __future__ import annotations

from datetime import date

from oss_desk.clock import format_instant
from oss_desk.domain.absences import already_away
from oss_desk.domain.access import Action
from oss_desk.domain.calendar import parse_date
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.appointments.base import AppointmentBase
from oss_desk.storage import appointments as a


class AppointmentAbsences(AppointmentBase):
    # Absences and retention -----------------------------------------------------------------

    def add_absence(self, person: str, first: str | date, last: str | date, reason: str) -> int:
        self._require(Action.RECORD_ABSENCE)
        staff = {p.id for p in self.s.settings.staff}
        if person not in staff:
            raise NotFound(f"unknown person {shown(person)!r}")
        span = self.s.span(self.s.site_or_first())
        start = span.check(
            parse_date(first, "--from") if isinstance(first, str) else first, "--from"
        )
        end = span.check(parse_date(last, "--to") if isinstance(last, str) else last, "--to")
        if end < start:
            raise InvalidInput("the absence ends before it starts")
        today = parse_date(self.s.today(self.s.site_or_first()), "today")
        if end < today:
            raise InvalidInput("that absence is over already: nothing to record")
        if reason not in ("annual leave", "training", "sickness", "other"):
            raise InvalidInput("reason: annual leave, training, sickness or other")
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            # Checked inside the write transaction, so two desks cannot both add an overlap.
            for known in a.list_absences(conn, today):
                if (
                    known.staff_id == person
                    and known.first_day <= end.isoformat()
                    and (start.isoformat() <= known.last_day)
                ):
                    away = (date.fromisoformat(known.first_day), date.fromisoformat(known.last_day))
                    who = self.s.name_of(person)
                    raise RuleViolation(already_away(who, *away, known.id, today))
            absence_id = a.add_absence(
                conn, person, start, end, reason, format_instant(now), self.actor.person
            )
            recorded = {"person": person, "from": start.isoformat(), "to": end.isoformat()}
            self._absence_event(conn, now, {**recorded, "reason": reason})
        return absence_id

    def absences(self) -> list[a.Absence]:
        """Absences that have not ended yet (an adviser's absence is theirs at every site:
        recorded and listed without one, "today" being the office's)."""
        self._require(Action.VIEW_APPOINTMENTS)
        return a.list_absences(
            self.s.store.conn, parse_date(self.s.today(self.s.site_or_first()), "today")
        )

    def remove_absence(self, absence_id: int) -> None:
        self._require(Action.RECORD_ABSENCE)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            if not a.remove_absence(conn, absence_id):
                raise NotFound(f"no absence {absence_id}")
            self._absence_event(conn, now, {"removed": absence_id})
