"""The adviser's counter: parking a resident, several services in one visit, taking a no-show
back, who is logged in to which desk, and what each desk is doing.

Pure rules; the queue engine (``services/queue``) asks them.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import NamedTuple

from oss_desk.domain.calendar import day_said
from oss_desk.domain.logins import DeskLogin
from oss_desk.domain.models import Desk, DeskKind, DeskStatus, Outcome, Role, Ticket, TicketStatus
from oss_desk.domain.queue import PRIORITY_APPOINTMENT, PRIORITY_URGENT, Queued, calls_tickets

# Parking --------------------------------------------------------------------------------------

PARK_REASONS: dict[str, str] = {
    "document": "fetching a document",
    "phone": "making a phone call",
    "form": "filling in a form",
    "colleague": "waiting for a colleague",
    "other": "another reason",
}
"""Why a resident is parked: neutral words only (they are recorded in the event log and shown
to colleagues, so never a personal or sensitive reason)."""


def park_reason(text: str) -> str:
    """A park reason's key from its key or its words; ValueError when it is neither."""
    value = " ".join(text.split()).lower()
    for key, words in PARK_REASONS.items():
        if value in (key, words):
            return key
    raise ValueError(text)


def parked_words(ticket: Ticket, desk: str | None = None) -> str:
    """Where a parked ticket stands, for staff: "parked at Desk 1 (making a phone call)"
    (``desk``: its desk's name; without it, its id). The reason's words are neutral but
    staff-only: never on the board or the resident's screens."""
    reason = PARK_REASONS.get(ticket.park_reason or "")
    return f"parked at {desk or ticket.desk}" + (f" ({reason})" if reason else "")


TICKET_PAST_WORDS = {
    TicketStatus.SERVING: "being served",
    TicketStatus.DONE: "finished",
    TicketStatus.NO_SHOW: "a no-show",
    TicketStatus.TRANSFERRED: "transferred",
    TicketStatus.CANCELLED: "cancelled",
}
"""A ticket that is no longer waiting for its call, in a few words ("the ticket is ...")."""


def status_words(status: TicketStatus, desk: str | None) -> str:
    """Where a ticket in ``status`` stands, for staff: "waiting", "called to Desk 2", "being
    served at Desk 2", then :data:`TICKET_PAST_WORDS`'s words ("finished", "a no-show"...);
    ``desk``: the desk it was called to, as staff know it."""
    if status is TicketStatus.WAITING:
        return "waiting"
    if status is TicketStatus.CALLED:
        return f"called to {desk}"
    said = TICKET_PAST_WORDS[status]
    return f"{said} at {desk}" if status is TicketStatus.SERVING else said


# Several services in one visit ------------------------------------------------------------------

SETTLED_FIRST = (
    Outcome.RESOLVED,
    Outcome.SIGNPOSTED,
    Outcome.APPOINTMENT,
    Outcome.CALLBACK,
    Outcome.REFERRED,
)
"""The outcomes from the most settled to the least: a visit's outcome is its least settled
service's."""


def outcomes_offered(takes_appointments: bool) -> list[tuple[str, Outcome]]:
    """The outcomes a service's visit may be finished with, each after its key: 1-5, the same
    key for the same outcome everywhere. "Needs an appointment" only for a service that takes
    appointments: a walk-in-only one has nothing to book, and the visit would only count as not
    resolved. Every outcome list (the adviser's, meet-and-greet's F8) asks this."""
    return [
        (str(key), outcome)
        for key, outcome in enumerate(Outcome, start=1)
        if takes_appointments or outcome is not Outcome.APPOINTMENT
    ]


def keys_said(keys: Sequence[str]) -> str:
    """Keys offered, as a hint says them: "1-5" for a run of three or more, else "1, 2, 3
    or 5"."""
    run = len(keys) >= 3 and all(
        a.isdigit() and b.isdigit() and int(b) == int(a) + 1 for a, b in pairwise(keys)
    )
    if run:
        return f"{keys[0]}-{keys[-1]}"
    return " or ".join([", ".join(keys[:-1]), keys[-1]]) if len(keys) > 1 else "".join(keys)


def not_a_key_here(character: str) -> str:
    """A key that does nothing on a screen (nothing happens, and it is said): "'j' is not a key
    here: F1 lists this screen's keys"."""
    return f"{character!r} is not a key here: F1 lists this screen's keys"


def not_an_answer(character: str, keys: Sequence[str]) -> str:
    """A key that answers nothing in a box of a few answers, each given by one of ``keys``
    (nothing happens, and it is said): "'k' is not one of S, D or P"; to a question answered
    y or n: "'q' is not an answer: y or n, or Esc"."""
    if [k.lower() for k in keys] == ["y", "n"]:
        return f"{character!r} is not an answer: y or n, or Esc"
    return f"{character!r} is not one of {keys_said([k.upper() for k in keys])}"


