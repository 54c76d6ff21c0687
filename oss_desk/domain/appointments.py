"""Appointments: the booking, its resident's contact, and how they want to hear from us."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oss_desk.domain.email_address import address_fault
from oss_desk.domain.qr_codes import BOOKING_QR
from oss_desk.domain.sending import MAY_HAVE_BEEN_SENT
from oss_desk.domain.text import printable, shown
from oss_desk.domain.worded import Worded
from oss_desk.errors import InvalidInput

REF_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read aloud
QR_PREFIX = BOOKING_QR
_REF = re.compile(r"^[A-Z0-9]{3}-?[A-Z0-9]{3}$")


class Preferred(Worded):
    """How the resident hears from us."""

    EMAIL = "email", "Email"
    TEXT = "text", "Text"
    SLIP = "slip", "Printed slip"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    ATTENDED = "attended"
    INCOMPLETE = "incomplete"
    """Attended without the documents: rebooked."""
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    NOT_SEEN = "not_seen"
    """Checked in (they came) and never seen: the day closed with their ticket still waiting
    or called ("office closed"). Not a no-show, not attended."""
    LEFT_UNSEEN = "left_unseen"
    """Checked in (they came) and gone before being seen: their ticket ended as a no-show
    (not there when called) or was cancelled because they left. Not a no-show of the
    appointment (that is a resident who never came), not attended."""

    @property
    def kept(self) -> bool:
        """The resident came (checked in): what the reports count as kept."""
        return self in (
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.ATTENDED,
            AppointmentStatus.INCOMPLETE,
            AppointmentStatus.NOT_SEEN,
            AppointmentStatus.LEFT_UNSEEN,
        )


STATUS_WORDS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.CHECKED_IN: "checked in (here)",
    AppointmentStatus.ATTENDED: "seen",
    AppointmentStatus.INCOMPLETE: "came without the documents",
    AppointmentStatus.NO_SHOW: "did not come",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NOT_SEEN: "came, not seen (office closed)",
    AppointmentStatus.LEFT_UNSEEN: "came, left before being seen",
}
"""What staff are told of an appointment's status, the same on every screen and command (the
appointments screen's panel, ``appointment list`` and ``show``); ``--json`` keeps the stored
values."""

STATUS_MARKS = {
    AppointmentStatus.CHECKED_IN: "here",
    AppointmentStatus.ATTENDED: "seen",
    AppointmentStatus.INCOMPLETE: "docs",
    AppointmentStatus.NO_SHOW: "gone",
    AppointmentStatus.CANCELLED: "off",
    AppointmentStatus.NOT_SEEN: "came",  # and was not seen ("shut" read as a closed slot)
    AppointmentStatus.LEFT_UNSEEN: "left",
}
"""The same, as the appointments grid marks a booking in a narrow cell (four letters at most;
a booked one has none): the panel beside it gives :data:`STATUS_WORDS`."""


def rebook_seen_said(ref: str, *, asking: bool) -> str:
    """Before a booking already seen is rebooked (rebooking marks it as come without the
    documents, which the adviser who saw them did not say): the desk's question (``asking``),
    or the refusal of a command without ``--incomplete``, in the same words."""
    said = STATUS_WORDS[AppointmentStatus.INCOMPLETE]
    if asking:
        return f"{ref} was seen: mark it as {said} and rebook?"
    return f"{ref} was seen: rebooking marks it as {said}"


def status_said(status: AppointmentStatus) -> str:
    """An appointment's status in staff's words (:data:`STATUS_WORDS`)."""
    return STATUS_WORDS[status]


STATUS_SENTENCES = {
    AppointmentStatus.BOOKED: "is still booked",
    AppointmentStatus.CHECKED_IN: "is already checked in",
    AppointmentStatus.ATTENDED: "has already been seen",
    AppointmentStatus.INCOMPLETE: "was attended without the documents",
    AppointmentStatus.NO_SHOW: "was a no-show",
    AppointmentStatus.CANCELLED: "was cancelled",
    AppointmentStatus.NOT_SEEN: "came and was not seen (office closed)",
    AppointmentStatus.LEFT_UNSEEN: "came and left before being seen",
}
"""The same statuses in a sentence after the booking reference, where a refusal says why
("K7M-3QX is already checked in: it cannot be checked in again"); the words agree with
:data:`STATUS_WORDS`."""


def status_sentence(status: AppointmentStatus) -> str:
    """An appointment's status in a sentence (:data:`STATUS_SENTENCES`)."""
    return STATUS_SENTENCES[status]


