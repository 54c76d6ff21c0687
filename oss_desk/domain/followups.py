"""Follow-ups: ring-backs, referrals to a back office, and comments, compliments and complaints
"On The Record", with one working-day clock for all of them.

The clock
    A follow-up's clock starts on its **start day**: the local day it was received when that is
    a working day of the office (weekends, the bank holidays of the office's nation and its local
    closure days are not: :class:`~oss_desk.domain.workdays.WorkingDays`) and it came in before
    the office closed (``followups.day_ends = "closing"``; with ``"midnight"`` any time of a
    working day counts); otherwise on the next working day. A deadline of N working days is the
    N-th working day after the start day (the start day itself is not counted), and it is met
    when the thing is done on that day or before (local dates). So a complaint received on
    Monday morning is due to be acknowledged by the Monday after (5 working days) and answered
    by the Monday three weeks on (15); a ring-back taken on Friday afternoon is due by the end
    of Monday (1 working day); one taken on Saturday by the end of Tuesday.

Personal data
    The resident's name, phone number and email, the topic and the free text of an action taken
    are :class:`Details`: stored apart from the follow-up (and never in the event log, on paper
    or on the board) so that the retention purge can delete them while every figure stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Self

from oss_desk.domain.appointments import Preferred
from oss_desk.domain.calendar import day_said, local
from oss_desk.domain.codes import MAX_ROW_ID
from oss_desk.domain.text import clean_text as stored_text
from oss_desk.domain.text import shown
from oss_desk.domain.worded import Worded
from oss_desk.domain.workdays import WorkingDays
from oss_desk.errors import InvalidInput, RuleViolation

DETAILS_DELETED = "personal details deleted (on schedule or on the resident's request)"
"""A follow-up whose resident's details were cleared: by the retention purge or by an erasure on
request (``oss-desk resident forget``), which clear them alike, so no reason is guessed."""


class Kind(StrEnum):
    label: str
    prefix: str
    """The reference's letters: ``CB-0007`` (ring-back), ``R-0042``, ``OTR-0003``."""

    def __new__(cls, value: str, label: str = "", prefix: str = "") -> Self:
        kind = str.__new__(cls, value)
        kind._value_, kind.label, kind.prefix = value, label, prefix
        return kind

    RINGBACK = "ringback", "Ring-back", "CB"
    REFERRAL = "referral", "Referral", "R"
    COMMENT = "comment", "Comment", "OTR"
    COMPLIMENT = "compliment", "Compliment", "OTR"
    COMPLAINT = "complaint", "Complaint", "OTR"

    @property
    def on_the_record(self) -> bool:
        """A comment, compliment or complaint: seen and answered by team leaders and admins."""
        return self in RECORD_KINDS

    @property
    def acknowledged(self) -> str:
        """What acknowledging one is called once done: a referral is "received by the back
        office", a comment, compliment or complaint "acknowledged" (a ring-back has nothing to
        acknowledge). The desk's notice, the command line and the refusal of a second one all
        say it this way."""
        return "received by the back office" if self is Kind.REFERRAL else "acknowledged"


RECORD_KINDS = frozenset({Kind.COMMENT, Kind.COMPLIMENT, Kind.COMPLAINT})
WORK_KINDS = frozenset({Kind.RINGBACK, Kind.REFERRAL})


class Status(StrEnum):
    OPEN = "open"
    RECEIVED = "received"
    """A referral the back office has confirmed it received."""
    ACKNOWLEDGED = "acknowledged"
    """A comment, compliment or complaint acknowledged to the resident."""
    DONE = "done"
    """A ring-back that reached the resident, a referral the back office finished, a record
    answered."""
    UNREACHABLE = "unreachable"
    """A ring-back that could not reach the resident."""

    @property
    def closed(self) -> bool:
        return self in (Status.DONE, Status.UNREACHABLE)