def outcome_keys_hint(takes_appointments: bool) -> str:
    """How an outcome is picked, as the outcome dialogs' hint says it: "1-5 or arrows and
    Enter", "1, 2, 3 or 5, or arrows and Enter" (only the keys offered)."""
    said = keys_said([k for k, _ in outcomes_offered(takes_appointments)])
    return f"{said}{',' if ' or ' in said else ''} or arrows and Enter"


def outcome_key_refused(key: str, takes_appointments: bool) -> str:
    """What a digit that is not one of the outcomes offered says (nothing happens): "4 (needs
    an appointment) is not offered: this service takes no appointments; 1, 2, 3 or 5"."""
    offered = keys_said([k for k, _ in outcomes_offered(takes_appointments)])
    every = dict(outcomes_offered(True))
    if key in every:
        return (
            f"{key} ({every[key].description}) is not offered: this service takes no "
            f"appointments; {offered}"
        )
    return f"{key} is not an outcome: {offered}"


def visit_outcome(outcomes: Iterable[Outcome]) -> Outcome:
    """The outcome of a visit that delivered several services, each with its own: the least
    settled of them. So the visit counts as resolved at the first point of contact only when
    every service was (resolved or signposted)."""
    given = list(outcomes)
    if not given:
        raise ValueError("a visit has at least one service")
    return max(given, key=SETTLED_FIRST.index)


# Taking a no-show back ----------------------------------------------------------------------------

UNDO_NO_SHOW_SECONDS = 120
"""How long after a no-show it can be taken back (the resident turned up after all)."""


def may_undo_no_show(marked_at: datetime | None, now: datetime) -> bool:
    return marked_at is not None and now - marked_at <= timedelta(seconds=UNDO_NO_SHOW_SECONDS)


# Who is logged in where (a login's record: domain/logins.py) ------------------------------------


class LoginAnswer(StrEnum):
    """What logging in to a desk does."""

    FREE = "free"
    """Nobody holds it: log in."""
    ALREADY = "already"
    """The person holds it already."""
    TAKE_OVER = "take over"
    """Someone else holds it, and this person may take it over (recorded)."""
    REFUSED = "refused"
    """Someone else holds it, and this person may not take it over."""


TAKES_OVER = frozenset({Role.TEAM_LEADER})
"""Roles that may take a desk over from the person logged in to it."""


def login_answer(held: DeskLogin | None, person: str, role: Role | None) -> LoginAnswer:
    if held is None:
        return LoginAnswer.FREE
    if held.person == person:
        return LoginAnswer.ALREADY
    return LoginAnswer.TAKE_OVER if role in TAKES_OVER else LoginAnswer.REFUSED


DESK_STATUS_WORDS = {
    DeskStatus.OPEN: "open",
    DeskStatus.BREAK: "on a break",
    DeskStatus.CLOSED: "closed",
}
"""A desk's status in staff's words."""


def held_ticket_said(ticket: Ticket, today: str) -> str:
    """How a refusal names a ticket still at a desk: by its code when it is today's ("B003");
    one of an earlier day (left open at a desk overnight) by its day and id too, "C001 of Mon 07
    Dec (id 1)", since each day's numbering starts again: today's C001 is another resident."""
    if ticket.business_day == today:
        return ticket.code
    day = day_said(date.fromisoformat(ticket.business_day), date.fromisoformat(today))
    return f"{ticket.code} of {day} (id {ticket.id})"


def _finish_earlier(ticket: Ticket) -> str:
    """What to do with an earlier day's ticket still at a desk: finish it by its id (its code
    names today's ticket now)."""
    return f"finish it with `ticket finish {ticket.id}`"


def still_at_desk(name: str, ticket: Ticket, today: str) -> str:
    """Why a desk may not close yet (the team leader's Z, ``desks close``): a resident is
    called to it or being served there (``today``: the desk's business day, ISO). Said before
    any question is asked."""
    held = held_ticket_said(ticket, today)
    if ticket.business_day == today:
        return f"{name} still has {held}: finish it before closing"
    return f"{name} still has {held}: {_finish_earlier(ticket)} before closing"


def nobody_logged_in_said(name: str, status: DeskStatus) -> str:
    """Why a desk nobody is logged in to may not open or go on a break (with
    ``queue.staffed_desks_only``): "nobody is logged in to Desk 3: it opens when someone logs in
    there"; for a break, "...: there is no one to put on a break"."""
    if status is DeskStatus.BREAK:
        return f"nobody is logged in to {name}: there is no one to put on a break"
    return f"nobody is logged in to {name}: it opens when someone logs in there"