@dataclass(frozen=True, slots=True)
class Appointment:
    id: int
    ref: str
    site_id: str
    service: str
    adviser: str
    room: str | None
    starts_at: datetime
    ends_at: datetime
    business_day: str
    status: AppointmentStatus
    channel: Preferred
    needs: tuple[str, ...]
    version: int
    booked_at: datetime
    cancelled_by: str | None = None
    notice_days: int | None = None
    notice_breach: bool = False
    visit_id: int | None = None
    ticket_id: int | None = None
    checklist_ticked: tuple[str, ...] = ()
    rebooked_from: int | None = None
    cancel_reason: str | None = None
    arranged_in_visit: int | None = None
    untold_since: str | None = None
    """The instant of a council change its resident has not been told of: they have no email
    or phone (:func:`owes_notice_by_hand`); None once a person told them, or when none is owed."""
    untold_day: str | None = None
    """With ``untold_since``: the appointment's day the resident last knew (before the move)."""
    """The visit that arranged it at a desk (finished "needs an appointment")."""


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


def notice_breach(by: str, notice_days: int, needed_days: int) -> bool:
    """A cancellation or move by the council with fewer working days of notice than the
    standard needs (``appointments.min_notice_working_days``); the resident's never is."""
    return by == "council" and notice_days < needed_days


def notice_given(days: int) -> str:
    """Working days of notice as said: "1 working day's", "0 working days'"."""
    return "1 working day's" if days == 1 else f"{days} working days'"


def short_notice_said(appt: Appointment) -> str:
    """What the desk and the command line add after a council cancellation or move that gave
    the resident less than the standard notice (recorded as a breach): "short notice: recorded,
    1 working day's notice" ("" otherwise)."""
    if not appt.notice_breach:
        return ""
    return f"short notice: recorded, {notice_given(appt.notice_days or 0)} notice"


def change_line_unset(change_line: str, takes_appointments: bool) -> list[str]:
    """``init`` and ``doctor``: the "to change or cancel" line on every slip and message is
    oss-desk's default, which tells residents to contact the council but not how."""
    from oss_desk.domain.wording import ENGLISH

    if not takes_appointments or change_line.strip() != ENGLISH["message.change_line"]:
        return []
    return [
        "appointments.change_line is the default, which gives residents no way to reach the "
        "council: set it (and change_line_cy in a bilingual office) to a telephone number, web "
        'page or address, e.g. "To change or cancel, call 01632 960000 and quote your booking '
        'reference."'
    ]


BY_SLIP = "booked by slip (no message goes to them)"
"""How a resident owed a council change by hand is named: by the booking's channel (a slip),
which is the rule, not by the contacts held (a slip booking may hold a phone)."""


def checklist_sent_apart(channel: Preferred) -> bool:
    """Whether a booking's resident holds its checklist apart from any text: a booking by
    email or slip had it in the email or on the slip, so a text may point to them. One by
    text had neither: its texts carry the checklist themselves."""
    return channel is not Preferred.TEXT


def owes_notice_by_hand(by: str, channel: Preferred) -> bool:
    """A council move or cancellation of a booking made by slip at the desk: no message goes,
    so a person must phone or write to them. It is an alert until someone says they were told,
    and the notice standard counts from then."""
    return by == "council" and channel is Preferred.SLIP


TELL_BY_HAND = "phone or write to them"
NO_CONTACT_HELD = "no contact details held: tell them when they come in"


def how_to_tell(reachable: bool) -> str:
    """How a person tells a resident owed a council change by hand: by phone or in writing
    while the booking holds a phone or an email (``reachable``), else when they come in (a
    slip booking may hold neither)."""
    return TELL_BY_HAND if reachable else NO_CONTACT_HELD


