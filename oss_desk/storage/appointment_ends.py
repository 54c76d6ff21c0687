"""The back-fill of schema/0057: appointments whose visit ended before the rule of how a
checked-in appointment ends (``domain.appointments.ticket_end_step``) was applied to them.

Before 0050, a checked-in appointment whose ticket ended as a no-show or "left" stayed
``checked_in`` ("checked in (here)" for ever: close of day steps only the tickets still in the
queue); before the 'seen, then transferred' fix, a resident seen and then transferred was set
``not_seen`` at close of day. Each such appointment whose visit has no ticket left in the queue
takes the state the rule gives now for how its visit's last ticket ended, asked of the same
calls as a ticket's end (:func:`oss_desk.storage.appointments.ticket_ended`, which asks the
domain whether the resident reached a desk in the visit), so it follows that rule.
"""

from __future__ import annotations

import sqlite3

from oss_desk.domain.appointments import AppointmentStatus, TicketEnd, ticket_end
from oss_desk.storage.appointments import attended, ticket_ended

UNSETTLED = (
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.NOT_SEEN,
    AppointmentStatus.LEFT_UNSEEN,
)
"""The states a checked-in appointment may have been left in, or wrongly given, by an older
oss-desk once its visit's tickets had ended."""


def settle_ended_visits(conn: sqlite3.Connection) -> int:
    """Every appointment checked in (or given 'not seen' or 'left unseen') whose visit has no
    ticket in the queue takes the state its visit's last ticket's end gives: finished at a
    desk, attended; not there when called or gone, "came, left before being seen"; closed at
    close of day, "came, not seen (office closed)"; either, when the resident reached a desk
    earlier in the visit, attended. One cancelled in error says nothing of the resident and is
    left as it is. Returns how many changed."""
    marks = ", ".join("?" for _ in UNSETTLED)
    found = conn.execute(
        f"""
        SELECT a.id, a.visit_id, a.status, t.status,
               (SELECT json_extract(e.data, '$.reason') FROM events e
                WHERE e.visit_id = a.visit_id AND e.kind = 'cancelled' AND e.ticket_id = t.id
                ORDER BY e.id DESC LIMIT 1)
        FROM appointments a
        JOIN tickets t ON t.id = (SELECT max(id) FROM tickets WHERE visit_id = a.visit_id)
        WHERE a.status IN ({marks})
          AND NOT EXISTS (SELECT 1 FROM tickets x WHERE x.visit_id = a.visit_id
                          AND x.status IN ('waiting', 'called', 'serving'))
        ORDER BY a.id
        """,  # noqa: S608 (placeholders only)
        [status.value for status in UNSETTLED],
    ).fetchall()
    changed = 0
    for appt_id, visit_id, was, last, reason in found:
        end = _end(str(last), reason)
        if end is None and last != "done":
            continue
        # As it stood when its visit's last ticket ended, then the rule's step from there.
        conn.execute(
            "UPDATE appointments SET status = ? WHERE id = ?",
            [AppointmentStatus.CHECKED_IN.value, appt_id],
        )
        if last == "done":
            attended(conn, visit_id)
        else:
            ticket_ended(conn, visit_id, end)
        now = conn.execute("SELECT status FROM appointments WHERE id = ?", [appt_id]).fetchone()
        changed += now[0] != was
    return changed


def _end(status: str, reason: object) -> TicketEnd | None:
    """How a ticket that left the queue ended, for its appointment (None: finished at a desk,
    transferred, or cancelled in error)."""
    if status == "no_show":
        return TicketEnd.NO_SHOW
    if status == "cancelled":
        return ticket_end(str(reason)) if reason is not None else None
    return None
