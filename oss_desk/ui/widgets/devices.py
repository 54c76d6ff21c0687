"""The devices' part of a desk's status area, and the question a desk is asked when a ticket it
issued may not have printed.

Everything said here comes from the snapshot: the owner of the devices (lease and heartbeat)
and each device's last real answer. Nothing is called fine while no device worker runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oss_desk.domain.access import Action
from oss_desk.services.delivery import (
    StatusPart,
    answer_job,
    board_part,
    not_sent_lines,
    printing_parts,
)
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.ui.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from oss_desk.ui.app import OssDeskApp


def device_parts(
    app: OssDeskApp, desk_id: str | None, snapshot: DeskSnapshot, *, leader: bool = False
) -> list[StatusPart]:
    """Printer (this desk's), jobs needing an answer here, the board, and for the team leader
    the message alerts."""
    directory = app.runner.session.directory
    desk = directory.desks.get(desk_id or "")
    mine = desk.printer_url if desk else None
    waiting = dict(snapshot.printing.by_printer).get(mine, 0) if mine else 0
    here = {desk_id, app.terminal_desk} | ({None} if leader else set())
    attention = [j for j in snapshot.attention if leader or j.desk_id in here]
    parts = printing_parts(
        worker=snapshot.worker,
        printer_url=mine,
        printer=snapshot.devices.get(mine) if mine else None,
        waiting=waiting,
        attention=attention,
    )
    if snapshot.board_url:
        parts.append(board_part(snapshot.worker, snapshot.devices.get(snapshot.board_url)))
    if leader and snapshot.alerts:
        lines = not_sent_lines(
            list(snapshot.alerts), snapshot.business_day, snapshot.business_day
        ) or [f"{len(snapshot.alerts)} messages not sent"]
        parts.append(StatusPart("Alert", "; ".join(lines) + " (A: seen to)", True))
    return parts


async def ask_about_prints(app: OssDeskApp, snapshot: DeskSnapshot, asked: set[int]) -> None:
    """Ask at this desk about each of its tickets that may not have printed (or failed), once:
    reprint it (the copy says COPY), or leave it (it printed)."""
    here = {app.terminal_desk, app.greet_desk_id}
    for job in snapshot.attention:
        if job.id in asked or job.desk_id not in here or job.desk_id is None:
            continue
        actor = app.actor(job.desk_id)
        if not app.may(Action.REPRINT, actor):
            continue
        asked.add(job.id)
        what = f"Ticket {job.code}" if job.code else job.kind.replace("_", " ").capitalize()
        if job.status == "uncertain":
            question = f"{what} may not have printed. Reprint it (it will say COPY)?"
        else:
            question = f"{what} was not printed ({job.reason or 'failed'}). Reprint it?"
        yes = await app.push_screen_wait(ConfirmDialog(question))
        await app.attempt(answer_job, actor, job.id, reprint=bool(yes))
        await app.after_write()
