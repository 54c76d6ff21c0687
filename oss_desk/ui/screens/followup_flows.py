"""What making and counting follow-ups looks like on any desk screen: the new follow-up flow
(the kind, then its form), the follow-up a finished visit opens, and the due/overdue line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text

from oss_desk.domain.access import Action
from oss_desk.domain.followup_figures import DueCount
from oss_desk.domain.followups import Arranged, Kind
from oss_desk.domain.models import Actor, Outcome
from oss_desk.services.session import Session
from oss_desk.ui.context import Ok
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.base import DeskScreen

if TYPE_CHECKING:  # the follow-up code loads when a follow-up is first made
    from oss_desk.services.followups import Created, Request
    from oss_desk.ui.dialogs.followups import FormChoices

R = TypeVar("R")

KIND_KEYS = {str(number): kind for number, kind in enumerate(Kind, start=1)}
"""The number key of each kind, in the order :class:`Kind` declares them (1: ring-back)."""
KINDS_MEANING = (
    "A ring-back (CB-): someone rings the resident back. A referral (R-): the matter passed "
    "to a back office. A comment, compliment or complaint (OTR-): on the record, seen and "
    "answered by team leaders. Each gets its own reference and shows on the follow-ups screen."
)
"""F1's words at "What kind of follow-up?"."""


def kinds_for(session_may: Callable[[Action], bool], *, making: bool = False) -> list[Kind]:
    """The kinds a person may see (or, ``making``, make)."""
    work_kinds = [Kind.RINGBACK, Kind.REFERRAL] if session_may(Action.WORK_FOLLOWUPS) else []
    records = Action.RECORD_FEEDBACK if making else Action.VIEW_FEEDBACK
    if session_may(records):
        work_kinds += [Kind.COMMENT, Kind.COMPLIMENT, Kind.COMPLAINT]
    return work_kinds


def due_line(
    due: Mapping[str, DueCount],
    kinds: list[Kind] | None = None,
    title: str = "Follow-ups due today/overdue",
) -> Text:
    """Per kind, due today / overdue (the team leader's line, the Follow-ups summary)."""
    text = Text()
    text.append(title, style="bold")
    for kind in kinds if kinds is not None else list(KIND_KEYS.values()):
        counts = due.get(kind.value, DueCount())
        today, late = counts.due_today, counts.overdue
        text.append(f"  {kind.label.lower()}s ")
        text.append(str(today), style="bold yellow" if today else "")
        text.append("/")
        text.append(str(late), style="bold red" if late else "")
    return text


async def run_or_say(screen: DeskScreen, fn: Callable[[Session], R]) -> R | str:
    """Run on the database thread; a refusal (or a failure) comes back as its one-line message,
    to show inside the dialog (a fault in the code still goes to the fault funnel)."""
    result = await screen.desk.act(fn, quiet=True)
    if isinstance(result, Ok):
        return result.value
    return result.message


def form_choices(session: Session, actor: Actor) -> FormChoices:
    """What the follow-up form offers: services, back offices (with SLA), categories, and the
    ways a referral's reference can be sent from ``actor``'s desk (a slip only where it has a
    printer, no text where texts are not set up): as the booking form has them."""
    from oss_desk.services.appointments import AppointmentService
    from oss_desk.ui.dialogs.followups import FormChoices

    followups = session.settings.followups
    return FormChoices(
        channels=AppointmentService(session, actor).channels(),
        services=[(s.code, s.name) for s in session.directory.services.values()],
        back_offices=[
            (b.id, f"{b.name} ({b.sla_working_days} working days)") for b in followups.back_offices
        ],
        categories=[(c.id, c.name) for c in followups.categories],
    )


async def new_followup(
    screen: DeskScreen,
    actor: Actor,
    *,
    kind: Kind | None = None,
    arranged: Arranged | None = None,
    about: str = "",
) -> Created | None:
    """Make a follow-up through its dialog (the kind asked first unless given); returns it."""
    from oss_desk.services.followups import FollowupService
    from oss_desk.ui.dialogs.followups import FollowupDialog

    desk = screen.desk
    app = screen.app
    allowed = kinds_for(lambda action: desk.may(action, actor), making=True)
    if kind is None:
        offered = [(k, f"{k}  {v.label}") for k, v in KIND_KEYS.items() if v in allowed]
        if not offered:
            await desk.act(lambda s: s.require(Action.WORK_FOLLOWUPS, actor))  # says why not
            return None
        chosen = await app.push_screen_wait(
            ChoiceDialog("What kind of follow-up?", offered, meaning=KINDS_MEANING)
        )
        if chosen is None:
            return None
        kind = KIND_KEYS[chosen]
    if kind not in allowed:
        needed = Action.RECORD_FEEDBACK if kind.on_the_record else Action.WORK_FOLLOWUPS
        await desk.act(lambda s: s.require(needed, actor))  # says why not
        return None
    found = await desk.act(lambda s: form_choices(s, actor))
    if not isinstance(found, Ok):
        return None
    choices = found.value
    if kind is Kind.REFERRAL and not choices.back_offices:
        screen.say("No back office is configured ([[followups.back_offices]])")
        return None

    async def submit(request: Request) -> Created | str:
        return await run_or_say(screen, lambda s: FollowupService(s, actor).add(request))

    created = await app.push_screen_wait(
        FollowupDialog(kind, choices, submit, arranged=arranged, about=about)
    )
    if created is None:
        return None
    f = created.followup
    today = f.received_day
    said = f"{f.ref}: {f.kind.label.lower()}, {f.due_words(today)}"
    if created.print_job is not None:
        said += "; slip sent to the printer"
    elif created.note:
        said += f"; {created.note}"
    screen.notify_done(said)
    await desk.after_write()
    return created


def follow_up_kind(screen: DeskScreen, actor: Actor, outcome: Outcome) -> Kind | None:
    """The follow-up a visit finished with ``outcome`` opens here (None: none, or not
    ``actor``'s to make)."""
    kind = {Outcome.CALLBACK: Kind.RINGBACK, Outcome.REFERRED: Kind.REFERRAL}.get(outcome)
    return kind if kind is not None and screen.desk.may(Action.WORK_FOLLOWUPS, actor) else None


async def follow_up_outcome(
    screen: DeskScreen,
    actor: Actor,
    outcome: Outcome,
    arranged: Arranged,
) -> Created | None:
    """A visit finished with a ring-back arranged or referred: open the new follow-up with the
    visit's service filled in (Esc leaves the visit finished and makes none)."""
    kind = follow_up_kind(screen, actor, outcome)
    if kind is None:
        return None
    about = "the visit just finished"
    return await new_followup(screen, actor, kind=kind, arranged=arranged, about=about)