def untold_said(appt: Appointment, *, reachable: bool) -> str:
    """What the desk, the command line and the alerts say while a council change is owed by
    hand ("" when none is): how to tell them (:func:`how_to_tell`), and the command that
    records it."""
    if appt.untold_since is None:
        return ""
    change = "cancellation" if appt.status is AppointmentStatus.CANCELLED else "change"
    how = "phone" if reachable else "in-person"
    return (
        f"the resident was {BY_SLIP} and has not been told of this {change}: "
        f"{how_to_tell(reachable)}, then record it (`oss-desk appointment told {appt.ref} "
        f"--how {how}`)"
    )


def cancel_told_said(appt: Appointment) -> str:
    """How the resident hears of a cancellation just made, as far as is true then: the
    message is queued, not sent ("will be sent by email", as a follow-up's reference is); a
    slip booking cancelled at their asking gets none. "" while a person must tell them
    (:func:`untold_said` says how)."""
    if appt.untold_since is not None:
        return ""
    if appt.channel is Preferred.SLIP:
        return "no message goes to them: booked by slip, and they asked for it"
    return f"the cancellation will be sent by {appt.channel.value} (the device worker sends it)"


REASON_HELD = " (reason held: --contact to see it)"


def cancel_reason_said(reason: str | None, *, contact: bool) -> str:
    """What follows "cancelled by the resident" where a booking is shown: the reason given, to
    a person shown the resident's contact (``--contact``: a recorded read), else only that one
    is held (it is the resident's words: "in hospital"); nothing when none was given."""
    if reason is None:
        return ""
    return f": {printable(reason)}" if contact else REASON_HELD


def after_change_said(appt: Appointment, *, reachable: bool) -> list[str]:
    """What the desk and the command line add after a move or cancellation: a short notice
    recorded, and a resident not told (each when it applies)."""
    untold = untold_said(appt, reachable=reachable)
    return [said for said in (short_notice_said(appt), untold) if said]


def untold_refs_said(refs: Sequence[str], unreachable: Collection[str]) -> str:
    """The bookings whose residents are owed a council change by hand, each group with how to
    tell them: "YX6-QKG: phone or write to them; K7M-3QX: no contact details held: tell them
    when they come in" (the first three of a group, then " ...")."""
    groups = [
        ([r for r in refs if r not in unreachable], TELL_BY_HAND),
        ([r for r in refs if r in unreachable], NO_CONTACT_HELD),
    ]
    return "; ".join(
        f"{', '.join(group[:3])}{' ...' if len(group) > 3 else ''}: {how}"
        for group, how in groups
        if group
    )


def untold_count_said(refs: list[str], unreachable: Collection[str]) -> str:
    """``doctor``'s line for the council changes still owed by hand (their booking references,
    the longest owed first; ``unreachable``: those whose booking holds no phone or email)."""
    return (
        f"{len(refs)} resident(s) {BY_SLIP} not told of a council change "
        f"({untold_refs_said(refs, unreachable)}), then record it: `oss-desk appointment told REF "
        "--how phone` (letter, in-person, email)"
    )


def move_notice_days(to_old: int, to_new: int) -> int:
    """The notice a move gives the resident: of the change, before the sooner of the two times
    (a move that brings an appointment forward to this afternoon gives hours, however far off
    the old time was)."""
    return min(to_old, to_new)


