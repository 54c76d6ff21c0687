"""Meet-and-greet: pick a service, record adjustments, issue a ticket or deal with it here.

Meet-and-greet is the desk's usual first screen: its dialogs and the flows it shares with other
screens are imported when first used, never before the desk's first frame.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from oss_desk.domain.access import Action
from oss_desk.domain.channel_words import texts_off_at_greet
from oss_desk.domain.models import Outcome, QueueEntry, Ticket, TicketStatus, Visit
from oss_desk.domain.needs import parse_needs
from oss_desk.errors import InvalidInput
from oss_desk.services.session import Session
from oss_desk.ui.context import DeskContext, Ok
from oss_desk.ui.faults import guarded
from oss_desk.ui.keyline import behind
from oss_desk.ui.keys import Keys, role_actions
from oss_desk.ui.screens.base import DeskScreen, acts_on, key_flow
from oss_desk.ui.theme import STYLES
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.queue_table import QueueTable

if TYPE_CHECKING:
    from oss_desk.services.desk_view import DeskSnapshot
    from oss_desk.services.queue import Issued

_key = Keys("greet")


class ServiceList(OptionList):
    """The catalogue. A service's letter picks it; Enter issues its ticket."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _key(
            "enter",
            "screen.issue",
            "Issue",
            "Issue a ticket for the chosen service",
            id="issue",
            may=Action.ISSUE_TICKET,
        ),
    ]

    @guarded
    def on_key(self, event: Key) -> None:
        if event.character and len(event.character) == 1 and event.character.isalpha():
            code = event.character.upper()
            for index in range(self.option_count):
                if self.get_option_at_index(index).id == code:
                    self.highlighted = index
                    event.stop()
                    return


