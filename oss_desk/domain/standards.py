"""The council's service standards: what each report rates, against which target, by which rule.

The rules behind the figures are written here once and asked by everything else:

- **The wait rule**: a visitor is seen within the target (``queue.target_minutes``, 15 by
  default) when the first contact (the first call to a desk the resident came to, or the
  resolution at meet-and-greet) comes no later than the target after the clock started: exactly
  15:00 counts as within. A call the resident did not hear and that was put back in the queue
  is no contact (:func:`contact_times`). The live queue's "over the target" is the same rule
  from the other side (the rule and its clock: :mod:`oss_desk.domain.wait_target`).
- **The clock** (:func:`~oss_desk.domain.wait_target.clock_start`): it starts at arrival (when
  meet-and-greet records the visitor); for an appointment, at the later of check-in and the
  booked time.
- **Who the 15-minute figure counts** (:func:`classify_visit`): every visitor who was seen, or
  left unseen after their clock started. A walk-out (left, or not there when called) who waited
  longer than the target is a miss; one who left sooner is reported on its own line; a visitor
  still waiting when the office closed is a miss; a ticket issued in error is no visitor.
- **Appointment punctuality** (:func:`punctual`): seen no later than ``reports.punctual_minutes``
  after the booked time, of the appointment holders who checked in by it.
- **First contact**: which outcomes count as resolved at the first point of contact is
  :attr:`oss_desk.domain.models.Outcome.first_contact` (:data:`FIRST_CONTACT_OUTCOMES`).
- **Wait colours** (:func:`~oss_desk.domain.wait_target.wait_band`): amber from
  ``queue.amber_minutes``, red past the target, the same on every screen.
- **Satisfied** (:func:`is_satisfied`): a rating of 4 or 5 out of 5.
- **Telephone** (:func:`answered_within`): an answered call whose queue time was no longer than
  the limit (exactly 20 seconds counts as within 20).

The event log's facts are gathered by :mod:`oss_desk.storage.reports`. The per-visit rules (what
became of a visit and its wait, when the clock starts, whose wait counts for punctuality) are
data here (:data:`VISIT_ENDS`, :data:`CLOCK_STARTS`, :data:`CHECKED_IN_BY_BOOKED`), read visit by
visit in Python (:func:`classify_visit`, :mod:`oss_desk.domain.tally`) and spelt as SQL by
:mod:`oss_desk.storage.reports_visits`, which adds up a year's visits in SQLite (as
:data:`oss_desk.domain.queue.CALL_ORDER` is for the queue); ``tests/test_visit_rules_sql.py``
holds the two equal for arbitrary visits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from oss_desk.domain.models import Outcome
from oss_desk.domain.stats import rag_status
from oss_desk.domain.wait_target import clock_start, within_target
from oss_desk.domain.worded import Worded

FIRST_CONTACT_OUTCOMES = tuple(o.value for o in Outcome if o.first_contact)
"""The outcomes that count as resolved at the first point of contact, in the outcomes' order."""


def is_first_contact(outcome: str | None) -> bool:
    """Whether a visit finished with ``outcome`` was resolved at the first point of contact."""
    return outcome in FIRST_CONTACT_OUTCOMES


def count_within(waits_ms: Iterable[int], target_ms: int) -> int:
    """How many of ``waits_ms`` are within the target (:func:`within_target`: the target itself
    counts), counted in one pass at C speed (a year's report counts hundreds of thousands;
    ``tests/test_visit_rules_sql.py`` holds it equal to the rule one wait at a time)."""
    return sum(map(target_ms.__ge__, waits_ms))


class VisitEnd(StrEnum):
    """What became of a visitor, for the 15-minute figure."""

    SEEN = "seen"
    """Called to a desk and came (or dealt with at meet-and-greet)."""
    WALKED_OUT = "walked_out"
    """Left unseen: cancelled as "left", or not there when called (a no-show)."""
    CLOSED = "closed"
    """Still waiting (or called and not come) when the office closed."""
    ERROR = "error"
    """A ticket issued in error: no visitor."""
    OPEN = "open"
    """Still waiting, or at a desk: not counted yet."""


CLOSED_REASONS = ("office_closed", "end_of_day")
"""Cancellation reasons of tickets closed with the office (``end_of_day``: the older name)."""


