"""What the council counts, asked at the desk: the outcomes of a visit with its flags and where
a signposted resident was sent, and the resident's own rating of the visit just finished."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from oss_desk.domain.models import Actor, Outcome, Ticket
from oss_desk.services.ratings import Ratings
from oss_desk.ui.dialogs import OutcomeDialog
from oss_desk.ui.dialogs.scorecard import Finish, FinishDialog, RatingPrompt, SignpostDialog
from oss_desk.ui.faults import guard
from oss_desk.ui.keyline import behind
from oss_desk.ui.screens.base import DeskScreen
from oss_desk.ui.widgets.bars import StatusBar


async def ask_finish(
    screen: DeskScreen, code: str, services: list[str]
) -> tuple[Finish, dict[str, Outcome], str | None] | None:
    """The outcome of each of ``services`` (the ticket's first, with the council's flags),
    and where the resident was signposted when any of them was: ``(the first answer, outcome
    by service, organisation id or None)``, the first answer carrying the last one's key; None
    when the person went back. The one way every finish is asked (a desk's ticket with its
    added services, and a visit dealt with at meet-and-greet, F8), so the signposting and
    channel-shift figures count them all."""
    names = screen.desk.names

    def booked(service: str) -> bool:  # "needs an appointment" is offered only then
        found = names.services.get(service)
        return found is not None and found.takes_appointments

    label = names.service(services[0]) if len(services) > 1 else ""
    dialog = FinishDialog(code, label, appointments=booked(services[0]))
    own = await screen.app.push_screen_wait(dialog)
    if own is None:
        return None
    first = dialog.finish(own)
    outcomes: dict[str, Outcome] = {services[0]: own}
    last = first.key
    for service in services[1:]:
        dialog_for = OutcomeDialog(code, names.service(service), appointments=booked(service))
        outcome = await screen.app.push_screen_wait(dialog_for)
        if outcome is None:
            return None
        outcomes[service], last = outcome, dialog_for.typed
    to = None
    if Outcome.SIGNPOSTED in outcomes.values():
        where = SignpostDialog(code, names.organisations())
        to = await screen.app.push_screen_wait(where)
        if to is None:
            return None
        last = where.typed
    return replace(first, key=last), outcomes, to


def rate_visit(screen: DeskScreen, ticket: Ticket, actor: Actor, echo: str = "") -> None:
    """Ask for the resident's own rating of the visit just finished, one key on the desk's
    screen (as `ticket rate`); a visit rated already (on the counter's feedback page, say) is
    refused with a notification. ``echo``: the key of the finish's last answer (see
    :class:`RatingPrompt`)."""

    async def record(rating: str) -> None:
        said = "declined to rate the visit" if rating == "declined" else f"rated {rating} of 5"
        await screen.commit(
            lambda s: Ratings(s, actor).rate_visit(ticket.visit_id, rating),
            f"{ticket.code}: {said}",
        )

    def answered(rating: str) -> None:
        work = guard(screen, partial(record, rating))  # made when it runs
        # The next key (N for the next resident) once the rating is recorded and said.
        behind(screen.app, screen.run_worker(work, group="rating", exit_on_error=False))

    for old in screen.query(RatingPrompt):
        old.remove()
    # Above the screen's status line and keys (the body gives it the room).
    screen.mount(RatingPrompt(ticket.code, answered, echo), before=screen.query_one(StatusBar))
