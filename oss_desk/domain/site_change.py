"""What loading a changed configuration over an office at work strands, and how it is said.

``oss-desk init --config FILE`` run again compares the configuration in force with the new one.
What the README promises for the same act done by hand is carried out in the same transaction
as the load (a person or desk that left: logged out, the desk closed, the tickets sent there go
back to the queue, as ``desks logout`` and ``desks close`` do; print jobs for a printer that
left: settled as not printed). A staff id that changed while the old one holds work is refused,
since ids are the key. What only the office can decide (bookings with someone who left, who no
longer takes appointments, or on days now closed) is listed with the command that moves them.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from oss_desk.domain.calendar import day_said
from oss_desk.domain.queue import Placed
from oss_desk.domain.sent_to import back_to_queue_words

MOVE_HINT = "`oss-desk appointment move REF --start ISO --by council [--adviser ID]`"
"""How a booking the office strands (someone left or is away, the office is closed) is moved to
another time or adviser: by the council, which owes the resident notice, so the move counts
towards the notice standard."""

PRINTER_REMOVED = "printer removed"
"""Why a print job for a printer that left the configuration was not printed (a job that may
have printed keeps its own reason, this one after it)."""


def settled_as_removed(reason: str | None) -> bool:
    """Whether a print job's ``reason`` says it was settled as its printer left the
    configuration (:data:`PRINTER_REMOVED`), not answered at a desk."""
    return reason is not None and (
        reason == PRINTER_REMOVED or reason.endswith(f"; {PRINTER_REMOVED}")
    )


TRAINING_SETTING = (
    'access.user_override = "anyone": anyone may act as anyone, a training setting (never '
    "for a real office)"
)
"""What ``init`` and ``doctor`` say of an office configured as a training one."""


@dataclass(frozen=True, slots=True)
class StaffEntry:
    id: str
    name: str
    login: str | None


def renamed_ids(before: Iterable[StaffEntry], after: Iterable[StaffEntry]) -> dict[str, str]:
    """Staff ids that changed: an id gone from the configuration whose person is still there
    under a new id (the same name or the same login). ``{old id: new id}``."""
    now = {person.id: person for person in after}
    gone = [person for person in before if person.id not in now]
    added = [person for person in now.values() if person.id not in {p.id for p in before}]
    found: dict[str, str] = {}
    for old in gone:
        for new in added:
            same_name = old.name.casefold() == new.name.casefold()
            if same_name or (old.login is not None and old.login == new.login):
                found[old.id] = new.id
                break
    return found


def _counted(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def held_said(bookings: int, absences: int, desk: str | None) -> str:
    """What an id holds: "1 booking and 1 absence", "a login at Desk 2" ("" for nothing)."""
    parts = []
    if bookings:
        parts.append(_counted(bookings, "booking"))
    if absences:
        parts.append(_counted(absences, "absence"))
    if desk is not None:
        parts.append(f"a login at {desk}")
    if len(parts) > 1:
        return f"{', '.join(parts[:-1])} and {parts[-1]}"
    return parts[0] if parts else ""


def id_change_refused(old: str, new: str, held: str) -> str:
    """The refusal of a configuration that changes a staff id while the old one holds work."""
    return (
        f"staff id {old} is gone but holds {held} (the configuration has {new} with the same "
        f"name or login): keep the id {old}, or move them first"
    )


def service_gone_refused(code: str, name: str, tickets: Sequence[str]) -> str:
    """The refusal of a configuration without a service that has tickets open today (nobody
    could call them, and the queue could not name their service)."""
    one = len(tickets) == 1
    them = "it" if one else "them"
    return (
        f"service {code} ({name}) is gone but {_counted(len(tickets), 'ticket')} of it "
        f"{'is' if one else 'are'} open today ({', '.join(tickets)}): finish {them} or move "
        f"{them} to another service "
        "(`oss-desk ticket transfer REF --service CODE`) first, or keep the service until the "
        "day is closed"
    )


def sent_back_said(codes: Sequence[str]) -> str:
    """The tickets the load sent back to the queue: sent to a desk or person that left, or to
    a desk that no longer serves their service (:func:`oss_desk.domain.sent_to.sent_nowhere`)."""
    them = "it" if len(codes) == 1 else "them"
    return (
        f"{back_to_queue_words(codes)} (sent to a desk or person no longer there, or to a desk "
        f"that no longer serves {them})"
    )


def left_behind(ticket: Placed, desks: Container[str]) -> bool:
    """Whether a waiting ticket of an earlier day is parked at, or was sent to, a desk that
    left the configuration (``desks``: those configured now). Nobody could resume or call it
    there, and close of day leaves a parked one alone (it stays with its adviser): the load
    sends it back to the queue at its place, where close of day closes it as any ticket of
    that day still waiting. One at a desk still configured stays with its adviser."""
    at = ticket.desk if ticket.parked else ticket.assigned_desk
    return at is not None and at not in desks


def left_behind_said(tickets: Sequence[str]) -> str:
    """The earlier days' tickets the load sent back (:func:`left_behind`), in one line: "C001
    of Mon 23 Nov goes back to the queue (parked at or sent to a desk no longer there)"."""
    return f"{back_to_queue_words(tickets)} (parked at or sent to a desk no longer there)"


