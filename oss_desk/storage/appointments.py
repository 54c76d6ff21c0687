"""SQL for appointments, held time, absences and the message outbox."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from oss_desk.clock import read_instant
from oss_desk.domain.appointments import (
    ATTENDED_WHEN_SERVED,
    Appointment,
    AppointmentStatus,
    Contact,
    Preferred,
    TicketEnd,
    ticket_end_step,
)
from oss_desk.domain.models import EventKind
from oss_desk.domain.standards import CONTACT_EVENTS, LoggedEvent, reached_a_desk
from oss_desk.storage.message_rows import MessageRow
from oss_desk.storage.rows import first_column, of_row, returned_int, row_dict


class SlotTaken(Exception):
    """Another booking holds part of this time (the UNIQUE backstop fired)."""


def _appointment(cur: sqlite3.Cursor, row: tuple[Any, ...]) -> Appointment:
    c = row_dict(cur, row)
    return of_row(
        Appointment,
        c,
        service=c["service_code"],
        adviser=c["adviser_id"],
        room=c["room_id"],
        starts_at=read_instant(c["starts_at"]),
        ends_at=read_instant(c["ends_at"]),
        status=AppointmentStatus(c["status"]),
        channel=Preferred(c["channel"]),
        needs=tuple(json.loads(c["needs"])),
        booked_at=read_instant(c["booked_at"]),
        notice_breach=bool(c["notice_breach"]),
        checklist_ticked=tuple(json.loads(c["checklist_ticked"])),
    )


def _one(cur: sqlite3.Cursor) -> Appointment | None:
    row = cur.fetchone()
    return _appointment(cur, row) if row else None


def insert_appointment(
    conn: sqlite3.Connection,
    *,
    ref: str,
    site_id: str,
    service: str,
    adviser: str,
    room: str | None,
    starts_at: str,
    ends_at: str,
    business_day: str,
    channel: Preferred,
    needs: Iterable[str],
    booked_at: str,
    booked_by: str,
    rebooked_from: int | None = None,
    arranged_in_visit: int | None = None,
) -> Appointment:
    cur = conn.execute(
        "INSERT INTO appointments (ref, site_id, service_code, adviser_id, room_id, starts_at, "
        "ends_at, business_day, channel, needs, booked_at, booked_by, rebooked_from, "
        "arranged_in_visit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        [
            ref,
            site_id,
            service,
            adviser,
            room,
            starts_at,
            ends_at,
            business_day,
            channel.value,
            json.dumps(sorted(needs)),
            booked_at,
            booked_by,
            rebooked_from,
            arranged_in_visit,
        ],
    )
    result = _one(cur)
    assert result is not None
    return result


def ref_exists(conn: sqlite3.Connection, ref: str) -> bool:
    return conn.execute("SELECT 1 FROM appointments WHERE ref = ?", [ref]).fetchone() is not None


def save_contact(conn: sqlite3.Connection, appointment_id: int, contact: Contact) -> None:
    conn.execute(
        "INSERT INTO appointment_contacts (appointment_id, name, email, phone) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (appointment_id) DO UPDATE SET name = excluded.name, "
        "email = excluded.email, phone = excluded.phone",
        [appointment_id, contact.name, contact.email, contact.phone],
    )


def contact_of(conn: sqlite3.Connection, appointment_id: int) -> Contact | None:
    """The resident's contact, or None once purged."""
    row = conn.execute(
        "SELECT name, email, phone, purged_at FROM appointment_contacts WHERE appointment_id = ?",
        [appointment_id],
    ).fetchone()
    if row is None or row[3] is not None:
        return None
    return Contact(name=row[0], email=row[1], phone=row[2])


def reachable(conn: sqlite3.Connection, appointment_ids: Sequence[int]) -> set[int]:
    """The bookings among ``appointment_ids`` that hold a phone or an email for their resident
    (not purged): whether, not what (no personal data is read out)."""
    return set(
        first_column(
            conn,
            "SELECT appointment_id FROM appointment_contacts WHERE appointment_id IN "
            "(SELECT value FROM json_each(?)) AND purged_at IS NULL "
            "AND (coalesce(phone, '') <> '' OR coalesce(email, '') <> '')",
            [json.dumps(list(appointment_ids))],
        )
    )


