"""Who may do what: the permission matrix of the four roles (least privilege).

Pure data and one function. The services ask :func:`scope_of` at the top of each use case (through
``Session.require``) and the desk app asks it to hide what a role may not do. ``OWN`` means the
action is allowed only on the person's own work: a ticket called to their desk (or by them), an
appointment booked with them, their own desk (the terminal's, the one they are logged in to, or
the one the configuration puts them at).

meet-and-greet issues tickets, records quick visits, books and checks in; an adviser calls,
serves and finishes the residents called to them, and sees the contact details and notes of
their own visits and appointments; a team leader does everything operational, including
reassigning, cancelling, reprinting, reports and absences; an admin looks after the
configuration, users (absences) and retention and reads the figures, but does no queue work and
does not routinely read residents' details or notes. Team leaders and admins answer a resident's
request to see or erase what is held about them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum

from oss_desk.domain.models import Role
from oss_desk.domain.worded import Worded


class Action(Worded):
    """Everything a person can ask of oss-desk that a role may be refused."""

    ISSUE_TICKET = "issue_ticket", "issue a ticket"
    QUICK_VISIT = "quick_visit", "record a quick visit"
    VIEW_QUEUE = "view_queue", "see the queue"
    FIND_TICKET = "find_ticket", "look a ticket up"
    CALL_NEXT = "call_next", "call the next resident"
    CALL_CHOSEN = "call_chosen", "call a ticket out of turn"
    RECALL = "recall", "recall a ticket"
    START = "start", "start serving a ticket"
    FINISH = "finish", "finish a ticket"
    NO_SHOW = "no_show", "mark a ticket no-show"
    TRANSFER = "transfer", "transfer a ticket"
    REASSIGN = "reassign", "send a ticket to a desk"
    CANCEL_TICKET = "cancel_ticket", "cancel a ticket"
    REPRINT = "reprint", "reprint a ticket"
    ADD_NOTE = "add_note", "add a note to a visit"
    VIEW_NOTES = "view_notes", "read a visit's notes"
    DESK_STATUS = "desk_status", "open, pause or close a desk"
    VIEW_REPORTS = "view_reports", "see the reports"
    VIEW_APPOINTMENTS = "view_appointments", "see the appointments"
    BOOK_APPOINTMENT = "book_appointment", "book an appointment"
    MOVE_APPOINTMENT = "move_appointment", "move an appointment"
    CANCEL_APPOINTMENT = "cancel_appointment", "cancel an appointment"
    CHECK_IN = "check_in", "check a resident in"
    TICK_CHECKLIST = "tick_checklist", "tick an appointment's checklist"
    APPOINTMENT_NO_SHOW = "appointment_no_show", "mark an appointment no-show"
    REBOOK = "rebook", "rebook an appointment"
    VIEW_CONTACT = "view_contact", "see a resident's contact details"
    RECORD_ABSENCE = "record_absence", "record or remove an absence"
    MANAGE_CONFIG = "manage_config", "change the configuration"
    WORK_FOLLOWUPS = "work_followups", "work on ring-backs and referrals"
    RECORD_FEEDBACK = "record_feedback", "record a comment, compliment or complaint"
    VIEW_FEEDBACK = "view_feedback", "see comments, compliments and complaints"
    ANSWER_FEEDBACK = (
        "answer_feedback",
        "acknowledge or answer comments, compliments and complaints",
    )
    ACKNOWLEDGE_ALERT = "acknowledge_alert", "acknowledge a delivery alert"
    CANCEL_MESSAGE = "cancel_message", "stop a resident's message being sent"
    RESIDENT_DATA = "resident_data", "find or erase what is held about a resident"

    @property
    def phrase(self) -> str:
        """What the action does, after "may not": "cancel a ticket"."""
        return self.words


CLOSING_THE_DAY = "close the day"
"""What closing the day is called in a refusal: it needs the right to cancel tickets."""

REOPENING_THE_DAY = "reopen the day"
"""What reopening a day closed by hand is called in a refusal: the same right as closing it."""

FEEDBACK_LINK = "get a desk's feedback page link"
"""What ``desks feedback-link`` is called in a refusal: setting up the counter's tablet is for
those who read what it collects, the reports' people (team leaders and admins)."""

LOGGING_OUT_ANOTHER = "log another person out of a desk"
"""What logging someone else out is called in a refusal: the desk closes and its tickets go
back, so it needs the right to close another desk (one's own login is one's own desk)."""

OWN_PHRASES: dict[Action, str] = {
    Action.REASSIGN: "send a ticket of another desk to a desk or a colleague",
    Action.CALL_CHOSEN: "call a ticket out of turn to another desk",
    Action.RECALL: "recall a ticket called to another desk",
    Action.START: "start serving a ticket called to another desk",
    Action.FINISH: "finish a ticket called to another desk",
    Action.NO_SHOW: "mark a ticket of another desk no-show",
    Action.TRANSFER: "transfer a ticket of another desk",
    Action.ADD_NOTE: "add a note to another desk's visit",
    Action.VIEW_NOTES: "read the notes of another desk's visit",
    Action.DESK_STATUS: "open, pause or close another desk",
    Action.APPOINTMENT_NO_SHOW: "mark someone else's appointment no-show",
    Action.REBOOK: "rebook someone else's appointment",
    Action.VIEW_CONTACT: "see the contact details of someone else's appointment",
}
"""What an OWN permission refuses: the action on someone else's work."""