def site_gone_said(site_id: str) -> str:
    """What is said of work at a site that left the configuration: "the site library is no
    longer in the configuration"."""
    return f"the site {site_id} is no longer in the configuration"


def _some(items: Sequence[str], most: int = 5) -> str:
    """ "C001, C002" or, past ``most``, "C001, ... C005 and 3 more"."""
    shown = ", ".join(items[:most])
    return f"{shown} and {len(items) - most} more" if len(items) > most else shown


def ticket_of_day(code: str, business_day: str, today: str) -> str:
    """A ticket as a refusal names it: "B001" today, "B001 of Fri 04 Dec" on an earlier day
    (the codes start again each day)."""
    if business_day == today:
        return code
    return f"{code} of {day_said(date.fromisoformat(business_day), date.fromisoformat(today))}"


def site_gone_refused(
    site_id: str,
    name: str,
    tickets: Sequence[str],
    bookings: Sequence[str],
    followups: Sequence[str] = (),
    *,
    earlier: bool = False,
) -> str:
    """The refusal of a configuration without a site that holds tickets still open, bookings
    from today on or follow-ups still open (nobody could call, cancel, mark or find them
    there, and the worker could not close them): "site library (Library) is gone but holds 1
    booking from today on (UT3-JPT): cancel ... first, or keep the site until then".
    ``earlier``: a ticket is of an earlier day (parked with its adviser: close of day leaves
    it), so "still open" rather than "open today"."""
    held, todo = [], []
    if tickets:
        when = "still open" if earlier else "open today"
        held.append(f"{_counted(len(tickets), 'ticket')} {when} ({_some(tickets)})")
        todo.append("finish the tickets")
    if bookings:
        held.append(f"{_counted(len(bookings), 'booking')} from today on ({_some(bookings)})")
        todo.append(f"cancel the bookings with {CANCEL_HINT} (and book them at another site)")
    if followups:
        held.append(f"{_counted(len(followups), 'follow-up')} still open ({_some(followups)})")
        todo.append("close the follow-ups")
    return (
        f"site {site_id} ({name}) is gone but holds {' and '.join(held)}: "
        f"{' and '.join(todo)} first, or keep the site until then (a site may have no desks)"
    )


CANCEL_HINT = "`oss-desk appointment cancel REF --by council`"
"""How a booking for a service no longer offered is called off (the resident is told)."""


def still_booked(what: str, count: int, *, gone_service: bool = False) -> str:
    """The heading of bookings the office must move, as ``absence add`` says it: "Still booked
    with adv, who left the staff list (1): move them with ..." (for a service no longer
    offered: cancel them, the resident is told)."""
    if gone_service:
        return f"Still booked {what} ({count}): cancel them with {CANCEL_HINT}"
    return f"Still booked {what} ({count}): move them with {MOVE_HINT}"


def logged_out_said(desk: str, person: str, why: str) -> str:
    """A person logged out by the load: "Desk 2: Adam Viser logged out, closed (...)"."""
    return f"{desk}: {person} logged out, closed ({why})"


def printers_removed_said(count: int, urls: Sequence[str]) -> str:
    """The print jobs settled because their printer left the configuration."""
    jobs = _counted(count, "print job")
    return (
        f"{jobs} for a printer no longer configured ({', '.join(urls)}): marked not printed "
        f"({PRINTER_REMOVED}), no longer offered for reprint there"
    )
