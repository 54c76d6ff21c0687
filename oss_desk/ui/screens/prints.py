"""The question a desk is asked when a ticket it issued may not have printed (or failed); the team
leader is also asked about slips and summaries, and about jobs at a desk whose person may not
reprint (:mod:`oss_desk.domain.print_questions`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from oss_desk.domain.delivery import NO_ANSWER_NEEDED
from oss_desk.domain.device_faults import said_with
from oss_desk.services.delivery import answer_job
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.ui.context import DeskContext, Ok, print_asking
from oss_desk.ui.dialogs import ConfirmDialog
from oss_desk.ui.faults import guarded
from oss_desk.ui.screens.base import DeskScreen


class PrintQuestion(ConfirmDialog):
    """The question about one print job. It goes away by itself once the job needs no answer
    (answered at another desk, where the same question is asked wherever the ticket's desk is
    open, or a later copy of the ticket was made),
    so it never stays up taking this desk's keys for a question already settled."""

    HELP = (
        "A ticket this desk issued may not have printed (or the printer said it failed); the "
        "team leader is asked too about slips and summaries, and about paper at a desk whose "
        "person may not reprint. y prints it again (a ticket's copy says COPY); n or Esc says "
        "it printed, and nothing more is printed. The question goes by itself once it needs "
        "no answer (answered at another desk, or a later copy was made)."
    )

    def __init__(self, question: str, desk: DeskContext, job_id: int) -> None:
        super().__init__(question, meaning="")  # its HELP is this question's own
        self.job_id = job_id
        self.answered_elsewhere = False
        self._desk = desk

    @guarded
    def on_mount(self) -> None:
        self._desk.follow_snapshot(self, self._on_snapshot)
        self._on_snapshot(self._desk.snapshot)  # one may have come while it was being shown

    @guarded
    def _on_snapshot(self, snapshot: DeskSnapshot | None) -> None:
        if snapshot is None or any(job.id == self.job_id for job in snapshot.attention):
            return
        if not self.answered_elsewhere:
            self.answered_elsewhere = True
            self.dismiss(None)


async def ask_about_prints(
    desk: DeskContext,
    ask: Callable[[ConfirmDialog], Awaitable[bool | None]],
    snapshot: DeskSnapshot,
    asked: set[int],
) -> None:
    """Ask about each job that may not have printed (or failed) that this terminal is asked
    about (:func:`~oss_desk.domain.print_questions.asked_here`: its own desk's; for the team
    leader, slips and summaries, and jobs at a desk whose person may not reprint), once:
    reprint it (the copy says COPY), or leave it (it printed)."""
    for job in snapshot.attention:
        if job.id in asked:
            continue
        asking = print_asking(desk, snapshot, job)
        if not asking.here:
            continue
        mine, actor = asking.mine, asking.actor
        asked.add(job.id)
        what = f"Ticket {job.code}" if job.code else job.kind.replace("_", " ").capitalize()
        if job.reference:  # which booking's slip
            what = f"{what} {job.reference}"
        if not mine:  # the team leader, asked about another desk's paper: which one
            named = desk.names.desks.get(job.desk_id or "")
            what = f"{what} at {named.name if named else 'a printer of no desk'}"
        if job.status == "uncertain":
            question = f"{what} may not have printed. Reprint it (it will say COPY)?"
        else:
            question = f"{said_with(f'{what} was not printed', job.reason)}. Reprint it?"
        dialog = PrintQuestion(question, desk, job.id)
        answer = await ask(dialog)
        if dialog.answered_elsewhere:
            dialog.app.notify(
                f"{what}: {NO_ANSWER_NEEDED}",
                title="No answer needed",
            )
            continue
        yes = bool(answer)
        new = await desk.act(partial(answer_job, actor=actor, job_id=job.id, reprint=yes))
        await desk.after_write()
        screen = dialog.app.screen  # a panel showing the ticket follows the reprint
        reprinted = new.value if isinstance(new, Ok) else None
        if reprinted is not None and job.ticket_id is not None and isinstance(screen, DeskScreen):
            screen.reprinted(job.ticket_id, reprinted)
