"""Whether the office's "to change or cancel" lines fit its texts whole (``oss-desk init``).

A text is kept within GOV.UK Notify's limit by cutting those lines short
(:func:`oss_desk.domain.outgoing.fitted`): in a bilingual office with long names, lines the
configuration allows (200 characters each) can be cut. ``init`` says so when the office is
loaded, naming the setting and how many characters fit, rather than leaving the resident a
line ending "...". The texts are the messages' own (:func:`oss_desk.services.messages.
change_line_room`), for a booking made up to ask: each site, each service that takes
appointments, in each private room it is booked into (or none), on the day whose name is the
longest, moved (the change notice, which also says the time it was: the longest text). A
service that needs no private room is tried in no room (its bookings never have one); one whose
text is over the limit with no change line at all is named by its checklist instead, which is
what the text cuts then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from oss_desk.domain.appointments import Appointment, AppointmentStatus, Preferred
from oss_desk.domain.calendar import zone
from oss_desk.domain.models import Service
from oss_desk.domain.outgoing import TEXT_LIMIT
from oss_desk.domain.slots import Room, booked_rooms
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


@dataclass(frozen=True, slots=True)
class BringCut:
    """A service whose change notice is over the limit even with no change line: its checklist
    is cut, whatever the lines."""

    code: str
    service: str
    site: str
    welsh: bool
    """The site's texts are in Welsh too (its Welsh checklist is in them)."""


@dataclass(frozen=True, slots=True)
class Fit:
    """What the office's texts leave for their change lines: the tightest text that has room
    for some (None: every such text carries them whole), and the services whose checklist a
    text cuts whatever the lines."""

    tightest: Tightest | None
    bring_cut: list[BringCut]


def fit(session: Session) -> Fit:
    """The office's texts, each service that takes appointments at each site, in each private
    room the service is booked into (a service that needs none, in no room: its bookings never
    have one), on the day whose name is the longest."""
    from oss_desk.services.messages import change_line_room

    found: Tightest | None = None
    cut: list[BringCut] = []
    for site in session.directory.sites.values():
        wording = wording_for(session.settings, site.id)
        day = max(
            (date(2028, 1, 1) + timedelta(days=n) for n in range(366)),
            key=lambda d: sum(len(wording.date(language, d)) for language in wording.languages),
        )
        start = datetime(day.year, day.month, day.day, 10, tzinfo=zone(site.timezone))
        for service in session.directory.services.values():
            if not service.appointment_minutes:
                continue
            name = f"{service.label} ({service.code})"
            for room in rooms_of(session, site.id, service):
                appt = _made_up(site.id, service.code, room, start.astimezone(UTC))
                left = change_line_room(session, appt, appt.starts_at - timedelta(hours=1))
                if left.bring_cut:
                    if not any(c.code == service.code and c.site == site.name for c in cut):
                        welsh = "cy" in wording.languages
                        cut.append(BringCut(service.code, name, site.name, welsh))
                elif left.room is not None and (found is None or left.room < found.room):
                    found = Tightest(left.room, name, site.name)
    return Fit(found, cut)


def rooms_of(session: Session, site_id: str, service: Service) -> list[str | None]:
    """The rooms a booking of ``service`` at the site may be in, as slots give them
    (:func:`~oss_desk.domain.slots.booked_rooms`); none: in no room."""
    rooms = [
        Room(d.id, d.name, d.services)
        for d in session.directory.desks.values()
        if d.site_id == site_id and d.private_room
    ]
    return [r.id for r in booked_rooms(service, rooms)] or [None]


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
    """``init``'s warnings (a line each, or none): a service whose texts cut its checklist
    whatever the change lines (by its checklist settings), then the "to change or cancel" lines
    longer than the tightest other text has room for, each by its setting and length, and how
    many characters fit."""
    found = fit(session)
    warnings = [_bring_cut(session, cut) for cut in found.bring_cut]
    tight = found.tightest
    if tight is None:
        return warnings
    settings = session.settings.appointments
    lines = [("appointments.change_line", settings.change_line)]
    if settings.change_line_cy:
        lines.append(("appointments.change_line_cy", settings.change_line_cy))
    long = [f"{name} has {len(line)}" for name, line in lines if len(line) > tight.room]
    if not long:  # (each line fits the room there is)
        return warnings
    return [
        *warnings,
        f"texts will cut the \"to change or cancel\" lines short (ending '...'): the change "
        f"notice for {tight.service} at {tight.site} has room for {tight.room} characters of "
        f"each, and {' and '.join(long)}: shorten them to fit",
    ]


def _bring_cut(session: Session, cut: BringCut) -> str:
    """The warning of a service whose change notice is over Notify's limit with no change line:
    no length of the lines helps, and its checklist is what the text cuts."""
    config = next((s for s in session.settings.services if s.code == cut.code), None)
    settings = ["checklist"]
    if cut.welsh and config is not None and config.checklist_cy:
        settings.append("checklist_cy")
    named = " and ".join(settings)
    return (
        f"texts will cut the checklist of {cut.service} at {cut.site} short (ending '...'): "
        f"its change notice is over GOV.UK Notify's {TEXT_LIMIT} characters with no \"to change "
        f'or cancel" line at all, so no length of those lines helps: shorten the [[services]] '
        f"{named} of {cut.code}"
    )
