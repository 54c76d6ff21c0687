"""``doctor``'s line on daily summaries never sent for working days older than the week that
``report send due`` catches up (the timer stopped for longer than that): how many, from when to
when, and the command that sends one (:func:`~oss_desk.domain.report_rounds.older_unsent_said`);
said only when there are some."""

from __future__ import annotations

from oss_desk.clock import Clock
from oss_desk.config import Settings
from oss_desk.domain.models import Actor
from oss_desk.services.doctor_checks import Check, ok, warn
from oss_desk.services.session import Session
from oss_desk.storage.database import Store
from oss_desk.storage.site import read_directory

NAME = "daily summaries"


def older_unsent(store: Store, settings: Settings, clock: Clock) -> Check:
    """Warns of the older working days with no summary (ok, unsaid: none)."""
    from oss_desk.services.mailed_reports import ReportMailer

    # The doctor's own store and settings: nothing is queued, nothing written.
    session = Session(
        store=store,
        clock=clock,
        settings=settings,
        directory=read_directory(store.conn),
        actor=Actor(person="doctor"),
        host=True,
    )
    lines = ReportMailer(session).older_unsent_lines()
    return warn(NAME, "; ".join(lines)) if lines else ok(NAME, "")
