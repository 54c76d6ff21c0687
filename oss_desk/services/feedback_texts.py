"""\"Text me afterwards to ask how we did\": the follow-up text of a visit (issue 15, item 4).

The resident's consent is a fact of its own, recorded with the mobile number it was given for
and the member of staff who took it down (:meth:`FeedbackTexts.consent`: meet-and-greet's Ctrl+N
dialog, ``oss-desk ticket issue --feedback-text``, ``oss-desk ticket feedback-text``). When the
visit finishes, one text is queued in the same transaction
(:func:`oss_desk.services.feedback_queue.queue_after_finish`), due by
:func:`oss_desk.domain.feedback_texts.text_due`; the device worker sends it through GOV.UK Notify
(:mod:`oss_desk.worker.feedback_texts`) unless the visit was rated meanwhile. Its link opens the
answer page (``/r/TOKEN`` on the screen server), which records the rating like any other
(:meth:`oss_desk.services.ratings.Ratings.rate_by_text`). Neither the text nor its reference
names the resident or the service.
"""

from __future__ import annotations

from oss_desk.clock import format_instant
from oss_desk.domain.access import Action
from oss_desk.domain.codes import TicketRef
from oss_desk.domain.feedback_texts import answer_link, answer_token
from oss_desk.domain.models import Actor, EventKind, Ticket, TicketStatus
from oss_desk.errors import RuleViolation
from oss_desk.services.events import of_ticket, record_event
from oss_desk.services.feedback_queue import NOT_SET_UP, check_follow_up
from oss_desk.services.messages import Composed
from oss_desk.services.resident import site_names
from oss_desk.services.session import Session
from oss_desk.services.wording import record_wording
from oss_desk.storage import feedback_texts as ft
from oss_desk.storage.resident import secret

SOURCES = ("greet", "cli", "appointment")


class FeedbackTexts:
    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.s = session
        self.actor = actor or session.actor

    def consent(self, ref: str | int | TicketRef, phone: str, source: str = "greet") -> Ticket:
        """The resident agreed to one text after their visit asking how it went, at ``phone``
        (a UK mobile): recorded with who took it down. Only before the visit has finished."""
        from oss_desk.services.queue import QueueService

        assert source in SOURCES
        self.s.require(Action.ISSUE_TICKET, self.actor)
        number = check_follow_up(self.s.settings, phone)
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            ticket = QueueService(self.s, self.actor).ticket(ref)
            if ticket.status not in (
                TicketStatus.WAITING,
                TicketStatus.CALLED,
                TicketStatus.SERVING,
            ):
                raise RuleViolation(
                    f"{ticket.code} is {ticket.status.value}: a follow-up text is agreed before "
                    "the visit ends"
                )
            stamp = format_instant(now)
            ft.give_consent(
                conn, ticket, phone=number, now=stamp, by=self.actor.person, source=source
            )
            record_event(
                conn,
                self.s.directory.sites[ticket.site_id],
                now,
                EventKind.FEEDBACK_CONSENT_GIVEN,
                self.actor,
                desk_id=self.actor.desk_id,
                **of_ticket(ticket),
                data={"source": source},
            )
        return ticket

    def link(self, visit_id: int) -> str:
        """The visit's answer link (the screen's public address and the visit's token)."""
        public_url = self.s.settings.screen.public_url
        if not public_url:
            raise RuleViolation(NOT_SET_UP)
        with self.s.store.read() as conn:
            return answer_link(public_url, answer_token(secret(conn), visit_id))

    def compose(self, site_id: str, visit_id: int) -> Composed:
        """The text: the question in the office's languages (Welsh first where bilingual),
        then the link. The office's name only: no resident, no service, no desk."""
        wording = record_wording(self.s, site_id)
        offices = site_names(self.s, wording, site_id)
        lines = [
            wording.one(language, "text.feedback", office=offices[min(n, len(offices) - 1)])
            for n, language in enumerate(wording.languages)
        ]
        body = "\n".join([*dict.fromkeys(lines), self.link(visit_id)])
        heading = " / ".join(offices)
        return Composed(heading=heading, subject=heading, body=body, sms=body, ics=None)


def give_texts(
    session: Session,
    actor: Actor | None,
    ref: str | int | TicketRef,
    *,
    turn_texts: str | None = None,
    follow_up: str | None = None,
    source: str = "greet",
) -> None:
    """The texts a resident asks for at meet-and-greet, in one transaction: "nearly your turn"
    at ``turn_texts`` and the follow-up text at ``follow_up`` (each a mobile number, or None).
    All or nothing: a busy database refuses both, so "nothing was saved" is true and pressing
    again records each once."""
    from oss_desk.services.turn_texts import TurnTexts

    with session.store.write():
        if follow_up is not None:
            FeedbackTexts(session, actor).consent(ref, follow_up, source=source)
        if turn_texts is not None:
            TurnTexts(session, actor).give_phone(ref, turn_texts)
