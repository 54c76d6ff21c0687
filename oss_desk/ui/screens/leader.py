"""The team leader: every desk, the queue by service, today's running figures."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from oss_desk.domain.access import Action
from oss_desk.domain.calendar import elapsed_text
from oss_desk.domain.closed_day import closed_line
from oss_desk.domain.counter import transferred_place
from oss_desk.domain.models import (
    Actor,
    DeskKind,
    DeskStatus,
    QueueEntry,
    Ticket,
    TicketStatus,
)
from oss_desk.domain.needs import unmet_said
from oss_desk.domain.queue import (
    CancelReason,
    parked_here,
    staff_marks,
)
from oss_desk.domain.sent_to import SENT_TO_DESK
from oss_desk.domain.standards import FIRST_CONTACT, SEEN_WITHIN_TARGET
from oss_desk.render.formats import percent
from oss_desk.services.alerts import acknowledge_shown, seen_to_question
from oss_desk.services.desk_view import DeskSnapshot, DeskState
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session
from oss_desk.ui.context import Ok
from oss_desk.ui.dialogs import ChoiceDialog, ConfirmDialog
from oss_desk.ui.dialogs.counter import QuestionDialog
from oss_desk.ui.faults import guarded
from oss_desk.ui.keys import Keys, role_actions
from oss_desk.ui.screens.base import DeskScreen, acts_on, key_flow
from oss_desk.ui.screens.flows import (
    desk_choices,
    find_ticket,
    pick_new_service,
    send_to_chosen_desk,
    unmet_here,
)
from oss_desk.ui.screens.followup_flows import due_line
from oss_desk.ui.screens.leader_flows import close_desk, close_or_reopen_day, pause_desk
from oss_desk.ui.screens.summary_print import print_summary
from oss_desk.ui.theme import STYLES
from oss_desk.ui.widgets.fit import FittedTable, update_rows
from oss_desk.ui.widgets.leader_tables import (
    COLUMNS,
    GAP,
    RULE,
    TITLES,
    fit_desk_rows,
    fit_service_rows,
    services_width,
)
from oss_desk.ui.widgets.queue_table import QueueTable, waited_text

_key = Keys("leader")
CLOSE_DESK = "Close desk"

LEFT_OPEN = (TicketStatus.WAITING, TicketStatus.CALLED)
"""What closing the day closes (``day_end.left_open_now``): E closes while any is left."""


CANCEL_MEANING = (
    "\n".join(f"{r.value[0].upper()}: {r.words}." for r in CancelReason)
    + "\nThe reports count each on its own line: a resident who left unseen is a walk-out (a "
    "miss after the wait target); a ticket issued in error had no visitor, so it is not among "
    "the day's arrivals. Esc: the ticket stays in the queue."
)
"""F1's words at "Cancel C004: why?" (each answer, and what the reports make of it)."""
SEEN_TO = (
    "These messages to residents (or report emails to you) were not sent, or may have been. y "
    "says each was seen to, the resident told another way (a report sent again, or not "
    "needed): they stop showing as alerts. n or Esc: they stay."
)