def hold(conn: sqlite3.Connection, appointment_id: int, resources: list[str], units: range) -> None:
    try:
        conn.executemany(
            "INSERT INTO resource_units (resource, unit, appointment_id) VALUES (?, ?, ?)",
            [(resource, unit, appointment_id) for resource in resources for unit in units],
        )
    except sqlite3.IntegrityError as exc:
        if "resource_units" in str(exc) or "UNIQUE" in str(exc):
            raise SlotTaken from None
        raise


def release(conn: sqlite3.Connection, appointment_id: int) -> None:
    conn.execute("DELETE FROM resource_units WHERE appointment_id = ?", [appointment_id])


def busy(conn: sqlite3.Connection, first_unit: int, last_unit: int) -> set[tuple[str, int]]:
    return {
        (r[0], r[1])
        for r in conn.execute(
            "SELECT resource, unit FROM resource_units WHERE unit BETWEEN ? AND ?",
            [first_unit, last_unit],
        )
    }


def absences(conn: sqlite3.Connection, first: date, last: date) -> set[tuple[str, date]]:
    from datetime import timedelta

    result: set[tuple[str, date]] = set()
    for staff, a, b in conn.execute(
        "SELECT staff_id, first_day, last_day FROM staff_absences "
        "WHERE last_day >= ? AND first_day <= ?",
        [first.isoformat(), last.isoformat()],
    ):
        day = max(date.fromisoformat(a), first)
        end = min(date.fromisoformat(b), last)
        while day <= end:
            result.add((staff, day))
            day += timedelta(days=1)
    return result


@dataclass(frozen=True, slots=True)
class Absence:
    """A staff member away (no appointments with them), from ``first_day`` to ``last_day``,
    both included (ISO days)."""

    id: int
    staff_id: str
    first_day: str
    last_day: str
    reason: str


def add_absence(
    conn: sqlite3.Connection, staff: str, first: date, last: date, reason: str, now: str, by: str
) -> int:
    return returned_int(
        conn,
        "INSERT INTO staff_absences (staff_id, first_day, last_day, reason, created_at, "
        "created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [staff, first.isoformat(), last.isoformat(), reason, now, by],
    )


def list_absences(conn: sqlite3.Connection, from_day: date) -> list[Absence]:
    return [
        Absence(*r)
        for r in conn.execute(
            "SELECT id, staff_id, first_day, last_day, reason FROM staff_absences "
            "WHERE last_day >= ? ORDER BY first_day, staff_id",
            [from_day.isoformat()],
        )
    ]


def remove_absence(conn: sqlite3.Connection, absence_id: int) -> bool:
    return conn.execute("DELETE FROM staff_absences WHERE id = ?", [absence_id]).rowcount == 1


def get_appointment(
    conn: sqlite3.Connection, *, id: int | None = None, ref: str | None = None
) -> Appointment | None:
    if id is not None:
        return _one(conn.execute("SELECT * FROM appointments WHERE id = ?", [id]))
    return _one(conn.execute("SELECT * FROM appointments WHERE ref = ?", [ref]))


def rebooking_of(conn: sqlite3.Connection, appointment_id: int) -> Appointment | None:
    """The live appointment booked again from this one, if any."""
    return _one(
        conn.execute(
            "SELECT * FROM appointments WHERE rebooked_from = ? AND status != 'cancelled'",
            [appointment_id],
        )
    )


def appointment_for_ticket(conn: sqlite3.Connection, ticket_id: int) -> Appointment | None:
    return _one(conn.execute("SELECT * FROM appointments WHERE ticket_id = ?", [ticket_id]))


def appointments_between(
    conn: sqlite3.Connection, site_id: str | None, first_day: str, last_day: str
) -> list[Appointment]:
    cur = conn.execute(
        "SELECT * FROM appointments WHERE business_day BETWEEN :a AND :b "
        "AND (:site IS NULL OR site_id = :site) ORDER BY starts_at, id",
        {"a": first_day, "b": last_day, "site": site_id},
    )
    return [_appointment(cur, row) for row in cur.fetchall()]


