"""The devices' part of a desk's status area.

Everything said here comes from the snapshot: the owner of the devices (lease and heartbeat)
and each device's last real answer. Nothing is called fine while no device worker runs.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oss_desk.services.delivery import StatusPart
    from oss_desk.services.desk_view import DeskSnapshot
    from oss_desk.ui.context import DeskContext


def device_parts(
    context: DeskContext, desk_id: str | None, snapshot: DeskSnapshot, *, leader: bool = False
) -> list[StatusPart]:
    """Printer (this desk's), jobs needing an answer here (those this terminal is not asked
    about said with who is: an adviser, who may not reprint, sees that the team leader is), the
    board, and for the team leader the mail server and Notify (when messages wait for them) and
    the message alerts."""
    # With the first snapshot (the status line is empty in the desk's first frame).
    from oss_desk.domain.appointments import untold_refs_said
    from oss_desk.services.alerts import alerts_counted, leader_lines
    from oss_desk.services.delivery import (
        StatusPart,
        board_part,
        office_printers_part,
        printing_parts,
    )
    from oss_desk.ui.context import print_asking

    desk = context.names.desks.get(desk_id or "")
    mine = desk.printer_url if desk else None
    waiting = dict(snapshot.printing.by_printer).get(mine, 0) if mine else 0
    here = {desk_id, context.terminal_desk} | ({None} if leader else set())
    attention = [j for j in snapshot.attention if leader or j.desk_id in here]
    asking = {j.id: print_asking(context, snapshot, j) for j in attention}
    parts = printing_parts(
        worker=snapshot.worker,
        printer_url=mine,
        printer=snapshot.devices.get(mine) if mine else None,
        waiting=waiting,
        attention=attention,
        asked_instead={i: a.instead for i, a in asking.items() if not a.here},  # who, then
    )
    gone = snapshot.worker.describe()
    if snapshot.board_url and not snapshot.worker.alive and parts[0].text.startswith(gone):
        # Nobody drives either device: said once, for both (a narrow bar keeps it whole).
        parts[0] = dataclasses.replace(parts[0], label="Printer, board")
    elif snapshot.board_url:
        parts.append(board_part(snapshot.worker, snapshot.devices.get(snapshot.board_url)))
    if leader:  # the office's other printers that are not working, each named by its desks
        others = [
            (url, d.name)
            for d in context.names.desks.values()
            for url in (d.printer_url, d.fallback_printer_url)
            if url and url != mine
        ]
        office = office_printers_part(snapshot.worker, snapshot.devices, others)
        parts += [office] if office is not None else []
    if leader:  # the mail server and Notify, as the worker last found them
        for label, words in snapshot.senders:
            parts.append(StatusPart(label, words.text, words.fault, words.short, words.least))
    if leader and snapshot.alerts:
        lines = leader_lines(snapshot.alerts, snapshot.business_day)
        short = f"{alerts_counted(snapshot.alerts)} (A)"
        parts.append(StatusPart("Alert", "; ".join(lines) + " (A: seen to)", True, short))
    if leader and snapshot.untold:
        refs = untold_refs_said(snapshot.untold, snapshot.untold_unreachable)
        said = f"not told (booked by slip): {refs}"
        parts.append(StatusPart("Not told", said, True, f"{len(snapshot.untold)} not told"))
    return parts