class LeaderScreen(DeskScreen):
    CSS_PATH = STYLES / "leader.tcss"
    AREA = "Team leader"
    FOCUS = "#queue"
    HELP = (
        "The top line is today's running figures against the standards (over "
        f"{SEEN_WITHIN_TARGET.target}% seen within 15 minutes; {FIRST_CONTACT.target}% resolved "
        "at first contact); a resident still waiting unseen past 15 minutes counts as a miss "
        "already. Tab moves between the desks, the services and the queue. Each "
        "desk shows who is logged in, what it is doing (and who is parked there) and for how "
        "long."
    )
    HELP_KEYS: ClassVar[dict[str, str]] = {  # said only to those offered the key
        "send_to_desk": "D sends the highlighted ticket to a desk (those that meet the resident's "
        "needs are marked; sending them to another asks first).",
        "transfer": "T moves the highlighted ticket to another service.",
        "cancel_ticket": "X cancels the highlighted ticket, asking why: L, the resident left "
        "(a walk-out, a miss after 15 minutes), or E, it was issued in error (no resident: not "
        "a walk-out).",
        "toggle_desk": "Z closes the highlighted desk (a closed desk opens when someone logs "
        "in there).",
        "toggle_break": "B puts the highlighted desk on a break (it calls nobody; those sent to "
        "it wait for it) or, on a break, opens it again. To have an adviser serve other "
        "services for the day, they log in to a desk that serves them (F8 at their desk); a "
        "desk's services change only in the configuration (oss-desk init).",
        "reprint": "P reprints a ticket.",
        "print_summary": "S prints today's summary on a chosen printer (another day's: S on "
        "Reports, F6, prints the day shown there).",
        "close_day": "E closes the day (after asking, and saying how many tickets it closes); "
        "while the day is closed (the top line says by whom and when) and nothing is left "
        "open, E reopens it.",
        "acknowledge": "A says the messages not sent are seen to (they stop showing).",
    }
    SHOWS_ALERTS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        _key(
            "d",
            "send_to_desk",
            "Send to desk",
            "Send the highlighted ticket to a chosen desk",
            id="send",
            may=Action.REASSIGN,
        ),
        _key.transfer("Move the highlighted ticket to another service"),
        _key("p", "reprint", "Reprint", "Print the highlighted ticket again", may=Action.REPRINT),
        _key(
            "x",
            "cancel_ticket",
            "Cancel",
            "Cancel the highlighted ticket: the resident left (L), or it was issued in error "
            "(E); asks which",
            id="cancel",
            may=Action.CANCEL_TICKET,
        ),
        _key(
            "z",
            "toggle_desk",
            "Close/open desk",
            "Close the highlighted desk (it opens when someone logs in there)",
            may=Action.DESK_STATUS,
        ),
        _key(
            "b",
            "toggle_break",
            "Break/open desk",
            "Put the highlighted desk on a break, or open it again from one",
            id="break",
            may=Action.DESK_STATUS,
        ),
        _key.find_ticket(),
        _key(
            "s",
            "print_summary",
            "Print today's summary",
            "Print today's footfall summary on a chosen desk's printer (Reports, F6: S prints "
            "the day shown there)",
            id="summary",
            may=Action.VIEW_REPORTS,
        ),
        _key(
            "e",
            "close_day",
            "Close the day",
            "Close every ticket still waiting or called as office closed, and take no more "
            "arrivals until the day is reopened (asks first)",
            may=Action.CANCEL_TICKET,
        ),
        _key(
            "e",
            "reopen_day",
            "Reopen the day",
            "The day is closed with nothing left open: reopen it, so that meet-and-greet "
            "issues tickets and appointments check residents in again (asks first)",
            may=Action.CANCEL_TICKET,
        ),
        _key(
            "a",
            "acknowledge",
            "Alerts seen",
            "Messages not sent: say they are seen to (they stop showing)",
            may=Action.ACKNOWLEDGE_ALERT,
        ),
    ]
    ROLE_ACTIONS = role_actions(BINDINGS)

    _reopens_shown = False
    """What E said on the key bar when last drawn: reopen the day (True) or close it."""

    def compose_body(self) -> ComposeResult:
        yield Static(id="figures")
        with Horizontal(id="leader-top"):
            for table_id, box in (("#desks", "desks-box"), ("#by-service", "services-box")):
                with Vertical(id=box):
                    yield Static(Text(TITLES[table_id], style="bold"), classes="table-title")
                    yield FittedTable(id=table_id.removeprefix("#"), cursor_type="row")
        yield QueueTable(id="queue")

    @guarded
    def on_mount(self) -> None:
        for table_id, columns in COLUMNS.items():
            table = self.query_one(table_id, DataTable)
            for label, key in columns:
                table.add_column(Text(label), key=key)  # plain: never read as markup

    @on(FittedTable.WidthChanged)
    @guarded
    def _resized(self) -> None:
        # The desks' and services' rows are fitted to their tables' widths: fit them again when
        # a table is first laid out (a snapshot can come before that) or the terminal resized.
        snapshot = self.desk.snapshot
        if snapshot is not None:
            self._on_snapshot(snapshot)

    def wants_fresh_data(self) -> bool:
        return True  # the running figures are only taken for this screen

    def current_desk(self) -> str | None:
        return self.desk.terminal_desk

    def acting_as(self) -> Actor:
        return self.desk.leader_actor()

    def shown_ticket_id(self) -> int | None:
        return self.query_one(QueueTable).selected_ticket_id()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if allowed and action in ("close_day", "reopen_day"):
            return (action == "reopen_day") == self.reopens()  # E is one or the other
        return allowed

    def reopens(self) -> bool:
        """E reopens the day: it is closed and nothing is left open (as the live queue shows;
        the key's own question reads both again)."""
        snap = self.desk.snapshot
        return (
            snap is not None
            and snap.closed_day is not None
            and not any(e.ticket.status in LEFT_OPEN for e in snap.queue)
        )

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        names = self.desk.names
        figures = snapshot.figures
        text = Text()
        closed = snapshot.closed_day
        if closed is not None:
            who = names.person(closed.closed_by)
            when = closed_line(closed, who, names.timezone(snapshot.site_id) or "UTC")
            text.append(when, style=f"bold {self.app.theme_variables.get('warning', 'yellow')}")
            text.append("   ")
        if self.reopens() != self._reopens_shown:
            self._reopens_shown = not self._reopens_shown
            self.refresh_bindings()  # E's word on the key bar: close or reopen
        if figures is None:
            text.append("Today's figures: loading…", style="dim")
        else:
            target = snapshot.target_seconds // 60
            text.append("Today  ", style="bold")
            text.append(f"arrivals {figures.figures.visits}   ")
            for label, standard in (
                (f"within {target} min ", snapshot.within_target),
                ("   first contact ", figures.standard(FIRST_CONTACT.key)),
            ):
                text.append(label)
                if standard is not None:
                    text.append(percent(standard.value), style=self._rag(standard.status))
            text.append(f"   no-shows {figures.figures.no_shows}   served {figures.figures.served}")
            if figures.followups:
                text.append("\n")
                text.append_text(due_line(figures.followups))
        self.query_one("#figures", Static).update(text)
        desk_rows: dict[str, tuple[Text, ...]] = {  # meet-and-greet too: every desk
            state.desk.id: self._desk_row(state, snapshot) for state in snapshot.desks
        }
        service_rows: dict[str, tuple[Text, ...]] = {
            line.code: (
                Text(f"{line.code} {names.services[line.code].label}"),
                Text(str(line.waiting)),
                Text(waited_text(line.longest_wait_seconds) if line.waiting else "-"),
                Text(str(line.over_target), style=self._over_style(line.over_target)),
            )
            for line in snapshot.by_service
        }
        # The width the two tables share, by what each needs (the services' first).
        total = self.query_one("#leader-top").size.width
        wide = services_width(total, desk_rows, service_rows)
        box = self.query_one("#services-box")
        if box.styles.width is None or box.styles.width.cells != wide + RULE:
            box.styles.width = wide + RULE
        desks_wide = total - GAP - wide if total > 0 else 0
        for table_id, fitted in (
            ("#desks", fit_desk_rows(desk_rows, desks_wide)),
            ("#by-service", fit_service_rows(service_rows, wide if total else 0)),
        ):
            keys = tuple(key for _, key in COLUMNS[table_id])
            with self.app.batch_update():
                update_rows(self.query_one(table_id, DataTable), fitted, keys)
        table = self.query_one(QueueTable)
        table.target_seconds = snapshot.target_seconds
        table.amber_seconds = snapshot.amber_seconds
        table.labels = names.labels()
        table.names = names
        table.show(snapshot.queue)

    def _rag(self, status: str) -> str:
        """The colour of a standard's red/amber/green status (as the reports rate it)."""
        colours = self.app.theme_variables
        if status == "green":
            return f"bold {colours.get('success', 'green')}"
        if status == "amber":
            return f"bold {colours.get('warning', 'yellow')}"
        if status == "red":
            return f"bold {colours.get('error', 'red')}"
        return "dim"

    def _status_style(self, status: DeskStatus) -> str:
        return "" if status is DeskStatus.OPEN else self.app.theme_variables.get("warning", "")

    def _over_style(self, count: int) -> str:
        return f"bold {self.app.theme_variables.get('error', 'red')}" if count else ""

    def _desk_row(self, state: DeskState, snapshot: DeskSnapshot) -> tuple[Text, ...]:
        """Who is logged in, what the desk is doing (serving C001, called, idle, break,
        closed, greeting at meet-and-greet; and who is parked there, for how long) and for
        how long."""
        names = self.desk.names
        doing, since = state.activity
        words = f"{doing.value} {state.ticket.code}" if state.ticket else doing.value
        text = Text(words, style=self._status_style(state.status))
        for entry in parked_here(state.desk.id, snapshot.queue):
            parked = entry.ticket.parked_at or snapshot.taken_at
            minutes = self._minutes(parked, snapshot).replace(" min", "m")
            text.append(f" · {entry.ticket.code} parked {minutes}")
        return (
            Text(state.desk.name),
            Text(names.person(state.login.person) if state.login else "-"),
            text,
            Text(self._since(since, snapshot) if since else ""),
        )

    def _since(self, since: datetime, snapshot: DeskSnapshot) -> str:
        timezone = self.desk.names.timezone(snapshot.site_id)
        if timezone is None:
            return self._minutes(since, snapshot)
        return elapsed_text(since, snapshot.taken_at, timezone)

    def _minutes(self, since: datetime, snapshot: DeskSnapshot) -> str:
        return f"{max(0, int((snapshot.taken_at - since).total_seconds() // 60))} min"

    # Actions ------------------------------------------------------------------------------------

    def _highlighted_ticket(self) -> int | None:
        return self.highlighted_ticket()

    def queued(self, ticket_id: int) -> QueueEntry | None:
        """The live queue's entry of ``ticket_id`` (None when it has left the queue)."""
        snap = self.desk.snapshot
        return next((e for e in snap.queue if e.ticket.id == ticket_id), None) if snap else None

    @key_flow("leader")
    @acts_on(_highlighted_ticket)
    async def action_send_to_desk(self, ticket_id: int) -> None:
        names = self.desk.names
        entry = self.queued(ticket_id)
        requires = entry.ticket.requires if entry is not None else frozenset()
        desks = desk_choices(
            self,
            (d for d in names.desks.values() if d.kind is not DeskKind.MEET_AND_GREET),
            requires,
        )
        code = entry.ticket.code if entry is not None else "the ticket"
        elsewhere = any(not unmet_here(self, d, requires) for d, _ in desks)
        actor = self.acting_as()

        async def ask_first(desk: str) -> bool:  # a desk short of their needs: warned, not refused
            if not elsewhere or not (missing := unmet_here(self, desk, requires)):
                return True
            warned = QuestionDialog(
                unmet_said(names.desk(desk), code, missing), yes="send anyway", no="leave it"
            )
            send_anyway = await self.app.push_screen_wait(warned)
            return bool(send_anyway)

        sent = await send_to_chosen_desk(
            self,
            code,
            desks,
            partial(_send, actor, ticket_id),
            meaning=f"Sent to a desk, {SENT_TO_DESK}. One that cannot take them now (closed "
            "since the box was opened) says why here, and the box stays open.",
            ask_first=ask_first,
        )
        if sent is None:
            return
        desk, ticket = sent
        self.desk.show_result(ticket)
        self.notify_done(f"Sent to {names.desk(desk)}")
        await self.desk.after_write()

    @key_flow("leader")
    @acts_on(_highlighted_ticket)
    async def action_transfer(self, ticket_id: int) -> None:
        entry = self.queued(ticket_id)
        if entry is None:
            self.say("That ticket is no longer in the queue")
            return
        ticket = entry.ticket
        code = await pick_new_service(self, ticket)
        if code is None:
            return
        actor = self.acting_as()

        def transfer(session: Session) -> Ticket:
            return QueueService(session, actor).transfer(ticket_id, service=code)

        names = self.desk.names
        arrived = names.local_time(ticket.queued_at)
        where = transferred_place(names.service(code), arrived, ticket.priority)
        await self.commit(transfer, f"Transferred: {where}")

    @key_flow("leader")
    @acts_on(_highlighted_ticket)
    async def action_reprint(self, ticket_id: int) -> None:
        actor = self.acting_as()
        done = await self.commit(lambda s: QueueService(s, actor).reprint(ticket_id))
        if isinstance(done, Ok):  # a copy, or "still waiting to print": no second paper
            self.notify_done(done.value.said)

    @key_flow("leader")
    async def action_print_summary(self) -> None:
        """Today's summary, what this screen shows (Reports' S prints the day shown there)."""
        await print_summary(self)

    def key_words(self, action: str, description: str) -> str:
        """Z says what it can do here: it closes a desk, and opens one only where a desk opens
        with nobody logged in (else it opens when someone logs in there)."""
        if action == "toggle_desk" and self.desk.names.staffed_only():
            return CLOSE_DESK
        return description

    @key_flow("leader")
    @acts_on(_highlighted_ticket)
    async def action_cancel_ticket(self, ticket_id: int) -> None:
        """Asks why first, naming the ticket (its code, service and marks: the highlight may
        have moved): the resident left, or it was issued in error; says which was recorded."""
        entry = self.queued(ticket_id)
        if entry is None:
            self.say("That ticket is no longer in the queue")
            return
        ticket = entry.ticket
        about = ", ".join([self.desk.names.service(ticket.service), *staff_marks(ticket)])
        reasons = {r.value[0]: r for r in CancelReason}
        chosen = await self.app.push_screen_wait(
            ChoiceDialog(
                f"Cancel {ticket.code} ({about}): why?",
                [(key, f"{key.upper()}  {r.words}") for key, r in reasons.items()],
                "L or E, or arrows and Enter · Esc: keep the ticket",
                meaning=CANCEL_MEANING,
            )
        )
        if chosen is None:
            return
        reason = reasons[chosen]
        actor = self.acting_as()
        await self.commit(
            lambda s: QueueService(s, actor).cancel(ticket_id, reason.value),
            f"{ticket.code} cancelled: {reason.said}",
        )

    @key_flow("leader")
    async def action_toggle_desk(self) -> None:
        await close_desk(self)

    @key_flow("leader")
    async def action_toggle_break(self) -> None:
        await pause_desk(self)

    @key_flow("leader")
    async def action_close_day(self) -> None:
        await close_or_reopen_day(self)

    @guarded
    def action_reopen_day(self) -> None:
        """E while the day is closed with nothing left open: the same key's question, which
        offers to reopen it."""
        self.action_close_day()

    @key_flow("leader")
    async def action_acknowledge(self) -> None:
        snap = self.desk.snapshot
        if snap is None or not snap.alerts:
            self.notify_done("No alerts")
            return
        lines = [a.describe(snap.business_day) for a in snap.alerts[:5]]
        more = f" (and {len(snap.alerts) - 5} more)" if len(snap.alerts) > 5 else ""
        question = seen_to_question(snap.alerts) + "\n" + "\n".join(lines) + more
        if not await self.app.push_screen_wait(ConfirmDialog(question, meaning=SEEN_TO)):
            return
        actor = self.acting_as()
        shown = snap.alerts
        await self.commit(lambda s: acknowledge_shown(s, actor, shown), "Alerts acknowledged")

    @key_flow("leader")
    async def action_find(self) -> None:
        await find_ticket(self)


def _send(actor: Actor, ticket_id: int, desk: str, session: Session) -> Ticket:
    """The team leader's D: ``ticket_id`` sent to ``desk``."""
    return QueueService(session, actor).transfer(ticket_id, desk_id=desk)