def late_minutes(starts_at: datetime, checked_in: datetime) -> int:
    """The whole minutes a check-in came after the booked start (0 when on time or early)."""
    return max(0, int((checked_in - starts_at).total_seconds() // 60))


ATTENDED_WHEN_SERVED = (AppointmentStatus.CHECKED_IN, AppointmentStatus.ATTENDED)
"""A checked-in appointment whose visit has a ticket finished at a desk (the one it checked in
with, or the one that was transferred to) has been attended (a booked one the resident never
came to is marked a no-show after the grace minutes instead)."""


class TicketEnd(StrEnum):
    """How the ticket of a checked-in appointment ended without the resident being seen (or
    such an end taken back): what decides the appointment's end (:data:`WHEN_TICKET_ENDS`)."""

    NO_SHOW = "no_show"
    """Not there when called."""
    LEFT = "left"
    """Cancelled: the resident left before being seen."""
    OFFICE_CLOSED = "office_closed"
    """Closed at close of day, still waiting or called."""
    NO_SHOW_UNDONE = "no_show_undone"
    """The no-show taken back: the resident turned up after all."""


WHEN_TICKET_ENDS = {
    TicketEnd.NO_SHOW: (AppointmentStatus.CHECKED_IN, AppointmentStatus.LEFT_UNSEEN),
    TicketEnd.LEFT: (AppointmentStatus.CHECKED_IN, AppointmentStatus.LEFT_UNSEEN),
    TicketEnd.OFFICE_CLOSED: (AppointmentStatus.CHECKED_IN, AppointmentStatus.NOT_SEEN),
    TicketEnd.NO_SHOW_UNDONE: (AppointmentStatus.LEFT_UNSEEN, AppointmentStatus.CHECKED_IN),
}
"""The one rule: a checked-in appointment's end is its ticket's end, once the visit has no
ticket left in the queue. The resident came (they checked in), so every end here stays kept, as
every check-in is, and none is a no-show of the appointment (a resident who never came): the
monthly kept and no-show figures (check-in and appointment no-show events) are the
appointments' own states. Not there when called or gone: "came, left before being seen"; the
day closed first: "came, not seen (office closed)"; the no-show taken back: checked in again.
An appointment in any other state (seen, or already moved on) is left as it is."""


def ticket_end_step(
    end: TicketEnd, reached_a_desk: bool
) -> tuple[AppointmentStatus, AppointmentStatus]:
    """The step a checked-in appointment takes when its visit's last ticket ends so
    (:data:`WHEN_TICKET_ENDS`); but a resident who reached a desk earlier in the visit (seen,
    then transferred to another service or parked, and that ticket ended unseen) was attended
    (:data:`ATTENDED_WHEN_SERVED`). A no-show taken back always steps back."""
    if reached_a_desk and end is not TicketEnd.NO_SHOW_UNDONE:
        return ATTENDED_WHEN_SERVED
    return WHEN_TICKET_ENDS[end]


def when_ticket_ends(
    status: AppointmentStatus, end: TicketEnd | None, reached_a_desk: bool = False
) -> AppointmentStatus:
    """An appointment's status once its visit's last ticket ended so (:func:`ticket_end_step`)."""
    if end is None:
        return status
    was, becomes = ticket_end_step(end, reached_a_desk)
    return becomes if status is was else status


def ticket_end(reason: str) -> TicketEnd | None:
    """The end a ticket cancelled for ``reason`` (left, office_closed, end_of_day) gives its
    appointment (None: issued in error, which says nothing of the resident)."""
    return _CANCELLED_FOR.get(reason)


_CANCELLED_FOR = {
    "left": TicketEnd.LEFT,
    "office_closed": TicketEnd.OFFICE_CLOSED,
    "end_of_day": TicketEnd.OFFICE_CLOSED,  # the older name of office_closed
}


def when_served(status: AppointmentStatus) -> AppointmentStatus:
    """An appointment's status once the ticket it was checked in with is finished at a desk."""
    checked_in, attended = ATTENDED_WHEN_SERVED
    return attended if status is checked_in else status


def late_said(starts_at: datetime, checked_in: datetime) -> str:
    """What check-in tells the greeter of a resident who came after the booked start: "25 min
    late" ("" when on time or early)."""
    late = late_minutes(starts_at, checked_in)
    return f"{late} min late" if late else ""


def new_reference(choose: Callable[[str], str] = secrets.choice) -> str:
    """A booking reference such as ``K7M-3QX`` (``choose`` picks each character)."""
    chars = "".join(choose(REF_ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


def message_reference(appointment_id: int, kind: str, token: str) -> str:
    """The reference a message is sent under (Notify's ``reference``): ``oss-<id>-<kind>-<token>``,
    never anything personal."""
    return f"oss-{appointment_id}-{kind[:3]}-{token}"


def booking_qr(ref: str) -> str:
    """What a booking's QR code holds, on the slip and in the messages alike: ``OSSD-A:`` and
    the booking reference, nothing personal. Scanned at a desk, it checks the resident in."""
    return QR_PREFIX + ref


QR_MESSAGES = frozenset({"confirmation", "change", "reminder"})
"""The messages to a resident that carry the booking's QR code: those that tell them a time to
come (a cancellation tells them not to)."""


def parse_reference(text: str) -> str:
    """A booking reference typed or scanned: ``k7m3qx``, ``K7M-3QX`` or ``OSSD-A:K7M-3QX``."""
    value = text.strip().upper()
    if value.startswith(QR_PREFIX):
        value = value[len(QR_PREFIX) :]
    value = value.replace(" ", "")
    if not _REF.match(value):
        raise InvalidInput(f"{shown(text)!r} is not a booking reference (e.g. K7M-3QX)")
    return value if "-" in value else f"{value[:3]}-{value[3:]}"


def normalise_email(text: str, *, to_send: bool = True) -> str:
    """One email address as typed, trimmed: exactly one plain address (:func:`address_fault`):
    a comma, colon, bracket or space in it would send the message to someone else. ``to_send``
    (booking, follow-ups, settings): only plain ASCII, refused at entry while the resident is
    still at the desk. An address with other letters (``rés@exämple.org``) needs SMTPUTF8,
    which many mail servers do not offer and GOV.UK Notify does not take, so it would fail days
    later with no one to ask for another. False: an address looked for as it may have been
    stored (subject access): only trimmed, and it needs an @. The one-address check is for
    entry: an address held from before it (``anna,smith@example.org``) must still be found."""
    value = text.strip()
    if not to_send:
        if "@" not in value:
            raise InvalidInput(f"{shown(text)!r} is not an email address: it has no @")
        return value
    fault = address_fault(value)
    if fault:
        raise InvalidInput(f"{shown(text)!r} is not an email address: {fault}")
    others = sorted({ch for ch in value if not ch.isascii()})
    if to_send and others:
        raise InvalidInput(
            f"{shown(text)!r} cannot be emailed: letters outside plain A-Z "
            f"({' '.join(shown(ch) for ch in others[:5])}) are refused by many mail servers and "
            "by GOV.UK Notify; ask for another address, or use a phone number"
        )
    return value


def message_progress(
    status: str,
    when: str,
    *,
    sent: bool,
    attempts: int,
    last_error: str | None,
    looking_up: str | None = None,
) -> str:
    """Where one of a booking's messages stands, as ``appointment show`` says it: sent (when),
    due (when), or waiting to be sent again after a try that failed (how many, and why), so a
    message the worker keeps trying never reads as merely due in the past. One no longer
    needed after a try that may have reached the resident: waiting for its look-up
    (``looking_up``: what :func:`oss_desk.services.message_fates.awaiting_look_up` says), or
    may have been sent (``uncertain``), never "not sent"."""
    if sent:
        return f"sent {when}"
    if status == "pending" and looking_up:
        return f"{looking_up} (due {when})"
    if status == "uncertain":
        return f"{MAY_HAVE_BEEN_SENT}: {last_error} (due {when})"
    if status == "pending" and last_error == REMINDER_WAITS:
        return f"{REMINDER_WAITS} (due {when})"
    if status == "pending" and attempts:
        tries = "tried once" if attempts == 1 else f"tried {attempts} times"
        why = f", last try: {last_error}" if last_error else ""
        return f"waiting to send again ({tries}{why}; first due {when})"
    if status == "pending":
        return f"pending, due {when}"
    if status == "cancelled":  # not the council's doing: the booking changed before it was due
        why = f": {last_error}" if last_error and last_error != _OLD_UNNEEDED else ""
        return f"not sent, no longer needed{why} (due {when})"
    return f"{status} (due {when}{f'; {last_error}' if last_error else ''})"


_OLD_UNNEEDED = "no longer wanted"
"""The reason stored with an unneeded message before the reasons below were kept."""


TOLD_KINDS = ("confirmation", "change")
"""The messages that tell the resident the whole booking (when, where, what to bring)."""
REMINDER_COVERED = (
    "the confirmation went out when this reminder was due or shortly before, and said all it "
    "would have"
)
"""Why a reminder covered by the confirmation (:func:`reminder_covered`) is not sent."""

REMINDER_COVERED_WITHIN = timedelta(hours=12)
"""A reminder due within this time after the confirmation went out adds nothing to it."""


def reminder_covered(due: datetime, told_at: datetime | None) -> bool:
    """Whether a reminder due at ``due`` adds nothing: the booking's confirmation or change
    notice (which carries all a reminder says, the checklist too) went out, by the same channel,
    at ``told_at``, when the reminder was already due or due within
    :data:`REMINDER_COVERED_WITHIN`. So a resident gets one useful message, never a confirmation
    and its reminder in the same second (a worker down or late when both fell due), nor the
    same message again minutes later (booked at 08:55, reminded at 09:00). At booking
    (``told_at``: now, the confirmation about to go) such a reminder is not queued at all."""
    return told_at is not None and due <= told_at + REMINDER_COVERED_WITHIN


REMINDER_WAITS = "waits for the confirmation, which is being tried again"
"""What ``appointment show`` says of a reminder held back by :func:`reminder_wait`."""

REMINDER_WAIT_AFTER = timedelta(minutes=1)
"""How long after the confirmation's next try a reminder held back for it is tried again."""


def reminder_wait(telling_next: datetime | None, now: datetime) -> datetime | None:
    """When a reminder due at ``now`` is tried instead, while its booking's confirmation (or
    change notice) of the same time and channel is still to go (``telling_next``: its next
    try; None: none is): :data:`REMINDER_WAIT_AFTER` after it. So the resident never gets the
    reminder before, or without, the confirmation while it is being retried. Once the
    confirmation went, the reminder is not sent (it fell due before, so the confirmation
    said all it would have: :func:`reminder_covered`); once it failed for good, the reminder
    goes (it says the time and what to bring). None: send it now."""
    if telling_next is None:
        return None
    return max(telling_next, now) + REMINDER_WAIT_AFTER


def message_fate(
    kind: str,
    for_version: int,
    appt: Appointment,
    deadline: datetime,
    now: datetime,
    *,
    notice_hours: float,
    last_error: str | None = None,
    due: datetime | None = None,
    told_at: datetime | None = None,
) -> tuple[str, str] | None:
    """What becomes of a message of ``appt`` still unsent at ``now`` (the worker's turn, or the
    moment the booking changes): None, it is still to send. ``("failed", why)``: its
    ``deadline`` has passed, so it was due and not delivered, whatever happened to the booking
    afterwards (a no-show, a late cancellation): the team leader is alerted until someone
    acknowledges it. ``("cancelled", why)``: the booking moved, was cancelled or the resident
    came before it mattered, so it is no longer needed (``appointment show`` says so, never that
    the council cancelled it). A cancellation notice is always wanted until its deadline. The
    resident came (checked in, seen): nothing is owed them any more, so a message not delivered
    is not needed, not an alert for anyone to act on. A reminder (``due``) the confirmation
    told at ``told_at`` covers (:func:`reminder_covered`) is not needed either."""
    if kind != "cancellation" and appt.status.kept:
        return "cancelled", "the resident came"
    current = appt.version == for_version and appt.status is AppointmentStatus.BOOKED
    if kind == "reminder" and current and due is not None and reminder_covered(due, told_at):
        return "cancelled", REMINDER_COVERED
    if now >= deadline:
        last = f" (last try: {last_error})" if last_error else ""
        if kind == "reminder" or deadline >= appt.starts_at:
            return "failed", "not delivered before the appointment" + last
        return "failed", f"not delivered within {notice_hours:g} hours" + last
    if kind == "cancellation":
        return None
    if appt.version != for_version:
        return "cancelled", "the appointment moved"
    if appt.status is AppointmentStatus.BOOKED:
        return None
    return "cancelled", f"the appointment {status_sentence(appt.status)}"
