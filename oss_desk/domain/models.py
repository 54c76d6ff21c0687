"""The nouns of a One Stop Shop front desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from oss_desk.domain.epoch import EPOCH, MILLISECOND
from oss_desk.domain.needs import needs_private_room, requirements
from oss_desk.domain.worded import Worded


class DeskKind(StrEnum):
    MEET_AND_GREET = "meet-and-greet"
    ADVISER = "adviser"
    INTERVIEW_ROOM = "interview-room"


class DeskStatus(StrEnum):
    OPEN = "open"
    BREAK = "break"
    CLOSED = "closed"


class Role(StrEnum):
    MEET_AND_GREET = "meet-and-greet"
    ADVISER = "adviser"
    TEAM_LEADER = "team-leader"
    ADMIN = "admin"


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"

    @property
    def active(self) -> bool:
        return self in (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)

    @property
    def word(self) -> str:
        """The status as a person reads it on a ticket's line (the command line, the desk
        app): its value as a word, ``no-show`` for ``no_show`` (JSON keeps the value)."""
        return self.value.replace("_", "-")


class Outcome(Worded):
    """How a visit ended. ``resolved`` and ``signposted`` count as first point of contact."""

    RESOLVED = "resolved", "dealt with at first point of contact"
    SIGNPOSTED = "signposted", "correctly sent to another organisation"
    REFERRED = "referred", "passed to a back office"
    APPOINTMENT = "appointment", "needs an appointment"
    CALLBACK = "callback", "ring-back arranged"

    @property
    def first_contact(self) -> bool:
        return self in (Outcome.RESOLVED, Outcome.SIGNPOSTED)

    @property
    def description(self) -> str:
        return self.words


class Channel(StrEnum):
    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"


class VisitStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    """Every kind of entry in the append-only visit event log."""

    ARRIVED = "arrived"
    TICKET_ISSUED = "ticket_issued"
    CALLED = "called"
    RECALLED = "recalled"
    SERVING = "serving"
    TRANSFERRED = "transferred"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    DESK_STATUS = "desk_status"
    REPRINT = "reprint_requested"
    NOTE_ADDED = "note_added"
    APPOINTMENT_BOOKED = "appointment_booked"
    APPOINTMENT_MOVED = "appointment_rescheduled"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    APPOINTMENT_CHECKED_IN = "appointment_checked_in"
    APPOINTMENT_NO_SHOW = "appointment_no_show"
    APPOINTMENT_TOLD = "appointment_told"
    """A person told a resident with no email or phone of the council's change (how, and the
    notice it gave: the notice standard counts this one, not the change's)."""
    APPOINTMENT_INCOMPLETE = "appointment_incomplete"
    CHECKLIST_TICKED = "checklist_ticked"
    MESSAGE_QUEUED = "reminder_queued"
    MESSAGE_SENT = "reminder_sent"
    MESSAGE_FAILED = "reminder_failed"
    ABSENCE_RECORDED = "absence_recorded"
    CONTACTS_PURGED = "contacts_purged"
    DATA_PURGED = "data_purged"
    CONFIG_LOADED = "config_loaded"
    CALLS_IMPORTED = "calls_imported"
    PERSONAL_DATA_VIEWED = "personal_data_viewed"
    REPORT_PRINTED = "report_printed"
    IDENTITY_REFUSED = "identity_refused"
    """Someone asked to act as another person from a login that may not (nothing else done)."""
    DEMO_BUILT = "demo_built"
    """The demo's history and live queue are in place: what comes after is work done in it."""
    OFFICE_REPLACED = "office_replaced"
    """`init --replace-office` loaded another office's configuration (after a verified backup)."""
    FOLLOWUP_CREATED = "followup_created"
    FOLLOWUP_TAKEN = "followup_taken"
    FOLLOWUP_ATTEMPTED = "followup_attempted"
    FOLLOWUP_ACKNOWLEDGED = "followup_acknowledged"
    FOLLOWUP_DONE = "followup_done"
    FOLLOWUP_RESPONDED = "followup_responded"
    FOLLOWUP_MESSAGE_CANCELLED = "followup_message_cancelled"
    """The team leader stopped a referral's reference going to the resident (by whom: the
    event's person; the message's channel in its data)."""
    PHONE_GIVEN = "phone_given"
    """A resident gave a mobile number for "nearly your turn" texts (the number is not here)."""
    TURN_TEXT_SENT = "turn_text_sent"
    TURN_TEXT_FAILED = "turn_text_failed"
    PARKED = "parked"
    """A ticket at a desk set aside ("gone to fetch a document"): ``data.reason``."""
    RESUMED = "resumed"
    RECYCLED = "recycled"
    """A called ticket back in the queue at its place (the resident did not hear the call)."""
    SERVICE_ADDED = "service_added"
    """Another service in the same visit (``service_code``), added at the desk."""
    SERVICE_REMOVED = "service_removed"
    """An added service taken off again before it was delivered (added by mistake)."""
    SERVICE_DELIVERED = "service_delivered"
    """An added service finished with its own ``outcome`` (the ticket's own service is the
    ``finished`` event's ``data.own_outcome``; the event's ``outcome`` is the visit's)."""
    NO_SHOW_UNDONE = "no_show_undone"
    """A no-show taken back (within ``domain.counter.UNDO_NO_SHOW_SECONDS``)."""
    DESK_LOGIN = "desk_login"
    """A person logged in to a desk (``data.took_over_from`` when someone else held it)."""
    DESK_LOGOUT = "desk_logout"
    SENT_BACK = "sent_back"
    """A ticket sent to a desk that closed (``data.from_desk``), or to a person who logged out
    (``data.from_person``), back in the queue at its place."""
    RATING_RECORDED = "rating_recorded"
    """A resident's rating of their visit (the number; never their words)."""
    FEEDBACK_CONSENT_GIVEN = "feedback_consent_given"
    """A resident agreed to a text after their visit asking how it went (no number here)."""
    FEEDBACK_TEXT_SENT = "feedback_text_sent"
    FEEDBACK_TEXT_FAILED = "feedback_text_failed"
    RESIDENT_SEARCHED = "resident_searched"
    """Someone looked for what is held about a resident: by which kind of key, how many records
    were found (never the key)."""
    RESIDENT_ERASED = "resident_erased"
    """A record's personal fields cleared on the resident's request: which record, which fields
    (never their values)."""
    DATABASE_RESTORED = "database_restored"
    """``db restore`` put a backup in place: the backup's file name and head, the replaced
    log's head, and when by the real clock (the first event of the restored log after the
    backup's; ``db check`` accepts the line the restore appends beside the database only when
    it matches this event)."""


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    name: str
    label: str
    """Neutral public label: the only service text on tickets and the board."""
    appointment_minutes: int | None = None
    private_room: bool = False
    checklist: tuple[str, ...] = ()

    @property
    def takes_appointments(self) -> bool:
        """Whether it can be booked (an appointment length is set); else it is walk-in only."""
        return bool(self.appointment_minutes)


