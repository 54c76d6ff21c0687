"""Meet-and-greet's Ctrl+N: a resident's mobile number for texts while they wait, and (only if
they agree) one text after the visit asking how we did. The box offers the turn texts in the
words said once they are saved: "when called" alone for a ticket already near the front."""

from __future__ import annotations

from oss_desk.domain.models import Ticket
from oss_desk.domain.waits import texts_given_said
from oss_desk.services.session import Session
from oss_desk.services.turn_texts import TurnTexts
from oss_desk.ui.context import Ok
from oss_desk.ui.dialogs.scorecard import MobileDialog
from oss_desk.ui.screens.base import DeskScreen


async def text_me(screen: DeskScreen, issued: Ticket) -> None:
    """Ask for the mobile of the resident holding ``issued`` and record their texts."""
    close = await screen.desk.act(
        lambda session: (
            TurnTexts(session).nearly_close_now(issued),
            session.settings.turn_texts.when_called,
        )
    )
    if not isinstance(close, Ok):  # (said already)
        return
    nearly_close, when_called = close.value
    possible = screen.desk.names.follow_up_texts()
    choice = await screen.app.push_screen_wait(
        MobileDialog(
            issued.code,
            follow_up_possible=possible,
            nearly_close=nearly_close,
            when_called=when_called,
        )
    )
    if choice is None or not choice.number.strip():
        return
    if not (choice.turn_texts or choice.follow_up):
        screen.say("Nothing ticked: no text will be sent")
        return
    actor = screen.acting_as()

    def give(session: Session) -> bool:
        """Record the texts; whether "nearly your turn" was held back (already close)."""
        from oss_desk.services.feedback_texts import give_texts

        number = choice.number
        give_texts(
            session,
            actor,
            issued.id,
            turn_texts=number if choice.turn_texts else None,
            follow_up=number if choice.follow_up else None,
        )
        return choice.turn_texts and TurnTexts(session, actor).nearly_held_back(issued)

    given = await screen.commit(give)
    if isinstance(given, Ok):
        said = texts_given_said(
            choice.turn_texts, choice.follow_up, held_back=given.value, when_called=when_called
        )
        screen.notify_done(f"{issued.code}: {said}")
