"""Whole minutes of a wait, as every screen, command and report shows them (one rule, one home).

- **Time waited so far** (:func:`waited_minutes`) is rounded down: after 9 min 50 s a resident
  has been "waiting 9 minutes", as they would say it themselves. The staff lists' Wait, the team
  leader's Longest, the called ticket's "waited", ``oss-desk queue`` and the JSON ``wait_min``
  all ask it, so two figures for the same ticket never disagree.
- **An estimate of the wait still to come** (:func:`estimate_minutes`) is rounded up: 10 s to go
  is "1 min", never "0 min".

Whether a wait is within the 15-minute standard is not a display and does not use these
minutes: it compares the durations themselves (:func:`oss_desk.domain.wait_target.within_target`,
exactly 15:00 counts as within).
"""

from __future__ import annotations

from datetime import date

from oss_desk.domain.calendar import day_said
from oss_desk.domain.models import TicketStatus


def waited_minutes(seconds: float) -> int:
    """The whole minutes of a wait so far, rounded down (never below 0)."""
    return max(0, int(seconds // 60))


def estimate_minutes(seconds: float | None) -> int | None:
    """The whole minutes of an estimated wait, rounded up (None stays None: no estimate)."""
    if seconds is None:
        return None
    return max(0, -(-int(seconds) // 60))


NO_OPEN_DESK = "no open desk serves this now"
"""What every screen and command says of a waiting ticket no open desk may call (it has no
estimate): the queue's lines, the ticket view, and the warning at issue and check-in."""


def on_a_break(desk: str, person: str | None) -> str:
    """Why a ticket sent to a desk on a break waits (said at check-in, so that the greeter can
    tell the resident why, and a team leader may send it to another desk): "sent to Desk 2
    (Dev Patel), on a break"."""
    who = f" ({person})" if person else ""
    return f"sent to {desk}{who}, on a break"


def unserved_said(on_break_at: str | None = None, person: str | None = None) -> str:
    """Why a waiting ticket will not be called now (it has no estimate), the one wording for
    the queue, the ticket view and the warnings at issue and check-in: sent to a desk that is
    on a break (``on_break_at``: its name; ``person``: who is logged in there), else
    :data:`NO_OPEN_DESK`."""
    return on_a_break(on_break_at, person) if on_break_at else NO_OPEN_DESK


def waiting_warning(why: str) -> str:
    """The warning when a new ticket will not be called now: "Warning: no open desk serves this
    now (it waits until one opens)", or another reason as it is ("Warning: sent to Desk 2 (Dev
    Patel), on a break")."""
    if why == NO_OPEN_DESK:
        return f"Warning: {why} (it waits until one opens)"
    return f"Warning: {why}"


AHEAD_KEYS = ("ticket.nobody_ahead", "ticket.one_ahead", "ticket.many_ahead")
"""The wording keys of the people ahead: nobody, one person, ``{n}`` people."""


def ahead_key(ahead: int) -> str:
    """The wording key a resident's paper ticket and phone page say ``ahead`` people with."""
    return AHEAD_KEYS[min(ahead, 2)]


def ahead_said(ahead: int) -> str:
    """A waiting resident's place as everyone tells it to them: the people ahead of them, as
    their paper ticket counts them (``ticket.*_ahead``, :func:`oss_desk.domain.queue.plan_calls`)
    and in its words, for staff: "nobody ahead", "1 person ahead", "3 people ahead". Never the
    ticket's row in the call order: with four desks free, the third waiting is called at once,
    with nobody ahead of them."""
    return (
        "nobody ahead"
        if ahead == 0
        else "1 person ahead"
        if ahead == 1
        else f"{ahead} people ahead"
    )


def place_in_line(ahead: int) -> int:
    """The place in line of a resident with ``ahead`` people ahead of them: 1st when nobody is
    (``turn_texts.position`` counts this way: 2nd is one person ahead)."""
    return ahead + 1


def nearly_close(ahead: int | None, position: int) -> bool:
    """Whether a waiting resident with ``ahead`` people ahead (None: not counted) is within
    ``turn_texts.position`` places of the front: the "nearly your turn" text is for one who
    moves into those places after giving their number. One already there when they give it
    is not sent it (they are still at meet-and-greet, which has just told them how close they
    are): it goes only if they fall back and move into them again."""
    return ahead is not None and place_in_line(ahead) <= position


STILL_TEXTED = (TicketStatus.WAITING, TicketStatus.CALLED)
"""A visit whose ticket is in one of these, with a mobile number given for turn texts, may
still be texted ("nearly your turn", "please go to", "the office has closed"): its texts are
queued as the queue moves, so they count as messages still to be sent (``resident forget``)."""


def not_texted_said(code: str) -> str:
    """What to do once a waiting resident's turn texts are stopped (``resident forget
    --cancel-messages``): nobody will text them when their turn comes."""
    return f"{code} will not be texted: tell them, or call the code aloud"


NEARLY_NOT_NEEDED = "not sent: already this close to the front when the number was given"
"""Why a "nearly your turn" text did not go (:func:`nearly_close` at the giving)."""


NEARLY_HELD_BACK_SAID = 'already near the front: no "nearly your turn" text unless they fall back'
"""What a desk and the command line add when a number is given to a ticket already close."""


def turn_texts_offered(held_back: bool, when_called: bool = True) -> tuple[str, str | None]:
    """The texts a resident's mobile gets while they wait, as meet-and-greet offers them (its
    Ctrl+N box's choice, and why beside it) and says them once recorded: "text when nearly
    their turn, and when called", or, for a ticket already near the front
    (:func:`nearly_close`), "text when called" with :data:`NEARLY_HELD_BACK_SAID`.
    ``when_called``: the office texts a resident when called (``turn_texts.when_called``);
    else there is "no text for now" when "nearly your turn" is held back."""
    if held_back:
        return ("text when called" if when_called else "no text for now"), NEARLY_HELD_BACK_SAID
    return "text when nearly their turn" + (", and when called" if when_called else ""), None


def texts_given_said(
    turn_texts: bool, follow_up: bool, *, held_back: bool, when_called: bool = True
) -> str:
    """What meet-and-greet (Ctrl+N), ``ticket issue --text-to`` and ``ticket text`` say once a
    resident's texts are recorded: "a " :func:`turn_texts_offered` (why in brackets); and "a
    text afterwards asking how we did" when they agreed to it."""
    choice, why = turn_texts_offered(held_back, when_called)
    turn = (f"a {choice}" if choice.startswith("text") else choice) + (f" ({why})" if why else "")
    after = "a text afterwards asking how we did"
    said = [*([turn] if turn_texts else []), *([after] if follow_up else [])]
    return "; ".join(said)


def place_said(ahead: int | None, seconds: float | None, why: str = NO_OPEN_DESK) -> str:
    """A waiting ticket's place and estimated wait, as one command line says them: "2 people
    ahead, estimated wait: about 6 min" (or ": now"), the people ahead as its paper counts them
    (:func:`ahead_said`); with no estimate (no open desk may call it, so nobody can say who is
    ahead: the paper prints neither), why not (:func:`unserved_said`)."""
    if seconds is None or ahead is None:
        return why
    return f"{ahead_said(ahead)}, estimated wait: {estimate_said(seconds)}"


def day_over_said(day: date, today: date) -> str:
    """Said in place of an estimate of a ticket still waiting once its day is over (nobody will
    call it: close of day closes it), as its visit's story says its wait to closing time: "from
    an earlier day (Mon 23 Nov): no estimate", or today's "past closing time: no estimate"."""
    when = "past closing time" if day == today else f"from an earlier day ({day_said(day, today)})"
    return f"{when}: no estimate"


NEXT = "now"
"""An estimated wait of nothing: the ticket is next to be called."""


def estimate_said(seconds: float | None) -> str:
    """An estimated wait in words, the same everywhere: "now", "about 5 min", or
    :data:`NO_OPEN_DESK` (None: no open desk may call it)."""
    if seconds is None:
        return NO_OPEN_DESK
    if not seconds:
        return NEXT
    return f"about {estimate_minutes(seconds)} min"
