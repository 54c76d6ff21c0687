"""How the appointments screen words things: the details of the highlighted booking or free
time, slots and times. Plain functions of the appointment and the names (no screen state)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text

from oss_desk.domain.appointments import Appointment, AppointmentStatus, Contact, status_said
from oss_desk.domain.calendar import clock_said
from oss_desk.domain.slots import Slot
from oss_desk.domain.text import printable
from oss_desk.services.appointment_grid import Cell, row_start
from oss_desk.ui.names import Names
from oss_desk.ui.screens.flows import needs_text

HINTS = {
    AppointmentStatus.BOOKED: [
        ("check_in", "C check in"),
        ("move", "M move"),
        ("cancel_booking", "X cancel"),
        ("no_show", "N no-show"),
    ],
    AppointmentStatus.CHECKED_IN: [
        ("checklist", "K checklist"),
        ("rebook", "R rebook (no documents)"),
    ],
    AppointmentStatus.ATTENDED: [("rebook", "R rebook (no documents)")],
    AppointmentStatus.NOT_SEEN: [("rebook", "R rebook")],
    AppointmentStatus.LEFT_UNSEEN: [("rebook", "R rebook")],
}
"""The keys that apply to a booking in each state (shown under its details)."""
CHANNEL_WORDS = {"email": "email", "text": "text", "slip": "printed slip"}


# Times and slots in words ----------------------------------------------------------------------


def when_text(names: Names, appt: Appointment) -> str:
    """ "Mon 23 Nov at 10:15"."""
    start = names.local(appt.starts_at, appt.site_id)
    return f"{start:%a} {start.day} {start:%b} at {clock_said(start)}"


def describe_slot(names: Names, slot: Slot) -> str:
    start = names.local(slot.start)
    text = f"{start:%a} {start.day} {start:%b} {clock_said(start)}  {names.person(slot.adviser)}"
    if slot.room:
        text += f"  ({names.desk(slot.room)})"
    return text


def slot_at(names: Names, day: date, when: str | None, adviser: str) -> Slot | None:
    """The slot at ``when`` (a wall time on the grid) on ``day``, with ``adviser``."""
    timezone = names.timezone()
    if when is None or timezone is None:
        return None
    start = row_start(day, when, timezone)  # "01:00 GMT": the second 01:00 of that day
    return None if start is None else Slot(start, start, adviser, None)


# The details beside (or under) the grid --------------------------------------------------------


def appointment_parts(
    names: Names,
    appt: Appointment,
    contact: Contact | None,
    allowed: Callable[[str], bool],
) -> list[tuple[str, str]]:
    """A booking's details as (text, style) parts; ``allowed``: which keys to hint at."""
    start, end = names.local(appt.starts_at, appt.site_id), names.local(appt.ends_at, appt.site_id)
    parts = [
        (appt.ref, "bold"),
        (names.service(appt.service), "bold"),
        (f"{start:%a} {start.day} {start:%b} {clock_said(start)}-{clock_said(end)}", ""),
        (f"Adviser: {names.person(appt.adviser)}", ""),
    ]
    if appt.room:
        parts.append((f"Room:    {names.desk(appt.room)}", ""))
    parts.append((f"Status:  {status_said(appt.status)}", ""))
    if appt.notice_breach:  # the council's latest change gave less than the standard notice
        done = "Cancelled" if appt.status is AppointmentStatus.CANCELLED else "Moved"
        parts.append((f"{done} at short notice", "bold red"))
    if contact is not None and contact.name:
        parts.append((f"Name:    {printable(contact.name)}", ""))
    parts.append((f"Told by: {CHANNEL_WORDS[appt.channel.value]}", ""))
    if appt.needs:
        parts.append((f"Needs:   {needs_text(appt.needs)}", "bold"))
    checklist = names.checklist(appt.service)
    if checklist:
        brought = sum(1 for item in checklist if item in appt.checklist_ticked)
        lines = [f"\nBrought {brought} of {len(checklist)}:"]
        for item in checklist:
            mark = "[x]" if item in appt.checklist_ticked else "[ ]"
            lines.append(f" {mark} {item}")
        parts.append(("\n".join(lines), ""))
    hint = " · ".join(text for action, text in HINTS.get(appt.status, []) if allowed(action))
    if hint:
        parts.append(("\n" + hint, "dim"))
    return parts


def free_time_parts(cell: Cell, day: date, when: str, who: str) -> list[tuple[str, str]]:
    """A cell without a booking: free, past, away, closed or not working."""
    if cell.kind == "free":
        return [
            ("Free", "bold"),
            (f"{day:%a} {day.day} {day:%b} {when}", ""),
            (who, ""),
            ("\nB books it", "dim"),
        ]
    if cell.kind == "past":
        return [(f"{day:%a} {day.day} {day:%b} {when} has passed", "dim")]
    if cell.kind == "away":
        return [(f"{who} is away on {day:%a} {day.day} {day:%b}", "italic")]
    if cell.kind == "closed":
        return [(f"The office is closed: {cell.text}", "italic")]
    return [(f"{who} is not working at {when}", "dim")]


def detail_text(parts: list[tuple[str, str]], narrow: bool) -> Text:
    """A column of lines, or (``narrow``) one wrapped paragraph of first lines."""
    text = Text()
    for i, (part, style) in enumerate(parts):
        if narrow:
            # One wrapped paragraph: first lines only, spaces squeezed.
            short = " ".join(part.strip().split("\n")[0].split()).rstrip(":")
            if i:
                text.append(" · ", style="dim")
            text.append(short, style=style)
        else:
            text.append(part + "\n", style=style)
    return text