@dataclass(frozen=True, slots=True)
class Desk:
    id: str
    site_id: str
    name: str
    kind: DeskKind
    services: frozenset[str]
    private_room: bool = False
    printer_url: str | None = None
    fallback_printer_url: str | None = None
    status: DeskStatus = DeskStatus.OPEN
    facilities: frozenset[str] = frozenset()
    """What the desk offers whoever is at it (``hearing-loop``, ``step-free``...)."""

    def serves(self, service_code: str) -> bool:
        return service_code in self.services


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something and where: recorded with every event."""

    person: str
    desk_id: str | None = None


@dataclass(frozen=True, slots=True)
class Joining:
    """What a new ticket takes into the queue: its service and what orders and routes it."""

    service: str
    priority: int = 0
    """1 for a checked-in appointment (called before walk-ins)."""
    needs: tuple[str, ...] = ()
    channel: Channel = Channel.WALK_IN
    assigned_desk: str | None = None
    """The only desk that may call it (an interview room, an adviser's own desk)."""
    assigned_person: str | None = None
    """The only person who may call it (transferred to a named colleague)."""


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    visit_id: int
    site_id: str
    service: str
    business_day: str
    number: int
    status: TicketStatus
    priority: int
    needs: tuple[str, ...]
    queued_at: datetime
    """When the resident arrived (kept across transfers): the queue order."""
    issued_at: datetime
    desk: str | None = None
    assigned_desk: str | None = None
    called_at: datetime | None = None
    serving_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: Outcome | None = None
    recalls: int = 0
    transferred_from: int | None = None
    printed_at: datetime | None = None
    channel: Channel = Channel.WALK_IN
    assigned_person: str | None = None
    """Sent to a named colleague: only the desk they are logged in to may call it."""
    parked_at: datetime | None = None
    """Set aside at its desk (``desk``) since then: waiting for that desk to resume it, outside
    the call order."""
    park_reason: str | None = None
    """Why (a key of :data:`oss_desk.domain.counter.PARK_REASONS`)."""
    passed_over_by: str | None = None
    """The desk this resident was transferred from (to another service) until that desk calls
    its next ticket: that call passes over them (:func:`oss_desk.domain.queue.passed_over`)."""

    @property
    def code(self) -> str:
        return format_code(self.service, self.number)

    @property
    def joining(self) -> Joining:
        return Joining(
            self.service,
            self.priority,
            self.needs,
            self.channel,
            self.assigned_desk,
            self.assigned_person,
        )

    @property
    def needs_private_room(self) -> bool:
        return needs_private_room(self.needs)

    @property
    def requires(self) -> frozenset[str]:
        """What a desk must offer to meet the ticket's needs (see ``domain.needs``)."""
        return requirements(self.needs)

    @property
    def at_desk(self) -> str | None:
        """The desk a ticket's status names ("serving at Desk 1"): only while it is active
        (called, served or parked there). A finished or transferred ticket's ``desk`` is only
        where it was: its status names no desk."""
        return self.desk if self.status.active else None

    @property
    def parked(self) -> bool:
        """Set aside at its desk, waiting to be resumed there. Only a waiting ticket is: one
        closed since (cancelled, say) keeps the time it was parked, and is not parked."""
        return self.status is TicketStatus.WAITING and self.parked_at is not None

    @property
    def queued(self) -> bool:
        """Waiting in the queue (not parked at a desk)."""
        return self.status is TicketStatus.WAITING and self.parked_at is None

    @property
    def queued_ms(self) -> int:
        """The arrival instant in epoch milliseconds (the call order's time)."""
        return (self.queued_at - EPOCH) // MILLISECOND


def format_code(service: str, number: int) -> str:
    return f"{service}{number:03d}"


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """A waiting or active ticket as the live queue shows it."""

    ticket: Ticket
    position: int | None
    """1-based place among the waiting tickets of the site in the call order (None once
    called)."""
    wait_seconds: int
    """Time waited in the queue on this visit (:mod:`oss_desk.domain.wait_clock`): from arrival,
    never the time at a desk."""
    estimated_wait_seconds: int | None
    """Estimated time until called (None when no open desk may call it)."""
    ahead: int | None = None
    """The people ahead (None when no open desk may call it): see
    :func:`oss_desk.domain.queue.plan_calls`."""
    seen: bool = False
    """The visit has had its first contact (the report has rated its wait): never past the
    target live (:func:`oss_desk.domain.wait_clock.past_target`)."""


@dataclass(frozen=True, slots=True)
class Visit:
    id: int
    site_id: str
    business_day: str
    arrived_at: datetime
    channel: Channel
    needs: tuple[str, ...]
    status: VisitStatus
    outcome: Outcome | None = None
    finished_at: datetime | None = None
    service: str | None = None