@dataclass(slots=True)
class VisitFacts:
    """What the event log says of one visit (instants in epoch milliseconds). Not frozen: a
    report over years makes one for each of hundreds of thousands of visits, and a frozen
    dataclass takes twice as long to make."""

    arrived_ms: int
    booked_ms: int | None = None
    """The booked start of the appointment the visit checked in for."""
    seen_ms: int | None = None
    """Its first contact: the earliest call the resident came to (not a call of a ticket then
    cancelled, or a no-show not taken back, before a desk started, parked, sent on or finished
    it; a no-show taken back within the two minutes was: they came after all; a call put back
    because the resident did not hear it was no contact), or its resolution at meet-and-greet
    (:func:`contact_times`)."""
    first_call_ms: int | None = None
    """Its first call, attended or not, but not a call put back because the resident did not
    hear it (they were still waiting after it)."""
    ended: str | None = None
    """How it ended last: ``finished``, ``no_show`` or ``cancelled`` (None: not yet)."""
    ended_reason: str | None = None
    """For ``cancelled``: ``left``, ``error``, ``office_closed``..."""
    ended_ms: int | None = None


CALLED = "called"
PUT_BACK = "recycled"
"""A called ticket back in the queue: the resident did not hear the call
(``EventKind.RECYCLED``)."""
GONE = ("no_show", "cancelled")
TAKEN_BACK = "no_show_undone"
REACHED = ("serving", "parked", "transferred", "finished")
"""What a ticket's desk does only with its resident there: started, parked (gone to fetch a
document), sent on (to another desk, colleague or service) or finished. A call followed by one
of these was answered, whatever becomes of the ticket later."""
CONTACT_EVENTS = (CALLED, PUT_BACK, *GONE, TAKEN_BACK, *REACHED)
"""The kinds of event the contact rule reads (:func:`contact_times`); it ignores the others."""


class LoggedEvent(NamedTuple):
    """One event of a visit as the contact rule reads it (in log order)."""

    kind: str
    ticket_id: int | None
    at_ms: int


def contact_times(events: Iterable[LoggedEvent]) -> tuple[int | None, int | None]:
    """THE rule of a visit's calls, from its events in log order: its first call
    (:attr:`VisitFacts.first_call_ms`) and its first call the resident came to (the first
    contact at a desk, :attr:`VisitFacts.seen_ms` before a resolution at meet-and-greet).

    - A call is **put back** when a ``recycled`` event of its ticket follows it with no other
      call of that ticket between: the resident did not hear it and waited on. It is neither
      the first call nor a contact.
    - A call is **unanswered** when its ticket is gone after it (a ``cancelled`` event, or a
      ``no_show`` with no ``no_show_undone`` of the ticket after it: a no-show taken back
      means they came after all) with nothing between the call and that end that a desk does
      only with the resident there (:data:`REACHED`). It is a first call (the call they were
      not there for) but no contact. A ticket keeps its id when it goes back to the queue
      after its resident was served (sent to another desk or colleague, parked and sent back),
      so its later end at close of day says nothing of the calls before.
    - Every other call is a contact; a call without a ticket always is.

    :func:`reached_a_desk` asks the same of a visit as a whole. The view ``visit_calls``
    (schema/0056) spells the rule in SQL, for the ``visit_facts`` triggers and for the reports'
    reading of an older copy (:mod:`oss_desk.storage.reports_visits`);
    ``tests/test_call_put_back.py`` holds them equal over arbitrary sequences of events."""
    calls: list[tuple[int | None, int]] = []
    put_back: set[int] = set()
    last_call: dict[int, int] = {}
    open_calls: dict[int, list[int]] = {}  # each ticket's calls with nothing REACHED after yet
    unanswered: set[int] = set()
    no_show_of: dict[int, set[int]] = {}  # the calls its no-shows (not taken back) left unanswered
    for event in events:
        ticket = event.ticket_id
        if event.kind == CALLED:
            if ticket is not None:
                last_call[ticket] = len(calls)
                open_calls.setdefault(ticket, []).append(len(calls))
            calls.append((ticket, event.at_ms))
        elif ticket is None:
            continue
        elif event.kind == PUT_BACK and ticket in last_call:
            put_back.add(last_call[ticket])
        elif event.kind in REACHED:
            open_calls.pop(ticket, None)
        elif event.kind == GONE[1]:
            unanswered.update(open_calls.get(ticket, ()))
        elif event.kind == GONE[0]:
            no_show_of.setdefault(ticket, set()).update(open_calls.get(ticket, ()))
        elif event.kind == TAKEN_BACK:
            no_show_of.pop(ticket, None)
    for left in no_show_of.values():
        unanswered |= left
    heard = [(place, at) for place, (_t, at) in enumerate(calls) if place not in put_back]
    attended = [at for place, at in heard if place not in unanswered]
    return min((at for _p, at in heard), default=None), min(attended, default=None)


