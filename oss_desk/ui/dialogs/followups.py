"""Follow-up dialogs: make one (the fields its kind needs) and answer a record.

Both act from inside the dialog: a refusal (a phone number missing, a due date in the past)
shows inline and nothing typed is lost. Tab moves between fields, Ctrl+S saves, Esc goes back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from oss_desk.domain.appointments import Preferred
from oss_desk.domain.channels import BookingChannels
from oss_desk.domain.codes import parse_service_code
from oss_desk.domain.followups import Arranged, Finding, Kind, Via
from oss_desk.domain.text import full_said, paste_refused_said
from oss_desk.domain.worded import Worded
from oss_desk.errors import InvalidInput
from oss_desk.services.followups import Created, Request
from oss_desk.ui.dialogs import Dialog, MarkedRadioButton
from oss_desk.ui.dialogs.fields import field_row
from oss_desk.ui.faults import guarded
from oss_desk.ui.theme import STYLES

T = TypeVar("T")

CHOOSE_SEND_BY = "Reference by: choose how the reference reaches the resident"


class NextInput(Input):
    """Enter moves to the next field (as in the booking dialog). Full, it says so once (until
    it is shorter again): typing more is never dropped without a word."""

    def __init__(self, what: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.what = what
        self.told = False

    @guarded
    async def action_submit(self) -> None:
        self.screen.focus_next()

    @guarded
    def restricted(self) -> None:
        """Textual's hook for input it refused: here only ever the length (a text field). A
        key refused in a full field is said once; a paste longer than the room left (refused
        whole, the field not full) is said each time, with the room there is."""
        limit = self.max_length
        if not limit:
            return
        start, end = self.selection
        room = limit - len(self.value) + abs(end - start)  # a paste replaces what is selected
        if room > 0:
            said = paste_refused_said(self.what, limit, room)
            self.notify(said, severity="warning", markup=False)
        elif not self.told:
            self.told = True
            self.notify(full_said(self.what, limit), severity="warning", markup=False)

    @on(Input.Changed)
    @guarded
    def _shorter(self, event: Input.Changed) -> None:
        if self.told and len(event.value) < (self.max_length or 0):
            self.told = False


def _text_field(field_id: str, label: str, hint: str, length: int, value: str = "") -> NextInput:
    """A follow-up form's text field: ``hint`` inside it while it is empty, at most ``length``
    characters (said when full), Enter to the next field."""
    return NextInput(
        label, value=value, placeholder=hint, max_length=length, id=field_id, compact=True
    )


def _worded(members: Iterable[Worded]) -> list[tuple[str, str]]:
    """(value, words) of each member, in the order given: the enum's words, the UI's order."""
    return [(member.value, member.words) for member in members]


class ChoiceRow(RadioSet):
    """The form's choices in a row: Left and Right choose the one beside the chosen one (as a
    radio group does in a browser), not only move the highlight; Enter or Space still choose the
    highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "right",
            "step(1)",
            "Next choice",
            show=False,
            id="choice_row.next",
            tooltip="Choose the one to the right",
        ),
        Binding(
            "left",
            "step(-1)",
            "Previous choice",
            show=False,
            id="choice_row.previous",
            tooltip="Choose the one to the left",
        ),
    ]

    @guarded
    def action_step(self, by: int) -> None:
        buttons = list(self.query(RadioButton))
        if not buttons:
            return
        at = self.pressed_index
        step = (at + by) % len(buttons) if at >= 0 else (0 if by > 0 else len(buttons) - 1)
        buttons[step].value = True  # the set turns the others off and highlights this one


def _radio(group_id: str, choices: Sequence[tuple[str, str]], chosen: str | None) -> RadioSet:
    buttons = [
        MarkedRadioButton(label, value=key == chosen, id=f"{group_id}-{key}")
        for key, label in choices
    ]
    return ChoiceRow(*buttons, id=group_id, compact=True)


def _typed(dialog: Dialog[T], field_id: str) -> str | None:
    """What is typed in the form's text field ``field_id``, trimmed; None when nothing is."""
    return dialog.query_one(f"#{field_id}", Input).value.strip() or None