class Scope(StrEnum):
    ALL = "all"
    OWN = "own"


A = Action
_MEET_AND_GREET: dict[Action, Scope] = {
    A.ISSUE_TICKET: Scope.ALL,
    A.QUICK_VISIT: Scope.ALL,
    A.VIEW_QUEUE: Scope.ALL,
    A.FIND_TICKET: Scope.ALL,
    A.REPRINT: Scope.ALL,
    A.DESK_STATUS: Scope.OWN,
    A.VIEW_APPOINTMENTS: Scope.ALL,
    A.BOOK_APPOINTMENT: Scope.ALL,
    A.MOVE_APPOINTMENT: Scope.ALL,
    A.CANCEL_APPOINTMENT: Scope.ALL,
    A.CHECK_IN: Scope.ALL,
    A.TICK_CHECKLIST: Scope.ALL,
    A.REBOOK: Scope.ALL,
    A.WORK_FOLLOWUPS: Scope.ALL,
    A.RECORD_FEEDBACK: Scope.ALL,
}
_ADVISER: dict[Action, Scope] = {
    A.VIEW_QUEUE: Scope.ALL,
    A.FIND_TICKET: Scope.ALL,
    A.CALL_NEXT: Scope.ALL,
    A.CALL_CHOSEN: Scope.OWN,
    A.RECALL: Scope.OWN,
    A.START: Scope.OWN,
    A.FINISH: Scope.OWN,
    A.NO_SHOW: Scope.OWN,
    A.TRANSFER: Scope.OWN,
    A.REASSIGN: Scope.OWN,
    A.BOOK_APPOINTMENT: Scope.ALL,
    A.ADD_NOTE: Scope.OWN,
    A.VIEW_NOTES: Scope.OWN,
    A.DESK_STATUS: Scope.OWN,
    A.VIEW_APPOINTMENTS: Scope.ALL,
    A.CHECK_IN: Scope.ALL,
    A.TICK_CHECKLIST: Scope.ALL,
    A.APPOINTMENT_NO_SHOW: Scope.OWN,
    A.REBOOK: Scope.OWN,
    A.VIEW_CONTACT: Scope.OWN,
    A.WORK_FOLLOWUPS: Scope.ALL,
    A.RECORD_FEEDBACK: Scope.ALL,
}
_TEAM_LEADER: dict[Action, Scope] = {
    action: Scope.ALL for action in Action if action is not A.MANAGE_CONFIG
}
_ADMIN: dict[Action, Scope] = {
    A.VIEW_QUEUE: Scope.ALL,
    A.VIEW_REPORTS: Scope.ALL,
    A.VIEW_APPOINTMENTS: Scope.ALL,
    A.RECORD_ABSENCE: Scope.ALL,
    A.MANAGE_CONFIG: Scope.ALL,
    A.RECORD_FEEDBACK: Scope.ALL,
    A.VIEW_FEEDBACK: Scope.ALL,
    A.ANSWER_FEEDBACK: Scope.ALL,
    A.RESIDENT_DATA: Scope.ALL,
}

MATRIX: dict[Role, dict[Action, Scope]] = {
    Role.MEET_AND_GREET: _MEET_AND_GREET,
    Role.ADVISER: _ADVISER,
    Role.TEAM_LEADER: _TEAM_LEADER,
    Role.ADMIN: _ADMIN,
}


Grants = Mapping[Action, Collection[Role]]
"""Actions the configuration gives to chosen roles (everywhere), whatever the matrix says:
``access.booking_roles`` for booking appointments (the matrix above is its default)."""


def booking_grants(roles: Collection[Role]) -> dict[Action, Collection[Role]]:
    return {Action.BOOK_APPOINTMENT: roles}


def scope_of(role: Role | None, action: Action, grants: Grants | None = None) -> Scope | None:
    """How far ``role`` may do ``action``: everywhere, on its own work only, or not at all
    (``grants``: the actions the configuration gives to chosen roles)."""
    if role is None:
        return None
    if grants is not None and action in grants:
        return Scope.ALL if role in grants[action] else None
    return MATRIX[role].get(action)


def allows(
    role: Role | None, action: Action, own: bool | None = None, grants: Grants | None = None
) -> bool:
    """Whether ``role`` may do ``action``; ``own`` says whether the thing acted on is the
    person's own (None: not known yet, so an OWN permission counts as allowed)."""
    scope = scope_of(role, action, grants)
    if scope is None:
        return False
    return scope is Scope.ALL or own is None or own


def refusal(
    name: str,
    role: Role | None,
    action: Action,
    own: bool | None = None,
    grants: Grants | None = None,
    doing: str | None = None,
) -> str:
    """The one-line reason: "Sam Patel (adviser) may not cancel a ticket". ``doing`` names what
    was asked when it is more than the action itself ("close the day", which cancels tickets)."""
    who = f"{name} ({role.value})" if role is not None else f"{name} (no role)"
    on_other = scope_of(role, action, grants) is Scope.OWN and own is False
    phrase = OWN_PHRASES.get(action, action.phrase) if on_other else action.phrase
    if doing is not None:
        return f"{who} may not {doing} (it needs the right to {phrase})"
    return f"{who} may not {phrase}"