def still_here_said(ticket: Ticket, desk: str, today: str) -> str:
    """Why a desk may not call (or log out) while a resident is called to it or at it, the
    same at the desk and from the command line: "B003 is still at Desk 3: finish, park or
    transfer it first"; an earlier day's ticket named by its day and id, with how to finish it
    ("C001 of Mon 07 Dec (id 1) is still at Desk 1: finish it with `ticket finish 1`")."""
    held = held_ticket_said(ticket, today)
    if ticket.business_day == today:
        return f"{held} is still at {desk}: finish, park or transfer it first"
    return f"{held} is still at {desk}: {_finish_earlier(ticket)}"


def desk_choice(name: str, who: str | None, status: DeskStatus, meets: str = "") -> str:
    """A desk in a list to send a resident to: who is there, and when it is not open, why
    nobody there would call them soon: "Desk 2  (Dev Patel, on a break)"; ``meets``: that it
    meets the resident's needs ("Desk 3  (Ben Walker, meets BSL)")."""
    said = [who or "nobody logged in"]
    if status is not DeskStatus.OPEN:
        said.append(DESK_STATUS_WORDS[status])
    if meets:
        said.append(meets)
    return f"{name}  ({', '.join(said)})"


def effective_status(
    stored: DeskStatus, staffed: bool, staffed_only: bool, kind: DeskKind = DeskKind.ADVISER
) -> DeskStatus:
    """A desk's status as the queue sees it, and as every list shows it: closed while nobody
    is logged in to it (when ``queue.staffed_desks_only``: a desk nobody is logged in to cannot
    serve; it opens when someone logs in there), else its stored status. A meet-and-greet desk
    (which calls nobody) shows its stored status."""
    if staffed_only and not staffed and calls_tickets(kind):
        return DeskStatus.CLOSED
    return stored


def desk_states(
    desks: Iterable[Desk],
    stored: Mapping[str, DeskStatus],
    staffed: Container[str],
    staffed_only: bool,
) -> dict[str, DeskStatus]:
    """Every desk's :func:`effective_status` by id (``staffed``: the desks someone is logged in
    to): what ``desks list``, the team leader's screen and check-in's routing all read."""
    return {
        d.id: effective_status(stored.get(d.id, d.status), d.id in staffed, staffed_only, d.kind)
        for d in desks
    }


def transferred_place(service: str, arrived: str, priority: int) -> str:
    """Where a resident transferred to ``service`` waits, as the transfer tells the adviser:
    the new ticket keeps the arrival (``arrived``, a local time) and the priority of the old
    one (:data:`~oss_desk.domain.queue.CALL_ORDER`), so a walk-in keeps its place by arrival,
    a checked-in appointment is still called before the walk-ins and an urgent resident
    before them all (trial 8: an appointment went first while this said "same place")."""
    if priority >= PRIORITY_URGENT:
        return f"{service}, ahead of the others: still urgent (arrived {arrived})"
    if priority >= PRIORITY_APPOINTMENT:
        keeps = "an appointment keeps its priority"
        return f"{service}, ahead of the walk-ins: {keeps} (arrived {arrived})"
    return f"{service}, same place in the queue (arrived {arrived})"


class HeldCode(NamedTuple):
    """The code a resident holds after transfers: the newest on paper the printer confirmed
    (``on_paper``), else the one they were given at the start, said to them or on a paper that
    never surely printed (``on_paper`` False: no "ticket" of theirs says it)."""

    code: str
    on_paper: bool


def held_said(held: HeldCode) -> str:
    """How a desk names the code the resident holds: "their ticket says H001" only when the
    printer confirmed that paper, else "they were told H001"."""
    return f"their ticket says {held.code}" if held.on_paper else f"they were told {held.code}"


HELD_TEXT_KEY = {True: "text.code_held", False: "text.code_given"}
"""The resident's text's words for the code they hold beside the one called, by whether it is
on paper the printer confirmed: "C003 (your ticket H001)", "C003 (you were given H001)"."""


def new_code_untold(new_code: str, held: HeldCode) -> str:
    """What a transfer to another service says when the new code was printed nowhere (no
    printer at the resident's desk or this one): the resident holds ``held`` (on paper, or
    only told it: :func:`held_said`), and the board and their texts will call ``new_code``."""
    return f"no printer here: tell the resident their new code {new_code} ({held_said(held)})"


class Activity(StrEnum):
    """What a desk is doing, for the team leader."""

    SERVING = "serving"
    CALLED = "called"
    IDLE = "idle"
    BREAK = "break"
    CLOSED = "closed"
    GREETING = "greeting"
    """Meet-and-greet, open with someone logged in: greeting residents (it calls nobody)."""
    OPEN = "open"
    """Meet-and-greet, open with nobody logged in to it: its desk app need not log in, so who
    greets is not known (an adviser desk nobody is logged in to is closed instead)."""