class Via(Worded):
    """How a comment, compliment or complaint reached the council."""

    IN_PERSON = "in-person", "In person"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    WEB = "web", "Web"

    @property
    def received(self) -> str:
        """How it came in, as ``followup show`` and the follow-up's details say it: "received
        in person", "received by phone", "received online"."""
        if self is Via.IN_PERSON:
            return "received in person"
        return "received online" if self is Via.WEB else f"received by {self.words.lower()}"


SendBy = Preferred
"""How the resident is given a referral's reference: the ways the office reaches a resident."""


class AttemptResult(StrEnum):
    NO_ANSWER = "no-answer"
    VOICEMAIL = "voicemail"
    BUSY = "busy"
    WRONG_NUMBER = "wrong-number"
    REACHED = "reached"

    @property
    def said(self) -> str:
        """The result in words: "no answer", "wrong number"."""
        return self.value.replace("-", " ")


class Finding(Worded):
    """The outcome of a complaint."""

    JUSTIFIED = "justified", "Justified"
    PARTLY = "partly", "Partly justified"
    NOT_JUSTIFIED = "not-justified", "Not justified"


class Monitor(StrEnum):
    """Complaint categories the council monitors on their own (the seeds' standards)."""

    STAFF = "staff"
    """About a member of staff: justified ones should stay under 2% of complaints answered."""
    UNEQUAL = "unequal"
    """Unequal or impolite service."""


class Due(StrEnum):
    """Where a deadline stands."""

    MET = "met"
    LATE = "late"
    """Done, after the deadline."""
    OVERDUE = "overdue"
    """Not done, and the deadline has passed."""
    TODAY = "due-today"
    LATER = "later"

    @property
    def said(self) -> str:
        """The state in words for people ("later" is a key in JSON, not a word for a desk)."""
        return _DUE_SAID[self]

    @property
    def missed(self) -> bool:
        return self in (Due.LATE, Due.OVERDUE)

    @property
    def pending(self) -> bool:
        return self in (Due.TODAY, Due.LATER)


_DUE_SAID = {
    Due.MET: "met",
    Due.LATE: "late",
    Due.OVERDUE: "OVERDUE",
    Due.TODAY: "due today",
    Due.LATER: "not yet due",
}

DEADLINE_WORDS = {
    "return": "ring back by",
    "sla": "back office to finish by",
    "acknowledge": "acknowledge by",
    "respond": "answer by",
}
"""What each deadline of :meth:`Followup.deadlines` is called where people read it
(``followup show``, the desk's panel): "answer by Thu 14 Jan (not yet due)"."""


def deadline(due: date, done: date | None, today: date) -> Due:
    """A deadline's state: met when done on ``due`` or before; overdue once ``today`` is past
    it and it is not done."""
    if done is not None:
        return Due.MET if done <= due else Due.LATE
    if today > due:
        return Due.OVERDUE
    return Due.TODAY if today == due else Due.LATER


# The clock ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowupClock:
    """The one working-day clock of every follow-up (see the module's rule)."""

    workdays: WorkingDays
    closes: Mapping[int, time] = field(default_factory=dict)
    """Closing time by weekday (Monday 0); empty: a working day counts until midnight."""

    def start_day(self, received: datetime) -> date:
        """The day the clock starts, from the local wall time of receipt."""
        day = received.date()
        if self.workdays.is_working_day(day):
            closes = self.closes.get(day.weekday())
            if closes is None or received.time() < closes:
                return day
        return self.workdays.add(day, 1)

    def due_day(self, start: date, working_days: int) -> date:
        """The ``working_days``-th working day after ``start`` (0: ``start`` itself)."""
        return self.workdays.add(start, working_days)

    def check_due(self, wanted: date, today: date) -> date:
        """A due date typed at the desk: today or later, and a working day."""
        if wanted < today:
            raise InvalidInput(
                f"due date {wanted.isoformat()} is in the past (today is {today.isoformat()})"
            )
        if not self.workdays.is_working_day(wanted):
            why = self.workdays.holiday(wanted) or wanted.strftime("a %A")
            nxt = self.workdays.add(wanted, 1)
            raise InvalidInput(
                f"due date {wanted.isoformat()} is not a working day ({why}): "
                f"the next one is {nxt.isoformat()}"
            )
        return wanted