class FollowupForm(Dialog[T]):
    """A follow-up form: its fields (:meth:`compose_fields`) in the box, then the error line
    where a refusal shows (:meth:`refused`), then its keys: those two always in view, the
    fields scrolling above them where the screen is short."""

    HELP = (
        "A follow-up form: Tab goes to the next field, Ctrl+S saves; a refusal shows in red "
        "and nothing typed is lost. Esc goes back and nothing is saved."
    )
    CSS_PATH = STYLES / "followups.tcss"
    BOX = "dialog followup-form"

    def compose_body(self) -> ComposeResult:
        # the fields scroll where the screen is short (80x24); the error line and the keys
        # under them stay in view (the form's stylesheet docks them)
        with VerticalScroll(id="fu-fields"):
            yield from self.compose_fields()

    def compose_foot(self, hint: Static) -> ComposeResult:
        with Vertical(id="fu-foot"):
            yield Static(id="fu-error")
            yield hint

    def compose_fields(self) -> ComposeResult:
        """The form's own fields, between the heading and the error line."""
        yield from ()

    def refused(self, problem: str) -> None:
        """A refusal, in red on the form's error line (nothing typed is lost)."""
        self.query_one("#fu-error", Static).update(Text(problem, style="bold red"))

    def refused_or_closed(self, outcome: str | T) -> None:
        """The end of a save: a refusal (a ``str``) shows on the error line and the form stays
        open with nothing typed lost; anything else closes the form with it as its answer."""
        if isinstance(outcome, str):
            self.refused(outcome)
        else:
            self.dismiss(outcome)


def _pressed(dialog: Dialog[T], group_id: str) -> str | None:
    button = dialog.query_one(f"#{group_id}", RadioSet).pressed_button
    if button is None or button.id is None:
        return None
    return button.id.removeprefix(f"{group_id}-")


@dataclass(frozen=True, slots=True)
class FormChoices:
    """What the form offers: (id, label) pairs."""

    services: list[tuple[str, str]]
    back_offices: list[tuple[str, str]]
    categories: list[tuple[str, str]]
    channels: BookingChannels
    """How a referral's reference can be sent from this desk (``domain.channels``): what is
    offered, marked, and chosen already."""


