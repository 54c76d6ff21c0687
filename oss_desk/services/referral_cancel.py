"""The team leader stops a referral's reference going to the resident by email or text
(``followup cancel-message``) while it has not gone: who and when are kept with the message,
and an event says it. One whose earlier try may have reached the provider is not sent again:
through Notify, the worker looks it up before it is said not sent
(:mod:`oss_desk.services.followup_messages`); by mail (no server can be asked) it may have been
sent, said so at once (:func:`oss_desk.domain.sending.dropped_unsure`)."""

from __future__ import annotations

from dataclasses import dataclass

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.followups import Followup, Kind
from oss_desk.domain.models import Actor, EventKind
from oss_desk.domain.sending import cancel_refused, dropped_unsure
from oss_desk.errors import RuleViolation
from oss_desk.services.events import record_event
from oss_desk.services.followup_messages import message_said, stopped_why
from oss_desk.services.followups import FollowupService
from oss_desk.services.send_queues import settle_try
from oss_desk.services.session import Session
from oss_desk.storage import followups as store
from oss_desk.storage.sending import REFERRAL_MESSAGES


@dataclass(frozen=True, slots=True)
class Stopped:
    """A referral's message the team leader stopped (``followup cancel-message``), as it stands
    now: cancelled, or (an earlier try may have reached the provider) waiting for its Notify
    look-up, or (by mail) maybe sent."""

    followup: Followup
    message: store.Message

    def said(self, session: Session) -> str:
        return message_said(session, self.followup, self.message)


def cancel_message(session: Session, ref: str | int, actor: Actor | None = None) -> Stopped:
    """The team leader stops a referral's reference going to the resident while it has not
    gone (who and when recorded, and an event). Refused (nothing changes) for a follow-up that
    is not a referral, one whose reference goes on a slip, and a message sent already, being
    sent now, failed or stopped already."""
    who = actor or session.actor
    session.require(Action.CANCEL_MESSAGE, who)
    f = FollowupService(session, who).get(ref)
    now = session.clock.now()
    with session.store.write() as conn:
        messages = store.messages_of(conn, f.id)
        if f.kind is not Kind.REFERRAL or not messages:
            raise RuleViolation(f"{f.ref} has no message to the resident: nothing to stop")
        m = messages[-1]
        refused = cancel_refused(m.status, m.cancelled_by is not None)
        if refused is not None:
            raise RuleViolation(f"{f.ref}'s reference by {m.channel} {refused}")
        if not store.cancel_message(conn, m.id, by=who.person, at=format_instant(now)):
            raise RuleViolation(f"{f.ref}'s message changed a moment ago: look again")
        record_event(
            conn,
            session.site_ever(f.site_id),
            now,
            EventKind.FOLLOWUP_MESSAGE_CANCELLED,
            who,
            desk_id=who.desk_id,
            service_code=f.service,
            data={
                "followup": f.id,
                "ref": f.ref,
                "followup_kind": f.kind.value,
                "channel": m.channel,
            },
        )
        (after,) = [x for x in store.messages_of(conn, f.id) if x.id == m.id]
        if after.status == "pending":  # an earlier try may have reached the provider
            known = dropped_unsure("cancelled", stopped_why(session, after), after.via)
            if known is not None:  # by mail: no server can be asked, it may have been sent
                settle_try(conn, REFERRAL_MESSAGES, m.id, known, now, may_have_left=True)
                (after,) = [x for x in store.messages_of(conn, f.id) if x.id == m.id]
    return Stopped(f, after)