def reached_a_desk(events: Iterable[LoggedEvent], ending: int | None = None) -> bool:
    """Whether the resident reached a desk in the visit (any of its calls was a contact,
    :func:`contact_times`), from its events in log order; ``ending``: a ticket ending unseen
    now whose end is not logged yet. A checked-in appointment whose resident did was
    attended, however the visit's last ticket ended."""
    if ending is not None:
        events = [*events, LoggedEvent(GONE[1], ending, 0)]
    return contact_times(events)[1] is not None


class Check(StrEnum):
    """How a line of :data:`VISIT_ENDS` tests its fact."""

    SET = "set"
    """The fact is known (not None)."""
    UNSET = "unset"
    IN = "in"
    """The fact is one of the line's values."""
    ALWAYS = "always"


class EndRule(NamedTuple):
    """One line of :data:`VISIT_ENDS`: when ``fact`` passes ``check``, the visit ended as ``end``,
    having waited from the clock's start to the first of the facts ``until`` that is known
    (never below 0; no wait when none is)."""

    end: VisitEnd
    fact: str
    check: Check
    values: tuple[str, ...] = ()
    until: tuple[str, ...] = ()


VISIT_ENDS: tuple[EndRule, ...] = (
    # Seen: to the first contact;
    EndRule(VisitEnd.SEEN, "seen_ms", Check.SET, until=("seen_ms",)),
    # (a finish follows an attended call, so this line is for a log written otherwise);
    EndRule(VisitEnd.SEEN, "ended", Check.IN, ("finished",), until=("ended_ms",)),
    # not ended yet: not counted;
    EndRule(VisitEnd.OPEN, "ended", Check.UNSET),
    # not there when called: to the call they did not answer;
    EndRule(VisitEnd.WALKED_OUT, "ended", Check.IN, ("no_show",), ("first_call_ms", "ended_ms")),
    # a ticket issued in error: no visitor;
    EndRule(VisitEnd.ERROR, "ended_reason", Check.IN, ("error",)),
    # still there when the office closed: to closing;
    EndRule(VisitEnd.CLOSED, "ended_reason", Check.IN, CLOSED_REASONS, until=("ended_ms",)),
    # any other cancellation (left): to when the desk recorded that they left.
    EndRule(VisitEnd.WALKED_OUT, "ended", Check.ALWAYS, until=("ended_ms",)),
)
"""THE rule of what became of a visit (:func:`classify_visit`), as data: the first line whose
check holds decides. Python reads it here; :mod:`oss_desk.storage.reports_visits` spells the same
lines as SQL (``CASE WHEN ...``), and a property test holds the two equal for any facts."""

NOT_VISITORS: frozenset[VisitEnd] = frozenset({VisitEnd.ERROR})
"""THE rule of what is a visit: every arrival meet-and-greet recorded, but those that ended as
one of these (a ticket cancelled as issued in error: no visitor came). Every report's visits
(arrivals, by hour, service, site and day, walk-ins, adjustments, the urgent and repeat flags)
count only visitors (:func:`is_visitor`); :mod:`oss_desk.storage.reports_visits` spells it as
SQL from :data:`VISIT_ENDS`. So ``visits`` = seen + walked out (after and before the target) +
closed unseen + not yet seen, and the tickets issued in error are counted on their own line."""


def is_visitor(facts: VisitFacts) -> bool:
    """Whether a visit counts as one (:data:`NOT_VISITORS`)."""
    return classify_visit(facts)[0] not in NOT_VISITORS


CLOCK_STARTS: tuple[str, ...] = ("arrived_ms", "booked_ms")
"""The clock starts at the latest of these facts that is known (:func:`clock_start`)."""