def update_appointment(conn: sqlite3.Connection, appointment_id: int, **fields: Any) -> Appointment:
    allowed = {
        "status",
        "adviser_id",
        "room_id",
        "starts_at",
        "ends_at",
        "business_day",
        "version",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
        "notice_days",
        "notice_breach",
        "visit_id",
        "ticket_id",
        "checklist_ticked",
        "untold_since",
        "untold_day",
    }
    assignments = []
    values: list[Any] = []
    for column, value in fields.items():
        if column not in allowed:
            raise ValueError(f"not an updatable appointment column: {column}")
        assignments.append(f"{column} = ?")
        values.append(value)
    # Column names come from the allow-list above; values are parameters.
    sql = f"UPDATE appointments SET {', '.join(assignments)} WHERE id = ? RETURNING *"  # noqa: S608
    result = _one(conn.execute(sql, [*values, appointment_id]))
    assert result is not None
    return result


def attended(conn: sqlite3.Connection, visit_id: int) -> None:
    """A checked-in appointment whose visit has a ticket finished at a desk has been attended:
    the ticket it checked in with, or the one that ticket was transferred to (the rule:
    ``domain.appointments.ATTENDED_WHEN_SERVED``)."""
    _step(conn, ATTENDED_WHEN_SERVED, "visit_id = ?", visit_id)


_CONTACT_EVENTS = (
    "SELECT kind, ticket_id, at FROM events WHERE visit_id = ?"  # noqa: S608 - marks only
    f" AND kind IN ({', '.join('?' * len(CONTACT_EVENTS))}) ORDER BY id"
)
"""A visit's events the contact rule reads, in log order."""


def ticket_ended(
    conn: sqlite3.Connection, visit_id: int, end: TicketEnd | None, ending: int | None = None
) -> None:
    """A checked-in appointment whose visit's last ticket ended unseen (no-show, left, office
    closed): "came, left before being seen" or "came, not seen", or attended when the resident
    reached a desk in the visit (``domain.standards.reached_a_desk``, from its events: a
    ticket's ``serving_at`` is cleared when it is sent on to another desk); or whose no-show
    was taken back (the rule: ``domain.appointments.ticket_end_step``). Call it once the visit
    has no ticket left in the queue; ``ending``: the ticket ending now, when its end is not
    logged yet."""
    if end is None:
        return
    events = conn.execute(_CONTACT_EVENTS, [visit_id, *CONTACT_EVENTS]).fetchall()
    reached = reached_a_desk(
        (LoggedEvent(kind, ticket, _ms(at)) for kind, ticket, at in events), ending
    )
    _step(conn, ticket_end_step(end, reached), "visit_id = ?", visit_id)


def _ms(at: str) -> int:
    return round(read_instant(at).timestamp() * 1000)


def _step(
    conn: sqlite3.Connection,
    rule: tuple[AppointmentStatus, AppointmentStatus],
    where: Literal["visit_id = ?"],
    key: int,
) -> None:
    """The appointment ``where`` finds moves from the rule's first status to its second."""
    was, becomes = rule
    conn.execute(
        f"UPDATE appointments SET status = ? WHERE {where} AND status = ?",  # noqa: S608
        [becomes.value, key, was.value],
    )


def overdue_booked(conn: sqlite3.Connection, before: str) -> list[Appointment]:
    cur = conn.execute(
        "SELECT * FROM appointments WHERE status = 'booked' AND starts_at < ? ORDER BY starts_at",
        [before],
    )
    return [_appointment(cur, row) for row in cur.fetchall()]


# Messages ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(MessageRow):
    """A message to a resident about their appointment."""

    appointment_id: int
    kind: str
    """confirmation, reminder, change or cancellation"""
    for_version: int
    """The appointment's version it speaks of."""
    due_at: str
    unconfirmed: int = 0
    """Sends that may have been accepted but got no reply."""

    @classmethod
    def of(cls, c: dict[str, Any]) -> Message:
        return of_row(cls, c)


def _message(cur: sqlite3.Cursor, row: tuple[Any, ...]) -> Message:
    return Message.of(row_dict(cur, row))


def queue_message(
    conn: sqlite3.Connection,
    *,
    appointment_id: int,
    kind: str,
    channel: str,
    via: str,
    version: int,
    due_at: str,
    reference: str,
    now: str,
) -> int:
    return returned_int(
        conn,
        "INSERT INTO messages (appointment_id, kind, channel, via, for_version, due_at, "
        "reference, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [appointment_id, kind, channel, via, version, due_at, reference, due_at, now],
    )