class FollowupDialog(FollowupForm[Created | None]):
    """A new follow-up of one kind, with only that kind's fields."""

    HELP = (
        "A new follow-up (a ring-back, referral, comment, compliment or complaint) with only "
        "the fields its kind needs: Tab or Enter goes to the next field, the arrows choose in a "
        "list or a row of choices. Ctrl+S saves it (Enter in the last field too); a refusal "
        "shows in red and nothing typed is lost. Esc goes back and nothing is made."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save", id="followup_form.submit", tooltip="Make it"),
    ]
    hint = "Tab: next field · Ctrl+S: save · Esc: back"

    def __init__(
        self,
        kind: Kind,
        choices: FormChoices,
        submit: Callable[[Request], Awaitable[Created | str]],
        *,
        arranged: Arranged | None = None,
        about: str = "",
    ) -> None:
        super().__init__(f"New {kind.label.lower()}" + (f": {about}" if about else ""))
        self.kind = kind
        self.choices = choices
        self.submit = submit
        self.arranged = arranged or Arranged()
        self.about = about

    def compose_fields(self) -> ComposeResult:
        kind = self.kind
        if kind is Kind.REFERRAL:
            yield Static("Back office", classes="label")
            yield OptionList(
                *[Option(Text(name), id=key) for key, name in self.choices.back_offices],
                id="fu-office",
                compact=True,
            )
        if kind.on_the_record:
            yield Static("Category", classes="label")
            yield OptionList(
                *[Option(Text(name), id=key) for key, name in self.choices.categories],
                id="fu-category",
                compact=True,
            )
            yield field_row("Came in by", _radio("fu-channel", _worded(Via), Via.IN_PERSON))
        fields = [("fu-service", "Service", "its letter", 1, self.arranged.service or "")]
        if not kind.on_the_record:
            fields.append(("fu-due", "Due", "YYYY-MM-DD: only to agree a day", 10, ""))
        elif kind is Kind.COMPLAINT:  # a comment or compliment has no stage
            fields.append(("fu-stage", "Stage", "1 or 2", 1, "1"))
        fields += [
            ("fu-name", "Name", "staff only; deleted on schedule", 80, ""),
            (
                "fu-phone",
                "Phone",
                "needed to ring back" if kind is Kind.RINGBACK else "",
                20,
                "",
            ),
            ("fu-email", "Email", "", 254, ""),
            ("fu-topic", "Topic", "a few words; no sensitive detail", 200, ""),
        ]
        for field_id, label, hint, length, value in fields:
            field = _text_field(field_id, label, hint, length, value)
            if field_id == "fu-service":  # the name of the service whose letter is typed
                name = Static(self.service_name(value), id="fu-service-name")
                yield field_row(label, field, name)
            else:
                yield field_row(label, field)
        if kind is Kind.REFERRAL:
            yield field_row("Reference by", self._send_by())

    def _send_by(self) -> RadioSet:
        """The ways the reference can reach the resident, as the booking form offers them: one
        that does not work at this desk marked "(not set up here)" and never chosen."""
        channels = self.choices.channels
        offered = channels.for_a_reference
        chosen = channels.chosen(offered, first=Preferred.SLIP)
        buttons = [
            MarkedRadioButton(
                channels.label(channel),
                value=channel is chosen,
                disabled=not channels.works(channel),
                id=f"fu-send-{channel.value}",
            )
            for channel in offered
        ]
        return ChoiceRow(*buttons, id="fu-send", compact=True)

    def service_name(self, letter: str) -> Text:
        """The name of the service whose letter is typed, shown beside it (the field keeps the
        letter: the name says which service that is)."""
        if not letter.strip():
            return Text("")
        try:
            code = parse_service_code(letter)
        except InvalidInput as exc:
            return Text(exc.message, style="bold red")
        name = dict(self.choices.services).get(code)
        if name is None:
            return Text(f"unknown service {code!r}", style="bold red")
        return Text(name)

    @on(Input.Changed, "#fu-service")
    @guarded
    def _service_typed(self, event: Input.Changed) -> None:
        self.query_one("#fu-service-name", Static).update(self.service_name(event.value))

    @guarded
    def on_mount(self) -> None:
        first = self.query("OptionList").first() if self.query("OptionList") else None
        (first or self.query_one("#fu-service", Input)).focus()

    def _option(self, list_id: str) -> str | None:
        options = self.query_one(f"#{list_id}", OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def request(self) -> Request:
        kind = self.kind
        stage = 1
        if kind is Kind.COMPLAINT:
            stage = 2 if (_typed(self, "fu-stage") or "1") == "2" else 1
        return Request(
            kind=kind,
            service=_typed(self, "fu-service"),
            topic=_typed(self, "fu-topic"),
            name=_typed(self, "fu-name"),
            phone=_typed(self, "fu-phone"),
            email=_typed(self, "fu-email"),
            back_office=self._option("fu-office") if kind is Kind.REFERRAL else None,
            send_by=_pressed(self, "fu-send") if kind is Kind.REFERRAL else None,
            via=_pressed(self, "fu-channel") if kind.on_the_record else None,
            category=self._option("fu-category") if kind.on_the_record else None,
            stage=stage,
            due=None if kind.on_the_record else _typed(self, "fu-due"),
            ticket=self.arranged.ticket,
            visit=self.arranged.visit,
        )

    @on(Input.Submitted, "#fu-topic")
    @guarded
    def _last_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @guarded
    @work(exclusive=True, group="followup-form", exit_on_error=False)
    async def action_submit(self) -> None:
        request = self.request()
        channels = self.choices.channels
        if self.kind is Kind.REFERRAL and request.send_by is None and channels.working:
            # Saved unchosen it would be a slip, and none prints here: the adviser chooses.
            self.refused(CHOOSE_SEND_BY)
            return
        self.refused_or_closed(await self.submit(request))


@dataclass(frozen=True, slots=True)
class Answer:
    finding: str | None
    action_taken: str | None
    action: str | None
    officer: str | None


class RespondDialog(FollowupForm[Answer | None]):
    """The full answer to a record: a complaint's outcome, whether action was taken (and what),
    and the officer who answered if not the person recording it."""

    HELP = (
        "The answer to a record: for a complaint, its outcome and whether action was taken (the "
        "arrows choose), then what was done and the officer who answered if not you; Tab goes "
        "to the next field. Ctrl+S records it; a problem shows in red and nothing typed is "
        "lost. Esc goes back and nothing is recorded."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save", id="respond_form.submit", tooltip="Record the answer"),
    ]
    hint = "Arrows choose · Tab: next · Ctrl+S: save · Esc: back"

    def __init__(
        self, title: str, complaint: bool, submit: Callable[[Answer], Awaitable[str | None]]
    ) -> None:
        super().__init__(title)
        self.title_text = title
        self.complaint = complaint
        self.submit = submit

    def compose_fields(self) -> ComposeResult:
        if self.complaint:
            yield field_row("Outcome", _radio("fu-finding", _worded(Finding), None))
            taken = _radio("fu-taken", (("yes", "Yes"), ("no", "No")), None)
            yield field_row("Action taken", taken)
        for field_id, label, hint, length in (
            (
                "fu-action",
                "What was done",
                "as a result (needed if action was taken)"
                if self.complaint
                else "as a result (optional)",
                500,
            ),
            ("fu-officer", "Officer", "who answered, if not you", 80),
        ):
            yield field_row(label, _text_field(field_id, label, hint, length))

    @guarded
    def on_mount(self) -> None:
        if self.complaint:
            self.query_one("#fu-finding", RadioSet).focus()
        else:
            self.query_one("#fu-action", Input).focus()

    def answer(self) -> Answer:
        return Answer(
            finding=_pressed(self, "fu-finding") if self.complaint else None,
            action_taken=_pressed(self, "fu-taken") if self.complaint else None,
            action=_typed(self, "fu-action"),
            officer=_typed(self, "fu-officer"),
        )

    @guarded
    @work(exclusive=True, group="respond-form", exit_on_error=False)
    async def action_submit(self) -> None:
        answer = self.answer()
        problem = await self.submit(answer)
        self.refused_or_closed(answer if problem is None else problem)