CHECKED_IN_BY_BOOKED: tuple[str, str] = ("arrived_ms", "booked_ms")
"""An appointment holder checked in in time when the first is no later than the second: their
wait from the booked time counts for punctuality; a later check-in is counted on its own."""


def _holds(rule: EndRule, value: object) -> bool:
    if rule.check is Check.SET:
        return value is not None
    if rule.check is Check.UNSET:
        return value is None
    if rule.check is Check.IN:
        return value in rule.values
    return True


def classify_visit(facts: VisitFacts) -> tuple[VisitEnd, int]:
    """What became of a visit (:data:`VISIT_ENDS`), and its wait in milliseconds from the
    clock's start (never below 0): to first contact when seen, to the moment they were found
    gone (the call they did not answer, or when the desk recorded that they left) for a
    walk-out, to closing for a visitor still there when the office closed."""
    start = clock_start(facts.arrived_ms, facts.booked_ms)
    for rule in VISIT_ENDS:
        if _holds(rule, getattr(facts, rule.fact)):
            until = next(
                (v for v in (getattr(facts, name) for name in rule.until) if v is not None),
                start,
            )
            return rule.end, max(0, until - start)
    raise AssertionError("VISIT_ENDS ends with a line that always holds")  # pragma: no cover


def appointment_wait(facts: VisitFacts) -> int | None:
    """For an appointment holder seen who checked in by the booked time
    (:data:`CHECKED_IN_BY_BOOKED`): booked time to first contact (below 0 when seen early),
    the wait that punctuality rates; else None."""
    if facts.booked_ms is None or facts.seen_ms is None:
        return None
    if not checked_in_by_booked(facts):
        return None
    return facts.seen_ms - facts.booked_ms


def checked_in_by_booked(facts: VisitFacts) -> bool:
    first, second = (getattr(facts, name) for name in CHECKED_IN_BY_BOOKED)
    return first is not None and second is not None and bool(first <= second)


def missed_walk_out(wait_ms: int, target_ms: int) -> bool:
    """A walk-out who waited longer than the target is a miss; one who left sooner (or exactly
    at it) is reported on its own line and not counted either way."""
    return not within_target(wait_ms, target_ms)


def count_missed_walk_outs(walk_outs_ms: Sequence[int], target_ms: int) -> int:
    """How many of the walk-outs' waits are misses (:func:`missed_walk_out`), in one pass."""
    return len(walk_outs_ms) - count_within(walk_outs_ms, target_ms)


def punctual(seen_ms: int, booked_ms: int, punctual_ms: int) -> bool:
    """An appointment seen no later than ``punctual_ms`` after its booked time."""
    return seen_ms - booked_ms <= punctual_ms


def count_punctual(appointment_waits_ms: Iterable[int], punctual_ms: int) -> int:
    """How many of the appointment waits (booked time to first contact) are punctual
    (:func:`punctual`), counted in one pass at C speed."""
    return sum(map(punctual_ms.__ge__, appointment_waits_ms))


SATISFIED_FROM = 4
"""Ratings are 1 to 5; 4 and 5 count as satisfied ("8 out of 10 customers satisfied")."""
RATINGS = (1, 2, 3, 4, 5)


def is_satisfied(rating: int) -> bool:
    return rating >= SATISFIED_FROM


def answered_within(answered: bool, wait_seconds: int, limit_seconds: int) -> bool:
    """A call answered within the limit: answered, after no more than ``limit_seconds`` in the
    queue (exactly 20 seconds is within 20)."""
    return answered and wait_seconds <= limit_seconds


class Rule(StrEnum):
    """How a figure meets its target."""

    OVER = "over"
    """More than the target (the target itself is not met)."""
    AT_LEAST = "at_least"
    MONITORED = "monitored"
    """No target: the figure is watched, not rated."""
    DOWN = "down"
    """Lower than the same period a year before (:func:`year_on_year`)."""


class Status(Worded):
    """A standard's rating: met (green), near (amber: below the target by no more than
    ``reports.amber_points``), missed (red), or none (no figure, or only monitored)."""

    GREEN = "green", "met"
    AMBER = "amber", "near"
    RED = "red", "missed"
    NONE = "none", ""

    @property
    def word(self) -> str:
        """The one word for the status, the same in every report (text, HTML, the desk app, on
        paper): for people who cannot tell the colours apart, and for paper that has none."""
        return self.words


