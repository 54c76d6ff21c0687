"""The sends an earlier owner of the devices left mid-way, as a new owner takes over: the
appointment messages, report emails and follow-up texts it left handed over (recorded sent from
their notes, due again, or looked up), then the notes beside the database that speak for no
send still to be recorded (:func:`oss_desk.storage.accepted_notes.sweep`)."""

from __future__ import annotations

import logging

from oss_desk.domain.sending import SendTally
from oss_desk.services.session import Session
from oss_desk.storage.accepted_notes import sweep
from oss_desk.worker.feedback_texts import FeedbackTextDelivery
from oss_desk.worker.messages import MessageDelivery, MessageReport
from oss_desk.worker.report_mail import ReportMailDelivery
from oss_desk.worker.rounds import WorkerReport

log = logging.getLogger("oss_desk.worker")


def recover_sends(session: Session, owner: str, counts: WorkerReport | None = None) -> int:
    """Take over the sends left mid-way (how many); what it recorded is added to ``counts``."""
    messages, mails, texts = MessageReport(), SendTally(), SendTally()
    recovered = MessageDelivery(session, owner=owner).recover(messages)
    recovered += ReportMailDelivery(session, owner=owner).recover(mails)
    recovered += FeedbackTextDelivery(session, owner=owner).recover(texts)
    if counts is not None:
        counts.count_messages(messages)
        counts.count_report_emails(mails)
        counts.feedback_texts_sent += texts.sent
    removed = sweep(session.store.path, session.store.conn)
    if removed:
        log.info("removed %d note(s) of sends recorded already: %s", len(removed), removed)
    return recovered
