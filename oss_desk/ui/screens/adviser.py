"""The adviser desk: now serving, call next, recall, start, finish, no-show, transfer, note."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from oss_desk.domain.access import Action
from oss_desk.domain.appointments import Appointment
from oss_desk.domain.models import Actor, Channel, DeskStatus, Ticket, TicketStatus
from oss_desk.domain.queue import waiting_for
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.queue import NOTE_LIMIT, QueueService
from oss_desk.ui.context import DeskContext, Ok
from oss_desk.ui.dialogs import ChoiceDialog, ConfirmDialog, OutcomeDialog, TextDialog
from oss_desk.ui.screens.base import DeskScreen
from oss_desk.ui.screens.flows import find_ticket, needs_text, pick_service, tick_checklist
from oss_desk.ui.screens.followup_flows import follow_up_outcome
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.queue_table import QueueTable

PRIVACY_REMINDER = (
    "Keep it short and factual: what was done, what happens next. No health or other "
    "sensitive details unless the service needs them. Notes are deleted on the council's "
    "retention schedule and never appear on tickets, the board or in logs."
)


class AdviserScreen(DeskScreen):
    AREA = "Adviser desk"
    FOCUS = "#queue"
    HELP = (
        "N calls the next resident for this desk (appointments first, then the longest wait). "
        "When they arrive, S starts; F finishes with the outcome. R calls them again; X marks a "
        "no-show. T moves them to another service without losing their place. For a resident "
        "with an appointment, K ticks the documents they brought."
    )
    ROLE_ACTIONS: ClassVar[dict[str, Action]] = {
        "call_next": Action.CALL_NEXT,
        "call_chosen": Action.CALL_CHOSEN,
        "recall": Action.RECALL,
        "start": Action.START,
        "finish": Action.FINISH,
        "no_show": Action.NO_SHOW,
        "transfer": Action.TRANSFER,
        "note": Action.ADD_NOTE,
        "toggle_break": Action.DESK_STATUS,
        "close_desk": Action.DESK_STATUS,
        "checklist": Action.TICK_CHECKLIST,
        "find": Action.FIND_TICKET,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "call_next",
            "Call next",
            id="desk.call_next",
            tooltip="Call the next resident this desk can serve",
        ),
        Binding(
            "c",
            "call_chosen",
            "Call chosen",
            id="desk.call_chosen",
            tooltip="Call the ticket highlighted in the queue, out of turn",
        ),
        Binding(
            "r",
            "recall",
            "Recall",
            id="desk.recall",
            tooltip="Call the current ticket again (board and announcement)",
        ),
        Binding(
            "s", "start", "Start", id="desk.start", tooltip="The resident has arrived at the desk"
        ),
        Binding(
            "f",
            "finish",
            "Finish",
            id="desk.finish",
            tooltip="Finish with an outcome: resolved, signposted, referred...",
        ),
        Binding(
            "x",
            "no_show",
            "No-show",
            id="desk.no_show",
            tooltip="The resident did not come when called",
        ),
        Binding(
            "t",
            "transfer",
            "Transfer",
            id="desk.transfer",
            tooltip="Move to another service, keeping their arrival time",
        ),
        Binding("o", "note", "Note", id="desk.note", tooltip="Add a short note to the visit"),
        Binding(
            "b",
            "toggle_break",
            "Break",
            id="desk.break",
            tooltip="Go on a break, or come back (call next waits for you)",
        ),
        Binding(
            "z",
            "close_desk",
            "Close",
            id="desk.close",
            tooltip="Close this desk (or open it again)",
        ),
        Binding(
            "k",
            "checklist",
            "Checklist",
            id="desk.checklist",
            tooltip="An appointment: tick the documents the resident brought",
        ),
        Binding("f7", "find", "Find", id="desk.find", tooltip="Look a ticket up by its code"),
        Binding(
            "f8",
            "change_desk",
            "Desk…",
            id="desk.change",
            tooltip="Choose which desk this terminal is",
        ),
    ]

    def __init__(self, desk: DeskContext) -> None:
        super().__init__(desk)
        self.appointment: Appointment | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="adviser-body"):
            with Vertical(id="now-serving"):
                yield Static(id="now-title")
                yield BigCode(id="now-code")
                yield Static(id="now-info")
                yield Static(id="now-needs")
                yield Static(id="now-appointment")
            with Vertical(id="waiting-panel"):
                yield Static(Text("Waiting", style="bold"), id="waiting-title")
                yield QueueTable(id="queue")

    def current_desk(self) -> str | None:
        return self.desk.adviser_desk_id

    def shown_ticket_id(self) -> int | None:
        ticket = self.my_ticket()
        return ticket.id if ticket else self.query_one(QueueTable).selected_ticket_id()

    # State ------------------------------------------------------------------------------------

    def my_ticket(self) -> Ticket | None:
        snap = self.desk.snapshot
        desk = self.current_desk()
        if snap is None or desk is None:
            return None
        state = snap.desk(desk)
        return state.ticket if state else None

    def my_status(self) -> DeskStatus | None:
        snap = self.desk.snapshot
        desk = self.current_desk()
        state = snap.desk(desk) if snap is not None and desk is not None else None
        return state.status if state else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.role_allows(action):
            return False
        ticket = self.my_ticket()
        status = self.my_status()
        if action in ("call_next", "call_chosen"):
            return True if ticket is None and status is DeskStatus.OPEN else None
        if action in ("recall", "no_show"):
            return True if ticket is not None and ticket.status is TicketStatus.CALLED else None
        if action == "start":
            return True if ticket is not None and ticket.status is TicketStatus.CALLED else None
        if action in ("finish", "transfer", "note"):
            return True if ticket is not None else None
        if action == "checklist":
            return True if self.appointment is not None else None
        return True

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        names = self.desk.names
        table = self.query_one(QueueTable)
        table.target_seconds = snapshot.target_seconds
        table.amber_seconds = snapshot.amber_seconds
        table.labels = names.labels()
        desk_id = self.current_desk()
        desk = names.desks.get(desk_id) if desk_id else None
        mine = waiting_for(desk, snapshot.queue) if desk is not None else []
        table.show(mine)
        self.query_one("#waiting-title", Static).update(
            Text(f"Waiting for {names.desk(desk_id)}: {len(mine)}", style="bold")
        )
        ticket = self.my_ticket()
        status = self.my_status()
        title = Text()
        title.append(f"{names.desk(desk_id)} ", style="bold")
        title.append(f"({status.value if status else 'unknown'})")
        code = self.query_one(BigCode)
        info = self.query_one("#now-info", Static)
        needs = self.query_one("#now-needs", Static)
        if ticket is None:
            title.append(" · nobody at the desk")
            code.code = "----"
            hint = "N: call next" if status is DeskStatus.OPEN else "B: back from the break"
            if status is DeskStatus.CLOSED:
                hint = "Z: open the desk"
            info.update(Text(hint, style="dim"))
            needs.update("")
        else:
            state = "being served" if ticket.status is TicketStatus.SERVING else "called"
            title.append(f" · now {state}")
            code.code = ticket.code
            waited = ((ticket.called_at or snapshot.taken_at) - ticket.queued_at).total_seconds()
            text = Text()
            text.append(f"{ticket.code}  ", style="bold")
            text.append(names.service(ticket.service), style="bold")
            text.append(
                f"\narrived {names.local_time(ticket.queued_at)}, waited {int(waited // 60)} min"
            )
            if ticket.recalls:
                text.append(f"\nrecalled {ticket.recalls} time{'s' if ticket.recalls > 1 else ''}")
            info.update(text)
            needs.update(
                Text("Needs: " + needs_text(ticket.needs), style="bold") if ticket.needs else ""
            )
        self.query_one("#now-title", Static).update(title)
        self.show_appointment(ticket)
        self.refresh_bindings()

    @work(exclusive=True, group="desk-appointment", exit_on_error=False)
    async def show_appointment(self, ticket: Ticket | None) -> None:
        """A checked-in appointment: its reference and what was brought (K ticks it)."""
        line = self.query_one("#now-appointment", Static)
        if ticket is None or ticket.channel is not Channel.APPOINTMENT:
            self.appointment = None
            line.update("")
            return
        ticket_id = ticket.id
        found = await self.desk.act(lambda s: AppointmentService(s).for_ticket(ticket_id))
        if not isinstance(found, Ok):
            return  # shown already; what was on screen stays
        appt = self.appointment = found.value
        if appt is None:
            line.update("")
        else:
            items = self.desk.names.checklist(appt.service)
            brought = sum(1 for item in items if item in appt.checklist_ticked)
            text = Text(f"\nAppointment {appt.ref}", style="bold")
            if items:
                text.append(f"\nbrought {brought} of {len(items)} documents (K)")
            line.update(text)
        self.refresh_bindings()

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_checklist(self) -> None:
        if self.appointment is None:
            return
        await tick_checklist(self, self.appointment, [])
        self.show_appointment(self.my_ticket())

    # Actions -----------------------------------------------------------------------------------

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_call_next(self) -> None:
        desk = self.current_desk()
        if desk is None:
            return
        actor = self.acting_as()
        called = await self.desk.act(lambda s: QueueService(s, actor).call_next(desk))
        if not isinstance(called, Ok):
            return  # refused or failed: shown already (never "nobody waiting")
        if called.value is None:
            self.say(f"Nobody is waiting for {self.desk.names.desk(desk)}", timeout=3)
        else:
            self.desk.show_result(called.value)  # in this frame; the full snapshot follows
        await self.desk.after_write()

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_call_chosen(self) -> None:
        desk = self.current_desk()
        ticket_id = self.query_one(QueueTable).selected_ticket_id()
        if desk is None or ticket_id is None:
            self.say("Highlight a waiting ticket first")
            return
        actor = self.acting_as()
        await self.commit(lambda s: QueueService(s, actor).call(ticket_id, desk))

    def _with_ticket(self) -> tuple[Ticket, Actor] | None:
        """The ticket at this desk and who acts on it (None, said: nobody is at the desk)."""
        ticket = self.my_ticket()
        desk = self.current_desk()
        if ticket is None or desk is None:
            self.say("Nobody is at this desk")
            return None
        return ticket, self.desk.actor(desk)

    async def _change_ticket(
        self,
        change: Callable[[QueueService, Ticket], object],
        done: Callable[[Ticket], str] | None = None,
    ) -> None:
        """Change the ticket at this desk, as this desk's person."""
        if (found := self._with_ticket()) is None:
            return
        ticket, actor = found
        await self.commit(
            lambda s: change(QueueService(s, actor), ticket), done(ticket) if done else None
        )

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_recall(self) -> None:
        await self._change_ticket(lambda q, t: q.recall(t.id), lambda t: f"{t.code} called again")

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_start(self) -> None:
        await self._change_ticket(lambda q, t: q.start(t.id))

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_finish(self) -> None:
        if (found := self._with_ticket()) is None:
            return
        ticket, actor = found
        outcome = await self.app.push_screen_wait(OutcomeDialog(ticket.code))
        if outcome is None:
            return
        finished = await self.commit(
            lambda s: QueueService(s, actor).finish(ticket.id, outcome),
            f"{ticket.code} finished: {outcome.value}",
        )
        if isinstance(finished, Ok):
            await follow_up_outcome(self, actor, outcome, ticket.service, ticket=ticket.id)

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_no_show(self) -> None:
        await self._change_ticket(
            lambda q, t: q.no_show(t.id), lambda t: f"{t.code} marked no-show"
        )

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_transfer(self) -> None:
        if (found := self._with_ticket()) is None:
            return
        ticket, actor = found
        code = await pick_service(self, f"Transfer {ticket.code} to which service?")
        if code is None:
            return
        moved = await self.desk.act(
            lambda s: QueueService(s, actor).transfer(ticket.id, service=code)
        )
        if isinstance(moved, Ok):
            self.desk.show_result(moved.value)
            self.notify_done(f"{ticket.code} is now {moved.value.code}: same place in the queue")
            await self.desk.after_write()

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_note(self) -> None:
        if (found := self._with_ticket()) is None:
            return
        ticket, actor = found
        text = await self.app.push_screen_wait(
            TextDialog(
                f"Note on {ticket.code}'s visit",
                placeholder="A short note",
                hint=PRIVACY_REMINDER,
                max_length=NOTE_LIMIT,
            )
        )
        if not text:
            return
        await self.commit(lambda s: QueueService(s, actor).add_note(ticket.id, text), "Note saved")

    async def _set_status(self, desk: str, wanted: DeskStatus) -> None:
        actor = self.desk.actor(desk)
        await self.commit(
            lambda s: QueueService(s, actor).set_desk_status(desk, wanted),
            f"{self.desk.names.desk(desk)}: {wanted.value}",
        )

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_toggle_break(self) -> None:
        desk = self.current_desk()
        if desk is None:
            return
        wanted = DeskStatus.OPEN if self.my_status() is not DeskStatus.OPEN else DeskStatus.BREAK
        await self._set_status(desk, wanted)

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_close_desk(self) -> None:
        desk = self.current_desk()
        if desk is None:
            return
        closing = self.my_status() is not DeskStatus.CLOSED
        if closing and not await self.app.push_screen_wait(
            ConfirmDialog(f"Close {self.desk.names.desk(desk)} for the day?")
        ):
            return
        await self._set_status(desk, DeskStatus.CLOSED if closing else DeskStatus.OPEN)

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_find(self) -> None:
        await find_ticket(self)

    @work(exclusive=True, group="desk", exit_on_error=False)
    async def action_change_desk(self) -> None:
        desks = [
            (d.id, f"{d.name}  ({d.kind.value})")
            for d in self.desk.names.desks.values()
            if d.services
        ]
        chosen = await self.app.push_screen_wait(
            ChoiceDialog("Which desk is this terminal?", desks)
        )
        if chosen is None:
            return
        self.desk.use_adviser_desk(chosen)
        if self.desk.snapshot is not None:
            self._on_snapshot(self.desk.snapshot)