def unsent_messages(
    conn: sqlite3.Connection, appointment_id: int, kinds: Iterable[str]
) -> list[Message]:
    """The appointment's messages of these kinds still waiting to be sent (not being sent now)."""
    wanted = list(kinds)
    marks = ", ".join("?" * len(wanted))
    # Only placeholders are formatted in; the kinds are parameters.
    sql = f"SELECT * FROM messages WHERE appointment_id = ? AND status = 'pending' AND kind IN ({marks}) ORDER BY id"  # noqa: S608, E501
    cur = conn.execute(sql, [appointment_id, *wanted])
    return [_message(cur, row) for row in cur.fetchall()]


def settle_unsent(conn: sqlite3.Connection, message_id: int, status: str, why: str) -> bool:
    """A message still waiting is settled without being sent now: ``failed``, ``cancelled`` or
    (an earlier try may have reached the resident) ``uncertain``."""
    sql = "UPDATE messages SET status = ?, last_error = ? WHERE id = ? AND status = 'pending'"
    return conn.execute(sql, [status, why, message_id]).rowcount == 1


def messages_for(conn: sqlite3.Connection, appointment_id: int) -> list[Message]:
    cur = conn.execute(
        "SELECT * FROM messages WHERE appointment_id = ? ORDER BY id", [appointment_id]
    )
    return [_message(cur, row) for row in cur.fetchall()]


def of_visit(conn: sqlite3.Connection, visit_id: int) -> tuple[int, AppointmentStatus] | None:
    """The appointment the visit was checked in for, as (id, status); None: a walk-in."""
    row = conn.execute(
        "SELECT id, status FROM appointments WHERE visit_id = ? ORDER BY id DESC LIMIT 1",
        [visit_id],
    ).fetchone()
    return (int(row[0]), AppointmentStatus(row[1])) if row else None


def told_at(
    conn: sqlite3.Connection, appointment_id: int, version: int, channel: str, kinds: Sequence[str]
) -> datetime | None:
    """When a message of ``kinds`` (the whole booking) about this version was last sent to the
    resident by ``channel`` (None: none was)."""
    marks = ", ".join("?" * len(kinds))
    (sent,) = conn.execute(
        "SELECT max(sent_at) FROM messages WHERE appointment_id = ? AND for_version = ? "  # noqa: S608
        f"AND channel = ? AND status = 'sent' AND kind IN ({marks})",
        [appointment_id, version, channel, *kinds],
    ).fetchone()
    return read_instant(sent) if sent else None


def telling_next(
    conn: sqlite3.Connection, appointment_id: int, version: int, channel: str, kinds: Sequence[str]
) -> datetime | None:
    """When a message of ``kinds`` (the whole booking) about this version is next tried by
    ``channel``, while one is still to go (None: none is)."""
    marks = ", ".join("?" * len(kinds))
    (due,) = conn.execute(
        "SELECT max(next_attempt_at) FROM messages WHERE appointment_id = ? "  # noqa: S608
        f"AND for_version = ? AND channel = ? AND status IN ('pending', 'sending') "
        f"AND kind IN ({marks})",
        [appointment_id, version, channel, *kinds],
    ).fetchone()
    return read_instant(due) if due else None


def told_time(conn: sqlite3.Connection, appointment_id: int) -> datetime | None:
    """The time the appointment had when the resident last heard of it (the version of the
    newest message sent about it; the booked time when none was sent), if it has moved since;
    None when it has not. Only a move makes a new version, so the move from version ``v`` is
    the ``v``-th move in the log."""
    (told,) = conn.execute(
        "SELECT coalesce(max(for_version), 1) FROM messages "
        "WHERE appointment_id = ? AND status = 'sent'",
        [appointment_id],
    ).fetchone()
    row = conn.execute(
        "SELECT json_extract(data, '$.from') FROM events "
        "WHERE appointment_id = ? AND kind = ? ORDER BY id LIMIT 1 OFFSET ?",
        [appointment_id, EventKind.APPOINTMENT_MOVED.value, int(told) - 1],
    ).fetchone()
    return read_instant(row[0]) if row and row[0] else None


def untold(conn: sqlite3.Connection) -> list[Appointment]:
    """Appointments the council changed whose residents (no email or phone) have not been
    told yet, the longest owed first."""
    return [
        _appointment(cur, row)
        for cur in [
            conn.execute(
                "SELECT * FROM appointments WHERE untold_since IS NOT NULL ORDER BY untold_since"
            )
        ]
        for row in cur.fetchall()
    ]
