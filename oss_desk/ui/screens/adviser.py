"""The adviser desk: who is at the desk, the resident there with live timers, the queue this
desk can call (in the one call order, with counts and the longest wait per service), the
residents parked here; call, recall, recycle, start, park, add a service, finish with a next
step, no-show (asked first, and taken back for two minutes), transfer to a service, a desk or a
colleague, notes and the visit's history.

The flows behind the keys are :mod:`oss_desk.ui.screens.counter`'s.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from oss_desk.domain.access import Action
from oss_desk.domain.appointments import Appointment
from oss_desk.domain.calendar import time_said
from oss_desk.domain.counter import DESK_STATUS_WORDS, PARK_REASONS, idle_text, still_here_said
from oss_desk.domain.models import Channel, DeskStatus, QueueEntry, Ticket, TicketStatus
from oss_desk.domain.queue import (
    CALL_ORDER_WORDS,
    FLAG_HEADING,
    parked_here,
    staff_marks,
    waiting_by_service,
    waiting_for,
)
from oss_desk.domain.waits import waited_minutes
from oss_desk.services.desk_view import DeskSnapshot, DeskState
from oss_desk.services.queue import QueueService
from oss_desk.ui.compositor import draw_now
from oss_desk.ui.context import DeskContext, Ok
from oss_desk.ui.faults import guard, guarded
from oss_desk.ui.keyline import behind
from oss_desk.ui.keys import Keys, role_actions
from oss_desk.ui.screens import counter, desk_logins
from oss_desk.ui.screens.base import key_flow
from oss_desk.ui.screens.flows import find_ticket, needs_text, tick_checklist
from oss_desk.ui.theme import STYLES
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.in_place import in_place
from oss_desk.ui.widgets.panel_text import PanelText
from oss_desk.ui.widgets.queue_table import QueueTable, waited_text

AT_DESK = (TicketStatus.CALLED, TicketStatus.SERVING)


_key = Keys("desk", first=True)  # no text box here: its keys go straight to their actions


desk_action = key_flow("desk")
"""A key's action that runs one of the counter's flows in the desk's worker (one at a time,
under the key hold; a fault goes to the funnel and the desk carries on)."""


class AdviserScreen(counter.CounterScreen):
    CSS_PATH = STYLES / "adviser.tcss"
    AREA = "Adviser desk"
    FOCUS = "#queue"
    HELP = (
        f"N calls the next resident this desk may call: {CALL_ORDER_WORDS}; C calls the "
        "highlighted ticket out of turn. "
        "When they reach the desk, S starts; F finishes with the outcome of each "
        "service (A adds a service to the visit); 'needs an appointment' books it there and "
        "then. R calls again; Q puts them back in the queue at their place if they did not "
        "hear; X asks before marking a no-show, and U takes a no-show back "
        "for 2 minutes. P parks them (fetching a document) and brings them back. T transfers "
        "to a service, a desk or a colleague. O adds a short note to the visit, and H shows its "
        "history and notes (the read is recorded). K ticks the documents an appointment's "
        "resident brought. B starts a break, or ends it. Z logs you in or out of this desk."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        _key(
            "n",
            "call_next",
            "Call next",
            "Call the next resident this desk may call",
            may=Action.CALL_NEXT,
        ),
        _key(
            "c", "call_chosen", "Call chosen", "Call the highlighted ticket", may=Action.CALL_CHOSEN
        ),
        _key(
            "r",
            "recall",
            "Recall",
            "Call the current ticket again (board, voice)",
            may=Action.RECALL,
        ),
        _key(
            "q",
            "recycle",
            "To queue",
            "Not heard: back in the queue at their place",
            may=Action.RECALL,
        ),
        _key("s", "start", "Start", "The resident has arrived at the desk", may=Action.START),
        _key("f", "finish", "Finish", "Finish with the outcome of each service", may=Action.FINISH),
        _key(
            "x",
            "no_show",
            "No-show",
            "No-show, asked first (if they are here after all: start serving)",
            may=Action.NO_SHOW,
        ),
        _key(
            "u",
            "undo_no_show",
            "Undo",
            "Take the last no-show back (2 minutes)",
            id="undo",
            may=Action.NO_SHOW,
        ),
        _key(
            "p",
            "park",
            "Park",
            "Park the resident (fetching a document), or resume",
            may=Action.START,
        ),
        _key("a", "add_service", "Add service", "Another service in this visit", may=Action.FINISH),
        _key.transfer("To another service, a desk or a colleague"),
        _key("o", "note", "Note", "Add a short note to the visit", may=Action.ADD_NOTE),
        _key("h", "history", "History", "The visit's history and notes", may=Action.FIND_TICKET),
        _key(
            "b",
            "toggle_break",
            "Break",
            "A break, or back from it (no calls)",
            id="break",
            may=Action.DESK_STATUS,
        ),
        _key(
            "z",
            "close_desk",
            "Log out",
            "Log out and close the desk, or log in",
            id="close",
            may=Action.DESK_STATUS,
        ),
        _key.checklist("An appointment: the documents brought"),
        _key.find_ticket(),
        _key("f8", "change_desk", "Desk…", "Choose which desk this terminal is", id="change"),
    ]
    ROLE_ACTIONS = role_actions(BINDINGS)

    def __init__(self, desk: DeskContext) -> None:
        super().__init__(desk)
        self.appointment: Appointment | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="adviser-body"):
            with Vertical(id="now-serving"):
                yield PanelText(id="now-title")
                yield BigCode(id="now-code")
                yield PanelText(id="now-info")
                yield PanelText(id="now-timer")
                yield PanelText(id="now-needs")
                yield Static(id="now-appointment")
            with Vertical(id="waiting-panel"):
                yield Static(Text("Waiting", style="bold"), id="waiting-title")
                yield Static(id="queue-counts")
                yield QueueTable(id="queue")
                yield Static(id="parked-line")

    @guarded
    def on_mount(self) -> None:
        self.set_interval(1.0, guard(self, self.show_timer))

    @guarded
    def on_screen_resume(self) -> None:
        self.log_in_here()

    def current_desk(self) -> str | None:
        return self.desk.adviser_desk_id

    def shown_ticket_id(self) -> int | None:
        ticket = self.my_ticket()
        return ticket.id if ticket else self.query_one(QueueTable).selected_ticket_id()

    def key_words(self, action: str, description: str) -> str:
        """Z says what it does now: log in (nobody, or someone else, is logged in here) or
        log out; B on a break says it comes back (as the panel does: "B: back")."""
        if action == "close_desk":
            state = self.my_state()
            login = state.login if state is not None else None
            mine = login is not None and login.person == self.acting_as().person
            return "Log out" if mine else "Log in"
        if action == "toggle_break" and self.my_status() is DeskStatus.BREAK:
            return "Back"
        return description

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.role_allows(action):
            return False
        return True if self.why_not(action) is None else None

    def why_not(self, action: str) -> str | None:
        """Why ``action`` does nothing now (None: it does something)."""
        desk = self.current_desk()
        names = self.desk.names
        if desk is None:
            return "This terminal is no desk yet: F8 chooses one"
        holder = self.held_by_other()
        here = names.desk(desk)
        if holder is not None and action not in ("find", "change_desk", "history", "close_desk"):
            return f"{names.person(holder)} is logged in to {here}: F8 chooses another desk"
        ticket, status = self.my_ticket(), self.my_status()
        who = f"{ticket.code} is at {here}" if ticket else f"Nobody is at {here}"
        if action in ("call_next", "call_chosen"):
            if ticket is not None:
                snap = self.desk.snapshot
                today = snap.business_day if snap is not None else ticket.business_day
                return still_here_said(ticket, here, today)
            if status is DeskStatus.BREAK:
                return f"{here} is on a break: B to come back"
            if status is not DeskStatus.OPEN:
                return f"{here} is closed: Z logs you in and opens it"
            return None
        called = ticket is not None and ticket.status is TicketStatus.CALLED
        if action in ("recall", "recycle", "no_show", "start"):
            if ticket is None:
                return who
            return None if called else f"{ticket.code} is being served already"
        if action in ("finish", "transfer", "note", "add_service"):
            return None if ticket is not None else f"{who}: N calls the next"
        if action == "park":
            return None if ticket or self.parked() else f"{who}, and nobody is parked here"
        if action == "undo_no_show":
            return None if self.can_undo() else "No no-show here in the last 2 minutes"
        if action == "history":
            table = self.query_one(QueueTable)
            chosen = table.selected_ticket_id()
            return None if ticket or chosen else self.not_highlighted(table.gone)
        if action == "checklist":
            return None if self.appointment is not None else "Only for a resident with a booking"
        if action == "toggle_break" and status is DeskStatus.CLOSED:
            return f"{here} is closed: Z logs you in and opens it"
        return None

    # The picture -------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        names = self.desk.names
        table = self.query_one(QueueTable)
        table.target_seconds = snapshot.target_seconds
        table.amber_seconds = snapshot.amber_seconds
        table.labels = names.labels()
        table.names = names
        desk_id = self.current_desk()
        mine = self.waiting_entries(snapshot)
        table.show(mine)
        self.query_one("#waiting-title", Static).update(
            Text(f"Waiting for {names.desk(desk_id)}: {len(mine)}", style="bold")
        )
        self.show_counts(snapshot, mine)
        self.show_parked(snapshot)
        self.show_now(snapshot)
        self.show_appointment(self.my_ticket())
        self.refresh_bindings()

    def show_now(self, snapshot: DeskSnapshot) -> None:
        """The "now called" panel: the desk, the ticket in block letters, who and since when."""
        names = self.desk.names
        state = self.my_state()
        ticket = state.ticket if state else None
        in_place(self.query_one("#now-title", Static), self.title_text(state))
        code = self.query_one(BigCode)
        info = self.query_one("#now-info", Static)
        needs = self.query_one("#now-needs", Static)
        if ticket is None:
            code.code = "----"
            in_place(info, Text(self.hint_text(state), style="dim"))
            in_place(needs, "")
        else:
            code.code = ticket.code
            text = Text()
            text.append(f"{ticket.code}  ", style="bold")
            text.append(names.service(ticket.service), style="bold")
            for added in snapshot.added.get(ticket.visit_id, ()):
                done = f": {added.outcome.value}" if added.outcome else ""
                text.append(f"\n+ {names.service(added.service)}{done}")
            zone = names.timezone(ticket.site_id) or "Europe/London"
            earlier = ticket.business_day != snapshot.business_day  # served past midnight
            arrived = time_said(ticket.queued_at, zone, names.today(), dated=earlier)
            entry = next((e for e in snapshot.queue if e.ticket.id == ticket.id), None)
            waited = (  # until the call, by the report's clock (the live queue's entry)
                entry.wait_seconds
                if entry is not None
                else ((ticket.called_at or snapshot.taken_at) - ticket.queued_at).total_seconds()
            )
            text.append(f"\narrived {arrived}, waited {waited_minutes(waited)} min")
            if ticket.recalls:
                text.append(f"\nrecalled {ticket.recalls} time{'s' if ticket.recalls > 1 else ''}")
            texts = snapshot.texts.get(ticket.visit_id)
            for said in texts.not_sent if texts else ():  # not told: call the code aloud
                text.append(f"\n{said}", style=self.app.theme_variables.get("error", "red"))
            for said in texts.uncertain if texts else ():  # may have been told
                text.append(f"\n{said}", style=self.app.theme_variables.get("warning", "yellow"))
            in_place(info, text)
            in_place(needs, self.marks_text(ticket))
        self.show_timer()

    def marks_text(self, ticket: Ticket) -> Text | str:
        """The called ticket's flag (urgent), apart from the resident's needs ("" if none)."""
        text = Text(style="bold")
        if marks := ", ".join(staff_marks(ticket)):
            text.append(f"{FLAG_HEADING}: ")
            text.append(marks, style=self.app.theme_variables.get("error", "red"))
        if ticket.needs:
            text.append(f"{'  ' if text else ''}Needs: {needs_text(ticket.needs)}")
        return text or ""

    def title_text(self, state: DeskState | None) -> Text:
        names = self.desk.names
        desk_id = self.current_desk()
        title = Text()
        title.append(names.desk(desk_id), style="bold")
        if state is None:
            return title
        if state.login is not None:
            title.append(f" · {names.person(state.login.person)}")
        title.append(f" · {DESK_STATUS_WORDS[state.status]}")
        return title

    def hint_text(self, state: DeskState | None) -> str:
        holder = self.held_by_other()
        if holder is not None:
            return f"{self.desk.names.person(holder)} is logged in here · F8: another desk"
        if state is None or (state.login is None and state.status is DeskStatus.CLOSED):
            return "Z: log in and open the desk"
        if state.status is DeskStatus.BREAK:
            return "On a break · B: back"
        if state.status is DeskStatus.CLOSED:
            return "Z: open the desk"
        return "N: call next"

    def show_timer(self) -> None:
        """ "called 2 min ago" / "serving for 12 min", live (the clock, not the snapshot)."""
        ticket = self.my_ticket()
        timer = self.query_one("#now-timer", Static)
        if ticket is None:
            state = self.my_state()
            since = state.activity[1] if state else None
            if state is not None and since is not None and state.status is not DeskStatus.CLOSED:
                what = "on a break" if state.status is DeskStatus.BREAK else "free"
                names = self.desk.names
                idle = idle_text(what, names.local(since), names.local(names.now()))
                in_place(timer, Text(idle, style="dim"))
            else:
                in_place(timer, "")
            return
        text = Text()
        if ticket.status is TicketStatus.SERVING and ticket.serving_at is not None:
            text.append(f"serving for {self._minutes(ticket.serving_at)} min", style="bold")
        elif ticket.called_at is not None:
            text.append(f"called {self._minutes(ticket.called_at)} min ago", style="bold")
        in_place(timer, text)

    def waiting_entries(self, snapshot: DeskSnapshot) -> list[QueueEntry]:
        """The tickets this desk may call (the one rule: ``domain.queue.waiting_for``): its
        list, the breakdown under it and the status bar's "Waiting" all count these."""
        desk_id = self.current_desk()
        desk = self.desk.names.desks.get(desk_id) if desk_id else None
        return waiting_for(desk, snapshot.queue, snapshot.floor) if desk is not None else []

    def show_counts(self, snapshot: DeskSnapshot, mine: list[QueueEntry]) -> None:
        """For each service: how many of the tickets this desk may call wait for it, and the
        longest wait (so the breakdown adds up to "Waiting for Desk N")."""
        counts = waiting_by_service(mine)
        line = Text()
        for service in snapshot.by_service:
            if service.code not in counts:
                continue
            waiting, longest = counts[service.code]
            if line:
                line.append("  ")
            line.append(f"{service.code} ", style="bold")
            line.append(f"{waiting}·{waited_text(longest, True)}")
        self.query_one("#queue-counts", Static).update(line or Text("Nobody waiting", "dim"))

    def show_parked(self, snapshot: DeskSnapshot) -> None:
        desk_id = self.current_desk()
        here = parked_here(desk_id, snapshot.queue) if desk_id else []
        text = Text()
        if here:
            text.append("Parked: ", style="bold")
            text.append(
                "; ".join(
                    f"{e.ticket.code} {PARK_REASONS.get(e.ticket.park_reason or '', '')} "
                    f"{self._minutes(e.ticket.parked_at or snapshot.taken_at)} min"
                    for e in here
                )
            )
            text.append(" (P)", style="dim")
        self.query_one("#parked-line", Static).update(text)

    @work(exclusive=True, group="desk-appointment", exit_on_error=False)
    async def show_appointment(self, ticket: Ticket | None) -> None:
        """A checked-in appointment: its reference and what was brought (K ticks it)."""
        line = self.query_one("#now-appointment", Static)
        if ticket is None or ticket.channel is not Channel.APPOINTMENT:
            self.appointment = None
            line.update("")
            return
        ticket_id = ticket.id
        from oss_desk.services.appointments import AppointmentService

        found = await self.desk.act(lambda s: AppointmentService(s).for_ticket(ticket_id))
        if not isinstance(found, Ok):
            return  # shown already; what was on screen stays
        appt = self.appointment = found.value
        if appt is None:
            line.update("")
        else:
            items = self.desk.names.checklist(appt.service)
            brought = sum(1 for item in items if item in appt.checklist_ticked)
            text = Text(f"Appointment {appt.ref}", style="bold")
            if items:
                text.append(f"\nbrought {brought} of {len(items)} (K)")
            line.update(text)
        self.refresh_bindings()

    def ticket_actions(self, ticket: Ticket) -> list[tuple[str, str]]:
        """A ticket scanned or found here: call it to this desk, recall it, or resume it."""
        desk_id = self.current_desk()
        snap = self.desk.snapshot
        desk = self.desk.names.desks.get(desk_id) if desk_id else None
        if desk is None or snap is None:
            return []
        here = self.desk.names.desk(desk_id)
        mine = self.my_ticket()
        if mine is not None and mine.id == ticket.id and ticket.status is TicketStatus.CALLED:
            return [("r", f"Recall {ticket.code} (call it again)")]
        if ticket.parked and ticket.desk == desk_id and mine is None:
            return [("p", f"Resume {ticket.code} here")]
        callable_here = any(
            e.ticket.id == ticket.id for e in waiting_for(desk, snap.queue, snap.floor)
        )
        if callable_here and mine is None and self.why_not("call_chosen") is None:
            return [("c", f"Call {ticket.code} to {here} now")]
        return []

    async def ticket_action(self, ticket: Ticket, key: str) -> None:
        desk = self.current_desk()
        if desk is None:
            return
        actor = self.desk.actor(desk)
        ticket_id = ticket.id
        if key == "r":
            await self.commit(lambda s: QueueService(s, actor).recall(ticket_id), "Called again")
        elif key == "p":
            await self.commit(lambda s: QueueService(s, actor).resume(ticket_id), "Resumed")
        elif key == "c":
            await self.commit(lambda s: QueueService(s, actor).call(ticket_id, desk))

    # Logging in ---------------------------------------------------------------------------------

    def log_in_here(self) -> None:
        """Entering the desk: log the person in to it (``desk_logins.log_in_on_entering``)."""
        desk_logins.log_in_on_entering(self, self.entered)

    @guarded
    def _on_snapshot(self, snapshot: DeskSnapshot | None) -> None:
        if snapshot is not None and self.is_current and self.desk.own_change:
            # This desk's own change (call next, a transfer): only the "now called" panel in
            # this frame, drawn at once, so that the frame is small and soon; the rest of the
            # screen in the next.
            self.show_now(snapshot)
            draw_now(self)
            self.call_after_refresh(self._show_rest, snapshot)
            return
        super()._on_snapshot(snapshot)
        if snapshot is not None and self.is_current:
            self.log_in_here()

    @guarded
    def _show_rest(self, snapshot: DeskSnapshot) -> None:
        if self.desk.snapshot is snapshot:  # else a newer one has been drawn whole already
            self._on_snapshot(snapshot)

    # Actions ------------------------------------------------------------------------------------

    action_call_chosen = desk_action(counter.call_chosen)
    action_finish = desk_action(counter.finish)
    action_no_show = desk_action(counter.no_show)
    action_undo_no_show = desk_action(counter.undo_no_show)
    action_park = desk_action(counter.park_or_resume)
    action_add_service = desk_action(counter.add_service)
    action_transfer = desk_action(counter.transfer)
    action_note = desk_action(counter.note)
    action_close_desk = desk_action(desk_logins.log_in_or_out)
    action_find = desk_action(find_ticket)
    action_change_desk = desk_action(desk_logins.change_desk)

    @guarded
    def action_call_next(self) -> None:
        """N: the transaction is handed to the database thread here, at the key, and the desk's
        worker waits for it and shows its result (one flow at a time, as for every key)."""
        desk = self.current_desk()
        if desk is None:
            return
        actor = self.acting_as()
        pending = self.desk.begin(lambda s: QueueService(s, actor).call_next(desk), own_change=True)
        flow = self.run_worker(
            guard(self, partial(counter.called, self, desk, pending)),  # made when it runs
            name="call_next",
            group="desk",
            exclusive=True,
            exit_on_error=False,
        )
        behind(self.app, flow)  # the next key acts on the resident called (S starts them)

    @key_flow("desk")
    async def action_recall(self) -> None:
        await counter.change(self, lambda q, t: q.recall(t.id), "{code} called again")

    @key_flow("desk")
    async def action_recycle(self) -> None:
        await counter.change(
            self, lambda q, t: q.recycle(t.id), "{code} is back in the queue at its place"
        )

    @key_flow("desk")
    async def action_start(self) -> None:
        await counter.change(self, lambda q, t: q.start(t.id))

    @key_flow("desk")
    async def action_history(self) -> None:
        ticket = self.my_ticket()
        ticket_id = ticket.id if ticket else self.query_one(QueueTable).selected_ticket_id()
        if ticket_id is not None:
            await counter.history(self, ticket_id)

    @key_flow("desk")
    async def action_toggle_break(self) -> None:
        desk = self.current_desk()
        if desk is None:
            return
        wanted = DeskStatus.OPEN if self.my_status() is not DeskStatus.OPEN else DeskStatus.BREAK
        actor = self.desk.actor(desk)
        word = "open" if wanted is DeskStatus.OPEN else "on a break"
        if wanted is DeskStatus.BREAK and not await desk_logins.break_with_resident(self):
            return
        await self.commit(
            lambda s: QueueService(s, actor).set_desk_status(desk, wanted),
            f"{self.desk.names.desk(desk)}: {word}",
        )

    @key_flow("desk")
    async def action_checklist(self) -> None:
        if self.appointment is None:
            return
        await tick_checklist(self, self.appointment, [])
        self.show_appointment(self.my_ticket())