@dataclass(frozen=True, slots=True)
class Standard:
    """A standard as a report shows it: its figure, target, rule and rating."""

    key: str
    label: str
    value: float | None
    target: int | None
    rule: Rule
    status: Status
    definition: str = ""
    """What the figure counts, in words: printed under it on every report."""
    baseline: float | None = None
    """For a standard rated against a year before (:attr:`Rule.DOWN`): the figure then."""
    baseline_recorded: bool = True
    """False: there are no records a year before (so it is not rated)."""
    baseline_from: str | None = None
    """Set when the period a year before began before the records did: the baseline is of
    its days from this one on (a part period)."""
    baseline_to: str | None = None
    """Set when the period rated goes on (to date): the baseline is of the same days a year
    before, to this one (:func:`oss_desk.domain.periods.like_a_year_before`)."""


@dataclass(frozen=True, slots=True)
class Measure:
    """One of the council's standards: its key in the reports, its target and its rule."""

    key: str
    target: int | None
    rule: Rule

    def rate(
        self, label: str, value: float | None, amber_points: float, definition: str = ""
    ) -> Standard:
        status = Status(rag_status(value, self.target, self.rule.value, amber_points))
        return Standard(self.key, label, value, self.target, self.rule, status, definition)


SEEN_WITHIN_TARGET = Measure("within_15_min", 80, Rule.OVER)
"""Personal visitors dealt with within 15 minutes of arriving: more than 80%."""
FIRST_CONTACT = Measure("first_contact", 80, Rule.AT_LEAST)
"""Transactions resolved at the first point of contact: 80%."""
APPOINTMENTS_KEPT = Measure("appointments_kept", None, Rule.MONITORED)
"""Appointments kept (the resident checked in, seen or not): monitored monthly."""
COUNCIL_NOTICE = Measure("council_notice", 100, Rule.AT_LEAST)
"""The council cancelling an appointment gives the required notice: always."""
PUNCTUALITY = Measure("appointment_punctuality", None, Rule.MONITORED)
"""Appointments seen within 5 minutes of the booked time: monitored."""
SATISFIED = Measure("satisfied", 80, Rule.AT_LEAST)
"""Customers satisfied (4 or 5 out of 5): 8 out of 10."""


REPEAT_CONTACT = Measure("repeat_contact", None, Rule.DOWN)
"""Customers who have to contact the council more than once for one transaction: down year on
year (:func:`year_on_year`)."""

REPEAT_CONTACT_LABEL = "Repeat contact (down year on year)"
REPEAT_CONTACT_DEFINITION = (
    "Of the visits, the share that came back about the same matter: ticked at meet-and-greet,"
    " or an appointment ended without the documents. The standard is that it goes down year on"
    " year: met when lower than in the same period a year before (or none then and none now),"
    " missed when not; while the period goes on, against the same days of it a year before;"
    " not rated"
    " when there are no records a year before."
)


def year_on_year(
    measure: Measure,
    label: str,
    value: float | None,
    year_before: float | None,
    definition: str,
    *,
    recorded: bool = True,
    baseline_from: str | None = None,
    baseline_to: str | None = None,
) -> Standard:
    """A standard whose figure should go down year on year (:attr:`Rule.DOWN`): met when lower
    than ``year_before`` (the same period a year before), or when both are 0 (none then and
    none now: it cannot go lower, so it has not missed), missed when not, not rated when
    either has no figure or there are no records a year before (``recorded`` False)."""
    before = year_before if recorded else None
    if value is None or before is None:
        status = Status.NONE
    else:
        status = Status.GREEN if value < before or value == before == 0 else Status.RED
    return Standard(
        measure.key,
        label,
        value,
        None,
        measure.rule,
        status,
        definition,
        before,
        recorded,
        baseline_from if before is not None else None,
        baseline_to if before is not None else None,
    )


def call_measure(seconds: int, target: int) -> Measure:
    """Telephone calls answered within ``seconds``: at least ``target``% (from the
    configuration, ``calls.answer_within``)."""
    return Measure(f"calls_within_{seconds}s", target, Rule.AT_LEAST)