# The follow-up ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Arranged:
    """Where a new follow-up is arranged: the visit's service, and its ticket (finished at a
    desk) or the visit itself (dealt with at meet-and-greet); none for one made on its own."""

    service: str | None = None
    ticket: int | None = None
    visit: int | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    day: str
    actor: str
    result: AttemptResult

    def said(self, who: str, timezone: str, today: date) -> str:
        """ "Mon 21 Dec 10:00 by Amina Shah: no answer" (``who``: the person's name)."""
        wall = local(self.at, timezone)
        return f"{day_said(wall.date(), today)} {wall:%H:%M} by {who}: {self.result.said}"


DETAIL_FIELDS = ("name", "phone", "email", "topic", "action_text")
"""The personal fields of a follow-up, in the order they are shown."""


@dataclass(frozen=True, slots=True)
class Details:
    """The personal part of a follow-up (None everywhere once purged)."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    topic: str | None = None
    action_text: str | None = None
    purged: bool = False

    def fields(self) -> list[str]:
        """Which fields hold something (for the record of who read them)."""
        return [key for key, _ in self.filled()]

    def filled(self) -> list[tuple[str, str]]:
        """Each field that holds something and its value, in the order they are shown."""
        found = ((key, getattr(self, key)) for key in DETAIL_FIELDS)
        return [(key, value) for key, value in found if value is not None]


@dataclass(frozen=True, slots=True)
class Followup:
    id: int
    ref: str
    kind: Kind
    site_id: str
    status: Status
    received_at: datetime
    received_day: date
    start_day: date
    due_day: date
    """Ring-back: returned by; referral: done by (the back office's SLA); record: answered by."""
    created_by: str
    service: str | None = None
    ack_due_day: date | None = None
    """Comments, compliments and complaints: acknowledged by."""
    owner: str | None = None
    desk_id: str | None = None
    visit_id: int | None = None
    back_office: str | None = None
    sla_days: int | None = None
    send_by: SendBy | None = None
    via: Via | None = None
    category: str | None = None
    stage: int | None = None
    acknowledged_at: datetime | None = None
    acknowledged_day: date | None = None
    acknowledged_by: str | None = None
    closed_at: datetime | None = None
    closed_day: date | None = None
    closed_by: str | None = None
    officer: str | None = None
    finding: Finding | None = None
    action_taken: bool | None = None
    attempts: int = 0

    def deadline_days(self) -> dict[str, tuple[date, date | None]]:
        """Each deadline of the follow-up: its day, and the day it was met (None: not yet)."""
        if self.kind.on_the_record:
            assert self.ack_due_day is not None
            return {
                "acknowledge": (self.ack_due_day, self.acknowledged_day),
                "respond": (self.due_day, self.closed_day),
            }
        name = "return" if self.kind is Kind.RINGBACK else "sla"
        return {name: (self.due_day, self.closed_day)}

    def deadlines(self, today: date) -> dict[str, Due]:
        """Each deadline of the follow-up and where it stands on ``today``."""
        return {
            name: deadline(due, done, today) for name, (due, done) in self.deadline_days().items()
        }

    def received_said(self, timezone: str, today: date) -> str:
        """ "received by phone, Mon 21 Dec 10:00 (clock from Mon 21 Dec)": how it came in
        (when recorded: :attr:`Via.received`), when (local time) and the day its working-day
        clock starts; "received Mon 21 Dec 10:00 (...)" when how is not recorded. Said once,
        in one line, wherever it shows."""
        wall = local(self.received_at, timezone)
        how = f"{self.via.received}," if self.via is not None else "received"
        return (
            f"{how} {day_said(wall.date(), today)} {wall:%H:%M} "
            f"(clock from {day_said(self.start_day, today)})"
        )

    def due_words(self, today: date) -> str:
        """Its deadlines as said when it is made, each day as the lists say it on ``today``
        (:func:`day_said`: the year only when not this year's): "acknowledge by Fri 11 Dec,
        answer by Tue 29 Dec" (a comment, compliment or complaint), "due by the end of Mon 30
        Nov" (the others)."""

        def day(on: date) -> str:
            return day_said(on, today)

        if self.ack_due_day is not None:
            return f"acknowledge by {day(self.ack_due_day)}, answer by {day(self.due_day)}"
        return f"due by the end of {day(self.due_day)}"

    def deadlines_said(self, today: date) -> list[str]:
        """Each deadline in words: "acknowledge by Wed 30 Dec (not yet due)", "answer by Thu 14
        Jan 2027 (met, Mon 11 Jan 2027)" (a day of another year with its year)."""
        said = []
        for name, (due, done) in self.deadline_days().items():
            state = deadline(due, done, today).said
            if done is not None:
                state = f"{state}, {day_said(done, today)}"
            said.append(f"{DEADLINE_WORDS[name]} {day_said(due, today)} ({state})")
        return said

    @property
    def next_due(self) -> date | None:
        """The next deadline still to meet (None once closed)."""
        if self.status.closed:
            return None
        if self.kind.on_the_record and self.acknowledged_day is None:
            return self.ack_due_day
        return self.due_day

    def standing(self, today: date) -> Due | None:
        """Where its next deadline stands (None once closed)."""
        due = self.next_due
        return None if due is None else deadline(due, None, today)

    def overdue(self, today: date) -> bool:
        return self.standing(today) is Due.OVERDUE


def work_order(items: Iterable[Followup], today: date) -> list[Followup]:
    """Overdue first, then by next due date (closed ones last, newest first), then oldest."""

    def key(f: Followup) -> tuple[int, str, int]:
        due = f.next_due
        if due is None:
            closed = f.closed_day.isoformat() if f.closed_day else ""
            return (2, "".join(chr(0x10FFFF - ord(c)) for c in closed), -f.id)
        return (0 if due < today else 1, due.isoformat(), f.id)

    return sorted(items, key=key)


# References ------------------------------------------------------------------------------------

_REF = re.compile(r"^(CB|R|OTR)-?(\d{1,9})$")


def format_ref(prefix: str, number: int) -> str:
    return f"{prefix}-{number:04d}"


def parse_ref(text: str) -> str | int:
    """A follow-up's reference (``R-0042``, ``r42``) or its id (``17``)."""
    value = text.strip().upper().replace(" ", "")
    if value.isascii() and value.isdigit():
        if int(value) > MAX_ROW_ID:  # names nothing, and must not reach a query
            raise InvalidInput(f"{shown(text, 30)!r} is not a follow-up: no id is that large")
        return int(value)
    m = _REF.match(value)
    if not m:
        raise InvalidInput(
            f"{shown(text)!r} is not a follow-up reference (e.g. R-0042, CB-0007, OTR-0003)"
        )
    return format_ref(m.group(1), int(m.group(2)))


# Rules of each action ----------------------------------------------------------------------------


def _when(day: date | None) -> str:
    return f" on {day:%a %d %b %Y}" if day else ""


def slip_not_printed(ref: str, *, at_a_desk: bool) -> str:
    """What adding a referral says when its slip (by the slip) was not printed: the desk has
    no printer, or no desk was given (the command line: it says how to print one)."""
    if at_a_desk:
        return (
            f"no printer at this desk: the slip was not printed; write the reference down ({ref})"
        )
    return (
        f"no desk given: the slip was not printed (give the resident {ref}; --desk ID of a "
        "desk with a printer, or --print-to URL, prints it as the referral is added)"
    )


def closed_already(f: Followup) -> str:
    """What a key that acts on an open follow-up says on a closed one."""
    return f"{f.ref} is closed already"


def check_open(f: Followup, doing: str) -> None:
    if f.status.closed:
        said = "could not reach the resident" if f.status is Status.UNREACHABLE else "is done"
        if f.kind.on_the_record:
            said = "was answered"
        raise RuleViolation(f"{f.ref} {said}{_when(f.closed_day)}: it cannot {doing}")


def check_stage(kind: Kind, stage: int) -> None:
    """A complaint is at stage 1 or 2 of the complaints procedure; a comment or compliment has
    no stages (it is stored as 1, as every record has one: a stage 2 is refused)."""
    if kind is not Kind.COMPLAINT and stage != 1:
        raise InvalidInput(
            f"a {kind.label.lower()} has no stage 2: stages are the complaints procedure's"
        )
    if stage not in (1, 2):
        raise InvalidInput(f"stage {stage}: a complaint is at stage 1 or 2")


def check_take(f: Followup, person: str) -> None:
    check_open(f, "be taken")
    if f.owner == person:
        raise RuleViolation(f"{f.ref} is already yours")


def check_attempt(f: Followup) -> None:
    if f.kind is not Kind.RINGBACK:
        raise RuleViolation(f"{f.ref} is a {f.kind.label.lower()}: only ring-backs have attempts")
    check_open(f, "have another attempt")


def check_done(f: Followup, *, unreachable: bool, last_try: AttemptResult | None = None) -> None:
    """Done, or (``unreachable``) could not reach the resident: only a ring-back, after a try,
    and never when the last try (``last_try``) reached them: the register would say both."""
    if f.kind.on_the_record:
        raise RuleViolation(f"{f.ref} is a {f.kind.label.lower()}: answer it with respond")
    check_open(f, "be done again")
    if unreachable:
        if f.kind is not Kind.RINGBACK:
            raise RuleViolation(f"{f.ref} is a referral: only a ring-back can be unreachable")
        if f.attempts == 0:
            raise RuleViolation(
                f"{f.ref} has no attempt recorded: record the tries first (attempt)"
            )
        if last_try is AttemptResult.REACHED:
            raise RuleViolation(f"{f.ref}: the last try reached the resident: close it as done")


def check_acknowledge(f: Followup, name_of: Callable[[str], str] = str) -> None:
    if f.kind is Kind.RINGBACK:
        raise RuleViolation(f"{f.ref} is a ring-back: nothing to acknowledge")
    check_open(f, "be acknowledged")
    if f.status is not Status.OPEN:
        by = f" by {name_of(f.acknowledged_by)}" if f.acknowledged_by else ""
        raise RuleViolation(
            f"{f.ref} was already {f.kind.acknowledged}{_when(f.acknowledged_day)}{by}"
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """The full answer to a comment, compliment or complaint, as it travels from the desk to
    the stored follow-up: a complaint's outcome and whether action was taken as a result."""

    finding: Finding | None = None
    action_taken: bool | None = None
    action_text: str | None = None
    """What was done (personal data: kept with the details, purged, never in the event log)."""
    officer: str | None = None
    """The officer who answered, when not the person recording it."""


def action_untold(action_taken: bool | str | None, text: str | None) -> bool:
    """Action was taken as a result but nobody said what: the record (and the quarterly
    return) would list an action with no words, so an answer is refused until it says."""
    return action_taken in (True, "yes") and not (text or "").strip()


def check_respond(f: Followup, answer: Answer) -> None:
    if not f.kind.on_the_record:
        raise RuleViolation(f"{f.ref} is a {f.kind.label.lower()}: finish it with done")
    check_open(f, "be answered again")
    if f.kind is Kind.COMPLAINT:
        if answer.finding is None:
            raise InvalidInput(
                f"{f.ref} is a complaint: give its outcome (justified, partly or not-justified)"
            )
        if answer.action_taken is None:
            raise InvalidInput(f"{f.ref} is a complaint: say whether action was taken (yes/no)")
        if action_untold(answer.action_taken, answer.action_text):
            raise InvalidInput(f"{f.ref}: action was taken: say what was done as a result")
    elif answer.finding is not None:
        raise InvalidInput(f"{f.ref} is a {f.kind.label.lower()}: only complaints have an outcome")


def clean_text(text: str | None, what: str, limit: int) -> str | None:
    """Free text from the desk: trimmed, one line, printable, at most ``limit`` characters (the
    one rule for stored text, :func:`oss_desk.domain.text.clean_text`)."""
    if text is None:
        return None
    return stored_text(text, limit=limit, what=what)
