"""Whether the office's "to change or cancel" lines fit its texts whole (``oss-desk init``).

A text is kept within GOV.UK Notify's limit by cutting those lines short
(:func:`oss_desk.domain.outgoing.fitted`): in a bilingual office with long names, lines the
configuration allows (200 characters each) can be cut. ``init`` says so when the office is
loaded, naming the setting and how many characters fit, rather than leaving the resident a
line ending "...". The texts are the messages' own (:func:`oss_desk.services.messages.
change_line_room`), for a booking made up to ask: each site, each service that takes
appointments, in no room and in each of the site's private rooms, on the day whose name is the
longest, moved (the change notice, which also says the time it was: the longest text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from oss_desk.domain.appointments import Appointment, AppointmentStatus, Preferred
from oss_desk.domain.calendar import zone
from oss_desk.services.session import Session
from oss_desk.services.wording import wording_for

A_REFERENCE = "K7M-3QX"
"""A booking reference as made (every one has this length)."""


@dataclass(frozen=True, slots=True)
class Tightest:
    """The text with the least room for the change lines: how many characters each may have,
    and which booking's change notice it is."""

    room: int
    service: str
    site: str


def tightest(session: Session) -> Tightest | None:
    """The office's text with the least room for its change lines (None: every text carries
    them whole)."""
    from oss_desk.services.messages import change_line_room

    found: Tightest | None = None
    for site in session.directory.sites.values():
        wording = wording_for(session.settings, site.id)
        day = max(
            (date(2028, 1, 1) + timedelta(days=n) for n in range(366)),
            key=lambda d: sum(len(wording.date(language, d)) for language in wording.languages),
        )
        start = datetime(day.year, day.month, day.day, 10, tzinfo=zone(site.timezone))
        rooms = [None] + [
            d.id
            for d in session.directory.desks.values()
            if d.site_id == site.id and d.private_room
        ]
        for service in session.directory.services.values():
            if not service.appointment_minutes:
                continue
            for room in rooms:
                appt = _made_up(site.id, service.code, room, start.astimezone(UTC))
                room_left = change_line_room(session, appt, appt.starts_at - timedelta(hours=1))
                if room_left is not None and (found is None or room_left < found.room):
                    found = Tightest(room_left, f"{service.label} ({service.code})", site.name)
    return found


def _made_up(site_id: str, service: str, room: str | None, start: datetime) -> Appointment:
    return Appointment(
        id=0,
        ref=A_REFERENCE,
        site_id=site_id,
        service=service,
        adviser="",
        room=room,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        business_day=start.date().isoformat(),
        status=AppointmentStatus.BOOKED,
        channel=Preferred.TEXT,
        needs=(),
        version=2,
        booked_at=start - timedelta(days=7),
    )


def change_lines_cut(session: Session) -> list[str]:
    """``init``'s warning (one line, or none): the "to change or cancel" lines longer than the
    tightest text has room for, each by its setting and length, and how many characters fit."""
    tight = tightest(session)
    if tight is None:
        return []
    settings = session.settings.appointments
    lines = [("appointments.change_line", settings.change_line)]
    if settings.change_line_cy:
        lines.append(("appointments.change_line_cy", settings.change_line_cy))
    long = [f"{name} has {len(line)}" for name, line in lines if len(line) > tight.room]
    if not long:  # (each line fits the room there is)
        return []
    return [
        f"texts will cut the \"to change or cancel\" lines short (ending '...'): the change "
        f"notice for {tight.service} at {tight.site} has room for {tight.room} characters of "
        f"each, and {' and '.join(long)}: shorten them to fit"
    ]
