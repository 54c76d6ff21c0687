"""What residents are sent: confirmations, reminders, change and cancellation notices.

Each says what, when, where, what to bring, the booking reference and how to change it. The
service appears only by its neutral public label (phones show messages on the lock screen), and
emails carry an .ics invitation in Europe/London time (the office's timezone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event

from oss_desk.domain.appointments import Appointment
from oss_desk.domain.calendar import local, zone
from oss_desk.services.session import Session

HEADINGS = {
    "confirmation": "Your appointment is booked",
    "reminder": "Reminder: your appointment",
    "change": "Your appointment has changed",
    "cancellation": "Your appointment is cancelled",
}


@dataclass(frozen=True, slots=True)
class Composed:
    heading: str
    subject: str
    body: str
    sms: str
    ics: bytes | None


def when_text(instant: datetime, timezone: str) -> tuple[str, str]:
    wall = local(instant, timezone)
    return f"{wall:%A} {wall.day} {wall:%B %Y}", f"{wall:%H:%M}"


def compose(session: Session, appt: Appointment, kind: str) -> Composed:
    site = session.directory.sites[appt.site_id]
    config = next(s for s in session.settings.sites if s.id == site.id)
    svc = session.directory.services[appt.service]
    day, time = when_text(appt.starts_at, site.timezone)
    room = session.directory.desks.get(appt.room or "")
    place = f"{room.name}, {site.name}" if room else site.name
    if config.address:
        place += f", {config.address}"
    heading = HEADINGS[kind]
    change = session.settings.appointments.change_line
    lines = [heading + ".", ""]
    if kind == "cancellation":
        lines += [
            f"Your {svc.label} appointment on {day} at {time} is cancelled.",
            "If you still need help, please contact us to book another time.",
        ]
    else:
        lines += [
            f"What:   {svc.label} appointment",
            f"When:   {day} at {time}",
            f"Where:  {place}",
        ]
        if svc.checklist:
            lines += ["", "Please bring:"] + [f"  - {item}" for item in svc.checklist]
    lines += ["", f"Booking reference: {appt.ref}", change, "", session.settings.council.name]
    body = "\n".join(lines)
    sms_parts = [heading + "."]
    if kind == "cancellation":
        sms_parts.append(f"{svc.label}, {day} at {time} is cancelled.")
    else:
        sms_parts.append(f"{svc.label}, {day} at {time}, {place}.")
        if svc.checklist:
            sms_parts.append("Bring: " + "; ".join(svc.checklist) + ".")
    sms_parts += [f"Ref {appt.ref}.", change]
    ics = _ics(session, appt, kind, svc.label, place, body) if kind != "reminder" else None
    subject = f"{heading}: {day} at {time}"
    return Composed(heading, subject, body, " ".join(sms_parts), ics)


def _ics(
    session: Session, appt: Appointment, kind: str, label: str, place: str, description: str
) -> bytes:
    """An iCalendar invitation with times in the office's zone (a VTIMEZONE included)."""
    site = session.directory.sites[appt.site_id]
    tz = zone(site.timezone)
    cal = Calendar()
    cal.add("prodid", "-//oss-desk//appointments//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if kind == "cancellation" else "PUBLISH")
    event = Event()
    event.add("uid", f"{appt.ref}@oss-desk")
    event.add("sequence", appt.version)
    event.add("dtstamp", session.clock.now())
    event.add("dtstart", appt.starts_at.astimezone(tz))
    event.add("dtend", appt.ends_at.astimezone(tz))
    event.add("summary", f"{session.settings.council.name}: {label} appointment")
    event.add("location", place)
    event.add("description", description)
    event.add("status", "CANCELLED" if kind == "cancellation" else "CONFIRMED")
    cal.add_component(event)
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data