class GreetScreen(DeskScreen):
    CSS_PATH = STYLES / "greet.tcss"
    AREA = "Meet and greet"
    FOCUS = "#services"
    HELP = (
        "Type a service's letter (C for Council Tax...) or press / to search by name. "
        "F9 records reasonable adjustments; Ctrl+U marks the resident urgent or vulnerable "
        "(called first); Ctrl+G marks that they came back about the same matter. Enter issues "
        "the ticket (printed if this desk has a printer; the code is shown large either way). "
        "F8 records a visit dealt with here. "
        "A resident with an appointment: scan the QR code on their letter, slip or email (or "
        "type the booking reference in the search box and press Enter) to check them in. "
        "While a team leader has closed the day, a line at the top says so: no tickets or "
        "check-ins until they reopen it (E on their screen). While the office is closed by its "
        "calendar (a closure day, a bank holiday, outside its opening hours) the line says why; "
        "tickets are still issued. "
        "When the status bar says the printer is unreachable or out of paper, keep issuing: "
        "tell the resident the large code on screen; the ticket prints by itself once the "
        "printer is back, and you are asked before anything is printed twice (Ctrl+R reprints "
        "the last ticket). Tell whoever looks after the printers if it lasts."
    )
    HELP_KEYS: ClassVar[dict[str, str]] = {  # said where the key is offered (texts set up)
        "text_me": "{key} after issuing takes the resident's mobile: texts while they wait "
        "elsewhere, and, only if they agree (tick it), one text after the visit asking how we "
        "did."
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        _key(
            "f8",
            "quick",
            "Dealt with",
            "Record a visit resolved at meet-and-greet, with its outcome",
            may=Action.QUICK_VISIT,
        ),
        _key(
            "f9",
            "needs",
            "Needs",
            "Record reasonable adjustments (BSL, interpreter, wheelchair...)",
        ),
        _key(
            "ctrl+u",
            "urgent",
            "Urgent",
            "The next ticket: an urgent or vulnerable resident, called before the others",
            show=False,
            priority=True,
            may=Action.ISSUE_TICKET,
        ),
        _key(
            "ctrl+g",
            "repeat",
            "Came back",
            "The next ticket: they came back about the same matter",
            show=False,
            may=Action.ISSUE_TICKET,
        ),
        _key.find_ticket(),
        _key("ctrl+r", "reprint", "Reprint", "Print the last ticket again", may=Action.REPRINT),
        _key(
            "ctrl+n",
            "text_me",
            "Text me",
            "The last ticket: the resident's mobile, for texts while waiting and "
            "(if they agree) one afterwards asking how we did",
            id="text",
            may=Action.ISSUE_TICKET,
        ),
        _key("slash", "search", "Search", "Find a service by typing part of its name"),
        _key("escape", "clear", "Clear", "Clear the search and the adjustments"),
    ]
    ROLE_ACTIONS = role_actions(ServiceList.BINDINGS, BINDINGS)

    def __init__(self, desk: DeskContext) -> None:
        super().__init__(desk)
        self.needs: tuple[str, ...] = ()
        self.urgent = False
        """The next ticket is for an urgent or vulnerable resident (Ctrl+U)."""
        self.repeat = False
        """The next ticket's resident came back about the same matter (Ctrl+G)."""
        self.followed: int | None = None
        """The ticket id of the last one issued here, or of the ticket it was moved to."""
        self.seen_live = False
        """The live queue has shown the last ticket issued here (so, once gone, it has left)."""
        self.closed_said: str | None = None
        """What the line at the top says (shown only while the office is closed; written with
        the first snapshot that says it is)."""
        self.following: int | None = None
        """The ticket :attr:`followed` and :attr:`seen_live` are about (the last issued here,
        when they were last worked out)."""
        self.entered: set[tuple[str, str]] = set()
        """(desk, person) entered here: this terminal's person is logged in to it once."""

    @property
    def last_issued(self) -> Issued | None:
        """The last ticket this terminal issued, here or by a check-in on any screen (F5's C,
        a scan): the one shown large, reprinted by Ctrl+R and texted about by Ctrl+N."""
        return self.desk.issued_here

    @last_issued.setter
    def last_issued(self, issued: Issued | None) -> None:
        self.desk.issued_here = issued

    def compose_body(self) -> ComposeResult:
        closed = Static(id="day-closed")
        closed.display = False  # shown while the team leader has closed the day
        yield closed
        with Horizontal(id="greet-body"):
            with Vertical(id="catalogue"):
                yield Input(placeholder="/ search, or a booking ref", id="service-search")
                yield ServiceList(id="services")
                yield Static(id="needs-line")
            with Vertical(id="issued-panel"):
                yield Static(Text("No ticket issued yet"), id="issued-title")
                yield BigCode(id="issued-code")
                yield Static(id="issued-info")
                yield QueueTable(id="queue")

    @guarded
    def on_mount(self) -> None:
        self.fill_services("")
        self.show_needs()
        self.query_one("#service-search", Input).cursor_blink = self.desk.cursor_blink

    def current_desk(self) -> str | None:
        return self.desk.greet_desk_id

    @guarded
    def _on_snapshot(self, snapshot: DeskSnapshot | None) -> None:
        super()._on_snapshot(snapshot)  # (also on coming back to this screen)
        if snapshot is not None and self.is_current:
            self.log_in_here()

    def log_in_here(self) -> None:
        """At this terminal's own meet-and-greet desk, its person is logged in on entering,
        as at an adviser desk (never at another terminal's: meet-and-greet looked at)."""
        if self.desk.terminal_desk is not None and self.desk.terminal_desk == self.current_desk():
            from oss_desk.ui.screens.desk_logins import log_in_on_entering

            log_in_on_entering(self, self.entered)

    def not_set_up(self, action: str) -> str | None:
        """Text me is not offered where texts are not set up: said before any number is asked,
        naming its key as this desk takes it (Ctrl+O at a browser desk)."""
        if action == "text_me" and not self.desk.names.texts():
            return texts_off_at_greet(self.key_named(action))
        return None

    def shown_ticket_id(self) -> int | None:
        if self.last_issued is not None:
            return self.last_issued.ticket.id
        return self.query_one(QueueTable).selected_ticket_id()

    # The catalogue ------------------------------------------------------------------------------

    def fill_services(self, search: str) -> None:
        waiting: dict[str, int] = {}
        snap = self.desk.snapshot
        if snap is not None:
            for line in snap.by_service:
                waiting[line.code] = line.waiting
        wanted = search.strip().lower()
        options = []
        for svc in self.desk.names.catalogue():
            code = svc.code
            if wanted and wanted not in svc.name.lower() and wanted != code.lower():
                continue
            label = Text()
            label.append(f"{code} ", style="bold")
            label.append(svc.name)
            count = waiting.get(code, 0)
            if count:
                label.append(f"  ({count})", style="dim")
            options.append(Option(label, id=code))
        service_list = self.query_one(ServiceList)
        highlighted = (
            service_list.highlighted_option.id if service_list.highlighted_option else None
        )
        service_list.clear_options()
        service_list.add_options(options)
        ids = [o.id for o in options]
        if highlighted in ids:
            service_list.highlighted = ids.index(highlighted)
        else:  # a search offers its first match; else nothing is chosen until a letter is
            service_list.highlighted = 0 if wanted and options else None

    def chosen_service(self) -> str | None:
        """The highlighted service's code; None, after saying how to choose one, when none is."""
        option = self.query_one(ServiceList).highlighted_option
        if option is None or option.id is None:
            self.say("Choose a service first (its letter, or / to search)")
            return None
        return option.id

    @on(Input.Changed, "#service-search")
    @guarded
    def _search(self, event: Input.Changed) -> None:
        self.fill_services(event.value)

    @on(Input.Submitted, "#service-search")
    @guarded
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        if self.looks_like_reference(event.value):
            self.check_in_typed(event.value)
            return
        self.action_issue()

    def looks_like_reference(self, text: str) -> bool:
        """A booking reference typed in the search box (K7M-3QX; or 6 characters that name no
        service) checks the resident in instead of issuing a ticket."""
        from oss_desk.domain.appointments import parse_reference

        try:
            parse_reference(text)
        except InvalidInput:
            return False
        return "-" in text or ":" in text or self.query_one(ServiceList).option_count == 0

    @key_flow("greet")
    async def check_in_typed(self, text: str) -> None:
        from oss_desk.ui.screens.flows import check_in

        self.clear_search()
        await check_in(self, text)

    def checked_in(self, issued: Issued) -> None:
        """Typed or scanned: their ticket is the one shown large, and the one Ctrl+R reprints
        and Ctrl+N takes a mobile for (not the walk-in's issued before)."""
        self.last_issued = issued
        self.show_issued(issued, self.desk.snapshot)

    def clear_search(self) -> None:
        """Empty the search box and go back to the list."""
        self.query_one("#service-search", Input).value = ""
        self.query_one(ServiceList).focus()

    def show_needs(self) -> None:
        text = Text("Adjustments: ", style="dim")
        if self.needs:
            from oss_desk.ui.screens.flows import needs_text

            text.append(needs_text(self.needs), style="bold")
        else:
            text.append("none (F9)")
        marks = [w for w, on in (("URGENT", self.urgent), ("came back", self.repeat)) if on]
        if marks:  # for the next ticket only (Ctrl+U, Ctrl+G again take them off)
            text.append("\nMarked: ", style="dim")
            text.append(" · ".join(marks), style="bold")
        self.query_one("#needs-line", Static).update(text)

    def show_closed(self, snapshot: DeskSnapshot) -> None:
        """The line at the top while the office takes no arrivals (a team leader closed the
        day) or is closed now by its own rule (a closure day, a bank holiday, outside its
        opening hours: tickets are still issued, and it is said, with why)."""
        # With the snapshot, after the first frame: the rules of closed days and opening hours.
        from oss_desk.domain.closed_day import CLOSED_AT_THE_DESK
        from oss_desk.domain.workdays import closed_now_line

        if snapshot.closed_day is not None:
            said: str | None = CLOSED_AT_THE_DESK
        elif snapshot.closed_now is not None:
            said = closed_now_line(snapshot.closed_now)
        else:
            said = None
        line = self.query_one("#day-closed", Static)
        line.display = said is not None
        if said is not None and said != self.closed_said:
            line.update(Text(said))
        self.closed_said = said

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        self.show_closed(snapshot)
        table = self.query_one(QueueTable)
        table.target_seconds = snapshot.target_seconds
        table.amber_seconds = snapshot.amber_seconds
        table.labels = self.desk.names.labels()
        table.names = self.desk.names
        table.show(snapshot.queue)
        self.fill_services(self.query_one("#service-search", Input).value)
        if self.last_issued is not None:
            self.show_issued(self.last_issued, snapshot)

    def show_issued(self, issued: Issued, snapshot: DeskSnapshot | None) -> None:
        from oss_desk.domain.delivery import followed_job_word

        ticket = issued.ticket
        if self.following != ticket.id:  # a new ticket (issued here, or checked in elsewhere)
            self.following, self.followed, self.seen_live = ticket.id, None, False
        label = self.desk.names.service_label(ticket.service)
        self.query_one("#issued-title", Static).update(Text(f"Ticket for {label}", style="bold"))
        self.query_one(BigCode).code = ticket.code
        entry = self.followed_entry(ticket, snapshot)
        self.seen_live = self.seen_live or entry is not None
        info = Text()
        info.append(f"{ticket.code}: ", style="bold")
        if entry is not None and entry.ticket.id != ticket.id:
            info.append(f"moved to {entry.ticket.code}, ")
        info.append(self.ticket_now(entry, ticket))
        if issued.print_job is None:
            info.append("  ·  no printer here: tell the resident their number", style="bold")
        else:
            jobs = snapshot.print_jobs if snapshot is not None else {}
            info.append(f"  ·  {followed_job_word(jobs, issued.print_job)}")
        self.query_one("#issued-info", Static).update(info)

    def followed_entry(self, ticket: Ticket, snapshot: DeskSnapshot | None) -> QueueEntry | None:
        """The live queue's entry of the ticket issued here, or of the ticket it was moved to
        (a transfer to another service gives the resident a new code); None when not there."""
        if snapshot is None:
            return None
        by_id = {e.ticket.id: e for e in snapshot.queue}
        moved = {e.ticket.transferred_from: e for e in snapshot.queue if e.ticket.transferred_from}
        followed = self.followed or ticket.id
        entry = by_id.get(followed)
        if entry is None and followed in moved:  # moved since the last snapshot: follow it
            entry = moved[followed]
            followed = entry.ticket.id
        self.followed = followed
        return entry

    def ticket_now(self, entry: QueueEntry | None, ticket: Ticket) -> str:
        """Where the ticket issued here is now, as the live queue shows it; once it has left
        the queue (served, cancelled, a no-show...) only its history: when it was issued."""
        if entry is None:
            issued = f"issued {self.desk.names.local_time(ticket.issued_at)}"
            return f"{issued}, no longer in the queue (F7 finds it)" if self.seen_live else issued
        now = entry.ticket
        where = self.desk.names.desk(now.desk) if now.desk else "a desk"
        if now.status is TicketStatus.CALLED:
            return f"called to {where}"
        if now.status is TicketStatus.SERVING:
            return f"being served at {where}"
        if now.parked:
            return f"parked at {where}"
        from oss_desk.services.views import wait_phrase  # (the queue's rules: after the frame)

        return wait_phrase(entry)

    # Actions ------------------------------------------------------------------------------------

    @guarded
    def action_search(self) -> None:
        self.query_one("#service-search", Input).focus()

    @guarded
    def action_clear(self) -> None:
        self.forget_needs()
        self.clear_search()

    def forget_needs(self) -> None:
        self.needs = ()
        self.urgent = self.repeat = False
        self.show_needs()

    @guarded
    def action_urgent(self) -> None:
        """Tick (or untick) the next ticket as an urgent or vulnerable resident's."""
        self.urgent = not self.urgent
        self.show_needs()

    @guarded
    def action_repeat(self) -> None:
        """Tick (or untick) the next ticket's resident as come back about the same matter."""
        self.repeat = not self.repeat
        self.show_needs()

    def issue_service(self, code: str) -> None:
        """Choose ``code`` in the list and issue its ticket (the palette's "Issue ticket")."""
        self.choose(code)
        self.action_issue()

    def choose(self, code: str) -> None:
        """Highlight the service ``code`` in the list (when it is shown)."""
        service_list = self.query_one(ServiceList)
        for index in range(service_list.option_count):
            if service_list.get_option_at_index(index).id == code:
                service_list.highlighted = index

    @guarded
    def action_issue(self) -> None:
        """Enter: the chosen service's ticket. Not a key_flow (Enter is the desk's busiest key,
        one save and no dialog, drawn in the key's own frame; its save is shielded, so a key
        typed next never takes the ticket back), but the next key waits until the ticket is
        issued and shown, so that it acts on it: Ctrl+R reprints this ticket, not the one
        before, and the next ticket does not take this one's needs and marks."""
        behind(self.app, self._issue())

    @work(exclusive=True, group="greet", exit_on_error=False)
    @acts_on(chosen_service)
    async def _issue(self, code: str) -> None:
        from oss_desk.services.queue import QueueService

        actor = self.acting_as()
        needs, urgent, repeat = self.needs, self.urgent, self.repeat
        # The service chosen is for this ticket only (as the marks are): Enter alone later
        # asks for one, never issues another ticket for the last resident's service.
        self.query_one(ServiceList).highlighted = None

        def issue(session: Session) -> Issued:
            return QueueService(session, actor).issue(
                code, needs=needs, urgent=urgent, repeat=repeat
            )

        issued = await self.desk.act(issue)
        if not isinstance(issued, Ok):  # refused (said): the service stays chosen
            self.choose(code)
            return
        self.last_issued = issued.value
        self.forget_needs()
        self.show_issued(issued.value, self.desk.snapshot)
        if self.query_one("#service-search", Input).value:
            self.clear_search()
        await self.desk.after_write()

    @key_flow("greet")
    @acts_on(chosen_service)
    async def action_quick(self, code: str) -> None:
        """F8: the outcome of a visit dealt with here (and its follow-up), recorded."""
        from oss_desk.domain.followups import Arranged
        from oss_desk.services.queue import QueueService
        from oss_desk.ui.screens.followup_flows import follow_up_outcome
        from oss_desk.ui.screens.scorecard_flows import ask_finish

        name = self.desk.names.services[code].name
        asked = await ask_finish(self, f"this visit ({name})", [code])
        if asked is None:
            return
        first, _, to = asked
        outcome = first.outcome
        actor = self.acting_as()
        needs = self.needs

        def quick(session: Session) -> Visit:
            return QueueService(session, actor).quick_visit(
                code,
                outcome,
                needs=needs,
                signposted_to=to,
                assisted_digital=first.assisted_digital,
                avoidable=first.avoidable,
            )

        done = await self.desk.act(quick)
        if isinstance(done, Ok):
            self.forget_needs()
            self.notify_done(f"Visit recorded: {name}, {Outcome(outcome).value}")
            await self.desk.after_write()
            await follow_up_outcome(
                self, actor, Outcome(outcome), Arranged(code, visit=done.value.id)
            )

    @key_flow("greet")
    async def action_needs(self) -> None:
        from oss_desk.ui.dialogs.needs import NeedsDialog

        chosen = await self.app.push_screen_wait(NeedsDialog(self.needs))
        if chosen is None:
            return
        try:
            self.needs = parse_needs(list(chosen), spoken=self.desk.names.languages())
        except InvalidInput as exc:
            self.say(exc.message, title=exc.title, severity="warning")
            return
        self.show_needs()

    @key_flow("greet")
    async def action_find(self) -> None:
        from oss_desk.ui.screens.flows import find_ticket

        await find_ticket(self)

    @key_flow("greet")
    async def action_text_me(self) -> None:
        """The resident's mobile: texts while they wait elsewhere, and (only if they agree) one
        text after the visit asking how we did."""
        if self.last_issued is None:
            self.say("Issue the ticket first, then add the mobile number")
            return
        from oss_desk.ui.screens.text_me import text_me

        await text_me(self, self.last_issued.ticket)

    @key_flow("greet")
    async def action_reprint(self) -> None:
        from oss_desk.services.queue import QueueService

        if self.last_issued is None:
            self.say("No ticket issued here yet (F7 finds one)")
            return
        ticket = self.last_issued.ticket
        actor = self.acting_as()
        job = await self.commit(lambda s: QueueService(s, actor).reprint(ticket.id))
        if isinstance(job, Ok):  # a copy, or "still waiting to print": no second paper
            self.notify_done(job.value.said)
            self.reprinted(ticket.id, job.value.job)

    def reprinted(self, ticket_id: int, job: int) -> None:
        """The panel says how the copy printed (not how the first print failed)."""
        if self.last_issued is not None and self.last_issued.ticket.id == ticket_id:
            self.last_issued = replace(self.last_issued, print_job=job)
            self.show_issued(self.last_issued, self.desk.snapshot)