def activity(
    status: DeskStatus,
    ticket: Ticket | None,
    since: datetime | None,
    kind: DeskKind = DeskKind.ADVISER,
    staffed: bool = True,
) -> tuple[Activity, datetime | None]:
    """What the desk is doing and since when (``since``: when its status last changed or its
    last resident left). A meet-and-greet desk that is open is greeting when someone is
    logged in to it (``staffed``), else just open; it never has a resident called."""
    if not calls_tickets(kind) and status is DeskStatus.OPEN:
        return (Activity.GREETING if staffed else Activity.OPEN), since
    if ticket is not None and ticket.status is TicketStatus.SERVING:
        return Activity.SERVING, ticket.serving_at
    if ticket is not None:
        return Activity.CALLED, ticket.called_at
    if status is DeskStatus.BREAK:
        return Activity.BREAK, since
    if status is DeskStatus.CLOSED:
        return Activity.CLOSED, since
    return Activity.IDLE, since


def idle_text(what: str, since: datetime, now: datetime) -> str:
    """How long a desk has been free or on a break, in words a colleague reads at a glance:
    "free for 12 min" within the hour, "free since 09:14" later the same day, "free since Mon
    30 Nov" when it last changed on an earlier day (never "free for 16854 min")."""
    if since.date() != now.date():
        return f"{what} since {since:%a} {since.day} {since:%b}"
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{what} for {minutes} min"
    return f"{what} since {since:%H:%M}"


# Where a waiting ticket was sent ----------------------------------------------------------------


class SentTo(NamedTuple):
    """Where a waiting ticket was sent: a colleague (``person``) or a desk (``desk``)."""

    person: str | None
    desk: str | None


def sent_to(ticket: Queued) -> SentTo | None:
    """Where a waiting ticket was sent, so that only there is it called (the rule of
    :func:`oss_desk.domain.queue.refusal`): to a colleague (the desk they are logged in to calls
    it), else to a desk; None when any desk serving it may call it, or when it is parked (it
    waits to be resumed where it was parked)."""
    if ticket.parked:
        return None
    if ticket.assigned_person is not None:
        return SentTo(ticket.assigned_person, None)
    if ticket.assigned_desk is not None:
        return SentTo(None, ticket.assigned_desk)
    return None


def sent_for(name: str) -> str:
    """A waiting ticket sent to ``name`` (a desk or a colleague), in a queue list: "for Desk 3"."""
    return f"for {name}"


SENT_MARK = "→"


def sent_mark(name: str) -> str:
    """:func:`sent_for` where a queue list is narrow: "→D3" (Desk 3), "→IR" (Interview room),
    "→BW" (Ben Walker): each word's initial, a number whole."""
    return SENT_MARK + "".join(w if w.isdigit() else w[0].upper() for w in name.split())


# A highlighted ticket that left a list -----------------------------------------------------------

NOTHING_HIGHLIGHTED = "Highlight a waiting ticket in the queue first (the arrow keys)"
"""A key that acts on the highlighted ticket, pressed while no row is highlighted."""


def left_the_list(code: str, now: Ticket | None, where: str) -> str:
    """What became of the highlighted ticket ``code`` since it left a desk's list, said when a
    key would have acted on it (and did nothing: no other ticket is ever put in its place):
    "Q003 was called to Desk 4: nothing was done; the arrow keys highlight another ticket".
    ``now``: the ticket (or the one it was moved to) as the live queue has it, None when it has
    left the queue; ``where``: the name of its desk (the one it is at, or was sent to)."""
    if now is None:
        what = f"{code} has left the queue (F7 finds it)"
    elif now.code != code:
        what = f"{code} was moved to {now.code}"
    elif now.parked:
        what = f"{code} was parked at {where}"
    elif now.status is TicketStatus.CALLED:
        what = f"{code} was called to {where}"
    elif now.status is TicketStatus.SERVING:
        what = f"{code} is being served at {where}"
    elif now.assigned_desk or now.assigned_person:
        what = f"{code} was sent to {where}"
    else:
        what = f"{code} is no longer in this list"
    return f"{what}: nothing was done; the arrow keys highlight another ticket"


def choice_hint(choices: Sequence[tuple[str, str]]) -> str:
    """The hint under a list of (key, label) options: it names the keys that pick at once (a
    number, a letter) when every option shows its own at the start of its label, else the
    arrows alone (a desk's id picks it too, unseen: not a key to offer)."""
    keys = [key for key, _ in choices]
    shown = all(
        len(key) == 1 and key.isalnum() and label.upper().startswith(key.upper())
        for key, label in choices
    )
    if not keys or not shown:
        return "Arrows and Enter · Esc: back"
    if all(key.isdigit() for key in keys):
        picks = "A number"
    elif all(key.isalpha() for key in keys):
        picks = "A letter"
    else:
        picks = "A number or letter"
    return f"{picks}, or arrows and Enter · Esc: back"
