"""Follow-ups: ring-backs, referrals and On The Record, by due date with the overdue first.

Everything from the keyboard: N makes one, T takes the highlighted one, A records a ring-back's
try, D (or U, could not reach) finishes it, K acknowledges (a record) or marks a referral
received by the back office, R answers a record in full; F and O filter by kind and owner. A
person sees only the kinds their role may (a meet-and-greet login never sees complaints).
The resident's name and number show in the panel for the person working it: read once per
follow-up while the app runs, and each read is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.widgets import DataTable, Static

from oss_desk.config_followups import FollowupSettings
from oss_desk.domain.access import Action
from oss_desk.domain.calendar import day_said
from oss_desk.domain.followup_closing import closed_said
from oss_desk.domain.followup_figures import due_counts
from oss_desk.domain.followups import (
    DETAILS_DELETED,
    AttemptResult,
    Details,
    Due,
    Followup,
    Kind,
    Status,
    closed_already,
)
from oss_desk.domain.models import Actor
from oss_desk.domain.phones import dialable
from oss_desk.domain.text import sentence_case
from oss_desk.services.desk_view import DeskSnapshot
from oss_desk.services.followups import FollowupService
from oss_desk.services.session import Session
from oss_desk.ui.context import DeskContext, Ok
from oss_desk.ui.dialogs import ChoiceDialog, ConfirmDialog
from oss_desk.ui.dialogs.followups import Answer, RespondDialog
from oss_desk.ui.faults import guarded
from oss_desk.ui.keys import Keys
from oss_desk.ui.screens.base import DeskScreen, ReadOnce, acts_on, key_flow
from oss_desk.ui.screens.followup_flows import (
    KIND_KEYS,
    due_line,
    kinds_for,
    new_followup,
    run_or_say,
)
from oss_desk.ui.theme import STYLES
from oss_desk.ui.widgets.fit import FittedTable, fit_rows, update_rows

R = TypeVar("R")

RESULTS = {
    "n": AttemptResult.NO_ANSWER,
    "v": AttemptResult.VOICEMAIL,
    "b": AttemptResult.BUSY,
    "w": AttemptResult.WRONG_NUMBER,
    "r": AttemptResult.REACHED,
}
OWNERS = ("anyone", "mine", "not taken")
STANDING_WORDS = {
    Due.OVERDUE: ("OVERDUE", "bold red"),
    Due.TODAY: ("due today", "bold yellow"),
    Due.LATER: ("", ""),
}
COLUMNS = (
    ("Ref", "ref"),
    ("Kind", "kind"),
    ("Service", "service"),
    ("Due", "due"),
    ("", "standing"),
    ("Status", "status"),
    ("Taken by", "owner"),
    ("Tries", "tries"),
)

HIGHLIGHT_FIRST = "Highlight a follow-up first"
"""What a key that acts on the highlighted follow-up says when none is (the list is empty)."""
ACTS_ON_ONE = ("take", "attempt", "done", "unreachable", "acknowledge", "respond")
"""The screen actions that work on the highlighted follow-up."""

SHRINK = ((6, 8), (5, 8), (2, 8), (1, 4))
"""When the list is wider than its table: who took it is shortened first (with "…"), then its
status (a word of 8 stays whole), then the service (8 letters: "Benefits" stays whole), and its
kind last (the reference's letters say it too), each never below its heading; the panel shows
them whole."""
NARROW = 120
"""Under this many columns the details go below the list, which keeps the whole width."""

_key = Keys("followups")
_LABELS = {"action_text": "Action"}
"""What the details panel calls a personal field (the others: its name, capitalised)."""


class FollowupsScreen(DeskScreen):
    CSS_PATH = STYLES / "followups.tcss"
    AREA = "Follow-ups"
    HELP = (
        "Ring-backs (CB-), referrals (R-) and comments, compliments and complaints (OTR-), "
        "overdue first, then by due date; closed today at the bottom. N makes one; T takes the "
        "highlighted one; A records a try at a ring-back, D marks it done and U could not "
        "reach; D marks a referral done by the back office and K received by it; K acknowledges "
        "a comment, compliment or complaint and R answers it. F shows one kind, O anyone's, "
        "yours or those not taken. Deadlines count working days: the days the office opens, less "
        "bank holidays and closure days."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        _key("n", "new", "New", "A ring-back, a referral, or a comment, compliment or complaint"),
        _key("t", "take", "Take", "Make the highlighted one yours"),
        _key("a", "attempt", "Try", "A ring-back: record a try and what happened"),
        _key("d", "done", "Done", "A ring-back made, or a referral done by the back office"),
        _key(
            "u",
            "unreachable",
            "Not reached",
            "A ring-back: could not reach the resident (after a try)",
        ),
        _key(
            "k",
            "acknowledge",
            "Acknowledge",
            "Acknowledge a record; a referral: received by the back office",
            id="ack",
        ),
        _key("r", "respond", "Answer", "Answer a comment, compliment or complaint in full"),
        _key("f", "filter_kind", "Kind", "Show one kind, or all", id="kind"),
        _key("o", "filter_owner", "Whose", "Anyone's, mine, or not taken yet", id="owner"),
    ]

    FOCUS = "#followup-table"

    def __init__(self, desk: DeskContext) -> None:
        super().__init__(desk)
        self.settings: FollowupSettings | None = None
        """The office's follow-up settings (back offices, categories), read with each list."""
        self.items: dict[int, Followup] = {}
        self.order: list[int] = []
        self.today: date | None = None
        self.kind_filter: Kind | None = None
        self.owner_filter = "anyone"
        self.details: ReadOnce[Details] = ReadOnce(self, "followup-details", self.show_detail)
        self.loads = 0

    def compose_body(self) -> ComposeResult:
        yield Static(id="followup-summary")
        with Horizontal(id="followup-body"):
            table = FittedTable(id="followup-table", cursor_type="row")
            for label, key in COLUMNS:
                table.add_column(Text(label), key=key)  # plain: never read as markup
            yield table
            yield Static(id="followup-detail")

    def wants_fresh_data(self) -> bool:
        return True

    def current_desk(self) -> str | None:
        return self.desk.terminal_desk or self.desk.greet_desk_id

    def acting_as(self) -> Actor:
        return self.desk.mode_actor("followups")

    @guarded
    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.show_detail()

    @guarded
    def on_screen_resume(self) -> None:
        self.load()

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        self.load()  # another desk may have changed a follow-up

    # Roles and what applies ------------------------------------------------------------------

    def _may(self, action: Action) -> bool:
        return self.desk.may(action, self.acting_as())

    def visible_kinds(self) -> list[Kind]:
        return kinds_for(self._may)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        may_work = self._may(Action.WORK_FOLLOWUPS)
        may_answer = self._may(Action.ANSWER_FEEDBACK)
        allowed = {
            "new": may_work or self._may(Action.RECORD_FEEDBACK),
            "take": may_work or may_answer,
            "attempt": may_work,
            "done": may_work,
            "unreachable": may_work,
            "acknowledge": may_work or may_answer,
            "respond": may_answer,
        }.get(action, True)
        if not allowed:
            return False  # never for this role: hidden
        f = self.selected()
        if action in ("new", "filter_kind", "filter_owner"):
            return True
        if f is None or f.status.closed:
            return None
        applies = {
            "take": f.owner != self.acting_as().person
            and (may_answer if f.kind.on_the_record else may_work),
            "attempt": f.kind is Kind.RINGBACK,
            "done": not f.kind.on_the_record,
            "unreachable": f.kind is Kind.RINGBACK and f.attempts > 0,
            "acknowledge": f.status is Status.OPEN
            and ((f.kind is Kind.REFERRAL and may_work) or (f.kind.on_the_record and may_answer)),
            "respond": f.kind.on_the_record,
        }.get(action, True)
        return True if applies else None

    def why_not(self, action: str) -> str | None:
        if action not in ACTS_ON_ONE:
            return None
        f = self.selected()
        if f is None:
            return HIGHLIGHT_FIRST
        return closed_already(f) if f.status.closed else None

    # Loading -----------------------------------------------------------------------------------

    def _kinds(self) -> list[Kind]:
        visible = self.visible_kinds()
        if self.kind_filter is not None and self.kind_filter in visible:
            return [self.kind_filter]
        return visible

    @work(exclusive=True, group="followups-load", exit_on_error=False)
    async def load(self) -> None:
        kinds = self._kinds()
        if not kinds:
            self.query_one("#followup-summary", Static).update(
                Text("Your role works on no follow-ups.", style="dim")
            )
            return
        actor = self.acting_as()
        owner = {"anyone": None, "mine": "me", "not taken": "none"}[self.owner_filter]

        def read(session: Session) -> tuple[list[Followup], date, FollowupSettings]:
            svc = FollowupService(session, actor)
            found = svc.work_list(kinds, owner=owner, closed_today=True)
            return found, svc.today(), session.settings.followups

        found = await self.desk.act(read)
        if not isinstance(found, Ok):
            return
        items, today, self.settings = found.value
        self.today = today
        self.items = {f.id: f for f in items}
        self.order = [f.id for f in items]
        self.loads += 1
        self._show_rows()
        self._show_summary(items, today)
        self.show_highlighted()

    def _row(self, f: Followup) -> list[Text]:
        svc = self.desk.names.services.get(f.service or "")
        due = f.next_due
        standing = f.standing(self.today) if self.today else None
        today = self.today or f.received_day
        day = due or f.closed_day
        word, style = STANDING_WORDS.get(standing, ("", "")) if standing else ("closed", "dim")
        return [
            Text(f.ref, style="bold"),
            Text(f.kind.label),
            Text(svc.name if svc else "-"),
            Text(day_said(day, today) if day else ""),
            Text(word, style=style),
            Text(f.status.value),
            Text(self.desk.names.person(f.owner) if f.owner else ""),
            Text(str(f.attempts) if f.kind is Kind.RINGBACK else ""),
        ]

    def _show_rows(self) -> None:
        """Update the table by row key (never cleared and rebuilt), in the work order, its text
        shortened to the table's width (never scrolled sideways). The highlight stays on the
        follow-up it was on, wherever the new order puts it (after K a record moves down to
        its answer-by date: R then answers the one just acknowledged, not its neighbour)."""
        table = self.query_one("#followup-table", DataTable)
        was = self.selected()
        keys = [str(i) for i in self.order]
        rows = fit_rows(
            {key: tuple(self._row(self.items[int(key)])) for key in keys},
            [label for label, _ in COLUMNS],
            table.size.width - table.styles.scrollbar_size_vertical,
            shrink=SHRINK,
        )
        with self.app.batch_update():
            update_rows(table, rows, [column for _, column in COLUMNS])
            position = {self.items[i].ref: n for n, i in enumerate(self.order)}
            table.sort("ref", key=lambda ref: position.get(ref.plain, 0))
            if was is not None and str(was.id) in keys:
                table.move_cursor(row=table.get_row_index(str(was.id)))

    def _show_summary(self, items: list[Followup], today: date) -> None:
        counts = due_counts(items, today)
        kinds = [k for k in self.visible_kinds() if k in self._kinds()]
        text = due_line(counts, kinds, "Due today/overdue")
        shown = "all kinds" if self.kind_filter is None else f"{self.kind_filter.label}s"
        text.append(f"\nShowing {shown}, {self.owner_filter}; closed today last", style="dim")
        self.query_one("#followup-summary", Static).update(text)

    # The highlighted one ---------------------------------------------------------------------

    def selected(self) -> Followup | None:
        found = self.query("#followup-table").results(DataTable)
        table = next(found, None)
        if table is None or table.row_count == 0:
            return None  # not composed yet, or nothing listed
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        return self.items.get(int(key)) if key else None

    def highlighted_followup(self) -> Followup | None:
        """The highlighted follow-up for a key that acts on it; when there is none, says so."""
        f = self.selected()
        if f is None:
            self.say(HIGHLIGHT_FIRST)
        return f

    @on(FittedTable.WidthChanged, "#followup-table")
    @guarded
    def _resized(self) -> None:
        self._show_rows()  # fitted to the table's new width (a wider one shows them whole)

    @on(DataTable.RowHighlighted, "#followup-table")
    @guarded
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        self.show_highlighted()

    def _want_details(self, f: Followup) -> None:
        """Read its personal details once while the app runs (the read is recorded)."""
        if f.id in self.details:
            return
        needed = Action.VIEW_FEEDBACK if f.kind.on_the_record else Action.WORK_FOLLOWUPS
        if not self._may(needed):
            return
        actor = self.acting_as()
        self.details.read(f.id, lambda s: FollowupService(s, actor).details(f, "follow-ups panel"))

    def show_detail(self) -> None:
        """The highlighted follow-up: a column beside the list, or a few wrapped lines below it
        on a narrow terminal."""
        panel = self.query_one("#followup-detail", Static)
        f = self.selected()
        if f is None:
            panel.update(Text("Nothing to follow up here.", style="dim"))
            return
        self._want_details(f)
        names = self.desk.names
        text = Text()
        text.append(f"{f.ref}  {f.kind.label}\n", style="bold")
        if f.service:
            text.append(f"Service: {names.service(f.service)}\n")
        today = self.today or f.received_day
        timezone = names.timezone(f.site_id) or "UTC"
        text.append(f"{sentence_case(f.received_said(timezone, today))}\n")
        states = f.deadlines(today).values()
        for state, said in zip(states, f.deadlines_said(today), strict=True):
            text.append(f"{sentence_case(said)}\n", style="bold red" if state.missed else "")
        settings = self.settings
        if f.back_office:
            office = settings.back_office(f.back_office) if settings else None
            text.append(f"Back office: {office.name if office else f.back_office}\n")
            if office and office.contact:
                text.append(f"  contact: {office.contact}\n")
        if f.category:
            category = settings.category(f.category) if settings else None
            stage = f", stage {f.stage}" if f.kind is Kind.COMPLAINT else ""  # how: the line above
            text.append(f"Category: {category.name if category else f.category}{stage}\n")
        if f.owner:
            text.append(f"Taken by {names.person(f.owner)}\n")
        if f.finding:
            text.append(f"Outcome: {f.finding.value}; action taken: ")
            text.append("yes\n" if f.action_taken else "no\n")
        details = self.details.get(f.id)
        if details is not None:
            text.append("\n")
            if details.purged:
                text.append(f"{DETAILS_DELETED.capitalize()}\n", style="dim")
            for key, value in details.filled():
                if value:
                    text.append(f"{_LABELS.get(key, key.capitalize())}: ", style="bold")
                    shown = dialable(value) if key == "phone" else value  # one to ring
                    text.append(f"{shown}\n")  # resident text: never markup
        if self.has_class("-narrow"):  # a few wrapped lines below the list
            text = Text("   ").join(line for line in text.split("\n") if line.plain.strip())
        panel.update(text)

    # Actions -----------------------------------------------------------------------------------

    async def _change(
        self,
        fn: Callable[[FollowupService, Followup], Followup],
        said: str | Callable[[Followup], str],
    ) -> None:
        """``fn`` on the highlighted follow-up, then a notice: ``said`` (or what it says of the
        follow-up as changed)."""
        f = self.highlighted_followup()
        if f is None:
            return
        actor = self.acting_as()
        done = await self.desk.act(lambda s: fn(FollowupService(s, actor), f))
        if isinstance(done, Ok):
            words = said if isinstance(said, str) else said(done.value)
            self.notify_done(f"{done.value.ref}: {words}")
            await self.desk.after_write()
            self.load()

    @key_flow("followups-action")
    async def action_new(self) -> None:
        kind = self.kind_filter
        made = await new_followup(self, self.acting_as(), kind=kind)
        if made is not None:
            self.load()

    @key_flow("followups-action")
    async def action_take(self) -> None:
        await self._change(lambda svc, f: svc.take(f.id), "taken")

    @key_flow("followups-action")
    @acts_on(highlighted_followup)
    async def action_attempt(self, f: Followup) -> None:
        choices = [(key, f"{key.upper()}  {value.said}") for key, value in RESULTS.items()]
        question = f"{f.ref}: how did the call go?"
        chosen = await self.app.push_screen_wait(
            ChoiceDialog(
                question,
                choices,
                meaning="A try at ringing the resident back, recorded with its result and time. "
                "The ring-back stays open: D marks it done once they are reached, U when they "
                "cannot be.",
            )
        )
        if chosen is None:
            return
        result = RESULTS[chosen]
        said = f"try recorded ({result.said})"
        await self._change(lambda svc, it: svc.attempt(it.id, result), said)

    @key_flow("followups-action")
    async def action_done(self) -> None:
        await self._change(lambda svc, f: svc.done(f.id), closed_said)

    @key_flow("followups-action")
    @acts_on(highlighted_followup)
    async def action_unreachable(self, f: Followup) -> None:
        actor = self.acting_as()  # one that cannot be closed so is refused before the question
        asked = await self.desk.act(lambda s: FollowupService(s, actor).unreached_early(f.id))
        if not isinstance(asked, Ok):
            return  # the refusal is shown, in the words closing it would be refused in
        early = asked.value[1]
        if early is not None:
            sure = await self.app.push_screen_wait(
                ConfirmDialog(
                    early.question,
                    meaning="y closes the ring-back as could not reach the resident: it is "
                    "finished, and the standard counts it as returned, since it was tried. n or "
                    "Esc: it stays open, to try again before the deadline.",
                )
            )
            if not sure:
                return
        await self._change(lambda svc, it: svc.done(it.id, unreachable=True), closed_said)

    @key_flow("followups-action")
    async def action_acknowledge(self) -> None:
        await self._change(lambda svc, it: svc.acknowledge(it.id), lambda it: it.kind.acknowledged)

    @key_flow("followups-action")
    @acts_on(highlighted_followup)
    async def action_respond(self, f: Followup) -> None:
        actor = self.acting_as()

        async def submit(answer: Answer) -> str | None:
            result = await run_or_say(
                self,
                lambda s: FollowupService(s, actor).respond(
                    f.id,
                    finding=answer.finding,
                    action_taken=answer.action_taken,
                    action=answer.action,
                    officer=answer.officer,
                ),
            )
            return result if isinstance(result, str) else None

        title = f"Answer {f.ref} ({f.kind.label.lower()})"
        answered = await self.app.push_screen_wait(
            RespondDialog(title, f.kind is Kind.COMPLAINT, submit)
        )
        if answered is not None:
            self.notify_done(f"{f.ref}: answered")
            await self.desk.after_write()
            self.load()

    @key_flow("followups-action")
    async def action_filter_kind(self) -> None:
        offered = [("0", "0  All kinds")] + [
            (key, f"{key}  {kind.label}s")
            for key, kind in KIND_KEYS.items()
            if kind in self.visible_kinds()
        ]
        chosen = await self.app.push_screen_wait(
            ChoiceDialog(
                "Show which kind?",
                offered,
                meaning="Which follow-ups the list shows: 0 every kind, or one kind only (F "
                "again to change it).",
            )
        )
        if chosen is None:
            return
        self.kind_filter = KIND_KEYS.get(chosen)
        self.load()

    @guarded
    def action_filter_owner(self) -> None:
        self.owner_filter = OWNERS[(OWNERS.index(self.owner_filter) + 1) % len(OWNERS)]
        self.load()
